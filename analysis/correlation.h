// Correlation statistics for the fleet's "what predicts latency?" questions
// (the seed study's Q3 heatmap of Spearman coefficients between FLOPs,
// parameters, traffic, intensity, latency and throughput): Pearson's r,
// Spearman's rho, Kendall's tau-b, each with a two-sided p-value, percentile
// bootstrap confidence intervals, and a correlation matrix over named
// variables.
//
// Example:
//   absl::StatusOr<CorrelationResult> rho = Spearman(flops, latency_ms);
//   if (rho.ok() && rho->p_value < 0.05) ...
//
//   BootstrapOptions options;  // 2000 resamples, 95%, seed 42
//   absl::StatusOr<ConfidenceInterval> ci =
//       BootstrapCorrelationCi(flops, latency_ms, CorrelationMethod::kSpearman,
//                              options);
//
// Conventions shared by every function here:
// - Paired inputs must have equal lengths (else kInvalidArgument).
// - A pair where either value is NaN is dropped before anything else
//   (scipy's nan_policy='omit' on paired data; pandas' DataFrame.corr does
//   the same pairwise). `n` reports the pairs kept. +-inf is data, not NaN:
//   the rank statistics order it, Pearson's r of it is NaN.
// - Fewer than 3 pairs, or a variable that is constant over the kept pairs,
//   gives estimate = NaN and p_value = NaN (scipy returns r = +-1, p = 1 for
//   n = 2, which is no evidence of anything).
// All functions are pure and thread-safe.
#ifndef BENCHFLEET_ANALYSIS_CORRELATION_H_
#define BENCHFLEET_ANALYSIS_CORRELATION_H_

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"

