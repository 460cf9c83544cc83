// NVIDIA Management Library, loaded at run time with
// dlopen("libnvidia-ml.so.1"): never a build dependency, and a machine
// without the NVIDIA driver simply has no NVML devices.
#ifndef BENCHFLEET_AGENT_HW_NVML_H_
#define BENCHFLEET_AGENT_HW_NVML_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace benchfleet::hw {

// What NVML says about one GPU; 0 or "" where a query failed.
struct NvmlDevice {
  int index = 0;
  std::string name;
  std::string uuid;
  std::string pci_bus_id;
  long long memory_bytes = 0;
  double power_limit_watts = 0;  // enforced limit
  double max_sm_clock_mhz = 0;
  double max_memory_clock_mhz = 0;
  int memory_bus_width_bits = 0;
  int cc_major = 0, cc_minor = 0;
};

struct NvmlInventory {
  std::string driver_version;       // e.g. "550.54.15"
  std::string cuda_driver_version;  // e.g. "12.4"
  std::vector<NvmlDevice> devices;
};

// Queries every GPU NVML sees. Unavailable when libnvidia-ml.so.1 is absent
// or nvmlInit fails (no driver); thread-safe (NVML is).
absl::StatusOr<NvmlInventory> QueryNvml();

}  // namespace benchfleet::hw

#endif  // BENCHFLEET_AGENT_HW_NVML_H_
