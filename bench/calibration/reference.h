// Plain OpenMP reference kernels, compiled with -O3 -march=native -fopenmp:
// what a careful engineer would write by hand for this one machine. The
// side-by-side benchmark holds the agent's portable, runtime-dispatched
// kernels against them.
//
// Both sides are timed the same way (agent/hw/parallel.h's ThreadTeam):
// inside the parallel region, after a barrier, every thread stamps its own
// start and end on the steady clock, and a run lasts from the earliest start
// to the latest end. Forking, waking and joining the team stay outside.
#ifndef BENCHFLEET_BENCH_CALIBRATION_REFERENCE_H_
#define BENCHFLEET_BENCH_CALIBRATION_REFERENCE_H_

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <vector>

namespace benchfleet::bench {

// The Triad figure of a plain OpenMP STREAM (stream.c's loop: Copy, Scale,
// Add, Triad per iteration) over three arrays of n doubles with `threads`
// OpenMP threads (static schedule, first touch in parallel): best Triad of
// ntimes iterations excluding the first, in bytes/second counted as STREAM
// does (24 n). Returns 0 if validation fails. `page_aligned`: arrays start
// on a page like the agent's (and LibTorch's aligned tensors) instead of
// where malloc puts large arrays (16 bytes past a page start); on some CPUs
// that placement alone moves STREAM by several percent. Threads split the
// arrays as OpenMP's static schedule does; the Triad is timed per thread as
// above.
double ReferenceTriad(int64_t n, int ntimes, int threads, bool page_aligned);

// FP32 FMA peak: each of `threads` OpenMP threads runs `iterations` rounds
// of 16 independent native-width vector accumulators (acc = acc * m + a).
// Best of `repetitions` parallel regions, each timed per thread as above,
// FLOP/s (one FMA = 2 FLOPs).
double ReferenceFma(int64_t iterations, int threads, int repetitions);

namespace internal {
using Clock = std::chrono::steady_clock;
// Seconds from the earliest of `start` to the latest of `end`.
inline double SpanSeconds(const std::vector<Clock::time_point>& start,
                          const std::vector<Clock::time_point>& end) {
  return std::chrono::duration<double>(
             *std::max_element(end.begin(), end.end()) -
             *std::min_element(start.begin(), start.end()))
      .count();
}
}  // namespace internal

// Bytes of one native vector (64 with AVX-512, 32 with AVX, else 16).
int ReferenceVectorBytes();

}  // namespace benchfleet::bench

#endif  // BENCHFLEET_BENCH_CALIBRATION_REFERENCE_H_
