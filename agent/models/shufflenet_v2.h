// ShuffleNet V2 (Ma et al. 2018, "ShuffleNet V2: Practical Guidelines for
// Efficient CNN Architecture Design", table 5) at widths 0.5x, 1.0x, 1.5x and
// 2.0x, as torchvision.models.shufflenet_v2_x*. Module names match
// torchvision (conv1, maxpool, stage2..4, conv5, fc).
#ifndef BENCHFLEET_AGENT_MODELS_SHUFFLENET_V2_H_
#define BENCHFLEET_AGENT_MODELS_SHUFFLENET_V2_H_

#include <torch/torch.h>

#include <cstdint>
#include <vector>

namespace benchfleet::models {

struct ShuffleNetV2Config {
  std::vector<int64_t> stages_repeats = {4, 8, 4};  // units in stage2..4
  // Output channels of conv1, stage2, stage3, stage4 and conv5 (1.0x).
  std::vector<int64_t> stages_out_channels = {24, 116, 232, 464, 1024};
  int64_t num_classes = 1000;
};

// torchvision's configuration for a width multiplier of 0.5, 1.0, 1.5 or 2.0
// (given as `width_x10` = 5, 10, 15 or 20). TORCH_CHECKs the value.
ShuffleNetV2Config ShuffleNetV2ConfigForWidth(int width_x10);

class ShuffleNetV2Impl : public torch::nn::Module {
 public:
  explicit ShuffleNetV2Impl(const ShuffleNetV2Config& config = {});
  // NCHW image batch (any side >= 1) -> [N, num_classes] logits.
  torch::Tensor forward(torch::Tensor x);

 private:
  torch::nn::Sequential conv1_{nullptr};
  torch::nn::MaxPool2d maxpool_{nullptr};
  torch::nn::Sequential stage2_{nullptr}, stage3_{nullptr}, stage4_{nullptr};
  torch::nn::Sequential conv5_{nullptr};
  torch::nn::Linear fc_{nullptr};
};
TORCH_MODULE(ShuffleNetV2);

}  // namespace benchfleet::models

#endif  // BENCHFLEET_AGENT_MODELS_SHUFFLENET_V2_H_
