#include "agent/hw/accelerator_probe.h"

#include <torch/torch.h>

#include "agent/hw/nvml.h"
#include "gtest/gtest.h"

namespace benchfleet::hw {
namespace {

// Each device the probe reports is described, and there are at least as
// many as LibTorch sees. Skipped, with the reason, on a machine without any.
TEST(AcceleratorProbeTest, DescribesEveryAccelerator) {
  v1::HardwareReport report;
  ProbeAccelerators(&report);
  if (report.accelerators().empty() && !torch::cuda::is_available())
    GTEST_SKIP() << "no accelerator on this machine: the probe found none "
                    "and torch::cuda::is_available() is false";
  for (const v1::AcceleratorInfo& a : report.accelerators()) {
    EXPECT_FALSE(a.name().empty());
    EXPECT_GT(a.memory_bytes(), 0) << a.name();
    EXPECT_FALSE(a.sources().empty()) << a.name();
  }
  if (torch::cuda::is_available()) {
    EXPECT_GE(report.accelerators_size(),
              static_cast<int>(torch::cuda::device_count()));
  }
}

// Without an accelerator the probe reports none and warns about nothing.
// Skipped, with the reason, on a machine that has one.
TEST(AcceleratorProbeTest, ReportsNothingWithoutAnAccelerator) {
  v1::HardwareReport report;
  ProbeAccelerators(&report);
  if (!report.accelerators().empty() || torch::cuda::is_available())
    GTEST_SKIP() << "this machine has an accelerator ("
                 << report.accelerators_size() << " found by the probe)";
  EXPECT_EQ(report.warnings_size(), 0)
      << (report.warnings_size() ? report.warnings(0) : "");
}

TEST(AcceleratorProbeTest, NvmlIsOptional) {
  absl::StatusOr<NvmlInventory> nvml = QueryNvml();
  if (nvml.ok()) {
    for (const NvmlDevice& d : nvml->devices) EXPECT_FALSE(d.name.empty());
  } else {
    EXPECT_EQ(nvml.status().code(), absl::StatusCode::kUnavailable);
  }
}

}  // namespace
}  // namespace benchfleet::hw
