// Builds zoo models by name, randomly initialised (no weight downloads;
// random weights change neither cost nor timing), or loads a user's
// TorchScript model when the name is a file path (model_loader.h).
#ifndef BENCHFLEET_AGENT_MODELS_ZOO_H_
#define BENCHFLEET_AGENT_MODELS_ZOO_H_

#include <torch/torch.h>

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace benchfleet::models {

// A built model: call `module.forward(x)` with an NCHW float tensor.
struct ZooModel {
  std::string name;  // zoo name, or the TorchScript path as given
  torch::nn::AnyModule module;
  // TorchScript: SHA-256 of the file as loaded, 64 lowercase hex digits
  // (JobResult.model_digest); empty for zoo models.
  std::string digest;
};

// How to build a zoo model; the defaults are the architecture torchvision's
// pretrained weights deploy.
struct BuildOptions {
  // GoogLeNet and Inception v3: build the auxiliary classifiers, as for
  // training from scratch (BenchmarkSpec.aux_logits). Default false.
  bool aux_logits = false;
};

// Builds `name` from the catalog, or, when spec::IsModelPath(name), loads
// that TorchScript file with LoadScriptModel. NOT_FOUND names the model and
// lists the known ones; INVALID_ARGUMENT (spec::CheckAuxLogits) for
// aux_logits on a model without auxiliary classifiers; a file's errors are
// LoadScriptModel's, naming the path. Thread-compatible; each call returns a
// fresh model.
absl::StatusOr<ZooModel> BuildModel(absl::string_view name,
                                    const BuildOptions& options = {});

// Builds `name` for shape-only costing (CostOptions::shape_only in
// cost_model.h) in a fraction of the time: every operator the constructors
// run on a tensor -- all of the random initialisation -- dispatches to
// LibTorch's meta kernels, which compute shapes only. The architecture,
// parameter names, shapes, dtypes and requires_grad flags are BuildModel's;
// the values are not, so the model must not be run except to be costed
// shape-only. A TorchScript path is loaded as BuildModel does (its values
// come from the file). Errors as BuildModel, plus INVALID_ARGUMENT when a
// constructor runs an operator without a meta kernel (use BuildModel then).
absl::StatusOr<ZooModel> BuildModelSkeleton(absl::string_view name,
                                            const BuildOptions& options = {});

}  // namespace benchfleet::models

#endif  // BENCHFLEET_AGENT_MODELS_ZOO_H_
