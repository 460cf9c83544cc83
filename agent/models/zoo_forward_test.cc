// Runs every zoo model: inference at its catalog default input, a training
// step for a few small ones, and the family-specific behaviour that parameter
// counts cannot show (auxiliary heads, constructor checks).
#include <string>
#include <utility>
#include <vector>

#include "agent/models/efficientnet.h"
#include "agent/models/googlenet.h"
#include "agent/models/inception_v3.h"
#include "agent/models/shufflenet_v2.h"
#include "agent/models/squeezenet.h"
#include "agent/models/vgg.h"
#include "agent/models/zoo.h"
#include "gtest/gtest.h"
#include "spec/model_catalog.h"

namespace benchfleet::models {
namespace {

torch::Tensor DefaultInput(const spec::CatalogEntry& entry, int64_t batch) {
  const v1::InputShape& s = entry.default_input;
  return torch::randn({batch, s.channels(), s.height(), s.width()});
}

// Batch 1 at the designed input size (EfficientNet-B7 at 600x600 included),
// under InferenceMode as the runner's inference loop; about 25 s for the
// whole zoo on 2 cores, construction included.
TEST(ZooForwardTest, EveryModelGivesLogitsAtItsDefaultInput) {
  torch::manual_seed(0);
  for (const auto& entry : spec::Catalog()) {
    auto model = BuildModel(entry.name);
    ASSERT_TRUE(model.ok()) << model.status();
    model->module.ptr()->eval();
    c10::InferenceMode inference_mode;
    const torch::Tensor out = model->module.forward(DefaultInput(entry, 1));
    EXPECT_EQ(out.sizes(), (std::vector<int64_t>{1, 1000})) << entry.name;
    EXPECT_TRUE(out.isfinite().all().item<bool>()) << entry.name;
  }
}

// One optimizer-free training step (forward, cross-entropy, backward) at batch
// 2, as the runner's training mode does; checks every parameter outside the
// auxiliary heads receives a finite gradient. GoogLeNet is built both ways.
TEST(ZooForwardTest, TrainingStepGivesGradients) {
  torch::manual_seed(0);
  const std::vector<std::pair<std::string, bool>> names = {
      {"squeezenet1_1", false},      {"mobilenet_v3_small", false},
      {"shufflenet_v2_x0_5", false}, {"efficientnet_b0", false},
      {"googlenet", false},          {"googlenet", true}};
  for (const auto& [name, aux_logits] : names) {
    auto model = BuildModel(name, {aux_logits});
    ASSERT_TRUE(model.ok()) << model.status();
    auto& module = *model->module.ptr();
    module.train();
    const torch::Tensor out =
        model->module.forward(DefaultInput(*spec::FindModel(name), 2));
    ASSERT_EQ(out.sizes(), (std::vector<int64_t>{2, 1000})) << name;
    const torch::Tensor loss = torch::nn::functional::cross_entropy(
        out, torch::randint(0, 1000, {2}, torch::kLong));
    ASSERT_TRUE(loss.isfinite().item<bool>()) << name;
    loss.backward();
    for (const auto& p : module.named_parameters()) {
      // GoogLeNet's auxiliary heads run but their logits are not returned,
      // so no gradient reaches them (see GoogLeNetImpl::forward).
      if (p.key().rfind("aux", 0) == 0) {
        EXPECT_FALSE(p.value().grad().defined()) << name << " " << p.key();
        continue;
      }
      ASSERT_TRUE(p.value().grad().defined()) << name << " " << p.key();
      EXPECT_TRUE(p.value().grad().isfinite().all().item<bool>())
          << name << " " << p.key();
    }
  }
}

TEST(ZooForwardTest, GoogLeNetAuxiliaryHeadsRunOnlyInTraining) {
  GoogLeNetConfig config;
  config.aux_logits = true;
  GoogLeNet model(config);
  const torch::Tensor x = torch::randn({2, 3, 224, 224});
  model->train();
  GoogLeNetOutputs train = model->ForwardWithAux(x);
  EXPECT_EQ(train.logits.sizes(), (std::vector<int64_t>{2, 1000}));
  ASSERT_TRUE(train.aux_logits1.defined());
  ASSERT_TRUE(train.aux_logits2.defined());
  EXPECT_EQ(train.aux_logits1.sizes(), (std::vector<int64_t>{2, 1000}));
  EXPECT_EQ(train.aux_logits2.sizes(), (std::vector<int64_t>{2, 1000}));

  model->eval();
  torch::NoGradGuard no_grad;
  GoogLeNetOutputs eval = model->ForwardWithAux(x);
  EXPECT_FALSE(eval.aux_logits1.defined());
  EXPECT_FALSE(eval.aux_logits2.defined());
  EXPECT_TRUE(torch::equal(eval.logits, model->forward(x)));
}

// As deployed (the default), training mode has no auxiliary outputs.
TEST(ZooForwardTest, DeployedGoogLeNetAndInceptionV3HaveNoAuxiliaryHeads) {
  GoogLeNet googlenet;
  googlenet->train();
  EXPECT_FALSE(googlenet->ForwardWithAux(torch::randn({2, 3, 96, 96}))
                   .aux_logits1.defined());
  InceptionV3 inception;
  inception->train();
  EXPECT_FALSE(inception->ForwardWithAux(torch::randn({2, 3, 75, 75}))
                   .aux_logits.defined());
}

TEST(ZooForwardTest, InceptionV3AuxiliaryHeadRunsOnlyInTraining) {
  InceptionV3Config config;
  config.aux_logits = true;
  InceptionV3 model(config);
  const torch::Tensor x = torch::randn({2, 3, 299, 299});
  model->train();
  InceptionV3Outputs train = model->ForwardWithAux(x);
  EXPECT_EQ(train.logits.sizes(), (std::vector<int64_t>{2, 1000}));
  ASSERT_TRUE(train.aux_logits.defined());
  EXPECT_EQ(train.aux_logits.sizes(), (std::vector<int64_t>{2, 1000}));

  model->eval();
  torch::NoGradGuard no_grad;
  EXPECT_FALSE(model->ForwardWithAux(x).aux_logits.defined());
  // The smallest input torchvision documents for inference.
  EXPECT_EQ(model->forward(torch::randn({1, 3, 75, 75})).sizes(),
            (std::vector<int64_t>{1, 1000}));
}

TEST(ZooForwardTest, EfficientNetEvalIsDeterministic) {
  // Stochastic depth and dropout are the only random layers; eval disables
  // both, so two passes agree exactly.
  EfficientNet model(EfficientNetConfigForVariant(0));
  model->eval();
  torch::NoGradGuard no_grad;
  const torch::Tensor x = torch::randn({1, 3, 64, 64});
  EXPECT_TRUE(torch::equal(model->forward(x), model->forward(x)));
}

TEST(ZooForwardTest, ConstructorsRejectBadConfigs) {
  EXPECT_THROW(VggConfigForDepth(12), c10::Error);
  VggConfig vgg;
  vgg.convs_per_stage = {2, 2, 3};
  EXPECT_THROW(Vgg{vgg}, c10::Error);
  EXPECT_THROW(EfficientNetConfigForVariant(8), c10::Error);
  EfficientNetConfig efficientnet;
  efficientnet.width_mult = 0.0;
  EXPECT_THROW(EfficientNet{efficientnet}, c10::Error);
  EXPECT_THROW(ShuffleNetV2ConfigForWidth(7), c10::Error);
  ShuffleNetV2Config shufflenet;
  shufflenet.stages_repeats = {4, 8};
  EXPECT_THROW(ShuffleNetV2{shufflenet}, c10::Error);
  SqueezeNetConfig squeezenet;
  squeezenet.num_classes = 0;
  EXPECT_THROW(SqueezeNet{squeezenet}, c10::Error);
}

}  // namespace
}  // namespace benchfleet::models
