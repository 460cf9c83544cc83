#include "coordinator/cli/cli_output.h"

#include <chrono>

#include "coordinator/cli/fleet_commands.h"
#include "google/protobuf/util/json_util.h"

namespace benchfleet::cli {

void SetDeadline(grpc::ClientContext& context) {
  context.set_deadline(std::chrono::system_clock::now() +
                       absl::ToChronoSeconds(kCallDeadline));
}

std::string ToJson(const google::protobuf::Message& message, bool one_line) {
  google::protobuf::util::JsonPrintOptions options;
  options.add_whitespace = !one_line;
  options.always_print_primitive_fields = true;
  std::string json;
  (void)google::protobuf::util::MessageToJsonString(message, &json, options);
  return json;
}


}  // namespace benchfleet::cli
