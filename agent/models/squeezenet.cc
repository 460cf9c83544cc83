#include "agent/models/squeezenet.h"

#include <vector>

namespace benchfleet::models {
namespace {

namespace nn = torch::nn;

// Fire module (section 3.2): a 1x1 "squeeze" convolution feeding parallel
// 1x1 and 3x3 "expand" convolutions whose outputs are concatenated.
class FireImpl : public nn::Module {
 public:
  FireImpl(int64_t inplanes, int64_t squeeze_planes, int64_t expand_planes) {
    squeeze_ = register_module(
        "squeeze", nn::Conv2d(nn::Conv2dOptions(inplanes, squeeze_planes, 1)));
    squeeze_activation_ = register_module("squeeze_activation", Relu());
    expand1x1_ = register_module(
        "expand1x1",
        nn::Conv2d(nn::Conv2dOptions(squeeze_planes, expand_planes, 1)));
    expand1x1_activation_ = register_module("expand1x1_activation", Relu());
    expand3x3_ = register_module(
        "expand3x3",
        nn::Conv2d(
            nn::Conv2dOptions(squeeze_planes, expand_planes, 3).padding(1)));
    expand3x3_activation_ = register_module("expand3x3_activation", Relu());
  }

  torch::Tensor forward(torch::Tensor x) {
    x = squeeze_activation_->forward(squeeze_->forward(x));
    return torch::cat({expand1x1_activation_->forward(expand1x1_->forward(x)),
                       expand3x3_activation_->forward(expand3x3_->forward(x))},
                      1);
  }

 private:
  static nn::ReLU Relu() { return nn::ReLU(nn::ReLUOptions(true)); }

  nn::Conv2d squeeze_{nullptr}, expand1x1_{nullptr}, expand3x3_{nullptr};
  nn::ReLU squeeze_activation_{nullptr}, expand1x1_activation_{nullptr},
      expand3x3_activation_{nullptr};
};
TORCH_MODULE(Fire);

// One entry of the feature extractor after the stem: a Fire module with
// `squeeze` squeeze and 2 x `expand` expand channels, or (squeeze == 0) a
// 3x3/2 max pool with ceil_mode, as torchvision.
struct FeatureSpec {
  int64_t squeeze;
  int64_t expand;
};
constexpr FeatureSpec kPool = {0, 0};

struct VersionSpec {
  int64_t stem_channels;
  int64_t stem_kernel;
  std::vector<FeatureSpec> features;  // after stem conv, ReLU and max pool
};

const VersionSpec& SpecFor(SqueezeNetVersion version) {
  // Table 1 of the paper (1.0) and DeepScale's v1.1 prototxt: 1.1 uses a 3x3
  // stem and pools earlier.
  static const VersionSpec* k1_0 = new VersionSpec{
      /*stem_channels=*/96,
      /*stem_kernel=*/7,
      /*features=*/
      {{16, 64},
       {16, 64},
       {32, 128},
       kPool,
       {32, 128},
       {48, 192},
       {48, 192},
       {64, 256},
       kPool,
       {64, 256}},
  };
  static const VersionSpec* k1_1 = new VersionSpec{
      /*stem_channels=*/64,
      /*stem_kernel=*/3,
      /*features=*/
      {{16, 64},
       {16, 64},
       kPool,
       {32, 128},
       {32, 128},
       kPool,
       {48, 192},
       {48, 192},
       {64, 256},
       {64, 256}},
  };
  return version == SqueezeNetVersion::k1_0 ? *k1_0 : *k1_1;
}

nn::MaxPool2d CeilPool() {
  return nn::MaxPool2d(nn::MaxPool2dOptions(3).stride(2).ceil_mode(true));
}

}  // namespace

SqueezeNetImpl::SqueezeNetImpl(const SqueezeNetConfig& config) {
  TORCH_CHECK(config.version == SqueezeNetVersion::k1_0 ||
                  config.version == SqueezeNetVersion::k1_1,
              "SqueezeNet: unsupported version");
  TORCH_CHECK(config.num_classes > 0,
              "SqueezeNet: num_classes must be positive");
  const VersionSpec& spec = SpecFor(config.version);
  nn::Sequential features(
      nn::Conv2d(
          nn::Conv2dOptions(3, spec.stem_channels, spec.stem_kernel).stride(2)),
      nn::ReLU(nn::ReLUOptions(true)), CeilPool());
  int64_t in = spec.stem_channels;
  for (const FeatureSpec& f : spec.features) {
    if (f.squeeze == 0) {
      features->push_back(CeilPool());
    } else {
      features->push_back(Fire(in, f.squeeze, f.expand));
      in = 2 * f.expand;
    }
  }
  features_ = register_module("features", features);
  nn::Conv2d final_conv(nn::Conv2dOptions(in, config.num_classes, 1));
  classifier_ = register_module(
      "classifier", nn::Sequential(nn::Dropout(config.dropout), final_conv,
                                   nn::ReLU(nn::ReLUOptions(true)),
                                   nn::AdaptiveAvgPool2d(1)));

  // torchvision's initialisation: Kaiming uniform for every convolution but
  // the final one, which is N(0, 0.01); zero biases.
  torch::NoGradGuard no_grad;
  for (auto& module : modules(/*include_self=*/false)) {
    if (auto* conv = module->as<nn::Conv2d>()) {
      if (conv == final_conv.get()) {
        nn::init::normal_(conv->weight, 0.0, 0.01);
      } else {
        nn::init::kaiming_uniform_(conv->weight);
      }
      nn::init::zeros_(conv->bias);
    }
  }
}

torch::Tensor SqueezeNetImpl::forward(torch::Tensor x) {
  return torch::flatten(classifier_->forward(features_->forward(x)), 1);
}

}  // namespace benchfleet::models
