// The JobExecutor that runs leased jobs with the in-process runner.
#ifndef BENCHFLEET_AGENT_MODEL_EXECUTOR_H_
#define BENCHFLEET_AGENT_MODEL_EXECUTOR_H_

#include <string>

#include "agent/job_executor.h"
#include "proto/hardware.pb.h"

namespace benchfleet::agent {

class ModelExecutor : public JobExecutor {
 public:
  // Every result names `machine`'s CPU model and host id and carries the
  // provenance of this build and of `machine`'s software stack (ProbeSoftware
  // filled it); jobs that leave the thread count to the agent (threads 0)
  // run with `default_threads`.
  ModelExecutor(const v1::HardwareReport& machine, int default_threads);

  v1::JobResult Execute(const v1::Lease& lease, const SampleCallback& on_sample,
                        const std::atomic<bool>& cancelled) override;

 private:
  const std::string device_name_;
  const std::string host_id_;
  const v1::Provenance provenance_;
  const int default_threads_;
};

}  // namespace benchfleet::agent

#endif  // BENCHFLEET_AGENT_MODEL_EXECUTOR_H_
