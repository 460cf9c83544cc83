#include "analysis/roofline.h"

#include <cmath>

#include "gtest/gtest.h"

namespace benchfleet::analysis {
namespace {

// A small CPU: measured FMA 80 and SGEMM 120 GFLOP/s, STREAM triad 20 GB/s,
// L3 100 GB/s (8 MiB), L2 200 GB/s (1 MiB); datasheet 150 GFLOP/s, 25 GB/s.
v1::HardwareReport Hardware() {
  v1::HardwareReport hw;
  hw.set_hostname("host-a");
  hw.mutable_cpu()->set_model_name("Example CPU 8C");
  auto cache = [&hw](int level, const std::string& type, int64_t size,
                     bool implausible) {
    v1::CacheLevel* c = hw.mutable_cpu()->add_caches();
    c->set_level(level);
    c->set_type(type);
    c->set_size_bytes(size);
    c->set_implausible(implausible);
  };
  cache(1, "Data", 48 << 10, false);
  cache(1, "Instruction", 32 << 10, false);
  cache(2, "Unified", 1 << 20, false);
  cache(3, "Unified", 8 << 20, false);
  cache(3, "Unified", 512 << 20, true);  // getconf's implausible 512 MiB
  auto peak = [&hw](const std::string& name, double value,
                    const std::string& unit) {
    v1::MeasuredPeak* p = hw.add_measured_peaks();
    p->set_name(name);
    p->set_value(value);
    p->set_unit(unit);
    p->set_method("test");
  };
  peak("fp32_fma", 80e9, "FLOP/s");
  peak("sgemm", 120e9, "FLOP/s");
  peak("stream_triad", 20e9, "B/s");
  peak("l3", 100e9, "B/s");
  peak("L2_read", 200e9, "B/s");
  peak("broken", -1, "B/s");
  peak("latency", 80, "ns");
  return hw;
}

DeviceRoofline Device() {
  return RooflineFromHardware(
      Hardware(), {{"datasheet fp32", 150e9, RoofSource::kDatasheet, "spec"}},
      {{"datasheet DDR5", "DRAM", 25e9, RoofSource::kDatasheet, 0, "spec"}});
}

TEST(RoofTest, RidgeAndAttainable) {
  const Roof roof{"r", 120e9, 20e9, RoofSource::kMeasured};
  EXPECT_DOUBLE_EQ(roof.RidgePoint(), 6.0);
  EXPECT_DOUBLE_EQ(roof.Attainable(1.0), 20e9);   // bandwidth x intensity
  EXPECT_DOUBLE_EQ(roof.Attainable(6.0), 120e9);  // the ridge
  EXPECT_DOUBLE_EQ(roof.Attainable(100.0), 120e9);
  EXPECT_DOUBLE_EQ(roof.Attainable(0.0), 0.0);
  EXPECT_TRUE(std::isnan(roof.Attainable(-1)));
  EXPECT_TRUE(std::isnan(roof.Attainable(std::nan(""))));
  const Roof broken{"b", 0, 20e9, RoofSource::kMeasured};
  EXPECT_TRUE(std::isnan(broken.RidgePoint()));
}

TEST(RooflineFromHardwareTest, MapsPeaksAndCaches) {
  const DeviceRoofline d = Device();
  EXPECT_EQ(d.device, "Example CPU 8C");
  ASSERT_EQ(d.compute.size(), 3u);
  ASSERT_EQ(d.memory.size(), 4u);  // triad, l3, L2_read, datasheet
  EXPECT_EQ(d.memory[0].level, "DRAM");
  EXPECT_EQ(d.memory[1].level, "L3");
  EXPECT_EQ(d.memory[1].capacity_bytes, 8 << 20);  // not the implausible one
  EXPECT_EQ(d.memory[2].level, "L2");
  EXPECT_EQ(d.memory[2].capacity_bytes, 1 << 20);
  const std::optional<Roof> measured = d.MeasuredRoof();
  ASSERT_TRUE(measured.has_value());
  EXPECT_EQ(measured->name, "measured (sgemm, stream_triad)");
  EXPECT_DOUBLE_EQ(measured->peak_flops_per_s, 120e9);
  EXPECT_DOUBLE_EQ(measured->bandwidth_bytes_per_s, 20e9);
  const std::optional<Roof> datasheet = d.DatasheetRoof();
  ASSERT_TRUE(datasheet.has_value());
  EXPECT_DOUBLE_EQ(datasheet->RidgePoint(), 6.0);
  EXPECT_FALSE(RooflineFromHardware(v1::HardwareReport()).MeasuredRoof());
}

TEST(PlacePointTest, MemoryBoundBelowRoof) {
  const Placement p = PlacePoint(Device(), 2.0, 30e9);
  EXPECT_EQ(p.bound, Bound::kMemory);
  EXPECT_DOUBLE_EQ(p.attainable_measured, 40e9);
  EXPECT_DOUBLE_EQ(p.efficiency_measured, 0.75);
  EXPECT_DOUBLE_EQ(p.attainable_datasheet, 50e9);
  EXPECT_DOUBLE_EQ(p.efficiency_datasheet, 0.6);
  EXPECT_FALSE(p.above_roof);
  EXPECT_TRUE(p.likely_causes.empty());
  EXPECT_EQ(p.reference_roof, "measured (sgemm, stream_triad)");
}

TEST(PlacePointTest, AboveDramRoofBlamesCachesFirst) {
  PointContext context;
  context.working_set_bytes = 6 << 20;  // fits the 8 MiB L3
  const Placement p = PlacePoint(Device(), 2.0, 60e9, context);
  EXPECT_TRUE(p.above_roof);
  EXPECT_TRUE(p.above_datasheet);
  EXPECT_DOUBLE_EQ(p.efficiency_measured, 1.5);  // never clipped to 1
  ASSERT_EQ(p.likely_causes.size(), 3u);
  EXPECT_EQ(p.likely_causes[0],
            "caches: working set (6.0 MiB) fits in L3 (8.0 MiB), so the DRAM "
            "roof does not apply");
  EXPECT_EQ(p.likely_causes[1].rfind("DRAM bandwidth roof measured too low", 0),
            0u);
  EXPECT_EQ(p.likely_causes[2].rfind("cost model overcounts DRAM traffic", 0),
            0u);
  // Without a working set, the L3 roof (100 GB/s x 2 = 200 GFLOP/s) allows it.
  const Placement q = PlacePoint(Device(), 2.0, 60e9);
  EXPECT_EQ(q.likely_causes[0],
            "caches: the point is under the L3 roof, so the working set likely "
            "fits in L3, so the DRAM roof does not apply");
}

TEST(PlacePointTest, AboveMeasuredComputeRoofOnly) {
  const Placement p = PlacePoint(Device(), 20.0, 130e9);
  EXPECT_EQ(p.bound, Bound::kCompute);
  EXPECT_TRUE(p.above_roof);
  EXPECT_FALSE(p.above_datasheet);
  ASSERT_EQ(p.likely_causes.size(), 2u);
  EXPECT_EQ(p.likely_causes[0].rfind("compute roof measured too low", 0), 0u);
  EXPECT_EQ(p.likely_causes[1].rfind("cost model overcounts FLOPs", 0), 0u);
}

TEST(PlacePointTest, AboveDatasheetToo) {
  const Placement p = PlacePoint(Device(), 20.0, 160e9);
  EXPECT_TRUE(p.above_datasheet);
  ASSERT_EQ(p.likely_causes.size(), 2u);
  EXPECT_EQ(p.likely_causes[0],
            "datasheet peak lower than the sustained boost clock (datasheets "
            "often quote the base clock)");
}

// The seed study's Colab run: the roof drawn was the K80's, the GPU that ran
// was not always a K80.
TEST(PlacePointTest, OtherDeviceIsNamedFirst) {
  PointContext context;
  context.device_name = "Tesla T4";
  const Placement p = PlacePoint(Device(), 20.0, 130e9, context);
  ASSERT_FALSE(p.likely_causes.empty());
  EXPECT_EQ(p.likely_causes[0],
            "roof belongs to another device: point from 'Tesla T4', roof of "
            "'Example CPU 8C'");
}

TEST(PlacePointTest, ExactlyOnTheRoofIsNotAbove) {
  EXPECT_FALSE(PlacePoint(Device(), 20.0, 120e9).above_roof);
  EXPECT_TRUE(PlacePoint(Device(), 20.0, 120.0001e9).above_roof);
}

TEST(PlacePointTest, InvalidInputsAndMissingRoofs) {
  const Placement zero = PlacePoint(Device(), 0.0, 1e9);
  EXPECT_EQ(zero.bound, Bound::kUnknown);
  EXPECT_TRUE(std::isnan(zero.efficiency_measured));
  ASSERT_EQ(zero.likely_causes.size(), 1u);
  EXPECT_FALSE(PlacePoint(Device(), 2.0, std::nan("")).above_roof);

  DeviceRoofline datasheet_only;
  datasheet_only.compute.push_back({"ds", 100e9, RoofSource::kDatasheet, ""});
  datasheet_only.memory.push_back(
      {"ds", "DRAM", 10e9, RoofSource::kDatasheet, 0, ""});
  const Placement d = PlacePoint(datasheet_only, 1.0, 20e9);
  EXPECT_TRUE(std::isnan(d.efficiency_measured));
  EXPECT_DOUBLE_EQ(d.efficiency_datasheet, 2.0);
  EXPECT_TRUE(d.above_roof);  // judged against the datasheet roof
  EXPECT_EQ(d.reference_roof, "datasheet (ds, ds)");

  const Placement none = PlacePoint(DeviceRoofline(), 1.0, 1e9);
  EXPECT_EQ(none.bound, Bound::kUnknown);
  EXPECT_EQ(none.likely_causes.size(), 1u);
}

TEST(PlaceResultTest, UsesCostFigures) {
  v1::JobResult r;
  r.mutable_cost()->set_intensity(2.0);
  r.mutable_cost()->set_param_bytes(2 << 20);
  r.mutable_cost()->set_activation_bytes(1 << 20);
  r.set_achieved_flops_per_second(60e9);
  r.set_device_name("Example CPU 8C");
  const Placement p = PlaceResult(Device(), r);
  EXPECT_TRUE(p.above_roof);
  EXPECT_EQ(p.likely_causes[0],
            "caches: working set (3.0 MiB) fits in L3 (8.0 MiB), so the DRAM "
            "roof does not apply");
  EXPECT_EQ(BoundName(p.bound), "memory");
}

}  // namespace
}  // namespace benchfleet::analysis
