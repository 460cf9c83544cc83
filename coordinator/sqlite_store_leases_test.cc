// SqliteStore: leases, returned and failed jobs, and writes checked
// against the lease.
#include "coordinator/sqlite_store.h"

#include <memory>
#include <string>
#include <vector>

#include "coordinator/sqlite_store_fixture.h"
#include "gtest/gtest.h"

namespace benchfleet::coordinator::sqlite_test {
namespace {

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

}  // namespace
}  // namespace benchfleet::coordinator::sqlite_test
