#include "agent/runner/job_resources.h"

#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <string>

#include "gtest/gtest.h"

namespace benchfleet::runner {
namespace {

TEST(JobResourcesTest, ParsesMemAvailable) {
  const char* meminfo =
      "MemTotal:       24684112 kB\n"
      "MemFree:        20567992 kB\n"
      "MemAvailable:   23735904 kB\n"
      "Buffers:          123456 kB\n";
  absl::StatusOr<int64_t> bytes = ParseMemAvailable(meminfo);
  ASSERT_TRUE(bytes.ok()) << bytes.status();
  EXPECT_EQ(*bytes, int64_t{23735904} * 1024);
  EXPECT_EQ(ParseMemAvailable("MemTotal: 1 kB\n").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseMemAvailable("MemAvailable: lots\n").status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(JobResourcesTest, ReadsMemAvailableUnderARoot) {
  const char* tmp = std::getenv("TEST_TMPDIR");
  std::string dir = std::string(tmp ? tmp : "/tmp") + "/job_resources_XXXXXX";
  ASSERT_NE(mkdtemp(dir.data()), nullptr);
  const std::string root = dir;
  ASSERT_EQ(system(("mkdir -p " + root + "/proc").c_str()), 0);
  std::ofstream(root + "/proc/meminfo") << "MemAvailable:       2048 kB\n";
  absl::StatusOr<int64_t> bytes = ReadMemAvailable(root);
  ASSERT_TRUE(bytes.ok()) << bytes.status();
  EXPECT_EQ(*bytes, 2048 * 1024);
  EXPECT_EQ(ReadMemAvailable(root + "/missing").status().code(),
            absl::StatusCode::kUnavailable);
}

TEST(JobResourcesTest, DetectsNativeBf16) {
  EXPECT_TRUE(CpuInfoHasBf16(
      "processor\t: 0\nflags\t\t: fpu avx2 avx512f avx512_bf16 avx512_vnni\n"));
  EXPECT_TRUE(CpuInfoHasBf16("flags\t\t: fpu amx_bf16 amx_tile\n"));
  EXPECT_TRUE(CpuInfoHasBf16("Features\t: fp asimd bf16 i8mm\n"));
  EXPECT_FALSE(CpuInfoHasBf16("flags\t\t: fpu avx2 avx512f avx512_vnni\n"));
  EXPECT_FALSE(CpuInfoHasBf16("flags\t\t: avx512_bf16x\n"));
  EXPECT_FALSE(CpuInfoHasBf16("model name\t: bf16 marketing name\n"));
  EXPECT_FALSE(CpuInfoHasBf16(""));
  EXPECT_FALSE(HostHasBf16("/nonexistent-root"));
}

TEST(JobResourcesTest, MemoryNeedScalesActivationsNotParameters) {
  v1::CostFigures reference;
  reference.set_param_bytes(100);
  reference.set_activation_bytes(1000);  // at batch 1, 3x10x10
  v1::InputShape reference_shape;
  reference_shape.set_channels(3);
  reference_shape.set_height(10);
  reference_shape.set_width(10);

  v1::BenchmarkSpec spec;
  spec.set_batch_size(4);
  *spec.mutable_input() = reference_shape;
  spec.mutable_input()->set_height(20);  // twice the pixels
  spec.set_mode(v1::MODE_INFERENCE);
  const int64_t input = 4 * 3 * 20 * 10 * 4;
  // activations x (4 items x 2 pixels) = 8000
  EXPECT_EQ(EstimateMemoryNeedBytes(reference, reference_shape, 1, spec),
            100 + input + 8000);
  spec.set_mode(v1::MODE_TRAINING);
  EXPECT_EQ(EstimateMemoryNeedBytes(reference, reference_shape, 1, spec),
            3 * 100 + input + 2 * 8000);
}

TEST(JobResourcesTest, AbsurdJobsSaturateInsteadOfOverflowing) {
  v1::CostFigures reference;
  reference.set_activation_bytes(int64_t{1} << 40);
  v1::InputShape shape;
  shape.set_channels(3);
  shape.set_height(8192);
  shape.set_width(8192);
  v1::BenchmarkSpec spec;
  spec.set_batch_size(65536);
  *spec.mutable_input() = shape;
  v1::InputShape small = shape;
  small.set_height(1);
  small.set_width(1);
  EXPECT_GT(EstimateMemoryNeedBytes(reference, small, 1, spec),
            int64_t{1} << 62);
}

TEST(JobResourcesTest, ScalesCostLinearlyInBatch) {
  v1::CostFigures one;
  one.set_forward_flops(10);
  one.set_backward_flops(20);
  one.set_params(7);
  one.set_param_bytes(28);
  one.set_activation_bytes(100);
  one.set_traffic_bytes(28 + 12 + 200);  // params + input + 2 x activations
  one.set_footprint_bytes(28 + 12 + 200);
  v1::LayerCost* layer = one.add_by_kind();
  layer->set_forward_flops(10);
  layer->set_params(7);
  layer->set_activation_bytes(100);
  const v1::CostFigures four = ScaleCostToBatch(one, 1, 4);
  EXPECT_EQ(four.forward_flops(), 40);
  EXPECT_EQ(four.backward_flops(), 80);
  EXPECT_EQ(four.params(), 7);
  EXPECT_EQ(four.param_bytes(), 28);
  EXPECT_EQ(four.activation_bytes(), 400);
  EXPECT_EQ(four.traffic_bytes(), 28 + 48 + 800);
  EXPECT_EQ(four.footprint_bytes(), 28 + 48 + 800);
  EXPECT_DOUBLE_EQ(four.intensity(), 40.0 / (28 + 48 + 800));
  EXPECT_EQ(four.by_kind(0).forward_flops(), 40);
  EXPECT_EQ(four.by_kind(0).params(), 7);
  EXPECT_EQ(four.by_kind(0).activation_bytes(), 400);
}

TEST(JobResourcesTest, HumanBytes) {
  EXPECT_EQ(HumanBytes(512), "512 B");
  EXPECT_EQ(HumanBytes(1536), "1.5 KiB");
  EXPECT_EQ(HumanBytes(12.0 * 1024 * 1024), "12.0 MiB");
  EXPECT_EQ(HumanBytes(1.5 * 1024 * 1024 * 1024), "1.50 GiB");
}

}  // namespace
}  // namespace benchfleet::runner
