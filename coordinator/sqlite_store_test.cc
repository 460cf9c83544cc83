#include "coordinator/sqlite_store.h"

#include <signal.h>
#include <sqlite3.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "coordinator/sqlite_db.h"
#include "gtest/gtest.h"

namespace benchfleet::coordinator {
namespace {

v1::Hello HelloFrom(const std::string& agent_id, const v1::HardwareReport& hw) {
  v1::Hello hello;
  hello.set_agent_id(agent_id);
  *hello.mutable_hardware() = hw;
  return hello;
}

const absl::Time kNow = absl::FromUnixMillis(1700000000000);

// A fresh database file per test, under the test's private temp directory.
std::string TestDbPath() {
  const char* tmp = std::getenv("TEST_TMPDIR");
  const std::string dir = tmp ? tmp : "/tmp";
  const std::string path =
      dir + "/" +
      ::testing::UnitTest::GetInstance()->current_test_info()->name() + ".db";
  for (const char* suffix : {"", "-wal", "-shm"})
    std::remove((path + suffix).c_str());
  return path;
}

std::unique_ptr<SqliteStore> OpenOrDie(const std::string& path) {
  absl::StatusOr<std::unique_ptr<SqliteStore>> store = SqliteStore::Open(path);
  EXPECT_TRUE(store.ok()) << store.status();
  return store.ok() ? std::move(store).value() : nullptr;
}

v1::BenchmarkSpec Spec(const std::string& model, int batch) {
  v1::BenchmarkSpec spec;
  spec.set_model(model);
  spec.set_batch_size(batch);
  return spec;
}

v1::SweepSpec Sweep(const std::string& name) {
  v1::SweepSpec spec;
  spec.set_name(name);
  return spec;
}

v1::Sample MakeSample(int64_t job, int32_t attempt, int64_t sequence,
                      int64_t duration_ns) {
  v1::Sample s;
  s.set_job_id(job);
  s.set_attempt(attempt);
  s.set_sequence(sequence);
  s.set_phase(v1::PHASE_STEP);
  s.set_duration_ns(duration_ns);
  return s;
}

v1::JobResult Result(int64_t job, int32_t attempt,
                     v1::JobStatus status = v1::JOB_STATUS_OK) {
  v1::JobResult r;
  r.set_job_id(job);
  r.set_attempt(attempt);
  r.set_status(status);
  r.mutable_step()->set_median_ms(12.5);
  return r;
}

std::vector<int64_t> Durations(const std::vector<v1::Sample>& samples) {
  std::vector<int64_t> out;
  for (const auto& s : samples) out.push_back(s.duration_ns());
  return out;
}

class SqliteStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = TestDbPath();
    store_ = OpenOrDie(path_);
    ASSERT_NE(store_, nullptr);
  }

  // Creates a sweep of `n` resnet50 jobs; returns its id and job ids.
  int64_t CreateSweep(const std::string& name, int n,
                      std::vector<int64_t>* job_ids = nullptr) {
    std::vector<v1::BenchmarkSpec> jobs;
    for (int i = 0; i < n; ++i) jobs.push_back(Spec("resnet50", i + 1));
    absl::StatusOr<int64_t> id = store_->CreateSweep(Sweep(name), jobs, kNow, "");
    EXPECT_TRUE(id.ok()) << id.status();
    if (!id.ok()) return 0;
    if (job_ids) {
      absl::StatusOr<v1::SweepStatus> status = store_->GetSweep(*id);
      EXPECT_TRUE(status.ok()) << status.status();
      job_ids->clear();
      for (const auto& job : status->jobs()) job_ids->push_back(job.job_id());
    }
    return *id;
  }

  v1::JobInfo Job(int64_t sweep_id, int index) {
    absl::StatusOr<v1::SweepStatus> status = store_->GetSweep(sweep_id);
    EXPECT_TRUE(status.ok()) << status.status();
    return status->jobs(index);
  }

  std::string path_;
  std::unique_ptr<SqliteStore> store_;
};

TEST_F(SqliteStoreTest, CreateSweepStoresPendingJobsAndCounts) {
  std::vector<int64_t> jobs;
  const int64_t id = CreateSweep("s", 3, &jobs);
  ASSERT_GT(id, 0);
  absl::StatusOr<v1::SweepStatus> sweep = store_->GetSweep(id);
  ASSERT_TRUE(sweep.ok()) << sweep.status();
  EXPECT_EQ(sweep->sweep_id(), id);
  EXPECT_EQ(sweep->name(), "s");
  EXPECT_EQ(sweep->created_unix_ms(), absl::ToUnixMillis(kNow));
  EXPECT_EQ(sweep->jobs_total(), 3);
  EXPECT_EQ(sweep->jobs_pending(), 3);
  EXPECT_EQ(sweep->jobs_leased(), 0);
  EXPECT_EQ(sweep->jobs_done(), 0);
  EXPECT_EQ(sweep->jobs_failed(), 0);
  EXPECT_EQ(sweep->state(), v1::SWEEP_STATE_RUNNING);
  ASSERT_EQ(sweep->jobs_size(), 3);
  for (int i = 0; i < 3; ++i) {
    // Jobs keep the order and specs they were given.
    EXPECT_EQ(sweep->jobs(i).spec().batch_size(), i + 1);
    EXPECT_EQ(sweep->jobs(i).state(), v1::JOB_STATE_PENDING);
    EXPECT_EQ(sweep->jobs(i).attempt(), 0);
    EXPECT_EQ(sweep->jobs(i).agent_id(), "");
  }
  EXPECT_LT(jobs[0], jobs[1]);
  EXPECT_LT(jobs[1], jobs[2]);
}

