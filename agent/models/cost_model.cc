#include "agent/models/cost_model.h"

#include <ATen/core/dispatch/Dispatcher.h>
#include <ATen/record_function.h>
#include <torch/library.h>

#include <array>
#include <cmath>
#include <cstdint>
#include <exception>
#include <map>
#include <memory>
#include <mutex>
#include <new>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace benchfleet::models {
namespace {

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
constexpr int kNumKinds = 8;
constexpr std::array<const char*, kNumKinds> kKindNames = {
    "convolution", "depthwise_convolution",
    "linear",      "batch_norm",
    "activation",  "pooling",
    "elementwise", "other",
};

const char* KindName(Kind kind) { return kKindNames[static_cast<int>(kind)]; }

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

using SpecMap = absl::flat_hash_map<std::string, OpSpec>;

// The operators the cost model knows, by schema name. See the header for
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

// The defined tensor at inputs[i], or null.
const at::Tensor* TensorArg(const std::vector<c10::IValue>& args, size_t i) {
  if (i >= args.size() || !args[i].isTensor()) return nullptr;
  const at::Tensor& t = args[i].toTensor();
  return t.defined() ? &t : nullptr;
}

// Calls `fn` on every defined tensor in `values`, also inside tensor lists.
template <typename Fn>
void ForEachTensor(const std::vector<c10::IValue>& values, Fn fn) {
  for (const c10::IValue& v : values) {
    if (v.isTensor()) {
      if (v.toTensor().defined()) fn(v.toTensor());
    } else if (v.isTensorList()) {
      for (const at::Tensor& t : v.toTensorVector()) {
        if (t.defined()) fn(t);
      }
    }
  }
}

// One costed operator call, with the figures of both modes: the observed
// forward is the same for both (eval(), inference mode), so only batch norm's
// forward FLOPs and the backward differ.
struct OpRecord {
  Kind kind = Kind::kOther;
  double forward_flops = 0;           // MODE_INFERENCE
  double training_forward_flops = 0;  // MODE_TRAINING
  double backward_flops = 0;          // MODE_TRAINING
  int64_t activation_bytes = 0;
  int64_t params = 0;  // parameters read for the first time here
  int owner = -1;      // index of the module owning a parameter input
};

// An operator call in progress, at a level the rules look at.
struct Frame {
  const OpSpec* spec = nullptr;  // null: unknown operator
  std::string name;              // set for unknown operators
  std::vector<c10::IValue> inputs;
  bool subtree_costed = false;           // some operator it called was costed
  std::vector<std::string> unexplained;  // unknown callees, nothing costed
};

// Who owns each parameter and buffer, and which tensors need gradients.
struct ModuleIndex {
  std::vector<std::string> paths;                          // "" is the root
  absl::flat_hash_map<const c10::TensorImpl*, int> owner;  // -> paths index
  absl::flat_hash_map<const c10::TensorImpl*, int64_t> param_numel;
  std::vector<const c10::TensorImpl*> trainable;  // requires_grad params
  int64_t params = 0;
  int64_t param_bytes = 0;
};

ModuleIndex IndexModules(torch::nn::Module& root) {
  ModuleIndex index;
  for (const auto& item : root.named_modules("", /*include_self=*/true)) {
    const int id = static_cast<int>(index.paths.size());
    index.paths.push_back(item.key());
    for (const auto& p : item.value()->named_parameters(/*recurse=*/false)) {
      const c10::TensorImpl* impl = p.value().unsafeGetTensorImpl();
      if (!index.owner.emplace(impl, id).second) continue;  // shared
      index.param_numel[impl] = p.value().numel();
      index.params += p.value().numel();
      index.param_bytes += static_cast<int64_t>(p.value().nbytes());
      if (p.value().requires_grad()) index.trainable.push_back(impl);
    }
    for (const auto& b : item.value()->named_buffers(/*recurse=*/false)) {
      index.owner.emplace(b.value().unsafeGetTensorImpl(), id);
    }
  }
  return index;
}

// Receives the observed operators of one forward on one thread. Operators
// nest strictly (LIFO), so a stack of frames mirrors the call tree.
class Recorder {
 public:
  explicit Recorder(const ModuleIndex& index) : index_(index) {
    for (const c10::TensorImpl* impl : index.trainable) {
      needs_grad_.insert(impl);
    }
  }

