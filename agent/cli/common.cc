#include "agent/cli/common.h"

#include <torch/torch.h>

#include <cstdlib>
#include <iostream>
#include <thread>

#include "absl/flags/flag.h"
#include "agent/hw/software_probe.h"
#include "agent/hw/system_probe.h"
#include "google/protobuf/util/json_util.h"

ABSL_FLAG(int, threads, 0, "intra-op threads; 0 = every hardware thread");
ABSL_FLAG(std::string, format, "table", "output format: table or json");
ABSL_FLAG(std::string, probe_root, "/",
          "root of the /proc, /sys and /etc trees to describe");

namespace benchfleet::agent_cli {

std::string ToJson(const google::protobuf::Message& message) {
  google::protobuf::util::JsonPrintOptions options;
  options.add_whitespace = true;
  options.always_print_primitive_fields = true;
  std::string json;
  (void)google::protobuf::util::MessageToJsonString(message, &json, options);
  return json;
}

int Threads() {
  const int threads = absl::GetFlag(FLAGS_threads);
  return threads > 0 ? threads
                     : static_cast<int>(std::thread::hardware_concurrency());
}

v1::HardwareReport ProbeMachine() {
  torch::set_num_threads(Threads());
  v1::HardwareReport report = hw::ProbeSystem(absl::GetFlag(FLAGS_probe_root));
  hw::ProbeSoftware(&report);
  return report;
}

bool JsonFormat() {
  const std::string format = absl::GetFlag(FLAGS_format);
  if (format == "json") return true;
  if (format == "table") return false;
  std::cerr << "agent: --format=" << format << ": use table or json\n";
  std::exit(2);
}

}  // namespace benchfleet::agent_cli
