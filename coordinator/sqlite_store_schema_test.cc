// SqliteStore: reopening, and migrating older schemas.
#include "coordinator/sqlite_store.h"

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "coordinator/sqlite_db.h"
#include "coordinator/sqlite_store_fixture.h"
#include "gtest/gtest.h"

namespace benchfleet::coordinator::sqlite_test {
namespace {

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

}  // namespace
}  // namespace benchfleet::coordinator::sqlite_test
