#include "analysis/correlation.h"

#include <cmath>
#include <limits>
#include <random>

#include "gtest/gtest.h"

namespace benchfleet::analysis {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

void ExpectRel(double actual, double expected, double rel) {
  EXPECT_NEAR(actual, expected, std::max(rel * std::fabs(expected), 1e-300))
      << "expected " << expected;
}

// The seed study's model table: forward GFLOPs and memory footprint (MB) of
// resnet50, alexnet, mobilenet_v3, vgg19, squeezenet1_0, efficientnet_b7,
// googlenet, shufflenet, wideresnet101_2, inception_v3, with made-up CPU and
// GPU latencies (ms) that are not monotonic in FLOPs.
const std::vector<double> kFlops = {8.22,  1.43, 0.45, 39.29, 1.65,
                                    10.53, 3.01, 0.09, 45.59, 5.69};
const std::vector<double> kMem = {384.62, 242.03, 126.9, 787.31, 97.14,
                                  1330,   119.95, 30.85, 1030,   209.48};
const std::vector<double> kCpuMs = {41.2, 5.5,  14.0, 180.5, 12.3,
                                    95.0, 20.4, 3.2,  210.7, 38.9};
const std::vector<double> kGpuMs = {4.1,  1.2, 3.9, 9.8,  1.9,
                                    12.4, 4.4, 3.1, 10.2, 6.3};

struct Expected {
  double estimate;
  double p;
};

void ExpectResult(const absl::StatusOr<CorrelationResult>& r, Expected e,
                  int64_t n) {
  ASSERT_TRUE(r.ok()) << r.status();
  ExpectRel(r->estimate, e.estimate, 1e-12);
  ExpectRel(r->p_value, e.p, 1e-9);
  EXPECT_EQ(r->n, n);
}

// scipy.stats.rankdata([3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5]) (method='average').
TEST(AverageRanksTest, TiesShareTheirMeanRank) {
  const std::vector<double> ranks =
      AverageRanks(std::vector<double>{3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5});
  const std::vector<double> expected = {4.5, 1.5,  6.0, 1.5, 8.0, 11.0,
                                        3.0, 10.0, 8.0, 4.5, 8.0};
  EXPECT_EQ(ranks, expected);
}

TEST(AverageRanksTest, NaNIsNotRanked) {
  const std::vector<double> ranks =
      AverageRanks(std::vector<double>{2, kNaN, 1, 2});
  EXPECT_EQ(ranks[0], 2.5);
  EXPECT_TRUE(std::isnan(ranks[1]));
  EXPECT_EQ(ranks[2], 1.0);
  EXPECT_EQ(ranks[3], 2.5);
  EXPECT_EQ(TieGroupSizes(std::vector<double>{3, 1, 3, kNaN, 1, 1, 2}),
            (std::vector<int64_t>{3, 2}));
}

// scipy 1.10.1: scipy.stats.pearsonr(x, y), scipy.stats.spearmanr(x, y),
// scipy.stats.kendalltau(x, y, method='asymptotic'), statistic and pvalue.
TEST(CorrelationTest, SeedModelsFlopsVsCpuLatency) {
  ExpectResult(Pearson(kFlops, kCpuMs),
               {0.9830641100847324, 3.526601959097896e-07}, 10);
  ExpectResult(Spearman(kFlops, kCpuMs),
               {0.9636363636363635, 7.320974809529922e-06}, 10);
  ExpectResult(KendallTauB(kFlops, kCpuMs),
               {0.911111111111111, 0.00024526750741092027}, 10);
}

TEST(CorrelationTest, SeedModelsMemoryVsCpuLatency) {
  ExpectResult(Pearson(kMem, kCpuMs),
               {0.7978335928771593, 0.005680314468774766}, 10);
  ExpectResult(Spearman(kMem, kCpuMs),
               {0.8303030303030302, 0.0029402270232795065}, 10);
  ExpectResult(KendallTauB(kMem, kCpuMs),
               {0.6888888888888888, 0.005558919627070556}, 10);
}

TEST(CorrelationTest, SeedModelsGpuLatency) {
  ExpectResult(Pearson(kFlops, kGpuMs),
               {0.7082854980666126, 0.0218832078633779}, 10);
  ExpectResult(Spearman(kFlops, kGpuMs),
               {0.8303030303030302, 0.0029402270232795065}, 10);
  ExpectResult(KendallTauB(kFlops, kGpuMs),
               {0.6444444444444444, 0.009491096053440909}, 10);
  ExpectResult(Pearson(kMem, kGpuMs),
               {0.9153957236300696, 0.00020218965785310012}, 10);
  ExpectResult(Spearman(kMem, kGpuMs),
               {0.7212121212121211, 0.018573155089460208}, 10);
  ExpectResult(KendallTauB(kMem, kGpuMs), {0.6, 0.01573722226631099}, 10);
}

// Ties in both variables: x = [1,2,2,3,3,3,4,5], y = [2,1,3,3,5,4,4,6]; same
// scipy calls. Tau-b's tie-corrected denominator and variance both matter.
TEST(CorrelationTest, TiesInBothVariables) {
  const std::vector<double> x = {1, 2, 2, 3, 3, 3, 4, 5};
  const std::vector<double> y = {2, 1, 3, 3, 5, 4, 4, 6};
  ExpectResult(Pearson(x, y), {0.8219529433756427, 0.012293403928295385}, 8);
  ExpectResult(Spearman(x, y), {0.8386549236063445, 0.009270789550728685}, 8);
  ExpectResult(KendallTauB(x, y), {0.7205766921228922, 0.019060446724387958},
               8);
}

// n = 200, a weak negative association with p-values near 1e-7:
// i = numpy.arange(200); x = sin(0.7 i) + 0.01 i; y = -0.3 x + cos(1.3 i).
TEST(CorrelationTest, LargeSampleSmallPValues) {
  std::vector<double> x, y;
  for (int i = 0; i < 200; ++i) {
    x.push_back(std::sin(i * 0.7) + i * 0.01);
    y.push_back(-0.3 * x.back() + std::cos(i * 1.3));
  }
  ExpectResult(Pearson(x, y), {-0.35278093327562354, 2.999306340068592e-07},
               200);
  ExpectResult(Spearman(x, y), {-0.3394164854121353, 8.800152959668203e-07},
               200);
  ExpectResult(KendallTauB(x, y), {-0.244321608040201, 2.778866412623104e-07},
               200);
}

// NaN pairs are dropped: scipy.stats.spearmanr(x, y, nan_policy='omit') gives
// (0.8, 0.2) and pearsonr of the 4 complete pairs gives
// (0.95694266739468, 0.043057332605319854).
TEST(CorrelationTest, NaNPairsAreDropped) {
  const std::vector<double> x = {1, 2, kNaN, 4, 5, 6};
  const std::vector<double> y = {2, 1, 4, kNaN, 7, 8};
  ExpectResult(Spearman(x, y), {0.8, 0.1999999999999999}, 4);
  ExpectResult(Pearson(x, y), {0.95694266739468, 0.043057332605319854}, 4);
}

// scipy.stats.pearsonr([1, 2, 3], [1, 3, 2]) = (0.5, 0.6666666666666667).
TEST(CorrelationTest, ThreePairsIsEnough) {
  ExpectResult(
      Pearson(std::vector<double>{1, 2, 3}, std::vector<double>{1, 3, 2}),
      {0.5, 0.6666666666666667}, 3);
}

TEST(CorrelationTest, SmallOrConstantIsNaN) {
  for (CorrelationMethod m :
       {CorrelationMethod::kPearson, CorrelationMethod::kSpearman,
        CorrelationMethod::kKendallTauB}) {
    SCOPED_TRACE(CorrelationMethodName(m));
    auto two =
        Correlate(m, std::vector<double>{1, 2}, std::vector<double>{2, 1});
    ASSERT_TRUE(two.ok());
    EXPECT_TRUE(std::isnan(two->estimate));
    EXPECT_TRUE(std::isnan(two->p_value));
    EXPECT_EQ(two->n, 2);
    auto constant = Correlate(m, std::vector<double>{1, 2, 3, 4},
                              std::vector<double>{5, 5, 5, 5});
    ASSERT_TRUE(constant.ok());
    EXPECT_TRUE(std::isnan(constant->estimate));
    EXPECT_TRUE(std::isnan(constant->p_value));
    auto empty = Correlate(m, std::vector<double>{}, std::vector<double>{});
    ASSERT_TRUE(empty.ok());
    EXPECT_EQ(empty->n, 0);
  }
}

TEST(CorrelationTest, PerfectAssociation) {
  const std::vector<double> x = {1, 2, 3, 4, 5};
  const std::vector<double> y = {10, 20, 30, 40, 50};
  auto r = Pearson(x, y);
  ASSERT_TRUE(r.ok());
  EXPECT_DOUBLE_EQ(r->estimate, 1.0);
  EXPECT_EQ(r->p_value, 0.0);
  auto k = KendallTauB(x, std::vector<double>{5, 4, 3, 2, 1});
  ASSERT_TRUE(k.ok());
  EXPECT_DOUBLE_EQ(k->estimate, -1.0);
}

TEST(CorrelationTest, UnequalLengthsAreInvalid) {
  auto r = Spearman(std::vector<double>{1, 2, 3}, std::vector<double>{1, 2});
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
}

// The bootstrap's RNG is std::mt19937_64; the C++ standard fixes its 10000th
// output from the default seed (5489) at 9981545732273789042
// ([rand.predef]). The Python reference below re-implements it.
TEST(BootstrapTest, GeneratorIsTheStandardOne) {
  std::mt19937_64 rng;
  rng.discard(9999);
  EXPECT_EQ(rng(), 9981545732273789042ull);
}

// Reference: a pure-Python re-implementation of std::mt19937_64 and of the
// rejection-sampled index draw, with each resample's statistic from
// scipy.stats.spearmanr / pearsonr / kendalltau (NaN resamples skipped) and
// the bounds from numpy.quantile (linear). It reproduces the C++ numbers
// exactly, so these are the same resamples, not just the same distribution.
TEST(BootstrapTest, MatchesReferenceResampling) {
  BootstrapOptions options;
  options.resamples = 1000;
  options.level = 0.95;
  options.seed = 42;
  auto s = BootstrapCorrelationCi(kFlops, kCpuMs, CorrelationMethod::kSpearman,
                                  options);
  ASSERT_TRUE(s.ok()) << s.status();
  ExpectRel(s->lower, 0.7037037037037037, 1e-12);
  ExpectRel(s->upper, 1.0, 1e-12);
  EXPECT_EQ(s->resamples_used, 1000);
  EXPECT_EQ(s->level, 0.95);

  options.level = 0.9;
  options.seed = 7;
  auto p = BootstrapCorrelationCi(kMem, kCpuMs, CorrelationMethod::kPearson,
                                  options);
  ASSERT_TRUE(p.ok());
  ExpectRel(p->lower, 0.6741860510275692, 1e-12);
  ExpectRel(p->upper, 0.9888787669070022, 1e-12);

  options.resamples = 500;
  options.level = 0.95;
  options.seed = 123;
  auto k = BootstrapCorrelationCi(kFlops, kGpuMs,
                                  CorrelationMethod::kKendallTauB, options);
  ASSERT_TRUE(k.ok());
  ExpectRel(k->lower, 0.3327134146341467, 1e-12);
  ExpectRel(k->upper, 0.8999999999999998, 1e-12);
  EXPECT_EQ(k->resamples_used, 500);
}

// With n = 4 some resamples are constant (statistic undefined): 198 of 200
// are used. Same reference as above, seed 1, level 0.8.
TEST(BootstrapTest, SkipsUndefinedResamples) {
  BootstrapOptions options;
  options.resamples = 200;
  options.level = 0.8;
  options.seed = 1;
  auto s = BootstrapCorrelationCi(std::vector<double>{1, 2, 3, 4},
                                  std::vector<double>{1, 3, 2, 4},
                                  CorrelationMethod::kSpearman, options);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->resamples_used, 198);
  ExpectRel(s->lower, 0.3333333333333334, 1e-12);
  ExpectRel(s->upper, 1.0, 1e-12);
}

