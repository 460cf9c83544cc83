// Inception v3 (Szegedy et al. 2016, "Rethinking the Inception Architecture
// for Computer Vision", table 1 and figures 5-7) as
// inference runs it: no auxiliary classifier (23,834,568 parameters, as
// torchvision.models.inception_v3(aux_logits=False)), transform_input=False,
// designed for 3x299x299 input. torchvision 0.14's pretrained
// inception_v3(weights=DEFAULT) keeps the AuxLogits head loaded (its
// num_params is 27,161,264) although its eval forward never runs it; we
// leave it out so that inference counts only weights the forward reads.
// aux_logits builds it, as torchvision.models.inception_v3() does for
// training from scratch (27,161,264 parameters). Module names match torchvision (Conv2d_1a_3x3, Mixed_5b,
// AuxLogits, ...).
#ifndef BENCHFLEET_AGENT_MODELS_INCEPTION_V3_H_
#define BENCHFLEET_AGENT_MODELS_INCEPTION_V3_H_

#include <torch/torch.h>

#include <cstdint>
#include <vector>

#include "agent/models/layers.h"

namespace benchfleet::models {

struct InceptionV3Config {
  int64_t num_classes = 1000;
  // Build the auxiliary head "AuxLogits" after Mixed_6e, for training from
  // scratch; it runs only in training mode. Off by default, as in
  // torchvision's pretrained model.
  bool aux_logits = false;
  // Re-normalise an ImageNet-normalised input to [-1, 1] (torchvision's
  // transform_input; off by default, on only for its pretrained weights).
  bool transform_input = false;
  double dropout = 0.5;  // probability, before fc
};

// Main and auxiliary logits; `aux_logits` is undefined unless the model is in
// training mode and was built with aux_logits.
struct InceptionV3Outputs {
  torch::Tensor logits;      // [N, num_classes]
  torch::Tensor aux_logits;  // [N, num_classes] from AuxLogits
};

class InceptionV3Impl : public torch::nn::Module {
 public:
  explicit InceptionV3Impl(const InceptionV3Config& config = {});

  // NCHW image batch (any side >= 75) -> main logits only, so the zoo's
  // uniform Tensor -> Tensor interface holds. In training mode the auxiliary
  // head still runs, as in torchvision's forward, so forward cost matches;
  // its output is dropped, so a loss on the result back-propagates through
  // the main path only. Call ForwardWithAux to train with the auxiliary loss.
  torch::Tensor forward(torch::Tensor x);

  // torchvision's training-mode outputs (InceptionOutputs there).
  InceptionV3Outputs ForwardWithAux(torch::Tensor x);

 private:
  InceptionV3Config config_;
  // The stem and the Mixed blocks up to Mixed_6e, in order; then the rest.
  std::vector<torch::nn::AnyModule> stem_and_mixed6_;
  torch::nn::AnyModule aux_;  // empty unless config.aux_logits
  std::vector<torch::nn::AnyModule> mixed7_;
  torch::nn::AdaptiveAvgPool2d avgpool_{nullptr};
  torch::nn::Dropout dropout_{nullptr};
  torch::nn::Linear fc_{nullptr};
};
TORCH_MODULE(InceptionV3);

}  // namespace benchfleet::models

#endif  // BENCHFLEET_AGENT_MODELS_INCEPTION_V3_H_
