// Output helpers shared by the fleetctl commands: call deadlines, protobuf
// JSON (CSV: analysis/csv.h).
#ifndef BENCHFLEET_COORDINATOR_CLI_CLI_OUTPUT_H_
#define BENCHFLEET_COORDINATOR_CLI_CLI_OUTPUT_H_

#include <grpcpp/grpcpp.h>

#include <string>
#include <vector>

#include "google/protobuf/message.h"

namespace benchfleet::cli {

// Sets kCallDeadline (fleet_commands.h) on a unary call.
void SetDeadline(grpc::ClientContext& context);
// The protobuf JSON mapping, defaults included; indented unless `one_line`.
std::string ToJson(const google::protobuf::Message& message, bool one_line = false);

}  // namespace benchfleet::cli

#endif  // BENCHFLEET_COORDINATOR_CLI_CLI_OUTPUT_H_
