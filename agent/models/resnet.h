// ResNet and Wide ResNet (He et al. 2016; Zagoruyko & Komodakis 2016) with
// torchvision's module names, so parameter names and counts match
// torchvision.models.resnet*.
#ifndef BENCHFLEET_AGENT_MODELS_RESNET_H_
#define BENCHFLEET_AGENT_MODELS_RESNET_H_

#include <torch/torch.h>

#include <vector>

namespace benchfleet::models {

enum class ResNetBlock { kBasic, kBottleneck };

struct ResNetConfig {
  ResNetBlock block = ResNetBlock::kBottleneck;
  std::vector<int64_t> layers = {3, 4, 6, 3};  // blocks per stage
  int64_t width_per_group = 64;  // 128 for the wide variants
  int64_t num_classes = 1000;
};

class ResNetImpl : public torch::nn::Module {
 public:
  explicit ResNetImpl(const ResNetConfig& config);
  torch::Tensor forward(torch::Tensor x);

 private:
  torch::nn::Sequential MakeStage(int64_t planes, int64_t blocks,
                                  int64_t stride);

  ResNetConfig config_;
  int64_t inplanes_ = 64;
  torch::nn::Conv2d conv1_{nullptr};
  torch::nn::BatchNorm2d bn1_{nullptr};
  torch::nn::ReLU relu_{nullptr};
  torch::nn::MaxPool2d maxpool_{nullptr};
  torch::nn::Sequential layer1_{nullptr}, layer2_{nullptr}, layer3_{nullptr},
      layer4_{nullptr};
  torch::nn::AdaptiveAvgPool2d avgpool_{nullptr};
  torch::nn::Linear fc_{nullptr};
};
TORCH_MODULE(ResNet);

}  // namespace benchfleet::models

#endif  // BENCHFLEET_AGENT_MODELS_RESNET_H_
