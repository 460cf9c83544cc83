#include "analysis/summary_stats.h"

#include <cmath>
#include <limits>

#include <cmath>

#include "gtest/gtest.h"

namespace benchfleet::analysis {
namespace {

TEST(QuantileTest, InterpolatesLikeNumpy) {
  // numpy.quantile([1, 2, 3, 4], [0.5, 0.9, 0.25]) = [2.5, 3.7, 1.75].
  const std::vector<double> v = {1, 2, 3, 4};
  EXPECT_DOUBLE_EQ(Quantile(v, 0.5), 2.5);
  EXPECT_NEAR(Quantile(v, 0.9), 3.7, 1e-12);
  EXPECT_DOUBLE_EQ(Quantile(v, 0.25), 1.75);
  EXPECT_DOUBLE_EQ(Quantile(v, 0.0), 1.0);
  EXPECT_DOUBLE_EQ(Quantile(v, 1.0), 4.0);
}

TEST(QuantileTest, EmptyIsNaN) { EXPECT_TRUE(std::isnan(Quantile({}, 0.5))); }

TEST(SummarizeTest, MillisecondsFromNanoseconds) {
  // Durations 1..5 ms, unsorted. statistics.stdev([1,2,3,4,5]) = 1.5811388.
  const auto stats =
      Summarize({3'000'000, 1'000'000, 5'000'000, 2'000'000, 4'000'000});
  EXPECT_EQ(stats.n(), 5);
  EXPECT_DOUBLE_EQ(stats.median_ms(), 3.0);
  EXPECT_DOUBLE_EQ(stats.mean_ms(), 3.0);
  EXPECT_DOUBLE_EQ(stats.min_ms(), 1.0);
  EXPECT_NEAR(stats.p90_ms(), 4.6, 1e-9);
  EXPECT_NEAR(stats.p99_ms(), 4.96, 1e-9);
  EXPECT_NEAR(stats.iqr_ms(), 2.0, 1e-9);
  EXPECT_NEAR(stats.stddev_ms(), 1.5811388300841898, 1e-9);
  EXPECT_NEAR(stats.cv(), 1.5811388300841898 / 3.0, 1e-9);
  EXPECT_TRUE(IsUnstable(stats));
}

TEST(SummarizeTest, EmptyAndSingle) {
  EXPECT_EQ(Summarize({}).n(), 0);
  EXPECT_FALSE(IsUnstable(Summarize({})));
  const auto one = Summarize({2'000'000});
  EXPECT_DOUBLE_EQ(one.median_ms(), 2.0);
  EXPECT_DOUBLE_EQ(one.stddev_ms(), 0.0);
  EXPECT_FALSE(IsUnstable(one));
}

TEST(SummarizeTest, TightSamplesAreStable) {
  std::vector<int64_t> d;
  for (int i = 0; i < 100; ++i) d.push_back(10'000'000 + (i % 5) * 10'000);
  EXPECT_FALSE(IsUnstable(Summarize(d)));
}

TEST(MedianOfNumbersTest, SkipsNaNInAnyOrder) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  EXPECT_DOUBLE_EQ(MedianOfNumbers({3, nan, 1, 2}), 2);
  EXPECT_DOUBLE_EQ(MedianOfNumbers({4, 1}), 2.5);
  EXPECT_TRUE(std::isnan(MedianOfNumbers({nan})));
  EXPECT_TRUE(std::isnan(MedianOfNumbers({})));
}

}  // namespace
}  // namespace benchfleet::analysis
