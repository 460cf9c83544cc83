// What runs a leased job. The real executor runs the model in-process; a
// test or a simulated agent can substitute its own.
#ifndef BENCHFLEET_AGENT_JOB_EXECUTOR_H_
#define BENCHFLEET_AGENT_JOB_EXECUTOR_H_

#include <atomic>
#include <functional>

#include "proto/agent_service.pb.h"
#include "proto/benchmark.pb.h"

namespace benchfleet::agent {

using SampleCallback = std::function<void(const v1::Sample&)>;

class JobExecutor {
 public:
  virtual ~JobExecutor() = default;
  // Runs `lease` to completion, reporting each sample through `on_sample` as
  // it is timed. Stops early, with a FAILED result, once `cancelled` turns
  // true. Never throws; failures are results with status FAILED.
  virtual v1::JobResult Execute(const v1::Lease& lease,
                                const SampleCallback& on_sample,
                                const std::atomic<bool>& cancelled) = 0;
};

}  // namespace benchfleet::agent

#endif  // BENCHFLEET_AGENT_JOB_EXECUTOR_H_
