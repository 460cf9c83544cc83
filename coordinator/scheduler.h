// The job queue and the leases of connected agents. Jobs are leased one at a
// time per agent, oldest first; a lost agent's job is leased again as a new
// attempt, and fails after `max_attempts` lost attempts.
#ifndef BENCHFLEET_COORDINATOR_SCHEDULER_H_
#define BENCHFLEET_COORDINATOR_SCHEDULER_H_

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "absl/synchronization/mutex.h"
#include "base/clock.h"
#include "coordinator/store.h"
#include "proto/agent_service.pb.h"

namespace benchfleet::coordinator {

struct SchedulerOptions {
  int max_attempts = 3;  // lost attempts before a job fails
};

// Thread-safe.
class Scheduler {
 public:
  // One connected agent. Owned by the scheduler; handed out as shared_ptr so
  // a superseded session stays valid until its connection is done with it.
  struct Session {
    std::string agent_id;
    bool closed = false;
    int64_t job_id = 0;  // leased job, 0 when idle
    int32_t attempt = 0;
  };

  Scheduler(Store* store, Clock* clock, SchedulerOptions options);

  // Loads unfinished jobs from the store; jobs leased before a restart are
  // pending again (their agents reconnect and take new leases).
  absl::Status Recover();
  // Queues the pending jobs of a newly stored sweep.
  void AddJobs(const v1::SweepStatus& sweep);

  // Starts a session for `agent_id`. An older session of the same agent is
  // closed first (its job returns to the queue).
  std::shared_ptr<Session> Open(const std::string& agent_id);
  // Blocks until `session` is idle and a job is pending, then leases it and
  // returns the lease; nullopt once the session is closed.
  std::optional<v1::Lease> NextLease(Session* session);
  // The session's job `job_id` has its result stored: the agent is idle.
  void JobEnded(Session* session, int64_t job_id);
  // Ends `session`; its leased job goes back to the queue, or fails when it
  // has used `max_attempts`. `reason` is kept as the failure's cause.
  void Close(Session* session, const std::string& reason);
  // Closes every session and wakes every waiter.
  void Shutdown();

  bool IsConnected(const std::string& agent_id) const;
  // The job `agent_id` is running, 0 when idle or disconnected.
  int64_t RunningJob(const std::string& agent_id) const;

 private:
  struct QueuedJob {
    int64_t job_id;
    int32_t attempt;  // attempts used so far
    v1::BenchmarkSpec spec;
  };
  void CloseLocked(Session* session, const std::string& reason)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  Store* const store_;
  Clock* const clock_;
  const SchedulerOptions options_;

  mutable absl::Mutex mu_;
  std::deque<QueuedJob> queue_ ABSL_GUARDED_BY(mu_);
  // Specs of leased jobs, to requeue them when their agent is lost.
  std::map<int64_t, QueuedJob> leased_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, std::shared_ptr<Session>> sessions_ ABSL_GUARDED_BY(mu_);
  bool shutdown_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace benchfleet::coordinator

#endif  // BENCHFLEET_COORDINATOR_SCHEDULER_H_