namespace benchfleet::analysis {

enum class CorrelationMethod { kPearson, kSpearman, kKendallTauB };

// "pearson", "spearman" or "kendall".
std::string CorrelationMethodName(CorrelationMethod method);

struct CorrelationResult {
  // r, rho or tau-b in [-1, 1]; NaN when undefined (see file comment).
  double estimate = std::numeric_limits<double>::quiet_NaN();
  // Two-sided p-value of "no association"; NaN when undefined.
  double p_value = std::numeric_limits<double>::quiet_NaN();
  // Complete (non-NaN) pairs used.
  int64_t n = 0;
};

// Ranks 1..n of `values`, ties given the average of the ranks they span
// (scipy.stats.rankdata(values, method='average')). NaN entries get rank NaN
// and are not counted when ranking the others.
std::vector<double> AverageRanks(absl::Span<const double> values);

// Sizes (> 1) of the groups of equal values in `values`, ascending by value.
// NaN entries are ignored. Used for tie corrections.
std::vector<int64_t> TieGroupSizes(absl::Span<const double> values);

// Pearson's product-moment r, with the two-sided p-value of the t-test
// t = r sqrt((n-2)/(1-r^2)) on n-2 degrees of freedom (Student 1908; Fisher
// 1915), computed through the regularized incomplete beta function. Matches
// scipy.stats.pearsonr(x, y) (scipy 1.10; its exact beta form is the same
// distribution).
absl::StatusOr<CorrelationResult> Pearson(absl::Span<const double> x,
                                          absl::Span<const double> y);

// Spearman's rho: Pearson's r of the average ranks (Spearman 1904), so ties
// are handled exactly; p-value from the same t approximation with n-2
// degrees of freedom. Matches scipy.stats.spearmanr(x, y).
absl::StatusOr<CorrelationResult> Spearman(absl::Span<const double> x,
                                           absl::Span<const double> y);

// Kendall's tau-b = (C - D) / sqrt((n0 - n1)(n0 - n2)) (Kendall 1945), with
// the two-sided p-value of the normal approximation to C - D using the
// tie-corrected variance from Kendall, "Rank Correlation Methods" (4th
// ed., 1970), the reference scipy gives. Matches
// scipy.stats.kendalltau(x, y, method='asymptotic'); note that scipy's
// default method='auto' switches to an exact p-value when there are no ties
// and n <= 33, which this function does not. O(n^2) pair counting: fine for
// the fleet's tables (hundreds of rows).
absl::StatusOr<CorrelationResult> KendallTauB(absl::Span<const double> x,
                                              absl::Span<const double> y);

// Dispatches to one of the three functions above.
absl::StatusOr<CorrelationResult> Correlate(CorrelationMethod method,
                                            absl::Span<const double> x,
                                            absl::Span<const double> y);

struct BootstrapOptions {
  int resamples = 2000;  // B, resamples drawn; >= 1
  double level = 0.95;   // confidence level in (0, 1)
  uint64_t seed = 42;    // seeds std::mt19937_64
};

struct ConfidenceInterval {
  double lower = std::numeric_limits<double>::quiet_NaN();
  double upper = std::numeric_limits<double>::quiet_NaN();
  double level = 0.95;     // confidence level the bounds are for
  int resamples_used = 0;  // resamples whose statistic was defined
};

// Percentile bootstrap interval (Efron & Tibshirani 1993, ch. 13) for the
// correlation of the complete pairs: B resamples of the n pairs drawn with
// replacement, the statistic recomputed on each, and the (1-level)/2 and
// (1+level)/2 quantiles (linear interpolation, numpy's default) of the
// defined values taken as the bounds. Resamples whose statistic is NaN (e.g.
// every draw the same pair) are skipped and not counted in resamples_used;
// if fewer than half are defined, or n < 3, both bounds are NaN.
//
// The numbers depend on the seed: the same inputs and seed give the same
// bounds on every platform (std::mt19937_64 is fully specified by the
// standard and indices are drawn by rejection sampling, not by the
// implementation-defined std::uniform_int_distribution); another seed gives
// slightly different bounds. kInvalidArgument for unequal lengths,
// resamples < 1 or level outside (0, 1).
absl::StatusOr<ConfidenceInterval> BootstrapCorrelationCi(
    absl::Span<const double> x, absl::Span<const double> y,
    CorrelationMethod method, const BootstrapOptions& options);

// One named variable of a correlation matrix, e.g. {"FLOPs", {...}}.
struct NamedVariable {
  std::string name;
  std::vector<double> values;  // one per observation; NaN = missing
};

// Bootstrap intervals of every pair of `variables`: ci[i][j] (and ci[j][i])
// equals BootstrapCorrelationCi(variables[i].values, variables[j].values,
// method, options) exactly; the diagonal keeps NaN bounds. Pairs without
// missing values share each resample's draw of observations (the draws are
// the same for every such pair: one seed, one n), so each variable is
// resampled and ranked once per resample instead of once per pair.
// kInvalidArgument as for BootstrapCorrelationCi, or for variables of
// different lengths.
absl::StatusOr<std::vector<std::vector<ConfidenceInterval>>>
BootstrapCorrelationMatrixCi(const std::vector<NamedVariable>& variables,
                             CorrelationMethod method,
                             const BootstrapOptions& options);

// Pairwise correlations; cells[i][j] correlates variables i and j over the
// observations where both are present. cells[i][i] is {1, 0, n} when the
// variable has at least 3 values and is not constant, else NaN.
struct CorrelationMatrix {
  CorrelationMethod method = CorrelationMethod::kSpearman;
  std::vector<std::string> names;
  std::vector<std::vector<CorrelationResult>> cells;
};

// The matrix over `variables`. kInvalidArgument when the variables do not all
// have the same number of observations, or when there are none.
absl::StatusOr<CorrelationMatrix> ComputeCorrelationMatrix(
    const std::vector<NamedVariable>& variables, CorrelationMethod method);

}  // namespace benchfleet::analysis

#endif  // BENCHFLEET_ANALYSIS_CORRELATION_H_
