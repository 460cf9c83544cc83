#include "agent/simulated_executor.h"

#include <random>
#include <vector>

#include "absl/time/clock.h"
#include "analysis/summary_stats.h"

namespace benchfleet::agent {

v1::JobResult SimulatedExecutor::Execute(const v1::Lease& lease,
                                         const SampleCallback& on_sample,
                                         const std::atomic<bool>& cancelled) {
  v1::JobResult result;
  result.set_job_id(lease.job_id());
  result.set_attempt(lease.attempt());
  *result.mutable_spec() = lease.spec();
  result.set_device_name("simulated");
  result.add_warnings("simulated: no model ran; durations are synthetic");
  result.set_started_unix_ms(absl::ToUnixMillis(absl::Now()));
  std::mt19937_64 rng(options_.seed ^ static_cast<uint64_t>(lease.job_id()));
  std::normal_distribution<double> jitter(1.0, 0.02);
  const double base_ns = absl::ToDoubleNanoseconds(options_.sample_duration);
  std::vector<int64_t> durations;
  for (int i = 0; i < options_.samples_per_job; ++i) {
    if (cancelled.load(std::memory_order_relaxed)) {
      result.set_status(v1::JOB_STATUS_FAILED);
      result.set_error("cancelled by the coordinator");
      return result;
    }
    const int64_t ns = std::max<int64_t>(1, static_cast<int64_t>(base_ns * jitter(rng)));
    if (options_.pace) absl::SleepFor(absl::Nanoseconds(ns));
    v1::Sample sample;
    sample.set_job_id(lease.job_id());
    sample.set_attempt(lease.attempt());
    sample.set_sequence(i);
    sample.set_phase(v1::PHASE_STEP);
    sample.set_duration_ns(ns);
    if (on_sample) on_sample(sample);
    durations.push_back(ns);
  }
  result.set_status(v1::JOB_STATUS_OK);
  *result.mutable_step() = analysis::Summarize(durations);
  result.set_unstable(analysis::IsUnstable(result.step()));
  if (result.step().median_ms() > 0)
    result.set_items_per_second(lease.spec().batch_size() * 1e3 /
                                result.step().median_ms());
  result.set_finished_unix_ms(absl::ToUnixMillis(absl::Now()));
  return result;
}

}  // namespace benchfleet::agent
