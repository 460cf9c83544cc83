#include "agent/hw/accelerator_probe.h"

#include <dlfcn.h>
#include <torch/torch.h>

#include <cstdint>
#include <map>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "agent/hw/nvml.h"

#if defined(BENCHFLEET_TORCH_CUDA)
// Only with a CUDA build of LibTorch (bazel build --define=torch_cuda=1).
#include <ATen/cuda/CUDAContext.h>
#endif

namespace benchfleet::hw {
namespace {

void AddSource(v1::AcceleratorInfo* a, const std::string& field,
               const std::string& source) {
  v1::FigureSource* s = a->add_sources();
  s->set_field(field);
  s->set_source(source);
}

// The CUDA driver API subset used (cuda.h); a stable C ABI.
using CUresult = int;
using CUdevice = int;
struct CUuuid {
  unsigned char bytes[16];
};
constexpr int kAttrClockRate = 13;  // kHz
constexpr int kAttrMultiprocessors = 16;
constexpr int kAttrMemoryClockRate = 36;  // kHz
constexpr int kAttrMemoryBusWidth = 37;   // bits
constexpr int kAttrCcMajor = 75;
constexpr int kAttrCcMinor = 76;

std::string FormatUuid(const CUuuid& u) {
  // NVML's spelling: GPU-xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx.
  std::string hex;
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) hex += '-';
    hex += absl::StrFormat("%02x", u.bytes[i]);
  }
  return "GPU-" + hex;
}

// CUDA devices through the driver API, keyed by CUDA ordinal; uuid by
// ordinal in `uuids`. Empty without libcuda.so.1 or a working driver.
std::vector<v1::AcceleratorInfo> CudaDriverDevices(
    std::map<int, std::string>* uuids, std::string* driver_cuda) {
  std::vector<v1::AcceleratorInfo> devices;
  static void* lib = dlopen("libcuda.so.1", RTLD_NOW | RTLD_LOCAL);
  if (lib == nullptr) return devices;
  auto init = reinterpret_cast<CUresult (*)(unsigned)>(dlsym(lib, "cuInit"));
  auto count_fn =
      reinterpret_cast<CUresult (*)(int*)>(dlsym(lib, "cuDeviceGetCount"));
  auto get =
      reinterpret_cast<CUresult (*)(CUdevice*, int)>(dlsym(lib, "cuDeviceGet"));
  auto name_fn = reinterpret_cast<CUresult (*)(char*, int, CUdevice)>(
      dlsym(lib, "cuDeviceGetName"));
  auto mem_fn = reinterpret_cast<CUresult (*)(size_t*, CUdevice)>(
      dlsym(lib, "cuDeviceTotalMem_v2"));
  auto attr = reinterpret_cast<CUresult (*)(int*, int, CUdevice)>(
      dlsym(lib, "cuDeviceGetAttribute"));
  auto uuid_fn = reinterpret_cast<CUresult (*)(CUuuid*, CUdevice)>(
      dlsym(lib, "cuDeviceGetUuid"));
  auto version =
      reinterpret_cast<CUresult (*)(int*)>(dlsym(lib, "cuDriverGetVersion"));
  if (!init || !count_fn || !get || !attr || init(0) != 0) return devices;
  int v = 0;
  if (version && version(&v) == 0 && v > 0)
    *driver_cuda = absl::StrCat(v / 1000, ".", (v % 1000) / 10);
  int count = 0;
  if (count_fn(&count) != 0) return devices;
  for (int i = 0; i < count; ++i) {
    CUdevice dev;
    if (get(&dev, i) != 0) continue;
    v1::AcceleratorInfo a;
    a.set_index(i);
    a.set_vendor("NVIDIA");
    char name[256] = {};
    if (name_fn && name_fn(name, sizeof(name), dev) == 0) a.set_name(name);
    size_t bytes = 0;
    if (mem_fn && mem_fn(&bytes, dev) == 0)
      a.set_memory_bytes(static_cast<int64_t>(bytes));
    int value = 0, minor = 0;
    if (attr(&value, kAttrMultiprocessors, dev) == 0)
      a.set_multiprocessors(value);
    if (attr(&value, kAttrCcMajor, dev) == 0 &&
        attr(&minor, kAttrCcMinor, dev) == 0)
      a.set_compute_capability(absl::StrCat(value, ".", minor));
    if (attr(&value, kAttrClockRate, dev) == 0) a.set_clock_mhz(value / 1000.0);
    if (attr(&value, kAttrMemoryClockRate, dev) == 0)
      a.set_memory_clock_mhz(value / 1000.0);
    if (attr(&value, kAttrMemoryBusWidth, dev) == 0)
      a.set_memory_bus_width_bits(value);
    AddSource(&a, "properties", "cuda-driver");
    CUuuid uuid;
    if (uuid_fn && uuid_fn(&uuid, dev) == 0) (*uuids)[i] = FormatUuid(uuid);
    devices.push_back(a);
  }
  return devices;
}

