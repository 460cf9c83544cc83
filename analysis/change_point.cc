#include "analysis/change_point.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>

#include "analysis/summary_stats.h"

namespace benchfleet::analysis {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

std::vector<double> WithoutNaN(absl::Span<const double> series) {
  std::vector<double> out;
  out.reserve(series.size());
  for (double v : series) {
    if (!std::isnan(v)) out.push_back(v);
  }
  return out;
}

double MedianOf(const std::vector<double>& x, size_t begin, size_t end) {
  std::vector<double> part(x.begin() + begin, x.begin() + end);
  std::sort(part.begin(), part.end());
  return Quantile(part, 0.5);
}

double MedianAbsoluteDeviation(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const double center = Quantile(v, 0.5);
  for (double& d : v) d = std::fabs(d - center);
  std::sort(v.begin(), v.end());
  return Quantile(v, 0.5);
}

// Sum of |x_i - median| over x[begin, end), and the median.
double AbsoluteDeviationCost(const std::vector<double>& x, size_t begin,
                             size_t end, double* median) {
  *median = MedianOf(x, begin, end);
  double cost = 0;
  for (size_t i = begin; i < end; ++i) cost += std::fabs(x[i] - *median);
  return cost;
}

// sqrt(pi / 2): the sample median of n normal values has standard deviation
// about sqrt(pi / 2) sigma / sqrt(n) (Laplace's classical result: the
// median's asymptotic variance is 1 / (4 n f(m)^2), f the density).
constexpr double kMedianEfficiency = 1.2533141373155003;

// The best split of x[begin, end): valid == false when none is acceptable.
struct Split {
  bool valid = false;
  size_t index = 0;
  double z = 0;      // ranks candidates across intervals
  double gain = 0;   // breaks ties (sigma = 0 makes every z infinite)
  size_t begin = 0;  // the interval searched
  size_t end = 0;
};

// Standardised step between two medians of nl and nr points.
double StepZ(double step, double sigma, double nl, double nr) {
  const double se = kMedianEfficiency * sigma * std::sqrt(1 / nl + 1 / nr);
  if (se > 0) return std::fabs(step) / se;
  return step != 0 ? kInf : 0.0;
}

// The split is placed where it minimises the summed absolute deviations from
// the two segment medians (least absolute deviation change-point, Bai 1995),
// which locates a step exactly even when a difference of medians alone
// would not (the median ignores a few points from the other level).
Split BestSplit(const std::vector<double>& x, size_t begin, size_t end,
                double sigma, const ChangePointOptions& options) {
  Split best;
  best.begin = begin;
  best.end = end;
  const size_t m = static_cast<size_t>(options.min_segment);
  if (end - begin < 2 * m) return best;
  double whole_median;
  const double whole_cost = AbsoluteDeviationCost(x, begin, end, &whole_median);
  double best_cost = kInf;
  size_t best_k = 0;
  double best_left = 0, best_right = 0;
  for (size_t k = begin + m; k + m <= end; ++k) {
    double left, right;
    const double cost = AbsoluteDeviationCost(x, begin, k, &left) +
                        AbsoluteDeviationCost(x, k, end, &right);
    if (cost < best_cost) {
      best_cost = cost;
      best_k = k;
      best_left = left;
      best_right = right;
    }
  }
  const double step = best_right - best_left;
  const double z = StepZ(step, sigma, static_cast<double>(best_k - begin),
                         static_cast<double>(end - best_k));
  if (step == 0 || z < options.threshold_z) return best;
  if (std::fabs(step) < options.min_relative_step * std::fabs(best_left))
    return best;
  best.valid = true;
  best.index = best_k;
  best.z = z;
  best.gain = whole_cost - best_cost;
  return best;
}

// Seeded intervals (Kovacs, Li, Buehlmann & Munk 2020, "Seeded binary
// segmentation", decay 1/2): the whole series, then at each halving of the
// length, ceil(2n / length) - 1 evenly spaced intervals of that length,
// down to 2 * min_segment points. Short intervals see a change that the
// whole series hides, e.g. a rise and a fall back (a bump).
std::vector<std::pair<size_t, size_t>> SeededIntervals(size_t n, size_t m) {
  std::vector<std::pair<size_t, size_t>> out;
  for (double length = static_cast<double>(n); length >= 2.0 * m; length /= 2) {
    const size_t len = static_cast<size_t>(std::ceil(length));
    const size_t count =
        static_cast<size_t>(std::max(1.0, std::ceil(2.0 * n / length) - 1));
    for (size_t i = 0; i < count; ++i) {
      const size_t start =
          count == 1 ? 0
                     : static_cast<size_t>(std::llround(
                           static_cast<double>(i) * (n - len) / (count - 1)));
      out.emplace_back(start, std::min(n, start + len));
    }
  }
  return out;
}

}  // namespace

