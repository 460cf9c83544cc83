// SqliteStore: storing samples and results, and reading them back.
#include "coordinator/sqlite_store.h"

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "coordinator/sqlite_store_fixture.h"
#include "gtest/gtest.h"

namespace benchfleet::coordinator::sqlite_test {
namespace {

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

}  // namespace
}  // namespace benchfleet::coordinator::sqlite_test
