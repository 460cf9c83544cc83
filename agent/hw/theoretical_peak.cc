#include "agent/hw/theoretical_peak.h"

#include <algorithm>

#include "absl/strings/numbers.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"

namespace benchfleet::hw {
namespace {

bool HasFlag(const v1::CpuInfo& cpu, const std::string& flag) {
  return std::find(cpu.isa_flags().begin(), cpu.isa_flags().end(), flag) !=
         cpu.isa_flags().end();
}

// FP32 FLOP/cycle of the vector units of known cores: FMA pipes x lanes x 2.
// Sources: vendor optimisation manuals (Intel 64 and IA-32 Optimization
// Reference Manual; AMD Software Optimization Guides for family 17h/19h/1Ah;
// Arm Neoverse software optimisation guides).
double MicroarchFp32(const v1::CpuInfo& cpu, std::string* basis) {
  const std::string& u = cpu.microarchitecture();
  auto set = [basis](const char* text, double flops) {
    *basis = text;
    return flops;
  };
  if (u == "Zen") return set("Zen: 2 x 128-bit FMA", 16);
  if (u == "Zen 2" || u == "Zen 3") return set("Zen 2/3: 2 x 256-bit FMA", 32);
  if (u == "Zen 4" || u == "Zen 4c")
    return set("Zen 4: 2 x 256-bit FMA (AVX-512 in two halves)", 32);
  if (u == "Zen 5") {
    return HasFlag(cpu, "avx512f") ? set("Zen 5: 2 x 512-bit FMA", 64)
                                   : set("Zen 5: 2 x 256-bit FMA", 32);
  }
  if (u == "Nehalem" || u == "Westmere")
    return set("Nehalem: 128-bit add + 128-bit mul", 8);
  if (u == "Sandy Bridge" || u == "Ivy Bridge")
    return set("Sandy Bridge: 256-bit add + 256-bit mul", 16);
  if (u == "Haswell" || u == "Broadwell" || u == "Skylake" ||
      u == "Alder Lake" || u == "Raptor Lake")
    return set("Haswell+: 2 x 256-bit FMA", 32);
  if (u == "Ice Lake" || u == "Tiger Lake" || u == "Rocket Lake")
    return set("client Ice Lake: 1 x 512-bit FMA", 32);
  if (u == "Skylake-SP" || u == "Cascade Lake" || u == "Cooper Lake" ||
      u == "Ice Lake-SP" || u == "Sapphire Rapids" || u == "Emerald Rapids" ||
      u == "Granite Rapids")
    return set("Xeon: 2 x 512-bit FMA (one on some Silver/Gold 5xxx)", 64);
  if (u == "Neoverse-N1" || u == "Neoverse-N2" || u == "Cortex-A76" ||
      u == "Cortex-A72" || u == "Cortex-A57")
    return set("2 x 128-bit NEON FMA", 16);
  if (u == "Neoverse-V1" || u == "Neoverse-V2" || u == "Neoverse-V3")
    return set("4 x 128-bit NEON FMA", 32);
  if (u == "A64FX") return set("A64FX: 2 x 512-bit SVE FMA", 64);
  return 0;
}

double IsaFp32(const v1::CpuInfo& cpu, std::string* basis) {
  auto set = [basis](const char* text, double flops) {
    *basis = text;
    return flops;
  };
  if (HasFlag(cpu, "avx512f"))
    return set("ISA: AVX-512, assumed 2 x 512-bit FMA", 64);
  if (HasFlag(cpu, "avx2") && HasFlag(cpu, "fma"))
    return set("ISA: AVX2+FMA, assumed 2 x 256-bit FMA", 32);
  if (HasFlag(cpu, "avx")) return set("ISA: AVX, 256-bit add + mul", 16);
  if (HasFlag(cpu, "sse2")) return set("ISA: SSE2, 128-bit add + mul", 8);
  if (HasFlag(cpu, "asimd"))
    return set("ISA: NEON, assumed 2 x 128-bit FMA", 16);
  return set("ISA unknown: scalar, 1 FMA", 2);
}

}  // namespace

CoreFlopsPerCycle CpuFlopsPerCycle(const v1::CpuInfo& cpu) {
  CoreFlopsPerCycle f;
  f.fp32 = MicroarchFp32(cpu, &f.basis);
  if (f.fp32 == 0) f.fp32 = IsaFp32(cpu, &f.basis);
  f.fp64 = f.fp32 / 2;
  if (HasFlag(cpu, "amx_bf16")) {
    f.bf16 = 1024;  // Intel: AMX does 1024 BF16 FLOP per cycle per core
  } else if (HasFlag(cpu, "avx512_bf16")) {
    f.bf16 = 2 * f.fp32;  // VDPBF16PS: two BF16 products per FP32 lane
  } else if (HasFlag(cpu, "bf16")) {
    f.bf16 = 2 * f.fp32;  // Arm BFDOT, same shape
  }
  return f;
}

v1::DatasheetPeak TheoreticalCpuPeak(const v1::CpuInfo& cpu) {
  v1::DatasheetPeak peak;
  peak.set_device(cpu.model_name());
  peak.set_basis("theoretical");
  const int sockets = std::max(1, cpu.sockets());
  peak.set_devices(sockets);
  const CoreFlopsPerCycle f = CpuFlopsPerCycle(cpu);
  const double mhz = cpu.base_mhz() > 0 ? cpu.base_mhz() : cpu.max_mhz();
  const char* clock = cpu.base_mhz() > 0 ? "base" : "max";
  const double cores = static_cast<double>(cpu.cores()) / sockets;
  const double ghz = mhz / 1000;
  peak.set_fp32_flops(cores * ghz * f.fp32 * 1e9);
  peak.set_fp64_flops(cores * ghz * f.fp64 * 1e9);
  peak.set_bf16_flops(cores * ghz * f.bf16 * 1e9);
  peak.set_source(absl::StrFormat(
      "computed, not a datasheet: %g cores/socket x %.3f GHz (%s clock) x %g "
      "FP32 FLOP/cycle (%s); memory bandwidth unknown",
      cores, ghz, clock, f.fp32, f.basis));
  return peak;
}

int Fp32LanesPerSm(int major, int minor) {
  switch (major) {
    case 3:
      return 192;  // Kepler
    case 5:
      return 128;  // Maxwell
    case 6:
      return minor == 0 ? 64 : 128;  // Pascal GP100 vs GP10x
    case 7:
      return 64;  // Volta, Turing
    case 8:
      return minor == 0 ? 64 : 128;  // Ampere GA100 vs GA10x, Ada
    case 9:
      return 128;  // Hopper
    case 10:
    case 12:
      return 128;  // Blackwell
    default:
      return 0;
  }
}

v1::DatasheetPeak TheoreticalGpuPeak(const v1::AcceleratorInfo& gpu) {
  v1::DatasheetPeak peak;
  peak.set_device(gpu.name());
  peak.set_basis("theoretical");
  peak.set_devices(1);
  std::vector<std::string> cc = absl::StrSplit(gpu.compute_capability(), '.');
  int major = 0, minor = 0;
  if (cc.size() == 2) {
    (void)absl::SimpleAtoi(cc[0], &major);
    (void)absl::SimpleAtoi(cc[1], &minor);
  }
  const int lanes = Fp32LanesPerSm(major, minor);
  peak.set_fp32_flops(static_cast<double>(gpu.multiprocessors()) * lanes * 2 *
                      gpu.clock_mhz() * 1e6);
  // GDDR and HBM transfer twice per memory clock.
  peak.set_memory_bytes_per_second(gpu.memory_clock_mhz() * 1e6 * 2 *
                                   gpu.memory_bus_width_bits() / 8);
  peak.set_source(absl::StrFormat(
      "computed, not a datasheet: %d SMs x %d FP32 lanes x 2 x %.0f MHz; "
      "memory %.0f MHz x 2 x %d bits / 8",
      gpu.multiprocessors(), lanes, gpu.clock_mhz(), gpu.memory_clock_mhz(),
      gpu.memory_bus_width_bits()));
  return peak;
}

}  // namespace benchfleet::hw
