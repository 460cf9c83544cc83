// Microbenchmark kernels, compiled once per instruction set (separate
// libraries with their own -m flags) and chosen at run time from CPUID, so
// the agent runs on any x86-64 and uses the widest vectors the CPU and OS
// allow. Off x86 only the portable set exists.
#ifndef BENCHFLEET_AGENT_HW_KERNELS_H_
#define BENCHFLEET_AGENT_HW_KERNELS_H_

#include <cstdint>
#include <vector>

namespace benchfleet::hw::kernels {

// One instruction set's kernels. All are single-threaded and thread-safe on
// disjoint data; callers split work across threads.
struct KernelSet {
  const char* isa;       // "avx512", "avx2", "sse2", "portable"
  int vector_bytes;      // width of one FMA vector: 64, 32, 16
  int fma_accumulators;  // independent FMA chains per iteration
  // FP32 FMA peak kernel: `iterations` rounds of `fma_accumulators`
  // independent vector multiply-adds (acc = acc * m + a), data in registers.
  // FLOPs = iterations x fma_accumulators x (vector_bytes / 4) x 2. Returns
  // the accumulators' sum so the work cannot be optimised away.
  double (*fma)(int64_t iterations);
  // ERT-style sweep kernel: `passes` in-place passes x[i] = x[i] * 0.5 +
  // 0.5 over n doubles; each pass loads and stores 16 x n bytes.
  void (*rmw)(double* x, int64_t n, int64_t passes);
  // The four STREAM kernels (McCalpin) over [0, n): c = a; b = s c;
  // c = a + b; a = b + s c.
  void (*copy)(const double* a, double* c, int64_t n);
  void (*scale)(double* b, const double* c, double s, int64_t n);
  void (*add)(const double* a, const double* b, double* c, int64_t n);
  void (*triad)(double* a, const double* b, const double* c, double s,
                int64_t n);
};

// The widest set this CPU and OS support. Never null.
const KernelSet* BestKernels();

// Every set this CPU supports, widest first (the portable set last).
std::vector<const KernelSet*> SupportedKernels();

namespace internal {
// Each returns nullptr when its file was compiled for another architecture.
const KernelSet* Avx512Kernels();
const KernelSet* Avx2Kernels();
const KernelSet* Sse2Kernels();
const KernelSet* PortableKernels();  // never null
}  // namespace internal

}  // namespace benchfleet::hw::kernels

#endif  // BENCHFLEET_AGENT_HW_KERNELS_H_
