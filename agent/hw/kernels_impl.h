// The memory kernels shared by every kernels_<isa>.cc. Included only from
// those files: everything has internal linkage, so each translation unit
// keeps its own copy compiled with its own -m flags (no ODR clash).
#ifndef BENCHFLEET_AGENT_HW_KERNELS_IMPL_H_
#define BENCHFLEET_AGENT_HW_KERNELS_IMPL_H_

#include <cstdint>

namespace benchfleet::hw::kernels {
namespace {

// Starting value of the FMA accumulators, read through a volatile so the
// compiler cannot prove a chain constant: 1.0 is a fixed point of
// acc * 0.999999 + 1e-6 in float, and GCC drops such a chain entirely
// (which silently inflates a FLOP count by 1/accumulators).
volatile float g_fma_seed = 0.5f;

// Keeps the compiler from fusing or interchanging the passes of a sweep
// (loop interchange would keep x[i] in a register across passes).
inline void CompilerBarrier() { asm volatile("" ::: "memory"); }

void RmwImpl(double* __restrict x, int64_t n, int64_t passes) {
  for (int64_t p = 0; p < passes; ++p) {
    for (int64_t i = 0; i < n; ++i) x[i] = x[i] * 0.5 + 0.5;
    CompilerBarrier();
  }
}

void CopyImpl(const double* __restrict a, double* __restrict c, int64_t n) {
  for (int64_t i = 0; i < n; ++i) c[i] = a[i];
}

void ScaleImpl(double* __restrict b, const double* __restrict c, double s,
               int64_t n) {
  for (int64_t i = 0; i < n; ++i) b[i] = s * c[i];
}

void AddImpl(const double* __restrict a, const double* __restrict b,
             double* __restrict c, int64_t n) {
  for (int64_t i = 0; i < n; ++i) c[i] = a[i] + b[i];
}

void TriadImpl(double* __restrict a, const double* __restrict b,
               const double* __restrict c, double s, int64_t n) {
  for (int64_t i = 0; i < n; ++i) a[i] = b[i] + s * c[i];
}

}  // namespace
}  // namespace benchfleet::hw::kernels

#endif  // BENCHFLEET_AGENT_HW_KERNELS_IMPL_H_
