#include "analysis/resample_ranks.h"

#include <cmath>
#include <limits>
#include <random>
#include <vector>

#include "analysis/correlation.h"
#include "gtest/gtest.h"

namespace benchfleet::analysis {
namespace {

// Bit for bit against AverageRanks of the resampled values, on seeded draws
// of continuous values, values with many ties, and +-inf.
TEST(ResampleRankerTest, SameAsRankingEachResample) {
  std::mt19937_64 rng(3);
  std::uniform_int_distribution<int> size(1, 50);
  std::uniform_int_distribution<int> coarse(0, 3);
  std::normal_distribution<double> normal(0, 1);
  const double inf = std::numeric_limits<double>::infinity();
  for (int trial = 0; trial < 300; ++trial) {
    const size_t n = size(rng);
    std::vector<double> values(n);
    for (double& v : values) {
      switch (trial % 3) {
        case 0: v = normal(rng); break;
        case 1: v = coarse(rng); break;
        default: v = coarse(rng) == 0 ? -inf : (coarse(rng) == 1 ? inf : 1.5);
      }
    }
    ResampleRanker ranker(values);
    std::uniform_int_distribution<size_t> pick(0, n - 1);
    std::vector<size_t> draw(n);
    std::vector<double> drawn(n), ranks;
    for (int b = 0; b < 5; ++b) {
      for (size_t i = 0; i < n; ++i) {
        draw[i] = pick(rng);
        drawn[i] = values[draw[i]];
      }
      ranker.Rank(draw, &ranks);
      const std::vector<double> want = AverageRanks(drawn);
      ASSERT_EQ(ranks, want) << "trial " << trial << " resample " << b;
    }
  }
}

TEST(ResampleRankerTest, OneValueAndAllTied) {
  ResampleRanker one(std::vector<double>{4.0});
  std::vector<double> ranks;
  one.Rank(std::vector<size_t>{0, 0, 0}, &ranks);
  EXPECT_EQ(ranks, (std::vector<double>{2, 2, 2}));
  ResampleRanker tied(std::vector<double>{1, 1, 2});
  tied.Rank(std::vector<size_t>{2, 0, 1, 2}, &ranks);
  EXPECT_EQ(ranks, (std::vector<double>{3.5, 1.5, 1.5, 3.5}));
}

}  // namespace
}  // namespace benchfleet::analysis
