#include "analysis/parallel_for.h"

#include <atomic>
#include <vector>

#include "gtest/gtest.h"

namespace benchfleet::analysis {
namespace {

TEST(ParallelForTest, EveryIndexOnce) {
  for (unsigned threads : {0u, 1u, 3u, 64u}) {
    std::vector<std::atomic<int>> calls(1000);
    ParallelFor(calls.size(), [&](size_t i) { ++calls[i]; }, threads);
    for (size_t i = 0; i < calls.size(); ++i) EXPECT_EQ(calls[i], 1) << i;
  }
}

TEST(ParallelForTest, NothingToDo) {
  int calls = 0;
  ParallelFor(0, [&](size_t) { ++calls; });
  EXPECT_EQ(calls, 0);
}

}  // namespace
}  // namespace benchfleet::analysis
