// Analytic cost of a model -- FLOPs, parameters, activation bytes, memory
// traffic and operational intensity -- found by running it once and
// observing every ATen operator it dispatches, not from a per-model table.
//
// Usage:
//   ASSIGN_OR_RETURN(v1::CostFigures cost,
//                    models::ComputeCost("resnet50", model.module, shape,
//                                        /*batch=*/1, v1::MODE_INFERENCE));
//   double gflops = cost.forward_flops() / 1e9;  // 8.22 for resnet50 at 224
//
// Method. ComputeCost runs one forward on a zero tensor of shape
// [batch, C, H, W] under c10::InferenceMode, with the model in eval() mode,
// while a thread-local at::RecordFunction observer sees each operator's
// inputs and outputs. An operator is costed at the outermost level the rules
// below know: the operators a known one calls internally (aten::conv2d ->
// aten::convolution -> aten::mkldnn_convolution) are not seen again. An
// unknown operator is looked through: if the operators it calls are known,
// they carry its cost (aten::einsum -> aten::bmm); if none is, its name goes
// to `unknown_ops` and it counts zero FLOPs. Nothing is dropped silently.
//
// Counting rules (FLOPs; "element" means an output element unless stated):
//   * FLOPs count one multiply-add as 2 FLOPs (docs/ARCHITECTURE.md). The
//     seed's "ResNet50 8.22 GFLOPs" matches this convention: its convolutions
//     and classifier alone are 2 x 4.09 GMACs = 8.18 GFLOPs (torchvision's and
//     fvcore's 4.09 GMACs), and all of the rules below give 8.2176 GFLOPs. A
//     one-FLOP-per-MAC convention would give about 4.1.
//   * convolution (conv1d/2d/3d, convolution, _convolution and the transposed
//     forms): 2 * N * C_out * prod(out spatial) * (C_in / groups) * prod(k),
//     i.e. 2 x output elements x weight elements per output channel, plus
//     1 per element for a bias. Transposed: 2 x input elements x weight
//     elements per input channel. Kind "depthwise_convolution" when
//     groups == C_in == C_out > 1 (weight [C, 1, k...]), else "convolution".
//   * linear, addmm, mm, matmul, bmm, baddbmm, mv, addmv: 2 * M * N * K
//     (2 x output elements x the contracted size), plus 1 per element for a
//     bias or added matrix. Kind "linear".
//   * batch_norm: 2 per element in inference (scale and shift folded into one
//     multiply-add per element); 5 in MODE_TRAINING (3 more for the batch
//     mean and variance: an add and a multiply-add per element). Kind
//     "batch_norm". layer_norm, group_norm, instance_norm: 5 per element,
//     kind "other".
//   * activations (relu, relu6/hardtanh, leaky_relu, elu, selu, gelu, silu,
//     mish, sigmoid, tanh, hardsigmoid, hardswish, softplus, prelu, clamp,
//     threshold, and their in-place forms): 1 per element whatever their
//     transcendental cost, since libraries differ there; softmax and
//     log_softmax: 5 per element (max, subtract, exp, sum, divide). Kind
//     "activation".
//   * max/avg pooling: kernel area per element; adaptive pooling and
//     mean/sum reductions: 1 per input element. Kind "pooling".
//   * add, sub, rsub, mul, div, neg and in-place forms: 1 per element. Kind
//     "elementwise".
//   * data movement (cat, stack, clone, copy_, padding, fill, ...): 0 FLOPs,
//     kind "other", but its outputs count as activations.
//   * views and metadata (view, reshape, flatten, transpose, size, empty,
//     contiguous, to, dropout in eval, ...): nothing at all; the operators
//     they call, if any (contiguous -> clone), are costed instead.
//
// Backward FLOPs (MODE_TRAINING only; 0 otherwise), following autograd:
//   * convolution and linear kinds: one forward's multiply-add FLOPs for
//     each operand that needs a gradient -- the data input when it depends on
//     a trainable parameter, the weight when it requires grad -- plus 1 per
//     element for a bias gradient. That is 2x forward, except that the first
//     layer's data gradient is not computed because the model input needs
//     none (ResNet-50: backward = 1.96x forward).
//   * every other operator: 1x its forward FLOPs when any input needs a
//     gradient, else 0.
//   Dropout masks and the optimizer step are not counted.
//
// Bytes (element sizes of the dtypes actually used; the model runs in FP32):
//   * activation_bytes: sum, over every costed operator call (compute and
//     data movement, not views), of the bytes of the tensors it returns;
//     in-place operators count again because they write their output. For
//     ResNet this equals torchsummary's per-module output sum exactly.
//   * traffic_bytes = param_bytes + input bytes + 2 x activation_bytes
//     (weights read once, input read once, every activation written once and
//     read once: the minimum main-memory traffic of a forward, Williams et
//     al.'s roofline). Buffers (batch-norm running statistics) are left out.
//   * footprint_bytes = input bytes + param_bytes + 2 x activation_bytes,
//     torchsummary's total (the seed's "ResNet50 384.62 MB" is 403308512
//     bytes of it). It equals traffic_bytes under these rules; the two are
//     kept apart because they answer different questions.
//   * intensity = forward_flops / traffic_bytes, FLOP/byte.
//
// Attribution (by_module). Every LayerCost there is the cost of one kind of
// operator in one module, named by its path from named_modules()
// ("layer1.0.conv1"; the model itself is "(root)"), listed in order of first
// call. An operator that takes a parameter or buffer, or a view of one
// (fc.weight.t() fed to addmm), as an input belongs to the module that
// registered it. An operator without one (relu, pooling, the
// residual add) belongs to the innermost module that contains the parents of
// both the parameterised operator before it and the one after it: the
// smallest module that is certainly running (ResNet: a block's inner ReLUs
// go to "layer1.0", its final add and ReLU to "layer1", the stem's max pool
// to "(root)"). LayerCost.params counts each parameter once, at the first
// operator that reads it; by_kind does the same per kind.
#ifndef BENCHFLEET_AGENT_MODELS_COST_MODEL_H_
#define BENCHFLEET_AGENT_MODELS_COST_MODEL_H_

