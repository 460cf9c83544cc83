#include "agent/models/zoo.h"

#include <map>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "spec/model_catalog.h"

namespace benchfleet::models {
namespace {

struct Shape {
  int64_t parameters;         // scalars in all parameters
  int64_t parameter_tensors;  // len(list(model.parameters()))
  int64_t buffer_tensors;     // len(list(model.buffers()))
};

Shape ShapeOf(const torch::nn::AnyModule& module) {
  Shape shape{0, 0, 0};
  for (const auto& p : module.ptr()->parameters()) {
    shape.parameters += p.numel();
    ++shape.parameter_tensors;
  }
  shape.buffer_tensors = static_cast<int64_t>(module.ptr()->buffers().size());
  return shape;
}

// Expected values: sum(p.numel() for p in m.parameters()),
// len(list(m.parameters())) and len(list(m.buffers())) for
// m = torchvision.models.NAME() with torchvision 0.14 (Debian's
// python3-torchvision, PyTorch 1.13), except that GoogLeNet and Inception v3
// are built as inference runs them, NAME(aux_logits=False): no auxiliary
// heads. For GoogLeNet that is exactly its pretrained weights=DEFAULT model
// (num_params 6,624,904); torchvision's pretrained Inception v3 keeps its
// unused AuxLogits head (num_params 27,161,264), which eval never runs.
const std::map<std::string, Shape>& TorchvisionShapes() {
  static const auto* shapes = new std::map<std::string, Shape>{
      {"alexnet", {61100840, 16, 0}},
      {"efficientnet_b0", {5288548, 213, 147}},
      {"efficientnet_b1", {7794184, 301, 207}},
      {"efficientnet_b2", {9109994, 301, 207}},
      {"efficientnet_b3", {12233232, 340, 234}},
      {"efficientnet_b4", {19341616, 418, 288}},
      {"efficientnet_b5", {30389784, 506, 348}},
      {"efficientnet_b6", {43040704, 584, 402}},
      {"efficientnet_b7", {66347960, 711, 489}},
      {"googlenet", {6624904, 173, 171}},
      {"inception_v3", {23834568, 284, 282}},
      {"mobilenet_v3_large", {5483032, 174, 138}},
      {"mobilenet_v3_small", {2542856, 142, 102}},
      {"resnet18", {11689512, 62, 60}},
      {"resnet34", {21797672, 110, 108}},
      {"resnet50", {25557032, 161, 159}},
      {"resnet101", {44549160, 314, 312}},
      {"resnet152", {60192808, 467, 465}},
      {"shufflenet_v2_x0_5", {1366792, 170, 168}},
      {"shufflenet_v2_x1_0", {2278604, 170, 168}},
      {"shufflenet_v2_x1_5", {3503624, 170, 168}},
      {"shufflenet_v2_x2_0", {7393996, 170, 168}},
      {"squeezenet1_0", {1248424, 52, 0}},
      {"squeezenet1_1", {1235496, 52, 0}},
      {"vgg11", {132863336, 22, 0}},
      {"vgg13", {133047848, 26, 0}},
      {"vgg16", {138357544, 32, 0}},
      {"vgg19", {143667240, 38, 0}},
      {"wide_resnet50_2", {68883240, 161, 159}},
      {"wide_resnet101_2", {126886696, 314, 312}},
  };
  return *shapes;
}

// A few fully qualified names per family, taken from torchvision's
// named_parameters() / named_buffers(), so a renamed submodule fails loudly
// (state dicts exported from Python rely on these names).
const std::multimap<std::string, std::string>& TorchvisionNames() {
  static const auto* names = new std::multimap<std::string, std::string>{
      {"alexnet", "classifier.6.weight"},
      {"vgg16", "features.28.weight"},
      {"squeezenet1_0", "features.12.expand3x3.weight"},
      {"squeezenet1_1", "classifier.1.bias"},
      {"mobilenet_v3_large", "features.4.block.2.fc1.weight"},
      {"mobilenet_v3_small", "classifier.3.weight"},
      {"efficientnet_b0", "features.1.0.block.1.fc2.bias"},
      {"efficientnet_b7", "features.8.1.running_var"},
      {"googlenet", "inception3a.branch4.1.conv.weight"},
      {"shufflenet_v2_x1_0", "stage2.0.branch1.0.weight"},
      {"shufflenet_v2_x1_0", "conv5.1.running_mean"},
      {"inception_v3", "Mixed_7c.branch3x3dbl_3b.conv.weight"},
  };
  return *names;
}

// Builds every catalog entry once (construction dominates this test's time)
// and checks it against torchvision: parameter and buffer counts, and the
// sample names above.
TEST(ZooTest, EveryCatalogEntryBuildsAndMatchesTorchvision) {
  for (const auto& entry : spec::Catalog()) {
    auto model = BuildModel(entry.name);
    ASSERT_TRUE(model.ok()) << model.status();
    auto expected = TorchvisionShapes().find(entry.name);
    ASSERT_NE(expected, TorchvisionShapes().end())
        << entry.name << " has no parameter-count expectation";
    const Shape actual = ShapeOf(model->module);
    EXPECT_EQ(actual.parameters, expected->second.parameters) << entry.name;
    EXPECT_EQ(actual.parameter_tensors, expected->second.parameter_tensors)
        << entry.name;
    EXPECT_EQ(actual.buffer_tensors, expected->second.buffer_tensors)
        << entry.name;
    const auto& module = *model->module.ptr();
    auto [begin, end] = TorchvisionNames().equal_range(entry.name);
    for (auto it = begin; it != end; ++it) {
      EXPECT_TRUE(module.named_parameters().contains(it->second) ||
                  module.named_buffers().contains(it->second))
          << entry.name << " has no " << it->second;
    }
  }
}

// BuildOptions::aux_logits: torchvision.models.NAME() with no weights, which
// builds the auxiliary heads for training from scratch.
TEST(ZooTest, AuxLogitsBuildTorchvisionsAuxiliaryHeads) {
  const std::map<std::string, std::pair<Shape, std::string>> with_aux = {
      {"googlenet", {{13004888, 187, 177}, "aux1.fc1.weight"}},
      {"inception_v3",
       {{27161264, 292, 288}, "AuxLogits.conv1.bn.running_var"}},
  };
  for (const auto& entry : spec::Catalog()) {
    auto it = with_aux.find(entry.name);
    EXPECT_EQ(entry.has_aux_logits, it != with_aux.end()) << entry.name;
    if (it == with_aux.end()) continue;
    const auto& [expected, aux_tensor] = it->second;
    auto model = BuildModel(entry.name, {/*aux_logits=*/true});
    ASSERT_TRUE(model.ok()) << model.status();
    const Shape actual = ShapeOf(model->module);
    EXPECT_EQ(actual.parameters, expected.parameters) << entry.name;
    EXPECT_EQ(actual.parameter_tensors, expected.parameter_tensors)
        << entry.name;
    EXPECT_EQ(actual.buffer_tensors, expected.buffer_tensors) << entry.name;
    const auto& module = *model->module.ptr();
    EXPECT_TRUE(module.named_parameters().contains(aux_tensor) ||
                module.named_buffers().contains(aux_tensor))
        << entry.name << " has no " << aux_tensor;
    auto deployed = BuildModel(entry.name);
    ASSERT_TRUE(deployed.ok()) << deployed.status();
    EXPECT_FALSE(
        deployed->module.ptr()->named_parameters().contains(aux_tensor) ||
        deployed->module.ptr()->named_buffers().contains(aux_tensor))
        << entry.name << " as deployed has " << aux_tensor;
  }
}

TEST(ZooTest, AuxLogitsOnAModelWithoutThemIsRefusedNamingTheField) {
  auto model = BuildModel("resnet50", {/*aux_logits=*/true});
  EXPECT_EQ(model.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(
      model.status().message(),
      "aux_logits = true: model \"resnet50\" has no auxiliary classifiers "
      "(only googlenet, inception_v3 have)");
  EXPECT_EQ(BuildModelSkeleton("resnet50", {true}).status().code(),
            absl::StatusCode::kInvalidArgument);
  // A TorchScript file is refused before it is read.
  EXPECT_EQ(BuildModel("no/such/model.pt", {true}).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(spec::CheckAuxLogits("resnet50", false).ok());
  EXPECT_TRUE(spec::CheckAuxLogits("googlenet", true).ok());
}

TEST(ZooTest, ExpectationsNameOnlyCatalogModels) {
  for (const auto& [name, shape] : TorchvisionShapes())
    EXPECT_NE(spec::FindModel(name), nullptr) << name;
  for (const auto& [name, tensor] : TorchvisionNames())
    EXPECT_NE(spec::FindModel(name), nullptr) << name;
}

TEST(ZooTest, ForwardGivesOneLogitRowPerItem) {
  auto model = BuildModel("resnet18");
  ASSERT_TRUE(model.ok());
  model->module.ptr()->eval();
  torch::NoGradGuard no_grad;
  auto out = model->module.forward(torch::randn({2, 3, 64, 64}));
  EXPECT_EQ(out.sizes(), (std::vector<int64_t>{2, 1000}));
}

TEST(ZooTest, UnknownModelNamesItAndListsKnown) {
  auto model = BuildModel("resnet5");
  EXPECT_EQ(model.status().code(), absl::StatusCode::kNotFound);
  EXPECT_NE(model.status().message().find("\"resnet5\""), std::string::npos);
  EXPECT_NE(model.status().message().find("resnet50"), std::string::npos);
}

}  // namespace
}  // namespace benchfleet::models