TEST(BootstrapTest, SeedDependentButDeterministic) {
  BootstrapOptions a;
  a.seed = 99;
  auto first =
      BootstrapCorrelationCi(kMem, kGpuMs, CorrelationMethod::kSpearman, a);
  auto again =
      BootstrapCorrelationCi(kMem, kGpuMs, CorrelationMethod::kSpearman, a);
  a.seed = 100;
  auto other =
      BootstrapCorrelationCi(kMem, kGpuMs, CorrelationMethod::kSpearman, a);
  ASSERT_TRUE(first.ok() && again.ok() && other.ok());
  EXPECT_EQ(first->lower, again->lower);
  EXPECT_EQ(first->upper, again->upper);
  EXPECT_TRUE(first->lower != other->lower || first->upper != other->upper);
  // The point estimate (0.721) lies inside.
  EXPECT_LT(first->lower, 0.7212);
  EXPECT_GT(first->upper, 0.7212);
}

TEST(BootstrapTest, InvalidOptionsAndTinySamples) {
  BootstrapOptions bad;
  bad.resamples = 0;
  EXPECT_EQ(
      BootstrapCorrelationCi(kFlops, kCpuMs, CorrelationMethod::kPearson, bad)
          .status()
          .code(),
      absl::StatusCode::kInvalidArgument);
  bad.resamples = 10;
  bad.level = 1.0;
  EXPECT_FALSE(
      BootstrapCorrelationCi(kFlops, kCpuMs, CorrelationMethod::kPearson, bad)
          .ok());
  auto tiny = BootstrapCorrelationCi(std::vector<double>{1, 2},
                                     std::vector<double>{1, 2},
                                     CorrelationMethod::kPearson, {});
  ASSERT_TRUE(tiny.ok());
  EXPECT_TRUE(std::isnan(tiny->lower));
  EXPECT_TRUE(std::isnan(tiny->upper));
}

