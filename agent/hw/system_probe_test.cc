#include "agent/hw/system_probe.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "gtest/gtest.h"

namespace benchfleet::hw {
namespace {

namespace fs = std::filesystem;

std::string TestData(const std::string& tree) {
  return std::string(std::getenv("TEST_SRCDIR")) + "/benchfleet/agent/hw/testdata/" + tree;
}

TEST(SystemProbeTest, VmWithoutCacheInfo) {
  const v1::HardwareReport r = ProbeSystem(TestData("vm"));
  EXPECT_EQ(r.cpu().vendor(), "GenuineIntel");
  EXPECT_EQ(r.cpu().model_name(), "Intel Xeon Processor (Cascadelake)");
  EXPECT_EQ(r.cpu().sockets(), 1);
  EXPECT_EQ(r.cpu().cores(), 2);
  EXPECT_EQ(r.cpu().threads(), 2);
  EXPECT_NEAR(r.cpu().base_mhz(), 2992.968, 1e-6);
  EXPECT_EQ(std::vector<std::string>(r.cpu().isa_flags().begin(),
                                     r.cpu().isa_flags().end()),
            (std::vector<std::string>{"sse2", "avx", "avx2", "fma", "avx512f",
                                      "avx512bw", "avx512vl", "avx512_vnni"}));
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

TEST(SystemProbeTest, HostIdIsStable) {
  EXPECT_EQ(ProbeSystem(TestData("vm")).host_id(),
            ProbeSystem(TestData("vm")).host_id());
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

TEST(SystemProbeTest, EmptyRootWarnsInsteadOfFailing) {
  const v1::HardwareReport r = ProbeSystem("/nonexistent-root");
  EXPECT_EQ(r.cpu().threads(), 0);
  EXPECT_GE(r.warnings_size(), 2);
}

}  // namespace
}  // namespace benchfleet::hw
