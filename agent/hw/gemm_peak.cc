#include "agent/hw/gemm_peak.h"

#include <torch/torch.h>

#include <algorithm>
#include <chrono>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace benchfleet::hw {
namespace {

double Now() {
  return std::chrono::duration<double>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// Seconds for `count` products c = a b.
double TimeProducts(const torch::Tensor& a, const torch::Tensor& b,
                    torch::Tensor& c, int count) {
  const double start = Now();
  for (int i = 0; i < count; ++i) torch::mm_out(c, a, b);
  return Now() - start;
}

}  // namespace

absl::StatusOr<GemmPeakResult> MeasureGemmPeak(const GemmPeakOptions& options) {
  const int saved_threads = at::get_num_threads();
  at::set_num_threads(std::max(1, options.threads));
  GemmPeakResult result;
  result.threads = at::get_num_threads();
  int n = std::max(16, options.min_n);
  try {
    torch::NoGradGuard no_grad;
    torch::Tensor a, b, c;
    double one = 0;
    while (true) {
      a = torch::rand({n, n});
      b = torch::rand({n, n});
      c = torch::empty({n, n});
      TimeProducts(a, b, c, 1);  // warm-up: BLAS threads, page faults
      one = TimeProducts(a, b, c, 1);
      if (one >= 0.05 || n * 2 > options.max_n) break;
      n *= 2;
    }
    result.n = n;
    result.products = std::max(
        1, static_cast<int>(options.min_seconds / std::max(one, 1e-9)));
    const double flops = 2.0 * n * n * static_cast<double>(n);
    for (int r = 0; r < std::max(1, options.repetitions); ++r) {
      const double s = TimeProducts(a, b, c, result.products);
      result.flops_per_second =
          std::max(result.flops_per_second, flops * result.products / s);
    }
  } catch (const c10::Error& e) {
    at::set_num_threads(saved_threads);
    return absl::InternalError(absl::StrCat("sgemm ", n, "x", n, "x", n, ": ",
                                            e.what_without_backtrace()));
  }
  at::set_num_threads(saved_threads);
  return result;
}

}  // namespace benchfleet::hw
