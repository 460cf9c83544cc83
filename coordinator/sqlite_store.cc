#include "coordinator/sqlite_store.h"

#include <algorithm>
#include <set>
#include <utility>

#include "absl/strings/str_cat.h"
#include "base/status_macros.h"

namespace benchfleet::coordinator {
namespace {

// Schema migrations; entry i moves user_version from i to i + 1. Append
// only: a released migration never changes.
const char* const kMigrations[] = {
    R"sql(
    CREATE TABLE agents (
      agent_id TEXT PRIMARY KEY,
      hardware BLOB NOT NULL,          -- serialized v1.HardwareReport
      first_seen_ms INTEGER NOT NULL,
      last_seen_ms INTEGER NOT NULL);
    CREATE TABLE sweeps (
      sweep_id INTEGER PRIMARY KEY AUTOINCREMENT,
      name TEXT NOT NULL,
      spec BLOB NOT NULL,              -- serialized v1.SweepSpec
      created_ms INTEGER NOT NULL);
    CREATE TABLE jobs (
      job_id INTEGER PRIMARY KEY AUTOINCREMENT,
      sweep_id INTEGER NOT NULL REFERENCES sweeps(sweep_id),
      spec BLOB NOT NULL,              -- serialized v1.BenchmarkSpec
      state INTEGER NOT NULL,          -- v1.JobState
      attempt INTEGER NOT NULL DEFAULT 0,
      agent_id TEXT,
      error TEXT);
    CREATE INDEX jobs_by_sweep ON jobs(sweep_id);
    CREATE INDEX jobs_by_state ON jobs(state);
    CREATE TABLE leases (
      job_id INTEGER NOT NULL,
      attempt INTEGER NOT NULL,
      agent_id TEXT NOT NULL,
      leased_ms INTEGER NOT NULL,
      PRIMARY KEY (job_id, attempt)) WITHOUT ROWID;
    CREATE TABLE samples (
      job_id INTEGER NOT NULL,
      attempt INTEGER NOT NULL,
      sequence INTEGER NOT NULL,
      phase INTEGER NOT NULL,          -- v1.Phase
      duration_ns INTEGER NOT NULL,
      PRIMARY KEY (job_id, attempt, sequence)) WITHOUT ROWID;
    CREATE TABLE results (
      job_id INTEGER PRIMARY KEY,
      attempt INTEGER NOT NULL,
      agent_id TEXT NOT NULL,
      status INTEGER NOT NULL,         -- v1.JobStatus
      result BLOB NOT NULL,            -- serialized v1.JobResult
      stored_ms INTEGER NOT NULL);
    )sql",
    // 2: labels and capabilities, cancellation, schedules, per-attempt end
    // reasons, and result columns for filtered queries.
    R"sql(
    ALTER TABLE agents ADD COLUMN hello BLOB;   -- serialized v1.Hello
    ALTER TABLE sweeps ADD COLUMN schedule TEXT NOT NULL DEFAULT '';
    ALTER TABLE sweeps ADD COLUMN cancelled INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE leases ADD COLUMN end_reason TEXT;
    ALTER TABLE results ADD COLUMN model TEXT;
    ALTER TABLE results ADD COLUMN batch_size INTEGER;
    ALTER TABLE results ADD COLUMN device INTEGER;
    ALTER TABLE results ADD COLUMN finished_ms INTEGER;
    CREATE INDEX results_by_model ON results(model, batch_size);
    CREATE INDEX results_by_agent ON results(agent_id);
    CREATE INDEX results_by_finished ON results(finished_ms);
    CREATE INDEX sweeps_by_schedule ON sweeps(schedule);
    CREATE TABLE schedules (
      name TEXT PRIMARY KEY,
      schedule BLOB NOT NULL,          -- serialized v1.Schedule
      last_run_ms INTEGER NOT NULL DEFAULT 0,
      last_sweep_id INTEGER NOT NULL DEFAULT 0);
    )sql",
    // 3: the block size of each sample (v1.Sample.iterations), so the
    // coordinator can recount the iterations a result claims.
    R"sql(
    ALTER TABLE samples ADD COLUMN iterations INTEGER NOT NULL DEFAULT 1;
    )sql",
};

