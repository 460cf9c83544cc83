// The Store on one SQLite file in WAL mode. A write returns only after its
// transaction committed with synchronous=FULL, so acknowledged data survives
// a crash of the coordinator or the machine.
#ifndef BENCHFLEET_COORDINATOR_SQLITE_STORE_H_
#define BENCHFLEET_COORDINATOR_SQLITE_STORE_H_

#include <memory>

#include "absl/functional/function_ref.h"
#include "absl/synchronization/mutex.h"
#include "coordinator/sqlite_db.h"
#include "coordinator/store.h"

namespace benchfleet::coordinator {

class SqliteStore : public Store {
 public:
  // Opens or creates the database at `path` and migrates its schema to the
  // current version. INVALID_ARGUMENT for a schema newer than this binary.
  // A write that finds the database locked by another process waits up to
  // `busy_timeout`, then fails with UNAVAILABLE and changes nothing.
  static absl::StatusOr<std::unique_ptr<SqliteStore>> Open(
      const std::string& path, absl::Duration busy_timeout = absl::Seconds(5));

  absl::Status UpsertAgent(const v1::Hello& hello, absl::Time now) override;
  absl::Status TouchAgent(const std::string& agent_id, absl::Time now) override;
  absl::StatusOr<std::vector<AgentRecord>> ListAgents() override;
  absl::StatusOr<int64_t> CreateSweep(const v1::SweepSpec& spec,
                                      const std::vector<v1::BenchmarkSpec>& jobs,
                                      absl::Time now,
                                      const std::string& schedule) override;
  absl::StatusOr<v1::SweepStatus> GetSweep(int64_t sweep_id) override;
  absl::StatusOr<std::vector<v1::SweepStatus>> ListSweeps(int limit) override;
  absl::StatusOr<std::vector<int64_t>> CancelSweep(int64_t sweep_id) override;
  absl::StatusOr<std::vector<JobRecord>> LoadOpenJobs() override;
  absl::Status RecordLease(int64_t job_id, int32_t attempt,
                           const std::string& agent_id, absl::Time now) override;
  absl::Status ReturnToPending(int64_t job_id,
                               const std::string& reason) override;
  absl::Status FailJob(int64_t job_id, const std::string& reason) override;
  absl::Status AddSamples(const std::string& agent_id,
                          const std::vector<v1::Sample>& samples) override;
  absl::StatusOr<bool> StoreResult(const std::string& agent_id,
                                   const v1::JobResult& result,
                                   absl::Time now) override;
  using Store::ListResults;
  absl::StatusOr<std::vector<v1::JobResult>> ListResults(
      const v1::ListResultsRequest& filter) override;
  absl::StatusOr<std::vector<v1::Sample>> ResultSamples(int64_t job_id) override;
  absl::StatusOr<std::map<int64_t, std::vector<v1::Sample>>> ResultSamplesOfJobs(
      const std::vector<int64_t>& job_ids, v1::Phase phase) override;
  absl::StatusOr<std::vector<v1::SweepStatus>> ListSweepsWhere(
      const SweepQuery& query) override;
  absl::StatusOr<std::vector<v1::Sample>> AttemptSamples(
      const std::string& agent_id, int64_t job_id, int32_t attempt) override;
  absl::Status AddSchedule(const v1::Schedule& schedule) override;
  absl::StatusOr<std::vector<v1::Schedule>> ListSchedules() override;
  absl::Status RemoveSchedule(const std::string& name) override;
  absl::Status MarkScheduleRun(const std::string& name, absl::Time run,
                               int64_t sweep_id) override;

 private:
  explicit SqliteStore(std::unique_ptr<SqliteDb> db) : db_(std::move(db)) {}
  absl::Status Migrate() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::StatusOr<v1::SweepStatus> SweepHeader(int64_t sweep_id)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // SweepHeader with the job counts and the state they give.
  absl::StatusOr<v1::SweepStatus> SweepSummary(int64_t sweep_id)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status EndAttempt(int64_t job_id, const std::string& reason)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status CheckLease(int64_t job_id, int32_t attempt,
                          const std::string& agent_id)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Runs `body` in one transaction; rolls back when it fails.
  absl::Status InTransaction(absl::FunctionRef<absl::Status()> body)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  absl::Mutex mu_;
  std::unique_ptr<SqliteDb> db_ ABSL_GUARDED_BY(mu_);
};

}  // namespace benchfleet::coordinator

#endif  // BENCHFLEET_COORDINATOR_SQLITE_STORE_H_
