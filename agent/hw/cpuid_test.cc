#include "agent/hw/cpuid.h"

#include <algorithm>

#include "gtest/gtest.h"

namespace benchfleet::hw {
namespace {

TEST(CpuidTest, DecodesSignatures) {
  int family, model, stepping;
  DecodeSignature(0x00A10F11, &family, &model, &stepping);  // EPYC Genoa
  EXPECT_EQ(family, 25);
  EXPECT_EQ(model, 17);
  EXPECT_EQ(stepping, 1);
  DecodeSignature(0x000806F8, &family, &model, &stepping);  // Sapphire Rapids
  EXPECT_EQ(family, 6);
  EXPECT_EQ(model, 143);
  EXPECT_EQ(stepping, 8);
  DecodeSignature(0x000106A5, &family, &model, &stepping);  // Nehalem i7-920
  EXPECT_EQ(family, 6);
  EXPECT_EQ(model, 26);
  EXPECT_EQ(stepping, 5);
}

TEST(CpuidTest, DecodesCacheLeaf) {
  // 32 MiB unified L3, 16 ways, 64-byte lines, 32768 sets, 2 sharers.
  v1::CacheLevel cache;
  ASSERT_TRUE(DecodeCacheLeaf(0x4063, 0x03C0003F, 0x7FFF, &cache));
  EXPECT_EQ(cache.level(), 3);
  EXPECT_EQ(cache.type(), "Unified");
  EXPECT_EQ(cache.size_bytes(), 32LL << 20);
  EXPECT_EQ(cache.shared_by_threads(), 2);
  EXPECT_EQ(cache.source(), "cpuid");
  EXPECT_FALSE(DecodeCacheLeaf(0, 0, 0, &cache));  // end of the list
}

TEST(CpuidTest, ReadsThisMachine) {
  const CpuidInfo info = ReadCpuid();
#if defined(__x86_64__)
  ASSERT_TRUE(info.valid);
  EXPECT_FALSE(info.vendor.empty());
  EXPECT_GT(info.family, 0);
  // Every x86-64 CPU has SSE2.
  EXPECT_NE(std::find(info.flags.begin(), info.flags.end(), "sse2"),
            info.flags.end());
  for (const v1::CacheLevel& c : info.caches) {
    EXPECT_GT(c.size_bytes(), 0);
    EXPECT_NE(c.type(), "Instruction");
  }
#else
  EXPECT_FALSE(info.valid);
#endif
}

}  // namespace
}  // namespace benchfleet::hw
