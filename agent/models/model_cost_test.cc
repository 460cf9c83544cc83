#include "agent/models/model_cost.h"

#include <string>

#include "agent/models/cost_model.h"
#include "agent/models/zoo.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "spec/model_catalog.h"

namespace benchfleet::models {
namespace {

using ::google::protobuf::util::MessageDifferencer;
using ::testing::HasSubstr;

constexpr char kTinyCnn[] = "agent/models/testdata/tiny_cnn.pt";

v1::InputShape Shape(int c, int h, int w) {
  v1::InputShape shape;
  shape.set_channels(c);
  shape.set_height(h);
  shape.set_width(w);
  return shape;
}

// The fast path against a real build and a real forward, for every zoo
// model, field for field. 96x96 keeps the real forwards cheap and fits every
// model (Inception v3 needs 75x75); at the default inputs the two were also
// compared once for all 30 models (equal).
TEST(ModelCostTest, EqualsRealForwardForEveryZooModel) {
  for (const spec::CatalogEntry& entry : spec::Catalog()) {
    SCOPED_TRACE(entry.name);
    absl::StatusOr<ZooModel> model = BuildModel(entry.name);
    ASSERT_TRUE(model.ok()) << model.status();
    auto real =
        ComputeModelCost(entry.name, model->module, Shape(3, 96, 96), 2);
    auto fast = ComputeModelCostByName(entry.name, Shape(3, 96, 96), 2);
    ASSERT_TRUE(real.ok()) << real.status();
    ASSERT_TRUE(fast.ok()) << fast.status();
    std::string diff;
    MessageDifferencer differencer;
    differencer.ReportDifferencesToString(&diff);
    EXPECT_TRUE(differencer.Compare(*real, *fast)) << diff.substr(0, 2000);
    EXPECT_TRUE(fast->inference().unknown_ops().empty());
    EXPECT_EQ(fast->model_digest(), "");
  }
}

// GoogLeNet and Inception v3 as deployed count no auxiliary weights; built
// with them (aux_logits), they count in params and bytes in both modes, and
// inference, which runs the main path only, reads nothing else more.
TEST(ModelCostTest, AuxiliaryWeightsCountOnlyWhenBuilt) {
  struct Expected {
    const char* name;
    int side;
    int64_t deployed, with_aux;  // torchvision 0.14's parameter counts
  };
  for (const Expected& e : {Expected{"googlenet", 224, 6624904, 13004888},
                            Expected{"inception_v3", 299, 23834568, 27161264}}) {
    SCOPED_TRACE(e.name);
    auto deployed = ComputeModelCostByName(e.name, Shape(3, e.side, e.side), 1);
    auto with_aux = ComputeModelCostByName(e.name, Shape(3, e.side, e.side), 1,
                                           /*aux_logits=*/true);
    ASSERT_TRUE(deployed.ok()) << deployed.status();
    ASSERT_TRUE(with_aux.ok()) << with_aux.status();
    EXPECT_EQ(deployed->inference().params(), e.deployed);
    EXPECT_EQ(deployed->training().params(), e.deployed);
    EXPECT_EQ(with_aux->inference().params(), e.with_aux);
    EXPECT_EQ(with_aux->training().params(), e.with_aux);
    const int64_t aux_bytes = 4 * (e.with_aux - e.deployed);
    EXPECT_EQ(with_aux->inference().param_bytes() -
                  deployed->inference().param_bytes(),
              aux_bytes);
    EXPECT_EQ(with_aux->inference().traffic_bytes() -
                  deployed->inference().traffic_bytes(),
              aux_bytes);
    EXPECT_DOUBLE_EQ(with_aux->inference().forward_flops(),
                     deployed->inference().forward_flops());
  }
  EXPECT_EQ(ComputeModelCostByName("resnet18", Shape(3, 64, 64), 1, true)
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(ModelCostTest, SkeletonHasTheModelsParameters) {
  absl::StatusOr<ZooModel> real = BuildModel("mobilenet_v3_small");
  absl::StatusOr<ZooModel> skeleton = BuildModelSkeleton("mobilenet_v3_small");
  ASSERT_TRUE(real.ok()) << real.status();
  ASSERT_TRUE(skeleton.ok()) << skeleton.status();
  const auto a = real->module.ptr()->named_parameters();
  const auto b = skeleton->module.ptr()->named_parameters();
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].key(), b[i].key());
    EXPECT_EQ(a[i].value().sizes(), b[i].value().sizes());
    EXPECT_EQ(a[i].value().requires_grad(), b[i].value().requires_grad());
  }
  EXPECT_EQ(BuildModelSkeleton("resnet5").status().code(),
            absl::StatusCode::kNotFound);
}

// Building a skeleton must leave this thread's operators on the CPU kernels
// (a leaked meta dispatch key once turned later arithmetic into no-ops).
TEST(ModelCostTest, SkeletonLeavesLaterArithmeticAlone) {
  ASSERT_TRUE(BuildModelSkeleton("googlenet").ok());
  torch::Tensor t = torch::ones({3});
  t.mul_(2.0);
  EXPECT_TRUE(torch::equal(t, torch::full({3}, 2.0)));
  absl::StatusOr<ZooModel> real = BuildModel("squeezenet1_1");
  ASSERT_TRUE(real.ok()) << real.status();
  auto cost = ComputeCost("squeezenet1_1", real->module, Shape(3, 64, 64), 1,
                          v1::MODE_INFERENCE);
  EXPECT_TRUE(cost.ok()) << cost.status();
}

TEST(ModelCostTest, TorchScriptFileCarriesItsDigest) {
  auto cost = ComputeModelCostByName(kTinyCnn, Shape(3, 8, 8), 1);
  ASSERT_TRUE(cost.ok()) << cost.status();
  EXPECT_DOUBLE_EQ(cost->inference().forward_flops(), 16586);  // see
  EXPECT_EQ(cost->inference().params(), 314);  // model_loader_test
  EXPECT_EQ(cost->model_digest().size(), 64u);
  EXPECT_EQ(cost->name(), kTinyCnn);
}

TEST(ModelCostTest, WrongInputIsAnErrorNotAFigure) {
  // Shape-only must reject what a real forward rejects.
  auto cost = ComputeModelCostByName("resnet18", Shape(4, 64, 64), 1);
  EXPECT_EQ(cost.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(cost.status().message()), HasSubstr("\"resnet18\""));
  EXPECT_THAT(std::string(cost.status().message()), HasSubstr("4x64x64"));

  cost = ComputeModelCostByName("alexnet", Shape(3, 8, 8), 1);  // too small
  EXPECT_EQ(cost.status().code(), absl::StatusCode::kInvalidArgument);

  cost = ComputeModelCostByName(kTinyCnn, Shape(1, 8, 8), 1);
  EXPECT_EQ(cost.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(cost.status().message()), HasSubstr(kTinyCnn));
}

TEST(ModelCostTest, UnknownModelAndMissingFileAreNotFound) {
  EXPECT_EQ(
      ComputeModelCostByName("resnet5", Shape(3, 8, 8), 1).status().code(),
      absl::StatusCode::kNotFound);
  auto missing = ComputeModelCostByName("agent/models/testdata/none.pt",
                                        Shape(3, 8, 8), 1);
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(std::string(missing.status().message()), HasSubstr("none.pt"));
}

}  // namespace
}  // namespace benchfleet::models
