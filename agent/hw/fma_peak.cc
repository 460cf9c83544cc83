#include "agent/hw/fma_peak.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <vector>

#include "agent/hw/parallel.h"

namespace benchfleet::hw {
namespace {

// Keeps results observable so the kernels are not optimised away.
std::atomic<double> g_sink{0};

double TimeFma(const kernels::KernelSet* k, ThreadTeam& team,
               int64_t iterations) {
  std::vector<double> sums(team.size());
  const double seconds = team.Run([&](int i) { sums[i] = k->fma(iterations); });
  double total = 0;
  for (double s : sums) total += s;
  g_sink.store(total, std::memory_order_relaxed);
  return seconds;
}

}  // namespace

FmaPeakResult MeasureFmaPeak(const FmaPeakOptions& options) {
  const kernels::KernelSet* k =
      options.kernels != nullptr ? options.kernels : kernels::BestKernels();
  const int threads = std::max(1, options.threads);
  // Grow the iteration count until one run lasts a tenth of the target,
  // then scale to the target.
  ThreadTeam one(1);
  ThreadTeam team(threads);
  int64_t iterations = 1 << 12;
  double seconds = TimeFma(k, one, iterations);
  const double probe = std::max(1e-4, options.min_seconds / 10);
  while (seconds < probe && iterations < (int64_t{1} << 40)) {
    iterations *= 4;
    seconds = TimeFma(k, one, iterations);
  }
  iterations = std::max<int64_t>(
      1, static_cast<int64_t>(iterations * options.min_seconds /
                              std::max(seconds, 1e-9)));

  FmaPeakResult result;
  result.isa = k->isa;
  result.vector_bytes = k->vector_bytes;
  result.accumulators = k->fma_accumulators;
  result.threads = threads;
  result.iterations = iterations;
  const double flops_per_iteration =
      static_cast<double>(k->fma_accumulators) * (k->vector_bytes / 4) * 2;
  for (int r = 0; r < std::max(1, options.repetitions); ++r) {
    const double s = TimeFma(k, team, iterations);
    const double rate = threads * iterations * flops_per_iteration / s;
    if (rate > result.flops_per_second) {
      result.flops_per_second = rate;
      result.seconds = s;
    }
  }
  return result;
}

}  // namespace benchfleet::hw
