#include "agent/hw/parallel.h"

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include "gtest/gtest.h"

namespace benchfleet::hw {
namespace {

TEST(ParallelTest, RunsEveryThreadOnce) {
  std::vector<std::atomic<int>> ran(4);
  const double seconds = RunTimedOnThreads(4, [&](int i) { ran[i]++; });
  for (auto& r : ran) EXPECT_EQ(r.load(), 1);
  EXPECT_GE(seconds, 0);
  std::atomic<int> once{0};
  RunTimedOnThreads(0, [&](int i) { once += i + 1; });
  EXPECT_EQ(once.load(), 1);
}

TEST(ParallelTest, TeamRunsRepeatedly) {
  ThreadTeam team(3);
  EXPECT_EQ(team.size(), 3);
  std::vector<std::atomic<int>> ran(3);
  for (int round = 0; round < 50; ++round) {
    team.Run([&](int i) { ran[i]++; });
  }
  // A pause long enough for the workers to go to sleep, then more work.
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  team.Run([&](int i) { ran[i]++; });
  for (auto& r : ran) EXPECT_EQ(r.load(), 51);
}

TEST(ParallelTest, SplitsRangesOnAlignedBoundaries) {
  int64_t covered = 0, previous_end = 0;
  for (int i = 0; i < 3; ++i) {
    int64_t begin, end;
    SplitRange(1000, 3, i, 8, &begin, &end);
    EXPECT_EQ(begin, previous_end);
    EXPECT_EQ(begin % 8, 0);
    covered += end - begin;
    previous_end = end;
  }
  EXPECT_EQ(covered, 1000);
  EXPECT_EQ(previous_end, 1000);
  int64_t begin, end;
  SplitRange(5, 8, 7, 8, &begin, &end);  // more parts than aligned chunks
  EXPECT_EQ(end, 5);
  EXPECT_GE(AvailableCpus(), 1);
}

}  // namespace
}  // namespace benchfleet::hw
