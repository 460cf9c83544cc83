// Runner overhead: the runner's median forward latency against a bare `for`
// loop over the same module (same architecture, same seed, same weights) and
// the same input, in the same process, with the same threads. Rounds
// alternate which side goes first; each side takes `--iterations` samples
// per round after `--warmup` untimed iterations. The figure is
//   overhead = median over rounds of (runner median / bare median) - 1
// pairing each round's two sides, which ran back to back, so that load from
// other processes that comes and goes between rounds cancels out; the pooled
// medians of all samples and the range of the per-round ratios are printed
// beside it. Then, per model, an interleaved measurement: one runner job
// whose sample callback (outside the runner's timed region) times one bare
// forward after every runner iteration, so each runner sample has a bare
// neighbour timed under the same conditions; printed as the ratio of the
// medians and the median of the pair ratios. Target: |overhead| <= 1%. A
// benchmark, never a pass/fail test.
//
//   bazel run -c opt //bench/runner:overhead -- --threads=2 --rounds=5
#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/str_split.h"
#include "agent/hw/load_monitor.h"
#include "agent/models/catalog.h"
#include "agent/models/zoo.h"
#include "agent/runner/runner.h"

ABSL_FLAG(std::string, models, "resnet50,mobilenet_v3_large,squeezenet1_0",
          "comma-separated zoo models, each at its default input, batch 1");
ABSL_FLAG(int, threads, 2, "intra-op threads for both sides");
ABSL_FLAG(int, inter_op_threads, 1, "inter-op threads for both sides");
ABSL_FLAG(int, rounds, 10, "alternating rounds per model");
ABSL_FLAG(int, iterations, 15, "timed iterations per side per round");
ABSL_FLAG(int, warmup, 3, "untimed iterations per side per round");
ABSL_FLAG(double, max_load, 0.10,
          "repeat a round during which other processes took more than this "
          "share of the machine's CPU time");
ABSL_FLAG(int, retries, 4, "repeats of one round at most");
ABSL_FLAG(int, interleaved_iterations, 100,
          "then one runner job of this many iterations, each followed by one "
          "bare forward; 0 skips it");

