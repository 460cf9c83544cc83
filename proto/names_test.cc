#include "proto/names.h"

#include "gtest/gtest.h"

namespace benchfleet {
namespace {

TEST(NamesTest, UnsetValuesReadAsTheirDefaults) {
  EXPECT_EQ(ModeName(v1::MODE_UNSPECIFIED), "inference");
  EXPECT_EQ(ModeName(v1::MODE_TRAINING), "training");
  EXPECT_EQ(PrecisionName(v1::PRECISION_UNSPECIFIED), "fp32");
  EXPECT_EQ(PrecisionName(v1::PRECISION_BF16), "bf16");
  EXPECT_EQ(PrecisionName(v1::PRECISION_FP16), "fp16");
  EXPECT_EQ(DeviceKindName(v1::DEVICE_KIND_UNSPECIFIED), "cpu");
  EXPECT_EQ(DeviceKindName(v1::DEVICE_KIND_CUDA), "cuda");
  EXPECT_EQ(LayoutName(v1::MEMORY_FORMAT_UNSPECIFIED), "nchw");
  EXPECT_EQ(LayoutName(v1::MEMORY_FORMAT_CHANNELS_LAST), "nhwc");
}

TEST(NamesTest, AnUnsetShapePrintsAsDefault) {
  v1::InputShape shape;
  EXPECT_EQ(InputName(shape), "default");
  EXPECT_TRUE(IsDefaultInput(shape));
  shape.set_channels(3);
  shape.set_height(299);
  shape.set_width(299);
  EXPECT_EQ(InputName(shape), "3x299x299");
  EXPECT_FALSE(IsDefaultInput(shape));
  shape.set_height(224);
  shape.set_width(224);
  EXPECT_TRUE(IsDefaultInput(shape));
}

TEST(NamesTest, States) {
  EXPECT_EQ(JobStateName(v1::JOB_STATE_LEASED), "running");
  EXPECT_EQ(JobStateName(v1::JOB_STATE_UNSPECIFIED), "unknown");
  EXPECT_EQ(SweepStateName(v1::SWEEP_STATE_DONE), "done");
  EXPECT_EQ(SweepStateName(v1::SWEEP_STATE_UNSPECIFIED), "unknown");
}

}  // namespace
}  // namespace benchfleet