template <typename Message>
absl::StatusOr<Message> ParseBlob(const std::string& blob, absl::string_view what) {
  Message message;
  if (!message.ParseFromString(blob)) {
    return absl::DataLossError(absl::StrCat("corrupt ", what, " in database"));
  }
  return message;
}

}  // namespace

absl::StatusOr<std::unique_ptr<SqliteStore>> SqliteStore::Open(
    const std::string& path, absl::Duration busy_timeout) {
  ASSIGN_OR_RETURN(std::unique_ptr<SqliteDb> db, SqliteDb::Open(path, busy_timeout));
  std::unique_ptr<SqliteStore> store(new SqliteStore(std::move(db)));
  absl::MutexLock lock(&store->mu_);
  RETURN_IF_ERROR(store->db_->Exec(
      "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; "
      "PRAGMA foreign_keys=ON;"));
  RETURN_IF_ERROR(store->Migrate());
  return store;
}

template <typename Body>
absl::Status SqliteStore::InTransaction(Body body) {
  RETURN_IF_ERROR(db_->Exec("BEGIN IMMEDIATE"));
  absl::Status status = body();
  if (status.ok()) status = db_->Exec("COMMIT");
  if (!status.ok()) db_->Exec("ROLLBACK").IgnoreError();
  return status;
}

absl::Status SqliteStore::Migrate() {
  ASSIGN_OR_RETURN(SqliteStatement version, db_->Prepare("PRAGMA user_version"));
  ASSIGN_OR_RETURN(bool row, version.Step());
  const int64_t current = row ? version.Int(0) : 0;
  const int64_t latest = std::size(kMigrations);
  if (current > latest) {
    return absl::InvalidArgumentError(absl::StrCat(
        "database schema version ", current, " is newer than this coordinator's ",
        latest));
  }
  for (int64_t v = current; v < latest; ++v) {
    RETURN_IF_ERROR(InTransaction([&]() -> absl::Status {
      RETURN_IF_ERROR(db_->Exec(kMigrations[v]));
      return db_->Exec(absl::StrCat("PRAGMA user_version = ", v + 1));
    }));
  }
  return absl::OkStatus();
}

absl::Status SqliteStore::UpsertAgent(const v1::Hello& hello, absl::Time now) {
  absl::MutexLock lock(&mu_);
  ASSIGN_OR_RETURN(SqliteStatement stmt,
                   db_->Prepare("INSERT INTO agents (agent_id, hardware, "
                                "first_seen_ms, last_seen_ms, hello) "
                                "VALUES (?1, ?2, ?3, ?3, ?4) "
                                "ON CONFLICT(agent_id) DO UPDATE SET "
                                "hardware = ?2, last_seen_ms = ?3, hello = ?4"));
  return stmt.Bind(1, hello.agent_id())
      .BindBlob(2, hello.hardware().SerializeAsString())
      .Bind(3, absl::ToUnixMillis(now))
      .BindBlob(4, hello.SerializeAsString())
      .Run();
}

absl::Status SqliteStore::TouchAgent(const std::string& agent_id, absl::Time now) {
  absl::MutexLock lock(&mu_);
  ASSIGN_OR_RETURN(
      SqliteStatement stmt,
      db_->Prepare("UPDATE agents SET last_seen_ms = ?2 WHERE agent_id = ?1"));
  return stmt.Bind(1, agent_id).Bind(2, absl::ToUnixMillis(now)).Run();
}

absl::StatusOr<std::vector<AgentRecord>> SqliteStore::ListAgents() {
  absl::MutexLock lock(&mu_);
  ASSIGN_OR_RETURN(SqliteStatement stmt,
                   db_->Prepare("SELECT agent_id, hello, first_seen_ms, "
                                "last_seen_ms FROM agents ORDER BY agent_id"));
  std::vector<AgentRecord> agents;
  while (true) {
    ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) break;
    AgentRecord agent;
    agent.agent_id = stmt.Text(0);
    ASSIGN_OR_RETURN(agent.hello, ParseBlob<v1::Hello>(stmt.Blob(1), "hello"));
    agent.first_seen = absl::FromUnixMillis(stmt.Int(2));
    agent.last_seen = absl::FromUnixMillis(stmt.Int(3));
    agents.push_back(std::move(agent));
  }
  return agents;
}

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

