#include "agent/runner/cuda_util.h"

#include <torch/cuda.h>

#if defined(BENCHFLEET_TORCH_CUDA)
#include <c10/cuda/CUDACachingAllocator.h>
#include <c10/cuda/CUDAFunctions.h>
#endif

namespace benchfleet::runner {

bool CudaAvailable() { return torch::cuda::is_available(); }

std::string CudaUnavailableReason() {
  if (CudaAvailable()) return "";
  if (torch::cuda::device_count() == 0)
    return "this LibTorch has no CUDA support or no CUDA device is visible "
           "(torch::cuda::is_available() is false)";
  return "torch::cuda::is_available() is false";
}

void CudaSynchronize() {
  if (CudaAvailable()) torch::cuda::synchronize();
}

#if defined(BENCHFLEET_TORCH_CUDA)

bool CudaMemoryStatsAvailable() { return CudaAvailable(); }

void CudaResetPeakMemory() {
  if (!CudaAvailable()) return;
  c10::cuda::CUDACachingAllocator::resetPeakStats(c10::cuda::current_device());
}

int64_t CudaPeakAllocatedBytes() {
  if (!CudaAvailable()) return 0;
  using c10::cuda::CUDACachingAllocator::StatType;
  const auto stats = c10::cuda::CUDACachingAllocator::getDeviceStats(
      c10::cuda::current_device());
  return stats.allocated_bytes[static_cast<size_t>(StatType::AGGREGATE)].peak;
}

#else

bool CudaMemoryStatsAvailable() { return false; }
void CudaResetPeakMemory() {}
int64_t CudaPeakAllocatedBytes() { return 0; }

#endif

}  // namespace benchfleet::runner