TEST_F(SqliteStoreTest, GetSweepOfUnknownIdIsNotFound) {
  EXPECT_EQ(store_->GetSweep(42).status().code(), absl::StatusCode::kNotFound);
  CreateSweep("s", 1);
  EXPECT_EQ(store_->GetSweep(42).status().code(), absl::StatusCode::kNotFound);
}

TEST_F(SqliteStoreTest, EmptySweepIsDone) {
  const int64_t id = CreateSweep("empty", 0);
  absl::StatusOr<v1::SweepStatus> sweep = store_->GetSweep(id);
  ASSERT_TRUE(sweep.ok()) << sweep.status();
  EXPECT_EQ(sweep->jobs_total(), 0);
  EXPECT_EQ(sweep->state(), v1::SWEEP_STATE_DONE);
}

TEST_F(SqliteStoreTest, UpsertAgentKeepsFirstSeenAndRefreshesHardware) {
  v1::HardwareReport hw;
  hw.set_hostname("old");
  ASSERT_TRUE(store_->UpsertAgent(HelloFrom("a", hw), kNow).ok());
  hw.set_hostname("new");
  ASSERT_TRUE(store_->UpsertAgent(HelloFrom("a", hw), kNow + absl::Seconds(5)).ok());
  ASSERT_TRUE(store_->TouchAgent("a", kNow + absl::Seconds(9)).ok());
  ASSERT_TRUE(store_->UpsertAgent(HelloFrom("b", hw), kNow).ok());

  absl::StatusOr<std::vector<AgentRecord>> agents = store_->ListAgents();
  ASSERT_TRUE(agents.ok()) << agents.status();
  ASSERT_EQ(agents->size(), 2u);
  EXPECT_EQ((*agents)[0].agent_id, "a");
  EXPECT_EQ((*agents)[0].hello.hardware().hostname(), "new");
  EXPECT_EQ((*agents)[0].first_seen, kNow);
  EXPECT_EQ((*agents)[0].last_seen, kNow + absl::Seconds(9));
  EXPECT_EQ((*agents)[1].agent_id, "b");
}

// Reopening runs the migration again; it must be a no-op that keeps every
// table's rows (a coordinator restart keeps everything).
TEST_F(SqliteStoreTest, ReopenKeepsAgentsSweepsJobsAndResults) {
  v1::HardwareReport hw;
  hw.set_hostname("box");
  ASSERT_TRUE(store_->UpsertAgent(HelloFrom("a", hw), kNow).ok());
  std::vector<int64_t> jobs;
  const int64_t sweep_id = CreateSweep("s", 2, &jobs);
  ASSERT_TRUE(store_->RecordLease(jobs[0], 1, "a", kNow).ok());
  ASSERT_TRUE(store_->AddSamples("a", {MakeSample(jobs[0], 1, 0, 100)}).ok());
  ASSERT_TRUE(store_->StoreResult("a", Result(jobs[0], 1), kNow).value());
  ASSERT_TRUE(store_->RecordLease(jobs[1], 1, "a", kNow).ok());

  store_.reset();
  store_ = OpenOrDie(path_);
  ASSERT_NE(store_, nullptr);
  // And once more, to be sure a second migration pass is harmless too.
  store_.reset();
  store_ = OpenOrDie(path_);
  ASSERT_NE(store_, nullptr);

  absl::StatusOr<std::vector<AgentRecord>> agents = store_->ListAgents();
  ASSERT_TRUE(agents.ok()) << agents.status();
  ASSERT_EQ(agents->size(), 1u);
  EXPECT_EQ((*agents)[0].hello.hardware().hostname(), "box");

  absl::StatusOr<v1::SweepStatus> sweep = store_->GetSweep(sweep_id);
  ASSERT_TRUE(sweep.ok()) << sweep.status();
  EXPECT_EQ(sweep->jobs_done(), 1);
  EXPECT_EQ(sweep->jobs_leased(), 1);

  absl::StatusOr<std::vector<v1::JobResult>> results = store_->ListResults(0);
  ASSERT_TRUE(results.ok()) << results.status();
  ASSERT_EQ(results->size(), 1u);
  EXPECT_EQ((*results)[0].job_id(), jobs[0]);
  EXPECT_EQ(Durations(store_->ResultSamples(jobs[0]).value()),
            std::vector<int64_t>({100}));

  // The lease survived as well: the leasing agent may still report.
  absl::StatusOr<std::vector<JobRecord>> open = store_->LoadOpenJobs();
  ASSERT_TRUE(open.ok()) << open.status();
  ASSERT_EQ(open->size(), 1u);
  EXPECT_EQ((*open)[0].job_id, jobs[1]);
  EXPECT_EQ((*open)[0].state, v1::JOB_STATE_LEASED);
  EXPECT_TRUE(store_->AddSamples("a", {MakeSample(jobs[1], 1, 0, 5)}).ok());

  // New ids continue after the old ones.
  const int64_t next = CreateSweep("t", 1);
  EXPECT_GT(next, sweep_id);
}

