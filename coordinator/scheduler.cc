#include "coordinator/scheduler.h"

#include <iostream>

#include "absl/strings/str_cat.h"
#include "base/status_macros.h"

namespace benchfleet::coordinator {

Scheduler::Scheduler(Store* store, Clock* clock, SchedulerOptions options)
    : store_(store), clock_(clock), options_(options) {}

absl::Status Scheduler::Recover() {
  ASSIGN_OR_RETURN(std::vector<JobRecord> jobs, store_->LoadOpenJobs());
  absl::MutexLock lock(&mu_);
  for (JobRecord& job : jobs) {
    if (job.state == v1::JOB_STATE_LEASED)
      RETURN_IF_ERROR(store_->ReturnToPending(job.job_id));
    queue_.push_back({job.job_id, job.attempt, std::move(job.spec)});
  }
  return absl::OkStatus();
}

void Scheduler::AddJobs(const v1::SweepStatus& sweep) {
  absl::MutexLock lock(&mu_);
  for (const v1::JobInfo& job : sweep.jobs()) {
    if (job.state() == v1::JOB_STATE_PENDING)
      queue_.push_back({job.job_id(), job.attempt(), job.spec()});
  }
}

std::shared_ptr<Scheduler::Session> Scheduler::Open(const std::string& agent_id) {
  absl::MutexLock lock(&mu_);
  auto it = sessions_.find(agent_id);
  if (it != sessions_.end())
    CloseLocked(it->second.get(), "agent reconnected");
  auto session = std::make_shared<Session>();
  session->agent_id = agent_id;
  session->closed = shutdown_;
  sessions_[agent_id] = session;
  return session;
}

std::optional<v1::Lease> Scheduler::NextLease(Session* session) {
  absl::MutexLock lock(&mu_);
  while (true) {
    auto ready = [this, session]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) -> bool {
      return session->closed || (session->job_id == 0 && !queue_.empty());
    };
    mu_.Await(absl::Condition(&ready));
    if (session->closed) return std::nullopt;

    QueuedJob job = std::move(queue_.front());
    queue_.pop_front();
    const int32_t attempt = job.attempt + 1;
    absl::Status recorded =
        store_->RecordLease(job.job_id, attempt, session->agent_id, clock_->Now());
    if (!recorded.ok()) {
      // The database is busy or full: keep the job and try again shortly.
      std::cerr << "coordinator: cannot lease job " << job.job_id << ": "
                << recorded << "\n";
      queue_.push_front(std::move(job));
      mu_.AwaitWithTimeout(absl::Condition(&session->closed), absl::Seconds(1));
      continue;
    }
    job.attempt = attempt;
    session->job_id = job.job_id;
    session->attempt = attempt;
    v1::Lease lease;
    lease.set_job_id(job.job_id);
    lease.set_attempt(attempt);
    *lease.mutable_spec() = job.spec;
    leased_[job.job_id] = std::move(job);
    return lease;
  }
}

void Scheduler::JobEnded(Session* session, int64_t job_id) {
  absl::MutexLock lock(&mu_);
  leased_.erase(job_id);
  // A late result of a lost attempt can end a job that was requeued: it
  // must not run again.
  for (auto it = queue_.begin(); it != queue_.end(); ++it) {
    if (it->job_id == job_id) {
      queue_.erase(it);
      break;
    }
  }
  if (session->job_id == job_id) {
    session->job_id = 0;
    session->attempt = 0;
  }
}

void Scheduler::Close(Session* session, const std::string& reason) {
  absl::MutexLock lock(&mu_);
  CloseLocked(session, reason);
}

void Scheduler::CloseLocked(Session* session, const std::string& reason) {
  if (session->closed && session->job_id == 0) return;
  session->closed = true;
  auto it = sessions_.find(session->agent_id);
  if (it != sessions_.end() && it->second.get() == session) sessions_.erase(it);
  if (session->job_id == 0) return;

  auto leased = leased_.find(session->job_id);
  session->job_id = 0;
  if (leased == leased_.end()) return;  // its result was stored meanwhile
  QueuedJob job = std::move(leased->second);
  leased_.erase(leased);
  const std::string cause =
      absl::StrCat("attempt ", job.attempt, " lost: agent \"", session->agent_id,
                   "\" ", reason);
  if (job.attempt >= options_.max_attempts) {
    absl::Status failed = store_->FailJob(
        job.job_id, absl::StrCat(cause, "; giving up after ", job.attempt,
                                 " attempts"));
    if (!failed.ok())
      std::cerr << "coordinator: cannot fail job " << job.job_id << ": "
                << failed << "\n";
    return;
  }
  absl::Status returned = store_->ReturnToPending(job.job_id);
  if (!returned.ok())
    std::cerr << "coordinator: cannot requeue job " << job.job_id << ": "
              << returned << " (it is requeued at the next restart)\n";
  queue_.push_front(std::move(job));  // it has waited longest
}

void Scheduler::Shutdown() {
  absl::MutexLock lock(&mu_);
  shutdown_ = true;
  for (auto& [id, session] : sessions_) session->closed = true;
}

bool Scheduler::IsConnected(const std::string& agent_id) const {
  absl::MutexLock lock(&mu_);
  return sessions_.count(agent_id) > 0;
}

int64_t Scheduler::RunningJob(const std::string& agent_id) const {
  absl::MutexLock lock(&mu_);
  auto it = sessions_.find(agent_id);
  return it == sessions_.end() ? 0 : it->second->job_id;
}

}  // namespace benchfleet::coordinator
