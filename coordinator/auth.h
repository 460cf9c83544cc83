// Who may call the coordinator. Callers present a bearer token; the
// coordinator keeps only SHA-256 hashes of tokens, each with a name and a
// role, in a tokens file:
//
//   # role   name        sha256(token)
//   agent    gpu-node-7  9f86d081884c7d65...
//   agent    sim-*       ...           (a trailing * matches an id prefix)
//   reader   dashboards  ...
//   admin    alice       ...
//
// Agents may only open AgentService streams, under an agent id their token's
// name matches; readers may only query; admins may also submit, cancel and
// schedule.
#ifndef BENCHFLEET_COORDINATOR_AUTH_H_
#define BENCHFLEET_COORDINATOR_AUTH_H_

#include <grpcpp/grpcpp.h>

#include <map>
#include <string>

#include "absl/status/statusor.h"

namespace benchfleet::coordinator {

enum class Role { kAgent, kReader, kAdmin };

// "agent", "reader" or "admin"; INVALID_ARGUMENT otherwise.
absl::StatusOr<Role> ParseRole(const std::string& text);
const char* RoleName(Role role);

struct Principal {
  std::string name;
  Role role = Role::kReader;
};

// Immutable after loading; thread-safe.
class TokenRegistry {
 public:
  // Parses a tokens file; INVALID_ARGUMENT names the line of a bad entry.
  static absl::StatusOr<TokenRegistry> Load(const std::string& path);
  static absl::StatusOr<TokenRegistry> Parse(const std::string& text,
                                             const std::string& filename);

  // The principal holding `token`, or null.
  const Principal* Find(const std::string& token) const;

  // A new random token (256 bits, hex) and the line to append to a tokens
  // file for it.
  static std::string NewToken();
  static std::string Line(Role role, const std::string& name, const std::string& token);

 private:
  std::map<std::string, Principal> by_hash_;
};

// Checks the call's "authorization: Bearer <token>" against `tokens` (null =
// authentication disabled: every call passes as an admin). UNAUTHENTICATED
// for a missing or unknown token, PERMISSION_DENIED when the role is below
// `required` (agents only pass where `required` is kAgent, and nowhere
// else). On success fills `who` when it is not null.
grpc::Status Authorize(const grpc::ServerContext& context,
                       const TokenRegistry* tokens, Role required, Principal* who);

// True when an agent token named `name` may use `agent_id` ("sim-*" matches
// every id starting with "sim-").
bool AgentIdAllowed(const std::string& name, const std::string& agent_id);

}  // namespace benchfleet::coordinator

#endif  // BENCHFLEET_COORDINATOR_AUTH_H_
