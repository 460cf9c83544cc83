#include "agent/models/alexnet.h"

namespace benchfleet::models {
namespace {

namespace nn = torch::nn;

nn::Conv2d Conv(int64_t in, int64_t out, int64_t kernel, int64_t stride,
                int64_t padding) {
  return nn::Conv2d(
      nn::Conv2dOptions(in, out, kernel).stride(stride).padding(padding));
}

nn::ReLU Relu() { return nn::ReLU(nn::ReLUOptions(/*inplace=*/true)); }

nn::MaxPool2d Pool() {
  return nn::MaxPool2d(nn::MaxPool2dOptions(3).stride(2));
}

}  // namespace

AlexNetImpl::AlexNetImpl(const AlexNetConfig& config) {
  TORCH_CHECK(config.num_classes > 0, "AlexNet: num_classes must be positive");
  TORCH_CHECK(config.dropout >= 0.0 && config.dropout <= 1.0,
              "AlexNet: dropout must be in [0, 1], got ", config.dropout);
  features_ = register_module(
      "features",
      nn::Sequential(Conv(3, 64, 11, 4, 2), Relu(), Pool(),
                     Conv(64, 192, 5, 1, 2), Relu(), Pool(),
                     Conv(192, 384, 3, 1, 1), Relu(), Conv(384, 256, 3, 1, 1),
                     Relu(), Conv(256, 256, 3, 1, 1), Relu(), Pool()));
  avgpool_ = register_module("avgpool", nn::AdaptiveAvgPool2d(6));
  classifier_ = register_module(
      "classifier",
      nn::Sequential(nn::Dropout(config.dropout), nn::Linear(256 * 6 * 6, 4096),
                     Relu(), nn::Dropout(config.dropout),
                     nn::Linear(4096, 4096), Relu(),
                     nn::Linear(4096, config.num_classes)));
  // torchvision keeps PyTorch's default initialisation for AlexNet.
}

torch::Tensor AlexNetImpl::forward(torch::Tensor x) {
  x = torch::flatten(avgpool_->forward(features_->forward(x)), 1);
  return classifier_->forward(x);
}

}  // namespace benchfleet::models
