#include "analysis/distributions.h"

#include <cmath>
#include <limits>

#include "gtest/gtest.h"

namespace benchfleet::analysis {
namespace {

// |actual - expected| <= rel * |expected| (or 1e-300 for expected 0).
void ExpectRel(double actual, double expected, double rel) {
  EXPECT_NEAR(actual, expected, std::max(rel * std::fabs(expected), 1e-300))
      << "expected " << expected;
}

// Reference values: scipy 1.10.1 (Debian bookworm python3-scipy),
// scipy.special.betainc(a, b, x).
TEST(RegularizedIncompleteBetaTest, MatchesScipyBetainc) {
  ExpectRel(RegularizedIncompleteBeta(0.5, 0.5, 0.3), 0.3690101195655454,
            1e-12);
  ExpectRel(RegularizedIncompleteBeta(2, 3, 0.4), 0.5247999999999999, 1e-12);
  ExpectRel(RegularizedIncompleteBeta(5, 0.5, 0.9), 0.316642915020012, 1e-12);
  ExpectRel(RegularizedIncompleteBeta(10, 0.5, 0.2), 1.994982493613095e-08,
            1e-11);
  ExpectRel(RegularizedIncompleteBeta(50, 0.5, 0.95), 0.02387270549699073,
            1e-11);
  ExpectRel(RegularizedIncompleteBeta(5000, 0.5, 0.999), 0.0015615791602887161,
            1e-9);
  ExpectRel(RegularizedIncompleteBeta(0.5, 10, 0.01), 0.3420718248432155,
            1e-12);
  ExpectRel(RegularizedIncompleteBeta(3, 3, 0.5), 0.5, 1e-14);
}

TEST(RegularizedIncompleteBetaTest, EdgesAndDomain) {
  EXPECT_EQ(RegularizedIncompleteBeta(2, 3, 0), 0.0);
  EXPECT_EQ(RegularizedIncompleteBeta(2, 3, 1), 1.0);
  EXPECT_TRUE(std::isnan(RegularizedIncompleteBeta(-1, 3, 0.5)));
  EXPECT_TRUE(std::isnan(RegularizedIncompleteBeta(2, 0, 0.5)));
  EXPECT_TRUE(std::isnan(RegularizedIncompleteBeta(2, 3, 1.5)));
  EXPECT_TRUE(std::isnan(RegularizedIncompleteBeta(2, 3, std::nan(""))));
}

// scipy: 2 * scipy.stats.t.sf(abs(t), dof).
TEST(StudentTTest, MatchesScipy) {
  ExpectRel(StudentTTwoSidedP(2.5, 10), 0.031446844236608776, 1e-11);
  EXPECT_DOUBLE_EQ(StudentTTwoSidedP(0.0, 5), 1.0);
  ExpectRel(StudentTTwoSidedP(1.0, 1), 0.49999999999999956, 1e-12);
  ExpectRel(StudentTTwoSidedP(-3.2, 28), 0.003405127700048432, 1e-11);
  ExpectRel(StudentTTwoSidedP(12.0, 198), 2.7493092110675606e-25, 1e-9);
  ExpectRel(StudentTTwoSidedP(0.7, 3), 0.5343269983047636, 1e-12);
  EXPECT_EQ(StudentTTwoSidedP(std::numeric_limits<double>::infinity(), 3), 0);
  EXPECT_TRUE(std::isnan(StudentTTwoSidedP(1.0, 0)));
  EXPECT_TRUE(std::isnan(StudentTTwoSidedP(std::nan(""), 3)));
}

TEST(StudentTTest, CorrelationFormAgreesWithT) {
  // t = r sqrt(dof / (1 - r^2)).
  for (double r : {-0.9, -0.3, 0.0, 0.2, 0.75, 0.99}) {
    const double dof = 8;
    const double t = r * std::sqrt(dof / (1 - r * r));
    ExpectRel(CorrelationTwoSidedP(r, dof), StudentTTwoSidedP(t, dof), 1e-12);
  }
  EXPECT_EQ(CorrelationTwoSidedP(1.0, 8), 0.0);
  EXPECT_EQ(CorrelationTwoSidedP(-1.0, 8), 0.0);
}

// scipy: scipy.stats.norm.sf(z) and 2 * norm.sf(abs(z)).
TEST(NormalTest, TailsMatchScipy) {
  EXPECT_DOUBLE_EQ(NormalSf(0), 0.5);
  ExpectRel(NormalSf(1.0), 0.15865525393145707, 1e-14);
  ExpectRel(NormalSf(-2.5), 0.9937903346742238, 1e-14);
  ExpectRel(NormalSf(5.0), 2.866515718791933e-07, 1e-13);
  ExpectRel(NormalSf(8.0), 6.22096057427174e-16, 1e-12);
  ExpectRel(NormalTwoSidedP(1.959963984540054), 0.05, 1e-13);
  ExpectRel(NormalTwoSidedP(-2.5), 0.012419330651552265, 1e-13);
  EXPECT_DOUBLE_EQ(NormalTwoSidedP(0), 1.0);
}

// scipy: scipy.stats.norm.ppf(p).
TEST(NormalTest, QuantileMatchesScipy) {
  EXPECT_NEAR(NormalQuantile(0.5), 0.0, 1e-15);
  ExpectRel(NormalQuantile(0.975), 1.959963984540054, 1e-14);
  ExpectRel(NormalQuantile(0.995), 2.5758293035489004, 1e-14);
  ExpectRel(NormalQuantile(0.025), -1.9599639845400545, 1e-14);
  ExpectRel(NormalQuantile(1e-10), -6.361340902404056, 1e-13);
  ExpectRel(NormalQuantile(0.9999999), 5.199337582290661, 1e-9);
  ExpectRel(NormalQuantile(0.3), -0.5244005127080409, 1e-14);
  EXPECT_EQ(NormalQuantile(0), -std::numeric_limits<double>::infinity());
  EXPECT_EQ(NormalQuantile(1), std::numeric_limits<double>::infinity());
  EXPECT_TRUE(std::isnan(NormalQuantile(1.5)));
}

}  // namespace
}  // namespace benchfleet::analysis
