#include "coordinator/cli/cli_output.h"

#include <cerrno>
#include <chrono>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "google/protobuf/util/json_util.h"

namespace benchfleet::cli {

absl::Status ParseFormat(const std::string& text, Format* format) {
  if (text == "table") *format = Format::kTable;
  else if (text == "csv") *format = Format::kCsv;
  else if (text == "json") *format = Format::kJson;
  else if (text == "jsonl") *format = Format::kJsonLines;
  else
    return absl::InvalidArgumentError(
        absl::StrCat("--format=", text, ": use table, csv, json or jsonl"));
  return absl::OkStatus();
}

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

absl::Status WriteFile(const std::string& path, const std::string& contents) {
  std::ofstream file(path, std::ios::binary | std::ios::trunc);
  if (!file)
    return absl::ErrnoToStatus(errno, absl::StrCat("cannot write ", path));
  file << contents;
  file.close();
  if (!file)
    return absl::ErrnoToStatus(errno, absl::StrCat("cannot write ", path));
  return absl::OkStatus();
}

}  // namespace benchfleet::cli
