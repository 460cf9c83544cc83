// The agent's connection to the coordinator: dials out, says hello with the
// hardware report, runs leased jobs one at a time, streams their samples and
// result, and reconnects with exponential backoff and jitter when the
// connection drops.
//
// A finished job is written to the spool (agent/spool.h) before its result
// is sent, and stays there until the coordinator acknowledges the result; it
// is replayed after a reconnect and after the agent restarts (the
// coordinator stores replays once). A job whose stream broke keeps running
// to the end: its result may still be the one stored.
//
// Stopping: Drain() takes no new job, lets the running one finish and be
// acknowledged, then says Goodbye; Stop() hands the running job back at
// once (Goodbye tells the coordinator to requeue it without counting a lost
// attempt).
#ifndef BENCHFLEET_AGENT_AGENT_CLIENT_H_
#define BENCHFLEET_AGENT_AGENT_CLIENT_H_

#include <grpcpp/grpcpp.h>

#include <atomic>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "agent/job_executor.h"
#include "agent/spool.h"
#include "proto/agent_service.grpc.pb.h"
#include "proto/spool.pb.h"

namespace benchfleet::agent {

class AgentSession;  // agent_session.h

struct AgentClientOptions {
  std::string coordinator;  // host:port of the coordinator
  // The channel to use (TLS, token, keepalive: base/channel.h); null means
  // plaintext to `coordinator` without a token.
  std::shared_ptr<grpc::Channel> channel;
  std::string agent_id;                       // stable id of this agent
  std::map<std::string, std::string> labels;  // matched by sweep selectors
  std::vector<v1::DeviceKind> devices = {v1::DEVICE_KIND_CPU};   // it can run
  std::vector<v1::Precision> precisions = {v1::PRECISION_FP32};  // it can run
  absl::Duration initial_backoff =
      absl::Milliseconds(250);                     // first retry delay
  absl::Duration max_backoff = absl::Seconds(15);  // retry delay cap
  // How long one connection attempt may wait for the channel to connect.
  absl::Duration connect_timeout = absl::Seconds(5);
  int samples_per_batch = 256;  // samples sent per message at most
  absl::Duration flush_interval = absl::Milliseconds(200);  // sample batching
  // If set, called on the reader thread with the time from sending each
  // sample batch to its acknowledgement (load tests measure ingest with it).
  std::function<void(absl::Duration)> on_sample_ack;
  // Durable home of finished, unacknowledged jobs; not owned, must outlive
  // the client. Null: they are kept in memory only and lost on exit.
  Spool* spool = nullptr;
  // After its Goodbye, how long the agent waits for the coordinator to end
  // the stream before cancelling it.
  absl::Duration goodbye_linger = absl::Seconds(2);
};

class AgentClient {
 public:
  // `executor` is not owned and must outlive the client.
  AgentClient(AgentClientOptions options, v1::HardwareReport hardware,
              JobExecutor* executor);

  // Replays the spool's jobs, then serves until Stop(), or until a Drain()
  // has delivered everything. OK when it ended with a Goodbye; otherwise the
  // reason the last session ended. Call once.
  absl::Status Run();
  // Ends Run() soon: a running job is abandoned after its current iteration
  // and handed back with a Goodbye (the coordinator requeues it at once,
  // without counting a lost attempt). Finished jobs that are not yet
  // acknowledged stay in the spool for the next start. Thread-safe.
  void Stop();
  // Ends Run() gracefully: no new job is taken, the running job finishes and
  // its result is acknowledged, then the agent says Goodbye. Blocks until
  // Run() has ended (true) or `grace` has passed; then it acts as Stop()
  // and returns false. Thread-safe.
  bool Drain(absl::Duration grace);

 private:
  // One session: dial, hello, replay, serve. Sets `welcomed` to when the
  // coordinator accepted it, if it did.
  absl::Status RunSession(std::optional<absl::Time>* welcomed);
  // Waits up to connect_timeout for the channel to connect, after resetting
  // gRPC's own reconnection backoff; false when it did not (or on Stop()).
  bool Dial();
  // Puts the spool's jobs in `unacknowledged_`.
  void LoadSpool();
  // Writes `job` to the spool (when there is one) and keeps it in memory.
  void Hold(const v1::SpooledJob& job);
  // The coordinator acknowledged the result of (`job_id`, `attempt`).
  void Acknowledged(int64_t job_id, int32_t attempt);
  // The coordinator refused (`job_id`, `attempt`) for good: set it aside.
  void Reject(int64_t job_id, int32_t attempt, const absl::Status& why);
  // True when Run() should return.
  bool Finished() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return stopping_ || (draining_ && unacknowledged_.empty());
  }

  const AgentClientOptions options_;
  const v1::HardwareReport hardware_;
  JobExecutor* const executor_;
  const std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::AgentService::Stub> stub_;

  mutable absl::Mutex mu_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;  // Stop() was called
  bool draining_ ABSL_GUARDED_BY(mu_) = false;  // Drain() was called
  bool run_ended_ ABSL_GUARDED_BY(mu_) = false;
  // Copies of stopping_ and draining_ that a session's waits read; whoever
  // sets them pokes the session so its waits look again.
  std::atomic<bool> stop_now_{false};
  std::atomic<bool> drain_now_{false};
  // Set to abandon the running job: by Stop() or a Cancel from the coordinator.
  std::atomic<bool> cancel_running_{false};
  std::atomic<int64_t> running_job_{0};
  grpc::ClientContext* context_ ABSL_GUARDED_BY(mu_) = nullptr;  // connecting
  AgentSession* session_ ABSL_GUARDED_BY(mu_) = nullptr;         // connected
  // Finished jobs whose results the coordinator has not acknowledged yet,
  // oldest first; each is also in the spool when there is one.
  std::deque<v1::SpooledJob> unacknowledged_ ABSL_GUARDED_BY(mu_);
  // The job being replayed or sent in the current session, (job, attempt).
  std::optional<std::pair<int64_t, int32_t>> delivering_ ABSL_GUARDED_BY(mu_);
};

}  // namespace benchfleet::agent

#endif  // BENCHFLEET_AGENT_AGENT_CLIENT_H_
