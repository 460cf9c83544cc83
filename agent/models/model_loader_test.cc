#include "agent/models/model_loader.h"

#include <string>
#include <vector>

#include "agent/models/cost_model.h"
#include "agent/models/zoo.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace benchfleet::models {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

// torch.jit.script(Sequential(Conv2d(3, 8, 3), ReLU(), AdaptiveAvgPool2d(1),
// Flatten(), Linear(8, 10))); see testdata/README.md.
constexpr char kTinyCnn[] = "agent/models/testdata/tiny_cnn.pt";
constexpr char kTinyCnnDigest[] =
    "b981d69662221fd23213ba3cfa7bdb2683329a6a010ceac5b7012df7f7ba6d23";
constexpr char kTruncated[] = "agent/models/testdata/truncated_cnn.pt";
constexpr char kMissing[] = "agent/models/testdata/no_such_model.pt";

v1::InputShape Shape(int c, int h, int w) {
  v1::InputShape shape;
  shape.set_channels(c);
  shape.set_height(h);
  shape.set_width(w);
  return shape;
}

const v1::LayerCost* FindModule(const v1::CostFigures& cost,
                                const std::string& name,
                                const std::string& kind) {
  for (const auto& entry : cost.by_module()) {
    if (entry.name() == name && entry.kind() == kind) return &entry;
  }
  return nullptr;
}

TEST(ModelLoaderTest, LoadsAndRunsForward) {
  absl::StatusOr<ScriptModel> model = LoadScriptModel(kTinyCnn);
  ASSERT_TRUE(model.ok()) << model.status();
  EXPECT_EQ((*model)->path(), kTinyCnn);
  EXPECT_EQ((*model)->digest(), kTinyCnnDigest);
  const torch::Tensor y = (*model)->forward(torch::zeros({2, 3, 8, 8}));
  EXPECT_EQ(y.sizes(), (std::vector<int64_t>{2, 10}));
}

TEST(ModelLoaderTest, ParametersKeepTheirPythonPaths) {
  absl::StatusOr<ScriptModel> model = LoadScriptModel(kTinyCnn);
  ASSERT_TRUE(model.ok()) << model.status();
  std::vector<std::string> names;
  int64_t count = 0;
  for (const auto& p : (*model)->named_parameters()) {
    names.push_back(p.key());
    count += p.value().numel();
  }
  EXPECT_THAT(names, ElementsAre("0.weight", "0.bias", "4.weight", "4.bias"));
  EXPECT_EQ(count, 8 * 3 * 3 * 3 + 8 + 10 * 8 + 10);  // 314
}

TEST(ModelLoaderTest, OptimizerOverParametersTrainsTheScriptModule) {
  absl::StatusOr<ScriptModel> model = LoadScriptModel(kTinyCnn);
  ASSERT_TRUE(model.ok()) << model.status();
  ScriptModel net = *model;
  net->train();
  torch::manual_seed(0);
  const torch::Tensor x = torch::randn({4, 3, 8, 8});
  const torch::Tensor before = net->forward(x).detach().clone();
  torch::optim::SGD sgd(net->parameters(), torch::optim::SGDOptions(0.1));
  sgd.zero_grad();
  net->forward(x).pow(2).sum().backward();
  sgd.step();
  EXPECT_FALSE(torch::allclose(net->forward(x), before));
}

TEST(ModelLoaderTest, TrainAndEvalReachEveryMirror) {
  absl::StatusOr<ScriptModel> model = LoadScriptModel(kTinyCnn);
  ASSERT_TRUE(model.ok()) << model.status();
  (*model)->eval();
  for (const auto& m : (*model)->modules()) EXPECT_FALSE(m->is_training());
  (*model)->train();
  for (const auto& m : (*model)->modules()) EXPECT_TRUE(m->is_training());
}

TEST(ModelLoaderTest, BuildModelLoadsPathsWithTheirDigest) {
  absl::StatusOr<ZooModel> model = BuildModel(kTinyCnn);
  ASSERT_TRUE(model.ok()) << model.status();
  EXPECT_EQ(model->name, kTinyCnn);
  EXPECT_EQ(model->digest, kTinyCnnDigest);
  EXPECT_EQ(model->module.forward(torch::zeros({1, 3, 16, 16})).size(1), 10);

  absl::StatusOr<ZooModel> zoo = BuildModel("squeezenet1_1");
  ASSERT_TRUE(zoo.ok()) << zoo.status();
  EXPECT_EQ(zoo->digest, "");
}

