#include "agent/runner/adaptive_stop.h"

#include <cmath>
#include <vector>

#include "gtest/gtest.h"

namespace benchfleet::runner {
namespace {

v1::Budget MakeBudget(int min_iterations, int max_iterations,
                      double min_seconds, double max_seconds,
                      double stable_ci) {
  v1::Budget b;
  b.set_min_iterations(min_iterations);
  b.set_max_iterations(max_iterations);
  b.set_min_seconds(min_seconds);
  b.set_max_seconds(max_seconds);
  b.set_stable_ci(stable_ci);
  return b;
}

TEST(QuantileCiTest, MedianOfOneToHundred) {
  std::vector<double> samples;
  for (int i = 100; i >= 1; --i) samples.push_back(i);  // order does not matter
  // n = 100: ranks j = floor(50 - 9.8) = 40, k = ceil(50 + 9.8) + 1 = 61.
  EXPECT_NEAR(QuantileCiRelativeHalfWidth(samples, 0.5),
              (61.0 - 40.0) / (2 * 50.5), 1e-12);
}

TEST(QuantileCiTest, TooFewSamplesIsInfinite) {
  // The 95% median needs 8: j = floor(n/2 - 0.98 sqrt(n)) >= 1.
  EXPECT_TRUE(std::isinf(
      QuantileCiRelativeHalfWidth(std::vector<double>(7, 1.0), 0.5)));
  EXPECT_EQ(QuantileCiRelativeHalfWidth(std::vector<double>(8, 1.0), 0.5), 0.0);
  // The p90 needs about 50: k = ceil(n q + z sqrt(n q (1-q))) + 1 <= n.
  EXPECT_TRUE(std::isinf(
      QuantileCiRelativeHalfWidth(std::vector<double>(40, 2.0), 0.9)));
  EXPECT_EQ(QuantileCiRelativeHalfWidth(std::vector<double>(60, 2.0), 0.9),
            0.0);
  EXPECT_TRUE(std::isinf(QuantileCiRelativeHalfWidth({}, 0.5)));
  EXPECT_TRUE(std::isinf(
      QuantileCiRelativeHalfWidth(std::vector<double>(10, 0.0), 0.5)));
}

TEST(BlockSizeTest, OneSamplePerIterationAboveHundredMicroseconds) {
  EXPECT_EQ(BlockSize(5e6), 1);    // a 5 ms forward
  EXPECT_EQ(BlockSize(1e5), 1);    // exactly 100 us
  EXPECT_EQ(BlockSize(1e4), 10);   // 10 us
  EXPECT_EQ(BlockSize(300), 334);  // 0.3 us
  EXPECT_EQ(BlockSize(0), 1);      // unknown
  EXPECT_EQ(BlockSize(1e-6), 1000000);
}

TEST(AdaptiveStopTest, StableSamplesStopAtTheMinimums) {
  AdaptiveStop stop(MakeBudget(10, 1000, 0, 30, 0.01), 0.5);
  for (int i = 1; i < 10; ++i) ASSERT_FALSE(stop.Add(1e6, 1, 0.001 * i)) << i;
  EXPECT_TRUE(stop.Add(1e6, 1, 0.01));
  EXPECT_EQ(stop.reason(), v1::STOP_REASON_STABLE);
  EXPECT_EQ(stop.iterations(), 10);
  EXPECT_EQ(stop.last_ci(), 0.0);
}

TEST(AdaptiveStopTest, MinSecondsHoldsEvenWhenStable) {
  AdaptiveStop stop(MakeBudget(3, 1000, 0.5, 30, 0.01), 0.5);
  int n = 0;
  while (!stop.Add(1e6, 1, ++n / 100.0)) ASSERT_LT(n, 1000);
  EXPECT_EQ(n, 50);  // the first sample at 0.5 s
  EXPECT_EQ(stop.reason(), v1::STOP_REASON_STABLE);
}

TEST(AdaptiveStopTest, NoisySamplesRunToMaxIterations) {
  AdaptiveStop stop(MakeBudget(5, 40, 0, 30, 0.01), 0.5);
  int n = 0;
  // Alternating 1 ms and 2 ms: the median's CI never narrows to 1%.
  while (!stop.Add(n % 2 ? 2e6 : 1e6, 1, 0.001 * n)) ASSERT_LT(++n, 1000);
  EXPECT_EQ(stop.iterations(), 40);
  EXPECT_EQ(stop.reason(), v1::STOP_REASON_MAX_ITERATIONS);
  EXPECT_GT(stop.last_ci(), 0.01);
}

TEST(AdaptiveStopTest, MaxSecondsWinsOverMinIterations) {
  AdaptiveStop stop(MakeBudget(100, 1000, 0, 2, 0.01), 0.5);
  EXPECT_FALSE(stop.Add(1e9, 1, 1.0));
  EXPECT_TRUE(stop.Add(1e9, 1, 2.0));
  EXPECT_EQ(stop.reason(), v1::STOP_REASON_MAX_SECONDS);
  EXPECT_EQ(stop.iterations(), 2);
}

TEST(AdaptiveStopTest, CiOfOneOrMoreStopsAtTheMinimums) {
  AdaptiveStop stop(MakeBudget(4, 1000, 0, 30, 1.0), 0.5);
  EXPECT_FALSE(stop.Add(1e6, 1, 0.1));
  EXPECT_FALSE(stop.Add(9e6, 1, 0.2));
  EXPECT_FALSE(stop.Add(1e6, 1, 0.3));
  EXPECT_TRUE(stop.Add(9e6, 1, 0.4));
  EXPECT_EQ(stop.reason(), v1::STOP_REASON_STABLE);
}

TEST(AdaptiveStopTest, BlocksCountTheirIterations) {
  AdaptiveStop stop(MakeBudget(10, 25, 0, 30, 1e-9), 0.5);
  EXPECT_FALSE(stop.Add(100, 10, 0.1));
  EXPECT_FALSE(stop.Add(101, 10, 0.2));
  EXPECT_TRUE(stop.Add(102, 5, 0.3));
  EXPECT_EQ(stop.iterations(), 25);
  EXPECT_EQ(stop.reason(), v1::STOP_REASON_MAX_ITERATIONS);
}

TEST(AdaptiveStopTest, SingleStreamWatchesTheP90) {
  // 90 fast samples and 10 slow ones: the median is rock steady, the p90
  // straddles the two groups, so only the median watcher stops at once.
  std::vector<double> samples;
  for (int i = 0; i < 100; ++i) samples.push_back(i % 10 == 9 ? 5e6 : 1e6);
  AdaptiveStop median(MakeBudget(60, 100, 0, 30, 0.01), 0.5);
  AdaptiveStop p90(MakeBudget(60, 100, 0, 30, 0.01), 0.9);
  int median_n = 0, p90_n = 0;
  for (double s : samples) {
    ++median_n;
    if (median.Add(s, 1, 0)) break;
  }
  for (double s : samples) {
    ++p90_n;
    if (p90.Add(s, 1, 0)) break;
  }
  EXPECT_EQ(median_n, 60);
  EXPECT_EQ(median.reason(), v1::STOP_REASON_STABLE);
  EXPECT_EQ(p90_n, 100);
  EXPECT_EQ(p90.reason(), v1::STOP_REASON_MAX_ITERATIONS);
}

}  // namespace
}  // namespace benchfleet::runner
