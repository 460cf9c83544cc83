// SqliteStore: the open jobs, their leases, and how each attempt ended.
#include "coordinator/sqlite_store.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "coordinator/sqlite_blob.h"

namespace benchfleet::coordinator {

absl::StatusOr<std::vector<JobRecord>> SqliteStore::LoadOpenJobs() {
  absl::MutexLock lock(&mu_);
  ASSIGN_OR_RETURN(SqliteStatement stmt,
                   db_->Prepare("SELECT j.job_id, j.sweep_id, j.spec, j.state, "
                                "j.attempt, j.agent_id, s.spec FROM jobs j "
                                "JOIN sweeps s ON s.sweep_id = j.sweep_id "
                                "WHERE j.state IN (?1, ?2) ORDER BY j.job_id"));
  stmt.Bind(1, int64_t{v1::JOB_STATE_PENDING}).Bind(2, int64_t{v1::JOB_STATE_LEASED});
  std::vector<JobRecord> jobs;
  while (true) {
    ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) break;
    JobRecord job;
    job.job_id = stmt.Int(0);
    job.sweep_id = stmt.Int(1);
    ASSIGN_OR_RETURN(job.spec, ParseBlob<v1::BenchmarkSpec>(stmt.Blob(2), "job spec"));
    job.state = static_cast<v1::JobState>(stmt.Int(3));
    job.attempt = static_cast<int32_t>(stmt.Int(4));
    job.agent_id = stmt.Text(5);
    ASSIGN_OR_RETURN(v1::SweepSpec sweep,
                     ParseBlob<v1::SweepSpec>(stmt.Blob(6), "sweep spec"));
    job.selector.insert(sweep.selector().begin(), sweep.selector().end());
    jobs.push_back(std::move(job));
  }
  return jobs;
}

absl::Status SqliteStore::RecordLease(int64_t job_id, int32_t attempt,
                                      const std::string& agent_id,
                                      absl::Time now) {
  absl::MutexLock lock(&mu_);
  return InTransaction([&]() -> absl::Status {
    ASSIGN_OR_RETURN(SqliteStatement lease,
                     db_->Prepare("INSERT INTO leases (job_id, attempt, agent_id, "
                                  "leased_ms) VALUES (?1, ?2, ?3, ?4)"));
    RETURN_IF_ERROR(lease.Bind(1, job_id)
                        .Bind(2, int64_t{attempt})
                        .Bind(3, agent_id)
                        .Bind(4, absl::ToUnixMillis(now))
                        .Run());
    // A job whose result arrived meanwhile (a late attempt) stays ended;
    // reopening it would leave it leased forever, as its result is stored.
    ASSIGN_OR_RETURN(SqliteStatement job,
                     db_->Prepare("UPDATE jobs SET state = ?2, attempt = ?3, "
                                  "agent_id = ?4 WHERE job_id = ?1 "
                                  "AND state IN (?5, ?2)"));
    return job.Bind(1, job_id)
        .Bind(2, int64_t{v1::JOB_STATE_LEASED})
        .Bind(3, int64_t{attempt})
        .Bind(4, agent_id)
        .Bind(5, int64_t{v1::JOB_STATE_PENDING})
        .Run();
  });
}

absl::Status SqliteStore::EndAttempt(int64_t job_id, const std::string& reason) {
  ASSIGN_OR_RETURN(SqliteStatement stmt,
                   db_->Prepare("UPDATE leases SET end_reason = ?2 "
                                "WHERE job_id = ?1 AND attempt = "
                                "(SELECT attempt FROM jobs WHERE job_id = ?1)"));
  return stmt.Bind(1, job_id).Bind(2, reason).Run();
}

absl::Status SqliteStore::ReturnToPending(int64_t job_id,
                                          const std::string& reason) {
  absl::MutexLock lock(&mu_);
  return InTransaction([&]() -> absl::Status {
    RETURN_IF_ERROR(EndAttempt(job_id, reason));
    ASSIGN_OR_RETURN(SqliteStatement stmt,
                     db_->Prepare("UPDATE jobs SET state = ?2 "
                                  "WHERE job_id = ?1 AND state = ?3"));
    return stmt.Bind(1, job_id)
        .Bind(2, int64_t{v1::JOB_STATE_PENDING})
        .Bind(3, int64_t{v1::JOB_STATE_LEASED})
        .Run();
  });
}

absl::Status SqliteStore::FailJob(int64_t job_id, const std::string& reason) {
  absl::MutexLock lock(&mu_);
  return InTransaction([&]() -> absl::Status {
    RETURN_IF_ERROR(EndAttempt(job_id, reason));
    // The error lists every attempt's end, oldest first.
    ASSIGN_OR_RETURN(SqliteStatement reasons,
                     db_->Prepare("SELECT attempt, end_reason FROM leases "
                                  "WHERE job_id = ?1 AND end_reason IS NOT NULL "
                                  "ORDER BY attempt"));
    reasons.Bind(1, job_id);
    std::string error;
    while (true) {
      ASSIGN_OR_RETURN(bool row, reasons.Step());
      if (!row) break;
      absl::StrAppend(&error, error.empty() ? "" : "; ", "attempt ",
                      reasons.Int(0), ": ", reasons.Text(1));
    }
    if (error.empty()) error = reason;
    ASSIGN_OR_RETURN(SqliteStatement stmt,
                     db_->Prepare("UPDATE jobs SET state = ?2, error = ?3 "
                                  "WHERE job_id = ?1 AND state IN (?4, ?5)"));
    return stmt.Bind(1, job_id)
        .Bind(2, int64_t{v1::JOB_STATE_FAILED})
        .Bind(3, error)
        .Bind(4, int64_t{v1::JOB_STATE_PENDING})
        .Bind(5, int64_t{v1::JOB_STATE_LEASED})
        .Run();
  });
}

absl::Status SqliteStore::CheckLease(int64_t job_id, int32_t attempt,
                                     const std::string& agent_id) {
  ASSIGN_OR_RETURN(SqliteStatement stmt,
                   db_->Prepare("SELECT agent_id FROM leases "
                                "WHERE job_id = ?1 AND attempt = ?2"));
  ASSIGN_OR_RETURN(bool found, stmt.Bind(1, job_id).Bind(2, int64_t{attempt}).Step());
  if (!found || stmt.Text(0) != agent_id) {
    return absl::PermissionDeniedError(
        absl::StrCat("job ", job_id, " attempt ", attempt,
                     " was not leased to agent \"", agent_id, "\""));
  }
  return absl::OkStatus();
}

}  // namespace benchfleet::coordinator