absl::Status SqliteStore::AddSamples(const std::string& agent_id,
                                     const std::vector<v1::Sample>& samples) {
  absl::MutexLock lock(&mu_);
  return InTransaction([&]() -> absl::Status {
    std::set<std::pair<int64_t, int32_t>> checked;
    ASSIGN_OR_RETURN(SqliteStatement insert,
                     db_->Prepare("INSERT OR IGNORE INTO samples (job_id, "
                                  "attempt, sequence, phase, duration_ns, "
                                  "iterations) VALUES (?1, ?2, ?3, ?4, ?5, ?6)"));
    for (const v1::Sample& s : samples) {
      if (checked.insert({s.job_id(), s.attempt()}).second)
        RETURN_IF_ERROR(CheckLease(s.job_id(), s.attempt(), agent_id));
      insert.Reset();
      RETURN_IF_ERROR(insert.Bind(1, s.job_id())
                          .Bind(2, int64_t{s.attempt()})
                          .Bind(3, s.sequence())
                          .Bind(4, int64_t{s.phase()})
                          .Bind(5, s.duration_ns())
                          .Bind(6, int64_t{std::max(1, s.iterations())})
                          .Run());
    }
    return absl::OkStatus();
  });
}

absl::StatusOr<bool> SqliteStore::StoreResult(const std::string& agent_id,
                                              const v1::JobResult& result,
                                              absl::Time now) {
  absl::MutexLock lock(&mu_);
  bool stored = false;
  RETURN_IF_ERROR(InTransaction([&]() -> absl::Status {
    RETURN_IF_ERROR(CheckLease(result.job_id(), result.attempt(), agent_id));
    ASSIGN_OR_RETURN(SqliteStatement insert,
                     db_->Prepare("INSERT OR IGNORE INTO results (job_id, "
                                  "attempt, agent_id, status, result, stored_ms, "
                                  "model, batch_size, device, finished_ms) "
                                  "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"));
    const int64_t finished_ms = result.finished_unix_ms() > 0
                                    ? result.finished_unix_ms()
                                    : absl::ToUnixMillis(now);
    RETURN_IF_ERROR(insert.Bind(1, result.job_id())
                        .Bind(2, int64_t{result.attempt()})
                        .Bind(3, agent_id)
                        .Bind(4, int64_t{result.status()})
                        .BindBlob(5, result.SerializeAsString())
                        .Bind(6, absl::ToUnixMillis(now))
                        .Bind(7, result.spec().model())
                        .Bind(8, int64_t{result.spec().batch_size()})
                        .Bind(9, int64_t{result.spec().device()})
                        .Bind(10, finished_ms)
                        .Run());
    stored = db_->Changes() == 1;
    if (!stored) return absl::OkStatus();
    ASSIGN_OR_RETURN(SqliteStatement job,
                     db_->Prepare("UPDATE jobs SET state = ?2, attempt = ?3, "
                                  "agent_id = ?4, error = ?5 WHERE job_id = ?1"));
    return job.Bind(1, result.job_id())
        .Bind(2, int64_t{result.status() == v1::JOB_STATUS_OK
                             ? v1::JOB_STATE_DONE
                             : v1::JOB_STATE_FAILED})
        .Bind(3, int64_t{result.attempt()})
        .Bind(4, agent_id)
        .Bind(5, result.error())
        .Run();
  }));
  return stored;
}

