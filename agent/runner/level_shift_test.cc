#include "agent/runner/level_shift.h"

#include <random>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace benchfleet::runner {
namespace {

using ::testing::ContainsRegex;
using ::testing::HasSubstr;

// `n` samples around `level_ms` with 1% Gaussian noise, seeded.
std::vector<int64_t> Noisy(size_t n, double level_ms, uint32_t seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<double> noise(0.0, 0.01 * level_ms);
  std::vector<int64_t> out;
  for (size_t i = 0; i < n; ++i)
    out.push_back(static_cast<int64_t>((level_ms + noise(rng)) * 1e6));
  return out;
}

TEST(LevelShiftTest, SteadySeriesHasNone) {
  EXPECT_EQ(LevelShiftWarning(Noisy(200, 55.0, 1)), std::nullopt);
  EXPECT_EQ(LevelShiftWarning(Noisy(5000, 10.0, 2)), std::nullopt);
  EXPECT_EQ(LevelShiftWarning(std::vector<int64_t>(50, 1000000)),
            std::nullopt);
}

TEST(LevelShiftTest, TooShortToTell) {
  std::vector<int64_t> s = Noisy(4, 50.0, 3);
  const std::vector<int64_t> high = Noisy(4, 70.0, 4);
  s.insert(s.end(), high.begin(), high.end());
  EXPECT_EQ(LevelShiftWarning(s), std::nullopt);  // 8 samples
}

TEST(LevelShiftTest, NamesBothLevelsAndWhere) {
  // ResNet-50 on the development VM: 55 ms, then 64.7 ms from sample 61.
  std::vector<int64_t> s = Noisy(60, 55.0, 5);
  const std::vector<int64_t> slow = Noisy(40, 64.7, 6);
  s.insert(s.end(), slow.begin(), slow.end());
  const std::optional<std::string> w = LevelShiftWarning(s);
  ASSERT_TRUE(w.has_value());
  EXPECT_THAT(*w, HasSubstr("at sample 61 of 100"));
  EXPECT_THAT(*w, HasSubstr("(+18%)"));
  EXPECT_THAT(*w, ContainsRegex("from 5[45]\\.[0-9]+ ms to 64\\.[0-9]+ ms"));
}

TEST(LevelShiftTest, SmallOrShortLivedStepsAreNotShifts) {
  // A 7% step is under the 10% floor.
  std::vector<int64_t> s = Noisy(100, 50.0, 7);
  const std::vector<int64_t> up = Noisy(100, 53.5, 8);
  s.insert(s.end(), up.begin(), up.end());
  EXPECT_EQ(LevelShiftWarning(s), std::nullopt);
  // Three slow samples are outliers, not a level.
  std::vector<int64_t> t = Noisy(200, 50.0, 9);
  t[100] = t[101] = t[102] = 80000000;
  EXPECT_EQ(LevelShiftWarning(t), std::nullopt);
}

TEST(LevelShiftTest, LongSeriesAreSearchedInBlocks) {
  // 6000 samples of a 2 ms forward that becomes 1.6 ms at sample 4001.
  std::vector<int64_t> s = Noisy(4000, 2.0, 10);
  const std::vector<int64_t> fast = Noisy(2000, 1.6, 11);
  s.insert(s.end(), fast.begin(), fast.end());
  const std::optional<std::string> w = LevelShiftWarning(s);
  ASSERT_TRUE(w.has_value());
  EXPECT_THAT(*w, HasSubstr("at sample 4001 of 6000"));
  EXPECT_THAT(*w, HasSubstr("(-20%)"));
}

}  // namespace
}  // namespace benchfleet::runner
