#include "analysis/change_point.h"

#include <cmath>
#include <limits>
#include <random>

#include "gtest/gtest.h"

namespace benchfleet::analysis {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Nightly medians (ms): six nights near 10, then six near 11.5.
const std::vector<double> kStep = {10.0, 10.1, 9.9,  10.05, 9.95,  10.02,
                                   11.5, 11.6, 11.4, 11.55, 11.45, 11.5};

// Reference: scipy 1.10.1,
// scipy.stats.median_abs_deviation(numpy.diff(kStep), scale='normal')
//   / numpy.sqrt(2) = 0.08386864660060252.
TEST(RobustNoiseSigmaTest, MatchesScipyMadOfDifferences) {
  EXPECT_NEAR(RobustNoiseSigma(kStep), 0.08386864660060252, 1e-14);
  EXPECT_EQ(RobustNoiseSigma(std::vector<double>{1, 2}), 0.0);
  EXPECT_EQ(RobustNoiseSigma(std::vector<double>{3, 3, 3, 3}), 0.0);
}

TEST(FindChangePointsTest, OneStep) {
  const std::vector<ChangePoint> c = FindChangePoints(kStep);
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0].index, 6u);
  EXPECT_DOUBLE_EQ(c[0].before, 10.01);  // median of the first six
  EXPECT_DOUBLE_EQ(c[0].after, 11.5);
  EXPECT_NEAR(c[0].relative, 1.49 / 10.01, 1e-12);
  EXPECT_NEAR(c[0].sigmas, 1.49 / 0.08386864660060252, 1e-9);
  // z = step / (sqrt(pi/2) sigma sqrt(1/6 + 1/6)).
  EXPECT_NEAR(
      c[0].z,
      1.49 / (1.2533141373155003 * 0.08386864660060252 * std::sqrt(1.0 / 3)),
      1e-9);
}

// A made-up noise sequence: x_i = level + 0.05 * sin(2.3 i) (deterministic).
std::vector<double> Noisy(const std::vector<std::pair<int, double>>& levels) {
  std::vector<double> x;
  for (const auto& [count, level] : levels) {
    for (int i = 0; i < count; ++i) {
      x.push_back(level + 0.05 * std::sin(2.3 * x.size()));
    }
  }
  return x;
}

TEST(FindChangePointsTest, UpThenDown) {
  const std::vector<double> x = Noisy({{10, 5.0}, {8, 6.0}, {12, 5.2}});
  const std::vector<ChangePoint> c = FindChangePoints(x);
  ASSERT_EQ(c.size(), 2u);
  EXPECT_EQ(c[0].index, 10u);
  EXPECT_EQ(c[1].index, 18u);
  EXPECT_NEAR(c[0].before, 5.0, 0.05);
  EXPECT_NEAR(c[0].after, 6.0, 0.05);
  EXPECT_NEAR(c[1].after, 5.2, 0.05);
  EXPECT_LT(c[1].relative, 0);
}

TEST(FindChangePointsTest, OneBadNightIsNotAChange) {
  std::vector<double> x = Noisy({{20, 5.0}});
  x[9] = 9.0;  // a single outlier
  EXPECT_TRUE(FindChangePoints(x).empty());
  x[10] = 9.0;  // two in a row: still shorter than min_segment = 3
  EXPECT_TRUE(FindChangePoints(x).empty());
}

TEST(FindChangePointsTest, NoiseFreeSeriesUseTheRelativeFloor) {
  std::vector<double> small(6, 100.0), large(6, 100.0);
  for (int i = 0; i < 6; ++i) {
    small.push_back(101.0);  // 1%: below the 2% floor
    large.push_back(103.0);  // 3%
  }
  EXPECT_TRUE(FindChangePoints(small).empty());
  const std::vector<ChangePoint> c = FindChangePoints(large);
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0].index, 6u);
  EXPECT_TRUE(std::isinf(c[0].sigmas));  // sigma is 0
  EXPECT_TRUE(FindChangePoints(std::vector<double>(20, 7.0)).empty());
}

// 400 nights of Gaussian noise (Box-Muller on std::mt19937_64, so the
// series is the same everywhere) around 50 ms, sigma 1%: no step.
TEST(FindChangePointsTest, PureNoiseHasNoChange) {
  std::mt19937_64 rng(2024);
  auto uniform = [&rng]() { return (rng() >> 11) * 0x1.0p-53 + 0x1.0p-54; };
  std::vector<double> x;
  for (int i = 0; i < 400; ++i) {
    const double z = std::sqrt(-2 * std::log(uniform())) *
                     std::cos(6.283185307179586 * uniform());
    x.push_back(50 + 0.5 * z);
  }
  EXPECT_NEAR(RobustNoiseSigma(x), 0.5, 0.1);
  EXPECT_TRUE(FindChangePoints(x).empty());
  // The same noise with a 3% step on night 250 is found within a night.
  for (size_t i = 250; i < x.size(); ++i) x[i] += 1.5;
  const std::vector<ChangePoint> c = FindChangePoints(x);
  ASSERT_EQ(c.size(), 1u);
  EXPECT_NEAR(static_cast<double>(c[0].index), 250, 1);
  EXPECT_NEAR(c[0].relative, 0.03, 0.01);
}

TEST(FindChangePointsTest, NaNNightsAreSkipped) {
  std::vector<double> x = kStep;
  x.insert(x.begin() + 2, kNaN);
  const std::vector<ChangePoint> c = FindChangePoints(x);
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0].index, 6u);  // index in the series without the NaN
}

TEST(FindChangePointsTest, ShortSeriesAndOptions) {
  EXPECT_TRUE(FindChangePoints(std::vector<double>{1, 1, 5, 5, 5}).empty());
  ChangePointOptions two;
  two.min_segment = 2;
  const std::vector<ChangePoint> c =
      FindChangePoints(std::vector<double>{1, 1, 5, 5, 5}, two);
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0].index, 2u);
  ChangePointOptions invalid;
  invalid.min_segment = 0;
  EXPECT_TRUE(FindChangePoints(kStep, invalid).empty());
  ChangePointOptions strict;
  strict.threshold_z = 50;  // the step's z is about 24.5
  EXPECT_TRUE(FindChangePoints(kStep, strict).empty());
}

TEST(FindChangePointsTest, MaxChangePointsKeepsTheStrongest) {
  const std::vector<double> x = Noisy({{6, 5.0}, {6, 8.0}, {6, 8.5}, {6, 5.0}});
  ChangePointOptions one;
  one.max_change_points = 1;
  const std::vector<ChangePoint> c = FindChangePoints(x, one);
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(FindChangePoints(x).size(), 3u);
}

}  // namespace
}  // namespace benchfleet::analysis
