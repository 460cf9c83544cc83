#include "agent/hw/cache_sweep.h"

#include "gtest/gtest.h"

namespace benchfleet::hw {
namespace {

v1::SweepPoint Point(int64_t bytes, double gbps) {
  v1::SweepPoint p;
  p.set_working_set_bytes(bytes);
  p.set_bytes_per_second(gbps * 1e9);
  return p;
}

// A synthetic two-thread sweep over a machine with 32 KiB L1d and 1 MiB L2
// per core and a 32 MiB L3 shared by both threads.
std::vector<v1::SweepPoint> Synthetic() {
  std::vector<v1::SweepPoint> points;
  for (int64_t b = 8 << 10; b <= 256LL << 20; b *= 2) {
    double gbps = b <= (32 << 10)   ? 400
                  : b <= (1 << 20)  ? 200
                  : b <= (16 << 20) ? 100
                  : b < (128 << 20) ? 40
                                    : 20;
    points.push_back(Point(b, gbps));
  }
  return points;
}

TEST(CacheSweepTest, UsableCapacity) {
  // Private L1 (one per thread): two threads use two instances.
  EXPECT_EQ(UsableCapacity({1, 32 << 10, 1}, 2, 2), 64 << 10);
  // L3 shared by both threads: one instance.
  EXPECT_EQ(UsableCapacity({3, 32 << 20, 2}, 2, 2), 32 << 20);
  // Two sockets of 112 threads, 4 threads in use: they can reach both L3s.
  EXPECT_EQ(UsableCapacity({3, 105LL << 20, 112}, 4, 224), 210LL << 20);
  EXPECT_EQ(UsableCapacity({3, 105LL << 20, 112}, 1, 224), 105LL << 20);
}

TEST(CacheSweepTest, LevelsFromKnownCacheSizes) {
  const std::vector<CacheGeometry> caches = {
      {1, 32 << 10, 1}, {2, 1 << 20, 1}, {3, 32 << 20, 2}};
  const std::vector<v1::LevelBandwidth> levels =
      DeriveLevels(Synthetic(), caches, 2, 2);
  ASSERT_EQ(levels.size(), 4u);
  EXPECT_EQ(levels[0].level(), "L1");
  EXPECT_DOUBLE_EQ(levels[0].bytes_per_second(), 400e9);
  EXPECT_EQ(levels[0].max_working_set_bytes(), 32 << 10);  // <= 64 KiB / 2
  EXPECT_EQ(levels[1].level(), "L2");
  EXPECT_DOUBLE_EQ(levels[1].bytes_per_second(), 200e9);
  EXPECT_EQ(levels[1].min_working_set_bytes(), 128 << 10);  // >= 2 x 64 KiB
  EXPECT_EQ(levels[2].level(), "L3");
  EXPECT_DOUBLE_EQ(levels[2].bytes_per_second(), 100e9);
  EXPECT_EQ(levels[3].level(), "DRAM");
  EXPECT_DOUBLE_EQ(levels[3].bytes_per_second(), 20e9);
  EXPECT_EQ(levels[3].min_working_set_bytes(), 128 << 20);  // 4 x 32 MiB
  EXPECT_NE(levels[3].method().find("4x the last cache level"),
            std::string::npos);
}

TEST(CacheSweepTest, PlateausWhenCacheSizesAreUnknown) {
  const std::vector<v1::LevelBandwidth> levels =
      DeriveLevels(Synthetic(), {}, 2, 2);
  ASSERT_EQ(levels.size(), 5u);
  EXPECT_EQ(levels[0].level(), "L1");
  EXPECT_DOUBLE_EQ(levels[0].bytes_per_second(), 400e9);
  EXPECT_EQ(levels[2].level(), "L3");
  EXPECT_EQ(levels[4].level(), "DRAM");
  EXPECT_DOUBLE_EQ(levels[4].bytes_per_second(), 20e9);
  EXPECT_NE(levels[0].method().find("cache sizes unknown"), std::string::npos);
  EXPECT_TRUE(DeriveLevels({}, {}, 1, 1).empty());
}

TEST(CacheSweepTest, TinySweepRuns) {
  SweepOptions o;
  o.threads = 2;
  o.min_bytes_per_thread = 4096;
  o.max_bytes_total = 256 << 10;
  o.points_per_octave = 1;
  o.min_seconds_per_point = 0.0005;
  o.repetitions = 1;
  const std::vector<v1::SweepPoint> points = RunCacheSweep(o);
  ASSERT_EQ(points.size(), 6u);  // 4 KiB .. 128 KiB per thread
  for (size_t i = 0; i < points.size(); ++i) {
    EXPECT_GT(points[i].bytes_per_second(), 0);
    if (i > 0)
      EXPECT_GT(points[i].working_set_bytes(),
                points[i - 1].working_set_bytes());
  }
  EXPECT_EQ(points.front().working_set_bytes(), 2 * 4096);
}

}  // namespace
}  // namespace benchfleet::hw