absl::StatusOr<std::vector<v1::JobResult>> SqliteStore::ListResults(
    const v1::ListResultsRequest& f) {
  absl::MutexLock lock(&mu_);
  // Unset filters compare against themselves, so one statement serves all.
  ASSIGN_OR_RETURN(
      SqliteStatement stmt,
      db_->Prepare("SELECT r.result FROM results r "
                   "JOIN jobs j ON j.job_id = r.job_id "
                   "JOIN sweeps s ON s.sweep_id = j.sweep_id "
                   "WHERE (?1 = 0 OR j.sweep_id = ?1) "
                   "AND (?2 = '' OR r.model = ?2) "
                   "AND (?3 = 0 OR r.batch_size = ?3) "
                   "AND (?4 = 0 OR r.device = ?4) "
                   "AND (?5 = '' OR r.agent_id = ?5) "
                   "AND (?6 = 0 OR r.finished_ms >= ?6) "
                   "AND (?7 = 0 OR r.finished_ms < ?7) "
                   "AND (?8 = '' OR s.schedule = ?8) "
                   "ORDER BY r.job_id"));
  stmt.Bind(1, f.sweep_id())
      .Bind(2, f.model())
      .Bind(3, int64_t{f.batch_size()})
      .Bind(4, int64_t{f.device()})
      .Bind(5, f.agent_id())
      .Bind(6, f.since_unix_ms())
      .Bind(7, f.until_unix_ms())
      .Bind(8, f.schedule());
  std::vector<v1::JobResult> results;
  while (true) {
    ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) break;
    ASSIGN_OR_RETURN(v1::JobResult result,
                     ParseBlob<v1::JobResult>(stmt.Blob(0), "result"));
    results.push_back(std::move(result));
  }
  return results;
}

absl::StatusOr<std::vector<v1::Sample>> SqliteStore::ResultSamples(int64_t job_id) {
  absl::MutexLock lock(&mu_);
  ASSIGN_OR_RETURN(SqliteStatement stmt,
                   db_->Prepare("SELECT s.attempt, s.sequence, s.phase, "
                                "s.duration_ns, s.iterations FROM samples s "
                                "JOIN results r ON r.job_id = s.job_id "
                                "AND r.attempt = s.attempt "
                                "WHERE s.job_id = ?1 ORDER BY s.sequence"));
  stmt.Bind(1, job_id);
  std::vector<v1::Sample> samples;
  while (true) {
    ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) break;
    v1::Sample s;
    s.set_job_id(job_id);
    s.set_attempt(static_cast<int32_t>(stmt.Int(0)));
    s.set_sequence(stmt.Int(1));
    s.set_phase(static_cast<v1::Phase>(stmt.Int(2)));
    s.set_duration_ns(stmt.Int(3));
    if (stmt.Int(4) > 1) s.set_iterations(static_cast<int32_t>(stmt.Int(4)));
    samples.push_back(s);
  }
  return samples;
}

absl::StatusOr<std::map<int64_t, std::vector<v1::Sample>>>
SqliteStore::ResultSamplesOfJobs(const std::vector<int64_t>& job_ids,
                                 v1::Phase phase) {
  absl::MutexLock lock(&mu_);
  std::map<int64_t, std::vector<v1::Sample>> out;
  // Ids go in chunks well under SQLite's limit on bound parameters.
  constexpr size_t kChunk = 500;
  for (size_t start = 0; start < job_ids.size(); start += kChunk) {
    const size_t end = std::min(job_ids.size(), start + kChunk);
    std::string placeholders;
    for (size_t i = start; i < end; ++i)
      absl::StrAppend(&placeholders, i == start ? "" : ",", "?", i - start + 2);
    ASSIGN_OR_RETURN(
        SqliteStatement stmt,
        db_->Prepare(absl::StrCat(
            "SELECT s.job_id, s.attempt, s.sequence, s.phase, s.duration_ns, "
            "s.iterations "
            "FROM samples s JOIN results r ON r.job_id = s.job_id "
            "AND r.attempt = s.attempt WHERE (?1 = 0 OR s.phase = ?1) "
            "AND s.job_id IN (", placeholders, ") "
            "ORDER BY s.job_id, s.sequence")));
    stmt.Bind(1, int64_t{phase});
    for (size_t i = start; i < end; ++i)
      stmt.Bind(static_cast<int>(i - start + 2), job_ids[i]);
    while (true) {
      ASSIGN_OR_RETURN(bool row, stmt.Step());
      if (!row) break;
      v1::Sample s;
      s.set_job_id(stmt.Int(0));
      s.set_attempt(static_cast<int32_t>(stmt.Int(1)));
      s.set_sequence(stmt.Int(2));
      s.set_phase(static_cast<v1::Phase>(stmt.Int(3)));
      s.set_duration_ns(stmt.Int(4));
      if (stmt.Int(5) > 1) s.set_iterations(static_cast<int32_t>(stmt.Int(5)));
      out[s.job_id()].push_back(s);
    }
  }
  return out;
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

absl::StatusOr<std::vector<v1::Sample>> SqliteStore::AttemptSamples(
    const std::string& agent_id, int64_t job_id, int32_t attempt) {
  absl::MutexLock lock(&mu_);
  RETURN_IF_ERROR(CheckLease(job_id, attempt, agent_id));
  ASSIGN_OR_RETURN(SqliteStatement stmt,
                   db_->Prepare("SELECT sequence, phase, duration_ns, iterations "
                                "FROM samples WHERE job_id = ?1 AND attempt = ?2 "
                                "ORDER BY sequence"));
  stmt.Bind(1, job_id).Bind(2, int64_t{attempt});
  std::vector<v1::Sample> samples;
  while (true) {
    ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) break;
    v1::Sample s;
    s.set_job_id(job_id);
    s.set_attempt(attempt);
    s.set_sequence(stmt.Int(0));
    s.set_phase(static_cast<v1::Phase>(stmt.Int(1)));
    s.set_duration_ns(stmt.Int(2));
    if (stmt.Int(3) > 1) s.set_iterations(static_cast<int32_t>(stmt.Int(3)));
    samples.push_back(s);
  }
  return samples;
}

