#include "agent/model_executor.h"

#include "agent/runner/runner.h"

namespace benchfleet::agent {

v1::JobResult ModelExecutor::Execute(const v1::Lease& lease,
                                     const SampleCallback& on_sample,
                                     const std::atomic<bool>& cancelled) {
  v1::BenchmarkSpec spec = lease.spec();
  if (spec.threads() == 0) spec.set_threads(default_threads_);
  v1::JobResult result =
      runner::RunJob(spec, lease.job_id(), lease.attempt(), on_sample, &cancelled);
  result.set_device_name(device_name_);
  result.set_host_id(host_id_);
  return result;
}

}  // namespace benchfleet::agent
