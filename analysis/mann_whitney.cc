#include "analysis/mann_whitney.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "analysis/distributions.h"
#include "analysis/pairwise_differences.h"
#include "analysis/summary_stats.h"

namespace benchfleet::analysis {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

std::vector<double> Finite(absl::Span<const double> values) {
  std::vector<double> out;
  out.reserve(values.size());
  for (double v : values) {
    if (std::isfinite(v)) out.push_back(v);
  }
  return out;
}

absl::Status CheckPositive(const std::vector<double>& values,
                           const char* what) {
  for (double v : values) {
    if (!(v > 0)) {
      return absl::InvalidArgumentError(
          absl::StrCat(what, " holds a non-positive value ", v,
                       "; ratios need positive times or rates"));
    }
  }
  return absl::OkStatus();
}

double Median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return Quantile(values, 0.5);
}

std::vector<double> Logs(const std::vector<double>& values) {
  std::vector<double> out;
  out.reserve(values.size());
  for (double v : values) out.push_back(std::log(v));
  return out;
}

// The differences d_ij = log(c_i) - log(b_j) are never built: their order
// statistics come from PairwiseDifferences, the same doubles a sort of all
// n1 n2 of them gives. The estimate is Quantile(sorted d, 0.5) written out
// on the two order statistics it reads; `with_estimate` false skips it
// (CompareSamples reports the ratio of medians instead).
RatioEstimate HodgesLehmannOfFinite(const std::vector<double>& baseline,
                                    const std::vector<double>& candidate,
                                    double level, bool with_estimate) {
  RatioEstimate out;
  out.ci.level = level;
  if (baseline.size() < 2 || candidate.size() < 2) return out;
  const PairwiseDifferences diffs(Logs(candidate), Logs(baseline));
  const double n1 = static_cast<double>(candidate.size());
  const double n2 = static_cast<double>(baseline.size());
  const int64_t total = diffs.size();
  if (with_estimate) {
    const double position = 0.5 * static_cast<double>(total - 1);
    const int64_t lower = static_cast<int64_t>(std::floor(position));
    const int64_t upper = std::min(lower + 1, total - 1);
    const double fraction = position - static_cast<double>(lower);
    const double at_lower = diffs.KthSmallest(lower + 1);
    const double at_upper =
        upper == lower ? at_lower : diffs.KthSmallest(upper + 1);
    out.ratio = std::exp(at_lower + fraction * (at_upper - at_lower));
  }
  // Hollander & Wolfe (1999), ch. 4: large-sample C_alpha.
  const double z = NormalQuantile(0.5 + level / 2);
  int64_t k = static_cast<int64_t>(
      std::floor(n1 * n2 / 2 - z * std::sqrt(n1 * n2 * (n1 + n2 + 1) / 12)));
  k = std::clamp<int64_t>(k, 1, total);
  out.ci.lower = std::exp(diffs.KthSmallest(k));
  out.ci.upper = std::exp(diffs.KthSmallest(total + 1 - k));
  return out;
}

}  // namespace

MannWhitneyResult MannWhitneyU(absl::Span<const double> x,
                               absl::Span<const double> y) {
  MannWhitneyResult result;
  const std::vector<double> xs = Finite(x);
  const std::vector<double> ys = Finite(y);
  result.n1 = static_cast<int64_t>(xs.size());
  result.n2 = static_cast<int64_t>(ys.size());
  if (xs.empty() || ys.empty()) return result;

  std::vector<double> pooled = xs;
  pooled.insert(pooled.end(), ys.begin(), ys.end());
  const std::vector<double> ranks = AverageRanks(pooled);
  double r1 = 0;
  for (size_t i = 0; i < xs.size(); ++i) r1 += ranks[i];
  const double n1 = static_cast<double>(xs.size());
  const double n2 = static_cast<double>(ys.size());
  const double n = n1 + n2;
  result.u1 = r1 - n1 * (n1 + 1) / 2;
  const double u2 = n1 * n2 - result.u1;

  double tie_term = 0;
  for (int64_t t64 : TieGroupSizes(pooled)) {
    const double t = static_cast<double>(t64);
    tie_term += t * t * t - t;
  }
  const double mu = n1 * n2 / 2;
  const double variance =
      n > 1 ? n1 * n2 / 12 * ((n + 1) - tie_term / (n * (n - 1))) : 0.0;
  result.z = variance > 0 ? (result.u1 - mu) / std::sqrt(variance) : kNaN;
  if (!(variance > 0)) {
    result.p_value = 1.0;  // every value tied: no evidence either way
    return result;
  }
  // scipy: the larger U, minus mu, minus 0.5 for continuity; p = 2 sf(z).
  const double z_upper =
      (std::max(result.u1, u2) - mu - 0.5) / std::sqrt(variance);
  result.p_value = std::clamp(2 * NormalSf(z_upper), 0.0, 1.0);
  return result;
}