TEST(CorrelationMatrixTest, SeedHeatmapVariables) {
  auto m = ComputeCorrelationMatrix({{"FLOPs", kFlops},
                                     {"Memory", kMem},
                                     {"CPU latency", kCpuMs},
                                     {"GPU latency", kGpuMs}},
                                    CorrelationMethod::kSpearman);
  ASSERT_TRUE(m.ok()) << m.status();
  ASSERT_EQ(m->names.size(), 4u);
  EXPECT_EQ(m->cells[0][0].estimate, 1.0);
  ExpectRel(m->cells[0][2].estimate, 0.9636363636363635, 1e-12);
  ExpectRel(m->cells[2][0].estimate, 0.9636363636363635, 1e-12);
  ExpectRel(m->cells[1][3].p_value, 0.018573155089460208, 1e-9);
  EXPECT_EQ(m->cells[3][1].n, 10);
}

TEST(CorrelationMatrixTest, PairwiseMissingAndErrors) {
  auto m = ComputeCorrelationMatrix(
      {{"a", {1, 2, 3, kNaN}}, {"b", {2, 1, 4, 3}}, {"c", {kNaN, kNaN, 1, 2}}},
      CorrelationMethod::kPearson);
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->cells[0][1].n, 3);
  EXPECT_EQ(m->cells[1][2].n, 2);
  EXPECT_TRUE(std::isnan(m->cells[1][2].estimate));
  EXPECT_TRUE(std::isnan(m->cells[2][2].estimate));  // only 2 values
  EXPECT_EQ(ComputeCorrelationMatrix({{"a", {1, 2}}, {"b", {1}}},
                                     CorrelationMethod::kPearson)
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_FALSE(ComputeCorrelationMatrix({}, CorrelationMethod::kPearson).ok());
}

