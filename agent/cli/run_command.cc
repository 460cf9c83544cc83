#include <iostream>
#include <string>
#include <utility>
#include <vector>

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
ABSL_FLAG(int, max_iterations, 1000, "run: timed iterations at most");
ABSL_FLAG(int, warmup_iterations, 2, "run: untimed iterations first");
ABSL_FLAG(double, min_seconds, 0.5, "run: keep timing at least this long, s");
ABSL_FLAG(double, max_seconds, 30, "run: timing budget in seconds");
ABSL_FLAG(double, stable_ci, 0.01,
          "run: stop once the median's 95% CI is within +/- this fraction "
          "(after the minimums); 1 stops at the minimums");
ABSL_FLAG(std::string, memory_format, "contiguous",
          "run: contiguous (NCHW) or channels_last (NHWC)");
ABSL_FLAG(std::string, precision, "fp32",
          "run: fp32, bf16 (CPUs with avx512_bf16/amx_bf16, CUDA) or fp16 "
          "(CUDA)");
ABSL_FLAG(std::string, device, "cpu", "run: cpu or cuda");
ABSL_FLAG(int, inter_op_threads, 0,
          "run: LibTorch inter-op threads; 0 = LibTorch's default");
ABSL_FLAG(bool, aux_logits, false,
          "run, model, models: googlenet and inception_v3 only: build their "
          "auxiliary classifiers, as for training from scratch (default: the "
          "architecture torchvision's pretrained weights deploy)");
ABSL_FLAG(std::string, scenario, "none",
          "run: none (plain timed loop), single_stream (p90 latency counts) "
          "or offline (whole-run throughput counts), after MLPerf LoadGen");

namespace benchfleet::agent_cli {
namespace {

// Maps --`flag`=`text` through `names`; prints the choices and returns false
// for anything else.
template <typename Enum>
bool ParseChoice(const char* flag, const std::string& text,
                 const std::vector<std::pair<std::string, Enum>>& names,
                 Enum* value) {
  std::string choices;
  for (const auto& [name, v] : names) {
    if (name == text) {
      *value = v;
      return true;
    }
    choices += (choices.empty() ? "" : ", ") + name;
  }
  std::cerr << "agent: --" << flag << "=" << text << ": use one of " << choices
            << "\n";
  return false;
}

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
  v1::Budget& budget = *spec.mutable_budget();
  budget.set_min_iterations(absl::GetFlag(FLAGS_min_iterations));
  budget.set_max_iterations(absl::GetFlag(FLAGS_max_iterations));
  budget.set_warmup_iterations(absl::GetFlag(FLAGS_warmup_iterations));
  budget.set_min_seconds(absl::GetFlag(FLAGS_min_seconds));
  budget.set_max_seconds(absl::GetFlag(FLAGS_max_seconds));
  budget.set_stable_ci(absl::GetFlag(FLAGS_stable_ci));

  v1::MemoryFormat memory_format;
  v1::Precision precision;
  v1::DeviceKind device;
  v1::Scenario scenario;
  if (!ParseChoice<v1::MemoryFormat>(
          "memory_format", absl::GetFlag(FLAGS_memory_format),
          {{"contiguous", v1::MEMORY_FORMAT_CONTIGUOUS},
           {"channels_last", v1::MEMORY_FORMAT_CHANNELS_LAST}},
          &memory_format) ||
      !ParseChoice<v1::Precision>("precision", absl::GetFlag(FLAGS_precision),
                                  {{"fp32", v1::PRECISION_FP32},
                                   {"bf16", v1::PRECISION_BF16},
                                   {"fp16", v1::PRECISION_FP16}},
                                  &precision) ||
      !ParseChoice<v1::DeviceKind>(
          "device", absl::GetFlag(FLAGS_device),
          {{"cpu", v1::DEVICE_KIND_CPU}, {"cuda", v1::DEVICE_KIND_CUDA}},
          &device) ||
      !ParseChoice<v1::Scenario>("scenario", absl::GetFlag(FLAGS_scenario),
                                 {{"none", v1::SCENARIO_UNSPECIFIED},
                                  {"single_stream", v1::SCENARIO_SINGLE_STREAM},
                                  {"offline", v1::SCENARIO_OFFLINE}},
                                 &scenario)) {
    return 2;
  }
  spec.set_memory_format(memory_format);
  spec.set_precision(precision);
  spec.set_device(device);
  spec.set_scenario(scenario);
  spec.set_inter_op_threads(absl::GetFlag(FLAGS_inter_op_threads));
  spec.set_aux_logits(absl::GetFlag(FLAGS_aux_logits));

  const v1::HardwareReport report = ProbeMachine();
  agent::ModelExecutor executor(report, Threads());
  v1::Lease lease;
  lease.set_attempt(1);
  *lease.mutable_spec() = spec;
  const std::atomic<bool> never_cancelled{false};
  const v1::JobResult result =
      executor.Execute(lease, nullptr, never_cancelled);
  if (json) {
    std::cout << ToJson(result);
  } else {
    std::cout << analysis::RenderResultsTable({result});
  }
  return result.status() == v1::JOB_STATUS_OK ? 0 : 1;
}

}  // namespace benchfleet::agent_cli
