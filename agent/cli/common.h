// Pieces shared by the agent's subcommands: the common flags (--threads,
// --format, --probe_root), JSON printing and the hardware report.
#ifndef BENCHFLEET_AGENT_CLI_COMMON_H_
#define BENCHFLEET_AGENT_CLI_COMMON_H_

#include <string>

#include "absl/flags/declare.h"
#include "google/protobuf/message.h"
#include "proto/hardware.pb.h"

ABSL_DECLARE_FLAG(int, threads);
ABSL_DECLARE_FLAG(std::string, format);
ABSL_DECLARE_FLAG(std::string, probe_root);

namespace benchfleet::agent_cli {

// The protobuf JSON mapping of `message`, indented, defaults included.
std::string ToJson(const google::protobuf::Message& message);

// --threads, or every hardware thread when it is 0.
int Threads();

// Sets LibTorch's intra-op threads to Threads() (LibTorch starts with one on
// some machines), then describes the machine and the software stack.
v1::HardwareReport ProbeMachine();

// True when --format is "json"; false for "table". Exits with a message
// naming the flag for anything else.
bool JsonFormat();

}  // namespace benchfleet::agent_cli

#endif  // BENCHFLEET_AGENT_CLI_COMMON_H_
