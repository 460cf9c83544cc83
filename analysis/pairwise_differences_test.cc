#include "analysis/pairwise_differences.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include "gtest/gtest.h"

namespace benchfleet::analysis {
namespace {

std::vector<double> AllDifferencesSorted(const std::vector<double>& x,
                                         const std::vector<double>& y) {
  std::vector<double> d;
  for (double a : x) {
    for (double b : y) d.push_back(a - b);
  }
  std::sort(d.begin(), d.end());
  return d;
}

// Every k against a full sort, bit for bit: continuous values, heavy ties
// (values on a coarse grid, so many equal differences), n = 1 or m = 1.
void ExpectEveryOrderStatistic(const std::vector<double>& x,
                               const std::vector<double>& y) {
  const std::vector<double> sorted = AllDifferencesSorted(x, y);
  const PairwiseDifferences d(x, y);
  ASSERT_EQ(d.size(), static_cast<int64_t>(sorted.size()));
  for (int64_t k = 1; k <= d.size(); ++k) {
    const double got = d.KthSmallest(k);
    ASSERT_EQ(got, sorted[k - 1]) << "k=" << k;
    ASSERT_EQ(std::signbit(got), std::signbit(sorted[k - 1])) << "k=" << k;
  }
}

TEST(PairwiseDifferencesTest, MatchesAFullSortOnSeededInputs) {
  std::mt19937_64 rng(7);
  std::lognormal_distribution<double> lognormal(2.0, 0.3);
  std::uniform_int_distribution<int> grid(-4, 4);
  std::uniform_int_distribution<int> size(1, 40);
  for (int trial = 0; trial < 200; ++trial) {
    const int n = size(rng);
    const int m = size(rng);
    std::vector<double> x(n), y(m);
    const bool ties = trial % 2 == 1;
    for (double& v : x) v = ties ? 0.25 * grid(rng) : std::log(lognormal(rng));
    for (double& v : y) v = ties ? 0.25 * grid(rng) : std::log(lognormal(rng));
    SCOPED_TRACE(testing::Message() << "trial " << trial << " n=" << n
                                    << " m=" << m);
    ExpectEveryOrderStatistic(x, y);
  }
}

TEST(PairwiseDifferencesTest, SinglePairsAndAllTied) {
  ExpectEveryOrderStatistic({3.5}, {1.25});
  ExpectEveryOrderStatistic({1.0}, {2.0, -7.5, 2.0});
  ExpectEveryOrderStatistic({5, 5, 5}, {5, 5});
  // Differences of either sign and exact zeros.
  ExpectEveryOrderStatistic({-1e300, 0, 1e-300, 2}, {-1e-300, 0, 1e300});
}

}  // namespace
}  // namespace benchfleet::analysis
