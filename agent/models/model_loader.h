// Loads a TorchScript module exported from Python (torch.jit.script or
// torch.jit.trace, then .save("net.pt")) as a torch::nn::Module, so that a
// user's model runs, trains and is costed exactly like a zoo model:
// BuildModel (zoo.h) calls LoadScriptModel for any model that IsModelPath.
//
// Usage:
//   ASSIGN_OR_RETURN(models::ScriptModel net,
//                    models::LoadScriptModel("testdata/tiny_cnn.pt"));
//   torch::Tensor y = net->forward(torch::zeros({1, 3, 32, 32}));
//   torch::nn::AnyModule any(net);  // what ZooModel holds
//
// The wrapper mirrors the script module's tree: each submodule becomes a
// child torch::nn::Module under the same name, holding the same parameter
// and buffer tensors (not copies). So named_parameters() and named_modules()
// give the paths Python gives ("0.weight", "layer1.0.conv1"), an optimizer
// over parameters() trains the script module, and train()/eval() set its
// `training` flags. The cost model (cost_model.h) observes the ATen
// operators the TorchScript interpreter dispatches, as for any module.
#ifndef BENCHFLEET_AGENT_MODELS_MODEL_LOADER_H_
#define BENCHFLEET_AGENT_MODELS_MODEL_LOADER_H_

#include <torch/script.h>
#include <torch/torch.h>

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace benchfleet::models {

// One submodule of a script module, mirrored (see above). Not for direct use.
class ScriptMirror : public torch::nn::Module {
 public:
  explicit ScriptMirror(torch::jit::Module script);

  // Sets this mirror's flags and the script submodule's `training`
  // attributes, recursively, like torch::nn::Module::train.
  void train(bool on = true) override;

 protected:
  torch::jit::Module script_;
};

// A loaded TorchScript model: Tensor -> Tensor.
class ScriptModelImpl : public ScriptMirror {
 public:
  ScriptModelImpl(torch::jit::Module script, std::string path,
                  std::string digest);

  // Runs the script module's forward on `x`. When it returns a tuple or list
  // (e.g. main and auxiliary logits), returns its first element, which must
  // be a tensor. Throws c10::Error naming the file when the output is not a
  // tensor or when the script raises; shape errors are LibTorch's
  // c10::Error, as for zoo models.
  torch::Tensor forward(torch::Tensor x);

  // The path it was loaded from, as given.
  const std::string& path() const { return path_; }
  // SHA-256 of the file's bytes as loaded, 64 lowercase hex digits.
  const std::string& digest() const { return digest_; }

 private:
  std::string path_;
  std::string digest_;
};
TORCH_MODULE(ScriptModel);

// Loads the TorchScript module at `path` onto the CPU and digests the bytes
// it loaded from (read once). Errors name the path: INVALID_ARGUMENT when
// the path is implausible (ValidateModelPath), the file is not a TorchScript
// archive (corrupt, truncated, a plain state_dict) or its forward does not
// take exactly one input; NOT_FOUND when it does not exist; other read
// errors as spec::ReadModelFile. Never throws. Thread-safe; each call
// returns a fresh module.
absl::StatusOr<ScriptModel> LoadScriptModel(absl::string_view path);

}  // namespace benchfleet::models

#endif  // BENCHFLEET_AGENT_MODELS_MODEL_LOADER_H_
