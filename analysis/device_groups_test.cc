#include "analysis/device_groups.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "analysis/fleet_fixture.h"
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

void AddPeak(v1::HardwareReport* hw, const std::string& name, double value,
             const std::string& unit) {
  v1::MeasuredPeak* p = hw->add_measured_peaks();
  p->set_name(name);
  p->set_value(value);
  p->set_unit(unit);
}

TEST(HardwareForDeviceTest, CpuDropsGpuPeaks) {
  const v1::HardwareReport cpu =
      HardwareForDevice(Hardware(), v1::DEVICE_KIND_CPU, kCpu);
  std::vector<std::string> names;
  for (const auto& p : cpu.measured_peaks()) names.push_back(p.name());
  EXPECT_EQ(names, std::vector<std::string>(
                       {"fp32_fma", "sgemm", "stream_triad", "l2"}));
  EXPECT_EQ(cpu.cpu().model_name(), kCpu);
}

TEST(HardwareForDeviceTest, GpuKeepsItsOwnPeaksWithoutPrefix) {
  const v1::HardwareReport gpu =
      HardwareForDevice(Hardware(), v1::DEVICE_KIND_CUDA, kGpu);
  std::vector<std::string> names;
  for (const auto& p : gpu.measured_peaks()) names.push_back(p.name());
  EXPECT_EQ(names, std::vector<std::string>({"sgemm", "d2d_copy"}));
  EXPECT_EQ(gpu.cpu().model_name(), kGpu);
  EXPECT_EQ(gpu.cpu().caches_size(), 0);
  // The roofline built from it is the GPU's, not the CPU's.
  const analysis::DeviceRoofline roof = analysis::RooflineFromHardware(gpu);
  ASSERT_TRUE(roof.MeasuredRoof().has_value());
  EXPECT_DOUBLE_EQ(roof.MeasuredRoof()->peak_flops_per_s, 7e12);
  EXPECT_DOUBLE_EQ(roof.MeasuredRoof()->bandwidth_bytes_per_s, 250e9);
}

TEST(DatasheetCeilingsTest, CpuPerHostGpuPerDevice) {
  std::vector<analysis::ComputeCeiling> compute;
  std::vector<analysis::MemoryCeiling> memory;
  DatasheetCeilings(Hardware(), v1::DEVICE_KIND_CPU, kCpu, &compute, &memory);
  ASSERT_EQ(compute.size(), 1u);
  EXPECT_EQ(compute[0].name, "theoretical fp32");  // never called a datasheet
  EXPECT_DOUBLE_EQ(compute[0].flops_per_s, 150e9);  // x2 sockets
  EXPECT_TRUE(memory.empty());

  compute.clear();
  DatasheetCeilings(Hardware(), v1::DEVICE_KIND_CUDA, kGpu, &compute, &memory);
  ASSERT_EQ(compute.size(), 1u);
  EXPECT_EQ(compute[0].name, "datasheet fp32");
  EXPECT_DOUBLE_EQ(compute[0].flops_per_s, 8.1e12);
  ASSERT_EQ(memory.size(), 1u);
  EXPECT_EQ(memory[0].level, "DRAM");
  EXPECT_DOUBLE_EQ(memory[0].bytes_per_s, 320e9);
}

TEST(GroupByDeviceTest, GroupsByHostAndDeviceAndSkipsFailures) {
  const std::vector<DeviceGroup> groups = GroupByDevice(
      FleetResults(), {Agent("agent-a", Hardware(), true, 100)});
  ASSERT_EQ(groups.size(), 2u);
  EXPECT_EQ(groups[0].device_name, kCpu);
  EXPECT_EQ(groups[0].kind, v1::DEVICE_KIND_CPU);
  EXPECT_EQ(groups[0].results.size(), 15u);  // failed job left out
  EXPECT_EQ(groups[1].device_name, kGpu);
  EXPECT_EQ(groups[1].results.size(), 5u);
  EXPECT_EQ(groups[0].Label(), "Example CPU 8C @ bench-01");
  EXPECT_TRUE(groups[0].has_hardware);
  // Ordered by job id within a group.
  for (const DeviceGroup& g : groups)
    for (size_t i = 1; i < g.results.size(); ++i)
      EXPECT_LT(g.results[i - 1].job_id(), g.results[i].job_id());
}

TEST(GroupByDeviceTest, PrefersTheConnectedAgentOfAHost) {
  v1::HardwareReport stale = Hardware();
  stale.clear_measured_peaks();
  AddPeak(&stale, "fp32_fma", 1e9, "FLOP/s");
  AddPeak(&stale, "stream_triad", 1e9, "B/s");
  const std::vector<DeviceGroup> groups = GroupByDevice(
      {Result(1, Models()[0], 1, v1::MODE_INFERENCE, v1::DEVICE_KIND_CPU, 40)},
      {Agent("old", stale, false, 500), Agent("new", Hardware(), true, 100)});
  ASSERT_EQ(groups.size(), 1u);
  ASSERT_TRUE(groups[0].roofline.MeasuredRoof().has_value());
  EXPECT_DOUBLE_EQ(groups[0].roofline.MeasuredRoof()->peak_flops_per_s, 100e9);
}

TEST(DeviceGroupsTest, NamesAndKeys) {
  v1::JobResult r =
      Result(1, Models()[0], 1, v1::MODE_INFERENCE, v1::DEVICE_KIND_CPU, 40);
  EXPECT_EQ(HostOf(r), "host-a-id");
  r.clear_host_id();
  EXPECT_EQ(HostOf(r), "agent-a");
  EXPECT_EQ(ObservationKey(r), "resnet50");  // 3x224x224 fp32: the defaults
  r.mutable_spec()->mutable_input()->set_height(299);
  r.mutable_spec()->set_precision(v1::PRECISION_BF16);
  EXPECT_EQ(ObservationKey(r), "resnet50 3x299x224 bf16");
  r.clear_device_name();
  EXPECT_EQ(DeviceNameOf(r), "cpu");
  r.mutable_spec()->set_device(v1::DEVICE_KIND_CUDA);
  EXPECT_EQ(DeviceNameOf(r), "cuda");
  EXPECT_DOUBLE_EQ(StepFlops(r), r.cost().forward_flops());
  r.mutable_spec()->set_mode(v1::MODE_TRAINING);
  EXPECT_DOUBLE_EQ(StepFlops(r), r.cost().forward_flops() + r.cost().backward_flops());
  const HostNamer names = HostNamesOf({Agent("agent-a", Hardware(), true, 1)});
  EXPECT_EQ(names("host-a-id"), "bench-01");
  EXPECT_EQ(names("agent-a"), "bench-01");
  EXPECT_EQ(names("unknown"), "unknown");
}

}  // namespace
}  // namespace benchfleet::analysis
