// AlexNet as in torchvision.models.alexnet: the single-tower variant from
// Krizhevsky 2014, "One weird trick for parallelizing convolutional neural
// networks" (arXiv:1404.5997), not the two-GPU network of the 2012 paper.
// Module names match torchvision (features, avgpool, classifier).
#ifndef BENCHFLEET_AGENT_MODELS_ALEXNET_H_
#define BENCHFLEET_AGENT_MODELS_ALEXNET_H_

#include <torch/torch.h>

#include <cstdint>

namespace benchfleet::models {

struct AlexNetConfig {
  int64_t num_classes = 1000;
  double dropout = 0.5;  // probability, before each hidden Linear layer
};

class AlexNetImpl : public torch::nn::Module {
 public:
  explicit AlexNetImpl(const AlexNetConfig& config = {});
  // NCHW image batch (any side >= 63) -> [N, num_classes] logits.
  torch::Tensor forward(torch::Tensor x);

 private:
  torch::nn::Sequential features_{nullptr};
  torch::nn::AdaptiveAvgPool2d avgpool_{nullptr};
  torch::nn::Sequential classifier_{nullptr};
};
TORCH_MODULE(AlexNet);

}  // namespace benchfleet::models

#endif  // BENCHFLEET_AGENT_MODELS_ALEXNET_H_
