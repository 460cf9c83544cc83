// The agent's connection to the coordinator: dials out, says hello with the
// hardware report, runs leased jobs one at a time, streams their samples and
// result, and reconnects with exponential backoff and jitter when the
// connection drops. Samples and the result of a job are kept until the
// coordinator acknowledges the result, and replayed after a reconnect (the
// coordinator stores replays once).
#ifndef BENCHFLEET_AGENT_AGENT_CLIENT_H_
#define BENCHFLEET_AGENT_AGENT_CLIENT_H_

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <grpcpp/grpcpp.h>

#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "agent/job_executor.h"
#include "proto/agent_service.grpc.pb.h"

namespace benchfleet::agent {

struct AgentClientOptions {
  std::string coordinator;  // host:port of the coordinator
  std::string agent_id;     // stable id of this agent
  std::map<std::string, std::string> labels;  // matched by sweep selectors
  std::vector<v1::DeviceKind> devices = {v1::DEVICE_KIND_CPU};  // it can run
  std::vector<v1::Precision> precisions = {v1::PRECISION_FP32};  // it can run
  absl::Duration initial_backoff = absl::Milliseconds(250);  // first retry delay
  absl::Duration max_backoff = absl::Seconds(15);  // retry delay cap
  int samples_per_batch = 256;  // samples sent per message at most
  absl::Duration flush_interval = absl::Milliseconds(200);  // sample batching
  // If set, called on the reader thread with the time from sending each
  // sample batch to its acknowledgement (load tests measure ingest with it).
  std::function<void(absl::Duration)> on_sample_ack;
};

class AgentClient {
 public:
  // `executor` is not owned and must outlive the client.
  AgentClient(AgentClientOptions options, v1::HardwareReport hardware,
              JobExecutor* executor);

  // Serves until Stop(); returns the reason the last session ended.
  absl::Status Run();
  // Ends Run() soon; a running job is abandoned after its current iteration
  // (the coordinator leases it again). Thread-safe.
  void Stop();

 private:
  struct PendingJob {
    v1::Lease lease;
    std::vector<v1::Sample> samples;      // every sample of the attempt
    std::optional<v1::JobResult> result;  // set when the job has finished
  };
  class Session;

  absl::Status RunSession();

  const AgentClientOptions options_;
  const v1::HardwareReport hardware_;
  JobExecutor* const executor_;
  std::unique_ptr<v1::AgentService::Stub> stub_;

  absl::Mutex mu_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  // Set to abandon the running job: by Stop() or a Cancel from the coordinator.
  std::atomic<bool> cancel_running_{false};
  std::atomic<int64_t> running_job_{0};
  grpc::ClientContext* context_ ABSL_GUARDED_BY(mu_) = nullptr;
  // A finished job whose result the coordinator has not acknowledged yet.
  std::optional<PendingJob> unacknowledged_ ABSL_GUARDED_BY(mu_);
};

}  // namespace benchfleet::agent

#endif  // BENCHFLEET_AGENT_AGENT_CLIENT_H_
