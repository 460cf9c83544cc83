#include "coordinator/scheduler.h"

#include <iostream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "base/status_macros.h"
#include "proto/names.h"

namespace benchfleet::coordinator {
namespace {

int DeviceOf(const v1::BenchmarkSpec& spec) {
  return spec.device() == v1::DEVICE_KIND_UNSPECIFIED ? v1::DEVICE_KIND_CPU
                                                      : spec.device();
}

int PrecisionOf(const v1::BenchmarkSpec& spec) {
  return spec.precision() == v1::PRECISION_UNSPECIFIED ? v1::PRECISION_FP32
                                                       : spec.precision();
}

}  // namespace

Scheduler::Scheduler(Store* store, Clock* clock, SchedulerOptions options)
    : store_(store), clock_(clock), options_(options) {}

absl::Status Scheduler::Recover() {
  ASSIGN_OR_RETURN(std::vector<JobRecord> jobs, store_->LoadOpenJobs());
  absl::MutexLock lock(&mu_);
  for (JobRecord& record : jobs) {
    if (record.state == v1::JOB_STATE_LEASED)
      RETURN_IF_ERROR(store_->ReturnToPending(record.job_id, "coordinator restarted"));
    QueuedJob job;
    job.job_id = record.job_id;
    job.sweep_id = record.sweep_id;
    job.attempt = record.attempt;
    job.spec = std::move(record.spec);
    job.selector = std::move(record.selector);
    Enqueue(std::move(job), /*front=*/false);
  }
  return absl::OkStatus();
}

void Scheduler::AddJobs(const v1::SweepStatus& sweep) {
  absl::MutexLock lock(&mu_);
  for (const v1::JobInfo& info : sweep.jobs()) {
    if (info.state() != v1::JOB_STATE_PENDING) continue;
    QueuedJob job;
    job.job_id = info.job_id();
    job.sweep_id = sweep.sweep_id();
    job.attempt = info.attempt();
    job.spec = info.spec();
    job.selector.insert(sweep.spec().selector().begin(),
                        sweep.spec().selector().end());
    Enqueue(std::move(job), /*front=*/false);
  }
}

void Scheduler::Enqueue(QueuedJob job, bool front) {
  auto& queue = queues_[job.sweep_id];
  if (front) {
    queue.push_front(std::move(job));
  } else {
    queue.push_back(std::move(job));
  }
}

bool Scheduler::CanRun(const Session& session, const QueuedJob& job) {
  const int device = DeviceOf(job.spec);
  const bool device_ok = session.devices.empty()
                             ? device == v1::DEVICE_KIND_CPU
                             : session.devices.count(device) > 0;
  const int precision = PrecisionOf(job.spec);
  const bool precision_ok = precision == v1::PRECISION_FP32 ||
                            session.precisions.count(precision) > 0;
  if (!device_ok || !precision_ok) return false;
  // A simulated agent must never take a real benchmark.
  if (session.simulated) {
    auto it = job.selector.find("simulated");
    if (it == job.selector.end() || it->second != "true") return false;
  }
  for (const auto& [key, value] : job.selector) {
    auto it = session.labels.find(key);
    if (it == session.labels.end() || it->second != value) return false;
  }
  return true;
}

bool Scheduler::HasJobFor(const Session& session) const {
  for (const auto& [sweep_id, queue] : queues_)
    for (const QueuedJob& job : queue)
      if (CanRun(session, job)) return true;
  return false;
}

std::optional<Scheduler::QueuedJob> Scheduler::TakeJobFor(const Session& session) {
  if (queues_.empty()) return std::nullopt;
  // Round robin: start with the first sweep after the one served last.
  auto start = queues_.upper_bound(last_sweep_served_);
  for (size_t visited = 0; visited < queues_.size(); ++visited, ++start) {
    if (start == queues_.end()) start = queues_.begin();
    auto& queue = start->second;
    for (auto it = queue.begin(); it != queue.end(); ++it) {
      if (!CanRun(session, *it)) continue;
      QueuedJob job = std::move(*it);
      queue.erase(it);
      last_sweep_served_ = start->first;
      if (queue.empty()) queues_.erase(start);
      return job;
    }
  }
  return std::nullopt;
}

std::shared_ptr<Scheduler::Session> Scheduler::Open(const v1::Hello& hello) {
  auto session = std::make_shared<Session>();
  session->agent_id = hello.agent_id();
  session->labels.insert(hello.labels().begin(), hello.labels().end());
  for (int device : hello.devices()) session->devices.insert(device);
  for (int precision : hello.precisions()) session->precisions.insert(precision);
  session->simulated = hello.hardware().simulated();
  absl::MutexLock lock(&mu_);
  auto it = sessions_.find(hello.agent_id());
  if (it != sessions_.end()) CloseLocked(it->second.get(), "reconnected", /*lost=*/true);
  session->closed = shutdown_;
  sessions_[hello.agent_id()] = session;
  return session;
}

std::optional<v1::CoordinatorMessage> Scheduler::NextMessage(Session* session) {
  absl::MutexLock lock(&mu_);
  while (true) {
    auto ready = [this, session]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) -> bool {
      if (session->closed) return true;
      if (session->job_id != 0) return session->cancel_wanted && !session->cancel_sent;
      return HasJobFor(*session);
    };
    mu_.Await(absl::Condition(&ready));
    if (session->closed) return std::nullopt;

    v1::CoordinatorMessage message;
    if (session->job_id != 0) {
      session->cancel_sent = true;
      message.mutable_cancel()->set_job_id(session->job_id);
      return message;
    }
    std::optional<QueuedJob> job = TakeJobFor(*session);
    const int32_t attempt = job->attempt + 1;
    absl::Status recorded =
        store_->RecordLease(job->job_id, attempt, session->agent_id, clock_->Now());
    if (!recorded.ok()) {
      // The database is busy or full: keep the job and try again shortly.
      std::cerr << "coordinator: cannot lease job " << job->job_id << ": "
                << recorded << "\n";
      Enqueue(std::move(*job), /*front=*/true);
      mu_.AwaitWithTimeout(absl::Condition(&session->closed), absl::Seconds(1));
      continue;
    }
    job->attempt = attempt;
    session->job_id = job->job_id;
    session->attempt = attempt;
    session->cancel_sent = session->cancel_wanted = false;
    v1::Lease* lease = message.mutable_lease();
    lease->set_job_id(job->job_id);
    lease->set_attempt(attempt);
    *lease->mutable_spec() = job->spec;
    leased_[job->job_id] = std::move(*job);
    return message;
  }
}