  void Start(const at::RecordFunction& fn) {
    if (suppressed_ > 0) {  // inside a costed operator
      ++suppressed_;
      return;
    }
    const auto& specs = Specs();
    auto it = specs.find(absl::string_view(fn.name()));
    Frame frame;
    if (it != specs.end()) {
      frame.spec = &it->second;
      if (frame.spec->rule != Rule::kFree) suppressed_ = 1;
    } else {
      frame.name = fn.name();
    }
    const auto inputs = fn.inputs();
    frame.inputs.assign(inputs.begin(), inputs.end());
    stack_.push_back(std::move(frame));
  }

  void End(const at::RecordFunction& fn) {
    if (suppressed_ > 1) {
      --suppressed_;
      return;
    }
    suppressed_ = 0;
    if (stack_.empty()) return;  // began before the observer; not ours
    Frame frame = std::move(stack_.back());
    stack_.pop_back();
    Frame& parent = stack_.empty() ? root_ : stack_.back();
    const std::vector<c10::IValue>& outputs = fn.outputs();

    // Autograd's rule: an output needs a gradient when an input does.
    bool input_needs_grad = false;
    ForEachTensor(frame.inputs, [&](const at::Tensor& t) {
      input_needs_grad = input_needs_grad || NeedsGrad(t);
    });
    if (input_needs_grad) {
      ForEachTensor(outputs, [&](const at::Tensor& t) { MarkNeedsGrad(t); });
    }

    if (frame.spec != nullptr && frame.spec->rule == Rule::kFree) {
      // A view of a parameter (fc.weight.t() fed to addmm) stands for it.
      for (const c10::IValue& v : frame.inputs) {
        if (!v.isTensor() || !v.toTensor().defined()) continue;
        const c10::TensorImpl* param = Resolve(v.toTensor());
        if (param == nullptr) continue;
        ForEachTensor(outputs, [&](const at::Tensor& t) {
          if (alias_.emplace(t.unsafeGetTensorImpl(), param).second) Keep(t);
        });
        break;
      }
    }
    if (frame.spec == nullptr || frame.spec->rule == Rule::kFree) {
      // Unknown or free: explained by its callees if any was costed.
      if (frame.subtree_costed) {
        unknown_.insert(frame.unexplained.begin(), frame.unexplained.end());
        parent.subtree_costed = true;
      } else if (frame.spec == nullptr) {
        parent.unexplained.push_back(std::move(frame.name));
      } else {
        for (auto& name : frame.unexplained) {
          parent.unexplained.push_back(std::move(name));
        }
      }
      return;
    }
    records_.push_back(Cost(*frame.spec, frame.inputs, outputs));
    parent.subtree_costed = true;
  }

  // Call once the forward has returned.
  void Finish() {
    unknown_.insert(root_.unexplained.begin(), root_.unexplained.end());
    root_.unexplained.clear();
  }

  const std::vector<OpRecord>& records() const { return records_; }
  const std::set<std::string>& unknown() const { return unknown_; }

 private:
  bool NeedsGrad(const at::Tensor& t) const {
    return needs_grad_.contains(t.unsafeGetTensorImpl());
  }

  void MarkNeedsGrad(const at::Tensor& t) {
    if (needs_grad_.insert(t.unsafeGetTensorImpl()).second) Keep(t);
  }

  // Holds a weak reference to a tensor whose address is remembered: it keeps
  // the TensorImpl's address from being reused by a later tensor while
  // leaving its storage free to go.
  void Keep(const at::Tensor& t) { keep_.emplace_back(t.getIntrusivePtr()); }

