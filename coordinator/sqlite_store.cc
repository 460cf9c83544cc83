#include "coordinator/sqlite_store.h"

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
    const std::string& path) {
  ASSIGN_OR_RETURN(std::unique_ptr<SqliteDb> db, SqliteDb::Open(path));
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

absl::Status SqliteStore::UpsertAgent(const std::string& agent_id,
                                      const v1::HardwareReport& hardware,
                                      absl::Time now) {
  absl::MutexLock lock(&mu_);
  ASSIGN_OR_RETURN(SqliteStatement stmt,
                   db_->Prepare("INSERT INTO agents VALUES (?1, ?2, ?3, ?3) "
                                "ON CONFLICT(agent_id) DO UPDATE SET "
                                "hardware = ?2, last_seen_ms = ?3"));
  return stmt.Bind(1, agent_id)
      .BindBlob(2, hardware.SerializeAsString())
      .Bind(3, absl::ToUnixMillis(now))
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
                   db_->Prepare("SELECT agent_id, hardware, first_seen_ms, "
                                "last_seen_ms FROM agents ORDER BY agent_id"));
  std::vector<AgentRecord> agents;
  while (true) {
    ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) break;
    AgentRecord agent;
    agent.agent_id = stmt.Text(0);
    ASSIGN_OR_RETURN(agent.hardware,
                     ParseBlob<v1::HardwareReport>(stmt.Blob(1), "hardware report"));
    agent.first_seen = absl::FromUnixMillis(stmt.Int(2));
    agent.last_seen = absl::FromUnixMillis(stmt.Int(3));
    agents.push_back(std::move(agent));
  }
  return agents;
}

absl::StatusOr<int64_t> SqliteStore::CreateSweep(
    const v1::SweepSpec& spec, const std::vector<v1::BenchmarkSpec>& jobs,
    absl::Time now) {
  absl::MutexLock lock(&mu_);
  int64_t sweep_id = 0;
  RETURN_IF_ERROR(InTransaction([&]() -> absl::Status {
    ASSIGN_OR_RETURN(SqliteStatement sweep,
                     db_->Prepare("INSERT INTO sweeps (name, spec, created_ms) "
                                  "VALUES (?1, ?2, ?3)"));
    RETURN_IF_ERROR(sweep.Bind(1, spec.name())
                        .BindBlob(2, spec.SerializeAsString())
                        .Bind(3, absl::ToUnixMillis(now))
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

absl::StatusOr<v1::SweepStatus> SqliteStore::GetSweep(int64_t sweep_id) {
  absl::MutexLock lock(&mu_);
  ASSIGN_OR_RETURN(SqliteStatement sweep,
                   db_->Prepare("SELECT name, created_ms FROM sweeps "
                                "WHERE sweep_id = ?1"));
  ASSIGN_OR_RETURN(bool found, sweep.Bind(1, sweep_id).Step());
  if (!found) return absl::NotFoundError(absl::StrCat("no sweep ", sweep_id));
  v1::SweepStatus status;
  status.set_sweep_id(sweep_id);
  status.set_name(sweep.Text(0));
  status.set_created_unix_ms(sweep.Int(1));

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
    switch (job->state()) {
      case v1::JOB_STATE_LEASED: status.set_jobs_leased(status.jobs_leased() + 1); break;
      case v1::JOB_STATE_DONE: status.set_jobs_done(status.jobs_done() + 1); break;
      case v1::JOB_STATE_FAILED: status.set_jobs_failed(status.jobs_failed() + 1); break;
      default: status.set_jobs_pending(status.jobs_pending() + 1); break;
    }
  }
  status.set_jobs_total(status.jobs_size());
  status.set_state(status.jobs_pending() + status.jobs_leased() == 0
                       ? v1::SWEEP_STATE_DONE
                       : v1::SWEEP_STATE_RUNNING);
  return status;
}

absl::StatusOr<std::vector<JobRecord>> SqliteStore::LoadOpenJobs() {
  absl::MutexLock lock(&mu_);
  ASSIGN_OR_RETURN(SqliteStatement stmt,
                   db_->Prepare("SELECT job_id, sweep_id, spec, state, attempt, "
                                "agent_id FROM jobs WHERE state IN (?1, ?2) "
                                "ORDER BY job_id"));
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
                     db_->Prepare("INSERT INTO leases VALUES (?1, ?2, ?3, ?4)"));
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

absl::Status SqliteStore::ReturnToPending(int64_t job_id) {
  absl::MutexLock lock(&mu_);
  ASSIGN_OR_RETURN(SqliteStatement stmt,
                   db_->Prepare("UPDATE jobs SET state = ?2 "
                                "WHERE job_id = ?1 AND state = ?3"));
  return stmt.Bind(1, job_id)
      .Bind(2, int64_t{v1::JOB_STATE_PENDING})
      .Bind(3, int64_t{v1::JOB_STATE_LEASED})
      .Run();
}

absl::Status SqliteStore::FailJob(int64_t job_id, const std::string& error) {
  absl::MutexLock lock(&mu_);
  ASSIGN_OR_RETURN(SqliteStatement stmt,
                   db_->Prepare("UPDATE jobs SET state = ?2, error = ?3 "
                                "WHERE job_id = ?1 AND state IN (?4, ?5)"));
  return stmt.Bind(1, job_id)
      .Bind(2, int64_t{v1::JOB_STATE_FAILED})
      .Bind(3, error)
      .Bind(4, int64_t{v1::JOB_STATE_PENDING})
      .Bind(5, int64_t{v1::JOB_STATE_LEASED})
      .Run();
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
                     db_->Prepare("INSERT OR IGNORE INTO samples "
                                  "VALUES (?1, ?2, ?3, ?4, ?5)"));
    for (const v1::Sample& s : samples) {
      if (checked.insert({s.job_id(), s.attempt()}).second)
        RETURN_IF_ERROR(CheckLease(s.job_id(), s.attempt(), agent_id));
      insert.Reset();
      RETURN_IF_ERROR(insert.Bind(1, s.job_id())
                          .Bind(2, int64_t{s.attempt()})
                          .Bind(3, s.sequence())
                          .Bind(4, int64_t{s.phase()})
                          .Bind(5, s.duration_ns())
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
                     db_->Prepare("INSERT OR IGNORE INTO results "
                                  "VALUES (?1, ?2, ?3, ?4, ?5, ?6)"));
    RETURN_IF_ERROR(insert.Bind(1, result.job_id())
                        .Bind(2, int64_t{result.attempt()})
                        .Bind(3, agent_id)
                        .Bind(4, int64_t{result.status()})
                        .BindBlob(5, result.SerializeAsString())
                        .Bind(6, absl::ToUnixMillis(now))
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
    int64_t sweep_id) {
  absl::MutexLock lock(&mu_);
  ASSIGN_OR_RETURN(SqliteStatement stmt,
                   db_->Prepare("SELECT r.result FROM results r "
                                "JOIN jobs j ON j.job_id = r.job_id "
                                "WHERE ?1 = 0 OR j.sweep_id = ?1 "
                                "ORDER BY r.job_id"));
  stmt.Bind(1, sweep_id);
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
                                "s.duration_ns FROM samples s "
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
    samples.push_back(s);
  }
  return samples;
}

}  // namespace benchfleet::coordinator
