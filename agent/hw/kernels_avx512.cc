// AVX-512 kernels; this file is compiled with -mavx512f -mfma.
#include "agent/hw/kernels.h"

#if defined(__x86_64__)
#include <immintrin.h>

#include "agent/hw/kernels_impl.h"

namespace benchfleet::hw::kernels {
namespace {

constexpr int kAccumulators = 16;  // of 32 zmm registers; hides 4-cycle
                                   // latency on 2 FMA pipes with room

double Fma(int64_t iterations) {
  __m512 acc[kAccumulators];
  const float base = g_fma_seed;  // opaque: no constant folding of chains
  for (int j = 0; j < kAccumulators; ++j)
    acc[j] = _mm512_set1_ps(base + 0.001f * j);
  const __m512 m = _mm512_set1_ps(0.999999f);
  const __m512 a = _mm512_set1_ps(1e-6f);
  for (int64_t i = 0; i < iterations; ++i) {
#pragma GCC unroll 16
    for (int j = 0; j < kAccumulators; ++j)
      acc[j] = _mm512_fmadd_ps(acc[j], m, a);
  }
  __m512 sum = acc[0];
  for (int j = 1; j < kAccumulators; ++j) sum = _mm512_add_ps(sum, acc[j]);
  // GCC 12's own _mm512_reduce_add_ps trips its -Wuninitialized
  // (the intrinsic's undefined upper half); the code is fine.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
  return _mm512_reduce_add_ps(sum);
#pragma GCC diagnostic pop
}

const KernelSet kSet = {"avx512", 64,        kAccumulators, Fma,      RmwImpl,
                        CopyImpl, ScaleImpl, AddImpl,       TriadImpl};

}  // namespace

namespace internal {
const KernelSet* Avx512Kernels() { return &kSet; }
}  // namespace internal
}  // namespace benchfleet::hw::kernels

#else
namespace benchfleet::hw::kernels::internal {
const KernelSet* Avx512Kernels() { return nullptr; }
}  // namespace benchfleet::hw::kernels::internal
#endif
