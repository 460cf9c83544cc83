// Plain OpenMP STREAM (the loop structure of McCalpin's stream.c: Copy,
// Scale, Add, Triad per iteration), -O3 -march=native -fopenmp; its Triad
// figure is the reference.
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <vector>

#include "bench/calibration/reference.h"

namespace benchfleet::bench {

namespace {

struct Arrays {
  explicit Arrays(int64_t n, bool page_aligned) : aligned(page_aligned) {
    for (double*& p : ptr) {
      p = aligned ? static_cast<double*>(
                        std::aligned_alloc(4096, (n * 8 + 4095) / 4096 * 4096))
                  : new double[n];
    }
  }
  ~Arrays() {
    for (double* p : ptr) {
      if (aligned) {
        std::free(p);
      } else {
        delete[] p;
      }
    }
  }
  bool aligned;
  double* ptr[3];
};

}  // namespace

double ReferenceTriad(int64_t n, int ntimes, int threads, bool page_aligned) {
  Arrays arrays(n, page_aligned);
  double* pa = arrays.ptr[0];
  double* pb = arrays.ptr[1];
  double* pc = arrays.ptr[2];
#pragma omp parallel for schedule(static) num_threads(threads)
  for (int64_t j = 0; j < n; ++j) {
    pa[j] = 1.0;
    pb[j] = 2.0;
    pc[j] = 0.0;
  }
  const double s = 3.0;
  omp_set_dynamic(0);  // exactly `threads`, as the agent's team
  std::vector<internal::Clock::time_point> start(threads), end(threads);
  double best = 1e30;
  for (int k = 0; k < ntimes; ++k) {
#pragma omp parallel for schedule(static) num_threads(threads)
    for (int64_t j = 0; j < n; ++j) pc[j] = pa[j];
#pragma omp parallel for schedule(static) num_threads(threads)
    for (int64_t j = 0; j < n; ++j) pb[j] = s * pc[j];
#pragma omp parallel for schedule(static) num_threads(threads)
    for (int64_t j = 0; j < n; ++j) pc[j] = pa[j] + pb[j];
#pragma omp parallel num_threads(threads)
    {
      const int i = omp_get_thread_num();
#pragma omp barrier
      start[i] = internal::Clock::now();
#pragma omp for schedule(static) nowait
      for (int64_t j = 0; j < n; ++j) pa[j] = pb[j] + s * pc[j];
      end[i] = internal::Clock::now();
    }
    if (k > 0) best = std::min(best, internal::SpanSeconds(start, end));
  }
  // stream.c's check, on a sample: replay one element.
  double aj = 1.0, bj = 2.0, cj = 0.0;
  for (int k = 0; k < ntimes; ++k) {
    cj = aj;
    bj = s * cj;
    cj = aj + bj;
    aj = bj + s * cj;
  }
  for (int64_t j = 0; j < n; j += 4099)
    if (std::abs(pa[j] - aj) > 1e-13 * std::abs(aj)) return 0;
  return 24.0 * n / best;
}

}  // namespace benchfleet::bench
