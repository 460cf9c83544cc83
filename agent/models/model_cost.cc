#include "agent/models/model_cost.h"

#include "agent/models/cost_model.h"
#include "agent/models/zoo.h"
#include "spec/model_catalog.h"

namespace benchfleet::models {

absl::StatusOr<v1::ModelCost> ComputeModelCostByName(
    absl::string_view model, const v1::InputShape& input, int batch,
    bool aux_logits) {
  if (absl::Status ok = spec::CheckAuxLogits(model, aux_logits); !ok.ok())
    return ok;
  const BuildOptions options{aux_logits};
  absl::StatusOr<ZooModel> built = BuildModelSkeleton(model, options);
  absl::StatusOr<v1::ModelCost> cost = absl::UnknownError("not costed");
  if (built.ok()) {
    CostOptions shape_only;
    shape_only.shape_only = true;
    cost = ComputeModelCost(model, built->module, input, batch, shape_only);
  } else if (absl::IsNotFound(built.status())) {
    return built.status();  // building it for real would fail the same way
  }
  if (!cost.ok()) {
    built = BuildModel(model, options);
    if (!built.ok()) return built.status();
    cost = ComputeModelCost(model, built->module, input, batch);
  }
  if (cost.ok()) cost->set_model_digest(built->digest);
  return cost;
}

}  // namespace benchfleet::models
