#include "analysis/fleet_roofline.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "analysis/fleet_fixture.h"
#include "analysis/xml_check.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace benchfleet::analysis {
namespace {

using ::testing::HasSubstr;
using fixture::Agent;
using fixture::FleetResults;
using fixture::Hardware;
using fixture::kCpu;
using fixture::kGpu;
using fixture::Model;
using fixture::Models;
using fixture::Result;

TEST(GroupByDeviceTest, UnknownHostHasNoRoofs) {
  v1::JobResult r =
      Result(1, Models()[0], 1, v1::MODE_INFERENCE, v1::DEVICE_KIND_CPU, 40);
  r.set_host_id("elsewhere");
  r.set_agent_id("gone");
  const std::vector<DeviceGroup> groups =
      GroupByDevice({r}, {Agent("agent-a", Hardware(), true, 1)});
  ASSERT_EQ(groups.size(), 1u);
  EXPECT_FALSE(groups[0].has_hardware);
  const v1::RooflineReport report = BuildRooflineReport(groups);
  EXPECT_FALSE(report.devices(0).has_measured_roof());
  EXPECT_EQ(report.devices(0).placements(0).bound(), "unknown");
  EXPECT_THAT(report.devices(0).notes(0), HasSubstr("no hardware report"));
}

TEST(BuildRooflineReportTest, PlacesEachResultOnItsDevicesRoofs) {
  const v1::RooflineReport report = BuildRooflineReport(GroupByDevice(
      FleetResults(), {Agent("agent-a", Hardware(), true, 1)}));
  ASSERT_EQ(report.devices_size(), 2);
  const v1::RooflineDevice& cpu = report.devices(0);
  ASSERT_TRUE(cpu.has_measured_roof());
  EXPECT_DOUBLE_EQ(cpu.measured_roof().peak_flops_per_second(), 100e9);
  EXPECT_DOUBLE_EQ(cpu.measured_roof().bandwidth_bytes_per_second(), 20e9);
  EXPECT_DOUBLE_EQ(cpu.measured_roof().ridge_point(), 5);
  // A theoretical compute peak without a bandwidth makes no datasheet roof.
  EXPECT_FALSE(cpu.has_datasheet_roof());
  bool said_so = false;
  for (const std::string& note : cpu.notes())
    said_so |= note.find("no datasheet roof") != std::string::npos;
  EXPECT_TRUE(said_so);
  ASSERT_EQ(cpu.placements_size(), 15);
  for (const v1::RooflinePlacement& p : cpu.placements()) {
    ASSERT_TRUE(p.has_attainable_measured()) << p.model();
    const double attainable = std::min(100e9, 20e9 * p.intensity());
    EXPECT_NEAR(p.attainable_measured(), attainable, 1) << p.model();
    EXPECT_NEAR(p.efficiency_measured(),
                p.achieved_flops_per_second() / attainable, 1e-9);
    EXPECT_FALSE(p.has_efficiency_datasheet());
    ASSERT_TRUE(p.has_fraction_of_datasheet_peak());
    EXPECT_NEAR(p.fraction_of_datasheet_peak(),
                p.achieved_flops_per_second() / 150e9, 1e-9);
    EXPECT_EQ(p.bound(), p.intensity() < 5 ? "memory" : "compute");
  }
  const v1::RooflineDevice& gpu = report.devices(1);
  ASSERT_TRUE(gpu.has_datasheet_roof());
  EXPECT_DOUBLE_EQ(gpu.datasheet_roof().peak_flops_per_second(), 8.1e12);
  EXPECT_DOUBLE_EQ(gpu.measured_roof().peak_flops_per_second(), 7e12);
  for (const v1::RooflinePlacement& p : gpu.placements())
    EXPECT_TRUE(p.has_efficiency_datasheet());
}

TEST(BuildRooflineReportTest, SaysWhenTheMeasuredPeakOutrunsTheTheoreticalOne) {
  auto turbo_note = [](const v1::HardwareReport& hw) {
    const v1::RooflineReport report = BuildRooflineReport(
        GroupByDevice(FleetResults(), {Agent("agent-a", hw, true, 1)}));
    for (const std::string& note : report.devices(0).notes())
      if (note.find("run above the clock") != std::string::npos) return note;
    return std::string();
  };
  // Measured 100 GFLOP/s under the theoretical 2 x 75: nothing to say.
  EXPECT_EQ(turbo_note(Hardware()), "");
  // A VM at its nominal clock: measured 210 GFLOP/s is 1.40x the 150.
  v1::HardwareReport vm = Hardware();
  for (v1::MeasuredPeak& p : *vm.mutable_measured_peaks())
    if (p.name() == "fp32_fma") p.set_value(210e9);
  EXPECT_THAT(turbo_note(vm), HasSubstr("is 1.40x theoretical fp32"));
}

TEST(BuildRooflineReportTest, FlagsPointsAboveTheRoof) {
  // 40 GFLOP/s at intensity 1 is twice the 20 GB/s DRAM slope.
  v1::JobResult r =
      Result(1, Models()[0], 1, v1::MODE_INFERENCE, v1::DEVICE_KIND_CPU, 40);
  r.mutable_cost()->set_intensity(1);
  const v1::RooflineReport report = BuildRooflineReport(
      GroupByDevice({r}, {Agent("agent-a", Hardware(), true, 1)}));
  const v1::RooflinePlacement& p = report.devices(0).placements(0);
  EXPECT_TRUE(p.above_roof());
  EXPECT_EQ(p.bound(), "memory");
  EXPECT_FALSE(p.likely_causes().empty());
}

TEST(BuildFleetRooflineTest, EveryDevicesRoofsAndPointsTogether) {
  const std::vector<DeviceGroup> groups =
      GroupByDevice(FleetResults(), {Agent("agent-a", Hardware(), true, 1)});
  const v1::RooflineReport report = BuildRooflineReport(groups);
  const v1::FleetRoofline fleet = BuildFleetRoofline(groups);
  ASSERT_EQ(fleet.roofs_size(), 2);
  EXPECT_EQ(fleet.roofs(0).device(), "Example CPU 8C @ bench-01");
  EXPECT_EQ(fleet.roofs(1).device(), "NVIDIA T4 @ bench-01");
  EXPECT_EQ(fleet.roofs(0).measured_roof().peak_flops_per_second(),
            report.devices(0).measured_roof().peak_flops_per_second());
  EXPECT_FALSE(fleet.roofs(0).has_datasheet_roof());
  EXPECT_TRUE(fleet.roofs(1).has_datasheet_roof());
  ASSERT_EQ(fleet.points_size(), 20);  // the failed job is not a point
  EXPECT_EQ(fleet.points(0).device(), fleet.roofs(0).device());
  EXPECT_EQ(fleet.points(0).job_id(), 1);
  EXPECT_EQ(fleet.points(0).label(), "resnet50");
  EXPECT_EQ(fleet.points(19).device(), fleet.roofs(1).device());
  for (int i = 1; i < 15; ++i)
    EXPECT_LT(fleet.points(i - 1).job_id(), fleet.points(i).job_id());
}

TEST(RooflineChartTest, OneChartOfTheFleetAndOneOfADevice) {
  const std::vector<DeviceGroup> groups =
      GroupByDevice(FleetResults(), {Agent("agent-a", Hardware(), true, 1)});
  const v1::RooflineReport report = BuildRooflineReport(groups);
  const v1::FleetRoofline fleet = BuildFleetRoofline(groups);
  const std::string all = RooflineChart(report, fleet, "Roofline");
  EXPECT_EQ(XmlProblems(all, false), "");
  // With two devices, series carry the device's name.
  EXPECT_THAT(all, HasSubstr("NVIDIA T4 @ bench-01: b1 inference"));
  EXPECT_THAT(all, HasSubstr("Example CPU 8C @ bench-01: measured roof"));
  const std::string one = DeviceRooflineChart(report, fleet, 1, "GPU");
  EXPECT_EQ(XmlProblems(one, false), "");
  EXPECT_THAT(one, HasSubstr("b1 inference"));
  EXPECT_EQ(one.find("Example CPU 8C"), std::string::npos);
  EXPECT_EQ(one, DeviceRooflineChart(report, fleet, 1, "GPU"));  // deterministic
}

}  // namespace
}  // namespace benchfleet::analysis
