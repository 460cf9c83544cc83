// The coordinator's durable state: agents, sweeps, jobs, leases, samples and
// results. An interface, so a server database can replace SQLite later.
#ifndef BENCHFLEET_COORDINATOR_STORE_H_
#define BENCHFLEET_COORDINATOR_STORE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include <map>

#include "proto/agent_service.pb.h"
#include "proto/benchmark.pb.h"
#include "proto/fleet_service.pb.h"
#include "proto/hardware.pb.h"
#include "proto/sweep.pb.h"

namespace benchfleet::coordinator {

struct AgentRecord {
  std::string agent_id;
  v1::Hello hello;  // hardware report, labels and capabilities it sent last
  absl::Time first_seen;
  absl::Time last_seen;
};

struct JobRecord {
  int64_t job_id = 0;
  int64_t sweep_id = 0;
  v1::BenchmarkSpec spec;
  v1::JobState state = v1::JOB_STATE_PENDING;
  int32_t attempt = 0;  // attempts leased so far
  std::string agent_id;
  std::string error;
  std::map<std::string, std::string> selector;  // labels its agent must have
};

// Which sweeps ListSweepsWhere returns; conditions combine with AND.
struct SweepQuery {
  std::vector<int64_t> sweep_ids;  // only these (empty: any)
  bool match_schedule = false;     // only sweeps `schedule` started
  std::string schedule;            // "" with match_schedule: started by hand
  bool match_name = false;         // only sweeps named `name`
  std::string name;
  int64_t before_sweep_id = 0;     // only older sweeps (0: any)
  bool finished_only = false;      // only sweeps with no pending or leased job
  int limit = 0;                   // at most this many, newest first (0: all)
};

// Every method is thread-safe. Errors: UNAVAILABLE when the database is busy,
// locked or full (nothing was changed; retry later), INTERNAL otherwise.
class Store {
 public:
  virtual ~Store() = default;

  // Inserts or refreshes the agent that sent `hello`.
  virtual absl::Status UpsertAgent(const v1::Hello& hello, absl::Time now) = 0;
  virtual absl::Status TouchAgent(const std::string& agent_id,
                                  absl::Time now) = 0;
  virtual absl::StatusOr<std::vector<AgentRecord>> ListAgents() = 0;

  // Stores a sweep and one pending job per spec, atomically; returns its id.
  // `schedule` names the schedule that started it ("" for none).
  virtual absl::StatusOr<int64_t> CreateSweep(
      const v1::SweepSpec& spec, const std::vector<v1::BenchmarkSpec>& jobs,
      absl::Time now, const std::string& schedule) = 0;
  // The sweep with every job; NOT_FOUND for an unknown id.
  virtual absl::StatusOr<v1::SweepStatus> GetSweep(int64_t sweep_id) = 0;
  // The `limit` most recent sweeps with counts but without jobs.
  virtual absl::StatusOr<std::vector<v1::SweepStatus>> ListSweeps(int limit) = 0;
  // Marks the sweep cancelled and its pending jobs CANCELLED; returns the
  // ids of its jobs that are still leased. NOT_FOUND for an unknown id.
  virtual absl::StatusOr<std::vector<int64_t>> CancelSweep(int64_t sweep_id) = 0;

  // Jobs without a result (pending or leased), by ascending job id.
  virtual absl::StatusOr<std::vector<JobRecord>> LoadOpenJobs() = 0;
  // Marks `job_id` leased to `agent_id` as `attempt` and remembers the lease.
  virtual absl::Status RecordLease(int64_t job_id, int32_t attempt,
                                   const std::string& agent_id,
                                   absl::Time now) = 0;
  // Puts a leased job back to pending, keeping its attempt count, and
  // records why its current attempt ended.
  virtual absl::Status ReturnToPending(int64_t job_id,
                                       const std::string& reason) = 0;
  // Ends a job without a result (every attempt lost). Its error lists the
  // recorded reason of every attempt, then `reason` for the last.
  virtual absl::Status FailJob(int64_t job_id, const std::string& reason) = 0;

