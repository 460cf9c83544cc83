// Measures the FP32 GEMM rate LibTorch reaches on this machine (torch::mm,
// square matrices): the compute roof models actually see, which depends on
// the BLAS LibTorch calls (reference BLAS is ~30x below OpenBLAS).
#ifndef BENCHFLEET_AGENT_HW_GEMM_PEAK_H_
#define BENCHFLEET_AGENT_HW_GEMM_PEAK_H_

#include "absl/status/statusor.h"

namespace benchfleet::hw {

struct GemmPeakOptions {
  int threads = 1;            // LibTorch intra-op threads during the run
  int min_n = 128;            // smallest matrix order tried
  int max_n = 4096;           // largest matrix order tried
  double min_seconds = 0.25;  // length of one timed run, seconds
  int repetitions = 3;        // timed runs; the best counts
};

struct GemmPeakResult {
  double flops_per_second = 0;  // 2 n^3 per product, best run
  int n = 0;                    // matrix order used
  int products = 0;             // products per timed run
  int threads = 0;
};

// Picks the order n by doubling from min_n until one product takes 50 ms or
// n reaches max_n, then times runs of repeated torch::mm_out. Restores
// LibTorch's thread count. Internal error (with the shape) if LibTorch
// throws. Not thread-safe: it changes LibTorch's global thread count.
absl::StatusOr<GemmPeakResult> MeasureGemmPeak(const GemmPeakOptions& options);

}  // namespace benchfleet::hw

#endif  // BENCHFLEET_AGENT_HW_GEMM_PEAK_H_
