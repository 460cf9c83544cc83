#include "coordinator/schedule_runner.h"

#include <cstdlib>

#include "coordinator/sqlite_store.h"
#include "base/fake_clock.h"
#include "gtest/gtest.h"

namespace benchfleet::coordinator {
namespace {

absl::Time Utc(int y, int mo, int d, int h, int mi) {
  return absl::FromCivil(absl::CivilMinute(y, mo, d, h, mi), absl::UTCTimeZone());
}

class ScheduleRunnerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = std::string(std::getenv("TEST_TMPDIR")) + "/" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name() + ".db";
    store_ = std::move(SqliteStore::Open(path_).value());
    scheduler_ = std::make_unique<Scheduler>(store_.get(), &clock_, SchedulerOptions());
    clock_.Set(Utc(2026, 11, 25, 0, 0));
  }

  v1::Schedule Nightly() {
    v1::Schedule schedule;
    schedule.set_name("nightly");
    schedule.set_cron("0 2 * * *");
    schedule.mutable_spec()->set_name("nightly-smoke");
    schedule.mutable_spec()->add_models("resnet18");
    schedule.mutable_spec()->add_batch_sizes(1);
    schedule.set_created_unix_ms(absl::ToUnixMillis(clock_.Now()));
    return schedule;
  }

  std::string path_;
  FakeClock clock_;
  std::unique_ptr<SqliteStore> store_;
  std::unique_ptr<Scheduler> scheduler_;
};

TEST_F(ScheduleRunnerTest, FiresAtItsSlotOnceAndTagsTheSweep) {
  ASSERT_TRUE(store_->AddSchedule(Nightly()).ok());
  ScheduleRunner runner(store_.get(), scheduler_.get(), &clock_);
  clock_.Set(Utc(2026, 11, 25, 1, 59));
  EXPECT_EQ(runner.RunDue().value(), 0);
  clock_.Set(Utc(2026, 11, 25, 2, 0));
  EXPECT_EQ(runner.RunDue().value(), 1);
  EXPECT_EQ(runner.RunDue().value(), 0);  // this slot has run

  const auto sweeps = store_->ListSweeps(10).value();
  ASSERT_EQ(sweeps.size(), 1u);
  EXPECT_EQ(sweeps[0].schedule(), "nightly");
  EXPECT_EQ(sweeps[0].jobs_total(), 1);
  const auto schedules = store_->ListSchedules().value();
  EXPECT_EQ(schedules[0].last_sweep_id(), sweeps[0].sweep_id());
  EXPECT_EQ(NextRunUnixMs(schedules[0]), absl::ToUnixMillis(Utc(2026, 11, 26, 2, 0)));
}

TEST_F(ScheduleRunnerTest, MissedSlotsRunOnceAfterARestart) {
  ASSERT_TRUE(store_->AddSchedule(Nightly()).ok());
  // The coordinator was down for three nights; a new runner starts.
  clock_.Set(Utc(2026, 11, 28, 9, 0));
  ScheduleRunner runner(store_.get(), scheduler_.get(), &clock_);
  EXPECT_EQ(runner.RunDue().value(), 1);
  EXPECT_EQ(runner.RunDue().value(), 0);
  ScheduleRunner after_restart(store_.get(), scheduler_.get(), &clock_);
  EXPECT_EQ(after_restart.RunDue().value(), 0);
  clock_.Set(Utc(2026, 11, 29, 2, 0));
  EXPECT_EQ(after_restart.RunDue().value(), 1);
  EXPECT_EQ(store_->ListSweeps(10).value().size(), 2u);
}

TEST_F(ScheduleRunnerTest, ValidationNamesTheField) {
  v1::Schedule bad = Nightly();
  bad.set_cron("0 25 * * *");
  EXPECT_NE(ValidateSchedule(bad).message().find("bad hour field"), std::string::npos);
  bad = Nightly();
  bad.set_time_zone("Mars/Olympus");
  EXPECT_NE(ValidateSchedule(bad).message().find("schedule.time_zone"),
            std::string::npos);
  bad = Nightly();
  bad.mutable_spec()->set_batch_sizes(0, 0);
  EXPECT_NE(ValidateSchedule(bad).message().find("batch_sizes[0] = 0"), std::string::npos);
  EXPECT_TRUE(ValidateSchedule(Nightly()).ok());
}

TEST_F(ScheduleRunnerTest, NamesAreUniqueAndRemovable) {
  ASSERT_TRUE(store_->AddSchedule(Nightly()).ok());
  EXPECT_EQ(store_->AddSchedule(Nightly()).code(), absl::StatusCode::kAlreadyExists);
  EXPECT_TRUE(store_->RemoveSchedule("nightly").ok());
  EXPECT_EQ(store_->RemoveSchedule("nightly").code(), absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace benchfleet::coordinator
