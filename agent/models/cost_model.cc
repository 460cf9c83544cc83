#include "agent/models/cost_model.h"

#include <array>
#include <cstdint>
#include <exception>
#include <map>
#include <memory>
#include <new>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "agent/models/cost_recorder.h"
#include "agent/models/cost_rules.h"
#include "agent/models/meta_kernels.h"

namespace benchfleet::models {
namespace {

using cost_internal::EnsureMetaKernels;
using cost_internal::IndexModules;
using cost_internal::KindName;
using cost_internal::kKindNames;
using cost_internal::kNumKinds;
using cost_internal::ModuleIndex;
using cost_internal::MoveToMeta;
using cost_internal::ObserverScope;
using cost_internal::OpRecord;
using cost_internal::Recorder;

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
    auto [it, added] = module_entry.emplace(std::make_pair(seen.paths[i], kind),
                                            cost.by_module_size());
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
