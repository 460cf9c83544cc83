#include "agent/runner/level_shift.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_format.h"
#include "analysis/change_point.h"
#include "analysis/summary_stats.h"

namespace benchfleet::runner {
namespace {

constexpr size_t kMaxPoints = 1000;

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return analysis::Quantile(v, 0.5);
}

}  // namespace

std::optional<std::string> LevelShiftWarning(
    const std::vector<int64_t>& durations_ns) {
  const size_t n = durations_ns.size();
  if (n < 10) return std::nullopt;
  // Milliseconds, as medians of blocks of `block` samples when the series is
  // long (the search is quadratic in its length).
  const size_t block = (n + kMaxPoints - 1) / kMaxPoints;
  std::vector<double> series;
  series.reserve(n / block + 1);
  for (size_t start = 0; start < n; start += block) {
    const size_t end = std::min(n, start + block);
    std::vector<double> ms;
    for (size_t i = start; i < end; ++i) ms.push_back(durations_ns[i] * 1e-6);
    series.push_back(Median(std::move(ms)));
  }
  analysis::ChangePointOptions options;
  options.min_segment = std::max<int>(5, static_cast<int>(series.size() / 10));
  options.min_relative_step = 0.10;
  const std::vector<analysis::ChangePoint> changes =
      analysis::FindChangePoints(series, options);
  if (changes.empty()) return std::nullopt;
  const analysis::ChangePoint& largest = *std::max_element(
      changes.begin(), changes.end(),
      [](const analysis::ChangePoint& a, const analysis::ChangePoint& b) {
        return std::abs(a.relative) < std::abs(b.relative);
      });
  // Back to single samples: within the blocks either side of the change,
  // the split that puts each sample nearest its own level.
  const double before_ns = largest.before * 1e6, after_ns = largest.after * 1e6;
  const size_t lo = largest.index > 0 ? (largest.index - 1) * block : 0;
  const size_t hi = std::min(n, (largest.index + 1) * block);
  size_t first_after = largest.index * block;
  double best = INFINITY;
  for (size_t k = lo; k <= hi; ++k) {
    double cost = 0;
    for (size_t i = lo; i < hi; ++i)
      cost += std::abs(durations_ns[i] - (i < k ? before_ns : after_ns));
    if (cost < best) best = cost, first_after = k;
  }
  const size_t sample = first_after + 1;  // 1-based
  return absl::StrFormat(
      "level shift: per-sample time moved from %.4g ms to %.4g ms (%+.0f%%) "
      "at sample %d of %d%s; the machine changed speed during the job, so its "
      "median mixes two levels",
      largest.before, largest.after, 100 * largest.relative, sample, n,
      changes.size() > 1
          ? absl::StrFormat(" (%d shifts in all)", changes.size())
          : "");
}

}  // namespace benchfleet::runner
