#include "spec/spec_check.h"

#include <cmath>

#include "absl/strings/str_cat.h"
#include "spec/model_catalog.h"
#include "spec/model_path.h"

namespace benchfleet::spec {

void ApplyDefaults(v1::BenchmarkSpec& spec) {
  if (!spec.has_input()) {
    if (const auto* entry = FindModel(spec.model())) {
      *spec.mutable_input() = entry->default_input;
    } else {
      spec.mutable_input()->set_channels(3);
      spec.mutable_input()->set_height(224);
      spec.mutable_input()->set_width(224);
    }
  }
  if (spec.mode() == v1::MODE_UNSPECIFIED) spec.set_mode(v1::MODE_INFERENCE);
  if (spec.precision() == v1::PRECISION_UNSPECIFIED)
    spec.set_precision(v1::PRECISION_FP32);
  if (spec.device() == v1::DEVICE_KIND_UNSPECIFIED)
    spec.set_device(v1::DEVICE_KIND_CPU);
  v1::Budget& b = *spec.mutable_budget();
  if (b.warmup_iterations() == 0) b.set_warmup_iterations(2);
  if (b.min_iterations() == 0) b.set_min_iterations(10);
  if (b.max_iterations() == 0) b.set_max_iterations(1000);
  if (b.min_seconds() == 0) b.set_min_seconds(0.5);
  if (b.max_seconds() == 0) b.set_max_seconds(30);
  if (b.stable_ci() == 0) b.set_stable_ci(0.01);
  if (spec.memory_format() == v1::MEMORY_FORMAT_UNSPECIFIED)
    spec.set_memory_format(v1::MEMORY_FORMAT_CONTIGUOUS);
}

absl::Status ValidateSpec(const v1::BenchmarkSpec& spec) {
  auto bad = [](absl::string_view field, auto value, absl::string_view why) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, " = ", value, ": ", why));
  };
  if (IsModelPath(spec.model())) {
    // A TorchScript file on the agent: only its name can be checked here.
    if (absl::Status path = ValidateModelPath(spec.model()); !path.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("model: ", path.message()));
    }
  } else if (FindModel(spec.model()) == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat("model = \"", spec.model(),
                     "\": unknown model; known models: ", KnownModelNames(),
                     "; or a TorchScript file path ending in .pt, .pth or "
                     ".ts"));
  }
  // Auxiliary classifiers exist only in GoogLeNet and Inception v3.
  if (absl::Status aux = CheckAuxLogits(spec.model(), spec.aux_logits());
      !aux.ok())
    return aux;
  if (spec.batch_size() < 1 || spec.batch_size() > kMaxBatchSize)
    return bad("batch_size", spec.batch_size(),
               absl::StrCat("must be in [1, ", kMaxBatchSize, "]"));
  const v1::InputShape& in = spec.input();
  if (in.channels() < 1 || in.channels() > kMaxChannels)
    return bad("input.channels", in.channels(),
               absl::StrCat("must be in [1, ", kMaxChannels, "]"));
  if (in.height() < 1 || in.height() > kMaxImageSide)
    return bad("input.height", in.height(),
               absl::StrCat("must be in [1, ", kMaxImageSide, "]"));
  if (in.width() < 1 || in.width() > kMaxImageSide)
    return bad("input.width", in.width(),
               absl::StrCat("must be in [1, ", kMaxImageSide, "]"));
  if (!v1::Mode_IsValid(spec.mode()))
    return bad("mode", spec.mode(), "unknown mode");
  if (!v1::Precision_IsValid(spec.precision()))
    return bad("precision", spec.precision(), "unknown precision");
  if (!v1::DeviceKind_IsValid(spec.device()))
    return bad("device", spec.device(), "unknown device kind");
  if (spec.threads() < 0 || spec.threads() > 4096)
    return bad("threads", spec.threads(), "must be in [0, 4096]");
  if (spec.inter_op_threads() < 0 || spec.inter_op_threads() > 4096)
    return bad("inter_op_threads", spec.inter_op_threads(),
               "must be in [0, 4096]");
  if (!v1::MemoryFormat_IsValid(spec.memory_format()))
    return bad("memory_format", spec.memory_format(), "unknown memory format");
  if (!v1::Scenario_IsValid(spec.scenario()))
    return bad("scenario", spec.scenario(), "unknown scenario");
  const v1::Budget& b = spec.budget();
  if (b.warmup_iterations() < 0 || b.warmup_iterations() > 100000)
    return bad("budget.warmup_iterations", b.warmup_iterations(),
               "must be in [0, 100000]");
  if (b.min_iterations() < 0 || b.min_iterations() > 1000000)
    return bad("budget.min_iterations", b.min_iterations(),
               "must be in [0, 1000000]");
  if (b.max_iterations() < 0 || b.max_iterations() > 1000000 ||
      (b.max_iterations() > 0 && b.max_iterations() < b.min_iterations()))
    return bad("budget.max_iterations", b.max_iterations(),
               "must be in [min_iterations, 1000000]");
  for (auto [field, value] :
       {std::pair{"budget.min_seconds", b.min_seconds()},
        std::pair{"budget.max_seconds", b.max_seconds()}}) {
    if (!std::isfinite(value) || value < 0 || value > 86400)
      return bad(field, value, "must be a number of seconds in [0, 86400]");
  }
  if (!std::isfinite(b.stable_ci()) || b.stable_ci() < 0)
    return bad("budget.stable_ci", b.stable_ci(),
               "must be a fraction >= 0 (0.01 = 1%)");
  return absl::OkStatus();
}

}  // namespace benchfleet::spec
