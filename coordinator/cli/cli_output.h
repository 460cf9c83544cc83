// Output helpers shared by the fleetctl commands: output formats, call
// deadlines, protobuf JSON and files (CSV: analysis/csv.h).
#ifndef BENCHFLEET_COORDINATOR_CLI_CLI_OUTPUT_H_
#define BENCHFLEET_COORDINATOR_CLI_CLI_OUTPUT_H_

#include <grpcpp/grpcpp.h>

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "google/protobuf/message.h"

namespace benchfleet::cli {

enum class Format { kTable, kCsv, kJson, kJsonLines };

// Parses "table", "csv", "json" or "jsonl"; INVALID_ARGUMENT names the value.
absl::Status ParseFormat(const std::string& text, Format* format);

// Every unary call carries this deadline.
inline constexpr absl::Duration kCallDeadline = absl::Seconds(30);

// Sets kCallDeadline on a unary call.
void SetDeadline(grpc::ClientContext& context);
// The protobuf JSON mapping, defaults included; indented unless `one_line`.
std::string ToJson(const google::protobuf::Message& message, bool one_line = false);
// Writes `contents` to `path`, replacing it; the error names the path.
absl::Status WriteFile(const std::string& path, const std::string& contents);

}  // namespace benchfleet::cli

#endif  // BENCHFLEET_COORDINATOR_CLI_CLI_OUTPUT_H_
