#include "spec/spec_check.h"

#include <limits>
#include <string>

#include "gtest/gtest.h"

namespace benchfleet::spec {
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
  EXPECT_EQ(spec.budget().stable_ci(), 0.01);
  EXPECT_EQ(spec.memory_format(), v1::MEMORY_FORMAT_CONTIGUOUS);
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
  spec.set_inter_op_threads(-1);
  ExpectInvalid(spec, "inter_op_threads = -1");

  spec = Valid();
  spec.set_memory_format(static_cast<v1::MemoryFormat>(9));
  ExpectInvalid(spec, "memory_format = 9");

  spec = Valid();
  spec.set_scenario(static_cast<v1::Scenario>(7));
  ExpectInvalid(spec, "scenario = 7");

  spec = Valid();
  spec.mutable_budget()->set_stable_ci(-0.5);
  ExpectInvalid(spec, "budget.stable_ci = -0.5");

  spec = Valid();
  spec.mutable_budget()->set_min_iterations(50);
  spec.mutable_budget()->set_max_iterations(5);
  ExpectInvalid(spec, "budget.max_iterations = 5");
}

TEST(SpecCheckTest, AuxLogitsOnlyForModelsWithAuxiliaryClassifiers) {
  v1::BenchmarkSpec spec = Valid();
  spec.set_aux_logits(true);
  ExpectInvalid(spec, "aux_logits = true: model \"" + spec.model() +
                          "\" has no auxiliary classifiers");
  spec.set_model("model.pt");  // a TorchScript file has none we can build
  ExpectInvalid(spec, "aux_logits = true");
  for (const char* model : {"googlenet", "inception_v3"}) {
    spec.set_model(model);
    EXPECT_TRUE(ValidateSpec(spec).ok()) << model;
  }
}

TEST(SpecCheckTest, AcceptsPlausibleTorchScriptPaths) {
  // The coordinator cannot see an agent's files: only the form is checked.
  for (const char* path : {"/models/net.pt", "net.pth", "dir/net.ts"}) {
    auto spec = Valid();
    spec.set_model(path);
    EXPECT_TRUE(ValidateSpec(spec).ok()) << path << ": " << ValidateSpec(spec);
  }
  v1::BenchmarkSpec spec;
  spec.set_model("/models/net.pt");
  spec.set_batch_size(1);
  ApplyDefaults(spec);
  EXPECT_EQ(spec.input().channels(), 3);  // no catalog entry: 3x224x224
  EXPECT_EQ(spec.input().height(), 224);
}

TEST(SpecCheckTest, RejectsImplausibleTorchScriptPaths) {
  auto spec = Valid();
  spec.set_model(std::string("net\0x.pt", 8));
  ExpectInvalid(spec, "NUL");

  spec = Valid();
  spec.set_model(std::string(5000, 'a') + ".pt");
  ExpectInvalid(spec, "longer than 4096");

  spec = Valid();
  spec.set_model("net.onnx");  // neither a zoo name nor a TorchScript path
  ExpectInvalid(spec, ".pt, .pth or .ts");
}

}  // namespace
}  // namespace benchfleet::spec
