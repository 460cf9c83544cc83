#include "agent/runner/runner.h"

#include <sys/resource.h>
#include <torch/torch.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <iostream>
#include <string>
#include <vector>

#include "agent/runner/cuda_util.h"
#include "gtest/gtest.h"

namespace benchfleet::runner {
namespace {

// ResNet-18 at 32x32, batch 2, one thread: a few milliseconds per iteration.
// Batch 2 because training batch norm needs more than one value per channel.
v1::BenchmarkSpec TinySpec() {
  v1::BenchmarkSpec spec;
  spec.set_model("resnet18");
  spec.set_batch_size(2);
  spec.mutable_input()->set_channels(3);
  spec.mutable_input()->set_height(32);
  spec.mutable_input()->set_width(32);
  spec.set_threads(1);
  auto* budget = spec.mutable_budget();
  budget->set_warmup_iterations(1);
  budget->set_min_iterations(5);
  budget->set_max_iterations(5);
  budget->set_min_seconds(0.001);
  return spec;
}

// A fake host root: proc/meminfo with `mem_available_kib` and proc/cpuinfo
// with `flags`.
std::string FakeHost(const std::string& name, int64_t mem_available_kib,
                     const std::string& flags) {
  const char* tmp = std::getenv("TEST_TMPDIR");
  const std::string root = std::string(tmp ? tmp : "/tmp") + "/" + name;
  EXPECT_EQ(system(("mkdir -p " + root + "/proc").c_str()), 0);
  std::ofstream(root + "/proc/meminfo")
      << "MemTotal:       " << mem_available_kib * 2 << " kB\n"
      << "MemAvailable:   " << mem_available_kib << " kB\n";
  std::ofstream(root + "/proc/cpuinfo")
      << "processor\t: 0\nflags\t\t: fpu sse2 avx2 " << flags << "\n";
  return root;
}

bool Contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

TEST(RunnerTest, InferenceStreamsOneSamplePerIteration) {
  std::vector<v1::Sample> samples;
  const v1::JobResult r = RunJob(
      TinySpec(), 7, 1, [&](const v1::Sample& s) { samples.push_back(s); },
      nullptr);
  ASSERT_EQ(r.status(), v1::JOB_STATUS_OK) << r.error();
  EXPECT_EQ(r.job_id(), 7);
  EXPECT_EQ(r.step().n(), 5);
  EXPECT_EQ(r.iterations_per_sample(), 1);
  ASSERT_EQ(samples.size(), 5u);
  for (size_t i = 0; i < samples.size(); ++i) {
    EXPECT_EQ(samples[i].sequence(), static_cast<int64_t>(i));
    EXPECT_EQ(samples[i].attempt(), 1);
    EXPECT_EQ(samples[i].phase(), v1::PHASE_STEP);
    EXPECT_GT(samples[i].duration_ns(), 0);
    EXPECT_LE(samples[i].iterations(), 1);
  }
  const v1::DurationStats& s = r.step();
  EXPECT_GT(s.median_ms(), 0);
  EXPECT_LE(s.min_ms(), s.median_ms());
  EXPECT_LE(s.median_ms(), s.p90_ms());
  EXPECT_LE(s.p90_ms(), s.p99_ms());
  EXPECT_GE(s.iqr_ms(), 0);
  EXPECT_GE(s.stddev_ms(), 0);
  EXPECT_NEAR(s.cv(), s.stddev_ms() / s.mean_ms(), 1e-12);
  EXPECT_NEAR(r.items_per_second(), 2 * 1e3 / s.median_ms(), 1e-6);
  EXPECT_EQ(r.unstable(), s.iqr_ms() / s.median_ms() > 0.10);
  EXPECT_EQ(r.intra_op_threads(), 1);
  EXPECT_EQ(r.memory_format(), v1::MEMORY_FORMAT_CONTIGUOUS);
  EXPECT_EQ(r.stop_reason(), v1::STOP_REASON_MAX_ITERATIONS);
  EXPECT_GT(r.warmup_ns(), 0);
  // Building ResNet-18 alone (11.7M FP32 parameters) grows the RSS.
  EXPECT_GT(r.peak_memory_bytes(), 0);
  // Inference has no training phases.
  EXPECT_EQ(r.forward().n(), 0);
  EXPECT_EQ(r.backward().n(), 0);
}

long MinorFaults() {
  rusage usage;
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_minflt;
}

TEST(RunnerTest, PinnedMallocPolicyReusesFreedMemoryWithoutFaults) {
  PinMallocPolicy();
  constexpr size_t kBytes = 20 << 20;  // a mid-size activation
  // glibc's default would map this (above its initial 128 KiB threshold)
  // and unmap it on free, or trim it off the heap top: ~5000 faults again on
  // the next allocation. Pinned, the second allocation reuses the pages.
  for (int i = 0; i < 2; ++i) {
    const long before = MinorFaults();
    char* p = static_cast<char*>(malloc(kBytes));
    ASSERT_NE(p, nullptr);
    memset(p, i + 1, kBytes);
    const long faults = MinorFaults() - before;
    EXPECT_EQ(p[kBytes - 1], i + 1);
    free(p);
    if (i == 1) {
      EXPECT_LT(faults, 64) << "second allocation faulted again";
    }
  }
}

TEST(RunnerTest, PrebuiltInstanceIsTimedInsteadOfABuiltOne) {
  // A one-convolution stand-in handed over as "resnet18": the cost figures
  // and the module's mode show that the runner timed this very instance.
  torch::nn::Conv2d tiny(torch::nn::Conv2dOptions(3, 4, 3).bias(false));
  tiny->train();
  RunnerOptions options;
  options.prebuilt = models::ZooModel{"resnet18", torch::nn::AnyModule(tiny), ""};
  const v1::JobResult r = RunJob(
      TinySpec(), 31, 1, [](const v1::Sample&) {}, nullptr, options);
  ASSERT_EQ(r.status(), v1::JOB_STATUS_OK) << r.error();
  // 2 items x 4 x 30 x 30 outputs x 27 MACs x 2 FLOPs.
  EXPECT_DOUBLE_EQ(r.cost().forward_flops(), 2.0 * 4 * 30 * 30 * 27 * 2);
  EXPECT_FALSE(tiny->is_training());  // the runner put it in eval()
}

TEST(RunnerTest, SteadyStateHasNoPageFaults) {
  // ResNet-18 at 224x224 frees multi-MiB activations every forward; under
  // glibc's default policy, in some process states, they go back to the
  // kernel and are faulted in again each iteration. The runner pins the
  // policy (PinMallocPolicy).
  auto spec = TinySpec();
  spec.set_batch_size(1);
  spec.mutable_input()->set_height(224);
  spec.mutable_input()->set_width(224);
  spec.mutable_budget()->set_min_iterations(6);
  spec.mutable_budget()->set_max_iterations(6);
  std::vector<long> faults;
  faults.reserve(16);
  const v1::JobResult r = RunJob(
      spec, 29, 1, [&](const v1::Sample&) { faults.push_back(MinorFaults()); },
      nullptr);
  ASSERT_EQ(r.status(), v1::JOB_STATUS_OK) << r.error();
  ASSERT_EQ(faults.size(), 6u);
  // Iterations 2..6: a handful of faults at most (stack, lazily mapped
  // code), not the thousands of pages of a re-faulted activation.
  EXPECT_LE(faults.back() - faults[1], 4 * 16);
}

TEST(RunnerTest, TrainingTimesEachPhaseAndSummarisesIt) {
  auto spec = TinySpec();
  spec.set_mode(v1::MODE_TRAINING);
  std::vector<v1::Sample> samples;
  const v1::JobResult r = RunJob(
      spec, 8, 1, [&](const v1::Sample& s) { samples.push_back(s); }, nullptr);
  ASSERT_EQ(r.status(), v1::JOB_STATUS_OK) << r.error();
  ASSERT_EQ(samples.size(), 20u);  // forward, backward, optimizer, step x 5
  EXPECT_EQ(samples[0].phase(), v1::PHASE_FORWARD);
  EXPECT_EQ(samples[1].phase(), v1::PHASE_BACKWARD);
  EXPECT_EQ(samples[2].phase(), v1::PHASE_OPTIMIZER);
  EXPECT_EQ(samples[3].phase(), v1::PHASE_STEP);
  EXPECT_GE(samples[3].duration_ns(), samples[0].duration_ns() +
                                          samples[1].duration_ns() +
                                          samples[2].duration_ns());
  for (const v1::DurationStats* phase :
       {&r.step(), &r.forward(), &r.backward(), &r.optimizer()}) {
    EXPECT_EQ(phase->n(), 5);
    EXPECT_GT(phase->median_ms(), 0);
    EXPECT_LE(phase->min_ms(), phase->median_ms());
    EXPECT_LE(phase->median_ms(), phase->p90_ms());
  }
  EXPECT_DOUBLE_EQ(r.forward_backward_latency_ratio(),
                   r.forward().median_ms() / r.backward().median_ms());
  ASSERT_GT(r.cost().backward_flops(), 0);
  EXPECT_DOUBLE_EQ(r.forward_backward_flop_ratio(),
                   r.cost().forward_flops() / r.cost().backward_flops());
  // Backward of conv/linear is about 2x forward (cost_model.h).
  EXPECT_GT(r.forward_backward_flop_ratio(), 0.4);
  EXPECT_LT(r.forward_backward_flop_ratio(), 0.7);
  EXPECT_NEAR(r.achieved_flops_per_second(),
              (r.cost().forward_flops() + r.cost().backward_flops()) /
                  (r.step().median_ms() * 1e-3),
              r.achieved_flops_per_second() * 1e-12);
}

TEST(RunnerTest, CostFiguresAreTheJobsAndFlopRateFollowsTheMedian) {
  const v1::JobResult r = RunJob(TinySpec(), 12, 1, nullptr, nullptr);
  ASSERT_EQ(r.status(), v1::JOB_STATUS_OK) << r.error();
  ASSERT_GT(r.cost().forward_flops(), 0);
  EXPECT_EQ(r.cost().backward_flops(), 0);  // inference
  EXPECT_GT(r.cost().params(), 11000000);   // ResNet-18: 11.7M
  EXPECT_NEAR(r.achieved_flops_per_second(),
              r.cost().forward_flops() / (r.step().median_ms() * 1e-3),
              r.achieved_flops_per_second() * 1e-12);
  EXPECT_EQ(r.forward_backward_flop_ratio(), 0);

  // The figures are for the job's batch: twice the batch, twice the FLOPs.
  auto spec = TinySpec();
  spec.set_batch_size(4);
  const v1::JobResult four = RunJob(spec, 13, 1, nullptr, nullptr);
  ASSERT_EQ(four.status(), v1::JOB_STATUS_OK) << four.error();
  EXPECT_NEAR(four.cost().forward_flops(), 2 * r.cost().forward_flops(),
              r.cost().forward_flops() * 1e-9);
  EXPECT_EQ(four.cost().params(), r.cost().params());
}

TEST(RunnerTest, AdaptiveStopRespectsMinimumAndMaximum) {
  // An unreachable stability target: runs to max_iterations.
  auto spec = TinySpec();
  spec.mutable_budget()->set_min_iterations(3);
  spec.mutable_budget()->set_max_iterations(7);
  spec.mutable_budget()->set_stable_ci(1e-12);
  v1::JobResult r = RunJob(spec, 14, 1, nullptr, nullptr);
  ASSERT_EQ(r.status(), v1::JOB_STATUS_OK) << r.error();
  EXPECT_EQ(r.step().n(), 7);
  EXPECT_EQ(r.stop_reason(), v1::STOP_REASON_MAX_ITERATIONS);
  bool warned = false;
  for (const auto& w : r.warnings())
    warned |= Contains(w, "before the median was stable");
  EXPECT_TRUE(warned);

  // A target met by anything: stops at min_iterations.
  spec.mutable_budget()->set_stable_ci(1.0);
  r = RunJob(spec, 15, 1, nullptr, nullptr);
  ASSERT_EQ(r.status(), v1::JOB_STATUS_OK) << r.error();
  EXPECT_EQ(r.step().n(), 3);
  EXPECT_EQ(r.stop_reason(), v1::STOP_REASON_STABLE);

  // max_seconds ends the run before a large min_iterations.
  spec.mutable_budget()->set_min_iterations(100000);
  spec.mutable_budget()->set_max_iterations(100000);
  spec.mutable_budget()->set_max_seconds(0.05);
  r = RunJob(spec, 16, 1, nullptr, nullptr);
  ASSERT_EQ(r.status(), v1::JOB_STATUS_OK) << r.error();
  EXPECT_GE(r.step().n(), 1);
  EXPECT_LT(r.step().n(), 100000);
  EXPECT_EQ(r.stop_reason(), v1::STOP_REASON_MAX_SECONDS);
}

TEST(RunnerTest, CancelledJobStopsWithAClearStatus) {
  std::atomic<bool> cancelled{true};
  const v1::JobResult r = RunJob(TinySpec(), 11, 1, nullptr, &cancelled);
  EXPECT_EQ(r.status(), v1::JOB_STATUS_FAILED);
  EXPECT_TRUE(Contains(r.error(), "cancelled")) << r.error();
}

TEST(RunnerTest, BadSpecsFailWithModelBatchAndCause) {
  struct Case {
    std::string name;
    std::function<void(v1::BenchmarkSpec&)> edit;
    std::string prefix, cause;
  };
  const std::vector<Case> cases = {
      {"batch 0", [](auto& s) { s.set_batch_size(0); },
       "model resnet18 batch 0", "batch_size = 0"},
      {"negative shape", [](auto& s) { s.mutable_input()->set_height(-3); },
       "model resnet18 batch 2 input 3x-3x32", "input.height = -3"},
      {"absurd shape", [](auto& s) { s.mutable_input()->set_width(100000); },
       "model resnet18 batch 2", "input.width = 100000"},
      {"unknown model", [](auto& s) { s.set_model("resnet5"); },
       "model resnet5 batch 2", "unknown model"},
      {"unknown precision",
       [](auto& s) { s.set_precision(static_cast<v1::Precision>(42)); },
       "model resnet18 batch 2", "precision = 42"},
      {"FP16 on CPU", [](auto& s) { s.set_precision(v1::PRECISION_FP16); },
       "model resnet18 batch 2", "precision FP16 not supported"},
  };
  for (const Case& c : cases) {
    auto spec = TinySpec();
    c.edit(spec);
    int samples = 0;
    const v1::JobResult r = RunJob(
        spec, 9, 1, [&](const v1::Sample&) { ++samples; }, nullptr);
    EXPECT_EQ(r.status(), v1::JOB_STATUS_FAILED) << c.name;
    EXPECT_TRUE(Contains(r.error(), c.prefix)) << c.name << ": " << r.error();
    EXPECT_TRUE(Contains(r.error(), c.cause)) << c.name << ": " << r.error();
    EXPECT_EQ(samples, 0) << c.name;
  }
}

TEST(RunnerTest, Bf16NeedsNativeSupport) {
  auto spec = TinySpec();
  spec.set_precision(v1::PRECISION_BF16);
  RunnerOptions without;
  without.host_root = FakeHost("no_bf16", 64 << 20, "avx512f avx512_vnni");
  v1::JobResult r = RunJob(spec, 17, 1, nullptr, nullptr, without);
  EXPECT_EQ(r.status(), v1::JOB_STATUS_FAILED);
  EXPECT_TRUE(Contains(r.error(), "model resnet18 batch 2")) << r.error();
  EXPECT_TRUE(Contains(r.error(), "precision BF16 not supported")) << r.error();

  // With the flag the job runs in bfloat16, inference and training.
  RunnerOptions with;
  with.host_root = FakeHost("bf16", 64 << 20, "avx512f avx512_bf16");
  r = RunJob(spec, 18, 1, nullptr, nullptr, with);
  ASSERT_EQ(r.status(), v1::JOB_STATUS_OK) << r.error();
  EXPECT_EQ(r.spec().precision(), v1::PRECISION_BF16);
  EXPECT_GT(r.step().median_ms(), 0);
  // The cost model's bytes stay FP32 figures; the warning names the
  // precision as every other output does.
  bool warned = false;
  for (const auto& w : r.warnings())
    warned |= w == "cost model bytes are FP32 figures; the job ran in bf16";
  EXPECT_TRUE(warned);
  spec.set_mode(v1::MODE_TRAINING);
  r = RunJob(spec, 19, 1, nullptr, nullptr, with);
  ASSERT_EQ(r.status(), v1::JOB_STATUS_OK) << r.error();
  EXPECT_EQ(r.backward().n(), 5);
}

TEST(RunnerTest, ChannelsLastIsAppliedAndRecorded) {
  for (v1::Mode mode : {v1::MODE_INFERENCE, v1::MODE_TRAINING}) {
    auto spec = TinySpec();
    spec.set_mode(mode);
    spec.set_memory_format(v1::MEMORY_FORMAT_CHANNELS_LAST);
    const v1::JobResult r = RunJob(spec, 20, 1, nullptr, nullptr);
    ASSERT_EQ(r.status(), v1::JOB_STATUS_OK) << r.error();
    EXPECT_EQ(r.memory_format(), v1::MEMORY_FORMAT_CHANNELS_LAST);
    EXPECT_EQ(r.spec().memory_format(), v1::MEMORY_FORMAT_CHANNELS_LAST);
    EXPECT_GT(r.step().median_ms(), 0);
  }
}

TEST(RunnerTest, ThreadCountsAreRecorded) {
  auto spec = TinySpec();
  spec.set_threads(2);
  spec.set_inter_op_threads(1);
  const v1::JobResult r = RunJob(spec, 21, 1, nullptr, nullptr);
  ASSERT_EQ(r.status(), v1::JOB_STATUS_OK) << r.error();
  EXPECT_EQ(r.intra_op_threads(), 2);
  EXPECT_EQ(r.inter_op_threads(), 1);
}

TEST(RunnerTest, JobThatWouldNotFitIsRefusedUpFront) {
  RunnerOptions small;
  small.host_root = FakeHost("small_memory", 1024, "");  // 1 MiB available
  int samples = 0;
  const v1::JobResult r = RunJob(
      TinySpec(), 22, 1, [&](const v1::Sample&) { ++samples; }, nullptr, small);
  EXPECT_EQ(r.status(), v1::JOB_STATUS_FAILED);
  EXPECT_TRUE(Contains(r.error(), "model resnet18 batch 2 input 3x32x32: "))
      << r.error();
  EXPECT_TRUE(Contains(r.error(), "out of memory, refused before running"))
      << r.error();
  EXPECT_TRUE(Contains(r.error(), "MemAvailable is 1.0 MiB")) << r.error();
  EXPECT_EQ(samples, 0);

  // The same job fits in 64 GiB: the estimate is not absurd.
  RunnerOptions big;
  big.host_root = FakeHost("big_memory", int64_t{64} << 20, "");
  EXPECT_EQ(RunJob(TinySpec(), 23, 1, nullptr, nullptr, big).status(),
            v1::JOB_STATUS_OK);
}

TEST(RunnerTest, ShapeTheModelRejectsFailsCleanly) {
  auto spec = TinySpec();
  spec.mutable_input()->set_channels(1);  // the stem expects 3 channels
  const v1::JobResult r = RunJob(spec, 10, 1, nullptr, nullptr);
  EXPECT_EQ(r.status(), v1::JOB_STATUS_FAILED);
  EXPECT_TRUE(Contains(r.error(), "model resnet18 batch 2 input 1x32x32: "))
      << r.error();
  // The runner survives and takes the next job.
  EXPECT_EQ(RunJob(TinySpec(), 24, 1, nullptr, nullptr).status(),
            v1::JOB_STATUS_OK);
}

TEST(RunnerTest, ScenariosAfterLoadGen) {
  auto spec = TinySpec();
  spec.set_scenario(v1::SCENARIO_OFFLINE);
  v1::JobResult r = RunJob(spec, 25, 1, nullptr, nullptr);
  ASSERT_EQ(r.status(), v1::JOB_STATUS_OK) << r.error();
  // Whole-run throughput counts the gaps between iterations too.
  EXPECT_GT(r.offline_items_per_second(), 0);
  EXPECT_LE(r.offline_items_per_second(), 2 * 1e3 / r.step().min_ms());

  spec.set_scenario(v1::SCENARIO_SINGLE_STREAM);
  r = RunJob(spec, 26, 1, nullptr, nullptr);
  ASSERT_EQ(r.status(), v1::JOB_STATUS_OK) << r.error();
  EXPECT_EQ(r.offline_items_per_second(), 0);
  EXPECT_GE(r.step().p90_ms(), r.step().median_ms());
}

TEST(RunnerTest, CudaRunsWhereLibTorchHasIt) {
  if (!CudaAvailable()) {
    const std::string reason = CudaUnavailableReason();
    std::cout << "CUDA path not exercised: " << reason << "\n";
    // The request still fails cleanly, naming the device.
    auto spec = TinySpec();
    spec.set_device(v1::DEVICE_KIND_CUDA);
    const v1::JobResult r = RunJob(spec, 27, 1, nullptr, nullptr);
    EXPECT_EQ(r.status(), v1::JOB_STATUS_FAILED);
    EXPECT_TRUE(Contains(r.error(), "model resnet18 batch 2")) << r.error();
    EXPECT_TRUE(Contains(r.error(), "device CUDA")) << r.error();
    GTEST_SKIP() << "CUDA unavailable: " << reason;
  }
  for (v1::Mode mode : {v1::MODE_INFERENCE, v1::MODE_TRAINING}) {
    auto spec = TinySpec();
    spec.set_device(v1::DEVICE_KIND_CUDA);
    spec.set_mode(mode);
    const v1::JobResult r = RunJob(spec, 28, 1, nullptr, nullptr);
    ASSERT_EQ(r.status(), v1::JOB_STATUS_OK) << r.error();
    EXPECT_EQ(r.step().n(), 5);
    EXPECT_GT(r.step().median_ms(), 0);
    EXPECT_GT(r.cost().forward_flops(), 0);
    if (CudaMemoryStatsAvailable()) {
      EXPECT_GT(r.peak_memory_bytes(), 0);
    }
  }
}

}  // namespace
}  // namespace benchfleet::runner