namespace benchfleet::bench {
namespace {

using Clock = std::chrono::steady_clock;

double Median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

v1::BenchmarkSpec Spec(const std::string& model) {
  v1::BenchmarkSpec spec;
  spec.set_model(model);
  spec.set_batch_size(1);
  spec.set_mode(v1::MODE_INFERENCE);
  spec.set_threads(absl::GetFlag(FLAGS_threads));
  spec.set_inter_op_threads(absl::GetFlag(FLAGS_inter_op_threads));
  v1::Budget& b = *spec.mutable_budget();
  b.set_warmup_iterations(absl::GetFlag(FLAGS_warmup));
  b.set_min_iterations(absl::GetFlag(FLAGS_iterations));
  b.set_max_iterations(absl::GetFlag(FLAGS_iterations));
  b.set_min_seconds(1e-6);
  b.set_max_seconds(86400);
  return spec;
}

// The bare loop: what a careful engineer writes by hand.
std::vector<double> BareLoop(torch::nn::AnyModule& module,
                             const torch::Tensor& x, int warmup,
                             int iterations) {
  c10::InferenceMode guard;
  for (int i = 0; i < warmup; ++i) module.forward(x);
  std::vector<double> ms;
  ms.reserve(iterations);
  for (int i = 0; i < iterations; ++i) {
    const auto t0 = Clock::now();
    module.forward(x);
    ms.push_back(
        std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
  }
  return ms;
}

int Main() {
  const int rounds = absl::GetFlag(FLAGS_rounds);
  const int iterations = absl::GetFlag(FLAGS_iterations);
  const int warmup = absl::GetFlag(FLAGS_warmup);
  // The bare loop runs under the malloc policy the runner sets (runner.h).
  runner::PinMallocPolicy();
  at::set_num_interop_threads(absl::GetFlag(FLAGS_inter_op_threads));
  torch::set_num_threads(absl::GetFlag(FLAGS_threads));
  std::printf(
      "runner overhead: %d rounds x %d iterations per side, threads %d, "
      "inter-op %d, batch 1\n",
      rounds, iterations, torch::get_num_threads(),
      at::get_num_interop_threads());
  std::printf("%-20s %-10s %12s %12s %10s %28s %8s\n", "model", "input",
              "bare_ms", "runner_ms", "overhead", "per-round ratios (min..max)",
              "load");
  std::printf(
      "(bare_ms, runner_ms: pooled medians; overhead: median of the "
      "per-round ratios - 1)\n");
  const std::vector<std::string> names =
      absl::StrSplit(absl::GetFlag(FLAGS_models), ',', absl::SkipEmpty());
  for (const std::string& name : names) {
    const v1::BenchmarkSpec spec = Spec(name);
    // Same seed before each build: the runner builds its own instance with
    // the same weights, and seeds 0 again before drawing its input.
    torch::manual_seed(0);
    auto model = models::BuildModel(name);
    if (!model.ok()) {
      std::printf("%-20s %s\n", name.c_str(),
                  std::string(model.status().message()).c_str());
      continue;
    }
    model->module.ptr()->eval();
    const v1::InputShape in = models::FindModel(name)->default_input;
    torch::manual_seed(0);
    const torch::Tensor x =
        torch::randn({1, in.channels(), in.height(), in.width()});

    std::vector<double> bare_all, runner_all, ratios, loads;
    for (int r = 0, attempt = 0; r < rounds; ++r) {
      std::vector<double> bare, timed;
      hw::LoadMonitor load;
      load.Start();
      auto run_runner = [&] {
        torch::manual_seed(0);
        const v1::JobResult result = runner::RunJob(
            spec, r + 1, 1,
            [&](const v1::Sample& s) {
              timed.push_back(s.duration_ns() * 1e-6);
            },
            nullptr);
        if (result.status() != v1::JOB_STATUS_OK)
          std::printf("  runner failed: %s\n", result.error().c_str());
      };
      if (r % 2 == 0) {
        bare = BareLoop(model->module, x, warmup, iterations);
        run_runner();
      } else {
        run_runner();
        bare = BareLoop(model->module, x, warmup, iterations);
      }
      // A round during which other processes took more than --max_load of
      // the CPU is repeated (up to --retries times per round).
      const double other = load.OtherLoad();
      if (other > absl::GetFlag(FLAGS_max_load) &&
          attempt < absl::GetFlag(FLAGS_retries)) {
        ++attempt;
        --r;
        continue;
      }
      attempt = 0;
      loads.push_back(other);
      ratios.push_back(Median(timed) / Median(bare));
      bare_all.insert(bare_all.end(), bare.begin(), bare.end());
      runner_all.insert(runner_all.end(), timed.begin(), timed.end());
    }
    const double bare_median = Median(bare_all);
    const double runner_median = Median(runner_all);
    const double overhead = Median(ratios) - 1;
    const auto [lo, hi] = std::minmax_element(ratios.begin(), ratios.end());
    char input[32];
    std::snprintf(input, sizeof(input), "%dx%dx%d", in.channels(), in.height(),
                  in.width());
    char range[64];
    std::snprintf(range, sizeof(range), "%.4f..%.4f", *lo, *hi);
    std::printf("%-20s %-10s %12.3f %12.3f %+9.2f%% %28s %7.0f%%\n",
                name.c_str(), input, bare_median, runner_median,
                100.0 * overhead, range, 100.0 * Median(loads));

    // Interleaved: after each timed runner iteration (in its sample
    // callback, outside its timed region) one bare forward of our instance,
    // so each runner sample has a bare neighbour timed under the same load.
    const int pairs = absl::GetFlag(FLAGS_interleaved_iterations);
    if (pairs > 0) {
      v1::BenchmarkSpec interleaved = spec;
      interleaved.mutable_budget()->set_min_iterations(pairs);
      interleaved.mutable_budget()->set_max_iterations(pairs);
      std::vector<double> runner_ms, bare_ms, pair_ratios;
      hw::LoadMonitor load;
      load.Start();
      torch::manual_seed(0);
      const v1::JobResult result = runner::RunJob(
          interleaved, 0, 1,
          [&](const v1::Sample& s) {
            runner_ms.push_back(s.duration_ns() * 1e-6);
            bare_ms.push_back(BareLoop(model->module, x, 0, 1).front());
            pair_ratios.push_back(runner_ms.back() / bare_ms.back());
          },
          nullptr);
      if (result.status() != v1::JOB_STATUS_OK) {
        std::printf("  runner failed: %s\n", result.error().c_str());
      } else {
        std::printf(
            "%-20s %-10s %12.3f %12.3f %+9.2f%% %28s %7.0f%%   interleaved, "
            "%d pairs; median pair ratio - 1: %+.2f%%\n",
            "", "", Median(bare_ms), Median(runner_ms),
            100.0 * (Median(runner_ms) / Median(bare_ms) - 1), "",
            100.0 * load.OtherLoad(), pairs, 100.0 * (Median(pair_ratios) - 1));
      }
    }
    std::fflush(stdout);
  }
  std::printf(
      "load: median over rounds of the share of machine CPU time other "
      "processes used\n");
  return 0;
}

}  // namespace
}  // namespace benchfleet::bench

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  return benchfleet::bench::Main();
}
