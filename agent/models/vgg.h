// VGG-11/13/16/19 (Simonyan & Zisserman 2015, "Very Deep Convolutional
// Networks for Large-Scale Image Recognition", table 1 configurations A, B, D,
// E) without batch norm, as torchvision.models.vgg*. Module names match
// torchvision (features, avgpool, classifier).
#ifndef BENCHFLEET_AGENT_MODELS_VGG_H_
#define BENCHFLEET_AGENT_MODELS_VGG_H_

#include <torch/torch.h>

#include <cstdint>
#include <vector>

namespace benchfleet::models {

struct VggConfig {
  // 3x3 convolutions in each of the five stages (64, 128, 256, 512, 512
  // channels; each stage ends with a 2x2 max pool). {2, 2, 3, 3, 3} is VGG-16.
  std::vector<int64_t> convs_per_stage = {2, 2, 3, 3, 3};
  int64_t num_classes = 1000;
  double dropout = 0.5;  // probability, after each hidden Linear layer
};

// The table of the paper's configurations by depth (11, 13, 16 or 19).
// TORCH_CHECKs that `depth` is one of those.
VggConfig VggConfigForDepth(int depth);

class VggImpl : public torch::nn::Module {
 public:
  explicit VggImpl(const VggConfig& config = {});
  // NCHW image batch (any side >= 32) -> [N, num_classes] logits.
  torch::Tensor forward(torch::Tensor x);

 private:
  torch::nn::Sequential features_{nullptr};
  torch::nn::AdaptiveAvgPool2d avgpool_{nullptr};
  torch::nn::Sequential classifier_{nullptr};
};
TORCH_MODULE(Vgg);

}  // namespace benchfleet::models

#endif  // BENCHFLEET_AGENT_MODELS_VGG_H_
