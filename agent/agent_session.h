// One connected AgentService stream of an AgentClient (agent_client.h): a
// reader thread takes leases and acks, a heartbeat thread keeps the lease
// alive, and the client's session thread runs jobs through it.
//
// Lock order: AgentClient::mu_ before AgentSession::mu_; the session thread
// never takes the client's lock while holding its own.
#ifndef BENCHFLEET_AGENT_AGENT_SESSION_H_
#define BENCHFLEET_AGENT_AGENT_SESSION_H_

#include <grpcpp/grpcpp.h>

#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <utility>

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "proto/agent_service.grpc.pb.h"

namespace benchfleet::agent {

class AgentSession {
 public:
  using Samples = google::protobuf::RepeatedPtrField<v1::Sample>;

  // What a session shares with its client; all of it outlives the session.
  struct Client {
    const std::atomic<bool>& stop_now;        // Stop() was called
    const std::atomic<bool>& drain_now;       // Drain() was called
    const std::atomic<int64_t>& running_job;  // the job being run; 0: none
    std::atomic<bool>& cancel_running;        // set on its job's Cancel
    const std::function<void(absl::Duration)>& on_sample_ack;  // may be empty
    absl::Duration goodbye_linger;
  };

  using Stream =
      grpc::ClientReaderWriter<v1::AgentMessage, v1::CoordinatorMessage>;

  AgentSession(Client client, grpc::ClientContext* context, Stream* stream,
               absl::Duration heartbeat);

  // Writes `message`; false once the agent's side is closed or the stream
  // broke. Thread-safe.
  bool Write(const v1::AgentMessage& message);

  // Makes every wait look at the client's stop and drain flags again.
  void Poke();

  // Takes leases, cancels and acks until the stream ends (reader thread).
  void ReadLoop();

  // Sends a heartbeat every interval until the stream ends. After Stop() it
  // also bounds how long the session may take to close: a session thread
  // stuck in a write on a dead connection is cut loose by cancelling.
  void HeartbeatLoop();

  // Waits for a lease to run; nullopt when the stream ended or the client
  // is stopping or draining. Skips leases of jobs whose result this session
  // saw stored (a replay can win against a lease sent meanwhile).
  std::optional<v1::Lease> NextLease();

  // Waits until the result of (`job_id`, `attempt`) is acknowledged; false
  // if the stream ended or the client is stopping first.
  bool AwaitResultAck(int64_t job_id, int32_t attempt);

  // Whether the result of (`job_id`, `attempt`) was acknowledged.
  bool Acked(int64_t job_id, int32_t attempt);

  // The job the heartbeats report as running; 0 when idle.
  void SetRunning(int64_t job_id);

  // Whether the stream has ended.
  bool ended();

  // Waits up to `timeout` for the stream to end; whether it has.
  bool AwaitEnded(absl::Duration timeout);

  // Sends `samples[from, to)` in batches; false when the stream broke.
  bool SendSamples(const Samples& samples, int from, int to, int per_batch);

  // Sends a Goodbye, closes the agent's side of the stream, and waits up to
  // `linger` for the coordinator to end it (after reading everything sent).
  void SayGoodbye(const std::string& reason, absl::Duration linger);

 private:
  const Client client_;
  grpc::ClientContext* const context_;
  Stream* stream_;
  const absl::Duration heartbeat_;
  std::mutex write_mu_;
  bool closed_ = false;  // guarded by write_mu_: WritesDone() was called
  absl::Mutex mu_;
  std::deque<v1::Lease> leases_ ABSL_GUARDED_BY(mu_);
  std::set<std::pair<int64_t, int32_t>> acked_results_ ABSL_GUARDED_BY(mu_);
  std::set<int64_t> acked_jobs_ ABSL_GUARDED_BY(mu_);
  // Send time of each sample batch, by (job, sequence after its last sample).
  std::map<std::pair<int64_t, int64_t>, absl::Time> batch_sent_
      ABSL_GUARDED_BY(mu_);
  int64_t running_job_ ABSL_GUARDED_BY(mu_) = 0;
  bool ended_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace benchfleet::agent

#endif  // BENCHFLEET_AGENT_AGENT_SESSION_H_
