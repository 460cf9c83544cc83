// SqliteStore: creating, cancelling, reading and querying sweeps, with
// their job counts and the state those give.
#include "coordinator/sqlite_store.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "coordinator/sqlite_blob.h"

namespace benchfleet::coordinator {

absl::StatusOr<int64_t> SqliteStore::CreateSweep(
    const v1::SweepSpec& spec, const std::vector<v1::BenchmarkSpec>& jobs,
    absl::Time now, const std::string& schedule) {
  absl::MutexLock lock(&mu_);
  int64_t sweep_id = 0;
  RETURN_IF_ERROR(InTransaction([&]() -> absl::Status {
    ASSIGN_OR_RETURN(SqliteStatement sweep,
                     db_->Prepare("INSERT INTO sweeps (name, spec, created_ms, "
                                  "schedule) VALUES (?1, ?2, ?3, ?4)"));
    RETURN_IF_ERROR(sweep.Bind(1, spec.name())
                        .BindBlob(2, spec.SerializeAsString())
                        .Bind(3, absl::ToUnixMillis(now))
                        .Bind(4, schedule)
                        .Run());
    sweep_id = db_->LastInsertRowId();
    ASSIGN_OR_RETURN(SqliteStatement job,
                     db_->Prepare("INSERT INTO jobs (sweep_id, spec, state) "
                                  "VALUES (?1, ?2, ?3)"));
    for (const auto& job_spec : jobs) {
      job.Reset();
      RETURN_IF_ERROR(job.Bind(1, sweep_id)
                          .BindBlob(2, job_spec.SerializeAsString())
                          .Bind(3, int64_t{v1::JOB_STATE_PENDING})
                          .Run());
    }
    return absl::OkStatus();
  }));
  return sweep_id;
}

namespace {

void CountJob(v1::JobState state, v1::SweepStatus& status, int n = 1) {
  switch (state) {
    case v1::JOB_STATE_LEASED: status.set_jobs_leased(status.jobs_leased() + n); break;
    case v1::JOB_STATE_DONE: status.set_jobs_done(status.jobs_done() + n); break;
    case v1::JOB_STATE_FAILED: status.set_jobs_failed(status.jobs_failed() + n); break;
    case v1::JOB_STATE_CANCELLED:
      status.set_jobs_cancelled(status.jobs_cancelled() + n);
      break;
    default: status.set_jobs_pending(status.jobs_pending() + n); break;
  }
  status.set_jobs_total(status.jobs_total() + n);
}

// A sweep runs until no job is pending or leased; a cancelled one reports
// CANCELLED once its leased jobs have ended too.
void SetSweepState(bool cancelled, v1::SweepStatus& status) {
  if (status.jobs_pending() + status.jobs_leased() > 0) {
    status.set_state(v1::SWEEP_STATE_RUNNING);
  } else {
    status.set_state(cancelled ? v1::SWEEP_STATE_CANCELLED : v1::SWEEP_STATE_DONE);
  }
}

}  // namespace

absl::StatusOr<v1::SweepStatus> SqliteStore::SweepHeader(int64_t sweep_id) {
  ASSIGN_OR_RETURN(SqliteStatement sweep,
                   db_->Prepare("SELECT name, created_ms, spec, schedule, "
                                "cancelled FROM sweeps WHERE sweep_id = ?1"));
  ASSIGN_OR_RETURN(bool found, sweep.Bind(1, sweep_id).Step());
  if (!found) return absl::NotFoundError(absl::StrCat("no sweep ", sweep_id));
  v1::SweepStatus status;
  status.set_sweep_id(sweep_id);
  status.set_name(sweep.Text(0));
  status.set_created_unix_ms(sweep.Int(1));
  ASSIGN_OR_RETURN(*status.mutable_spec(),
                   ParseBlob<v1::SweepSpec>(sweep.Blob(2), "sweep spec"));
  status.set_schedule(sweep.Text(3));
  // The state is set by the caller from the counts; remember cancellation.
  status.set_state(sweep.Int(4) ? v1::SWEEP_STATE_CANCELLED
                                : v1::SWEEP_STATE_RUNNING);
  return status;
}

absl::StatusOr<v1::SweepStatus> SqliteStore::GetSweep(int64_t sweep_id) {
  absl::MutexLock lock(&mu_);
  ASSIGN_OR_RETURN(v1::SweepStatus status, SweepHeader(sweep_id));
  const bool cancelled = status.state() == v1::SWEEP_STATE_CANCELLED;
  ASSIGN_OR_RETURN(SqliteStatement jobs,
                   db_->Prepare("SELECT job_id, spec, state, attempt, agent_id, "
                                "error FROM jobs WHERE sweep_id = ?1 "
                                "ORDER BY job_id"));
  jobs.Bind(1, sweep_id);
  while (true) {
    ASSIGN_OR_RETURN(bool row, jobs.Step());
    if (!row) break;
    v1::JobInfo* job = status.add_jobs();
    job->set_job_id(jobs.Int(0));
    ASSIGN_OR_RETURN(*job->mutable_spec(),
                     ParseBlob<v1::BenchmarkSpec>(jobs.Blob(1), "job spec"));
    job->set_state(static_cast<v1::JobState>(jobs.Int(2)));
    job->set_attempt(static_cast<int32_t>(jobs.Int(3)));
    job->set_agent_id(jobs.Text(4));
    job->set_error(jobs.Text(5));
    CountJob(job->state(), status);
  }
  SetSweepState(cancelled, status);
  return status;
}

absl::StatusOr<std::vector<v1::SweepStatus>> SqliteStore::ListSweeps(int limit) {
  absl::MutexLock lock(&mu_);
  ASSIGN_OR_RETURN(SqliteStatement ids,
                   db_->Prepare("SELECT sweep_id FROM sweeps "
                                "ORDER BY sweep_id DESC LIMIT ?1"));
  ids.Bind(1, int64_t{limit > 0 ? limit : 50});
  ASSIGN_OR_RETURN(SqliteStatement counts,
                   db_->Prepare("SELECT state, COUNT(*) FROM jobs "
                                "WHERE sweep_id = ?1 GROUP BY state"));
  std::vector<v1::SweepStatus> sweeps;
  while (true) {
    ASSIGN_OR_RETURN(bool row, ids.Step());
    if (!row) break;
    ASSIGN_OR_RETURN(v1::SweepStatus status, SweepHeader(ids.Int(0)));
    const bool cancelled = status.state() == v1::SWEEP_STATE_CANCELLED;
    counts.Reset();
    counts.Bind(1, status.sweep_id());
    while (true) {
      ASSIGN_OR_RETURN(bool count_row, counts.Step());
      if (!count_row) break;
      CountJob(static_cast<v1::JobState>(counts.Int(0)), status,
               static_cast<int>(counts.Int(1)));
    }
    SetSweepState(cancelled, status);
    sweeps.push_back(std::move(status));
  }
  return sweeps;
}

absl::StatusOr<std::vector<int64_t>> SqliteStore::CancelSweep(int64_t sweep_id) {
  absl::MutexLock lock(&mu_);
  std::vector<int64_t> leased;
  RETURN_IF_ERROR(InTransaction([&]() -> absl::Status {
    RETURN_IF_ERROR(SweepHeader(sweep_id).status());
    ASSIGN_OR_RETURN(SqliteStatement mark,
                     db_->Prepare("UPDATE sweeps SET cancelled = 1 "
                                  "WHERE sweep_id = ?1"));
    RETURN_IF_ERROR(mark.Bind(1, sweep_id).Run());
    ASSIGN_OR_RETURN(SqliteStatement pending,
                     db_->Prepare("UPDATE jobs SET state = ?2, "
                                  "error = 'sweep cancelled' "
                                  "WHERE sweep_id = ?1 AND state = ?3"));
    RETURN_IF_ERROR(pending.Bind(1, sweep_id)
                        .Bind(2, int64_t{v1::JOB_STATE_CANCELLED})
                        .Bind(3, int64_t{v1::JOB_STATE_PENDING})
                        .Run());
    ASSIGN_OR_RETURN(SqliteStatement running,
                     db_->Prepare("SELECT job_id FROM jobs "
                                  "WHERE sweep_id = ?1 AND state = ?2"));
    running.Bind(1, sweep_id).Bind(2, int64_t{v1::JOB_STATE_LEASED});
    while (true) {
      ASSIGN_OR_RETURN(bool row, running.Step());
      if (!row) break;
      leased.push_back(running.Int(0));
    }
    return absl::OkStatus();
  }));
  return leased;
}

absl::StatusOr<v1::SweepStatus> SqliteStore::SweepSummary(int64_t sweep_id) {
  ASSIGN_OR_RETURN(v1::SweepStatus status, SweepHeader(sweep_id));
  const bool cancelled = status.state() == v1::SWEEP_STATE_CANCELLED;
  ASSIGN_OR_RETURN(SqliteStatement counts,
                   db_->Prepare("SELECT state, COUNT(*) FROM jobs "
                                "WHERE sweep_id = ?1 GROUP BY state"));
  counts.Bind(1, sweep_id);
  while (true) {
    ASSIGN_OR_RETURN(bool row, counts.Step());
    if (!row) break;
    CountJob(static_cast<v1::JobState>(counts.Int(0)), status,
             static_cast<int>(counts.Int(1)));
  }
  SetSweepState(cancelled, status);
  return status;
}

absl::StatusOr<std::vector<v1::SweepStatus>> SqliteStore::ListSweepsWhere(
    const SweepQuery& q) {
  absl::MutexLock lock(&mu_);
  std::string sql =
      "SELECT s.sweep_id FROM sweeps s WHERE (?1 = 0 OR s.schedule = ?2) "
      "AND (?3 = 0 OR s.name = ?4) AND (?5 = 0 OR s.sweep_id < ?5) "
      "AND (?6 = 0 OR NOT EXISTS (SELECT 1 FROM jobs j WHERE "
      "j.sweep_id = s.sweep_id AND j.state IN (?7, ?8)))";
  if (!q.sweep_ids.empty()) {
    sql += " AND s.sweep_id IN (";
    for (size_t i = 0; i < q.sweep_ids.size(); ++i)
      absl::StrAppend(&sql, i == 0 ? "" : ",", "?", i + 10);
    sql += ")";
  }
  sql += " ORDER BY s.sweep_id DESC LIMIT ?9";
  ASSIGN_OR_RETURN(SqliteStatement ids, db_->Prepare(sql));
  ids.Bind(1, int64_t{q.match_schedule})
      .Bind(2, q.schedule)
      .Bind(3, int64_t{q.match_name})
      .Bind(4, q.name)
      .Bind(5, q.before_sweep_id)
      .Bind(6, int64_t{q.finished_only})
      .Bind(7, int64_t{v1::JOB_STATE_PENDING})
      .Bind(8, int64_t{v1::JOB_STATE_LEASED})
      .Bind(9, int64_t{q.limit > 0 ? q.limit : -1});
  for (size_t i = 0; i < q.sweep_ids.size(); ++i)
    ids.Bind(static_cast<int>(i + 10), q.sweep_ids[i]);
  std::vector<int64_t> found;
  while (true) {
    ASSIGN_OR_RETURN(bool row, ids.Step());
    if (!row) break;
    found.push_back(ids.Int(0));
  }
  std::vector<v1::SweepStatus> sweeps;
  for (int64_t id : found) {
    ASSIGN_OR_RETURN(v1::SweepStatus status, SweepSummary(id));
    sweeps.push_back(std::move(status));
  }
  return sweeps;
}

}  // namespace benchfleet::coordinator
