#include "agent/models/cost_recorder.h"

#include <cmath>
#include <memory>
#include <utility>

namespace benchfleet::models::cost_internal {
namespace {

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

}  // namespace

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

Recorder::Recorder(const ModuleIndex& index) : index_(index) {
  for (const c10::TensorImpl* impl : index.trainable) {
    needs_grad_.insert(impl);
  }
}

void Recorder::Start(const at::RecordFunction& fn) {
  if (suppressed_ > 0) {  // inside a costed operator
    ++suppressed_;
    return;
  }
  Frame frame;
  frame.spec = FindOpSpec(fn.name());
  if (frame.spec != nullptr) {
    if (frame.spec->rule != Rule::kFree) suppressed_ = 1;
  } else {
    frame.name = fn.name();
  }
  const auto inputs = fn.inputs();
  frame.inputs.assign(inputs.begin(), inputs.end());
  stack_.push_back(std::move(frame));
}

void Recorder::End(const at::RecordFunction& fn) {
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

void Recorder::Finish() {
  unknown_.insert(root_.unexplained.begin(), root_.unexplained.end());
  root_.unexplained.clear();
}

bool Recorder::NeedsGrad(const at::Tensor& t) const {
  return needs_grad_.contains(t.unsafeGetTensorImpl());
}

void Recorder::MarkNeedsGrad(const at::Tensor& t) {
  if (needs_grad_.insert(t.unsafeGetTensorImpl()).second) Keep(t);
}

void Recorder::Keep(const at::Tensor& t) {
  keep_.emplace_back(t.getIntrusivePtr());
}

const c10::TensorImpl* Recorder::Resolve(const at::Tensor& t) const {
  const c10::TensorImpl* impl = t.unsafeGetTensorImpl();
  if (index_.owner.contains(impl)) return impl;
  auto it = alias_.find(impl);
  return it == alias_.end() ? nullptr : it->second;
}

OpRecord Recorder::Cost(const OpSpec& spec, const std::vector<c10::IValue>& in,
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
    if (numel != index_.param_numel.end() && seen_params_.insert(impl).second) {
      r.params += numel->second;
    }
  }
  return r;
}

ObserverScope::ObserverScope(Recorder* recorder) : previous_(tls_recorder) {
  tls_recorder = recorder;
  handle_ = at::addThreadLocalCallback(
      at::RecordFunctionCallback(&OnOperatorStart, &OnOperatorEnd)
          .needsInputs(true)
          .needsOutputs(true)
          .scopes({at::RecordScope::FUNCTION}));
}

ObserverScope::~ObserverScope() {
  at::removeCallback(handle_);
  tls_recorder = previous_;
}

}  // namespace benchfleet::models::cost_internal
