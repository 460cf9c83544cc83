// Finds the machine's accelerators: LibTorch's CUDA API for what the
// benchmarks can use, the CUDA driver API (libcuda.so.1, dlopen'ed) for SM
// count, compute capability and clocks even when LibTorch is CPU-only, and
// NVML (libnvidia-ml.so.1, dlopen'ed) for the driver version and power
// limit. Every library is optional; a machine without them has no
// accelerators and no warning.
#ifndef BENCHFLEET_AGENT_HW_ACCELERATOR_PROBE_H_
#define BENCHFLEET_AGENT_HW_ACCELERATOR_PROBE_H_

#include <vector>

#include "proto/hardware.pb.h"

namespace benchfleet::hw {

// Adds one AcceleratorInfo per GPU to `report`, and a warning when a GPU is
// present but LibTorch cannot use it (a CPU-only build).
void ProbeAccelerators(v1::HardwareReport* report);

}  // namespace benchfleet::hw

#endif  // BENCHFLEET_AGENT_HW_ACCELERATOR_PROBE_H_
