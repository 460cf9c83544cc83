#include "agent/hw/system_probe.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "gtest/gtest.h"

namespace benchfleet::hw {
namespace {

namespace fs = std::filesystem;

std::string TestData(const std::string& tree) {
  return std::string(std::getenv("TEST_SRCDIR")) +
         "/benchfleet/agent/hw/testdata/" + tree;
}

std::string SourceOf(const v1::CpuInfo& cpu, const std::string& field) {
  for (const auto& s : cpu.sources())
    if (s.field() == field) return s.source();
  return "";
}

const v1::CacheLevel* FindCache(const v1::HardwareReport& r, int level) {
  for (const auto& c : r.cpu().caches())
    if (c.level() == level) return &c;
  return nullptr;
}

bool HasWarning(const v1::HardwareReport& r, const std::string& text) {
  for (const auto& w : r.warnings())
    if (w.find(text) != std::string::npos) return true;
  return false;
}

TEST(SystemProbeTest, VmWithoutCacheInfo) {
  const v1::HardwareReport r = ProbeSystem(TestData("vm"));
  EXPECT_EQ(r.cpu().vendor(), "GenuineIntel");
  EXPECT_EQ(r.cpu().model_name(), "Intel Xeon Processor (Cascadelake)");
  EXPECT_EQ(r.cpu().architecture(), "x86_64");
  EXPECT_EQ(r.cpu().family(), 6);
  EXPECT_EQ(r.cpu().model(), 85);
  EXPECT_TRUE(r.cpu().hypervisor());
  EXPECT_EQ(r.cpu().sockets(), 1);
  EXPECT_EQ(r.cpu().cores(), 2);
  EXPECT_EQ(r.cpu().threads(), 2);
  EXPECT_NEAR(r.cpu().base_mhz(), 2992.968, 1e-6);
  EXPECT_EQ(SourceOf(r.cpu(), "base_mhz"), "/proc/cpuinfo (cpu MHz)");
  EXPECT_EQ(std::vector<std::string>(r.cpu().isa_flags().begin(),
                                     r.cpu().isa_flags().end()),
            (std::vector<std::string>{"sse2", "avx", "avx2", "fma", "avx512f",
                                      "avx512bw", "avx512vl", "avx512_vnni"}));
  EXPECT_EQ(r.cpu().governor(), "");
  EXPECT_FALSE(r.cpu().frequency_scaling());
  EXPECT_EQ(r.memory().total_bytes(), 24598372LL * 1024);
  EXPECT_EQ(r.memory().numa_nodes(), 1);
  EXPECT_EQ(r.hostname(), "vm-host");
  EXPECT_EQ(r.software().os(), "Debian GNU/Linux 12 (bookworm)");
  EXPECT_EQ(r.software().kernel(), "6.1.0-test");
  EXPECT_EQ(r.host_id().size(), 16u);
  EXPECT_EQ(r.cpu().caches_size(), 0);
  ASSERT_EQ(r.warnings_size(), 1);
  EXPECT_NE(r.warnings(0).find("cache sizes unknown"), std::string::npos);
}

// The VM again, as the live probe sees it: no sysfs cache directory, CPUID
// with sensible sizes, and getconf claiming a 512 MiB L3 for 2 vCPUs.
TEST(SystemProbeTest, VmFallsBackToCpuidAndFlagsGetconf) {
  SystemProbeOptions options;
  options.root = TestData("vm");
  options.cpuid = [] {
    CpuidInfo id;
    id.valid = true;
    id.vendor = "GenuineIntel";
    v1::CacheLevel l1, l3;
    l1.set_level(1);
    l1.set_type("Data");
    l1.set_size_bytes(32 << 10);
    l1.set_shared_by_threads(1);
    l1.set_source("cpuid");
    l3.set_level(3);
    l3.set_type("Unified");
    l3.set_size_bytes(32 << 20);
    l3.set_shared_by_threads(2);
    l3.set_source("cpuid");
    id.caches = {l1, l3};
    return id;
  };
  options.getconf_caches = [] {
    v1::CacheLevel l2, l3;
    l2.set_level(2);
    l2.set_type("Unified");
    l2.set_size_bytes(1 << 20);
    l2.set_source("getconf");
    l3.set_level(3);
    l3.set_type("Unified");
    l3.set_size_bytes(512LL << 20);
    l3.set_source("getconf");
    return std::vector<v1::CacheLevel>{l2, l3};
  };
  const v1::HardwareReport r = ProbeSystem(options);
  ASSERT_EQ(r.cpu().caches_size(), 3);
  const v1::CacheLevel* l2 = FindCache(r, 2);
  const v1::CacheLevel* l3 = FindCache(r, 3);
  ASSERT_NE(l2, nullptr);
  ASSERT_NE(l3, nullptr);
  EXPECT_EQ(FindCache(r, 1)->source(), "cpuid");
  EXPECT_EQ(l2->source(), "getconf");
  EXPECT_EQ(l2->size_bytes(), 1 << 20);
  EXPECT_EQ(l3->source(), "cpuid");
  EXPECT_EQ(l3->size_bytes(), 32 << 20);
  EXPECT_FALSE(l3->implausible());
  EXPECT_TRUE(HasWarning(r,
                         "L3 cache: getconf reports 536870912 bytes, "
                         "implausible"));
  EXPECT_FALSE(HasWarning(r, "cache sizes unknown"));
}

TEST(SystemProbeTest, GetconfAloneWithImplausibleL3IsFlagged) {
  SystemProbeOptions options;
  options.root = TestData("vm");
  options.getconf_caches = [] {
    v1::CacheLevel l3;
    l3.set_level(3);
    l3.set_type("Unified");
    l3.set_size_bytes(512LL << 20);
    l3.set_source("getconf");
    return std::vector<v1::CacheLevel>{l3};
  };
  const v1::HardwareReport r = ProbeSystem(options);
  ASSERT_EQ(r.cpu().caches_size(), 1);
  EXPECT_TRUE(r.cpu().caches(0).implausible());
  EXPECT_EQ(r.cpu().caches(0).source(), "getconf");
  EXPECT_TRUE(HasWarning(r,
                         "L3 cache of 536870912 bytes (getconf) is "
                         "implausible"));
}

TEST(SystemProbeTest, BareMetalTwoSocketXeon) {
  const v1::HardwareReport r = ProbeSystem(TestData("xeon2s"));
  const v1::CpuInfo& cpu = r.cpu();
  EXPECT_EQ(cpu.vendor(), "GenuineIntel");
  EXPECT_EQ(cpu.model_name(), "Intel(R) Xeon(R) Platinum 8480+");
  EXPECT_EQ(cpu.family(), 6);
  EXPECT_EQ(cpu.model(), 143);
  EXPECT_EQ(cpu.stepping(), 8);
  EXPECT_EQ(cpu.microarchitecture(), "Sapphire Rapids");
  EXPECT_FALSE(cpu.hypervisor());
  EXPECT_EQ(cpu.sockets(), 2);
  EXPECT_EQ(cpu.cores(), 112);
  EXPECT_EQ(cpu.threads(), 224);
  // base_frequency beats the idle 800 MHz of /proc/cpuinfo.
  EXPECT_DOUBLE_EQ(cpu.base_mhz(), 2000);
  EXPECT_EQ(SourceOf(cpu, "base_mhz"), "sysfs");
  EXPECT_DOUBLE_EQ(cpu.max_mhz(), 3800);
  EXPECT_EQ(SourceOf(cpu, "max_mhz"), "sysfs");
  EXPECT_EQ(cpu.governor(), "powersave");
  EXPECT_TRUE(cpu.frequency_scaling());
  for (const char* flag : {"avx512f", "avx512_bf16", "amx_bf16", "amx_tile",
                           "avx512_fp16", "fma"}) {
    EXPECT_NE(std::find(cpu.isa_flags().begin(), cpu.isa_flags().end(), flag),
              cpu.isa_flags().end())
        << flag;
  }
  ASSERT_EQ(cpu.caches_size(), 3);  // L1d, L2, L3: instruction caches dropped
  EXPECT_EQ(FindCache(r, 1)->size_bytes(), 48 << 10);
  EXPECT_EQ(FindCache(r, 1)->shared_by_threads(), 2);
  EXPECT_EQ(FindCache(r, 2)->size_bytes(), 2 << 20);
  EXPECT_EQ(FindCache(r, 3)->size_bytes(), 105LL << 20);
  EXPECT_EQ(FindCache(r, 3)->shared_by_threads(), 112);
  for (const auto& c : cpu.caches()) {
    EXPECT_EQ(c.source(), "sysfs");
    EXPECT_FALSE(c.implausible());
  }
  EXPECT_EQ(r.memory().numa_nodes(), 2);
  EXPECT_EQ(r.memory().total_bytes(), 1056466352LL * 1024);
  EXPECT_EQ(r.memory().available_bytes(), 1030000000LL * 1024);
  EXPECT_EQ(r.software().os(), "Ubuntu 22.04.3 LTS");
  EXPECT_EQ(r.warnings_size(), 0);
}

TEST(SystemProbeTest, ArmServer) {
  const v1::HardwareReport r = ProbeSystem(TestData("altra"));
  const v1::CpuInfo& cpu = r.cpu();
  EXPECT_EQ(cpu.architecture(), "aarch64");
  EXPECT_EQ(cpu.vendor(), "ARM");
  EXPECT_EQ(cpu.microarchitecture(), "Neoverse-N1");
  EXPECT_EQ(cpu.model_name(), "ARM Neoverse-N1");
  EXPECT_EQ(cpu.family(), 8);
  EXPECT_EQ(cpu.model(), 0xd0c);
  EXPECT_EQ(cpu.stepping(), 1);
  EXPECT_EQ(cpu.sockets(), 1);
  EXPECT_EQ(cpu.cores(), 80);
  EXPECT_EQ(cpu.threads(), 80);
  EXPECT_DOUBLE_EQ(cpu.base_mhz(), 0);  // Arm publishes no clock in cpuinfo
  EXPECT_DOUBLE_EQ(cpu.max_mhz(), 3000);
  EXPECT_EQ(cpu.governor(), "ondemand");
  EXPECT_TRUE(cpu.frequency_scaling());
  EXPECT_EQ(
      std::vector<std::string>(cpu.isa_flags().begin(), cpu.isa_flags().end()),
      (std::vector<std::string>{"asimd", "asimdhp", "asimddp"}));
  ASSERT_EQ(cpu.caches_size(), 3);
  EXPECT_EQ(FindCache(r, 1)->size_bytes(), 64 << 10);
  EXPECT_EQ(FindCache(r, 3)->shared_by_threads(), 80);
  EXPECT_EQ(r.warnings_size(), 0);
}

TEST(SystemProbeTest, HostIdIsStable) {
  EXPECT_EQ(ProbeSystem(TestData("vm")).host_id(),
            ProbeSystem(TestData("vm")).host_id());
  EXPECT_NE(ProbeSystem(TestData("vm")).host_id(),
            ProbeSystem(TestData("xeon2s")).host_id());
  // FNV-1a reference values.
  EXPECT_EQ(Fingerprint(""), "cbf29ce484222325");
  EXPECT_EQ(Fingerprint("a"), "af63dc4c8601ec8c");
}

TEST(SystemProbeTest, ImplausibleCacheIsFlagged) {
  const fs::path root = fs::path(std::getenv("TEST_TMPDIR")) / "bigl3";
  const fs::path index = root / "sys/devices/system/cpu/cpu0/cache/index3";
  fs::create_directories(index);
  std::ofstream(index / "level") << "3\n";
  std::ofstream(index / "type") << "Unified\n";
  std::ofstream(index / "size") << "524288K\n";
  const v1::HardwareReport r = ProbeSystem(root.string());
  ASSERT_EQ(r.cpu().caches_size(), 1);
  EXPECT_EQ(r.cpu().caches(0).size_bytes(), 512LL << 20);
  EXPECT_TRUE(r.cpu().caches(0).implausible());
  EXPECT_EQ(r.cpu().caches(0).source(), "sysfs");
}

TEST(SystemProbeTest, CachePlausibility) {
  // A 2-vCPU VM told of a 320 or 512 MiB L3.
  EXPECT_FALSE(IsPlausibleCacheSize(3, 320LL << 20, 0, 2));
  EXPECT_FALSE(IsPlausibleCacheSize(3, 512LL << 20, 0, 2));
  // Granite Rapids: 504 MiB shared by 256 threads; EPYC 9184X: 96 MiB CCD
  // shared by 4 threads.
  EXPECT_TRUE(IsPlausibleCacheSize(3, 504LL << 20, 256, 256));
  EXPECT_TRUE(IsPlausibleCacheSize(3, 96LL << 20, 4, 32));
  EXPECT_TRUE(IsPlausibleCacheSize(1, 48 << 10, 0, 0));
  EXPECT_FALSE(IsPlausibleCacheSize(1, 0, 0, 0));
  EXPECT_FALSE(IsPlausibleCacheSize(2, 1LL << 30, 1, 1));
}

TEST(SystemProbeTest, CountsCpuLists) {
  EXPECT_EQ(CountCpuList("0-55,112-167"), 112);
  EXPECT_EQ(CountCpuList("0,112"), 2);
  EXPECT_EQ(CountCpuList("7"), 1);
  EXPECT_EQ(CountCpuList(""), 0);
  EXPECT_EQ(CountCpuList("3-1"), 0);
  EXPECT_EQ(CountCpuList("x"), 0);
}

TEST(SystemProbeTest, EmptyRootWarnsInsteadOfFailing) {
  const v1::HardwareReport r = ProbeSystem("/nonexistent-root");
  EXPECT_EQ(r.cpu().threads(), 0);
  EXPECT_GE(r.warnings_size(), 2);
}

}  // namespace
}  // namespace benchfleet::hw
