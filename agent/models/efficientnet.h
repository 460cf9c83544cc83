// EfficientNet-B0..B7 (Tan & Le 2019, "EfficientNet: Rethinking Model Scaling
// for Convolutional Neural Networks", table 1 baseline scaled by compound
// width/depth multipliers), as torchvision.models.efficientnet_b*: MBConv
// blocks with SiLU, squeeze-excitation and stochastic depth. Module names
// match torchvision (features, avgpool, classifier; each MBConv has "block"
// and "stochastic_depth").
#ifndef BENCHFLEET_AGENT_MODELS_EFFICIENTNET_H_
#define BENCHFLEET_AGENT_MODELS_EFFICIENTNET_H_

#include <torch/torch.h>

#include <cstdint>

#include "agent/models/layers.h"

namespace benchfleet::models {

struct EfficientNetConfig {
  double width_mult = 1.0;  // channel multiplier (rounded to multiples of 8)
  double depth_mult = 1.0;  // layers-per-stage multiplier (rounded up)
  double dropout = 0.2;     // probability, before the classifier Linear
  // Stochastic-depth drop probability of the last block; block i of n drops
  // with probability stochastic_depth_prob * i / n. Identity in eval mode.
  double stochastic_depth_prob = 0.2;
  int64_t num_classes = 1000;
  BatchNormConfig norm;  // B5..B7 use eps 1e-3, momentum 0.01 in torchvision
};

// torchvision's configuration of EfficientNet-B`variant` (0..7): the
// multipliers (1.0/1.0, 1.0/1.1, 1.1/1.2, 1.2/1.4, 1.4/1.8, 1.6/2.2, 1.8/2.6,
// 2.0/3.1), classifier dropout (0.2, 0.2, 0.3, 0.3, 0.4, 0.4, 0.5, 0.5) and
// BatchNorm settings. TORCH_CHECKs that `variant` is in [0, 7].
EfficientNetConfig EfficientNetConfigForVariant(int variant);

class EfficientNetImpl : public torch::nn::Module {
 public:
  explicit EfficientNetImpl(const EfficientNetConfig& config = {});
  // NCHW image batch (any side >= 1) -> [N, num_classes] logits.
  torch::Tensor forward(torch::Tensor x);

 private:
  torch::nn::Sequential features_{nullptr};
  torch::nn::AdaptiveAvgPool2d avgpool_{nullptr};
  torch::nn::Sequential classifier_{nullptr};
};
TORCH_MODULE(EfficientNet);

}  // namespace benchfleet::models

#endif  // BENCHFLEET_AGENT_MODELS_EFFICIENTNET_H_
