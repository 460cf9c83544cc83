// The meta-device support of the cost model's shape-only mode
// (CostOptions::shape_only in cost_model.h): the meta kernels LibTorch 1.13
// lacks in C++, and moving a module's tensors to the meta device in place.
// Internal to the cost model.
#ifndef BENCHFLEET_AGENT_MODELS_META_KERNELS_H_
#define BENCHFLEET_AGENT_MODELS_META_KERNELS_H_

#include <torch/torch.h>

namespace benchfleet::models::cost_internal {

// Registers the meta kernels shape_only needs and LibTorch 1.13 lacks in
// C++, once, and each only where it is missing (a later LibTorch may bring
// its own; registering twice would abort).
void EnsureMetaKernels();

// Moves every parameter and buffer of `root` to the meta device in place:
// each keeps its TensorImpl (so the index's identities, the module's own
// handles and requires_grad stay valid) but now holds sizes and a dtype and
// no data; its CPU memory is freed. nn::Module::to(kMeta) cannot do this:
// Tensor::set_data refuses to change a tensor's backend.
void MoveToMeta(torch::nn::Module& root);

}  // namespace benchfleet::models::cost_internal

#endif  // BENCHFLEET_AGENT_MODELS_META_KERNELS_H_
