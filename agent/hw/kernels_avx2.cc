// AVX2 + FMA kernels; this file is compiled with -mavx2 -mfma.
#include "agent/hw/kernels.h"

#if defined(__x86_64__)
#include <immintrin.h>

#include "agent/hw/kernels_impl.h"

namespace benchfleet::hw::kernels {
namespace {

// 12 of the 16 ymm registers: enough chains for 2 FMA pipes of latency 4-5
// (Haswell .. Zen 4) without spilling the two constants.
constexpr int kAccumulators = 12;

double Fma(int64_t iterations) {
  __m256 acc[kAccumulators];
  const float base = g_fma_seed;  // opaque: no constant folding of chains
  for (int j = 0; j < kAccumulators; ++j)
    acc[j] = _mm256_set1_ps(base + 0.001f * j);
  const __m256 m = _mm256_set1_ps(0.999999f);
  const __m256 a = _mm256_set1_ps(1e-6f);
  for (int64_t i = 0; i < iterations; ++i) {
#pragma GCC unroll 12
    for (int j = 0; j < kAccumulators; ++j)
      acc[j] = _mm256_fmadd_ps(acc[j], m, a);
  }
  __m256 sum = acc[0];
  for (int j = 1; j < kAccumulators; ++j) sum = _mm256_add_ps(sum, acc[j]);
  alignas(32) float lanes[8];
  _mm256_store_ps(lanes, sum);
  double total = 0;
  for (float v : lanes) total += v;
  return total;
}

const KernelSet kSet = {"avx2",   32,        kAccumulators, Fma,      RmwImpl,
                        CopyImpl, ScaleImpl, AddImpl,       TriadImpl};

}  // namespace

namespace internal {
const KernelSet* Avx2Kernels() { return &kSet; }
}  // namespace internal
}  // namespace benchfleet::hw::kernels

#else
namespace benchfleet::hw::kernels::internal {
const KernelSet* Avx2Kernels() { return nullptr; }
}  // namespace benchfleet::hw::kernels::internal
#endif
