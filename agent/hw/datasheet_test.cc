#include "agent/hw/datasheet.h"

#include <cstdlib>

#include "agent/hw/system_probe.h"
#include "gtest/gtest.h"

namespace benchfleet::hw {
namespace {

std::string TestData(const std::string& tree) {
  return std::string(std::getenv("TEST_SRCDIR")) +
         "/benchfleet/agent/hw/testdata/" + tree;
}

TEST(DatasheetTest, CataloguedCpuGetsDatasheetPerSocket) {
  v1::HardwareReport r = ProbeSystem(TestData("xeon2s"));
  AddDatasheetPeaks(&r);
  ASSERT_EQ(r.datasheet_peaks_size(), 1);
  const v1::DatasheetPeak& p = r.datasheet_peaks(0);
  EXPECT_EQ(p.basis(), "datasheet");
  EXPECT_EQ(p.catalog_id(), "intel-xeon-platinum-8480plus");
  EXPECT_EQ(p.devices(), 2);
  EXPECT_DOUBLE_EQ(p.fp32_flops(), 7168e9);
  EXPECT_DOUBLE_EQ(p.memory_bytes_per_second(), 307.2e9);
}

TEST(DatasheetTest, UnknownCpuGetsLabelledTheoreticalPeak) {
  v1::HardwareReport vm = ProbeSystem(TestData("vm"));
  AddDatasheetPeaks(&vm);
  ASSERT_EQ(vm.datasheet_peaks_size(), 1);
  EXPECT_EQ(vm.datasheet_peaks(0).basis(), "theoretical");
  EXPECT_EQ(vm.datasheet_peaks(0).catalog_id(), "");
  // Cascade Lake (family 6 model 85): 2 cores x 2.993 GHz x 64.
  EXPECT_NEAR(vm.datasheet_peaks(0).fp32_flops(), 2 * 2.992968e9 * 64, 1e3);

  v1::HardwareReport arm = ProbeSystem(TestData("altra"));
  AddDatasheetPeaks(&arm);
  ASSERT_EQ(arm.datasheet_peaks_size(), 1);
  EXPECT_EQ(arm.datasheet_peaks(0).basis(), "theoretical");
  EXPECT_DOUBLE_EQ(arm.datasheet_peaks(0).fp32_flops(), 80 * 3.0 * 16 * 1e9);
}

TEST(DatasheetTest, OneEntryPerGpuModel) {
  v1::HardwareReport r = ProbeSystem(TestData("xeon2s"));
  for (int i = 0; i < 8; ++i) {
    v1::AcceleratorInfo* a = r.add_accelerators();
    a->set_index(i);
    a->set_name("NVIDIA H100 80GB HBM3");
  }
  v1::AcceleratorInfo* odd = r.add_accelerators();
  odd->set_index(8);
  odd->set_name("NVIDIA Future GPU");
  odd->set_multiprocessors(10);
  odd->set_compute_capability("9.0");
  odd->set_clock_mhz(1000);
  AddDatasheetPeaks(&r);
  ASSERT_EQ(r.datasheet_peaks_size(), 3);
  EXPECT_EQ(r.datasheet_peaks(1).catalog_id(), "nvidia-h100-sxm");
  EXPECT_EQ(r.datasheet_peaks(1).devices(), 8);
  EXPECT_EQ(r.datasheet_peaks(2).basis(), "theoretical");
  EXPECT_EQ(r.datasheet_peaks(2).devices(), 1);
  EXPECT_DOUBLE_EQ(r.datasheet_peaks(2).fp32_flops(), 10.0 * 128 * 2 * 1e9);
}

}  // namespace
}  // namespace benchfleet::hw
