#include "agent/runner/spec_check.h"

#include <limits>

#include "gtest/gtest.h"

namespace benchfleet::runner {
namespace {

v1::BenchmarkSpec Valid() {
  v1::BenchmarkSpec spec;
  spec.set_model("resnet50");
  spec.set_batch_size(8);
  ApplyDefaults(spec);
  return spec;
}

void ExpectInvalid(const v1::BenchmarkSpec& spec, const std::string& needle) {
  const absl::Status status = ValidateSpec(spec);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << needle;
  EXPECT_NE(status.message().find(needle), std::string::npos)
      << status.message();
}

TEST(SpecCheckTest, DefaultsFillModelInputAndBudget) {
  const v1::BenchmarkSpec spec = Valid();
  EXPECT_EQ(spec.input().height(), 224);
  EXPECT_EQ(spec.mode(), v1::MODE_INFERENCE);
  EXPECT_EQ(spec.precision(), v1::PRECISION_FP32);
  EXPECT_EQ(spec.device(), v1::DEVICE_KIND_CPU);
  EXPECT_EQ(spec.budget().min_iterations(), 10);
  EXPECT_TRUE(ValidateSpec(spec).ok());
}

TEST(SpecCheckTest, RejectsBadFieldsByName) {
  auto spec = Valid();
  spec.set_batch_size(0);
  ExpectInvalid(spec, "batch_size = 0");

  spec = Valid();
  spec.set_model("resnet5");
  ExpectInvalid(spec, "model = \"resnet5\"");

  spec = Valid();
  spec.mutable_input()->set_height(-3);
  ExpectInvalid(spec, "input.height = -3");

  spec = Valid();
  spec.mutable_budget()->set_max_seconds(
      std::numeric_limits<double>::quiet_NaN());
  ExpectInvalid(spec, "budget.max_seconds");

  spec = Valid();
  spec.set_precision(static_cast<v1::Precision>(42));
  ExpectInvalid(spec, "precision = 42");

  spec = Valid();
  spec.mutable_budget()->set_min_iterations(50);
  spec.mutable_budget()->set_max_iterations(5);
  ExpectInvalid(spec, "budget.max_iterations = 5");
}

}  // namespace
}  // namespace benchfleet::runner
