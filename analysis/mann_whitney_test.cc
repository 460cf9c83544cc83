#include "analysis/mann_whitney.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <vector>

#include "analysis/distributions.h"
#include "gtest/gtest.h"

namespace benchfleet::analysis {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

void ExpectRel(double actual, double expected, double rel) {
  EXPECT_NEAR(actual, expected, std::max(rel * std::fabs(expected), 1e-300))
      << "expected " << expected;
}

// Step times (ms): the candidate is about 9% slower, no overlap.
const std::vector<double> kBase = {10.1, 10.3, 9.9,   10.0,
                                   10.2, 10.4, 10.05, 9.95};
const std::vector<double> kSlow = {11.0, 10.9, 11.2,  10.8,
                                   11.1, 11.3, 10.95, 11.05};
// Heavy overlap, 0.5% apart.
const std::vector<double> kBase2 = {20.1, 19.8, 20.5, 20.0, 19.9,
                                    20.3, 20.2, 19.7, 20.4, 20.0};
const std::vector<double> kCand2 = {20.2, 19.9, 20.6, 20.1, 19.8,
                                    20.3, 20.5, 19.9, 20.1, 20.2};

// Reference: scipy 1.10.1, scipy.stats.mannwhitneyu(x, y,
// use_continuity=True, alternative='two-sided', method='asymptotic'),
// statistic (U of x) and pvalue.
TEST(MannWhitneyTest, SeparatedSamples) {
  const MannWhitneyResult r = MannWhitneyU(kBase, kSlow);
  EXPECT_EQ(r.u1, 0.0);
  ExpectRel(r.p_value, 0.0009391056991171899, 1e-10);
  EXPECT_EQ(r.n1, 8);
  EXPECT_EQ(r.n2, 8);
  EXPECT_LT(r.z, 0);
  // Swapping the samples: U1 becomes n1 n2 - U1, same p.
  const MannWhitneyResult s = MannWhitneyU(kSlow, kBase);
  EXPECT_EQ(s.u1, 64.0);
  ExpectRel(s.p_value, 0.0009391056991171899, 1e-10);
}

// Textbook ties: x = [1,2,2,3,3,4], y = [2,3,3,4,5,5,6]; the tie term
// sum(t^3 - t) enters the variance.
TEST(MannWhitneyTest, TiesCorrectTheVariance) {
  const MannWhitneyResult r =
      MannWhitneyU(std::vector<double>{1, 2, 2, 3, 3, 4},
                   std::vector<double>{2, 3, 3, 4, 5, 5, 6});
  EXPECT_EQ(r.u1, 8.5);
  ExpectRel(r.p_value, 0.07955880723023916, 1e-10);
}

TEST(MannWhitneyTest, OverlappingSamples) {
  const MannWhitneyResult r = MannWhitneyU(kBase2, kCand2);
  EXPECT_EQ(r.u1, 42.5);
  ExpectRel(r.p_value, 0.5944752090126233, 1e-10);
}

// scipy gives statistic 6.0, pvalue 1.0 for [5,5,5] vs [5,5,5,5].
TEST(MannWhitneyTest, AllTiedIsPOne) {
  const MannWhitneyResult r = MannWhitneyU(std::vector<double>{5, 5, 5},
                                           std::vector<double>{5, 5, 5, 5});
  EXPECT_EQ(r.u1, 6.0);
  EXPECT_EQ(r.p_value, 1.0);
}

TEST(MannWhitneyTest, EmptyAndNonFinite) {
  const MannWhitneyResult empty =
      MannWhitneyU(std::vector<double>{}, std::vector<double>{1, 2});
  EXPECT_TRUE(std::isnan(empty.u1));
  EXPECT_TRUE(std::isnan(empty.p_value));
  // NaN and inf are dropped: same as the separated case.
  std::vector<double> base = kBase;
  base.push_back(kNaN);
  std::vector<double> slow = kSlow;
  slow.push_back(std::numeric_limits<double>::infinity());
  const MannWhitneyResult r = MannWhitneyU(base, slow);
  EXPECT_EQ(r.n1, 8);
  EXPECT_EQ(r.n2, 8);
  ExpectRel(r.p_value, 0.0009391056991171899, 1e-10);
}

// Reference: numpy, d = sorted(log(c_i) - log(b_j)); estimate exp(median(d));
// k = floor(n1 n2 / 2 - norm.ppf(0.975) sqrt(n1 n2 (n1 + n2 + 1) / 12));
// bounds exp(d[k-1]), exp(d[N-k]). (scipy has no Hodges-Lehmann; the k
// formula is the large-sample one of Hollander & Wolfe 1999, ch. 4.)
TEST(HodgesLehmannTest, RatioAndInterval) {
  auto r = HodgesLehmannRatio(kBase, kSlow, 0.95);
  ASSERT_TRUE(r.ok()) << r.status();
  ExpectRel(r->ratio, 1.0924831128833037, 1e-12);
  ExpectRel(r->ci.lower, 1.0693069306930691, 1e-12);  // k = 13
  ExpectRel(r->ci.upper, 1.1111111111111112, 1e-12);
  auto o = HodgesLehmannRatio(kBase2, kCand2, 0.95);
  ASSERT_TRUE(o.ok());
  ExpectRel(o->ratio, 1.0049628096383563, 1e-12);
  ExpectRel(o->ci.lower, 0.9901477832512313, 1e-12);  // k = 24
  ExpectRel(o->ci.upper, 1.0151515151515151, 1e-12);
}

// The definition, by brute force: every difference built and sorted.
RatioEstimate HodgesLehmannBySorting(const std::vector<double>& baseline,
                                     const std::vector<double>& candidate,
                                     double level) {
  std::vector<double> d;
  for (double c : candidate) {
    for (double b : baseline) d.push_back(std::log(c) - std::log(b));
  }
  std::sort(d.begin(), d.end());
  const double n1 = static_cast<double>(candidate.size());
  const double n2 = static_cast<double>(baseline.size());
  const int64_t total = static_cast<int64_t>(d.size());
  const double position = 0.5 * static_cast<double>(total - 1);
  const size_t lower = static_cast<size_t>(std::floor(position));
  const size_t upper = std::min<size_t>(lower + 1, d.size() - 1);
  RatioEstimate out;
  out.ratio = std::exp(d[lower] + (position - std::floor(position)) *
                                      (d[upper] - d[lower]));
  const double z = NormalQuantile(0.5 + level / 2);
  int64_t k = static_cast<int64_t>(
      std::floor(n1 * n2 / 2 - z * std::sqrt(n1 * n2 * (n1 + n2 + 1) / 12)));
  k = std::clamp<int64_t>(k, 1, total);
  out.ci.lower = std::exp(d[k - 1]);
  out.ci.upper = std::exp(d[total - k]);
  return out;
}

// Bit for bit against the brute force on seeded samples: continuous step
// times, times on a 0.5 ms grid (many tied differences), odd and even n1 n2.
TEST(HodgesLehmannTest, SameAsSortingEveryDifference) {
  std::mt19937_64 rng(12);
  std::lognormal_distribution<double> lognormal(3.0, 0.2);
  std::uniform_int_distribution<int> size(2, 60);
  for (int trial = 0; trial < 100; ++trial) {
    std::vector<double> b(size(rng)), c(size(rng));
    const bool grid = trial % 2 == 1;
    for (double& v : b) v = lognormal(rng);
    for (double& v : c) v = 1.1 * lognormal(rng);
    if (grid) {
      for (double& v : b) v = 0.5 * std::ceil(v / 0.5);
      for (double& v : c) v = 0.5 * std::ceil(v / 0.5);
    }
    const double level = trial % 3 == 0 ? 0.9 : 0.95;
    SCOPED_TRACE(testing::Message() << "trial " << trial);
    auto got = HodgesLehmannRatio(b, c, level);
    ASSERT_TRUE(got.ok()) << got.status();
    const RatioEstimate want = HodgesLehmannBySorting(b, c, level);
    EXPECT_EQ(got->ratio, want.ratio);
    EXPECT_EQ(got->ci.lower, want.ci.lower);
    EXPECT_EQ(got->ci.upper, want.ci.upper);
    auto v = CompareSamples(b, c);
    ASSERT_TRUE(v.ok());
    if (v->verdict == Verdict::kInsufficientData) continue;  // 2 a side
    const RatioEstimate want95 = HodgesLehmannBySorting(b, c, 0.95);
    EXPECT_EQ(v->ci.lower, want95.ci.lower);
    EXPECT_EQ(v->ci.upper, want95.ci.upper);
  }
}

TEST(HodgesLehmannTest, RejectsNonPositiveAndBadLevel) {
  EXPECT_EQ(
      HodgesLehmannRatio(std::vector<double>{1, 0}, kSlow).status().code(),
      absl::StatusCode::kInvalidArgument);
  EXPECT_FALSE(HodgesLehmannRatio(kBase, kSlow, 1.5).ok());
  auto one = HodgesLehmannRatio(std::vector<double>{1}, kSlow);
  ASSERT_TRUE(one.ok());
  EXPECT_TRUE(std::isnan(one->ci.lower));
}

TEST(CompareSamplesTest, RegressionWhenSignificantAndLarge) {
  auto v = CompareSamples(kBase, kSlow);
  ASSERT_TRUE(v.ok()) << v.status();
  EXPECT_EQ(v->verdict, Verdict::kRegression);
  // numpy.median(kSlow) / numpy.median(kBase).
  ExpectRel(v->ratio, 1.0942928039702233, 1e-12);
  ExpectRel(v->p_value, 0.0009391056991171899, 1e-10);
  EXPECT_EQ(v->u1, 0.0);  // U of the baseline: every baseline value is lower
  ExpectRel(v->ci.lower, 1.0693069306930691, 1e-12);
  EXPECT_DOUBLE_EQ(v->ci.level, 0.95);
  EXPECT_EQ(v->reason, "median +9.4%, p=0.000939 (lower is better)");
}

TEST(CompareSamplesTest, ImprovementAndThroughputDirection) {
  auto faster = CompareSamples(kSlow, kBase);
  ASSERT_TRUE(faster.ok());
  EXPECT_EQ(faster->verdict, Verdict::kImprovement);
  RegressionOptions throughput;
  throughput.higher_is_better = true;
  auto fewer_items = CompareSamples(kSlow, kBase, throughput);
  ASSERT_TRUE(fewer_items.ok());
  EXPECT_EQ(fewer_items->verdict, Verdict::kRegression);
}

TEST(CompareSamplesTest, UnchangedWhenNotSignificant) {
  auto v = CompareSamples(kBase2, kCand2);
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->verdict, Verdict::kUnchanged);
  ExpectRel(v->ratio, 1.0049875311720697, 1e-12);
  EXPECT_EQ(v->reason, "median +0.5%, p=0.594 (not significant at alpha=0.05)");
}

