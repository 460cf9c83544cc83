#include "agent/models/zoo.h"

#include "agent/models/catalog.h"
#include "gtest/gtest.h"

namespace benchfleet::models {
namespace {

int64_t ParameterCount(const torch::nn::AnyModule& module) {
  int64_t n = 0;
  for (const auto& p : module.ptr()->parameters()) n += p.numel();
  return n;
}

// Expected counts: sum(p.numel() for p in torchvision.models.NAME().parameters())
// with torchvision 0.14 (Debian's python3-torchvision, PyTorch 1.13).
TEST(ZooTest, ParameterCountsMatchTorchvision) {
  const std::map<std::string, int64_t> expected = {
      {"resnet18", 11689512},         {"resnet34", 21797672},
      {"resnet50", 25557032},         {"resnet101", 44549160},
      {"resnet152", 60192808},        {"wide_resnet50_2", 68883240},
      {"wide_resnet101_2", 126886696},
  };
  for (const auto& [name, count] : expected) {
    auto model = BuildModel(name);
    ASSERT_TRUE(model.ok()) << model.status();
    EXPECT_EQ(ParameterCount(model->module), count) << name;
  }
}

TEST(ZooTest, EveryCatalogEntryBuilds) {
  for (const auto& entry : Catalog()) {
    EXPECT_TRUE(BuildModel(entry.name).ok()) << entry.name;
  }
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
