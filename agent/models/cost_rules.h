// The cost model's operator rules: which ATen operators it knows, the kind
// of LayerCost each counts as, and the rule its FLOPs follow. The rules
// themselves are documented in cost_model.h; the recorder
// (cost_recorder.h) applies them. Internal to the cost model.
#ifndef BENCHFLEET_AGENT_MODELS_COST_RULES_H_
#define BENCHFLEET_AGENT_MODELS_COST_RULES_H_

#include <array>

#include "absl/strings/string_view.h"

namespace benchfleet::models::cost_internal {

// The kinds of LayerCost, in the order by_kind lists them.
enum class Kind {
  kConvolution,
  kDepthwise,
  kLinear,
  kBatchNorm,
  kActivation,
  kPooling,
  kElementwise,
  kOther,
};
inline constexpr int kNumKinds = 8;
inline constexpr std::array<const char*, kNumKinds> kKindNames = {
    "convolution", "depthwise_convolution",
    "linear",      "batch_norm",
    "activation",  "pooling",
    "elementwise", "other",
};

// The name of `kind` as LayerCost.kind writes it.
const char* KindName(Kind kind);

// How an operator's FLOPs follow from its inputs and outputs.
enum class Rule {
  kConvolution,      // (x, weight, bias?, ...)
  kConvTranspose,    // (x, weight, bias?, ...), weight [C_in, C_out/g, k...]
  kConvolutionFlag,  // aten::convolution / _convolution: inputs[6] transposed
  kLinear,           // (x, weight [out, in], bias?)
  kMatmul,           // (a, b): contracted size a.size(-1)
  kMatmulAdd,        // (c, a, b, ...): c + a @ b
  kBatchNorm,        // 2 (inference) or 5 (training) per element
  kPerOutput,        // per_element x output elements
  kPerInput,         // per_element x elements of inputs[0]
  kPool,             // kernel area (inputs[1]) x output elements
  kData,             // 0 FLOPs; the outputs are activations
  kFree,             // views and metadata: not costed, looked through
};

struct OpSpec {
  Rule rule;
  Kind kind;
  // FLOPs per element for kPerOutput/kPerInput; spatial rank for kPool.
  double per_element = 0;
};

// The rule for the operator with schema name `name` ("aten::conv2d"), or
// null when the cost model does not know it.
const OpSpec* FindOpSpec(absl::string_view name);

}  // namespace benchfleet::models::cost_internal

#endif  // BENCHFLEET_AGENT_MODELS_COST_RULES_H_
