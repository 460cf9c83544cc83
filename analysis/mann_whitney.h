// Two-sample comparison of benchmark timings: the Mann-Whitney U test, a
// Hodges-Lehmann confidence interval for the ratio of two samples, and the
// regression verdict built from them (after LLVM LNT, which flags a change
// only when it is both statistically significant by Mann-Whitney and larger
// than a minimum relative change).
//
// Example:
//   absl::StatusOr<RegressionVerdict> v =
//       CompareSamples(baseline_ms, candidate_ms, RegressionOptions{});
//   if (v.ok() && v->verdict == Verdict::kRegression) ...
//
// Non-finite values (NaN, +-inf) are dropped from each sample first (scipy's
// nan_policy='omit'); the counts kept are reported. All functions are pure
// and thread-safe.
#ifndef BENCHFLEET_ANALYSIS_MANN_WHITNEY_H_
#define BENCHFLEET_ANALYSIS_MANN_WHITNEY_H_

#include <cstdint>
#include <limits>
#include <string>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "analysis/correlation.h"

namespace benchfleet::analysis {

struct MannWhitneyResult {
  // U of the first sample: R1 - n1(n1+1)/2, R1 its rank sum in the pooled
  // sample (average ranks for ties). U1 + U2 = n1 n2.
  double u1 = std::numeric_limits<double>::quiet_NaN();
  // Two-sided p-value from the normal approximation; NaN when undefined.
  double p_value = std::numeric_limits<double>::quiet_NaN();
  double z = std::numeric_limits<double>::quiet_NaN();  // signed by U1 - mu
  int64_t n1 = 0;
  int64_t n2 = 0;
};

// Mann-Whitney U test (Mann & Whitney 1947), two-sided, normal approximation
// with the tie-corrected variance
//   s^2 = n1 n2 / 12 * ((n + 1) - sum(t^3 - t) / (n (n - 1)))
// and a continuity correction of 0.5 (Lehmann, "Nonparametrics", 1975), as in
// scipy.stats.mannwhitneyu(x, y, use_continuity=True,
// alternative='two-sided', method='asymptotic') (scipy 1.10): p =
// 2 * sf((max(U1, U2) - n1 n2 / 2 - 0.5) / s), clipped to [0, 1].
// Either sample empty after dropping non-finite values: u1 and p are NaN.
// All values tied (s = 0): p = 1. The normal approximation is rough below
// about 8 values per side; it is what scipy uses when asked for it.
MannWhitneyResult MannWhitneyU(absl::Span<const double> x,
                               absl::Span<const double> y);

// Hodges-Lehmann estimate and distribution-free confidence interval for the
// ratio candidate/baseline of two positive samples, computed on the log
// scale: the differences d_ij = log(c_i) - log(b_j) are sorted, the estimate
// is their median and the interval is [d_(k), d_(N+1-k)] with N = n1 n2 and
// k = floor(N/2 - z_{(1+level)/2} sqrt(n1 n2 (n1+n2+1) / 12)), clamped to
// [1, N] (Hodges & Lehmann 1963; the large-sample form in Hollander &
// Wolfe, "Nonparametric Statistical Methods", 2nd ed. 1999, ch. 4); all three
// are exponentiated back to ratios. Under a scale- shift model this is the
// interval for the ratio of medians. kInvalidArgument when a kept value is <= 0
// or level is outside (0, 1); fewer than 2 values on a side gives NaN bounds.
struct RatioEstimate {
  double ratio = std::numeric_limits<double>::quiet_NaN();  // HL estimate
  ConfidenceInterval ci;
};
absl::StatusOr<RatioEstimate> HodgesLehmannRatio(
    absl::Span<const double> baseline, absl::Span<const double> candidate,
    double level = 0.95);

enum class Verdict {
  kUnchanged,         // not significant, or smaller than the minimum effect
  kRegression,        // significantly and materially worse
  kImprovement,       // significantly and materially better
  kInsufficientData,  // fewer than min_samples values on a side
};

// "unchanged", "regression", "improvement", "insufficient data".
std::string VerdictName(Verdict verdict);

struct RegressionOptions {
  // Smallest relative change of the median that counts, e.g. 0.05 = 5%
  // (LNT's default minimum percentage change is 1%; benchmarks of whole DNNs
  // on shared machines are noisier). >= 0.
  double min_effect = 0.05;
  // Significance level of the Mann-Whitney test. In (0, 1).
  double alpha = 0.05;
  // False for latencies (larger is worse); true for throughputs.
  bool higher_is_better = false;
  // Fewer values than this on either side gives kInsufficientData. >= 1.
  int min_samples = 3;
};

struct RegressionVerdict {
  // median(candidate) / median(baseline) of the kept values.
  double ratio = std::numeric_limits<double>::quiet_NaN();
  // Hodges-Lehmann interval for that ratio at level 1 - alpha.
  ConfidenceInterval ci;
  double p_value = std::numeric_limits<double>::quiet_NaN();  // Mann-Whitney
  double u1 = std::numeric_limits<double>::quiet_NaN();
  int64_t n_baseline = 0;
  int64_t n_candidate = 0;
  Verdict verdict = Verdict::kInsufficientData;
  std::string reason;  // one line a person can read, e.g. "+12.3%, p=0.002"
};

// Compares `candidate` with `baseline` (e.g. per-iteration step times, ms).
// A regression needs p < alpha and a median change of at least min_effect in
// the worse direction; an improvement the same in the better direction;
// otherwise unchanged. kInvalidArgument for options out of range or a kept
// value <= 0 (times and throughputs are positive).
absl::StatusOr<RegressionVerdict> CompareSamples(
    absl::Span<const double> baseline, absl::Span<const double> candidate,
    const RegressionOptions& options = {});

}  // namespace benchfleet::analysis

#endif  // BENCHFLEET_ANALYSIS_MANN_WHITNEY_H_
