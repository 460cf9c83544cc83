#include <iostream>

#include "absl/flags/flag.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "agent/cli/commands.h"
#include "agent/cli/common.h"
#include "agent/model_executor.h"
#include "analysis/result_table.h"

ABSL_FLAG(std::string, model, "resnet50", "run: zoo model name");
ABSL_FLAG(int, batch, 1, "run: batch size");
ABSL_FLAG(std::string, mode, "inference", "run: inference or training");
ABSL_FLAG(std::string, input, "",
          "run: CxHxW of one item; default the model's own");
ABSL_FLAG(int, min_iterations, 10, "run: timed iterations at least");
ABSL_FLAG(double, max_seconds, 30, "run: timing budget in seconds");

namespace benchfleet::agent_cli {
namespace {

bool ParseInput(const std::string& text, v1::InputShape* shape) {
  std::vector<std::string> parts = absl::StrSplit(text, 'x');
  int c, h, w;
  if (parts.size() != 3 || !absl::SimpleAtoi(parts[0], &c) ||
      !absl::SimpleAtoi(parts[1], &h) || !absl::SimpleAtoi(parts[2], &w))
    return false;
  shape->set_channels(c);
  shape->set_height(h);
  shape->set_width(w);
  return true;
}

}  // namespace

int RunCommand(const Args&) {
  const bool json = JsonFormat();
  v1::BenchmarkSpec spec;
  spec.set_model(absl::GetFlag(FLAGS_model));
  spec.set_batch_size(absl::GetFlag(FLAGS_batch));
  const std::string mode = absl::GetFlag(FLAGS_mode);
  if (mode == "inference") {
    spec.set_mode(v1::MODE_INFERENCE);
  } else if (mode == "training") {
    spec.set_mode(v1::MODE_TRAINING);
  } else {
    std::cerr << "agent: --mode=" << mode << ": use inference or training\n";
    return 2;
  }
  const std::string input = absl::GetFlag(FLAGS_input);
  if (!input.empty() && !ParseInput(input, spec.mutable_input())) {
    std::cerr << "agent: --input=" << input
              << ": expected CxHxW, e.g. 3x224x224\n";
    return 2;
  }
  spec.mutable_budget()->set_min_iterations(absl::GetFlag(FLAGS_min_iterations));
  spec.mutable_budget()->set_max_seconds(absl::GetFlag(FLAGS_max_seconds));

  const v1::HardwareReport report = ProbeMachine();
  agent::ModelExecutor executor(report.cpu().model_name(), report.host_id(),
                                Threads());
  v1::Lease lease;
  lease.set_attempt(1);
  *lease.mutable_spec() = spec;
  const std::atomic<bool> never_cancelled{false};
  const v1::JobResult result = executor.Execute(lease, nullptr, never_cancelled);
  if (json) {
    std::cout << ToJson(result);
  } else {
    std::cout << analysis::RenderResultsTable({result});
  }
  return result.status() == v1::JOB_STATUS_OK ? 0 : 1;
}

}  // namespace benchfleet::agent_cli