TEST(BootstrapCorrelationMatrixCiTest, EqualsEveryPairsOwnBootstrap) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const std::vector<NamedVariable> vars = {
      {"a", {1, 2, 3, 4, 5, 6, 7}},
      {"b", {2, 1, 4, 3, 6, 5, 9}},
      {"c", {7, 3, 3, 1, 0, 2, 2}},
      {"d", {1, nan, 2, 5, 4, 3, 8}},  // its pairs resample on their own
      {"e", {4, 4, 4, 4, 4, 4, 4}}};  // constant: no interval
  BootstrapOptions options;
  options.resamples = 300;
  for (CorrelationMethod method :
       {CorrelationMethod::kPearson, CorrelationMethod::kSpearman,
        CorrelationMethod::kKendallTauB}) {
    absl::StatusOr<std::vector<std::vector<ConfidenceInterval>>> ci =
        BootstrapCorrelationMatrixCi(vars, method, options);
    ASSERT_TRUE(ci.ok()) << ci.status();
    ASSERT_EQ(ci->size(), vars.size());
    for (size_t i = 0; i < vars.size(); ++i) {
      EXPECT_TRUE(std::isnan((*ci)[i][i].lower));
      for (size_t j = i + 1; j < vars.size(); ++j) {
        absl::StatusOr<ConfidenceInterval> one = BootstrapCorrelationCi(
            vars[i].values, vars[j].values, method, options);
        ASSERT_TRUE(one.ok());
        const ConfidenceInterval& both = (*ci)[i][j];
        EXPECT_EQ(both.resamples_used, one->resamples_used) << i << "," << j;
        if (std::isnan(one->lower)) {
          EXPECT_TRUE(std::isnan(both.lower)) << i << "," << j;
        } else {
          EXPECT_EQ(both.lower, one->lower) << i << "," << j;  // bit for bit
          EXPECT_EQ(both.upper, one->upper) << i << "," << j;
        }
        EXPECT_TRUE((*ci)[j][i].lower == both.lower ||
                    (std::isnan((*ci)[j][i].lower) && std::isnan(both.lower)));
      }
    }
  }
  options.resamples = 0;
  EXPECT_EQ(BootstrapCorrelationMatrixCi(vars, CorrelationMethod::kSpearman, options)
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace benchfleet::analysis
