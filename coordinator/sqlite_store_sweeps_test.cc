// SqliteStore: agents, and creating, reading and querying sweeps.
#include "coordinator/sqlite_store.h"

#include <memory>
#include <string>
#include <vector>

#include "coordinator/sqlite_store_fixture.h"
#include "gtest/gtest.h"

namespace benchfleet::coordinator::sqlite_test {
namespace {

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

}  // namespace
}  // namespace benchfleet::coordinator::sqlite_test
