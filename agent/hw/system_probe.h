// Reads the machine's CPU, memory and OS description from /proc, /sys and
// /etc below a root directory, so tests can hand it a fake tree. On the live
// machine it also asks CPUID and getconf (sysconf) for what the kernel does
// not expose (a VM often has no sysfs cache information), and says where
// each figure came from.
//
// Example:
//   v1::HardwareReport report = hw::ProbeSystem("/");
//   for (const auto& c : report.cpu().caches())
//     if (!c.implausible()) UseCacheSize(c.level(), c.size_bytes());
#ifndef BENCHFLEET_AGENT_HW_SYSTEM_PROBE_H_
#define BENCHFLEET_AGENT_HW_SYSTEM_PROBE_H_

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "agent/hw/cpuid.h"
#include "proto/hardware.pb.h"

namespace benchfleet::hw {

// Where ProbeSystem looks. The live sources (CPUID, getconf) describe the
// machine this process runs on, so they are off for fake trees.
struct SystemProbeOptions {
  // Root of the /proc, /sys and /etc trees; "/" on a real machine.
  std::string root = "/";
  // CPUID of this machine; null to skip. Default: ReadCpuid when root is "/".
  std::function<CpuidInfo()> cpuid;
  // Cache sizes as getconf (glibc sysconf) reports them, source "getconf";
  // null to skip. Default: sysconf(_SC_LEVEL*_CACHE_SIZE) when root is "/".
  std::function<std::vector<v1::CacheLevel>()> getconf_caches;
};

// The options ProbeSystem(root) uses: live sources only when root is "/".
SystemProbeOptions DefaultProbeOptions(const std::string& root);

// Fills cpu, memory, hostname, host_id and software.os/kernel of a report.
// Missing files leave fields empty and add a warning; nothing here fails.
// Cache sizes come from sysfs, else CPUID, else getconf, taking the first
// plausible figure per level; implausible figures are flagged or reported
// in a warning, never used silently.
v1::HardwareReport ProbeSystem(const SystemProbeOptions& options);
v1::HardwareReport ProbeSystem(const std::string& root);

// True when one cache instance of `size_bytes` at `level` is believable:
// at most kMaxCacheBytesPerThread[level] per logical CPU sharing it
// (`shared_by_threads`, or 1 for private L1/L2 and `online_threads` for a
// shared L3 when the source does not say). A VM reported a 512 MiB L3 to
// 2 vCPUs; the largest real per-thread share is about 24 MiB (EPYC 9184X:
// 96 MiB of 3D V-Cache per CCD shared by 4 threads).
inline constexpr int64_t kMaxCacheBytesPerThread[] = {0, 1LL << 20, 16LL << 20,
                                                      32LL << 20, 64LL << 20};
bool IsPlausibleCacheSize(int level, int64_t size_bytes, int shared_by_threads,
                          int online_threads);

// Number of CPUs in a sysfs CPU list such as "0-55,112-167"; 0 if malformed.
int CountCpuList(const std::string& list);

// A 64-bit FNV-1a hash, hex encoded (16 characters): stable across
// compilers and library versions, unlike std::hash.
std::string Fingerprint(const std::string& text);

}  // namespace benchfleet::hw

#endif  // BENCHFLEET_AGENT_HW_SYSTEM_PROBE_H_
