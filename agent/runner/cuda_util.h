// The few CUDA calls the runner makes, in one place so the rest of it
// compiles against any LibTorch. Everything here is safe to call on a
// CPU-only LibTorch: the predicates say false and nothing else is reached.
//
// Timing on CUDA: kernels run asynchronously, so the runner calls
// CudaSynchronize() before reading the clock at the start and at the end of
// every timed phase; a phase's time is then what the GPU needed for it (plus
// one synchronisation), not how long it took to enqueue.
//
// Memory: the peak of the CUDA caching allocator's allocated bytes (what
// torch.cuda.max_memory_allocated() reports) needs c10_cuda, which a
// CPU-only LibTorch lacks. Build with --define=torch_cuda=true against a
// CUDA LibTorch to get it; without that define CudaMemoryStatsAvailable() is
// false and the runner says so in a warning.
#ifndef BENCHFLEET_AGENT_RUNNER_CUDA_UTIL_H_
#define BENCHFLEET_AGENT_RUNNER_CUDA_UTIL_H_

#include <cstdint>
#include <string>

namespace benchfleet::runner {

// True when this LibTorch has CUDA and a device is visible.
bool CudaAvailable();

// Why CUDA cannot be used, for messages and skipped tests; empty when it can.
std::string CudaUnavailableReason();

// Waits for all work queued on the current CUDA device. No-op without CUDA.
void CudaSynchronize();

// True when this binary was built with the allocator statistics.
bool CudaMemoryStatsAvailable();

// Resets the current device's peak allocated-bytes statistic. No-op when
// the statistics are unavailable.
void CudaResetPeakMemory();

// Peak bytes allocated on the current device since the last reset; 0 when
// the statistics are unavailable.
int64_t CudaPeakAllocatedBytes();

}  // namespace benchfleet::runner

#endif  // BENCHFLEET_AGENT_RUNNER_CUDA_UTIL_H_
