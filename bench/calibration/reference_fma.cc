// Plain OpenMP FMA loop with 16 independent vector accumulators,
// -O3 -march=native -fopenmp -ffp-contract=fast (so a * m + a is one FMA).
#include <omp.h>

#include <algorithm>
#include <vector>

#include "bench/calibration/reference.h"

namespace benchfleet::bench {
namespace {

#if defined(__AVX512F__)
constexpr int kVectorBytes = 64;
#elif defined(__AVX__)
constexpr int kVectorBytes = 32;
#else
constexpr int kVectorBytes = 16;
#endif
typedef float Vec __attribute__((vector_size(kVectorBytes)));
constexpr int kLanes = kVectorBytes / 4;
constexpr int kAccumulators = 16;

// Opaque start: 1.0 is a fixed point of acc * m + a in float, and GCC then
// drops that accumulator's FMAs while the FLOP count still includes them.
volatile float g_seed = 0.5f;

float Run(int64_t iterations) {
  Vec acc[kAccumulators];
  Vec m, a;
  for (int l = 0; l < kLanes; ++l) {
    m[l] = 0.999999f;
    a[l] = 1e-6f;
  }
  const float base = g_seed;
  for (int j = 0; j < kAccumulators; ++j)
    for (int l = 0; l < kLanes; ++l) acc[j][l] = base + 0.001f * j;
  for (int64_t i = 0; i < iterations; ++i)
    for (int j = 0; j < kAccumulators; ++j) acc[j] = acc[j] * m + a;
  float sum = 0;
  for (int j = 0; j < kAccumulators; ++j)
    for (int l = 0; l < kLanes; ++l) sum += acc[j][l];
  return sum;
}

}  // namespace

int ReferenceVectorBytes() { return kVectorBytes; }

volatile float g_sink = 0;

double ReferenceFma(int64_t iterations, int threads, int repetitions) {
  omp_set_dynamic(0);  // exactly `threads`, as the agent's team
  std::vector<internal::Clock::time_point> start(threads), end(threads);
  double best = 1e30;
  for (int r = 0; r <= repetitions; ++r) {  // r = 0 warms the thread pool
    float total = 0;
#pragma omp parallel num_threads(threads)
    {
      const int i = omp_get_thread_num();
#pragma omp barrier
      start[i] = internal::Clock::now();
      const float s = Run(iterations);
      end[i] = internal::Clock::now();
#pragma omp atomic
      total += s;
    }
    g_sink = total;
    if (r > 0) best = std::min(best, internal::SpanSeconds(start, end));
  }
  return static_cast<double>(threads) * iterations * kAccumulators * kLanes *
         2 / best;
}

}  // namespace benchfleet::bench
