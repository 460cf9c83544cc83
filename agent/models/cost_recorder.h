// The cost model's recorder: receives the ATen operators of one observed
// forward (through an at::RecordFunction observer on this thread), applies
// the operator rules (cost_rules.h) and keeps one OpRecord per costed call,
// with the FLOPs of both modes, the activation bytes and the parameters it
// read first. Also the index of a module tree's parameters and buffers the
// attribution needs. The counting rules are documented in cost_model.h.
// Internal to the cost model.
#ifndef BENCHFLEET_AGENT_MODELS_COST_RECORDER_H_
#define BENCHFLEET_AGENT_MODELS_COST_RECORDER_H_

#include <ATen/record_function.h>
#include <torch/torch.h>

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "agent/models/cost_rules.h"

namespace benchfleet::models::cost_internal {

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

// Who owns each parameter and buffer, and which tensors need gradients.
struct ModuleIndex {
  std::vector<std::string> paths;                          // "" is the root
  absl::flat_hash_map<const c10::TensorImpl*, int> owner;  // -> paths index
  absl::flat_hash_map<const c10::TensorImpl*, int64_t> param_numel;
  std::vector<const c10::TensorImpl*> trainable;  // requires_grad params
  int64_t params = 0;
  int64_t param_bytes = 0;
};

// Indexes every parameter and buffer of `root` and its submodules.
ModuleIndex IndexModules(torch::nn::Module& root);

// Receives the observed operators of one forward on one thread. Operators
// nest strictly (LIFO), so a stack of frames mirrors the call tree.
class Recorder {
 public:
  explicit Recorder(const ModuleIndex& index);

  void Start(const at::RecordFunction& fn);
  void End(const at::RecordFunction& fn);

  // Call once the forward has returned.
  void Finish();

  const std::vector<OpRecord>& records() const { return records_; }
  const std::set<std::string>& unknown() const { return unknown_; }

 private:
  // An operator call in progress, at a level the rules look at.
  struct Frame {
    const OpSpec* spec = nullptr;  // null: unknown operator
    std::string name;              // set for unknown operators
    std::vector<c10::IValue> inputs;
    bool subtree_costed = false;           // some operator it called was costed
    std::vector<std::string> unexplained;  // unknown callees, nothing costed
  };

  bool NeedsGrad(const at::Tensor& t) const;
  void MarkNeedsGrad(const at::Tensor& t);
  // Holds a weak reference to a tensor whose address is remembered: it keeps
  // the TensorImpl's address from being reused by a later tensor while
  // leaving its storage free to go.
  void Keep(const at::Tensor& t);
  // The parameter or buffer `t` is, or is a view of; null if none.
  const c10::TensorImpl* Resolve(const at::Tensor& t) const;
  OpRecord Cost(const OpSpec& spec, const std::vector<c10::IValue>& in,
                const std::vector<c10::IValue>& out);

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

// Routes this thread's ATen operators to `recorder` while alive.
class ObserverScope {
 public:
  explicit ObserverScope(Recorder* recorder);
  ~ObserverScope();
  ObserverScope(const ObserverScope&) = delete;
  ObserverScope& operator=(const ObserverScope&) = delete;

 private:
  Recorder* const previous_;
  at::CallbackHandle handle_;
};

}  // namespace benchfleet::models::cost_internal

#endif  // BENCHFLEET_AGENT_MODELS_COST_RECORDER_H_
