#include "agent/hw/cpuid.h"

#include <cstring>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#define BENCHFLEET_X86 1
#endif

namespace benchfleet::hw {
namespace {

#if defined(BENCHFLEET_X86)

struct Regs {
  uint32_t eax = 0, ebx = 0, ecx = 0, edx = 0;
};

Regs Cpuid(uint32_t leaf, uint32_t subleaf = 0) {
  Regs r;
  __cpuid_count(leaf, subleaf, r.eax, r.ebx, r.ecx, r.edx);
  return r;
}

uint64_t Xgetbv() {
  uint32_t lo, hi;
  __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
  return (static_cast<uint64_t>(hi) << 32) | lo;
}

bool Bit(uint32_t reg, int bit) { return (reg >> bit) & 1; }

#endif

}  // namespace

void DecodeSignature(uint32_t eax, int* family, int* model, int* stepping) {
  const int base_family = (eax >> 8) & 0xF;
  const int base_model = (eax >> 4) & 0xF;
  *stepping = eax & 0xF;
  *family = base_family;
  if (base_family == 0xF) *family += (eax >> 20) & 0xFF;
  *model = base_model;
  if (base_family == 0x6 || base_family == 0xF)
    *model += ((eax >> 16) & 0xF) << 4;
}

bool DecodeCacheLeaf(uint32_t eax, uint32_t ebx, uint32_t ecx,
                     v1::CacheLevel* cache) {
  const int type = eax & 0x1F;
  if (type == 0) return false;
  cache->set_level((eax >> 5) & 0x7);
  cache->set_type(type == 1 ? "Data" : type == 2 ? "Instruction" : "Unified");
  const int64_t ways = ((ebx >> 22) & 0x3FF) + 1;
  const int64_t partitions = ((ebx >> 12) & 0x3FF) + 1;
  const int64_t line = (ebx & 0xFFF) + 1;
  const int64_t sets = static_cast<int64_t>(ecx) + 1;
  cache->set_size_bytes(ways * partitions * line * sets);
  cache->set_shared_by_threads(((eax >> 14) & 0xFFF) + 1);
  cache->set_source("cpuid");
  return true;
}

CpuidInfo ReadCpuid() {
  CpuidInfo info;
#if defined(BENCHFLEET_X86)
  const Regs leaf0 = Cpuid(0);
  const uint32_t max_leaf = leaf0.eax;
  char vendor[13] = {};
  std::memcpy(vendor, &leaf0.ebx, 4);
  std::memcpy(vendor + 4, &leaf0.edx, 4);
  std::memcpy(vendor + 8, &leaf0.ecx, 4);
  info.vendor = vendor;
  info.valid = true;

  const Regs leaf1 = Cpuid(1);
  DecodeSignature(leaf1.eax, &info.family, &info.model, &info.stepping);
  info.hypervisor = Bit(leaf1.ecx, 31);
  // AVX state needs XCR0 bits 1-2 (SSE, AVX); AVX-512 also bits 5-7
  // (opmask, upper ZMM, high ZMM); AMX bits 17-18 (tile config, data).
  const bool osxsave = Bit(leaf1.ecx, 27);
  const uint64_t xcr0 = osxsave ? Xgetbv() : 0;
  const bool os_avx = (xcr0 & 0x6) == 0x6;
  const bool os_avx512 = os_avx && (xcr0 & 0xE0) == 0xE0;
  const bool os_amx = (xcr0 & 0x60000) == 0x60000;
  auto add = [&info](bool present, const char* name) {
    if (present) info.flags.push_back(name);
  };
  add(Bit(leaf1.edx, 26), "sse2");
  add(Bit(leaf1.ecx, 20), "sse4_2");
  add(os_avx && Bit(leaf1.ecx, 28), "avx");
  if (max_leaf >= 7) {
    const Regs leaf7 = Cpuid(7, 0);
    const Regs leaf7_1 = Cpuid(7, 1);
    add(os_avx && Bit(leaf7.ebx, 5), "avx2");
    add(os_avx && Bit(leaf1.ecx, 12), "fma");
    add(os_avx512 && Bit(leaf7.ebx, 16), "avx512f");
    add(os_avx512 && Bit(leaf7.ebx, 30), "avx512bw");
    add(os_avx512 && Bit(leaf7.ebx, 31), "avx512vl");
    add(os_avx512 && Bit(leaf7_1.eax, 5), "avx512_bf16");
    add(os_avx512 && Bit(leaf7.ecx, 11), "avx512_vnni");
    add(os_avx512 && Bit(leaf7.edx, 23), "avx512_fp16");
    add(os_amx && Bit(leaf7.edx, 24), "amx_tile");
    add(os_amx && Bit(leaf7.edx, 22), "amx_bf16");
    add(os_amx && Bit(leaf7.edx, 25), "amx_int8");
    add(os_avx && Bit(leaf7_1.eax, 4), "avx_vnni");
  } else {
    add(os_avx && Bit(leaf1.ecx, 12), "fma");
  }

  const uint32_t max_ext = Cpuid(0x80000000).eax;
  if (max_ext >= 0x80000004) {
    char brand[49] = {};
    for (uint32_t i = 0; i < 3; ++i) {
      const Regs r = Cpuid(0x80000002 + i);
      std::memcpy(brand + 16 * i, &r.eax, 4);
      std::memcpy(brand + 16 * i + 4, &r.ebx, 4);
      std::memcpy(brand + 16 * i + 8, &r.ecx, 4);
      std::memcpy(brand + 16 * i + 12, &r.edx, 4);
    }
    std::string text(brand);
    const size_t first = text.find_first_not_of(' ');
    const size_t last = text.find_last_not_of(' ');
    if (first != std::string::npos)
      info.brand = text.substr(first, last - first + 1);
  }

  // Deterministic cache parameters: Intel leaf 4; AMD leaf 0x8000001D
  // (needs TOPOEXT, 0x80000001 ECX bit 22).
  uint32_t cache_leaf = 0;
  if (info.vendor == "GenuineIntel" && max_leaf >= 4) {
    cache_leaf = 4;
  } else if ((info.vendor == "AuthenticAMD" || info.vendor == "HygonGenuine") &&
             max_ext >= 0x8000001D && Bit(Cpuid(0x80000001).ecx, 22)) {
    cache_leaf = 0x8000001D;
  }
  for (uint32_t i = 0; cache_leaf != 0 && i < 16; ++i) {
    const Regs r = Cpuid(cache_leaf, i);
    v1::CacheLevel cache;
    if (!DecodeCacheLeaf(r.eax, r.ebx, r.ecx, &cache)) break;
    if (cache.type() == "Instruction") continue;
    info.caches.push_back(cache);
  }
#endif
  return info;
}

}  // namespace benchfleet::hw
