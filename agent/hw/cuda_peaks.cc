#include "agent/hw/cuda_peaks.h"

#include <ATen/Context.h>
#include <torch/cuda.h>
#include <torch/torch.h>

#include <algorithm>
#include <chrono>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace benchfleet::hw {
namespace {

double Now() {
  return std::chrono::duration<double>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// Best rate over `repetitions` runs of `count` calls of `op`; `units` is
// what one call does (bytes or FLOPs).
template <typename Op>
double BestRate(Op op, int device, double units, const CudaPeakOptions& o) {
  op();
  torch::cuda::synchronize(device);
  double start = Now();
  op();
  torch::cuda::synchronize(device);
  const double one = std::max(Now() - start, 1e-6);
  const int count = std::max(1, static_cast<int>(o.min_seconds / one));
  double best = 0;
  for (int r = 0; r < std::max(1, o.repetitions); ++r) {
    start = Now();
    for (int i = 0; i < count; ++i) op();
    torch::cuda::synchronize(device);
    best = std::max(best, units * count / (Now() - start));
  }
  return best;
}

}  // namespace

absl::StatusOr<std::vector<v1::MeasuredPeak>> MeasureCudaPeaks(
    const CudaPeakOptions& options) {
  if (!torch::cuda::is_available())
    return absl::UnavailableError("LibTorch has no usable CUDA device");
  std::vector<v1::MeasuredPeak> peaks;
  const int devices = static_cast<int>(torch::cuda::device_count());
  int device = 0;
  try {
    torch::NoGradGuard no_grad;
    // FP32 means FP32: no TF32 tensor-core shortcut in cuBLAS.
    at::globalContext().setAllowTF32CuBLAS(false);
    for (device = 0; device < devices; ++device) {
      const auto on_device = torch::TensorOptions()
                                 .dtype(torch::kFloat32)
                                 .device(torch::Device(torch::kCUDA, device));
      const int64_t elements = options.copy_bytes / 4;
      torch::Tensor src = torch::ones({elements}, on_device);
      torch::Tensor dst = torch::empty({elements}, on_device);
      const double copy = BestRate([&] { dst.copy_(src); }, device,
                                   2.0 * elements * 4, options);
      v1::MeasuredPeak p;
      p.set_name(absl::StrCat("cuda", device, "_d2d_copy"));
      p.set_value(copy);
      p.set_unit("B/s");
      p.set_method(absl::StrFormat(
          "LibTorch Tensor::copy_ of %d MiB on cuda:%d; read + write bytes "
          "counted; best of %d",
          options.copy_bytes >> 20, device, options.repetitions));
      peaks.push_back(p);
      src = torch::Tensor();
      dst = torch::Tensor();

      const int64_t n = options.gemm_n;
      torch::Tensor a = torch::rand({n, n}, on_device);
      torch::Tensor b = torch::rand({n, n}, on_device);
      torch::Tensor c = torch::empty({n, n}, on_device);
      const double sgemm =
          BestRate([&] { torch::mm_out(c, a, b); }, device,
                   2.0 * n * n * static_cast<double>(n), options);
      p.set_name(absl::StrCat("cuda", device, "_sgemm"));
      p.set_value(sgemm);
      p.set_unit("FLOP/s");
      p.set_method(absl::StrFormat(
          "LibTorch torch::mm float32 %dx%dx%d on cuda:%d, TF32 off; best of "
          "%d",
          n, n, n, device, options.repetitions));
      peaks.push_back(p);
    }
  } catch (const c10::Error& e) {
    return absl::InternalError(absl::StrCat("CUDA calibration on cuda:", device,
                                            ": ", e.what_without_backtrace()));
  }
  return peaks;
}

}  // namespace benchfleet::hw
