// The JobExecutor that runs leased jobs with the in-process runner.
#ifndef BENCHFLEET_AGENT_MODEL_EXECUTOR_H_
#define BENCHFLEET_AGENT_MODEL_EXECUTOR_H_

#include <string>

#include "agent/job_executor.h"

namespace benchfleet::agent {

class ModelExecutor : public JobExecutor {
 public:
  // `device_name` and `host_id` label every result; jobs that leave the
  // thread count to the agent (threads 0) run with `default_threads`.
  ModelExecutor(std::string device_name, std::string host_id,
                int default_threads)
      : device_name_(std::move(device_name)),
        host_id_(std::move(host_id)),
        default_threads_(default_threads) {}

  v1::JobResult Execute(const v1::Lease& lease, const SampleCallback& on_sample,
                        const std::atomic<bool>& cancelled) override;

 private:
  const std::string device_name_;
  const std::string host_id_;
  const int default_threads_;
};

}  // namespace benchfleet::agent

#endif  // BENCHFLEET_AGENT_MODEL_EXECUTOR_H_
