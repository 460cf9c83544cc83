// SqliteStore: opening the database, its transactions and the schema
// migrations.
#include "coordinator/sqlite_store.h"

#include <iterator>
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

absl::Status SqliteStore::InTransaction(absl::FunctionRef<absl::Status()> body) {
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

}  // namespace benchfleet::coordinator
