#include "agent/hw/kernels.h"

namespace benchfleet::hw::kernels {

std::vector<const KernelSet*> SupportedKernels() {
  std::vector<const KernelSet*> sets;
#if defined(__x86_64__)
  // libgcc's CPU model checks the OS enables the AVX and AVX-512 state
  // (XGETBV), not only the CPUID bits.
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("fma") &&
      internal::Avx512Kernels() != nullptr)
    sets.push_back(internal::Avx512Kernels());
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") &&
      internal::Avx2Kernels() != nullptr)
    sets.push_back(internal::Avx2Kernels());
  if (internal::Sse2Kernels() != nullptr)
    sets.push_back(internal::Sse2Kernels());
#endif
  sets.push_back(internal::PortableKernels());
  return sets;
}

const KernelSet* BestKernels() {
  static const KernelSet* best = SupportedKernels().front();
  return best;
}

}  // namespace benchfleet::hw::kernels
