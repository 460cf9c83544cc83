#include "agent/models/mobilenet_v3.h"

#include <vector>

#include "agent/models/layers.h"

namespace benchfleet::models {
namespace {

namespace nn = torch::nn;

// One row of the paper's tables 1 and 2, before the width multiplier.
struct BneckSpec {
  int64_t input_channels;
  int64_t kernel;
  int64_t expanded_channels;
  int64_t out_channels;
  bool use_se;
  bool use_hardswish;  // "HS" in the tables; ReLU otherwise
  int64_t stride;
};

struct ArchSpec {
  std::vector<BneckSpec> blocks;
  int64_t last_channel;  // width of the penultimate Linear layer
};

const ArchSpec& SpecFor(MobileNetV3Arch arch) {
  // Columns: input, kernel, expanded, output channels, SE, hard swish, stride.
  static const ArchSpec* large = new ArchSpec{
      {
          {16, 3, 16, 16, false, false, 1},
          {16, 3, 64, 24, false, false, 2},
          {24, 3, 72, 24, false, false, 1},
          {24, 5, 72, 40, true, false, 2},
          {40, 5, 120, 40, true, false, 1},
          {40, 5, 120, 40, true, false, 1},
          {40, 3, 240, 80, false, true, 2},
          {80, 3, 200, 80, false, true, 1},
          {80, 3, 184, 80, false, true, 1},
          {80, 3, 184, 80, false, true, 1},
          {80, 3, 480, 112, true, true, 1},
          {112, 3, 672, 112, true, true, 1},
          {112, 5, 672, 160, true, true, 2},
          {160, 5, 960, 160, true, true, 1},
          {160, 5, 960, 160, true, true, 1},
      },
      /*last_channel=*/1280,
  };
  static const ArchSpec* small = new ArchSpec{
      {
          {16, 3, 16, 16, true, false, 2},
          {16, 3, 72, 24, false, false, 2},
          {24, 3, 88, 24, false, false, 1},
          {24, 5, 96, 40, true, true, 2},
          {40, 5, 240, 40, true, true, 1},
          {40, 5, 240, 40, true, true, 1},
          {40, 5, 120, 48, true, true, 1},
          {48, 5, 144, 48, true, true, 1},
          {48, 5, 288, 96, true, true, 2},
          {96, 5, 576, 96, true, true, 1},
          {96, 5, 576, 96, true, true, 1},
      },
      /*last_channel=*/1024,
  };
  return arch == MobileNetV3Arch::kLarge ? *large : *small;
}

// BatchNorm settings torchvision uses for MobileNetV3.
constexpr BatchNormConfig kNorm = {/*eps=*/1e-3, /*momentum=*/0.01};

// Inverted residual bottleneck (section 5): optional 1x1 expansion, depthwise
// convolution, optional squeeze-excitation, linear 1x1 projection; identity
// shortcut when the shape is unchanged.
class InvertedResidualImpl : public nn::Module {
 public:
  explicit InvertedResidualImpl(const BneckSpec& s) {
    TORCH_CHECK(s.stride == 1 || s.stride == 2, "MobileNetV3: illegal stride ",
                s.stride);
    use_res_connect_ = s.stride == 1 && s.input_channels == s.out_channels;
    const Activation act =
        s.use_hardswish ? Activation::kHardswish : Activation::kReLU;
    nn::Sequential block;
    if (s.expanded_channels != s.input_channels) {
      block->push_back(ConvNormActivation(s.input_channels, s.expanded_channels,
                                          1, 1, 1, act, kNorm));
    }
    block->push_back(ConvNormActivation(s.expanded_channels,
                                        s.expanded_channels, s.kernel, s.stride,
                                        s.expanded_channels, act, kNorm));
    if (s.use_se) {
      block->push_back(SqueezeExcitation(
          s.expanded_channels, MakeDivisible(s.expanded_channels / 4, 8),
          Activation::kReLU, Activation::kHardsigmoid));
    }
    block->push_back(ConvNormActivation(s.expanded_channels, s.out_channels, 1,
                                        1, 1, Activation::kNone, kNorm));
    block_ = register_module("block", block);
  }

  torch::Tensor forward(torch::Tensor x) {
    torch::Tensor result = block_->forward(x);
    if (use_res_connect_) result += x;
    return result;
  }

 private:
  bool use_res_connect_ = false;
  nn::Sequential block_{nullptr};
};
TORCH_MODULE(InvertedResidual);

}  // namespace

MobileNetV3Impl::MobileNetV3Impl(const MobileNetV3Config& config) {
  TORCH_CHECK(config.arch == MobileNetV3Arch::kLarge ||
                  config.arch == MobileNetV3Arch::kSmall,
              "MobileNetV3: unsupported architecture");
  TORCH_CHECK(config.width_mult > 0.0,
              "MobileNetV3: width_mult must be positive, got ",
              config.width_mult);
  TORCH_CHECK(config.num_classes > 0,
              "MobileNetV3: num_classes must be positive");
  auto adjust = [&](int64_t channels) {
    return MakeDivisible(static_cast<double>(channels) * config.width_mult, 8);
  };
  const ArchSpec& spec = SpecFor(config.arch);

  nn::Sequential features;
  features->push_back(
      ConvNormActivation(3, adjust(spec.blocks.front().input_channels), 3, 2, 1,
                         Activation::kHardswish, kNorm));
  for (BneckSpec s : spec.blocks) {
    s.input_channels = adjust(s.input_channels);
    s.expanded_channels = adjust(s.expanded_channels);
    s.out_channels = adjust(s.out_channels);
    features->push_back(InvertedResidual(s));
  }
  const int64_t lastconv_in = adjust(spec.blocks.back().out_channels);
  const int64_t lastconv_out = 6 * lastconv_in;
  features->push_back(ConvNormActivation(lastconv_in, lastconv_out, 1, 1, 1,
                                         Activation::kHardswish, kNorm));
  features_ = register_module("features", features);
  avgpool_ = register_module("avgpool", nn::AdaptiveAvgPool2d(1));
  const int64_t last_channel = adjust(spec.last_channel);
  classifier_ = register_module(
      "classifier",
      nn::Sequential(
          nn::Linear(lastconv_out, last_channel), Hardswish(/*inplace=*/true),
          nn::Dropout(nn::DropoutOptions(config.dropout).inplace(true)),
          nn::Linear(last_channel, config.num_classes)));

  // torchvision's initialisation: Kaiming normal (fan_out) for convolutions,
  // N(0, 0.01) for linear layers, zero biases; BatchNorm keeps ones/zeros.
  torch::NoGradGuard no_grad;
  for (auto& module : modules(/*include_self=*/false)) {
    if (auto* conv = module->as<nn::Conv2d>()) {
      nn::init::kaiming_normal_(conv->weight, 0.0, torch::kFanOut);
      if (conv->bias.defined()) nn::init::zeros_(conv->bias);
    } else if (auto* linear = module->as<nn::Linear>()) {
      nn::init::normal_(linear->weight, 0.0, 0.01);
      nn::init::zeros_(linear->bias);
    }
  }
}

torch::Tensor MobileNetV3Impl::forward(torch::Tensor x) {
  x = torch::flatten(avgpool_->forward(features_->forward(x)), 1);
  return classifier_->forward(x);
}

}  // namespace benchfleet::models