#if defined(BENCHFLEET_TORCH_CUDA)
// LibTorch's own view (cudaDeviceProp) overrides the driver's figures.
void MergeLibTorch(int index, v1::AcceleratorInfo* a) {
  const cudaDeviceProp* p = at::cuda::getDeviceProperties(index);
  if (p == nullptr) return;
  a->set_name(p->name);
  a->set_memory_bytes(static_cast<int64_t>(p->totalGlobalMem));
  a->set_multiprocessors(p->multiProcessorCount);
  a->set_compute_capability(absl::StrCat(p->major, ".", p->minor));
  a->set_clock_mhz(p->clockRate / 1000.0);
  a->set_memory_clock_mhz(p->memoryClockRate / 1000.0);
  a->set_memory_bus_width_bits(p->memoryBusWidth);
  AddSource(a, "properties", "libtorch");
}
#endif

}  // namespace

void ProbeAccelerators(v1::HardwareReport* report) {
  std::map<int, std::string> uuids;
  std::string driver_cuda;
  std::vector<v1::AcceleratorInfo> devices =
      CudaDriverDevices(&uuids, &driver_cuda);
  const bool torch_cuda = torch::cuda::is_available();
  const int torch_devices =
      torch_cuda ? static_cast<int>(torch::cuda::device_count()) : 0;
#if defined(BENCHFLEET_TORCH_CUDA)
  for (int i = 0; i < torch_devices; ++i) {
    if (i >= static_cast<int>(devices.size())) {
      v1::AcceleratorInfo a;
      a.set_index(i);
      a.set_vendor("NVIDIA");
      devices.push_back(a);
    }
    MergeLibTorch(i, &devices[i]);
  }
#endif

  absl::StatusOr<NvmlInventory> nvml = QueryNvml();
  if (nvml.ok()) {
    if (devices.empty()) {
      // No CUDA driver API: describe what NVML sees.
      for (const NvmlDevice& d : nvml->devices) {
        v1::AcceleratorInfo a;
        a.set_index(d.index);
        a.set_vendor("NVIDIA");
        a.set_name(d.name);
        a.set_memory_bytes(d.memory_bytes);
        if (d.cc_major > 0)
          a.set_compute_capability(absl::StrCat(d.cc_major, ".", d.cc_minor));
        a.set_clock_mhz(d.max_sm_clock_mhz);
        a.set_memory_clock_mhz(d.max_memory_clock_mhz);
        a.set_memory_bus_width_bits(d.memory_bus_width_bits);
        AddSource(&a, "properties", "nvml");
        uuids[d.index] = d.uuid;
        devices.push_back(a);
      }
    }
    for (v1::AcceleratorInfo& a : devices) {
      a.set_driver_version(nvml->driver_version);
      a.set_cuda_driver_version(nvml->cuda_driver_version);
      for (const NvmlDevice& d : nvml->devices) {
        // CUDA and NVML number devices differently; the UUID is common.
        if (uuids.count(a.index()) == 0 || d.uuid != uuids[a.index()]) continue;
        a.set_power_limit_watts(d.power_limit_watts);
        // NVML's maximum clocks are the boost clocks the datasheet uses.
        if (d.max_sm_clock_mhz > 0) a.set_clock_mhz(d.max_sm_clock_mhz);
        if (d.max_memory_clock_mhz > 0)
          a.set_memory_clock_mhz(d.max_memory_clock_mhz);
        if (a.memory_bus_width_bits() == 0)
          a.set_memory_bus_width_bits(d.memory_bus_width_bits);
        AddSource(&a, "driver_version", "nvml");
        AddSource(&a, "power_limit_watts", "nvml");
      }
    }
  }
  for (v1::AcceleratorInfo& a : devices) {
    if (a.cuda_driver_version().empty()) a.set_cuda_driver_version(driver_cuda);
    *report->add_accelerators() = a;
  }
  if (!devices.empty() && torch_devices == 0) {
    report->add_warnings(absl::StrCat(
        devices.size(),
        " GPU(s) present but LibTorch has no CUDA (CPU-only build or no "
        "usable driver): GPU benchmarks and calibration are skipped"));
  }
}

}  // namespace benchfleet::hw