double RobustNoiseSigma(absl::Span<const double> series) {
  const std::vector<double> x = WithoutNaN(series);
  if (x.size() < 3) return 0.0;
  std::vector<double> diffs;
  diffs.reserve(x.size() - 1);
  for (size_t i = 1; i < x.size(); ++i) diffs.push_back(x[i] - x[i - 1]);
  // 1.4826 = 1 / Phi^-1(3/4), the normal-consistency constant scipy uses
  // for scale='normal' (it divides by 0.67448975...).
  constexpr double kNormalScale = 1.482602218505602;
  return kNormalScale * MedianAbsoluteDeviation(diffs) / std::sqrt(2.0);
}

std::vector<ChangePoint> FindChangePoints(absl::Span<const double> series,
                                          const ChangePointOptions& options) {
  std::vector<ChangePoint> result;
  if (options.min_segment < 1 || options.threshold_z < 0 ||
      options.min_relative_step < 0 || options.max_change_points < 1) {
    return result;
  }
  const std::vector<double> x = WithoutNaN(series);
  if (x.size() < 2 * static_cast<size_t>(options.min_segment)) return result;
  const double sigma = RobustNoiseSigma(x);

  // Greedy selection over seeded intervals: the best split of every
  // interval is a candidate; take candidates by decreasing z while they
  // keep min_segment points from every change taken so far and their
  // interval holds none of them.
  const size_t m = static_cast<size_t>(options.min_segment);
  std::vector<Split> candidates;
  for (const auto& [begin, end] : SeededIntervals(x.size(), m)) {
    const Split s = BestSplit(x, begin, end, sigma, options);
    if (s.valid) candidates.push_back(s);
  }
  std::stable_sort(candidates.begin(), candidates.end(),
                   [](const Split& a, const Split& b) {
                     if (a.z != b.z) return a.z > b.z;
                     if (a.gain != b.gain) return a.gain > b.gain;
                     return a.index < b.index;
                   });
  std::vector<size_t> bounds = {0, x.size()};
  for (const Split& s : candidates) {
    if (static_cast<int>(bounds.size()) - 2 >= options.max_change_points) break;
    bool ok = true;
    for (size_t b : bounds) {
      const bool interior = b > s.begin && b < s.end;
      const size_t gap = b > s.index ? b - s.index : s.index - b;
      if ((interior && b != 0 && b != x.size()) || gap < m) {
        ok = false;
        break;
      }
    }
    if (!ok) continue;
    bounds.insert(std::upper_bound(bounds.begin(), bounds.end(), s.index),
                  s.index);
  }

  // Refinement: a change taken from a short window may sit a point off;
  // move each to the least-absolute-deviation split between its neighbours.
  for (int pass = 0; pass < 3; ++pass) {
    bool moved = false;
    for (size_t i = 1; i + 1 < bounds.size(); ++i) {
      double best_cost = kInf;
      size_t best_k = bounds[i];
      for (size_t k = bounds[i - 1] + m; k + m <= bounds[i + 1]; ++k) {
        double left, right;
        const double cost = AbsoluteDeviationCost(x, bounds[i - 1], k, &left) +
                            AbsoluteDeviationCost(x, k, bounds[i + 1], &right);
        if (cost < best_cost) {
          best_cost = cost;
          best_k = k;
        }
      }
      if (best_k != bounds[i]) {
        bounds[i] = best_k;
        moved = true;
      }
    }
    if (!moved) break;
  }

  for (size_t i = 1; i + 1 < bounds.size(); ++i) {
    ChangePoint c;
    c.index = bounds[i];
    c.before = MedianOf(x, bounds[i - 1], bounds[i]);
    c.after = MedianOf(x, bounds[i], bounds[i + 1]);
    const double step = c.after - c.before;
    c.relative =
        c.before != 0 ? step / std::fabs(c.before) : (step > 0 ? kInf : -kInf);
    c.sigmas = sigma > 0 ? std::fabs(step) / sigma : (step != 0 ? kInf : 0);
    c.z = StepZ(step, sigma, static_cast<double>(bounds[i] - bounds[i - 1]),
                static_cast<double>(bounds[i + 1] - bounds[i]));
    result.push_back(c);
  }
  return result;
}

}  // namespace benchfleet::analysis