#include <torch/torch.h>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "proto/benchmark.pb.h"

namespace benchfleet::models {

// Returns the cost of one forward (and, for MODE_TRAINING, one backward) of
// `module` on `batch` items of shape `input`, by the rules above.
// `model_name` is only used in error messages. MODE_UNSPECIFIED is treated as
// MODE_INFERENCE.
//
// Errors: INVALID_ARGUMENT for a non-positive batch or shape, or when the
// model rejects the input (c10::Error, e.g. a shape mismatch);
// RESOURCE_EXHAUSTED when it runs out of memory; INTERNAL for any other
// exception. Messages name the model, the batch and the shape. Never throws.
//
// Runs the forward in eval() and restores each submodule's train/eval flag
// afterwards, also on error. Takes about one inference forward of time and
// memory. Thread-compatible: concurrent calls on different modules are
// fine (the observer is thread-local), calls on one module are not.
absl::StatusOr<v1::CostFigures> ComputeCost(absl::string_view model_name,
                                            torch::nn::AnyModule& module,
                                            const v1::InputShape& input,
                                            int batch, v1::Mode mode);

struct CostOptions {
  // Runs the observed forward on the meta device: every operator computes
  // its output's shape and dtype but no arithmetic, so costing the zoo takes
  // a fraction of a second per model instead of one real forward each (the
  // 76.6-GFLOP efficientnet_b7 at 600x600 alone takes seconds on 2 cores).
  // The figures are the same: the rules read only shapes, dtypes, the
  // operator names and which tensors are parameters, and the module's code
  // dispatches the same operators whatever the device (checked for every
  // zoo model and a TorchScript model by cost_model_test). CONSUMES the
  // module: its parameters and buffers are moved to the meta device in
  // place and their memory freed, so use it only on a model built for
  // costing. Fails (INVALID_ARGUMENT) when an operator has no meta kernel or
  // the code reads a tensor's values; build the model again and cost it
  // with shape_only false then. Default false.
  bool shape_only = false;
};

// Returns the figures of both modes -- what ComputeCost gives for
// MODE_INFERENCE and for MODE_TRAINING -- from one observed forward, with
// `model_name`, `input` and `batch` copied in (model_digest is left empty).
// Exact, not an estimate: the observed forward is the same for both modes
// (eval(), inference mode), and the rules that differ (batch norm's forward
// FLOPs, the backward) are functions of what it sees. Takes half the time
// of two ComputeCost calls (see CostOptions::shape_only for much less).
// Errors and thread-safety as ComputeCost.
absl::StatusOr<v1::ModelCost> ComputeModelCost(
    absl::string_view model_name, torch::nn::AnyModule& module,
    const v1::InputShape& input, int batch,
    const CostOptions& options = CostOptions{});

}  // namespace benchfleet::models

#endif  // BENCHFLEET_AGENT_MODELS_COST_MODEL_H_