  // The parameter or buffer `t` is, or is a view of; null if none.
  const c10::TensorImpl* Resolve(const at::Tensor& t) const {
    const c10::TensorImpl* impl = t.unsafeGetTensorImpl();
    if (index_.owner.contains(impl)) return impl;
    auto it = alias_.find(impl);
    return it == alias_.end() ? nullptr : it->second;
  }

  OpRecord Cost(const OpSpec& spec, const std::vector<c10::IValue>& in,
                const std::vector<c10::IValue>& out) {
    OpRecord r;
    r.kind = spec.kind;
    const at::Tensor* y = TensorArg(out, 0);
    const double y_numel = y ? static_cast<double>(y->numel()) : 0.0;
    bool any_input_needs_grad = false;
    ForEachTensor(in, [&](const at::Tensor& t) {
      any_input_needs_grad = any_input_needs_grad || NeedsGrad(t);
    });
    // Multiply-add FLOPs, and which operands (a, b) of the product and which
    // added term need gradients, for the convolution and linear kinds.
    double mac_flops = 0, add_flops = 0;
    const at::Tensor* a = nullptr;
    const at::Tensor* b = nullptr;
    const at::Tensor* addend = nullptr;
    switch (spec.rule) {
      case Rule::kConvolution:
      case Rule::kConvTranspose:
      case Rule::kConvolutionFlag: {
        a = TensorArg(in, 0);
        b = TensorArg(in, 1);
        addend = TensorArg(in, 2);
        if (a == nullptr || b == nullptr || y == nullptr || b->dim() < 2 ||
            b->size(0) == 0) {
          break;
        }
        bool transposed = spec.rule == Rule::kConvTranspose;
        if (spec.rule == Rule::kConvolutionFlag && in.size() > 6 &&
            in[6].isBool()) {
          transposed = in[6].toBool();
        }
        // Weight elements per output channel (per input channel when
        // transposed): (C_in / groups) * prod(kernel).
        const double per_channel =
            static_cast<double>(b->numel()) / static_cast<double>(b->size(0));
        mac_flops = 2 * per_channel *
                    (transposed ? static_cast<double>(a->numel()) : y_numel);
        if (addend != nullptr) add_flops = y_numel;
        if (!transposed && b->size(1) == 1 && a->dim() >= 2 &&
            a->size(1) == b->size(0) && b->size(0) > 1) {
          r.kind = Kind::kDepthwise;
        }
        break;
      }
      case Rule::kLinear:
      case Rule::kMatmul:
      case Rule::kMatmulAdd: {
        const size_t first = spec.rule == Rule::kMatmulAdd ? 1 : 0;
        a = TensorArg(in, first);
        b = TensorArg(in, first + 1);
        addend = spec.rule == Rule::kLinear      ? TensorArg(in, 2)
                 : spec.rule == Rule::kMatmulAdd ? TensorArg(in, 0)
                                                 : nullptr;
        if (a == nullptr || a->dim() < 1 || y == nullptr) break;
        mac_flops = 2 * y_numel * static_cast<double>(a->size(-1));
        if (addend != nullptr) add_flops = y_numel;
        break;
      }
      case Rule::kBatchNorm:
        r.forward_flops = 2 * y_numel;
        r.training_forward_flops = 5 * y_numel;
        break;
      case Rule::kPerOutput:
        r.forward_flops = spec.per_element * y_numel;
        break;
      case Rule::kPerInput:
        if (const at::Tensor* x = TensorArg(in, 0)) {
          r.forward_flops = spec.per_element * static_cast<double>(x->numel());
        }
        break;
      case Rule::kPool: {
        double area = 0;
        if (in.size() > 1 && in[1].isIntList()) {
          const auto kernel = in[1].toIntVector();
          area = 1;
          for (int64_t k : kernel) area *= static_cast<double>(k);
          // A single size stands for every spatial dimension.
          if (kernel.size() == 1) area = std::pow(area, spec.per_element);
        }
        r.forward_flops = area * y_numel;
        break;
      }
      case Rule::kData:
      case Rule::kFree:
        break;
    }
    if (spec.rule != Rule::kBatchNorm) {
      r.training_forward_flops = r.forward_flops;
    }
    if (spec.kind == Kind::kConvolution || spec.kind == Kind::kLinear) {
      r.forward_flops = r.training_forward_flops = mac_flops + add_flops;
      // One multiply-add pass per operand that needs a gradient; a sum over
      // the output for the added term (bias gradient).
      if (a != nullptr && NeedsGrad(*a)) r.backward_flops += mac_flops;
      if (b != nullptr && NeedsGrad(*b)) r.backward_flops += mac_flops;
      if (addend != nullptr && NeedsGrad(*addend)) {
        r.backward_flops += add_flops;
      }
    } else if (any_input_needs_grad) {
      r.backward_flops = r.training_forward_flops;
    }
    ForEachTensor(out, [&](const at::Tensor& t) {
      r.activation_bytes += static_cast<int64_t>(t.nbytes());
    });
    // The first top-level tensor that is a parameter or buffer, or a view of
    // one, names the module; each parameter is counted at its first reader.
    for (const c10::IValue& v : in) {
      if (!v.isTensor() || !v.toTensor().defined()) continue;
      const c10::TensorImpl* impl = Resolve(v.toTensor());
      if (impl == nullptr) continue;
      auto owner = index_.owner.find(impl);
      if (r.owner < 0) r.owner = owner->second;
      auto numel = index_.param_numel.find(impl);
      if (numel != index_.param_numel.end() &&
          seen_params_.insert(impl).second) {
        r.params += numel->second;
      }
    }
    return r;
  }

