// SqueezeNet 1.0 (Iandola et al. 2016, "SqueezeNet: AlexNet-level accuracy
// with 50x fewer parameters and <0.5MB model size", arXiv:1602.07360) and
// SqueezeNet 1.1 (DeepScale's v1.1 release: 2.4x less computation), as
// torchvision.models.squeezenet1_*. Module names match torchvision.
#ifndef BENCHFLEET_AGENT_MODELS_SQUEEZENET_H_
#define BENCHFLEET_AGENT_MODELS_SQUEEZENET_H_

#include <torch/torch.h>

#include <cstdint>

namespace benchfleet::models {

enum class SqueezeNetVersion { k1_0, k1_1 };

struct SqueezeNetConfig {
  SqueezeNetVersion version = SqueezeNetVersion::k1_0;
  int64_t num_classes = 1000;
  double dropout = 0.5;  // probability, before the final 1x1 convolution
};

class SqueezeNetImpl : public torch::nn::Module {
 public:
  explicit SqueezeNetImpl(const SqueezeNetConfig& config = {});
  // NCHW image batch (side >= 21 for 1.0, >= 17 for 1.1) -> [N, num_classes].
  torch::Tensor forward(torch::Tensor x);

 private:
  torch::nn::Sequential features_{nullptr};
  torch::nn::Sequential classifier_{nullptr};
};
TORCH_MODULE(SqueezeNet);

}  // namespace benchfleet::models

#endif  // BENCHFLEET_AGENT_MODELS_SQUEEZENET_H_
