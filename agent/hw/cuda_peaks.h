// Empirical GPU roofs through LibTorch: device-to-device copy bandwidth and
// FP32 GEMM. Compiles against any LibTorch (it uses only the generic tensor
// API) and runs only when torch::cuda::is_available().
#ifndef BENCHFLEET_AGENT_HW_CUDA_PEAKS_H_
#define BENCHFLEET_AGENT_HW_CUDA_PEAKS_H_

#include <vector>

#include "absl/status/statusor.h"
#include "proto/hardware.pb.h"

namespace benchfleet::hw {

struct CudaPeakOptions {
  int64_t copy_bytes = 256 << 20;  // bytes per copied buffer
  int gemm_n = 8192;               // matrix order of the sgemm
  double min_seconds = 0.25;       // length of one timed run, seconds
  int repetitions = 3;             // timed runs; the best counts
};

// For each CUDA device: "cuda<i>_d2d_copy" (B/s; read + write counted, as
// CUDA's bandwidthTest does) and "cuda<i>_sgemm" (FLOP/s, TF32 off).
// Unavailable when LibTorch has no usable CUDA device; Internal when a
// LibTorch call throws.
absl::StatusOr<std::vector<v1::MeasuredPeak>> MeasureCudaPeaks(
    const CudaPeakOptions& options);

}  // namespace benchfleet::hw

#endif  // BENCHFLEET_AGENT_HW_CUDA_PEAKS_H_