  // Stores samples of `agent_id`'s leases; replays are ignored (key: job,
  // attempt, sequence). PERMISSION_DENIED when a (job, attempt) was not
  // leased to `agent_id`; then nothing is stored.
  virtual absl::Status AddSamples(const std::string& agent_id,
                                  const std::vector<v1::Sample>& samples) = 0;
  // Stores the job's result and ends the job. Returns false when the job
  // already had a result (a replay or a late attempt): nothing changes.
  // PERMISSION_DENIED as for AddSamples.
  virtual absl::StatusOr<bool> StoreResult(const std::string& agent_id,
                                           const v1::JobResult& result,
                                           absl::Time now) = 0;
  // Results matching `filter`, by job id.
  virtual absl::StatusOr<std::vector<v1::JobResult>> ListResults(
      const v1::ListResultsRequest& filter) = 0;
  // Results of the sweeps `sweep_ids` that match `filter` (its sweep_id is
  // ignored): sweep by sweep in the order given, each sweep's by job id; a
  // sweep named twice is listed once.
  virtual absl::StatusOr<std::vector<v1::JobResult>> ListResultsOfSweeps(
      const std::vector<int64_t>& sweep_ids,
      const v1::ListResultsRequest& filter) = 0;
  // Results of one sweep (0 = all), by job id.
  absl::StatusOr<std::vector<v1::JobResult>> ListResults(int64_t sweep_id) {
    v1::ListResultsRequest filter;
    filter.set_sweep_id(sweep_id);
    return ListResults(filter);
  }
  // Samples of the attempt that produced `job_id`'s result, by sequence.
  virtual absl::StatusOr<std::vector<v1::Sample>> ResultSamples(
      int64_t job_id) = 0;
  // The same for many jobs in one read, only samples of `phase`
  // (PHASE_UNSPECIFIED: every phase): job id -> samples by sequence. Jobs
  // without a result or samples are absent.
  virtual absl::StatusOr<std::map<int64_t, std::vector<v1::Sample>>>
  ResultSamplesOfJobs(const std::vector<int64_t>& job_ids, v1::Phase phase) = 0;

  // Sweeps matching `query`, newest first, with counts but without jobs:
  // the selection rules of the analyses (the latest finished sweep, a
  // schedule's runs, the run before a given one).
  virtual absl::StatusOr<std::vector<v1::SweepStatus>> ListSweepsWhere(
      const SweepQuery& query) = 0;
  // The newest sweep matching `query`; NOT_FOUND when none does.
  absl::StatusOr<v1::SweepStatus> LatestSweep(SweepQuery query) {
    query.limit = 1;
    absl::StatusOr<std::vector<v1::SweepStatus>> sweeps = ListSweepsWhere(query);
    if (!sweeps.ok()) return sweeps.status();
    if (sweeps->empty()) return absl::NotFoundError("no sweep matches");
    return sweeps->front();
  }
  // Samples stored so far for (`job_id`, `attempt`), by sequence, with their
  // block size (iterations). PERMISSION_DENIED as for AddSamples.
  virtual absl::StatusOr<std::vector<v1::Sample>> AttemptSamples(
      const std::string& agent_id, int64_t job_id, int32_t attempt) = 0;

  // Stores a new schedule; ALREADY_EXISTS when the name is taken.
  virtual absl::Status AddSchedule(const v1::Schedule& schedule) = 0;
  virtual absl::StatusOr<std::vector<v1::Schedule>> ListSchedules() = 0;
  // NOT_FOUND for an unknown name.
  virtual absl::Status RemoveSchedule(const std::string& name) = 0;
  // Records that `name` started `sweep_id` for the slot at `run`.
  virtual absl::Status MarkScheduleRun(const std::string& name, absl::Time run,
                                       int64_t sweep_id) = 0;
};

}  // namespace benchfleet::coordinator

#endif  // BENCHFLEET_COORDINATOR_STORE_H_
