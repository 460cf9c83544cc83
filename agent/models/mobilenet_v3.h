// MobileNetV3-Large and -Small (Howard et al. 2019, "Searching for
// MobileNetV3", tables 1 and 2), as torchvision.models.mobilenet_v3_*: hard
// swish, squeeze-excitation with a hard-sigmoid gate and channel counts
// rounded by torchvision's _make_divisible. Module names match torchvision
// (features, avgpool, classifier; each bottleneck's layers under "block").
#ifndef BENCHFLEET_AGENT_MODELS_MOBILENET_V3_H_
#define BENCHFLEET_AGENT_MODELS_MOBILENET_V3_H_

#include <torch/torch.h>

#include <cstdint>

namespace benchfleet::models {

enum class MobileNetV3Arch { kLarge, kSmall };

struct MobileNetV3Config {
  MobileNetV3Arch arch = MobileNetV3Arch::kLarge;
  double width_mult = 1.0;  // scales every channel count (then rounded to 8)
  int64_t num_classes = 1000;
  double dropout = 0.2;  // probability, before the last Linear layer
};

class MobileNetV3Impl : public torch::nn::Module {
 public:
  explicit MobileNetV3Impl(const MobileNetV3Config& config = {});
  // NCHW image batch (any side >= 1) -> [N, num_classes] logits.
  torch::Tensor forward(torch::Tensor x);

 private:
  torch::nn::Sequential features_{nullptr};
  torch::nn::AdaptiveAvgPool2d avgpool_{nullptr};
  torch::nn::Sequential classifier_{nullptr};
};
TORCH_MODULE(MobileNetV3);

}  // namespace benchfleet::models

#endif  // BENCHFLEET_AGENT_MODELS_MOBILENET_V3_H_
