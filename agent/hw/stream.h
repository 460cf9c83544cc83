// STREAM (McCalpin, https://www.cs.virginia.edu/stream/): sustainable memory
// bandwidth from Copy, Scale, Add and Triad over three arrays of doubles,
// with STREAM's rules: arrays at least 4x the last-level cache, best time
// of NTIMES excluding the first iteration, results validated, and bytes
// counted the STREAM way (reads + writes of the named arrays, no
// write-allocate traffic).
#ifndef BENCHFLEET_AGENT_HW_STREAM_H_
#define BENCHFLEET_AGENT_HW_STREAM_H_

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "agent/hw/kernels.h"

namespace benchfleet::hw {

enum class StreamKernel { kCopy, kScale, kAdd, kTriad };

// Bytes one kernel moves over arrays of n doubles, counted as STREAM does:
// Copy and Scale 2 x 8 x n, Add and Triad 3 x 8 x n.
int64_t StreamBytes(StreamKernel kernel, int64_t n);

struct StreamOptions {
  int threads = 1;             // threads splitting each array
  int64_t array_elements = 0;  // doubles per array; required, > 0
  int ntimes = 10;             // iterations; the first is not counted
  double scalar = 3.0;         // STREAM's scalar
  // Kernel set to use; null = the widest this CPU supports.
  const kernels::KernelSet* kernels = nullptr;
};

struct StreamResult {
  // Best bandwidth per kernel over iterations 2..ntimes, bytes/second.
  double copy = 0, scale = 0, add = 0, triad = 0;
  int64_t array_elements = 0;
  int ntimes = 0;
  int threads = 0;
  std::string isa;
};

// Allocates and initialises the arrays (each thread touches its own part,
// so pages land on its NUMA node), runs the kernels and validates. Errors:
// InvalidArgument for bad options, ResourceExhausted when the arrays cannot
// be allocated, DataLoss when validation fails.
absl::StatusOr<StreamResult> RunStream(const StreamOptions& options);

// STREAM's checkSTREAMresults: replays the kernels' effect on one element
// (a = 1, b = 2, c = 0 at the start) and fails with DataLoss when the mean
// relative error of any array exceeds 1e-13.
absl::Status CheckStreamResults(const double* a, const double* b,
                                const double* c, int64_t n, int ntimes,
                                double scalar);

}  // namespace benchfleet::hw

#endif  // BENCHFLEET_AGENT_HW_STREAM_H_
