// Runs one benchmark job in this process and summarises it. Both
// `agent run` and the jobs the coordinator leases come through RunJob.
//
// Method, in order:
//   1. Defaults and validation (spec/spec_check.h); then what this agent
//      can do: CPU always, CUDA when LibTorch has it; FP32 always, BF16 on a
//      CPU with avx512_bf16/amx_bf16 (or on CUDA), FP16 on CUDA only.
//   2. Threads: intra-op (`threads`, 0 = every core) and inter-op
//      (`inter_op_threads`, 0 = LibTorch's default) are set and the counts
//      in force are recorded. LibTorch fixes the inter-op count once per
//      process: a later, different request is recorded with a warning.
//   3. Build the model (random weights; see models/zoo.h).
//   4. Cost and memory, outside any timed region: the analytic cost model
//      (models/cost_model.h) runs once at batch 1 and the job's shape (the
//      model's default shape when the job's is larger), and the job's memory
//      need is estimated from it (job_resources.h). A CPU job that needs
//      more than MemAvailable is refused with a clear status before anything
//      large is allocated, instead of letting the kernel's OOM killer take
//      the agent. Then result.cost holds the cost model's figures for the
//      job's exact shape, batch and mode (CUDA: scaled linearly from batch 1,
//      with a warning). A cost-model failure is a warning, not a failure.
//   5. Precision, device and memory format (contiguous or channels_last)
//      are applied to model and input, as Python's module.to() does.
//   6. Inference: eval() and c10::InferenceMode; the forward is timed.
//      Training: train() and SGD (lr 0.01, momentum 0.9) on a cross-entropy
//      loss against fixed random labels; forward (+ loss), backward and
//      optimizer (step + zero_grad) are timed apiece, and the whole step.
//   7. `warmup_iterations` untimed iterations, then adaptive repetition by
//      the rule in adaptive_stop.h: one sample per iteration (blocks only
//      for iterations under 100 us, inference only), each sample streamed
//      to `on_sample` as soon as it is timed. On CUDA every phase is
//      bracketed by a device synchronisation (cuda_util.h).
//   8. Statistics (analysis/summary_stats.h) for the step and, in training,
//      for each phase; throughput = batch / median step; achieved FLOP/s =
//      (forward FLOPs, + backward FLOPs in training) / median step;
//      forward:backward latency and FLOP ratios; IQR/median > 10% sets
//      `unstable`. Peak memory: growth of the process's RSS high-water mark
//      (CPU) or the CUDA allocator's peak. Other processes' CPU load while
//      timing is recorded and warned about above 10%; a lasting step of 10%
//      or more in the step times is warned about as a level shift
//      (level_shift.h).
//   9. Memory: glibc malloc's policy is pinned (PinMallocPolicy) so that the
//      steady state has no page faults; freed memory goes back to the
//      kernel between jobs (malloc_trim).
//
// Scenarios (after MLPerf LoadGen): SINGLE_STREAM watches the p90 for the
// adaptive stop (the p90 is its figure); OFFLINE adds the throughput over the
// whole timed run, gaps between iterations included.
#ifndef BENCHFLEET_AGENT_RUNNER_RUNNER_H_
#define BENCHFLEET_AGENT_RUNNER_RUNNER_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "agent/models/zoo.h"
#include "proto/benchmark.pb.h"

namespace benchfleet::runner {

// Receives every sample as soon as it is timed, on the running thread,
// outside the timed region.
using SampleCallback = std::function<void(const v1::Sample&)>;

// Where the runner looks at the host; tests substitute fakes.
struct RunnerOptions {
  // Root under which proc/meminfo (MemAvailable) and proc/cpuinfo (bf16
  // flags) are read. Default "/", the live machine. The process's own
  // /proc/self/status (RSS) is always the live one.
  std::string host_root = "/";
  // Benchmarks only: time this already-built instance of spec.model() (its
  // module is shared, not copied) instead of building a fresh one, so that
  // bench/runner/overhead compares the runner and a bare loop over the very
  // same module. Unset for every real job.
  std::optional<models::ZooModel> prebuilt;
};

// Fixes glibc malloc's mmap threshold (32 MiB) and turns off heap trimming
// for the whole process, so that the memory one iteration frees stays for
// the next and a forward never pays page faults for its activations in the
// steady state, whatever the process did before (without it the same
// MobileNetV3 forward took 35% longer in some processes: see runner.cc).
// RunJob calls it; benchmarks that time LibTorch beside the runner in the
// same process call it too. Idempotent, thread-safe.
void PinMallocPolicy();

// Runs `spec` (defaults applied here) as attempt `attempt` of `job_id`.
// Never throws: a bad spec, an unknown model, an unsupported precision or
// device, a job that would not fit in memory, an exception from LibTorch or
// an allocation failure ends in a result with status FAILED and an error
// naming model, batch, input shape and cause. Sets LibTorch's intra-op
// thread count process-wide (and the inter-op count, once per process).
// When `cancelled` (may be null) turns true the job stops after the current
// iteration with status FAILED. Not reentrant: run one job at a time.
v1::JobResult RunJob(v1::BenchmarkSpec spec, int64_t job_id, int32_t attempt,
                     const SampleCallback& on_sample,
                     const std::atomic<bool>* cancelled,
                     const RunnerOptions& options = RunnerOptions());

}  // namespace benchfleet::runner

#endif  // BENCHFLEET_AGENT_RUNNER_RUNNER_H_
