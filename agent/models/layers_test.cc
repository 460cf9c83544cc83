#include "agent/models/layers.h"

#include <vector>

#include "gtest/gtest.h"

namespace benchfleet::models {
namespace {

// Expected values: torchvision.models._utils._make_divisible(value, divisor)
// with torchvision 0.14.
TEST(MakeDivisibleTest, MatchesTorchvision) {
  EXPECT_EQ(MakeDivisible(32 * 1.1, 8), 32);
  EXPECT_EQ(MakeDivisible(16 * 1.1, 8), 16);
  EXPECT_EQ(MakeDivisible(40 * 1.4, 8), 56);
  EXPECT_EQ(MakeDivisible(320 * 1.8, 8), 576);
  EXPECT_EQ(MakeDivisible(24 * 1.6, 8), 40);
  EXPECT_EQ(MakeDivisible(4.0, 8), 8);    // never below the divisor
  EXPECT_EQ(MakeDivisible(60.0, 8), 64);  // halves round up
  EXPECT_EQ(MakeDivisible(100.0, 8), 104);
  EXPECT_EQ(MakeDivisible(11.0, 8), 16);  // 8 would lose more than 10%
  EXPECT_EQ(MakeDivisible(19.0, 4), 20);
  EXPECT_EQ(MakeDivisible(4.0, 8, /*min_value=*/16), 16);
}

TEST(ConvNormActivationTest, HasTorchvisionLayout) {
  SequentialBlock block =
      ConvNormActivation(8, 16, 3, 2, 1, Activation::kHardswish);
  ASSERT_EQ(block->size(), 3u);
  auto params = block->named_parameters();
  EXPECT_TRUE(params.contains("0.weight"));
  EXPECT_FALSE(params.contains("0.bias"));  // BN follows, so no conv bias
  EXPECT_TRUE(params.contains("1.weight"));
  const torch::Tensor out = block->forward(torch::randn({2, 8, 9, 9}));
  EXPECT_EQ(out.sizes(), (std::vector<int64_t>{2, 16, 5, 5}));

  EXPECT_EQ(ConvNormActivation(8, 16, 1, 1, 1, Activation::kNone)->size(), 2u);
}

TEST(SqueezeExcitationTest, ScalesChannelsByAGateInZeroOne) {
  SqueezeExcitation se(16, 4, Activation::kReLU, Activation::kSigmoid);
  const auto params = se->named_parameters();
  EXPECT_EQ(params.size(), 4u);  // fc1/fc2 weight and bias
  EXPECT_TRUE(params.contains("fc1.weight"));
  EXPECT_TRUE(params.contains("fc2.bias"));
  torch::NoGradGuard no_grad;
  const torch::Tensor x = torch::rand({2, 16, 5, 5}) + 1.0;  // positive
  const torch::Tensor y = se->forward(x);
  EXPECT_EQ(y.sizes(), x.sizes());
  const torch::Tensor ratio = y / x;
  EXPECT_TRUE((ratio >= 0).all().item<bool>());
  EXPECT_TRUE((ratio <= 1).all().item<bool>());
  // One gate per sample and channel, constant over space.
  EXPECT_TRUE(torch::allclose(ratio.amax({2, 3}), ratio.amin({2, 3})));
}

TEST(HardActivationTest, MatchTheirFormulas) {
  const torch::Tensor x = torch::linspace(-5, 5, 101);
  const torch::Tensor relu6 = torch::clamp(x + 3, 0, 6);
  EXPECT_TRUE(torch::allclose(Hardswish()->forward(x), x * relu6 / 6));
  EXPECT_TRUE(torch::allclose(Hardsigmoid()->forward(x), relu6 / 6));
  torch::Tensor y = x.clone();
  Hardswish(/*inplace=*/true)->forward(y);
  EXPECT_TRUE(torch::allclose(y, x * relu6 / 6));
}

TEST(SiLUTest, InPlaceAsTorchvisionAndOutOfPlaceAgree) {
  const torch::Tensor x = torch::linspace(-5, 5, 101);
  const torch::Tensor expected = x * torch::sigmoid(x);
  EXPECT_TRUE(torch::allclose(SiLU()->forward(x), expected));
  torch::Tensor y = x.clone();
  const torch::Tensor out = SiLU(/*inplace=*/true)->forward(y);
  EXPECT_TRUE(torch::allclose(y, expected));  // written in place
  EXPECT_TRUE(out.is_same(y));
}

TEST(StochasticDepthTest, IdentityInEvalAndRowwiseInTraining) {
  StochasticDepth sd(0.5);
  const torch::Tensor x = torch::ones({64, 3, 2, 2});
  sd->eval();
  EXPECT_TRUE(torch::equal(sd->forward(x), x));

  sd->train();
  torch::manual_seed(0);
  const torch::Tensor y = sd->forward(x);
  // Each row is all zeros or all 1 / (1 - p) = 2.
  const torch::Tensor row_min = y.amin({1, 2, 3});
  const torch::Tensor row_max = y.amax({1, 2, 3});
  EXPECT_TRUE(torch::equal(row_min, row_max));
  EXPECT_TRUE(((row_min == 0) | (row_min == 2)).all().item<bool>());
  EXPECT_GT((row_min == 0).sum().item<int64_t>(), 0);
  EXPECT_GT((row_min == 2).sum().item<int64_t>(), 0);

  StochasticDepth never(0.0);
  EXPECT_TRUE(torch::equal(never->forward(x), x));
  EXPECT_THROW(StochasticDepth(1.5), c10::Error);
}

TEST(BasicConv2dTest, IsConvBatchNormRelu) {
  BasicConv2d conv(torch::nn::Conv2dOptions(3, 8, {1, 7}).padding({0, 3}));
  const auto params = conv->named_parameters();
  EXPECT_TRUE(params.contains("conv.weight"));
  EXPECT_FALSE(params.contains("conv.bias"));
  EXPECT_TRUE(params.contains("bn.weight"));
  EXPECT_EQ(params["conv.weight"].sizes(), (std::vector<int64_t>{8, 3, 1, 7}));
  conv->eval();
  torch::NoGradGuard no_grad;
  const torch::Tensor y = conv->forward(torch::randn({1, 3, 10, 10}));
  EXPECT_EQ(y.sizes(), (std::vector<int64_t>{1, 8, 10, 10}));
  EXPECT_GE(y.min().item<float>(), 0.0f);
}

TEST(TruncNormalTest, StaysInBoundsWithTheRequestedSpread) {
  torch::manual_seed(0);
  torch::Tensor t = torch::empty({100000});
  TruncNormal_(t, 0.0, 1.0, -1.0, 1.0);
  EXPECT_GE(t.min().item<double>(), -1.0);
  EXPECT_LE(t.max().item<double>(), 1.0);
  // Standard normal truncated to [-1, 1] has std ~0.5379.
  EXPECT_NEAR(t.std().item<double>(), 0.5379, 0.01);
  TruncNormal_(t, 0.0, 0.01, -2.0, 2.0);  // bounds far out: plain N(0, 1e-4)
  EXPECT_NEAR(t.std().item<double>(), 0.01, 0.0005);
}

TEST(TransformImageNetInputTest, MapsMeanToZero) {
  // A pixel at the ImageNet mean, after normalisation, is 0 per channel; the
  // transform maps it to (mean - 0.5) / 0.5.
  const torch::Tensor y = TransformImageNetInput(torch::zeros({1, 3, 2, 2}));
  EXPECT_NEAR(y[0][0][0][0].item<double>(), (0.485 - 0.5) / 0.5, 1e-6);
  EXPECT_NEAR(y[0][2][1][1].item<double>(), (0.406 - 0.5) / 0.5, 1e-6);
  EXPECT_THROW(TransformImageNetInput(torch::zeros({1, 1, 2, 2})), c10::Error);
}

}  // namespace
}  // namespace benchfleet::models
