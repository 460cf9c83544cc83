// Builds zoo models by name, randomly initialised (no weight downloads;
// random weights change neither cost nor timing).
#ifndef BENCHFLEET_AGENT_MODELS_ZOO_H_
#define BENCHFLEET_AGENT_MODELS_ZOO_H_

#include <torch/torch.h>

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace benchfleet::models {

// A built model: call `module.forward(x)` with an NCHW float tensor.
struct ZooModel {
  std::string name;
  torch::nn::AnyModule module;
};

// Builds `name` from the catalog. NOT_FOUND names the model and lists the
// known ones. Thread-compatible; each call returns a fresh model.
absl::StatusOr<ZooModel> BuildModel(absl::string_view name);

}  // namespace benchfleet::models

#endif  // BENCHFLEET_AGENT_MODELS_ZOO_H_