void Scheduler::JobEnded(Session* session, int64_t job_id) {
  absl::MutexLock lock(&mu_);
  leased_.erase(job_id);
  // A late result may end a job that was queued again meanwhile.
  for (auto& [sweep_id, queue] : queues_) {
    for (auto it = queue.begin(); it != queue.end(); ++it) {
      if (it->job_id == job_id) {
        queue.erase(it);
        break;
      }
    }
  }
  if (session->job_id == job_id) {
    session->job_id = 0;
    session->attempt = 0;
  }
  // Its result is stored: a later attempt still running elsewhere is wasted
  // work. That agent reports back a cancelled result, which stores nothing.
  for (auto& [agent_id, other] : sessions_) {
    if (other.get() != session && other->job_id == job_id && !other->cancel_sent)
      other->cancel_wanted = true;
  }
}

void Scheduler::Close(Session* session, const std::string& reason) {
  absl::MutexLock lock(&mu_);
  CloseLocked(session, reason, /*lost=*/true);
}

void Scheduler::HandBack(Session* session, const std::string& reason) {
  absl::MutexLock lock(&mu_);
  CloseLocked(session, reason, /*lost=*/false);
}

void Scheduler::CloseLocked(Session* session, const std::string& reason,
                            bool lost) {
  if (session->closed && session->job_id == 0) return;
  session->closed = true;
  auto it = sessions_.find(session->agent_id);
  if (it != sessions_.end() && it->second.get() == session) sessions_.erase(it);
  if (session->job_id == 0) return;

  auto leased = leased_.find(session->job_id);
  const bool abandoned = session->cancel_sent;
  session->job_id = 0;
  if (leased == leased_.end()) return;  // its result was stored meanwhile
  QueuedJob job = std::move(leased->second);
  leased_.erase(leased);
  const std::string cause =
      absl::StrCat("agent \"", session->agent_id, "\" ", reason);
  if (abandoned) {
    // Its sweep was cancelled: the job ends here.
    store_->FailJob(job.job_id, absl::StrCat(cause, " after the sweep was cancelled"))
        .IgnoreError();
    return;
  }
  if (lost) ++job.lost;
  if (job.lost >= options_.max_attempts) {
    absl::Status failed = store_->FailJob(
        job.job_id, absl::StrCat(cause, "; gave up after ", job.lost,
                                 " lost attempts"));
    if (!failed.ok())
      std::cerr << "coordinator: cannot fail job " << job.job_id << ": "
                << failed << "\n";
    return;
  }
  absl::Status returned = store_->ReturnToPending(job.job_id, cause);
  if (!returned.ok())
    std::cerr << "coordinator: cannot requeue job " << job.job_id << ": "
              << returned << " (it is requeued at the next restart)\n";
  Enqueue(std::move(job), /*front=*/true);  // it has waited longest
}

int Scheduler::CancelSweep(int64_t sweep_id,
                           const std::vector<int64_t>& leased_job_ids) {
  absl::MutexLock lock(&mu_);
  queues_.erase(sweep_id);
  int asked = 0;
  for (int64_t job_id : leased_job_ids) {
    for (auto& [agent_id, session] : sessions_) {
      if (session->job_id == job_id) {
        session->cancel_wanted = true;
        ++asked;
      }
    }
  }
  return asked;
}

void Scheduler::Shutdown() {
  absl::MutexLock lock(&mu_);
  shutdown_ = true;
  for (auto& [id, session] : sessions_) session->closed = true;
  sessions_.clear();
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

std::map<int64_t, std::string> Scheduler::WaitingReasons(int64_t sweep_id) const {
  absl::MutexLock lock(&mu_);
  std::map<int64_t, std::string> reasons;
  auto queue = queues_.find(sweep_id);
  if (queue == queues_.end()) return reasons;
  for (const QueuedJob& job : queue->second) {
    std::string& reason = reasons[job.job_id];
    if (sessions_.empty()) {
      reason = "no agent is connected";
      continue;
    }
    bool any = false;
    for (const auto& [agent_id, session] : sessions_)
      any = any || CanRun(*session, job);
    if (any) {
      reason = "waiting for a free agent";
      continue;
    }
    std::vector<std::string> needs = {
        absl::StrCat("device ", DeviceKindName(static_cast<v1::DeviceKind>(DeviceOf(job.spec))))};
    if (PrecisionOf(job.spec) != v1::PRECISION_FP32)
      needs.push_back(absl::StrCat(
          "precision ", PrecisionName(static_cast<v1::Precision>(PrecisionOf(job.spec)))));
    for (const auto& [key, value] : job.selector)
      needs.push_back(absl::StrCat("label ", key, "=", value));
    reason = absl::StrCat("no connected agent offers ", absl::StrJoin(needs, ", "));
  }
  return reasons;
}

}  // namespace benchfleet::coordinator
