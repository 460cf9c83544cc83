// The timed loops: warm-up, then one sample per iteration (or per block of
// short inference iterations) until the adaptive stop says enough.
#ifndef BENCHFLEET_AGENT_RUNNER_TIMING_LOOP_H_
#define BENCHFLEET_AGENT_RUNNER_TIMING_LOOP_H_

#include <torch/torch.h>

#include <atomic>
#include <cstdint>
#include <limits>

#include "agent/runner/adaptive_stop.h"
#include "agent/runner/placement.h"
#include "agent/runner/recorder.h"
#include "proto/benchmark.pb.h"

namespace benchfleet::runner {

// Thrown inside the timing loops when the job is cancelled; RunJob catches
// it, so it never leaves the runner.
struct Cancelled {};

// What the timing loops leave behind besides the samples.
struct LoopOutcome {
  int64_t warmup_ns = 0;
  int64_t block = 1;
  int64_t iterations = 0;
  double timed_seconds = 0;  // start of the first to end of the last sample
  v1::StopReason stop_reason = v1::STOP_REASON_UNSPECIFIED;
  double last_ci = std::numeric_limits<double>::infinity();
};

// Inference: eval() + InferenceMode. One forward per sample unless a forward
// is shorter than kMinBlockNs, measured on the fastest warm-up iteration.
LoopOutcome TimeInference(torch::nn::AnyModule& module,
                          const torch::Tensor& input,
                          const v1::BenchmarkSpec& spec,
                          const Placement& placement, AdaptiveStop& stop,
                          Recorder& recorder,
                          const std::atomic<bool>* cancelled);

// Training: forward + cross-entropy loss, backward, SGD step + zero_grad,
// each timed, and the whole step.
LoopOutcome TimeTraining(torch::nn::AnyModule& module,
                         const torch::Tensor& input,
                         const v1::BenchmarkSpec& spec,
                         const Placement& placement, AdaptiveStop& stop,
                         Recorder& recorder,
                         const std::atomic<bool>* cancelled);

}  // namespace benchfleet::runner

#endif  // BENCHFLEET_AGENT_RUNNER_TIMING_LOOP_H_