// b = 100 + 0.1 i, c = 102 + 0.1 i (i < 20): p = 6.8e-8 (scipy, as above)
// but the medians differ by 1.98%: significant, not material.
TEST(CompareSamplesTest, UnchangedWhenBelowMinimumEffect) {
  std::vector<double> b, c;
  for (int i = 0; i < 20; ++i) {
    b.push_back(100 + 0.1 * i);
    c.push_back(102 + 0.1 * i);
  }
  auto v = CompareSamples(b, c);
  ASSERT_TRUE(v.ok());
  ExpectRel(v->p_value, 6.795615128173358e-08, 1e-9);
  ExpectRel(v->ratio, 1.0198117880138682, 1e-12);
  EXPECT_EQ(v->verdict, Verdict::kUnchanged);
  EXPECT_EQ(v->reason, "median +2.0%, p=6.8e-08 (below the 5% minimum effect)");
  RegressionOptions strict;
  strict.min_effect = 0.01;
  EXPECT_EQ(CompareSamples(b, c, strict)->verdict, Verdict::kRegression);
}

TEST(CompareSamplesTest, InsufficientDataAndInvalidOptions) {
  auto v = CompareSamples(std::vector<double>{10, 11}, kSlow);
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->verdict, Verdict::kInsufficientData);
  EXPECT_TRUE(std::isnan(v->p_value));
  EXPECT_EQ(v->reason,
            "2 baseline and 8 candidate values; need 3 on each side");
  RegressionOptions bad;
  bad.alpha = 0;
  EXPECT_EQ(CompareSamples(kBase, kSlow, bad).status().code(),
            absl::StatusCode::kInvalidArgument);
  bad = {};
  bad.min_effect = -0.1;
  EXPECT_FALSE(CompareSamples(kBase, kSlow, bad).ok());
  EXPECT_FALSE(CompareSamples(std::vector<double>{-1, 2, 3}, kSlow).ok());
  EXPECT_EQ(VerdictName(Verdict::kInsufficientData), "insufficient data");
}

}  // namespace
}  // namespace benchfleet::analysis
