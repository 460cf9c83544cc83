// The analytic cost of a model named the way a BenchmarkSpec names it -- a
// zoo name or a TorchScript file path -- in both modes, computed the fast
// way when it can be: built as a skeleton (zoo.h's BuildModelSkeleton) and
// costed shape-only (cost_model.h's CostOptions::shape_only), so no
// initialisation and no arithmetic runs. The whole zoo at its default inputs
// takes well under a second this way against about 30 s of CPU time for a
// real forward of each model on 2 cores (efficientnet_b7 at 600x600 alone
// is 76.6 GFLOPs). The figures are the real forward's, field for field
// (model_cost_test checks every zoo model).
//
// Usage:
//   ASSIGN_OR_RETURN(v1::ModelCost cost,
//                    models::ComputeModelCostByName("resnet50", input, 1));
//   double train_gflops = (cost.training().forward_flops() +
//                          cost.training().backward_flops()) / 1e9;
#ifndef BENCHFLEET_AGENT_MODELS_MODEL_COST_H_
#define BENCHFLEET_AGENT_MODELS_MODEL_COST_H_

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "proto/benchmark.pb.h"

namespace benchfleet::models {

// Builds or loads `model` and returns ComputeModelCost's figures for `batch`
// items of shape `input`, with model_digest set for a TorchScript file.
// Tries the skeleton and shape-only path first; should it fail (an operator
// without a meta kernel, say in a user's TorchScript model), builds the
// model again and costs it with a real forward, whose error, if any, is
// returned. `aux_logits` builds GoogLeNet's and Inception v3's auxiliary
// classifiers (zoo.h's BuildOptions), whose weights then count. Errors:
// BuildModel's (NOT_FOUND for an unknown name or a missing file,
// INVALID_ARGUMENT for a broken file or for aux_logits on a model without
// auxiliary classifiers) and ComputeModelCost's
// (INVALID_ARGUMENT when the model rejects the input, naming the model and
// the shape). Thread-compatible: concurrent calls are fine.
absl::StatusOr<v1::ModelCost> ComputeModelCostByName(
    absl::string_view model, const v1::InputShape& input, int batch,
    bool aux_logits = false);

}  // namespace benchfleet::models

#endif  // BENCHFLEET_AGENT_MODELS_MODEL_COST_H_
