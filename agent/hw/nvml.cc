#include "agent/hw/nvml.h"

#include <dlfcn.h>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace benchfleet::hw {
namespace {

// The few NVML types and entry points used, as declared in nvml.h (CUDA
// toolkit); the C ABI is stable across driver versions.
using nvmlReturn_t = int;
using nvmlDevice_t = struct nvmlDevice_st*;
struct nvmlMemory_t {
  unsigned long long total, free, used;
};
constexpr nvmlReturn_t kNvmlSuccess = 0;
constexpr int kNvmlClockSm = 1;
constexpr int kNvmlClockMem = 2;

struct NvmlApi {
  nvmlReturn_t (*init)();
  nvmlReturn_t (*shutdown)();
  nvmlReturn_t (*get_count)(unsigned int*);
  nvmlReturn_t (*get_handle)(unsigned int, nvmlDevice_t*);
  nvmlReturn_t (*get_name)(nvmlDevice_t, char*, unsigned int);
  nvmlReturn_t (*get_uuid)(nvmlDevice_t, char*, unsigned int);
  nvmlReturn_t (*get_memory)(nvmlDevice_t, nvmlMemory_t*);
  nvmlReturn_t (*get_power_limit)(nvmlDevice_t, unsigned int*);
  nvmlReturn_t (*get_max_clock)(nvmlDevice_t, int, unsigned int*);
  nvmlReturn_t (*get_bus_width)(nvmlDevice_t, unsigned int*);
  nvmlReturn_t (*get_cc)(nvmlDevice_t, int*, int*);
  nvmlReturn_t (*driver_version)(char*, unsigned int);
  nvmlReturn_t (*cuda_version)(int*);
};

template <typename F>
void Load(void* lib, const char* name, F* fn) {
  *fn = reinterpret_cast<F>(dlsym(lib, name));
}

}  // namespace

absl::StatusOr<NvmlInventory> QueryNvml() {
  // Kept loaded: unloading NVML while CUDA holds it is not safe.
  static void* lib = dlopen("libnvidia-ml.so.1", RTLD_NOW | RTLD_LOCAL);
  if (lib == nullptr)
    return absl::UnavailableError("libnvidia-ml.so.1 not found");
  NvmlApi api{};
  Load(lib, "nvmlInit_v2", &api.init);
  Load(lib, "nvmlShutdown", &api.shutdown);
  Load(lib, "nvmlDeviceGetCount_v2", &api.get_count);
  Load(lib, "nvmlDeviceGetHandleByIndex_v2", &api.get_handle);
  Load(lib, "nvmlDeviceGetName", &api.get_name);
  Load(lib, "nvmlDeviceGetUUID", &api.get_uuid);
  Load(lib, "nvmlDeviceGetMemoryInfo", &api.get_memory);
  Load(lib, "nvmlDeviceGetEnforcedPowerLimit", &api.get_power_limit);
  Load(lib, "nvmlDeviceGetMaxClockInfo", &api.get_max_clock);
  Load(lib, "nvmlDeviceGetMemoryBusWidth", &api.get_bus_width);
  Load(lib, "nvmlDeviceGetCudaComputeCapability", &api.get_cc);
  Load(lib, "nvmlSystemGetDriverVersion", &api.driver_version);
  Load(lib, "nvmlSystemGetCudaDriverVersion", &api.cuda_version);
  if (!api.init || !api.shutdown || !api.get_count || !api.get_handle)
    return absl::UnavailableError("libnvidia-ml.so.1 lacks nvmlInit_v2");
  if (nvmlReturn_t rc = api.init(); rc != kNvmlSuccess)
    return absl::UnavailableError(absl::StrCat("nvmlInit_v2 failed: ", rc));

  NvmlInventory inventory;
  char text[256] = {};
  if (api.driver_version &&
      api.driver_version(text, sizeof(text)) == kNvmlSuccess)
    inventory.driver_version = text;
  int cuda = 0;
  if (api.cuda_version && api.cuda_version(&cuda) == kNvmlSuccess && cuda > 0)
    inventory.cuda_driver_version =
        absl::StrCat(cuda / 1000, ".", (cuda % 1000) / 10);
  unsigned int count = 0;
  if (api.get_count(&count) != kNvmlSuccess) count = 0;
  for (unsigned int i = 0; i < count; ++i) {
    nvmlDevice_t device = nullptr;
    if (api.get_handle(i, &device) != kNvmlSuccess) continue;
    NvmlDevice d;
    d.index = static_cast<int>(i);
    if (api.get_name &&
        api.get_name(device, text, sizeof(text)) == kNvmlSuccess)
      d.name = text;
    if (api.get_uuid &&
        api.get_uuid(device, text, sizeof(text)) == kNvmlSuccess)
      d.uuid = text;
    nvmlMemory_t memory{};
    if (api.get_memory && api.get_memory(device, &memory) == kNvmlSuccess)
      d.memory_bytes = static_cast<long long>(memory.total);
    unsigned int value = 0;
    if (api.get_power_limit &&
        api.get_power_limit(device, &value) == kNvmlSuccess)
      d.power_limit_watts = value / 1000.0;  // milliwatts
    if (api.get_max_clock &&
        api.get_max_clock(device, kNvmlClockSm, &value) == kNvmlSuccess)
      d.max_sm_clock_mhz = value;
    if (api.get_max_clock &&
        api.get_max_clock(device, kNvmlClockMem, &value) == kNvmlSuccess)
      d.max_memory_clock_mhz = value;
    if (api.get_bus_width && api.get_bus_width(device, &value) == kNvmlSuccess)
      d.memory_bus_width_bits = static_cast<int>(value);
    if (api.get_cc) api.get_cc(device, &d.cc_major, &d.cc_minor);
    inventory.devices.push_back(d);
  }
  api.shutdown();
  return inventory;
}

}  // namespace benchfleet::hw
