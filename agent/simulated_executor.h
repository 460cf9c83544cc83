// A JobExecutor that runs no model: it reports synthetic samples and a
// result marked simulated, so one machine can drive the coordinator with
// many agents (load tests) without the cost of real benchmarks.
#ifndef BENCHFLEET_AGENT_SIMULATED_EXECUTOR_H_
#define BENCHFLEET_AGENT_SIMULATED_EXECUTOR_H_

#include <cstdint>

#include "absl/time/time.h"
#include "agent/job_executor.h"

namespace benchfleet::agent {

struct SimulatedExecutorOptions {
  int samples_per_job = 100;  // synthetic iterations per job
  absl::Duration sample_duration = absl::Milliseconds(1);  // reported median
  bool pace = false;  // sleep for each reported duration (real-time replay)
  uint64_t seed = 1;  // jitter of the reported durations
};

class SimulatedExecutor : public JobExecutor {
 public:
  explicit SimulatedExecutor(SimulatedExecutorOptions options) : options_(options) {}
  v1::JobResult Execute(const v1::Lease& lease, const SampleCallback& on_sample,
                        const std::atomic<bool>& cancelled) override;

 private:
  const SimulatedExecutorOptions options_;
};

}  // namespace benchfleet::agent

#endif  // BENCHFLEET_AGENT_SIMULATED_EXECUTOR_H_
