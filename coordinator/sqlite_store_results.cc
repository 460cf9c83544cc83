// SqliteStore: the samples and results agents report, and reading them back.
#include "coordinator/sqlite_store.h"

#include <algorithm>
#include <set>
#include <utility>

#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "coordinator/sqlite_blob.h"

namespace benchfleet::coordinator {

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

}  // namespace benchfleet::coordinator