  const ModuleIndex& index_;
  int suppressed_ = 0;  // depth inside a costed operator, itself included
  std::vector<Frame> stack_;
  Frame root_;
  std::vector<OpRecord> records_;
  std::set<std::string> unknown_;
  absl::flat_hash_set<const c10::TensorImpl*> needs_grad_;
  std::vector<
      c10::weak_intrusive_ptr<c10::TensorImpl, c10::UndefinedTensorImpl>>
      keep_;
  absl::flat_hash_set<const c10::TensorImpl*> seen_params_;
  // Views of parameters and buffers -> the parameter or buffer.
  absl::flat_hash_map<const c10::TensorImpl*, const c10::TensorImpl*> alias_;
};

// The recorder of the ComputeCost running on this thread, if any. The
// observer callbacks are plain function pointers, so they find it here.
thread_local Recorder* tls_recorder = nullptr;

std::unique_ptr<at::ObserverContext> OnOperatorStart(
    const at::RecordFunction& fn) {
  if (tls_recorder != nullptr) tls_recorder->Start(fn);
  return nullptr;
}

void OnOperatorEnd(const at::RecordFunction& fn, at::ObserverContext*) {
  if (tls_recorder != nullptr) tls_recorder->End(fn);
}

// Routes this thread's ATen operators to `recorder` while alive.
class ObserverScope {
 public:
  explicit ObserverScope(Recorder* recorder) : previous_(tls_recorder) {
    tls_recorder = recorder;
    handle_ = at::addThreadLocalCallback(
        at::RecordFunctionCallback(&OnOperatorStart, &OnOperatorEnd)
            .needsInputs(true)
            .needsOutputs(true)
            .scopes({at::RecordScope::FUNCTION}));
  }
  ~ObserverScope() {
    at::removeCallback(handle_);
    tls_recorder = previous_;
  }
  ObserverScope(const ObserverScope&) = delete;
  ObserverScope& operator=(const ObserverScope&) = delete;

