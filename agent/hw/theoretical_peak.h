// Theoretical peaks for devices the datasheet catalog does not know:
// CPU: cores x clock x FLOP/cycle of the microarchitecture (or, failing
// that, of the widest ISA the CPU has); GPU: SMs x FP32 lanes per SM x 2 x
// clock, and memory clock x 2 (DDR) x bus width. Labelled "theoretical",
// with the formula and its inputs in `source`.
#ifndef BENCHFLEET_AGENT_HW_THEORETICAL_PEAK_H_
#define BENCHFLEET_AGENT_HW_THEORETICAL_PEAK_H_

#include <string>

#include "proto/hardware.pb.h"

namespace benchfleet::hw {

// Peak FLOP per cycle of one core, one multiply-add counted as 2.
struct CoreFlopsPerCycle {
  double fp32 = 0;
  double fp64 = 0;
  double bf16 = 0;    // 0 when the core has no BF16 arithmetic
  std::string basis;  // e.g. "Zen 4: 2 x 256-bit FMA"
};

// FLOP/cycle from the microarchitecture when known, else from the ISA flags:
// AVX-512 with two FMA units 64 FP32, AVX2+FMA 32, AVX 16, SSE2 8; Arm
// NEON with two 128-bit FMA pipes 16. FP64 is half of FP32. BF16 counts
// AVX512_BF16 dot products (2x FP32) and AMX tiles (1024/cycle, Intel).
CoreFlopsPerCycle CpuFlopsPerCycle(const v1::CpuInfo& cpu);

// Per-socket theoretical peak of `cpu`: (cores / sockets) x clock x
// FLOP/cycle, clock = base_mhz, else max_mhz. Memory bandwidth is left 0
// (it needs the DIMM population, which the probe does not see). `devices`
// is the socket count. A peak of 0 means the clock or cores are unknown.
v1::DatasheetPeak TheoreticalCpuPeak(const v1::CpuInfo& cpu);

// FP32 lanes per SM of an NVIDIA GPU of compute capability major.minor
// (CUDA C Programming Guide, arithmetic instruction throughput); 0 unknown.
int Fp32LanesPerSm(int major, int minor);

// Theoretical FP32 peak and memory bandwidth of a GPU from its SM count,
// compute capability and clocks; 0 for what is unknown.
v1::DatasheetPeak TheoreticalGpuPeak(const v1::AcceleratorInfo& gpu);

}  // namespace benchfleet::hw

#endif  // BENCHFLEET_AGENT_HW_THEORETICAL_PEAK_H_
