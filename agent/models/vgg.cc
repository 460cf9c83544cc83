#include "agent/models/vgg.h"

namespace benchfleet::models {

namespace nn = torch::nn;

VggConfig VggConfigForDepth(int depth) {
  VggConfig config;
  switch (depth) {
    case 11:
      config.convs_per_stage = {1, 1, 2, 2, 2};  // configuration A
      break;
    case 13:
      config.convs_per_stage = {2, 2, 2, 2, 2};  // B
      break;
    case 16:
      config.convs_per_stage = {2, 2, 3, 3, 3};  // D
      break;
    case 19:
      config.convs_per_stage = {2, 2, 4, 4, 4};  // E
      break;
    default:
      TORCH_CHECK(false, "VGG depth must be 11, 13, 16 or 19, got ", depth);
  }
  return config;
}

VggImpl::VggImpl(const VggConfig& config) {
  static constexpr int64_t kStageChannels[] = {64, 128, 256, 512, 512};
  TORCH_CHECK(config.convs_per_stage.size() == 5, "VGG needs 5 stages, got ",
              config.convs_per_stage.size());
  TORCH_CHECK(config.num_classes > 0, "VGG: num_classes must be positive");
  nn::Sequential features;
  int64_t in = 3;
  for (size_t stage = 0; stage < 5; ++stage) {
    TORCH_CHECK(config.convs_per_stage[stage] > 0,
                "VGG: every stage needs at least one convolution");
    for (int64_t i = 0; i < config.convs_per_stage[stage]; ++i) {
      const int64_t out = kStageChannels[stage];
      features->push_back(nn::Conv2d(nn::Conv2dOptions(in, out, 3).padding(1)));
      features->push_back(nn::ReLU(nn::ReLUOptions(true)));
      in = out;
    }
    features->push_back(nn::MaxPool2d(nn::MaxPool2dOptions(2).stride(2)));
  }
  features_ = register_module("features", features);
  avgpool_ = register_module("avgpool", nn::AdaptiveAvgPool2d(7));
  classifier_ = register_module(
      "classifier",
      nn::Sequential(
          nn::Linear(512 * 7 * 7, 4096), nn::ReLU(nn::ReLUOptions(true)),
          nn::Dropout(config.dropout), nn::Linear(4096, 4096),
          nn::ReLU(nn::ReLUOptions(true)), nn::Dropout(config.dropout),
          nn::Linear(4096, config.num_classes)));

  // torchvision's initialisation: Kaiming normal (fan_out) for convolutions,
  // N(0, 0.01) for linear layers, zero biases.
  torch::NoGradGuard no_grad;
  for (auto& module : modules(/*include_self=*/false)) {
    if (auto* conv = module->as<nn::Conv2d>()) {
      nn::init::kaiming_normal_(conv->weight, 0.0, torch::kFanOut,
                                torch::kReLU);
      nn::init::zeros_(conv->bias);
    } else if (auto* linear = module->as<nn::Linear>()) {
      nn::init::normal_(linear->weight, 0.0, 0.01);
      nn::init::zeros_(linear->bias);
    }
  }
}

torch::Tensor VggImpl::forward(torch::Tensor x) {
  x = torch::flatten(avgpool_->forward(features_->forward(x)), 1);
  return classifier_->forward(x);
}

}  // namespace benchfleet::models
