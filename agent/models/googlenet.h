// GoogLeNet / Inception v1 (Szegedy et al. 2015, "Going Deeper with
// Convolutions", table 1) as torchvision deploys it: batch-normalised
// BasicConv2d units, no auxiliary classifiers (torchvision's pretrained
// weights=DEFAULT drop them: 6,624,904 parameters), transform_input=False;
// aux_logits builds them, as torchvision.models.googlenet() does for
// training from scratch (13,004,888 parameters). Like torchvision, the
// "5x5" branch uses a 3x3 kernel (pytorch/vision#906), which parameter counts
// depend on. Module names match torchvision.
#ifndef BENCHFLEET_AGENT_MODELS_GOOGLENET_H_
#define BENCHFLEET_AGENT_MODELS_GOOGLENET_H_

#include <torch/torch.h>

#include <cstdint>

#include "agent/models/layers.h"

namespace benchfleet::models {

struct GoogLeNetConfig {
  int64_t num_classes = 1000;
  // Build the two auxiliary heads (aux1 after inception4a, aux2 after
  // inception4d), for training from scratch; they run only in training
  // mode. Off by default, as in torchvision's pretrained model.
  bool aux_logits = false;
  // Re-normalise an ImageNet-normalised input to [-1, 1] (torchvision's
  // transform_input; off by default, on only for its pretrained weights).
  bool transform_input = false;
  double dropout = 0.2;      // probability, before fc
  double dropout_aux = 0.7;  // probability, inside each auxiliary head
};

// Main and auxiliary logits; the auxiliary ones are undefined tensors unless
// the model is in training mode and was built with aux_logits.
struct GoogLeNetOutputs {
  torch::Tensor logits;       // [N, num_classes]
  torch::Tensor aux_logits2;  // from aux2 (after inception4d)
  torch::Tensor aux_logits1;  // from aux1 (after inception4a)
};

class GoogLeNetImpl : public torch::nn::Module {
 public:
  explicit GoogLeNetImpl(const GoogLeNetConfig& config = {});

  // Main logits only, so the zoo's uniform Tensor -> Tensor interface holds.
  // In training mode the auxiliary heads still run, as in torchvision's
  // forward, so forward cost matches; their outputs are dropped, so a loss
  // on the result back-propagates through the main path only. Call
  // ForwardWithAux to train with the auxiliary losses.
  torch::Tensor forward(torch::Tensor x);

  // torchvision's training-mode outputs (GoogLeNetOutputs there).
  GoogLeNetOutputs ForwardWithAux(torch::Tensor x);

 private:
  GoogLeNetConfig config_;
  BasicConv2d conv1_{nullptr}, conv2_{nullptr}, conv3_{nullptr};
  torch::nn::MaxPool2d maxpool1_{nullptr}, maxpool2_{nullptr},
      maxpool3_{nullptr}, maxpool4_{nullptr};
  torch::nn::AnyModule inception3a_, inception3b_, inception4a_, inception4b_,
      inception4c_, inception4d_, inception4e_, inception5a_, inception5b_;
  torch::nn::AnyModule aux1_, aux2_;  // empty unless config.aux_logits
  torch::nn::AdaptiveAvgPool2d avgpool_{nullptr};
  torch::nn::Dropout dropout_{nullptr};
  torch::nn::Linear fc_{nullptr};
};
TORCH_MODULE(GoogLeNet);

}  // namespace benchfleet::models

#endif  // BENCHFLEET_AGENT_MODELS_GOOGLENET_H_