absl::StatusOr<RatioEstimate> HodgesLehmannRatio(
    absl::Span<const double> baseline, absl::Span<const double> candidate,
    double level) {
  if (!(level > 0 && level < 1)) {
    return absl::InvalidArgumentError(
        absl::StrCat("confidence level must be in (0, 1), got ", level));
  }
  const std::vector<double> b = Finite(baseline);
  const std::vector<double> c = Finite(candidate);
  if (absl::Status s = CheckPositive(b, "baseline"); !s.ok()) return s;
  if (absl::Status s = CheckPositive(c, "candidate"); !s.ok()) return s;
  return HodgesLehmannOfFinite(b, c, level, /*with_estimate=*/true);
}

std::string VerdictName(Verdict verdict) {
  switch (verdict) {
    case Verdict::kUnchanged:
      return "unchanged";
    case Verdict::kRegression:
      return "regression";
    case Verdict::kImprovement:
      return "improvement";
    case Verdict::kInsufficientData:
      return "insufficient data";
  }
  return "unknown";
}

absl::StatusOr<RegressionVerdict> CompareSamples(
    absl::Span<const double> baseline, absl::Span<const double> candidate,
    const RegressionOptions& options) {
  if (!(options.min_effect >= 0)) {
    return absl::InvalidArgumentError(
        absl::StrCat("min_effect must be >= 0, got ", options.min_effect));
  }
  if (!(options.alpha > 0 && options.alpha < 1)) {
    return absl::InvalidArgumentError(
        absl::StrCat("alpha must be in (0, 1), got ", options.alpha));
  }
  if (options.min_samples < 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("min_samples must be >= 1, got ", options.min_samples));
  }
  const std::vector<double> b = Finite(baseline);
  const std::vector<double> c = Finite(candidate);
  if (absl::Status s = CheckPositive(b, "baseline"); !s.ok()) return s;
  if (absl::Status s = CheckPositive(c, "candidate"); !s.ok()) return s;

  RegressionVerdict v;
  v.n_baseline = static_cast<int64_t>(b.size());
  v.n_candidate = static_cast<int64_t>(c.size());
  v.ci.level = 1 - options.alpha;
  if (v.n_baseline < options.min_samples ||
      v.n_candidate < options.min_samples) {
    v.verdict = Verdict::kInsufficientData;
    v.reason = absl::StrFormat(
        "%d baseline and %d candidate values; need %d on each side",
        v.n_baseline, v.n_candidate, options.min_samples);
    if (!b.empty() && !c.empty()) v.ratio = Median(c) / Median(b);
    return v;
  }
  v.ratio = Median(c) / Median(b);
  v.ci = HodgesLehmannOfFinite(b, c, 1 - options.alpha,
                               /*with_estimate=*/false)
             .ci;
  const MannWhitneyResult mw = MannWhitneyU(b, c);
  v.p_value = mw.p_value;
  v.u1 = mw.u1;

  const double change = v.ratio - 1;
  const bool significant = v.p_value < options.alpha;
  const bool material = std::fabs(change) >= options.min_effect;
  const bool worse = options.higher_is_better ? change < 0 : change > 0;
  if (significant && material) {
    v.verdict = worse ? Verdict::kRegression : Verdict::kImprovement;
  } else {
    v.verdict = Verdict::kUnchanged;
  }
  std::string why;
  if (!significant) {
    why = absl::StrFormat("not significant at alpha=%g", options.alpha);
  } else if (!material) {
    why = absl::StrFormat("below the %g%% minimum effect",
                          100 * options.min_effect);
  } else {
    why = options.higher_is_better ? "higher is better" : "lower is better";
  }
  v.reason = absl::StrFormat("median %+.1f%%, p=%.3g (%s)", 100 * change,
                             v.p_value, why);
  return v;
}

}  // namespace benchfleet::analysis
