// The job queue and the leases of connected agents.
//
// Jobs wait in one queue per sweep. An idle agent is offered the oldest job
// it can run (device kind, precision and the sweep's label selector), taking
// sweeps in turn so concurrent sweeps share the fleet fairly; each agent
// holds one job at a time. A lost agent's job is leased again as a new
// attempt, and fails once `max_attempts` attempts were lost.
#ifndef BENCHFLEET_COORDINATOR_SCHEDULER_H_
#define BENCHFLEET_COORDINATOR_SCHEDULER_H_

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "base/clock.h"
#include "coordinator/store.h"
#include "proto/agent_service.pb.h"

namespace benchfleet::coordinator {

struct SchedulerOptions {
  int max_attempts = 3;  // attempts lost to agents before a job fails
};

// Thread-safe.
class Scheduler {
 public:
  // One connected agent. Handed out as shared_ptr so a superseded session
  // stays valid until its connection is done with it.
  struct Session {
    std::string agent_id;
    std::map<std::string, std::string> labels;
    std::set<int> devices;     // v1::DeviceKind values it can run
    std::set<int> precisions;  // v1::Precision values it can run
    bool simulated = false;    // runs no models: only sweeps selecting simulated=true
    bool closed = false;
    int64_t job_id = 0;  // leased job, 0 when idle
    int32_t attempt = 0;
    bool cancel_sent = false;  // the agent was told to abandon job_id
    bool cancel_wanted = false;
  };

  Scheduler(Store* store, Clock* clock, SchedulerOptions options);

  // Loads unfinished jobs from the store; jobs leased before a restart are
  // pending again (their agents reconnect and take new leases).
  absl::Status Recover();
  // Queues the pending jobs of a newly stored sweep (with its spec).
  void AddJobs(const v1::SweepStatus& sweep);

  // Starts a session for the agent that sent `hello`. An older session of
  // the same agent is closed first (its job returns to the queue).
  std::shared_ptr<Session> Open(const v1::Hello& hello);
  // Blocks until there is something to tell the session's agent: a Lease
  // when it is idle and a job it can run is pending, or a Cancel for its job
  // when the job's sweep was cancelled. nullopt once the session is closed.
  std::optional<v1::CoordinatorMessage> NextMessage(Session* session);
  // The session's job `job_id` has its result stored: the agent is idle.
  // Another agent still running `job_id` (a re-lease that lost the race to
  // a replayed result) is told to abandon it.
  void JobEnded(Session* session, int64_t job_id);
  // Ends `session`; its leased job goes back to the queue, or fails when it
  // has lost `max_attempts` attempts. `reason` is stored with the attempt.
  void Close(Session* session, const std::string& reason);
  // Ends `session` because its agent said goodbye: as Close(), except that
  // its leased job goes back to the front of the queue without counting as
  // a lost attempt (it was handed back, not lost).
  void HandBack(Session* session, const std::string& reason);
  // Drops the sweep's queued jobs and asks the agents running
  // `leased_job_ids` to abandon them; returns how many agents were asked.
  int CancelSweep(int64_t sweep_id, const std::vector<int64_t>& leased_job_ids);
  // Closes every session and wakes every waiter.
  void Shutdown();

  bool IsConnected(const std::string& agent_id) const;
  // The job `agent_id` is running, 0 when idle or disconnected.
  int64_t RunningJob(const std::string& agent_id) const;
  // Why each queued job of `sweep_id` is still waiting, by job id.
  std::map<int64_t, std::string> WaitingReasons(int64_t sweep_id) const;

 private:
  struct QueuedJob {
    int64_t job_id = 0;
    int64_t sweep_id = 0;
    int32_t attempt = 0;  // attempts leased so far
    int lost = 0;         // attempts lost to agents since this process started
    v1::BenchmarkSpec spec;
    std::map<std::string, std::string> selector;
  };
  static bool CanRun(const Session& session, const QueuedJob& job);
  // Removes and returns the next job `session` can run, sweeps in turn.
  std::optional<QueuedJob> TakeJobFor(const Session& session)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  bool HasJobFor(const Session& session) const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void Enqueue(QueuedJob job, bool front) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // `lost`: the attempt counts towards max_attempts.
  void CloseLocked(Session* session, const std::string& reason, bool lost)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  Store* const store_;
  Clock* const clock_;
  const SchedulerOptions options_;

  mutable absl::Mutex mu_;
  std::map<int64_t, std::deque<QueuedJob>> queues_ ABSL_GUARDED_BY(mu_);
  int64_t last_sweep_served_ ABSL_GUARDED_BY(mu_) = 0;
  // Leased jobs, to requeue them when their agent is lost.
  std::map<int64_t, QueuedJob> leased_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, std::shared_ptr<Session>> sessions_ ABSL_GUARDED_BY(mu_);
  bool shutdown_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace benchfleet::coordinator

#endif  // BENCHFLEET_COORDINATOR_SCHEDULER_H_
