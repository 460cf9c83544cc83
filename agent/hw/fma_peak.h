// Measures the FP32 FMA peak of the CPU: independent vector accumulators in
// registers at the widest instruction set available, on one thread or
// many. This is the compute roof a perfect kernel could reach.
#ifndef BENCHFLEET_AGENT_HW_FMA_PEAK_H_
#define BENCHFLEET_AGENT_HW_FMA_PEAK_H_

#include <cstdint>
#include <string>

#include "agent/hw/kernels.h"

namespace benchfleet::hw {

struct FmaPeakOptions {
  int threads = 1;            // threads running the kernel at once
  double min_seconds = 0.25;  // length of one timed run, seconds
  int repetitions = 3;        // timed runs; the best counts
  // Kernel set to use; null = the widest this CPU supports.
  const kernels::KernelSet* kernels = nullptr;
};

struct FmaPeakResult {
  double flops_per_second = 0;  // best run, all threads
  std::string isa;              // kernel set used
  int vector_bytes = 0;
  int accumulators = 0;
  int threads = 0;
  int64_t iterations = 0;  // per thread per run
  double seconds = 0;      // best run's wall time
};

// Runs the FMA kernel; FLOPs = threads x iterations x accumulators x lanes
// x 2 (one multiply-add = 2 FLOPs). Takes about (repetitions + 1) x
// min_seconds. Thread-compatible; do not run two at once.
FmaPeakResult MeasureFmaPeak(const FmaPeakOptions& options);

}  // namespace benchfleet::hw

#endif  // BENCHFLEET_AGENT_HW_FMA_PEAK_H_
