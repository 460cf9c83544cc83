#include "agent/hw/load_monitor.h"

#include "gtest/gtest.h"

namespace benchfleet::hw {
namespace {

TEST(LoadMonitorTest, ParsesProcStat) {
  absl::StatusOr<CpuTicks> t = ParseProcStat(
      "cpu  79505 0 14274 168965 2230 0 167 191 0 0\n"
      "cpu0 35787 0 6247 90244 224 0 16 92 0 0\n");
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(t->busy, 79505u + 0 + 14274 + 0 + 167 + 191);
  EXPECT_EQ(t->total, t->busy + 168965 + 2230);
  EXPECT_FALSE(ParseProcStat("intr 1 2 3\n").ok());
}

TEST(LoadMonitorTest, ParsesSelfStatWithSpacesInTheName) {
  absl::StatusOr<uint64_t> ticks = ParseSelfStat(
      "4242 (my (odd) prog) R 1 4242 4242 0 -1 4194304 500 0 0 0 "
      "120 30 0 0 20 0 3 0 100 1000 10");
  ASSERT_TRUE(ticks.ok()) << ticks.status();
  EXPECT_EQ(*ticks, 150u);
  EXPECT_FALSE(ParseSelfStat("garbage").ok());
}

TEST(LoadMonitorTest, MeasuresThisMachine) {
  LoadMonitor monitor;
  EXPECT_EQ(monitor.OtherLoad(), -1);  // not started
  monitor.Start();
  const double load = monitor.OtherLoad();
  EXPECT_GE(load, 0);
  EXPECT_LE(load, 1);
}

}  // namespace
}  // namespace benchfleet::hw