absl::Status SqliteStore::AddSchedule(const v1::Schedule& schedule) {
  absl::MutexLock lock(&mu_);
  ASSIGN_OR_RETURN(SqliteStatement stmt,
                   db_->Prepare("INSERT OR IGNORE INTO schedules (name, schedule) "
                                "VALUES (?1, ?2)"));
  RETURN_IF_ERROR(
      stmt.Bind(1, schedule.name()).BindBlob(2, schedule.SerializeAsString()).Run());
  if (db_->Changes() == 0)
    return absl::AlreadyExistsError(
        absl::StrCat("a schedule named \"", schedule.name(), "\" exists"));
  return absl::OkStatus();
}

absl::StatusOr<std::vector<v1::Schedule>> SqliteStore::ListSchedules() {
  absl::MutexLock lock(&mu_);
  ASSIGN_OR_RETURN(SqliteStatement stmt,
                   db_->Prepare("SELECT schedule, last_run_ms, last_sweep_id "
                                "FROM schedules ORDER BY name"));
  std::vector<v1::Schedule> schedules;
  while (true) {
    ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) break;
    ASSIGN_OR_RETURN(v1::Schedule schedule,
                     ParseBlob<v1::Schedule>(stmt.Blob(0), "schedule"));
    schedule.set_last_run_unix_ms(stmt.Int(1));
    schedule.set_last_sweep_id(stmt.Int(2));
    schedules.push_back(std::move(schedule));
  }
  return schedules;
}

absl::Status SqliteStore::RemoveSchedule(const std::string& name) {
  absl::MutexLock lock(&mu_);
  ASSIGN_OR_RETURN(SqliteStatement stmt,
                   db_->Prepare("DELETE FROM schedules WHERE name = ?1"));
  RETURN_IF_ERROR(stmt.Bind(1, name).Run());
  if (db_->Changes() == 0)
    return absl::NotFoundError(absl::StrCat("no schedule named \"", name, "\""));
  return absl::OkStatus();
}

absl::Status SqliteStore::MarkScheduleRun(const std::string& name, absl::Time run,
                                          int64_t sweep_id) {
  absl::MutexLock lock(&mu_);
  ASSIGN_OR_RETURN(SqliteStatement stmt,
                   db_->Prepare("UPDATE schedules SET last_run_ms = ?2, "
                                "last_sweep_id = ?3 WHERE name = ?1"));
  return stmt.Bind(1, name).Bind(2, absl::ToUnixMillis(run)).Bind(3, sweep_id).Run();
}

}  // namespace benchfleet::coordinator