 private:
  Recorder* const previous_;
  at::CallbackHandle handle_;
};

// Puts a module tree in eval() and restores every module's own flag.
class EvalScope {
 public:
  explicit EvalScope(torch::nn::Module& root) {
    // modules() is pre-order, so restoring in order lets each child's own
    // flag win over its parent's recursive train().
    for (const auto& m : root.modules(/*include_self=*/true)) {
      flags_.emplace_back(m, m->is_training());
    }
    root.eval();
  }
  ~EvalScope() {
    for (auto& [module, training] : flags_) module->train(training);
  }
  EvalScope(const EvalScope&) = delete;
  EvalScope& operator=(const EvalScope&) = delete;

 private:
  std::vector<std::pair<std::shared_ptr<torch::nn::Module>, bool>> flags_;
};

std::string ParentPath(const std::string& path) {
  const size_t dot = path.rfind('.');
  return dot == std::string::npos ? "" : path.substr(0, dot);
}

// The longest common dotted prefix: the innermost module containing both.
std::string CommonAncestor(const std::string& x, const std::string& y) {
  const std::vector<absl::string_view> xs = absl::StrSplit(x, '.');
  const std::vector<absl::string_view> ys = absl::StrSplit(y, '.');
  std::string result;
  for (size_t i = 0; i < xs.size() && i < ys.size() && xs[i] == ys[i]; ++i) {
    if (xs[i].empty()) break;
    absl::StrAppend(&result, i == 0 ? "" : ".", xs[i]);
  }
  return result;
}

// The module path each record is attributed to (see the header's rule).
std::vector<std::string> Attribute(const std::vector<OpRecord>& records,
                                   const ModuleIndex& index) {
  const size_t n = records.size();
  std::vector<int> prev(n, -1), next(n, -1);
  int last = -1;
  for (size_t i = 0; i < n; ++i) {
    if (records[i].owner >= 0) last = records[i].owner;
    prev[i] = last;
  }
  last = -1;
  for (size_t i = n; i-- > 0;) {
    if (records[i].owner >= 0) last = records[i].owner;
    next[i] = last;
  }
  std::vector<std::string> paths(n);
  for (size_t i = 0; i < n; ++i) {
    if (records[i].owner >= 0) {
      paths[i] = index.paths[records[i].owner];
    } else if (prev[i] >= 0 && next[i] >= 0) {
      paths[i] = CommonAncestor(ParentPath(index.paths[prev[i]]),
                                ParentPath(index.paths[next[i]]));
    } else if (prev[i] >= 0 || next[i] >= 0) {
      paths[i] = ParentPath(index.paths[prev[i] >= 0 ? prev[i] : next[i]]);
    }
  }
  return paths;
}

// What one observed forward saw: enough for the figures of either mode.
struct Observation {
  ModuleIndex index;
  std::vector<OpRecord> records;
  std::vector<std::string> paths;  // records[i] is attributed to paths[i]
  std::set<std::string> unknown;
  int64_t input_bytes = 0;
};

// The figures of one record in one mode.
struct ModeFlops {
  double forward = 0;
  double backward = 0;
};

ModeFlops FlopsIn(const OpRecord& r, bool training) {
  return training ? ModeFlops{r.training_forward_flops, r.backward_flops}
                  : ModeFlops{r.forward_flops, 0};
}

void Accumulate(const OpRecord& r, bool training, v1::LayerCost& cost) {
  const ModeFlops flops = FlopsIn(r, training);
  cost.set_forward_flops(cost.forward_flops() + flops.forward);
  cost.set_backward_flops(cost.backward_flops() + flops.backward);
  cost.set_params(cost.params() + r.params);
  cost.set_activation_bytes(cost.activation_bytes() + r.activation_bytes);
  cost.set_calls(cost.calls() + 1);
}

// The CostFigures of `seen` in MODE_TRAINING when `training`, else
// MODE_INFERENCE.
v1::CostFigures Summarize(const Observation& seen, bool training) {
  v1::CostFigures cost;
  std::array<v1::LayerCost, kNumKinds> by_kind;
  std::map<std::pair<std::string, int>, int> module_entry;
  for (size_t i = 0; i < seen.records.size(); ++i) {
    const OpRecord& r = seen.records[i];
    const int kind = static_cast<int>(r.kind);
    Accumulate(r, training, by_kind[kind]);
    auto [it, added] = module_entry.emplace(
        std::make_pair(seen.paths[i], kind), cost.by_module_size());
    if (added) {
      v1::LayerCost* entry = cost.add_by_module();
      entry->set_name(seen.paths[i].empty() ? "(root)" : seen.paths[i]);
      entry->set_kind(KindName(r.kind));
    }
    Accumulate(r, training, *cost.mutable_by_module(it->second));
    const ModeFlops flops = FlopsIn(r, training);
    cost.set_forward_flops(cost.forward_flops() + flops.forward);
    cost.set_backward_flops(cost.backward_flops() + flops.backward);
    cost.set_activation_bytes(cost.activation_bytes() + r.activation_bytes);
  }
  for (int k = 0; k < kNumKinds; ++k) {
    if (by_kind[k].calls() == 0) continue;
    by_kind[k].set_name(kKindNames[k]);
    by_kind[k].set_kind(kKindNames[k]);
    *cost.add_by_kind() = std::move(by_kind[k]);
  }
  for (const std::string& name : seen.unknown) cost.add_unknown_ops(name);
  const int64_t param_bytes = seen.index.param_bytes;
  cost.set_params(seen.index.params);
  cost.set_param_bytes(param_bytes);
  cost.set_traffic_bytes(param_bytes + seen.input_bytes +
                         2 * cost.activation_bytes());
  cost.set_footprint_bytes(seen.input_bytes + param_bytes +
                           2 * cost.activation_bytes());
  cost.set_intensity(cost.traffic_bytes() > 0
                         ? cost.forward_flops() /
                               static_cast<double>(cost.traffic_bytes())
                         : 0.0);
  return cost;
}

std::string Describe(absl::string_view model_name, int batch,
                     const v1::InputShape& input) {
  return absl::StrCat("cost of model \"", model_name, "\" at batch ", batch,
                      " x ", input.channels(), "x", input.height(), "x",
                      input.width());
}

// The output of a convolution on the meta device: LibTorch 1.13 has no meta
// kernel for it in C++ (Python registers one in torch/_meta_registrations.py).
// Shapes as torch.nn.Conv*d's documentation: out = (in + 2p - d(k-1) - 1) / s
// + 1, transposed out = (in - 1)s - 2p + d(k-1) + output_padding + 1.
at::Tensor ConvolutionMeta(const at::Tensor& input, const at::Tensor& weight,
                           const c10::optional<at::Tensor>& /*bias*/,
                           at::IntArrayRef stride, at::IntArrayRef padding,
                           at::IntArrayRef dilation, bool transposed,
                           at::IntArrayRef output_padding, int64_t groups) {
  TORCH_CHECK(input.dim() >= 3 && weight.dim() == input.dim(),
              "convolution (meta): expected batched input and a weight of "
              "the same rank, got ", input.sizes(), " and ", weight.sizes());
  // The CPU kernel's check, which a wrong --input must still fail.
  const int64_t expected_channels =
      transposed ? weight.size(0) : weight.size(1) * groups;
  TORCH_CHECK(input.size(1) == expected_channels,
              "Given groups=", groups, ", weight of size ", weight.sizes(),
              ", expected input", input.sizes(), " to have ",
              expected_channels, " channels, but got ", input.size(1),
              " channels instead");
  // A one-element list stands for every spatial dimension.
  auto at = [](at::IntArrayRef values, int64_t i, int64_t otherwise) {
    if (values.empty()) return otherwise;
    return values.size() == 1 ? values[0] : values[i];
  };
  std::vector<int64_t> shape = {
      input.size(0), transposed ? weight.size(1) * groups : weight.size(0)};
  for (int64_t i = 0; i + 2 < input.dim(); ++i) {
    const int64_t in = input.size(i + 2);
    const int64_t k = weight.size(i + 2);
    const int64_t s = at(stride, i, 1);
    const int64_t p = at(padding, i, 0);
    const int64_t d = at(dilation, i, 1);
    const int64_t out =
        transposed ? (in - 1) * s - 2 * p + d * (k - 1) +
                         at(output_padding, i, 0) + 1
                   : (in + 2 * p - d * (k - 1) - 1) / s + 1;
    TORCH_CHECK(out > 0, "convolution (meta): input ", input.sizes(),
                " too small for kernel ", weight.sizes());
    shape.push_back(out);
  }
  return at::empty(shape, input.options());
}

// Adaptive pooling to `output_size`: the leading dimensions, then it.
at::Tensor AdaptiveAvgPool2dMeta(const at::Tensor& input,
                                 at::IntArrayRef output_size) {
  TORCH_CHECK((input.dim() == 3 || input.dim() == 4) &&
                  output_size.size() == 2,
              "adaptive_avg_pool2d (meta): bad input ", input.sizes());
  std::vector<int64_t> shape(input.sizes().begin(), input.sizes().end() - 2);
  shape.insert(shape.end(), output_size.begin(), output_size.end());
  return at::empty(shape, input.options());
}

// Batch norm: an output like the input, and the saved batch statistics
// (per channel in training, empty in inference, as the CPU kernel).
std::tuple<at::Tensor, at::Tensor, at::Tensor> NativeBatchNormMeta(
    const at::Tensor& input, const c10::optional<at::Tensor>& /*weight*/,
    const c10::optional<at::Tensor>& /*bias*/,
    const c10::optional<at::Tensor>& running_mean,
    const c10::optional<at::Tensor>& /*running_var*/, bool training,
    double /*momentum*/, double /*eps*/) {
  TORCH_CHECK(input.dim() >= 2, "batch_norm (meta): bad input ",
              input.sizes());
  if (running_mean.has_value() && running_mean->defined()) {
    TORCH_CHECK(running_mean->numel() == input.size(1),
                "running_mean should contain ", input.size(1),
                " elements not ", running_mean->numel());
  }
  const int64_t saved = training ? input.size(1) : 0;
  return {at::empty_like(input), at::empty({saved}, input.options()),
          at::empty({saved}, input.options())};
}

// An elementwise operator: an output like the input.
at::Tensor UnaryMeta(const at::Tensor& input) { return at::empty_like(input); }

// Registers the meta kernels shape_only needs and LibTorch 1.13 lacks in
// C++, once, and each only where it is missing (a later LibTorch may bring
// its own; registering twice would abort).
void EnsureMetaKernels() {
  static std::once_flag once;
  std::call_once(once, [] {
    auto missing = [](const char* name) {
      const auto op = c10::Dispatcher::singleton().findSchema({name, ""});
      return op.has_value() &&
             !op->hasKernelForDispatchKey(c10::DispatchKey::Meta);
    };
    static auto* const library =
        new torch::Library(torch::Library::IMPL, "aten", c10::DispatchKey::Meta,
                           __FILE__, __LINE__);
    if (missing("aten::convolution_overrideable")) {
      library->impl("convolution_overrideable", TORCH_FN(ConvolutionMeta));
    }
    if (missing("aten::_adaptive_avg_pool2d")) {
      library->impl("_adaptive_avg_pool2d", TORCH_FN(AdaptiveAvgPool2dMeta));
    }
    if (missing("aten::relu")) library->impl("relu", TORCH_FN(UnaryMeta));
    if (missing("aten::native_batch_norm")) {
      library->impl("native_batch_norm", TORCH_FN(NativeBatchNormMeta));
    }
  });
}

// Moves every parameter and buffer of `root` to the meta device in place:
// each keeps its TensorImpl (so the index's identities, the module's own
// handles and requires_grad stay valid) but now holds sizes and a dtype and
// no data; its CPU memory is freed. nn::Module::to(kMeta) cannot do this:
// Tensor::set_data refuses to change a tensor's backend.
void MoveToMeta(torch::nn::Module& root) {
  torch::NoGradGuard no_grad;
  auto move = [](const at::Tensor& t) {
    if (!t.defined() || t.is_meta()) return;
    t.unsafeGetTensorImpl()->shallow_copy_from(
        t.detach().to(at::kMeta).getIntrusivePtr());
  };
  for (const auto& p : root.parameters(/*recurse=*/true)) move(p);
  for (const auto& b : root.buffers(/*recurse=*/true)) move(b);
}

// Runs the forward once under the observer (see the header's method).
absl::StatusOr<Observation> Observe(absl::string_view model_name,
                                    torch::nn::AnyModule& module,
                                    const v1::InputShape& input, int batch,
                                    const CostOptions& options) {
  const std::string what = Describe(model_name, batch, input);
  if (batch < 1 || input.channels() < 1 || input.height() < 1 ||
      input.width() < 1) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, ": batch and shape must be positive"));
  }
  if (module.is_empty()) {
    return absl::InvalidArgumentError(absl::StrCat(what, ": empty module"));
  }
  torch::nn::Module& root = *module.ptr();
  Observation seen;
  try {
    seen.index = IndexModules(root);
    if (options.shape_only) {
      EnsureMetaKernels();
      MoveToMeta(root);
    }
    const at::Tensor x =
        torch::zeros({batch, input.channels(), input.height(), input.width()},
                     options.shape_only ? at::kMeta : at::kCPU);
    seen.input_bytes = static_cast<int64_t>(x.nbytes());
    Recorder recorder(seen.index);
    {
      EvalScope eval(root);
      c10::InferenceMode inference_mode;
      ObserverScope observe(&recorder);
      module.forward(x);
    }
    recorder.Finish();
    seen.records = recorder.records();
    seen.paths = Attribute(seen.records, seen.index);
    seen.unknown = recorder.unknown();
  } catch (const c10::OutOfMemoryError& e) {
    return absl::ResourceExhaustedError(
        absl::StrCat(what, ": ", e.what_without_backtrace()));
  } catch (const c10::Error& e) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, ": ", e.what_without_backtrace()));
  } catch (const std::bad_alloc& e) {
    return absl::ResourceExhaustedError(absl::StrCat(what, ": ", e.what()));
  } catch (const std::exception& e) {
    return absl::InternalError(absl::StrCat(what, ": ", e.what()));
  }
  return seen;
}

}  // namespace

absl::StatusOr<v1::CostFigures> ComputeCost(absl::string_view model_name,
                                            torch::nn::AnyModule& module,
                                            const v1::InputShape& input,
                                            int batch, v1::Mode mode) {
  absl::StatusOr<Observation> seen =
      Observe(model_name, module, input, batch, CostOptions{});
  if (!seen.ok()) return seen.status();
  return Summarize(*seen, mode == v1::MODE_TRAINING);
}

absl::StatusOr<v1::ModelCost> ComputeModelCost(absl::string_view model_name,
                                               torch::nn::AnyModule& module,
                                               const v1::InputShape& input,
                                               int batch,
                                               const CostOptions& options) {
  absl::StatusOr<Observation> seen =
      Observe(model_name, module, input, batch, options);
  if (!seen.ok()) return seen.status();
  v1::ModelCost cost;
  cost.set_name(std::string(model_name));
  *cost.mutable_input() = input;
  cost.set_batch(batch);
  *cost.mutable_inference() = Summarize(*seen, /*training=*/false);
  *cost.mutable_training() = Summarize(*seen, /*training=*/true);
  return cost;
}

}  // namespace benchfleet::models
