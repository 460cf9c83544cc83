#include "agent/hw/stream.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <memory>

#include "absl/strings/str_format.h"
#include "agent/hw/parallel.h"

namespace benchfleet::hw {
namespace {

struct FreeDeleter {
  void operator()(double* p) const { std::free(p); }
};
using Array = std::unique_ptr<double[], FreeDeleter>;

Array Allocate(int64_t n) {
  // Page-aligned, size rounded up to whole pages.
  const size_t bytes =
      (static_cast<size_t>(n) * sizeof(double) + 4095) / 4096 * 4096;
  return Array(static_cast<double*>(std::aligned_alloc(4096, bytes)));
}

// 8 doubles = one 64-byte cache line.
constexpr int64_t kAlign = 8;

}  // namespace

int64_t StreamBytes(StreamKernel kernel, int64_t n) {
  const int64_t arrays =
      kernel == StreamKernel::kCopy || kernel == StreamKernel::kScale ? 2 : 3;
  return arrays * static_cast<int64_t>(sizeof(double)) * n;
}

absl::Status CheckStreamResults(const double* a, const double* b,
                                const double* c, int64_t n, int ntimes,
                                double scalar) {
  double aj = 1.0, bj = 2.0, cj = 0.0;
  for (int k = 0; k < ntimes; ++k) {
    cj = aj;
    bj = scalar * cj;
    cj = aj + bj;
    aj = bj + scalar * cj;
  }
  double a_err = 0, b_err = 0, c_err = 0;
  for (int64_t j = 0; j < n; ++j) {
    a_err += std::abs(a[j] - aj);
    b_err += std::abs(b[j] - bj);
    c_err += std::abs(c[j] - cj);
  }
  constexpr double kEpsilon = 1e-13;  // STREAM's bound for 8-byte reals
  const double mean_a = a_err / n / std::abs(aj);
  const double mean_b = b_err / n / std::abs(bj);
  const double mean_c = c_err / n / std::abs(cj);
  if (mean_a > kEpsilon || mean_b > kEpsilon || mean_c > kEpsilon || n <= 0) {
    return absl::DataLossError(absl::StrFormat(
        "STREAM validation failed: mean relative errors a %g, b %g, c %g "
        "(bound %g)",
        mean_a, mean_b, mean_c, kEpsilon));
  }
  return absl::OkStatus();
}

absl::StatusOr<StreamResult> RunStream(const StreamOptions& options) {
  if (options.array_elements <= 0 || options.ntimes < 2)
    return absl::InvalidArgumentError(
        "STREAM needs array_elements > 0 and ntimes >= 2");
  const kernels::KernelSet* k =
      options.kernels != nullptr ? options.kernels : kernels::BestKernels();
  const int threads = std::max(1, options.threads);
  const int64_t n = options.array_elements;
  Array a = Allocate(n), b = Allocate(n), c = Allocate(n);
  if (!a || !b || !c)
    return absl::ResourceExhaustedError(
        absl::StrFormat("STREAM: cannot allocate 3 arrays of %d bytes", n * 8));
  double* pa = a.get();
  double* pb = b.get();
  double* pc = c.get();
  auto range = [&](int i, int64_t* begin, int64_t* end) {
    SplitRange(n, threads, i, kAlign, begin, end);
  };
  // One team for the whole run; its members keep their CPUs, and each first
  // touches the part it will use (pages land on its NUMA node).
  ThreadTeam team(threads);
  team.Run([&](int i) {
    int64_t begin, end;
    range(i, &begin, &end);
    for (int64_t j = begin; j < end; ++j) {
      pa[j] = 1.0;
      pb[j] = 2.0;
      pc[j] = 0.0;
    }
  });

  const double s = options.scalar;
  double best[4] = {1e30, 1e30, 1e30, 1e30};
  for (int iter = 0; iter < options.ntimes; ++iter) {
    double times[4];
    times[0] = team.Run([&](int i) {
      int64_t begin, end;
      range(i, &begin, &end);
      k->copy(pa + begin, pc + begin, end - begin);
    });
    times[1] = team.Run([&](int i) {
      int64_t begin, end;
      range(i, &begin, &end);
      k->scale(pb + begin, pc + begin, s, end - begin);
    });
    times[2] = team.Run([&](int i) {
      int64_t begin, end;
      range(i, &begin, &end);
      k->add(pa + begin, pb + begin, pc + begin, end - begin);
    });
    times[3] = team.Run([&](int i) {
      int64_t begin, end;
      range(i, &begin, &end);
      k->triad(pa + begin, pb + begin, pc + begin, s, end - begin);
    });
    if (iter == 0) continue;  // STREAM ignores the first iteration
    for (int j = 0; j < 4; ++j) best[j] = std::min(best[j], times[j]);
  }
  absl::Status valid = CheckStreamResults(pa, pb, pc, n, options.ntimes, s);
  if (!valid.ok()) return valid;

  StreamResult result;
  result.array_elements = n;
  result.ntimes = options.ntimes;
  result.threads = threads;
  result.isa = k->isa;
  result.copy = StreamBytes(StreamKernel::kCopy, n) / best[0];
  result.scale = StreamBytes(StreamKernel::kScale, n) / best[1];
  result.add = StreamBytes(StreamKernel::kAdd, n) / best[2];
  result.triad = StreamBytes(StreamKernel::kTriad, n) / best[3];
  return result;
}

}  // namespace benchfleet::hw
