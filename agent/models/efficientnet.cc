#include "agent/models/efficientnet.h"

#include <algorithm>
#include <cmath>

namespace benchfleet::models {
namespace {

namespace nn = torch::nn;

// One stage of the EfficientNet-B0 baseline (table 1 of the paper).
struct StageSpec {
  int64_t expand_ratio;
  int64_t kernel;
  int64_t stride;
  int64_t input_channels;
  int64_t out_channels;
  int64_t num_layers;
};

constexpr StageSpec kBaseline[] = {
    {1, 3, 1, 32, 16, 1},   {6, 3, 2, 16, 24, 2},  {6, 5, 2, 24, 40, 2},
    {6, 3, 2, 40, 80, 3},   {6, 5, 1, 80, 112, 3}, {6, 5, 2, 112, 192, 4},
    {6, 3, 1, 192, 320, 1},
};

int64_t AdjustChannels(int64_t channels, double mult) {
  return MakeDivisible(static_cast<double>(channels) * mult, 8);
}

// Mobile inverted bottleneck (Sandler et al. 2018; Tan et al. 2019, MnasNet)
// with squeeze-excitation: optional 1x1 expansion, depthwise convolution, SE,
// linear 1x1 projection; identity shortcut (through stochastic depth) when
// the shape is unchanged.
class MBConvImpl : public nn::Module {
 public:
  MBConvImpl(int64_t expand_ratio, int64_t kernel, int64_t stride,
             int64_t input_channels, int64_t out_channels,
             double stochastic_depth_prob, const BatchNormConfig& norm) {
    TORCH_CHECK(stride == 1 || stride == 2, "EfficientNet: illegal stride ",
                stride);
    use_res_connect_ = stride == 1 && input_channels == out_channels;
    const int64_t expanded =
        AdjustChannels(input_channels, static_cast<double>(expand_ratio));
    nn::Sequential block;
    if (expanded != input_channels) {
      block->push_back(ConvNormActivation(input_channels, expanded, 1, 1, 1,
                                          Activation::kSiLU, norm));
    }
    block->push_back(ConvNormActivation(expanded, expanded, kernel, stride,
                                        expanded, Activation::kSiLU, norm));
    block->push_back(SqueezeExcitation(
        expanded, std::max<int64_t>(1, input_channels / 4), Activation::kSiLU,
        Activation::kSigmoid, /*activation_inplace=*/true));
    block->push_back(ConvNormActivation(expanded, out_channels, 1, 1, 1,
                                        Activation::kNone, norm));
    block_ = register_module("block", block);
    stochastic_depth_ = register_module("stochastic_depth",
                                        StochasticDepth(stochastic_depth_prob));
  }

  torch::Tensor forward(torch::Tensor x) {
    torch::Tensor result = block_->forward(x);
    if (use_res_connect_) {
      result = stochastic_depth_->forward(result);
      result += x;
    }
    return result;
  }

 private:
  bool use_res_connect_ = false;
  nn::Sequential block_{nullptr};
  StochasticDepth stochastic_depth_{nullptr};
};
TORCH_MODULE(MBConv);

}  // namespace

EfficientNetConfig EfficientNetConfigForVariant(int variant) {
  struct Variant {
    double width_mult, depth_mult, dropout;
  };
  static constexpr Variant kVariants[] = {
      {1.0, 1.0, 0.2}, {1.0, 1.1, 0.2}, {1.1, 1.2, 0.3}, {1.2, 1.4, 0.3},
      {1.4, 1.8, 0.4}, {1.6, 2.2, 0.4}, {1.8, 2.6, 0.5}, {2.0, 3.1, 0.5},
  };
  TORCH_CHECK(variant >= 0 && variant <= 7,
              "EfficientNet variant must be B0..B7, got B", variant);
  EfficientNetConfig config;
  config.width_mult = kVariants[variant].width_mult;
  config.depth_mult = kVariants[variant].depth_mult;
  config.dropout = kVariants[variant].dropout;
  if (variant >= 5) config.norm = {/*eps=*/1e-3, /*momentum=*/0.01};
  return config;
}

EfficientNetImpl::EfficientNetImpl(const EfficientNetConfig& config) {
  TORCH_CHECK(config.width_mult > 0.0 && config.depth_mult > 0.0,
              "EfficientNet: multipliers must be positive, got width ",
              config.width_mult, " depth ", config.depth_mult);
  TORCH_CHECK(config.stochastic_depth_prob >= 0.0 &&
                  config.stochastic_depth_prob <= 1.0,
              "EfficientNet: stochastic_depth_prob must be in [0, 1]");
  TORCH_CHECK(config.num_classes > 0,
              "EfficientNet: num_classes must be positive");
  auto depth = [&](int64_t layers) {
    return static_cast<int64_t>(
        std::ceil(static_cast<double>(layers) * config.depth_mult));
  };
  int64_t total_blocks = 0;
  for (const StageSpec& s : kBaseline) total_blocks += depth(s.num_layers);

  nn::Sequential features;
  features->push_back(ConvNormActivation(
      3, AdjustChannels(kBaseline[0].input_channels, config.width_mult), 3, 2,
      1, Activation::kSiLU, config.norm));
  int64_t block_id = 0;
  for (const StageSpec& s : kBaseline) {
    const int64_t out = AdjustChannels(s.out_channels, config.width_mult);
    int64_t in = AdjustChannels(s.input_channels, config.width_mult);
    int64_t stride = s.stride;
    SequentialBlock stage;
    for (int64_t i = 0; i < depth(s.num_layers); ++i) {
      const double sd_prob = config.stochastic_depth_prob *
                             static_cast<double>(block_id) /
                             static_cast<double>(total_blocks);
      stage->push_back(MBConv(s.expand_ratio, s.kernel, stride, in, out,
                              sd_prob, config.norm));
      in = out;  // later blocks of a stage keep the shape
      stride = 1;
      ++block_id;
    }
    features->push_back(stage);
  }
  const int64_t lastconv_in =
      AdjustChannels(std::end(kBaseline)[-1].out_channels, config.width_mult);
  const int64_t lastconv_out = 4 * lastconv_in;
  features->push_back(ConvNormActivation(lastconv_in, lastconv_out, 1, 1, 1,
                                         Activation::kSiLU, config.norm));
  features_ = register_module("features", features);
  avgpool_ = register_module("avgpool", nn::AdaptiveAvgPool2d(1));
  classifier_ = register_module(
      "classifier",
      nn::Sequential(
          nn::Dropout(nn::DropoutOptions(config.dropout).inplace(true)),
          nn::Linear(lastconv_out, config.num_classes)));

  // torchvision's initialisation: Kaiming normal (fan_out) for convolutions,
  // U(-1/sqrt(out), 1/sqrt(out)) for linear layers, zero biases.
  torch::NoGradGuard no_grad;
  for (auto& module : modules(/*include_self=*/false)) {
    if (auto* conv = module->as<nn::Conv2d>()) {
      nn::init::kaiming_normal_(conv->weight, 0.0, torch::kFanOut);
      if (conv->bias.defined()) nn::init::zeros_(conv->bias);
    } else if (auto* linear = module->as<nn::Linear>()) {
      const double range =
          1.0 / std::sqrt(static_cast<double>(linear->options.out_features()));
      nn::init::uniform_(linear->weight, -range, range);
      nn::init::zeros_(linear->bias);
    }
  }
}

torch::Tensor EfficientNetImpl::forward(torch::Tensor x) {
  x = torch::flatten(avgpool_->forward(features_->forward(x)), 1);
  return classifier_->forward(x);
}

}  // namespace benchfleet::models
