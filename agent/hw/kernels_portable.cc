// Portable kernels with GCC vector extensions: 16-byte vectors become NEON
// on aarch64 (with -ffp-contract=fast, a * m + a is one FMA) and SSE2 on
// x86-64, where they only serve tests and as a last resort.
#include "agent/hw/kernels.h"
#include "agent/hw/kernels_impl.h"

namespace benchfleet::hw::kernels {
namespace {

typedef float Vec4 __attribute__((vector_size(16)));
constexpr int kAccumulators = 12;

double Fma(int64_t iterations) {
  Vec4 acc[kAccumulators];
  for (int j = 0; j < kAccumulators; ++j) {
    const float v = g_fma_seed + 0.001f * j;  // opaque: no constant folding
    acc[j] = Vec4{v, v, v, v};
  }
  const Vec4 m = {0.999999f, 0.999999f, 0.999999f, 0.999999f};
  const Vec4 a = {1e-6f, 1e-6f, 1e-6f, 1e-6f};
  for (int64_t i = 0; i < iterations; ++i) {
#pragma GCC unroll 12
    for (int j = 0; j < kAccumulators; ++j) acc[j] = acc[j] * m + a;
  }
  double total = 0;
  for (int j = 0; j < kAccumulators; ++j)
    for (int k = 0; k < 4; ++k) total += acc[j][k];
  return total;
}

const KernelSet kSet = {"portable", 16,        kAccumulators, Fma,      RmwImpl,
                        CopyImpl,   ScaleImpl, AddImpl,       TriadImpl};

}  // namespace

namespace internal {
const KernelSet* PortableKernels() { return &kSet; }
}  // namespace internal
}  // namespace benchfleet::hw::kernels
