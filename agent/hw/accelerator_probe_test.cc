#include "agent/hw/accelerator_probe.h"

#include <torch/torch.h>

#include "agent/hw/nvml.h"
#include "gtest/gtest.h"

namespace benchfleet::hw {
namespace {

// Runs on machines with and without GPUs: without, nothing is reported and
// nothing fails; with, every device is described.
TEST(AcceleratorProbeTest, DescribesWhateverIsThere) {
  v1::HardwareReport report;
  ProbeAccelerators(&report);
  for (const v1::AcceleratorInfo& a : report.accelerators()) {
    EXPECT_FALSE(a.name().empty());
    EXPECT_GT(a.memory_bytes(), 0);
    EXPECT_FALSE(a.sources().empty());
  }
  if (torch::cuda::is_available()) {
    EXPECT_GE(report.accelerators_size(),
              static_cast<int>(torch::cuda::device_count()));
  }
  if (report.accelerators().empty()) {
    EXPECT_EQ(report.warnings_size(), 0);
  }
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
