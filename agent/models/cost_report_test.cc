#include "agent/models/cost_report.h"

#include <string>

#include "analysis/golden.h"
#include "gtest/gtest.h"

namespace benchfleet::models {
namespace {

constexpr char kGoldens[] = "agent/models/testdata";

v1::InputShape Shape(int c, int h, int w) {
  v1::InputShape shape;
  shape.set_channels(c);
  shape.set_height(h);
  shape.set_width(w);
  return shape;
}

v1::LayerCost Entry(const std::string& name, const std::string& kind,
                    double forward, double backward, int64_t params,
                    int64_t bytes, int64_t calls) {
  v1::LayerCost entry;
  entry.set_name(name);
  entry.set_kind(kind);
  entry.set_forward_flops(forward);
  entry.set_backward_flops(backward);
  entry.set_params(params);
  entry.set_activation_bytes(bytes);
  entry.set_calls(calls);
  return entry;
}

// ResNet-50's figures at 224x224 (cost_model_test.cc), breakdowns left out.
v1::ModelCost ResNet50() {
  v1::ModelCost cost;
  cost.set_name("resnet50");
  *cost.mutable_input() = Shape(3, 224, 224);
  cost.set_batch(1);
  v1::CostFigures& inf = *cost.mutable_inference();
  inf.set_forward_flops(8217632232.0);
  inf.set_params(25557032);
  inf.set_param_bytes(4 * 25557032);
  inf.set_activation_bytes(150239136);
  inf.set_traffic_bytes(403308512);
  inf.set_footprint_bytes(403308512);
  inf.set_intensity(8217632232.0 / 403308512);
  v1::CostFigures& train = *cost.mutable_training();
  train = inf;
  train.set_forward_flops(8250974184.0);
  train.set_backward_flops(16193314792.0);
  return cost;
}

// A small user model with an operator the rules do not know, and a
// breakdown: conv -> erf -> linear.
v1::ModelCost UserModel() {
  v1::ModelCost cost;
  cost.set_name("models/erf_net.pt");
  *cost.mutable_input() = Shape(3, 8, 8);
  cost.set_batch(4);
  cost.set_model_digest(
      "b981d69662221fd23213ba3cfa7bdb2683329a6a010ceac5b7012df7f7ba6d23");
  for (bool training : {false, true}) {
    v1::CostFigures& c =
        training ? *cost.mutable_training() : *cost.mutable_inference();
    const double back = training ? 1 : 0;
    c.set_forward_flops(112640 + 41000);
    c.set_backward_flops(back * (110592 + 2048 + 81920 + 40));
    c.set_params(224 + 5130);
    c.set_param_bytes(4 * (224 + 5130));
    c.set_activation_bytes(4 * (2048 + 2048 + 40));
    c.set_traffic_bytes(4 * (224 + 5130) + 4 * 768 + 8 * (2048 + 2048 + 40));
    c.set_footprint_bytes(c.traffic_bytes());
    c.set_intensity(c.forward_flops() / c.traffic_bytes());
    *c.add_by_kind() = Entry("convolution", "convolution", 112640,
                             back * (110592 + 2048), 224, 4 * 2048, 1);
    *c.add_by_kind() =
        Entry("linear", "linear", 41000, back * (81920 + 40), 5130, 160, 1);
    *c.add_by_kind() = Entry("other", "other", 0, 0, 0, 4 * 2048, 1);
    *c.add_by_module() = Entry("conv", "convolution", 112640,
                               back * (110592 + 2048), 224, 4 * 2048, 1);
    *c.add_by_module() = Entry("(root)", "other", 0, 0, 0, 4 * 2048, 1);
    *c.add_by_module() =
        Entry("fc", "linear", 41000, back * (81920 + 40), 5130, 160, 1);
    c.add_unknown_ops("aten::erf");
  }
  return cost;
}

TEST(CostReportTest, ModelsTableMatchesGolden) {
  v1::ModelCostList list;
  *list.add_models() = ResNet50();
  *list.add_models() = UserModel();
  ClearBreakdowns(*list.mutable_models(1));
  EXPECT_TRUE(analysis::MatchesGoldenIn(kGoldens, "models_table.golden.txt",
                                        RenderModelCostTable(list)));
}

TEST(CostReportTest, TrainingBreakdownMatchesGolden) {
  EXPECT_TRUE(analysis::MatchesGoldenIn(
      kGoldens, "model_breakdown.golden.txt",
      RenderCostBreakdown(UserModel(), v1::MODE_TRAINING)));
}

TEST(CostReportTest, InferenceBreakdownHasNoBackward) {
  const std::string text = RenderCostBreakdown(UserModel(), v1::MODE_INFERENCE);
  EXPECT_NE(text.find("inference: forward 0.0001536 GFLOPs, backward 0.000"),
            std::string::npos)
      << text;
}

TEST(CostReportTest, ClearBreakdownsKeepsTotalsAndUnknownOps) {
  v1::ModelCost cost = UserModel();
  ClearBreakdowns(cost);
  EXPECT_EQ(cost.inference().by_kind_size(), 0);
  EXPECT_EQ(cost.training().by_module_size(), 0);
  EXPECT_EQ(cost.training().unknown_ops_size(), 1);
  EXPECT_EQ(cost.inference().params(), 5354);
}

TEST(CostReportTest, JsonUsesTheProtobufMapping) {
  v1::ModelCostList list;
  *list.add_models() = ResNet50();
  const std::string json = RenderCostJson(list);
  EXPECT_NE(json.find("\"name\": \"resnet50\""), std::string::npos) << json;
  EXPECT_NE(json.find("\"forwardFlops\": 8217632232"), std::string::npos)
      << json;
  EXPECT_NE(json.find("\"footprintBytes\": \"403308512\""), std::string::npos)
      << json;  // int64 is a JSON string in the mapping
  EXPECT_EQ(json.back(), '\n');
}

}  // namespace
}  // namespace benchfleet::models
