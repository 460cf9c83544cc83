#include "analysis/summary_stats.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace benchfleet::analysis {

double Quantile(const std::vector<double>& sorted, double q) {
  if (sorted.empty()) return std::numeric_limits<double>::quiet_NaN();
  const double position = q * static_cast<double>(sorted.size() - 1);
  const size_t lower = static_cast<size_t>(std::floor(position));
  const size_t upper = std::min(lower + 1, sorted.size() - 1);
  const double fraction = position - static_cast<double>(lower);
  return sorted[lower] + fraction * (sorted[upper] - sorted[lower]);
}

double MedianOfNumbers(std::vector<double> values) {
  values.erase(std::remove_if(values.begin(), values.end(),
                              [](double v) { return std::isnan(v); }),
               values.end());
  std::sort(values.begin(), values.end());
  return Quantile(values, 0.5);
}

v1::DurationStats Summarize(const std::vector<int64_t>& durations_ns) {
  v1::DurationStats stats;
  stats.set_n(static_cast<int64_t>(durations_ns.size()));
  if (durations_ns.empty()) return stats;

  std::vector<double> ms;
  ms.reserve(durations_ns.size());
  for (int64_t d : durations_ns) ms.push_back(static_cast<double>(d) * 1e-6);
  std::sort(ms.begin(), ms.end());

  double sum = 0;
  for (double v : ms) sum += v;
  const double mean = sum / static_cast<double>(ms.size());
  double squares = 0;
  for (double v : ms) squares += (v - mean) * (v - mean);
  const double stddev =
      ms.size() > 1 ? std::sqrt(squares / static_cast<double>(ms.size() - 1))
                    : 0.0;

  stats.set_median_ms(Quantile(ms, 0.5));
  stats.set_mean_ms(mean);
  stats.set_min_ms(ms.front());
  stats.set_p90_ms(Quantile(ms, 0.9));
  stats.set_p99_ms(Quantile(ms, 0.99));
  stats.set_iqr_ms(Quantile(ms, 0.75) - Quantile(ms, 0.25));
  stats.set_stddev_ms(stddev);
  stats.set_cv(mean > 0 ? stddev / mean : 0.0);
  return stats;
}

bool IsUnstable(const v1::DurationStats& stats) {
  return stats.n() > 0 && stats.median_ms() > 0 &&
         stats.iqr_ms() / stats.median_ms() > 0.10;
}

DerivedFigures Derive(const v1::JobResult& result) {
  DerivedFigures d;
  const bool training = result.spec().mode() == v1::MODE_TRAINING;
  const double median_ms = result.step().median_ms();
  d.unstable = IsUnstable(result.step());
  if (median_ms > 0)
    d.items_per_second = result.spec().batch_size() * 1e3 / median_ms;
  if (training && result.backward().median_ms() > 0)
    d.forward_backward_latency_ratio =
        result.forward().median_ms() / result.backward().median_ms();
  const v1::CostFigures& cost = result.cost();
  if (cost.forward_flops() > 0) {
    const double flops =
        cost.forward_flops() + (training ? cost.backward_flops() : 0.0);
    if (median_ms > 0) d.achieved_flops_per_second = flops / (median_ms * 1e-3);
    if (training && cost.backward_flops() > 0)
      d.forward_backward_flop_ratio = cost.forward_flops() / cost.backward_flops();
  }
  return d;
}

}  // namespace benchfleet::analysis
