#include "agent/models/layers.h"

#include <algorithm>
#include <cmath>
#include <vector>

namespace benchfleet::models {

namespace nn = torch::nn;

int64_t MakeDivisible(double value, int64_t divisor, int64_t min_value) {
  TORCH_CHECK(divisor > 0, "MakeDivisible: divisor must be positive, got ",
              divisor);
  if (min_value <= 0) min_value = divisor;
  // Round half up to a multiple of divisor; truncation matches Python's int()
  // for the positive values this is called with.
  const auto rounded =
      static_cast<int64_t>(value + static_cast<double>(divisor) / 2.0) /
      divisor * divisor;
  int64_t result = std::max(min_value, rounded);
  if (static_cast<double>(result) < 0.9 * value) result += divisor;
  return result;
}

torch::Tensor HardswishImpl::forward(torch::Tensor x) {
  return inplace_ ? torch::hardswish_(x) : torch::hardswish(x);
}

torch::Tensor SiLUImpl::forward(torch::Tensor x) {
  return inplace_ ? torch::silu_(x) : torch::silu(x);
}

torch::Tensor HardsigmoidImpl::forward(torch::Tensor x) {
  return torch::hardsigmoid(x);
}

nn::AnyModule MakeActivation(Activation kind, bool inplace) {
  TORCH_CHECK(kind != Activation::kNone,
              "MakeActivation: no module for Activation::kNone");
  switch (kind) {
    case Activation::kReLU:
      return nn::AnyModule(nn::ReLU(nn::ReLUOptions(inplace)));
    case Activation::kHardswish:
      return nn::AnyModule(Hardswish(inplace));
    case Activation::kSiLU:
      return nn::AnyModule(SiLU(inplace));
    case Activation::kSigmoid:
      return nn::AnyModule(nn::Sigmoid());
    case Activation::kHardsigmoid:
    case Activation::kNone:
      break;
  }
  return nn::AnyModule(Hardsigmoid());
}

SequentialBlock ConvNormActivation(int64_t in_channels, int64_t out_channels,
                                   int64_t kernel, int64_t stride,
                                   int64_t groups, Activation activation,
                                   const BatchNormConfig& norm) {
  TORCH_CHECK(kernel % 2 == 1, "ConvNormActivation: kernel must be odd, got ",
              kernel);
  SequentialBlock block(
      nn::Conv2d(nn::Conv2dOptions(in_channels, out_channels, kernel)
                     .stride(stride)
                     .padding((kernel - 1) / 2)
                     .groups(groups)
                     .bias(false)),
      nn::BatchNorm2d(nn::BatchNormOptions(out_channels)
                          .eps(norm.eps)
                          .momentum(norm.momentum)));
  if (activation != Activation::kNone)
    block->push_back(MakeActivation(activation, /*inplace=*/true));
  return block;
}

SqueezeExcitationImpl::SqueezeExcitationImpl(int64_t input_channels,
                                             int64_t squeeze_channels,
                                             Activation activation,
                                             Activation scale_activation,
                                             bool activation_inplace) {
  TORCH_CHECK(input_channels > 0 && squeeze_channels > 0,
              "SqueezeExcitation: channel counts must be positive, got ",
              input_channels, " and ", squeeze_channels);
  avgpool_ = register_module("avgpool", nn::AdaptiveAvgPool2d(1));
  fc1_ = register_module("fc1", nn::Conv2d(nn::Conv2dOptions(
                                    input_channels, squeeze_channels, 1)));
  fc2_ = register_module("fc2", nn::Conv2d(nn::Conv2dOptions(
                                    squeeze_channels, input_channels, 1)));
  activation_ = MakeActivation(activation, activation_inplace);
  register_module("activation", activation_.ptr());
  scale_activation_ = MakeActivation(scale_activation, /*inplace=*/false);
  register_module("scale_activation", scale_activation_.ptr());
}

torch::Tensor SqueezeExcitationImpl::forward(torch::Tensor x) {
  torch::Tensor scale = fc1_->forward(avgpool_->forward(x));
  scale = fc2_->forward(activation_.forward(scale));
  return scale_activation_.forward(scale) * x;
}

StochasticDepthImpl::StochasticDepthImpl(double p) : p_(p) {
  TORCH_CHECK(p >= 0.0 && p <= 1.0,
              "StochasticDepth: drop probability must be in [0, 1], got ", p);
}

torch::Tensor StochasticDepthImpl::forward(torch::Tensor x) {
  if (!is_training() || p_ == 0.0) return x;
  const double survival = 1.0 - p_;
  std::vector<int64_t> shape(x.dim(), 1);
  shape[0] = x.size(0);
  torch::Tensor noise = torch::empty(shape, x.options()).bernoulli_(survival);
  if (survival > 0.0) noise.div_(survival);
  return x * noise;
}

BasicConv2dImpl::BasicConv2dImpl(nn::Conv2dOptions options) {
  const int64_t out_channels = options.out_channels();
  conv_ = register_module("conv", nn::Conv2d(options.bias(false)));
  bn_ = register_module(
      "bn", nn::BatchNorm2d(nn::BatchNormOptions(out_channels).eps(1e-3)));
}

torch::Tensor BasicConv2dImpl::forward(torch::Tensor x) {
  torch::Tensor y = bn_->forward(conv_->forward(x));
  return torch::relu_(y);
}

torch::Tensor TransformImageNetInput(const torch::Tensor& x) {
  TORCH_CHECK(x.dim() == 4 && x.size(1) == 3,
              "TransformImageNetInput: expected NCHW with 3 channels, got ",
              x.sizes());
  static constexpr double kMean[] = {0.485, 0.456, 0.406};
  static constexpr double kStd[] = {0.229, 0.224, 0.225};
  std::vector<torch::Tensor> channels;
  for (int64_t c = 0; c < 3; ++c) {
    channels.push_back(x.select(1, c).unsqueeze(1) * (kStd[c] / 0.5) +
                       (kMean[c] - 0.5) / 0.5);
  }
  return torch::cat(channels, 1);
}

void TruncNormal_(torch::Tensor tensor, double mean, double std, double a,
                  double b) {
  TORCH_CHECK(std > 0.0 && a < b, "TruncNormal_: need std > 0 and a < b");
  torch::NoGradGuard no_grad;
  // Bounds 9 or more standard deviations out (GoogLeNet's and Inception's
  // [-2, 2] at std 0.01 to 0.1) cut off a mass below 1e-18, which normal_
  // never samples: it is plain N(mean, std^2), drawn without the erfinv_
  // pass that made building Inception v3 take seconds. The clamp keeps the
  // contract exact anyway.
  constexpr double kFar = 9.0;
  if ((a - mean) / std <= -kFar && (b - mean) / std >= kFar) {
    tensor.normal_(mean, std);
    tensor.clamp_(a, b);
    return;
  }
  auto normal_cdf = [](double x) {
    return (1.0 + std::erf(x / std::sqrt(2.0))) / 2.0;
  };
  const double lower = normal_cdf((a - mean) / std);
  const double upper = normal_cdf((b - mean) / std);
  // Uniform on [2l-1, 2u-1], then the inverse error function gives a standard
  // normal truncated to [a, b] after scaling.
  tensor.uniform_(2.0 * lower - 1.0, 2.0 * upper - 1.0);
  tensor.erfinv_();
  tensor.mul_(std * std::sqrt(2.0));
  tensor.add_(mean);
  tensor.clamp_(a, b);
}

}  // namespace benchfleet::models
