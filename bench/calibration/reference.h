// Plain OpenMP reference kernels, compiled with -O3 -march=native -fopenmp:
// what a careful engineer would write by hand for this one machine. The
// side-by-side benchmark holds the agent's portable, runtime-dispatched
// kernels against them.
#ifndef BENCHFLEET_BENCH_CALIBRATION_REFERENCE_H_
#define BENCHFLEET_BENCH_CALIBRATION_REFERENCE_H_

#include <cstdint>

namespace benchfleet::bench {

// The Triad figure of a plain OpenMP STREAM (stream.c's loop: Copy, Scale,
// Add, Triad per iteration) over three arrays of n doubles with `threads`
// OpenMP threads (static schedule, first touch in parallel): best Triad of
// ntimes iterations excluding the first, in bytes/second counted as STREAM
// does (24 n). Returns 0 if validation fails. `page_aligned`: arrays start
// on a page like the agent's (and LibTorch's aligned tensors) instead of
// where malloc puts large arrays (16 bytes past a page start); on some CPUs
// that placement alone moves STREAM by several percent.
double ReferenceTriad(int64_t n, int ntimes, int threads, bool page_aligned);

// FP32 FMA peak: each of `threads` OpenMP threads runs `iterations` rounds
// of 16 independent native-width vector accumulators (acc = acc * m + a).
// Best of `repetitions` parallel regions, FLOP/s (one FMA = 2 FLOPs).
double ReferenceFma(int64_t iterations, int threads, int repetitions);

// Bytes of one native vector (64 with AVX-512, 32 with AVX, else 16).
int ReferenceVectorBytes();

}  // namespace benchfleet::bench

#endif  // BENCHFLEET_BENCH_CALIBRATION_REFERENCE_H_
