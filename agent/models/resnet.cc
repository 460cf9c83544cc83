#include "agent/models/resnet.h"

namespace benchfleet::models {
namespace {

namespace nn = torch::nn;

nn::Conv2d Conv(int64_t in, int64_t out, int64_t kernel, int64_t stride,
                int64_t padding) {
  return nn::Conv2d(nn::Conv2dOptions(in, out, kernel)
                        .stride(stride)
                        .padding(padding)
                        .bias(false));
}

// Residual block; `downsample` projects the identity when shapes change.
class BlockImpl : public nn::Module {
 public:
  BlockImpl(ResNetBlock kind, int64_t inplanes, int64_t planes, int64_t stride,
            int64_t width_per_group, nn::Sequential downsample)
      : downsample_(downsample) {
    // Registered in torchvision's order (conv1, bn1, conv2, bn2, ...), so
    // parameters line up by position as well as by name.
    auto add = [this](int64_t i, nn::Conv2d conv, int64_t bn_channels) {
      convs_.push_back(register_module("conv" + std::to_string(i), conv));
      bns_.push_back(register_module("bn" + std::to_string(i),
                                     nn::BatchNorm2d(bn_channels)));
    };
    if (kind == ResNetBlock::kBasic) {
      add(1, Conv(inplanes, planes, 3, stride, 1), planes);
      add(2, Conv(planes, planes, 3, 1, 1), planes);
    } else {
      // torchvision: width = planes * (base_width / 64) * groups; the stride
      // sits on the 3x3 convolution (ResNet v1.5).
      const int64_t width = planes * width_per_group / 64;
      add(1, Conv(inplanes, width, 1, 1, 0), width);
      add(2, Conv(width, width, 3, stride, 1), width);
      add(3, Conv(width, planes * 4, 1, 1, 0), planes * 4);
    }
    relu_ = register_module("relu", nn::ReLU(nn::ReLUOptions(true)));
    if (downsample_) register_module("downsample", downsample_);
  }

  torch::Tensor forward(torch::Tensor x) {
    torch::Tensor identity = downsample_ ? downsample_->forward(x) : x;
    torch::Tensor out = x;
    for (size_t i = 0; i < convs_.size(); ++i) {
      out = bns_[i]->forward(convs_[i]->forward(out));
      if (i + 1 < convs_.size()) out = relu_->forward(out);
    }
    return relu_->forward(out + identity);
  }

 private:
  std::vector<nn::Conv2d> convs_;
  std::vector<nn::BatchNorm2d> bns_;
  nn::ReLU relu_{nullptr};
  nn::Sequential downsample_{nullptr};
};
TORCH_MODULE(Block);

}  // namespace

ResNetImpl::ResNetImpl(const ResNetConfig& config) : config_(config) {
  TORCH_CHECK(config.layers.size() == 4, "ResNet needs 4 stages, got ",
              config.layers.size());
  conv1_ = register_module("conv1", Conv(3, 64, 7, 2, 3));
  bn1_ = register_module("bn1", nn::BatchNorm2d(64));
  relu_ = register_module("relu", nn::ReLU(nn::ReLUOptions(true)));
  maxpool_ = register_module(
      "maxpool", nn::MaxPool2d(nn::MaxPool2dOptions(3).stride(2).padding(1)));
  layer1_ = register_module("layer1", MakeStage(64, config.layers[0], 1));
  layer2_ = register_module("layer2", MakeStage(128, config.layers[1], 2));
  layer3_ = register_module("layer3", MakeStage(256, config.layers[2], 2));
  layer4_ = register_module("layer4", MakeStage(512, config.layers[3], 2));
  avgpool_ = register_module("avgpool", nn::AdaptiveAvgPool2d(1));
  const int64_t expansion = config.block == ResNetBlock::kBasic ? 1 : 4;
  fc_ = register_module("fc", nn::Linear(512 * expansion, config.num_classes));

  // torchvision's initialisation: Kaiming normal (fan_out) for convolutions.
  for (auto& module : modules(/*include_self=*/false)) {
    if (auto* conv = module->as<nn::Conv2d>())
      nn::init::kaiming_normal_(conv->weight, 0.0, torch::kFanOut,
                                torch::kReLU);
  }
}

nn::Sequential ResNetImpl::MakeStage(int64_t planes, int64_t blocks,
                                     int64_t stride) {
  const int64_t expansion = config_.block == ResNetBlock::kBasic ? 1 : 4;
  nn::Sequential downsample{nullptr};
  if (stride != 1 || inplanes_ != planes * expansion) {
    downsample = nn::Sequential(Conv(inplanes_, planes * expansion, 1, stride, 0),
                                nn::BatchNorm2d(planes * expansion));
  }
  nn::Sequential stage;
  stage->push_back(Block(config_.block, inplanes_, planes, stride,
                         config_.width_per_group, downsample));
  inplanes_ = planes * expansion;
  for (int64_t i = 1; i < blocks; ++i) {
    stage->push_back(Block(config_.block, inplanes_, planes, 1,
                           config_.width_per_group, nn::Sequential{nullptr}));
  }
  return stage;
}

torch::Tensor ResNetImpl::forward(torch::Tensor x) {
  x = maxpool_->forward(relu_->forward(bn1_->forward(conv1_->forward(x))));
  x = layer4_->forward(layer3_->forward(layer2_->forward(layer1_->forward(x))));
  x = torch::flatten(avgpool_->forward(x), 1);
  return fc_->forward(x);
}

}  // namespace benchfleet::models
