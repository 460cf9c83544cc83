// SSE2 kernels, the x86-64 baseline: no FMA, so a multiply and an add
// (2 FLOPs per lane, like one FMA).
#include "agent/hw/kernels.h"

#if defined(__x86_64__)
#include <emmintrin.h>

#include "agent/hw/kernels_impl.h"

namespace benchfleet::hw::kernels {
namespace {

constexpr int kAccumulators = 12;

double Fma(int64_t iterations) {
  __m128 acc[kAccumulators];
  const float base = g_fma_seed;  // opaque: no constant folding of chains
  for (int j = 0; j < kAccumulators; ++j)
    acc[j] = _mm_set1_ps(base + 0.001f * j);
  const __m128 m = _mm_set1_ps(0.999999f);
  const __m128 a = _mm_set1_ps(1e-6f);
  for (int64_t i = 0; i < iterations; ++i) {
#pragma GCC unroll 12
    for (int j = 0; j < kAccumulators; ++j)
      acc[j] = _mm_add_ps(_mm_mul_ps(acc[j], m), a);
  }
  __m128 sum = acc[0];
  for (int j = 1; j < kAccumulators; ++j) sum = _mm_add_ps(sum, acc[j]);
  alignas(16) float lanes[4];
  _mm_store_ps(lanes, sum);
  return static_cast<double>(lanes[0]) + lanes[1] + lanes[2] + lanes[3];
}

const KernelSet kSet = {"sse2",   16,        kAccumulators, Fma,      RmwImpl,
                        CopyImpl, ScaleImpl, AddImpl,       TriadImpl};

}  // namespace

namespace internal {
const KernelSet* Sse2Kernels() { return &kSet; }
}  // namespace internal
}  // namespace benchfleet::hw::kernels

#else
namespace benchfleet::hw::kernels::internal {
const KernelSet* Sse2Kernels() { return nullptr; }
}  // namespace benchfleet::hw::kernels::internal
#endif