// Hand count on one 3x8x8 item (FP32), the rules of cost_model.h:
//   0 conv 3->8, 3x3, no pad: out 8x6x6 = 288 elements, 27 MACs each
//          -> 2 * 288 * 27 = 15552, + 288 bias = 15840; params 224.
//   1 relu: 288.  2 adaptive avg pool: 1 per input element = 288.
//   3 flatten: a view.  4 linear 8->10: 2 * 10 * 8 = 160 + 10 = 170;
//          params 90.
//   forward 16586 FLOPs, params 314; activations (288 + 288 + 8 + 10) * 4
//   = 2376 bytes.
// Training backward: conv weight 15552 + bias 288 (no data gradient);
// relu 288; pool 288; linear data 160 + weight 160 + bias 10 = 16746.
TEST(ModelLoaderTest, CostMatchesHandCount) {
  absl::StatusOr<ZooModel> model = BuildModel(kTinyCnn);
  ASSERT_TRUE(model.ok()) << model.status();
  absl::StatusOr<v1::ModelCost> cost =
      ComputeModelCost(kTinyCnn, model->module, Shape(3, 8, 8), 1);
  ASSERT_TRUE(cost.ok()) << cost.status();
  const v1::CostFigures& inference = cost->inference();
  EXPECT_DOUBLE_EQ(inference.forward_flops(), 16586);
  EXPECT_EQ(inference.params(), 314);
  EXPECT_EQ(inference.activation_bytes(), 2376);
  EXPECT_TRUE(inference.unknown_ops().empty()) << inference.unknown_ops(0);
  EXPECT_DOUBLE_EQ(cost->training().forward_flops(), 16586);  // no BN
  EXPECT_DOUBLE_EQ(cost->training().backward_flops(), 16746);

  // Attribution by the script module's parameter paths.
  const v1::LayerCost* conv = FindModule(inference, "0", "convolution");
  ASSERT_NE(conv, nullptr);
  EXPECT_DOUBLE_EQ(conv->forward_flops(), 15840);
  EXPECT_EQ(conv->params(), 224);
  const v1::LayerCost* fc = FindModule(inference, "4", "linear");
  ASSERT_NE(fc, nullptr);
  EXPECT_DOUBLE_EQ(fc->forward_flops(), 170);
  EXPECT_EQ(fc->params(), 90);
  // The relu and the pool run between "0" and "4": the root's.
  ASSERT_NE(FindModule(inference, "(root)", "activation"), nullptr);
  ASSERT_NE(FindModule(inference, "(root)", "pooling"), nullptr);
  EXPECT_EQ(inference.by_module_size(), 4);
}

TEST(ModelLoaderTest, ShapeOnlyCostMatchesRealForward) {
  absl::StatusOr<ZooModel> model = BuildModel(kTinyCnn);
  ASSERT_TRUE(model.ok()) << model.status();
  absl::StatusOr<v1::ModelCost> real =
      ComputeModelCost(kTinyCnn, model->module, Shape(3, 20, 16), 2);
  CostOptions options;
  options.shape_only = true;
  absl::StatusOr<v1::ModelCost> meta =
      ComputeModelCost(kTinyCnn, model->module, Shape(3, 20, 16), 2, options);
  ASSERT_TRUE(real.ok()) << real.status();
  ASSERT_TRUE(meta.ok()) << meta.status();
  EXPECT_EQ(real->SerializeAsString(), meta->SerializeAsString());
}

TEST(ModelLoaderTest, WrongInputShapeNamesTheFile) {
  absl::StatusOr<ZooModel> model = BuildModel(kTinyCnn);
  ASSERT_TRUE(model.ok()) << model.status();
  absl::StatusOr<v1::CostFigures> cost = ComputeCost(
      kTinyCnn, model->module, Shape(4, 8, 8), 1, v1::MODE_INFERENCE);
  EXPECT_EQ(cost.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(cost.status().message()), HasSubstr(kTinyCnn));
  EXPECT_THAT(std::string(cost.status().message()), HasSubstr("4x8x8"));
  // The cause, not the interpreter's two tracebacks.
  EXPECT_THAT(std::string(cost.status().message()),
              HasSubstr("to have 3 channels, but got 4 channels"));
  EXPECT_THAT(std::string(cost.status().message()),
              Not(HasSubstr("Traceback")));
}

TEST(ModelLoaderTest, BrokenFileIsInvalidArgumentNamingIt) {
  absl::StatusOr<ScriptModel> model = LoadScriptModel(kTruncated);
  EXPECT_EQ(model.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(model.status().message()),
              HasSubstr(std::string("\"") + kTruncated + "\""));
  EXPECT_THAT(std::string(model.status().message()), HasSubstr("TorchScript"));
}

TEST(ModelLoaderTest, MissingFileIsNotFoundNamingIt) {
  absl::StatusOr<ZooModel> model = BuildModel(kMissing);
  EXPECT_EQ(model.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(std::string(model.status().message()), HasSubstr(kMissing));
}

}  // namespace
}  // namespace benchfleet::models
