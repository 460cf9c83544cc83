// Reads the x86 CPUID instruction: vendor, family/model/stepping, the ISA
// features that decide peak FLOP/s (checked against what the OS enables),
// and the cache hierarchy (leaf 4 on Intel, leaf 0x8000001D on AMD). The
// decoders are pure functions so tests can feed them register values.
#ifndef BENCHFLEET_AGENT_HW_CPUID_H_
#define BENCHFLEET_AGENT_HW_CPUID_H_

#include <cstdint>
#include <string>
#include <vector>

#include "proto/hardware.pb.h"

namespace benchfleet::hw {

// What CPUID says about the CPU running this process.
struct CpuidInfo {
  bool valid = false;  // false on non-x86 machines: nothing else is set
  std::string vendor;  // "GenuineIntel", "AuthenticAMD"
  std::string brand;   // brand string, e.g. "AMD EPYC 9654 96-Core Processor"
  int family = 0;      // display family (base + extended)
  int model = 0;       // display model (extended model included)
  int stepping = 0;
  bool hypervisor = false;
  // Peak-relevant features in /proc/cpuinfo spelling ("avx2", "avx512f",
  // "amx_bf16", ...). AVX and AVX-512 only when the OS saves their state.
  std::vector<std::string> flags;
  // Data and unified caches, one entry per level and type, source "cpuid".
  std::vector<v1::CacheLevel> caches;
};

// Reads CPUID on this machine. Never fails; `valid` is false off x86.
CpuidInfo ReadCpuid();

// Display family, model and stepping from CPUID leaf 1 EAX, as the Intel SDM
// and AMD APM define them (extended family added when base family is 0xF;
// extended model prepended when base family is 6 or 0xF).
void DecodeSignature(uint32_t eax, int* family, int* model, int* stepping);

// One deterministic cache parameters leaf (Intel leaf 4 / AMD 0x8000001D,
// same layout). Returns false for the terminating "no more caches" entry.
bool DecodeCacheLeaf(uint32_t eax, uint32_t ebx, uint32_t ecx,
                     v1::CacheLevel* cache);

}  // namespace benchfleet::hw

#endif  // BENCHFLEET_AGENT_HW_CPUID_H_
