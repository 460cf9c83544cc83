// Runs one benchmark job in this process and summarises it.
//
// Method: build the model, warm up for `budget.warmup_iterations`, then time
// iterations one by one with a monotonic clock until at least
// `min_iterations` and `min_seconds` are reached, or `max_iterations` or
// `max_seconds` is hit. Inference runs under eval() and c10::InferenceMode;
// training times forward, backward and an SGD (momentum 0.9) step apiece.
#ifndef BENCHFLEET_AGENT_RUNNER_RUNNER_H_
#define BENCHFLEET_AGENT_RUNNER_RUNNER_H_

#include <atomic>
#include <functional>

#include "proto/benchmark.pb.h"

namespace benchfleet::runner {

// Receives every sample as soon as it is timed, on the running thread.
using SampleCallback = std::function<void(const v1::Sample&)>;

// Runs `spec` (defaults applied here) as attempt `attempt` of `job_id`.
// Never throws: a bad spec, an unknown model, an exception from LibTorch or
// an allocation failure ends in a result with status FAILED and an error
// naming model, batch and cause. Sets LibTorch's thread count process-wide.
// When `cancelled` (may be null) turns true the job stops after the current
// iteration with status FAILED.
v1::JobResult RunJob(v1::BenchmarkSpec spec, int64_t job_id, int32_t attempt,
                     const SampleCallback& on_sample,
                     const std::atomic<bool>* cancelled);

}  // namespace benchfleet::runner

#endif  // BENCHFLEET_AGENT_RUNNER_RUNNER_H_
