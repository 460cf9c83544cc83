#include "agent/hw/catalog.h"

#include <set>

#include "gtest/gtest.h"

namespace benchfleet::hw {
namespace {

const v1::DeviceCatalog& Catalog() {
  absl::StatusOr<const v1::DeviceCatalog*> catalog = EmbeddedCatalog();
  EXPECT_TRUE(catalog.ok()) << catalog.status();
  return **catalog;
}

std::string MatchId(const std::string& name) {
  const v1::CatalogDevice* d = MatchDevice(Catalog(), name);
  return d == nullptr ? "" : d->id();
}

const v1::CatalogDevice* Find(const std::string& id) {
  for (const auto& d : Catalog().devices())
    if (d.id() == id) return &d;
  return nullptr;
}

TEST(CatalogTest, EmbeddedCatalogParses) {
  EXPECT_GE(Catalog().devices_size(), 30);
}

TEST(CatalogTest, HoldsEverySeedDeviceAndCurrentParts) {
  for (const char* id :
       {// The seed study's Q1 table.
        "nvidia-geforce-256-sdr", "nvidia-titan-xp", "nvidia-tesla-k80",
        "intel-core-i7-920", "amd-ryzen-9-3900x", "amd-radeon-rx-6800",
        "apple-a14", "apple-m1-max", "google-tpu-v3", "nvidia-a100-sxm4-40gb",
        // Current parts.
        "nvidia-h100-sxm", "nvidia-h100-pcie", "nvidia-h200-sxm",
        "amd-instinct-mi300x", "nvidia-l4", "amd-epyc-9654",
        "intel-xeon-platinum-8480plus", "intel-xeon-6980p"}) {
    EXPECT_NE(Find(id), nullptr) << id;
  }
}

TEST(CatalogTest, CorrectsTheSeed) {
  // Ryzen 9 3900X: 12 cores x 3.8 GHz x 2 x 256-bit FMA (8 lanes x 2 FLOPs)
  // = 1459.2 GFLOP/s, not the seed's 2649.6; DDR4-3200 x 2 = 51.2 GB/s, not
  // 47.68 (GiB/s).
  const v1::CatalogDevice* ryzen = Find("amd-ryzen-9-3900x");
  ASSERT_NE(ryzen, nullptr);
  EXPECT_DOUBLE_EQ(ryzen->fp32_gflops(), 12 * 3.8 * 2 * 8 * 2);
  EXPECT_DOUBLE_EQ(ryzen->memory_gbps(), 2 * 3.2 * 8);
  // K80 per GPU (what CUDA shows): 2496 cores x 2 x 0.875 GHz boost.
  const v1::CatalogDevice* k80 = Find("nvidia-tesla-k80");
  ASSERT_NE(k80, nullptr);
  EXPECT_NEAR(k80->fp32_gflops(), 2496 * 2 * 0.875, 1);
  // A100 40GB is the seed's figure.
  EXPECT_DOUBLE_EQ(Find("nvidia-a100-sxm4-40gb")->fp32_gflops(), 19500);
  EXPECT_DOUBLE_EQ(Find("nvidia-a100-sxm4-40gb")->memory_gbps(), 1555);
}

TEST(CatalogTest, EveryEntryIsComplete) {
  std::set<std::string> ids;
  for (const auto& d : Catalog().devices()) {
    EXPECT_TRUE(ids.insert(d.id()).second) << d.id();
    EXPECT_FALSE(d.name().empty()) << d.id();
    EXPECT_FALSE(d.source().empty()) << d.id();
    EXPECT_GT(d.year(), 1990) << d.id();
    EXPECT_GT(d.memory_gbps(), 0) << d.id();
    EXPECT_GT(d.fp32_gflops() + d.bf16_gflops(), 0) << d.id();
    // An entry must match its own marketing name's tokens or a probe name.
    EXPECT_FALSE(d.match().empty()) << d.id();
  }
}

TEST(CatalogTest, MatchesProbedNames) {
  EXPECT_EQ(MatchId("NVIDIA H100 80GB HBM3"), "nvidia-h100-sxm");
  EXPECT_EQ(MatchId("NVIDIA H100 PCIe"), "nvidia-h100-pcie");
  EXPECT_EQ(MatchId("NVIDIA H100 NVL"), "nvidia-h100-nvl");
  EXPECT_EQ(MatchId("NVIDIA H200"), "nvidia-h200-sxm");
  EXPECT_EQ(MatchId("NVIDIA H200 NVL"), "nvidia-h200-nvl");
  EXPECT_EQ(MatchId("NVIDIA A100-SXM4-40GB"), "nvidia-a100-sxm4-40gb");
  EXPECT_EQ(MatchId("NVIDIA A100-SXM4-80GB"), "nvidia-a100-sxm4-80gb");
  EXPECT_EQ(MatchId("NVIDIA A100-PCIE-40GB"), "nvidia-a100-pcie-40gb");
  EXPECT_EQ(MatchId("NVIDIA A100 80GB PCIe"), "nvidia-a100-pcie-80gb");
  EXPECT_EQ(MatchId("NVIDIA L4"), "nvidia-l4");
  EXPECT_EQ(MatchId("Tesla K80"), "nvidia-tesla-k80");
  EXPECT_EQ(MatchId("Tesla T4"), "nvidia-t4");
  EXPECT_EQ(MatchId("AMD Instinct MI300X"), "amd-instinct-mi300x");
  EXPECT_EQ(MatchId("AMD EPYC 9654 96-Core Processor"), "amd-epyc-9654");
  EXPECT_EQ(MatchId("AMD EPYC 9654P 96-Core Processor"), "amd-epyc-9654");
  EXPECT_EQ(MatchId("Intel(R) Xeon(R) Platinum 8480+"),
            "intel-xeon-platinum-8480plus");
  EXPECT_EQ(MatchId("Intel(R) Xeon(R) Gold 6248 CPU @ 2.50GHz"),
            "intel-xeon-gold-6248");
  EXPECT_EQ(MatchId("Intel(R) Core(TM) i7 CPU         920  @ 2.67GHz"),
            "intel-core-i7-920");
  EXPECT_EQ(MatchId("AMD Ryzen 9 3900X 12-Core Processor"),
            "amd-ryzen-9-3900x");
  EXPECT_EQ(MatchId("AMD Radeon RX 6800"), "amd-radeon-rx-6800");
  EXPECT_EQ(MatchId("Apple M1 Max"), "apple-m1-max");
  EXPECT_EQ(MatchId("Apple M1"), "apple-m1");
}

TEST(CatalogTest, LeavesUnknownDevicesUnmatched) {
  EXPECT_EQ(MatchId("AMD EPYC"), "");  // this VM's CPU: no model number
  EXPECT_EQ(MatchId("AMD EPYC 9124 16-Core Processor"), "");
  EXPECT_EQ(MatchId("AMD Radeon RX 6800 XT"), "");
  EXPECT_EQ(MatchId("NVIDIA A10G"), "");
  EXPECT_EQ(MatchId("NVIDIA L40"), "");
  EXPECT_EQ(MatchId("ARM Neoverse-N1"), "");
  EXPECT_EQ(MatchId(""), "");
}

TEST(CatalogTest, Tokens) {
  EXPECT_EQ(NameTokens("Intel(R) Xeon(R) Platinum 8480+"),
            (std::vector<std::string>{"intel", "xeon", "platinum", "8480+"}));
  EXPECT_EQ(NameTokens("Intel(R) Xeon(R) Gold 6248 CPU @ 2.50GHz"),
            (std::vector<std::string>{"intel", "xeon", "gold", "6248", "cpu"}));
  EXPECT_EQ(NameTokens("NVIDIA A100-SXM4-40GB"),
            (std::vector<std::string>{"nvidia", "a100", "sxm4", "40gb"}));
}

TEST(CatalogTest, ParseErrorsNameLineAndRule) {
  absl::StatusOr<v1::DeviceCatalog> bad =
      ParseCatalog("devices {\n  id: \"x\"\n  fp32_gflops: oops\n}\n");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(bad.status().message().find("line 3"), std::string::npos)
      << bad.status();

  const std::string entry =
      "devices { id: \"a\" match: \"a\" source: \"s\" fp32_gflops: 1 "
      "memory_gbps: 1 }\n";
  EXPECT_TRUE(ParseCatalog(entry).ok());
  absl::StatusOr<v1::DeviceCatalog> dup = ParseCatalog(entry + entry);
  ASSERT_FALSE(dup.ok());
  EXPECT_NE(dup.status().message().find("duplicate id"), std::string::npos);
  EXPECT_FALSE(ParseCatalog("devices { id: \"a\" source: \"s\" fp32_gflops: "
                            "1 memory_gbps: 1 }")
                   .ok());  // no match
  EXPECT_FALSE(ParseCatalog("devices { id: \"a\" match: \"a\" fp32_gflops: 1 "
                            "memory_gbps: 1 }")
                   .ok());  // no source
}

TEST(CatalogTest, DatasheetPeakUsesSiUnits) {
  const v1::DatasheetPeak p = DatasheetPeakFromEntry(
      *Find("nvidia-h100-sxm"), "NVIDIA H100 80GB HBM3", 8);
  EXPECT_EQ(p.basis(), "datasheet");
  EXPECT_EQ(p.devices(), 8);
  EXPECT_DOUBLE_EQ(p.fp32_flops(), 67e12);
  EXPECT_DOUBLE_EQ(p.memory_bytes_per_second(), 3.35e12);
  EXPECT_EQ(p.catalog_id(), "nvidia-h100-sxm");
}

}  // namespace
}  // namespace benchfleet::hw
