// What built the agent binary: its release and the source revision it was
// built from (stamped by Bazel; see tools/workspace_status.sh).
#ifndef BENCHFLEET_AGENT_HW_BUILD_INFO_H_
#define BENCHFLEET_AGENT_HW_BUILD_INFO_H_

namespace benchfleet::hw {

// The benchfleet release of this agent (Hello.agent_version,
// Provenance.agent_version).
inline constexpr char kAgentVersion[] = "0.1";

// The git revision this binary was built from: 40 hex digits, with
// "-dirty" appended when the work tree had uncommitted changes; "" for a
// build outside a git checkout or without git. Never null.
const char* SourceRevision();

}  // namespace benchfleet::hw

#endif  // BENCHFLEET_AGENT_HW_BUILD_INFO_H_