TEST_F(SqliteStoreTest, OpenRejectsNewerSchema) {
  store_.reset();
  {
    absl::StatusOr<std::unique_ptr<SqliteDb>> db = SqliteDb::Open(path_);
    ASSERT_TRUE(db.ok()) << db.status();
    ASSERT_TRUE((*db)->Exec("PRAGMA user_version = 99").ok());
  }
  EXPECT_EQ(SqliteStore::Open(path_).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(SqliteStoreTest, LeaseReturnAndFailUpdateJobState) {
  std::vector<int64_t> jobs;
  const int64_t sweep_id = CreateSweep("s", 3, &jobs);

  ASSERT_TRUE(store_->RecordLease(jobs[0], 1, "a", kNow).ok());
  ASSERT_TRUE(store_->RecordLease(jobs[1], 1, "b", kNow).ok());
  EXPECT_EQ(Job(sweep_id, 0).state(), v1::JOB_STATE_LEASED);
  EXPECT_EQ(Job(sweep_id, 0).attempt(), 1);
  EXPECT_EQ(Job(sweep_id, 0).agent_id(), "a");

  absl::StatusOr<std::vector<JobRecord>> open = store_->LoadOpenJobs();
  ASSERT_TRUE(open.ok()) << open.status();
  ASSERT_EQ(open->size(), 3u);
  // Ascending job id, with the spec, state, attempt and holder of each.
  EXPECT_EQ((*open)[0].job_id, jobs[0]);
  EXPECT_EQ((*open)[0].sweep_id, sweep_id);
  EXPECT_EQ((*open)[0].spec.batch_size(), 1);
  EXPECT_EQ((*open)[0].state, v1::JOB_STATE_LEASED);
  EXPECT_EQ((*open)[0].attempt, 1);
  EXPECT_EQ((*open)[0].agent_id, "a");
  EXPECT_EQ((*open)[1].agent_id, "b");
  EXPECT_EQ((*open)[2].state, v1::JOB_STATE_PENDING);
  EXPECT_EQ((*open)[2].attempt, 0);

  // Returning keeps the attempt count, so the next lease is attempt 2.
  ASSERT_TRUE(store_->ReturnToPending(jobs[0], "agent lost").ok());
  EXPECT_EQ(Job(sweep_id, 0).state(), v1::JOB_STATE_PENDING);
  EXPECT_EQ(Job(sweep_id, 0).attempt(), 1);
  ASSERT_TRUE(store_->RecordLease(jobs[0], 2, "c", kNow).ok());
  EXPECT_EQ(Job(sweep_id, 0).attempt(), 2);
  EXPECT_EQ(Job(sweep_id, 0).agent_id(), "c");

  ASSERT_TRUE(store_->FailJob(jobs[1], "lost agent b").ok());
  EXPECT_EQ(Job(sweep_id, 1).state(), v1::JOB_STATE_FAILED);
  // The error lists the end of every attempt.
  EXPECT_EQ(Job(sweep_id, 1).error(), "attempt 1: lost agent b");
  // A failed job is no longer open, and ReturnToPending cannot revive it.
  ASSERT_TRUE(store_->ReturnToPending(jobs[1], "agent lost").ok());
  EXPECT_EQ(Job(sweep_id, 1).state(), v1::JOB_STATE_FAILED);

  open = store_->LoadOpenJobs();
  ASSERT_TRUE(open.ok()) << open.status();
  ASSERT_EQ(open->size(), 2u);
  EXPECT_EQ((*open)[0].job_id, jobs[0]);
  EXPECT_EQ((*open)[1].job_id, jobs[2]);

  absl::StatusOr<v1::SweepStatus> sweep = store_->GetSweep(sweep_id);
  ASSERT_TRUE(sweep.ok());
  EXPECT_EQ(sweep->jobs_leased(), 1);
  EXPECT_EQ(sweep->jobs_failed(), 1);
  EXPECT_EQ(sweep->jobs_pending(), 1);
}

TEST_F(SqliteStoreTest, FailJobDoesNotOverwriteAStoredResult) {
  std::vector<int64_t> jobs;
  const int64_t sweep_id = CreateSweep("s", 1, &jobs);
  ASSERT_TRUE(store_->RecordLease(jobs[0], 1, "a", kNow).ok());
  ASSERT_TRUE(store_->StoreResult("a", Result(jobs[0], 1), kNow).value());
  ASSERT_TRUE(store_->FailJob(jobs[0], "too late").ok());
  EXPECT_EQ(Job(sweep_id, 0).state(), v1::JOB_STATE_DONE);
  EXPECT_EQ(Job(sweep_id, 0).error(), "");
}

// Agents resend unacknowledged samples after a reconnect; the key (job,
// attempt, sequence) makes the replay harmless.
TEST_F(SqliteStoreTest, AddSamplesReplayIsStoredOnce) {
  std::vector<int64_t> jobs;
  CreateSweep("s", 1, &jobs);
  const int64_t job = jobs[0];
  ASSERT_TRUE(store_->RecordLease(job, 1, "a", kNow).ok());
  ASSERT_TRUE(store_
                  ->AddSamples("a", {MakeSample(job, 1, 0, 10),
                                     MakeSample(job, 1, 1, 11),
                                     MakeSample(job, 1, 2, 12)})
                  .ok());
  // Replay of 1 and 2 (with different values: the first write wins) plus a
  // new sequence 3.
  ASSERT_TRUE(store_
                  ->AddSamples("a", {MakeSample(job, 1, 1, 99),
                                     MakeSample(job, 1, 2, 99),
                                     MakeSample(job, 1, 3, 13)})
                  .ok());
  ASSERT_TRUE(store_->AddSamples("a", {MakeSample(job, 1, 0, 10)}).ok());
  ASSERT_TRUE(store_->AddSamples("a", {}).ok());
  ASSERT_TRUE(store_->StoreResult("a", Result(job, 1), kNow).value());

  absl::StatusOr<std::vector<v1::Sample>> samples = store_->ResultSamples(job);
  ASSERT_TRUE(samples.ok()) << samples.status();
  EXPECT_EQ(Durations(*samples), std::vector<int64_t>({10, 11, 12, 13}));
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ((*samples)[i].job_id(), job);
    EXPECT_EQ((*samples)[i].attempt(), 1);
    EXPECT_EQ((*samples)[i].sequence(), i);
    EXPECT_EQ((*samples)[i].phase(), v1::PHASE_STEP);
  }
}

TEST_F(SqliteStoreTest, WritesForSomeoneElsesLeaseAreDeniedAndStoreNothing) {
  std::vector<int64_t> jobs;
  const int64_t sweep_id = CreateSweep("s", 2, &jobs);
  ASSERT_TRUE(store_->RecordLease(jobs[0], 1, "a", kNow).ok());
  ASSERT_TRUE(store_->RecordLease(jobs[1], 1, "b", kNow).ok());

  EXPECT_EQ(store_->AddSamples("b", {MakeSample(jobs[0], 1, 0, 1)}).code(),
            absl::StatusCode::kPermissionDenied);
  // An attempt that was never leased is denied even to the job's holder.
  EXPECT_EQ(store_->AddSamples("a", {MakeSample(jobs[0], 2, 0, 1)}).code(),
            absl::StatusCode::kPermissionDenied);
  // A batch is all or nothing: a's own sample is not kept either.
  EXPECT_EQ(store_
                ->AddSamples("a", {MakeSample(jobs[0], 1, 0, 1),
                                   MakeSample(jobs[1], 1, 0, 1)})
                .code(),
            absl::StatusCode::kPermissionDenied);

  absl::StatusOr<bool> stored = store_->StoreResult("b", Result(jobs[0], 1), kNow);
  EXPECT_EQ(stored.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(Job(sweep_id, 0).state(), v1::JOB_STATE_LEASED);
  EXPECT_EQ(Job(sweep_id, 0).agent_id(), "a");
  EXPECT_TRUE(store_->ListResults(0).value().empty());

  // Only now does the job get a result, from its holder: no samples of the
  // denied calls show up under it.
  ASSERT_TRUE(store_->StoreResult("a", Result(jobs[0], 1), kNow).value());
  absl::StatusOr<std::vector<v1::Sample>> samples = store_->ResultSamples(jobs[0]);
  ASSERT_TRUE(samples.ok()) << samples.status();
  EXPECT_TRUE(samples->empty());
}

TEST_F(SqliteStoreTest, StoreResultOnceThenDuplicatesAndLateAttemptsAreIgnored) {
  std::vector<int64_t> jobs;
  const int64_t sweep_id = CreateSweep("s", 2, &jobs);
  // Attempt 1 (agent a) is thought lost; attempt 2 (agent b) finishes first.
  ASSERT_TRUE(store_->RecordLease(jobs[0], 1, "a", kNow).ok());
  ASSERT_TRUE(store_->ReturnToPending(jobs[0], "agent lost").ok());
  ASSERT_TRUE(store_->RecordLease(jobs[0], 2, "b", kNow).ok());

  v1::JobResult first = Result(jobs[0], 2);
  first.set_device_name("b's cpu");
  absl::StatusOr<bool> stored = store_->StoreResult("b", first, kNow);
  ASSERT_TRUE(stored.ok()) << stored.status();
  EXPECT_TRUE(*stored);
  EXPECT_EQ(Job(sweep_id, 0).state(), v1::JOB_STATE_DONE);
  EXPECT_EQ(Job(sweep_id, 0).attempt(), 2);
  EXPECT_EQ(Job(sweep_id, 0).agent_id(), "b");

  // A replay of the same result.
  stored = store_->StoreResult("b", first, kNow);
  ASSERT_TRUE(stored.ok()) << stored.status();
  EXPECT_FALSE(*stored);
  // The late attempt 1 of agent a, with a failure.
  v1::JobResult late = Result(jobs[0], 1, v1::JOB_STATUS_FAILED);
  late.set_error("boom");
  stored = store_->StoreResult("a", late, kNow);
  ASSERT_TRUE(stored.ok()) << stored.status();
  EXPECT_FALSE(*stored);

  // Nothing changed by the ignored ones.
  EXPECT_EQ(Job(sweep_id, 0).state(), v1::JOB_STATE_DONE);
  EXPECT_EQ(Job(sweep_id, 0).attempt(), 2);
  EXPECT_EQ(Job(sweep_id, 0).agent_id(), "b");
  EXPECT_EQ(Job(sweep_id, 0).error(), "");
  absl::StatusOr<std::vector<v1::JobResult>> results = store_->ListResults(sweep_id);
  ASSERT_TRUE(results.ok());
  ASSERT_EQ(results->size(), 1u);
  EXPECT_EQ((*results)[0].attempt(), 2);
  EXPECT_EQ((*results)[0].device_name(), "b's cpu");

  // A failure result ends the job as FAILED with its error.
  ASSERT_TRUE(store_->RecordLease(jobs[1], 1, "a", kNow).ok());
  v1::JobResult failed = Result(jobs[1], 1, v1::JOB_STATUS_FAILED);
  failed.set_error("out of memory");
  EXPECT_TRUE(store_->StoreResult("a", failed, kNow).value());
  EXPECT_EQ(Job(sweep_id, 1).state(), v1::JOB_STATE_FAILED);
  EXPECT_EQ(Job(sweep_id, 1).error(), "out of memory");

  absl::StatusOr<v1::SweepStatus> sweep = store_->GetSweep(sweep_id);
  ASSERT_TRUE(sweep.ok());
  EXPECT_EQ(sweep->jobs_done(), 1);
  EXPECT_EQ(sweep->jobs_failed(), 1);
  EXPECT_EQ(sweep->state(), v1::SWEEP_STATE_DONE);
  EXPECT_TRUE(store_->LoadOpenJobs().value().empty());
}

// A lost attempt's job is requeued; if that attempt's result arrives late,
// before the job is leased again, the new lease must not reopen the job:
// its result would be ignored and the job would stay LEASED forever.
TEST_F(SqliteStoreTest, LeaseAfterResultDoesNotReopenTheJob) {
  std::vector<int64_t> jobs;
  const int64_t sweep_id = CreateSweep("s", 1, &jobs);
  ASSERT_TRUE(store_->RecordLease(jobs[0], 1, "a", kNow).ok());
  ASSERT_TRUE(store_->ReturnToPending(jobs[0], "agent lost").ok());
  ASSERT_TRUE(store_->StoreResult("a", Result(jobs[0], 1), kNow).value());

  ASSERT_TRUE(store_->RecordLease(jobs[0], 2, "b", kNow).ok());
  EXPECT_EQ(Job(sweep_id, 0).state(), v1::JOB_STATE_DONE);
  EXPECT_EQ(Job(sweep_id, 0).attempt(), 1);
  EXPECT_EQ(Job(sweep_id, 0).agent_id(), "a");
  EXPECT_FALSE(store_->StoreResult("b", Result(jobs[0], 2), kNow).value());

  absl::StatusOr<v1::SweepStatus> sweep = store_->GetSweep(sweep_id);
  ASSERT_TRUE(sweep.ok());
  EXPECT_EQ(sweep->jobs_done(), 1);
  EXPECT_EQ(sweep->jobs_leased(), 0);
  EXPECT_EQ(sweep->state(), v1::SWEEP_STATE_DONE);
  // Nothing for a restarted coordinator to run again.
  EXPECT_TRUE(store_->LoadOpenJobs().value().empty());
}

TEST_F(SqliteStoreTest, ListResultsBySweepAndAll) {
  std::vector<int64_t> first_jobs, second_jobs;
  const int64_t first = CreateSweep("first", 2, &first_jobs);
  const int64_t second = CreateSweep("second", 1, &second_jobs);
  // Store out of job order; results come back by job id.
  for (int64_t job : {second_jobs[0], first_jobs[1], first_jobs[0]}) {
    ASSERT_TRUE(store_->RecordLease(job, 1, "a", kNow).ok());
    ASSERT_TRUE(store_->StoreResult("a", Result(job, 1), kNow).value());
  }

  auto ids = [&](int64_t sweep_id) {
    std::vector<int64_t> out;
    absl::StatusOr<std::vector<v1::JobResult>> results =
        store_->ListResults(sweep_id);
    EXPECT_TRUE(results.ok()) << results.status();
    if (results.ok())
      for (const auto& r : *results) out.push_back(r.job_id());
    return out;
  };
  EXPECT_EQ(ids(first), std::vector<int64_t>({first_jobs[0], first_jobs[1]}));
  EXPECT_EQ(ids(second), std::vector<int64_t>({second_jobs[0]}));
  EXPECT_EQ(ids(0), std::vector<int64_t>(
                        {first_jobs[0], first_jobs[1], second_jobs[0]}));
  EXPECT_TRUE(ids(second + 100).empty());
}

// A job retried after a lost attempt has samples of both attempts; only the
// attempt that produced the result describes it.
TEST_F(SqliteStoreTest, ResultSamplesAreThoseOfTheResultsAttempt) {
  std::vector<int64_t> jobs;
  CreateSweep("s", 1, &jobs);
  const int64_t job = jobs[0];
  ASSERT_TRUE(store_->RecordLease(job, 1, "a", kNow).ok());
  ASSERT_TRUE(store_
                  ->AddSamples("a", {MakeSample(job, 1, 0, 100),
                                     MakeSample(job, 1, 1, 101),
                                     MakeSample(job, 1, 2, 102)})
                  .ok());
  ASSERT_TRUE(store_->ReturnToPending(job, "agent lost").ok());
  ASSERT_TRUE(store_->RecordLease(job, 2, "b", kNow).ok());
  ASSERT_TRUE(store_
                  ->AddSamples("b", {MakeSample(job, 2, 0, 200),
                                     MakeSample(job, 2, 1, 201)})
                  .ok());

  // No result yet: no samples describe the job.
  absl::StatusOr<std::vector<v1::Sample>> samples = store_->ResultSamples(job);
  ASSERT_TRUE(samples.ok()) << samples.status();
  EXPECT_TRUE(samples->empty());

  ASSERT_TRUE(store_->StoreResult("b", Result(job, 2), kNow).value());
  samples = store_->ResultSamples(job);
  ASSERT_TRUE(samples.ok()) << samples.status();
  EXPECT_EQ(Durations(*samples), std::vector<int64_t>({200, 201}));
  for (const auto& s : *samples) EXPECT_EQ(s.attempt(), 2);
}

TEST_F(SqliteStoreTest, ResultSamplesOfJobsReadsManyJobsAtOnce) {
  std::vector<int64_t> jobs;
  CreateSweep("s", 3, &jobs);
  for (int i = 0; i < 2; ++i) {
    ASSERT_TRUE(store_->RecordLease(jobs[i], 1, "a", kNow).ok());
    v1::Sample warmup = MakeSample(jobs[i], 1, 2, 7);
    warmup.set_phase(v1::PHASE_FORWARD);
    ASSERT_TRUE(store_
                    ->AddSamples("a", {MakeSample(jobs[i], 1, 1, 100 * (i + 1) + 1),
                                       MakeSample(jobs[i], 1, 0, 100 * (i + 1)),
                                       warmup})
                    .ok());
    ASSERT_TRUE(store_->StoreResult("a", Result(jobs[i], 1), kNow).value());
  }
  // jobs[2] has no result; 999 is no job.
  absl::StatusOr<std::map<int64_t, std::vector<v1::Sample>>> steps =
      store_->ResultSamplesOfJobs({jobs[0], jobs[1], jobs[2], 999},
                                  v1::PHASE_STEP);
  ASSERT_TRUE(steps.ok()) << steps.status();
  ASSERT_EQ(steps->size(), 2u);
  EXPECT_EQ(Durations(steps->at(jobs[0])), std::vector<int64_t>({100, 101}));
  EXPECT_EQ(Durations(steps->at(jobs[1])), std::vector<int64_t>({200, 201}));
  absl::StatusOr<std::map<int64_t, std::vector<v1::Sample>>> all =
      store_->ResultSamplesOfJobs({jobs[0]}, v1::PHASE_UNSPECIFIED);
  ASSERT_TRUE(all.ok()) << all.status();
  EXPECT_EQ(Durations(all->at(jobs[0])), std::vector<int64_t>({100, 101, 7}));
}

TEST_F(SqliteStoreTest, ResultSamplesOfJobsSpansChunks) {
  std::vector<int64_t> ids;
  for (int64_t i = 1; i <= 1200; ++i) ids.push_back(i);
  absl::StatusOr<std::map<int64_t, std::vector<v1::Sample>>> none =
      store_->ResultSamplesOfJobs(ids, v1::PHASE_STEP);
  ASSERT_TRUE(none.ok()) << none.status();
  EXPECT_TRUE(none->empty());
}

std::vector<int64_t> Ids(const std::vector<v1::SweepStatus>& sweeps) {
  std::vector<int64_t> out;
  for (const auto& s : sweeps) out.push_back(s.sweep_id());
  return out;
}

TEST_F(SqliteStoreTest, ListSweepsWhereSelectsByScheduleNameAgeAndState) {
  // 1: nightly, done; 2: by hand "adhoc", done; 3: nightly, done;
  // 4: nightly, still running.
  auto make = [&](const std::string& name, const std::string& schedule,
                  bool finish) {
    absl::StatusOr<int64_t> id =
        store_->CreateSweep(Sweep(name), {Spec("resnet50", 1)}, kNow, schedule);
    EXPECT_TRUE(id.ok()) << id.status();
    const int64_t job = store_->GetSweep(*id)->jobs(0).job_id();
    if (finish) {
      EXPECT_TRUE(store_->RecordLease(job, 1, "a", kNow).ok());
      EXPECT_TRUE(store_->StoreResult("a", Result(job, 1), kNow).value());
    }
    return *id;
  };
  const int64_t s1 = make("nightly", "nightly", true);
  const int64_t s2 = make("adhoc", "", true);
  const int64_t s3 = make("nightly", "nightly", true);
  const int64_t s4 = make("nightly", "nightly", false);

  SweepQuery all;
  EXPECT_EQ(Ids(store_->ListSweepsWhere(all).value()),
            std::vector<int64_t>({s4, s3, s2, s1}));
  SweepQuery finished;
  finished.finished_only = true;
  EXPECT_EQ(store_->LatestSweep(finished)->sweep_id(), s3);
  EXPECT_EQ(store_->LatestSweep(finished)->state(), v1::SWEEP_STATE_DONE);

  SweepQuery nightly;
  nightly.match_schedule = true;
  nightly.schedule = "nightly";
  EXPECT_EQ(Ids(store_->ListSweepsWhere(nightly).value()),
            std::vector<int64_t>({s4, s3, s1}));
  EXPECT_EQ(store_->ListSweepsWhere(nightly)->front().state(),
            v1::SWEEP_STATE_RUNNING);
  // The run before s3 of the same schedule.
  SweepQuery previous = nightly;
  previous.before_sweep_id = s3;
  previous.finished_only = true;
  EXPECT_EQ(store_->LatestSweep(previous)->sweep_id(), s1);
  previous.before_sweep_id = s1;
  EXPECT_EQ(store_->LatestSweep(previous).status().code(),
            absl::StatusCode::kNotFound);
  // Started by hand, by name.
  SweepQuery by_hand;
  by_hand.match_schedule = true;
  by_hand.match_name = true;
  by_hand.name = "adhoc";
  EXPECT_EQ(Ids(store_->ListSweepsWhere(by_hand).value()),
            std::vector<int64_t>({s2}));
  // By id: unknown ids are absent.
  SweepQuery ids;
  ids.sweep_ids = {s1, s4, 999};
  EXPECT_EQ(Ids(store_->ListSweepsWhere(ids).value()),
            std::vector<int64_t>({s4, s1}));
  EXPECT_EQ(store_->ListSweepsWhere(ids)->back().jobs_done(), 1);
  EXPECT_TRUE(store_->ListSweepsWhere(ids)->back().jobs().empty());
}

TEST_F(SqliteStoreTest, AttemptSamplesAreOneAttemptsWithTheirBlockSizes) {
  std::vector<int64_t> jobs;
  CreateSweep("s", 1, &jobs);
  const int64_t job = jobs[0];
  ASSERT_TRUE(store_->RecordLease(job, 1, "a", kNow).ok());
  v1::Sample block = MakeSample(job, 1, 1, 101);
  block.set_iterations(32);
  ASSERT_TRUE(store_->AddSamples("a", {MakeSample(job, 1, 0, 100), block}).ok());
  ASSERT_TRUE(store_->ReturnToPending(job, "agent lost").ok());
  ASSERT_TRUE(store_->RecordLease(job, 2, "b", kNow).ok());
  ASSERT_TRUE(store_->AddSamples("b", {MakeSample(job, 2, 0, 200)}).ok());

  absl::StatusOr<std::vector<v1::Sample>> samples = store_->AttemptSamples("a", job, 1);
  ASSERT_TRUE(samples.ok()) << samples.status();
  EXPECT_EQ(Durations(*samples), std::vector<int64_t>({100, 101}));
  EXPECT_EQ((*samples)[0].iterations(), 0);  // one iteration, as sent
  EXPECT_EQ((*samples)[1].iterations(), 32);
  samples = store_->AttemptSamples("b", job, 2);
  ASSERT_TRUE(samples.ok()) << samples.status();
  EXPECT_EQ(Durations(*samples), std::vector<int64_t>({200}));
  // Only the lease holder may read them: a refusal must not leak another's.
  EXPECT_EQ(store_->AttemptSamples("b", job, 1).status().code(),
            absl::StatusCode::kPermissionDenied);
}

// A database written before samples had a block size opens, and its samples
// read as single iterations.
TEST_F(SqliteStoreTest, MigratesSamplesOfTheSecondSchema) {
  std::vector<int64_t> jobs;
  CreateSweep("s", 1, &jobs);
  ASSERT_TRUE(store_->RecordLease(jobs[0], 1, "a", kNow).ok());
  store_.reset();
  {
    absl::StatusOr<std::unique_ptr<SqliteDb>> db = SqliteDb::Open(path_);
    ASSERT_TRUE(db.ok()) << db.status();
    ASSERT_TRUE((*db)->Exec("ALTER TABLE samples DROP COLUMN iterations; "
                            "PRAGMA user_version = 2")
                    .ok());
    ASSERT_TRUE((*db)->Exec(absl::StrCat("INSERT INTO samples VALUES (", jobs[0],
                                         ", 1, 0, 4, 100)"))
                    .ok());
  }
  store_ = OpenOrDie(path_);
  ASSERT_NE(store_, nullptr);
  absl::StatusOr<std::vector<v1::Sample>> samples =
      store_->AttemptSamples("a", jobs[0], 1);
  ASSERT_TRUE(samples.ok()) << samples.status();
  ASSERT_EQ(samples->size(), 1u);
  EXPECT_EQ((*samples)[0].duration_ns(), 100);
  EXPECT_EQ((*samples)[0].iterations(), 0);
}

// Another process holds the write lock: a write waits for the configured
// busy timeout, then fails with UNAVAILABLE and stores nothing.
TEST(SqliteStoreFaultTest, WriteWhileLockedWaitsBusyTimeoutThenIsUnavailable) {
  const std::string path = TestDbPath();
  absl::StatusOr<std::unique_ptr<SqliteStore>> store =
      SqliteStore::Open(path, absl::Milliseconds(200));
  ASSERT_TRUE(store.ok()) << store.status();
  absl::StatusOr<int64_t> sweep =
      (*store)->CreateSweep(Sweep("s"), {Spec("resnet50", 1)}, kNow, "");
  ASSERT_TRUE(sweep.ok());
  absl::StatusOr<v1::SweepStatus> status = (*store)->GetSweep(*sweep);
  ASSERT_TRUE(status.ok());
  const int64_t job = status->jobs(0).job_id();
  ASSERT_TRUE((*store)->RecordLease(job, 1, "a", kNow).ok());

  sqlite3* other = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &other), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(other, "BEGIN EXCLUSIVE", nullptr, nullptr, nullptr), SQLITE_OK);
  const absl::Time start = absl::Now();
  absl::Status added = (*store)->AddSamples("a", {MakeSample(job, 1, 0, 10)});
  const absl::Duration waited = absl::Now() - start;
  EXPECT_EQ(added.code(), absl::StatusCode::kUnavailable) << added;
  EXPECT_NE(added.message().find("database is locked"), absl::string_view::npos) << added;
  EXPECT_GE(waited, absl::Milliseconds(150));
  EXPECT_LT(waited, absl::Seconds(3));
  ASSERT_EQ(sqlite3_exec(other, "ROLLBACK", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(other);

  // Released: the retry is stored once.
  ASSERT_TRUE((*store)->AddSamples("a", {MakeSample(job, 1, 0, 10)}).ok());
  ASSERT_TRUE((*store)->StoreResult("a", Result(job, 1), kNow).value());
  absl::StatusOr<std::vector<v1::Sample>> samples = (*store)->ResultSamples(job);
  ASSERT_TRUE(samples.ok());
  EXPECT_EQ(samples->size(), 1u);
}

// Writes past the file size limit fail (EFBIG, which SQLite reports as an
// I/O error): UNAVAILABLE, "database or disk is full", nothing half-stored,
// and writes succeed again once there is room.
TEST(SqliteStoreFaultTest, WriteWithoutRoomSaysDiskFullAndRecovers) {
  const std::string path = TestDbPath();
  std::unique_ptr<SqliteStore> store = OpenOrDie(path);
  ASSERT_NE(store, nullptr);
  std::vector<v1::BenchmarkSpec> specs(20, Spec("resnet50", 1));
  absl::StatusOr<int64_t> sweep = store->CreateSweep(Sweep("s"), specs, kNow, "");
  ASSERT_TRUE(sweep.ok());
  absl::StatusOr<v1::SweepStatus> status = store->GetSweep(*sweep);
  ASSERT_TRUE(status.ok());
  const int64_t job = status->jobs(0).job_id();
  ASSERT_TRUE(store->RecordLease(job, 1, "a", kNow).ok());

  struct stat wal;
  ASSERT_EQ(stat((path + "-wal").c_str(), &wal), 0);
  signal(SIGXFSZ, SIG_IGN);
  rlimit saved;
  ASSERT_EQ(getrlimit(RLIMIT_FSIZE, &saved), 0);
  rlimit full{static_cast<rlim_t>(wal.st_size), saved.rlim_max};
  ASSERT_EQ(setrlimit(RLIMIT_FSIZE, &full), 0);
  std::vector<v1::Sample> batch;
  for (int i = 0; i < 500; ++i) batch.push_back(MakeSample(job, 1, i, 10 + i));
  absl::Status added = store->AddSamples("a", batch);
  ASSERT_EQ(setrlimit(RLIMIT_FSIZE, &saved), 0);
  EXPECT_EQ(added.code(), absl::StatusCode::kUnavailable) << added;
  EXPECT_NE(added.message().find("database or disk is full"), absl::string_view::npos)
      << added;

  ASSERT_TRUE(store->StoreResult("a", Result(job, 1), kNow).value());
  absl::StatusOr<std::vector<v1::Sample>> samples = store->ResultSamples(job);
  ASSERT_TRUE(samples.ok()) << samples.status();
  EXPECT_TRUE(samples->empty()) << "the failed batch was rolled back";
  ASSERT_TRUE(store->AddSamples("a", batch).ok());
  samples = store->ResultSamples(job);
  ASSERT_TRUE(samples.ok());
  EXPECT_EQ(samples->size(), batch.size());
}

}  // namespace
}  // namespace benchfleet::coordinator
