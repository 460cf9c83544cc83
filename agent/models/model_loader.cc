#include "agent/models/model_loader.h"

#include <caffe2/serialize/read_adapter_interface.h>

#include <algorithm>
#include <cstring>
#include <exception>
#include <memory>
#include <new>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "base/sha256.h"
#include "spec/model_path.h"

namespace benchfleet::models {
namespace {

// Lets torch::jit::load read the bytes already in memory (and digested),
// without the copy an std::istringstream would make.
class StringReadAdapter : public caffe2::serialize::ReadAdapterInterface {
 public:
  explicit StringReadAdapter(std::string bytes) : bytes_(std::move(bytes)) {}
  size_t size() const override { return bytes_.size(); }
  size_t read(uint64_t pos, void* buf, size_t n,
              const char* /*what*/) const override {
    if (pos >= bytes_.size()) return 0;
    n = std::min<size_t>(n, bytes_.size() - pos);
    std::memcpy(buf, bytes_.data() + pos, n);
    return n;
  }

 private:
  const std::string bytes_;
};

// The first line of an exception message: LibTorch appends C++ frames.
std::string FirstLine(const std::string& message) {
  return message.substr(0, message.find('\n'));
}

// The cause of an error the interpreter raised: its last line ("RuntimeError:
// Given groups=1, ... expected input[1, 1, 32, 32] to have 3 channels"),
// without the two TorchScript tracebacks above it, which run to dozens of
// lines.
std::string Cause(const std::string& message) {
  if (message.find("Traceback of TorchScript") == std::string::npos) {
    return message;
  }
  size_t end = message.find_last_not_of("\n ");
  if (end == std::string::npos) return message;
  const size_t start = message.rfind('\n', end);
  return message.substr(start == std::string::npos ? 0 : start + 1,
                        end + 1 - (start == std::string::npos ? 0 : start + 1));
}

}  // namespace

ScriptMirror::ScriptMirror(torch::jit::Module script)
    : script_(std::move(script)) {
  for (const auto& p : script_.named_parameters(/*recurse=*/false)) {
    register_parameter(p.name, p.value, p.value.requires_grad());
  }
  for (const auto& b : script_.named_buffers(/*recurse=*/false)) {
    register_buffer(b.name, b.value);
  }
  for (const auto& child : script_.named_children()) {
    register_module(child.name, std::make_shared<ScriptMirror>(child.value));
  }
  torch::nn::Module::train(script_.is_training());
}

void ScriptMirror::train(bool on) {
  torch::nn::Module::train(on);  // the mirrors below, then this one's flag
  script_.train(on);
}

ScriptModelImpl::ScriptModelImpl(torch::jit::Module script, std::string path,
                                 std::string digest)
    : ScriptMirror(std::move(script)),
      path_(std::move(path)),
      digest_(std::move(digest)) {}

torch::Tensor ScriptModelImpl::forward(torch::Tensor x) {
  c10::IValue out;
  try {
    out = script_.forward({std::move(x)});
  } catch (const c10::OutOfMemoryError&) {
    throw;
  } catch (const std::bad_alloc&) {
    throw;
  } catch (const c10::Error& e) {
    TORCH_CHECK(false, "TorchScript model \"", path_,
                "\": ", Cause(e.what_without_backtrace()));
  } catch (const std::exception& e) {  // e.g. torch::jit::JITException
    TORCH_CHECK(false, "TorchScript model \"", path_, "\": ", Cause(e.what()));
  }
  if (out.isTuple() && !out.toTupleRef().elements().empty()) {
    out = c10::IValue(out.toTupleRef().elements()[0]);
  } else if (out.isList() && !out.toListRef().empty()) {
    out = c10::IValue(out.toListRef()[0]);
  }
  TORCH_CHECK(out.isTensor(), "TorchScript model \"", path_,
              "\": forward returned ", out.tagKind(),
              ", expected a tensor (or a tuple whose first element is one)");
  return out.toTensor();
}

absl::StatusOr<ScriptModel> LoadScriptModel(absl::string_view path) {
  absl::StatusOr<std::string> bytes = spec::ReadModelFile(path);
  if (!bytes.ok()) return bytes.status();
  std::string digest = Sha256Hex(*bytes);
  const std::string what =
      absl::StrCat("TorchScript model file \"", path, "\"");
  try {
    torch::jit::Module script =
        torch::jit::load(std::make_shared<StringReadAdapter>(*std::move(bytes)),
                         torch::Device(torch::kCPU));
    const c10::optional<torch::jit::Method> forward =
        script.find_method("forward");
    if (!forward.has_value()) {
      return absl::InvalidArgumentError(
          absl::StrCat(what, ": the module has no forward method"));
    }
    // The schema's arguments are `self`, then the inputs; the agent passes
    // one, so any others need defaults.
    const auto& arguments = forward->function().getSchema().arguments();
    size_t required = 0;
    for (size_t i = 1; i < arguments.size(); ++i) {
      if (!arguments[i].default_value().has_value()) ++required;
    }
    if (arguments.size() < 2 || required > 1) {
      return absl::InvalidArgumentError(absl::StrCat(
          what, ": forward takes ", required,
          " inputs without defaults; the agent passes one NCHW float tensor"));
    }
    return ScriptModel(std::move(script), std::string(path), std::move(digest));
  } catch (const c10::Error& e) {
    return absl::InvalidArgumentError(absl::StrCat(
        what, ": not a loadable TorchScript module (torch.jit.save): ",
        FirstLine(e.what_without_backtrace())));
  } catch (const std::bad_alloc&) {
    return absl::ResourceExhaustedError(
        absl::StrCat(what, ": out of memory while loading"));
  } catch (const std::exception& e) {
    return absl::InvalidArgumentError(absl::StrCat(
        what, ": not a loadable TorchScript module: ", FirstLine(e.what())));
  }
}

}  // namespace benchfleet::models
