#include "agent/models/cost_rules.h"

#include <initializer_list>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"

namespace benchfleet::models::cost_internal {
namespace {

using SpecMap = absl::flat_hash_map<std::string, OpSpec>;

// The operators the cost model knows, by schema name. See cost_model.h for
// the rules and their reasons.
const SpecMap& Specs() {
  static const SpecMap* const specs = [] {
    auto* m = new SpecMap;
    auto add = [m](std::initializer_list<const char*> names, OpSpec spec,
                   bool with_inplace = false) {
      for (const char* name : names) {
        m->emplace(absl::StrCat("aten::", name), spec);
        if (with_inplace) m->emplace(absl::StrCat("aten::", name, "_"), spec);
      }
    };
    using R = Rule;
    using K = Kind;
    // clang-format off
    add({"conv1d", "conv2d", "conv3d", "mkldnn_convolution",
         "cudnn_convolution"},
        {R::kConvolution, K::kConvolution});
    add({"conv_transpose1d", "conv_transpose2d", "conv_transpose3d"},
        {R::kConvTranspose, K::kConvolution});
    add({"convolution", "_convolution"},
        {R::kConvolutionFlag, K::kConvolution});
    add({"linear"}, {R::kLinear, K::kLinear});
    add({"mm", "matmul", "bmm", "mv", "dot"}, {R::kMatmul, K::kLinear});
    add({"addmm", "baddbmm", "addmv"}, {R::kMatmulAdd, K::kLinear});
    add({"batch_norm", "native_batch_norm"}, {R::kBatchNorm, K::kBatchNorm});
    add({"layer_norm", "native_layer_norm", "group_norm", "native_group_norm",
         "instance_norm"},
        {R::kPerOutput, K::kOther, 5});
    add({"relu", "relu6", "hardtanh", "leaky_relu", "elu", "selu", "celu",
         "silu", "mish", "sigmoid", "tanh", "hardsigmoid", "hardswish",
         "threshold", "clamp", "clamp_min", "clamp_max"},
        {R::kPerOutput, K::kActivation, 1}, /*with_inplace=*/true);
    add({"gelu", "softplus", "prelu", "_prelu_kernel", "glu", "log_sigmoid"},
        {R::kPerOutput, K::kActivation, 1});
    add({"softmax", "_softmax", "log_softmax", "_log_softmax"},
        {R::kPerOutput, K::kActivation, 5});
    add({"max_pool1d", "avg_pool1d"}, {R::kPool, K::kPooling, 1});
    add({"max_pool2d", "max_pool2d_with_indices", "mkldnn_max_pool2d",
         "avg_pool2d"},
        {R::kPool, K::kPooling, 2});
    add({"max_pool3d", "max_pool3d_with_indices", "avg_pool3d"},
        {R::kPool, K::kPooling, 3});
    add({"adaptive_avg_pool1d", "adaptive_avg_pool2d", "_adaptive_avg_pool2d",
         "adaptive_avg_pool3d", "adaptive_max_pool1d", "adaptive_max_pool2d",
         "adaptive_max_pool3d", "mean", "sum"},
        {R::kPerInput, K::kPooling, 1});
    add({"add", "sub", "mul", "div", "neg", "true_divide"},
        {R::kPerOutput, K::kElementwise, 1}, /*with_inplace=*/true);
    add({"rsub", "maximum", "minimum"}, {R::kPerOutput, K::kElementwise, 1});
    add({"cat", "concat", "stack", "clone", "copy_", "_to_copy",
         "constant_pad_nd", "pad", "reflection_pad1d", "reflection_pad2d",
         "replication_pad1d", "replication_pad2d", "replication_pad3d",
         "zero_", "fill_", "zeros", "ones", "full", "zeros_like", "ones_like",
         "full_like", "repeat", "index_select", "gather", "roll", "flip",
         "channel_shuffle", "pixel_shuffle", "pixel_unshuffle",
         "upsample_nearest1d", "upsample_nearest2d", "upsample_nearest3d"},
        {R::kData, K::kOther});
    add({"empty", "empty_like", "empty_strided", "new_empty", "view",
         "view_as", "_unsafe_view", "reshape", "reshape_as", "_reshape_alias",
         "flatten", "unflatten", "squeeze", "squeeze_", "unsqueeze",
         "unsqueeze_", "transpose", "transpose_", "t", "permute", "movedim",
         "swapaxes", "expand", "expand_as", "slice", "select", "narrow",
         "chunk", "split", "split_with_sizes", "unbind", "as_strided", "alias",
         "detach", "detach_", "lift_fresh", "contiguous", "to", "type_as",
         "dropout", "dropout_", "feature_dropout", "feature_dropout_",
         "alpha_dropout", "alpha_dropout_", "feature_alpha_dropout",
         "feature_alpha_dropout_", "size", "stride", "numel", "dim", "item",
         "_local_scalar_dense", "is_nonzero", "result_type",
         "broadcast_tensors", "resize_", "set_"},
        {R::kFree, K::kOther});
    // clang-format on
    return m;
  }();
  return *specs;
}

}  // namespace

const char* KindName(Kind kind) { return kKindNames[static_cast<int>(kind)]; }

const OpSpec* FindOpSpec(absl::string_view name) {
  const SpecMap& specs = Specs();
  auto it = specs.find(name);
  return it == specs.end() ? nullptr : &it->second;
}

}  // namespace benchfleet::models::cost_internal
