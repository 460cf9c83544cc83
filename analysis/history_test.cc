#include "analysis/history.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "analysis/fleet_fixture.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace benchfleet::analysis {
namespace {

using ::testing::HasSubstr;
using fixture::Agent;
using fixture::FleetResults;
using fixture::Hardware;
using fixture::kCpu;
using fixture::kGpu;
using fixture::Model;
using fixture::Models;
using fixture::Result;

std::string NoName(const std::string& host) { return host; }

TEST(BuildHistoryTest, FindsAStepInTheRunMedians) {
  std::vector<ScheduleRun> runs;
  for (int night = 0; night < 12; ++night) {
    ScheduleRun run;
    run.sweep.set_sweep_id(100 - night);  // out of order on purpose
    const int order = 11 - night;         // position by sweep id
    const double speed = order < 6 ? 40 : 30;  // slower from the 7th run on
    run.results.push_back(Result(night + 1, Models()[0], 1,
                                 v1::MODE_INFERENCE, v1::DEVICE_KIND_CPU,
                                 speed * (1 + 0.001 * (night % 3))));
    runs.push_back(run);
  }
  const std::vector<v1::HistorySeries> series = BuildHistory(runs, NoName);
  ASSERT_EQ(series.size(), 1u);
  EXPECT_EQ(series[0].points(0).sweep_id(), 89);
  EXPECT_EQ(series[0].points_size(), 12);
  ASSERT_EQ(series[0].changes_size(), 1);
  EXPECT_EQ(series[0].changes(0).index(), 6);
  EXPECT_GT(series[0].changes(0).relative(), 0.3);
  EXPECT_NEAR(series[0].changes(0).after_ms() / series[0].changes(0).before_ms(),
              40.0 / 30, 0.01);
  EXPECT_EQ(series[0].label(), "resnet50 b1 inference @ host-a-id");
}

TEST(BuildHistoryTest, FailedAndUnmeasuredResultsAreNotPoints) {
  std::vector<ScheduleRun> runs(2);
  runs[0].sweep.set_sweep_id(1);
  runs[1].sweep.set_sweep_id(2);
  runs[0].results.push_back(
      Result(1, Models()[0], 1, v1::MODE_INFERENCE, v1::DEVICE_KIND_CPU, 40));
  v1::JobResult failed =
      Result(2, Models()[0], 1, v1::MODE_INFERENCE, v1::DEVICE_KIND_CPU, 40);
  failed.set_status(v1::JOB_STATUS_FAILED);
  runs[1].results.push_back(failed);
  const std::vector<v1::HistorySeries> series = BuildHistory(runs, NoName);
  ASSERT_EQ(series.size(), 1u);
  EXPECT_EQ(series[0].points_size(), 1);
  EXPECT_EQ(series[0].changes_size(), 0);
}

}  // namespace
}  // namespace benchfleet::analysis
