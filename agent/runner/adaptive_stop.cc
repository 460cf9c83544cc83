#include "agent/runner/adaptive_stop.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace benchfleet::runner {
namespace {

constexpr double kInfinity = std::numeric_limits<double>::infinity();

// Hyndman & Fan type 7 quantile of ascending `sorted`, as Summarize uses.
double SortedQuantile(const std::vector<double>& sorted, double q) {
  const double position = q * static_cast<double>(sorted.size() - 1);
  const size_t lower = static_cast<size_t>(std::floor(position));
  const size_t upper = std::min(lower + 1, sorted.size() - 1);
  return sorted[lower] + (position - static_cast<double>(lower)) *
                             (sorted[upper] - sorted[lower]);
}

}  // namespace

double QuantileCiRelativeHalfWidth(std::vector<double> samples, double q,
                                   double z) {
  const double n = static_cast<double>(samples.size());
  if (samples.empty() || q <= 0 || q >= 1) return kInfinity;
  const double spread = z * std::sqrt(n * q * (1 - q));
  const double j = std::floor(n * q - spread);     // 1-based rank
  const double k = std::ceil(n * q + spread) + 1;  // 1-based rank
  if (j < 1 || k > n) return kInfinity;
  std::sort(samples.begin(), samples.end());
  const double center = SortedQuantile(samples, q);
  if (!(center > 0)) return kInfinity;
  const double low = samples[static_cast<size_t>(j) - 1];
  const double high = samples[static_cast<size_t>(k) - 1];
  return (high - low) / (2 * center);
}

int64_t BlockSize(double iteration_ns) {
  if (!(iteration_ns > 0) || iteration_ns >= kMinBlockNs) return 1;
  return std::min<int64_t>(
      1000000, static_cast<int64_t>(
                   std::ceil(static_cast<double>(kMinBlockNs) / iteration_ns)));
}

AdaptiveStop::AdaptiveStop(const v1::Budget& budget, double quantile)
    : budget_(budget), quantile_(quantile), last_ci_(kInfinity) {}

bool AdaptiveStop::Add(double sample_ns, int64_t iterations, double elapsed_s) {
  samples_.push_back(sample_ns);
  iterations_ += std::max<int64_t>(1, iterations);
  if (iterations_ >= budget_.max_iterations()) {
    reason_ = v1::STOP_REASON_MAX_ITERATIONS;
    return true;
  }
  if (elapsed_s >= budget_.max_seconds()) {
    reason_ = v1::STOP_REASON_MAX_SECONDS;
    return true;
  }
  if (iterations_ < budget_.min_iterations() ||
      elapsed_s < budget_.min_seconds())
    return false;
  if (budget_.stable_ci() >= 1) {
    reason_ = v1::STOP_REASON_STABLE;
    return true;
  }
  if (samples_.size() < next_check_) return false;
  next_check_ = samples_.size() + std::max<size_t>(1, samples_.size() / 20);
  last_ci_ = QuantileCiRelativeHalfWidth(samples_, quantile_);
  if (last_ci_ <= budget_.stable_ci()) {
    reason_ = v1::STOP_REASON_STABLE;
    return true;
  }
  return false;
}

}  // namespace benchfleet::runner
