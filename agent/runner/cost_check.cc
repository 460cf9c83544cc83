#include "agent/runner/cost_check.h"

#include <cstdint>
#include <utility>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "agent/models/cost_model.h"
#include "agent/runner/job_resources.h"
#include "proto/names.h"
#include "spec/model_catalog.h"

namespace benchfleet::runner {
namespace {

// The shape the cost model runs on for the memory estimate: the job's own
// when it is no larger than the model's default, else the default (with the
// job's channels), so that the estimate itself never needs much memory.
v1::InputShape ReferenceShape(const v1::BenchmarkSpec& spec) {
  const spec::CatalogEntry* entry = spec::FindModel(spec.model());
  const v1::InputShape& in = spec.input();
  if (entry == nullptr) return in;
  const v1::InputShape& def = entry->default_input;
  if (static_cast<int64_t>(in.height()) * in.width() <=
      static_cast<int64_t>(def.height()) * def.width())
    return in;
  v1::InputShape shape = def;
  shape.set_channels(in.channels());
  return shape;
}

bool SameShape(const v1::InputShape& a, const v1::InputShape& b) {
  return a.channels() == b.channels() && a.height() == b.height() &&
         a.width() == b.width();
}

}  // namespace

std::optional<std::string> CostAndMemory(models::ZooModel& model,
                                         const v1::BenchmarkSpec& spec,
                                         const RunnerOptions& options,
                                         v1::JobResult& result) {
  const bool cuda = spec.device() == v1::DEVICE_KIND_CUDA;
  const v1::InputShape reference_shape = ReferenceShape(spec);
  absl::StatusOr<v1::CostFigures> reference = models::ComputeCost(
      spec.model(), model.module, reference_shape, 1, spec.mode());
  if (!reference.ok()) {
    result.add_warnings(absl::StrCat("no cost figures or memory estimate: ",
                                     reference.status().message()));
    return std::nullopt;
  }

  if (!cuda) {
    const int64_t need =
        EstimateMemoryNeedBytes(*reference, reference_shape, 1, spec);
    absl::StatusOr<int64_t> available = ReadMemAvailable(options.host_root);
    if (!available.ok()) {
      result.add_warnings(absl::StrCat("memory need not checked: ",
                                       available.status().message()));
    } else if (need > *available) {
      return absl::StrCat(
          "out of memory, refused before running: needs about ",
          HumanBytes(static_cast<double>(need)), " (",
          ModeName(spec.mode()),
          "; cost model at batch 1 and ", InputName(reference_shape),
          ": parameters ",
          HumanBytes(static_cast<double>(reference->param_bytes())),
          ", activations ",
          HumanBytes(static_cast<double>(reference->activation_bytes())),
          ") but MemAvailable is ",
          HumanBytes(static_cast<double>(*available)));
    }
  }

  const bool reference_is_job = SameShape(reference_shape, spec.input());
  if (reference_is_job && spec.batch_size() == 1) {
    *result.mutable_cost() = *std::move(reference);
    return std::nullopt;
  }
  if (cuda) {
    // A CPU forward at a GPU job's batch could take longer than the job.
    absl::StatusOr<v1::CostFigures> one =
        reference_is_job ? reference
                         : models::ComputeCost(spec.model(), model.module,
                                               spec.input(), 1, spec.mode());
    if (!one.ok()) {
      result.add_warnings(
          absl::StrCat("no cost figures: ", one.status().message()));
      return std::nullopt;
    }
    *result.mutable_cost() = ScaleCostToBatch(*one, 1, spec.batch_size());
    result.add_warnings(
        absl::StrCat("cost figures scaled linearly from batch 1 to batch ",
                     spec.batch_size()));
    return std::nullopt;
  }
  absl::StatusOr<v1::CostFigures> job = models::ComputeCost(
      spec.model(), model.module, spec.input(), spec.batch_size(), spec.mode());
  if (!job.ok()) {
    result.add_warnings(
        absl::StrCat("no cost figures: ", job.status().message()));
    return std::nullopt;
  }
  *result.mutable_cost() = *std::move(job);
  return std::nullopt;
}

}  // namespace benchfleet::runner
