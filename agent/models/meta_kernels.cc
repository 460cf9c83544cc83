#include "agent/models/meta_kernels.h"

#include <ATen/core/dispatch/Dispatcher.h>
#include <torch/library.h>

#include <cstdint>
#include <mutex>
#include <tuple>
#include <vector>

namespace benchfleet::models::cost_internal {
namespace {

// The output of a convolution on the meta device: LibTorch 1.13 has no meta
// kernel for it in C++ (Python registers one in torch/_meta_registrations.py).
// Shapes as torch.nn.Conv*d's documentation: out = (in + 2p - d(k-1) - 1) / s
// + 1, transposed out = (in - 1)s - 2p + d(k-1) + output_padding + 1.
at::Tensor ConvolutionMeta(const at::Tensor& input, const at::Tensor& weight,
                           const c10::optional<at::Tensor>& /*bias*/,
                           at::IntArrayRef stride, at::IntArrayRef padding,
                           at::IntArrayRef dilation, bool transposed,
                           at::IntArrayRef output_padding, int64_t groups) {
  TORCH_CHECK(input.dim() >= 3 && weight.dim() == input.dim(),
              "convolution (meta): expected batched input and a weight of "
              "the same rank, got ",
              input.sizes(), " and ", weight.sizes());
  // The CPU kernel's check, which a wrong --input must still fail.
  const int64_t expected_channels =
      transposed ? weight.size(0) : weight.size(1) * groups;
  TORCH_CHECK(input.size(1) == expected_channels, "Given groups=", groups,
              ", weight of size ", weight.sizes(), ", expected input",
              input.sizes(), " to have ", expected_channels,
              " channels, but got ", input.size(1), " channels instead");
  // A one-element list stands for every spatial dimension.
  auto at = [](at::IntArrayRef values, int64_t i, int64_t otherwise) {
    if (values.empty()) return otherwise;
    return values.size() == 1 ? values[0] : values[i];
  };
  std::vector<int64_t> shape = {
      input.size(0), transposed ? weight.size(1) * groups : weight.size(0)};
  for (int64_t i = 0; i + 2 < input.dim(); ++i) {
    const int64_t in = input.size(i + 2);
    const int64_t k = weight.size(i + 2);
    const int64_t s = at(stride, i, 1);
    const int64_t p = at(padding, i, 0);
    const int64_t d = at(dilation, i, 1);
    const int64_t out = transposed ? (in - 1) * s - 2 * p + d * (k - 1) +
                                         at(output_padding, i, 0) + 1
                                   : (in + 2 * p - d * (k - 1) - 1) / s + 1;
    TORCH_CHECK(out > 0, "convolution (meta): input ", input.sizes(),
                " too small for kernel ", weight.sizes());
    shape.push_back(out);
  }
  return at::empty(shape, input.options());
}

// Adaptive pooling to `output_size`: the leading dimensions, then it.
at::Tensor AdaptiveAvgPool2dMeta(const at::Tensor& input,
                                 at::IntArrayRef output_size) {
  TORCH_CHECK((input.dim() == 3 || input.dim() == 4) && output_size.size() == 2,
              "adaptive_avg_pool2d (meta): bad input ", input.sizes());
  std::vector<int64_t> shape(input.sizes().begin(), input.sizes().end() - 2);
  shape.insert(shape.end(), output_size.begin(), output_size.end());
  return at::empty(shape, input.options());
}

// Batch norm: an output like the input, and the saved batch statistics
// (per channel in training, empty in inference, as the CPU kernel).
std::tuple<at::Tensor, at::Tensor, at::Tensor> NativeBatchNormMeta(
    const at::Tensor& input, const c10::optional<at::Tensor>& /*weight*/,
    const c10::optional<at::Tensor>& /*bias*/,
    const c10::optional<at::Tensor>& running_mean,
    const c10::optional<at::Tensor>& /*running_var*/, bool training,
    double /*momentum*/, double /*eps*/) {
  TORCH_CHECK(input.dim() >= 2, "batch_norm (meta): bad input ", input.sizes());
  if (running_mean.has_value() && running_mean->defined()) {
    TORCH_CHECK(running_mean->numel() == input.size(1),
                "running_mean should contain ", input.size(1), " elements not ",
                running_mean->numel());
  }
  const int64_t saved = training ? input.size(1) : 0;
  return {at::empty_like(input), at::empty({saved}, input.options()),
          at::empty({saved}, input.options())};
}

// An elementwise operator: an output like the input.
at::Tensor UnaryMeta(const at::Tensor& input) { return at::empty_like(input); }

}  // namespace

void EnsureMetaKernels() {
  static std::once_flag once;
  std::call_once(once, [] {
    auto missing = [](const char* name) {
      const auto op = c10::Dispatcher::singleton().findSchema({name, ""});
      return op.has_value() &&
             !op->hasKernelForDispatchKey(c10::DispatchKey::Meta);
    };
    static auto* const library =
        new torch::Library(torch::Library::IMPL, "aten", c10::DispatchKey::Meta,
                           __FILE__, __LINE__);
    if (missing("aten::convolution_overrideable")) {
      library->impl("convolution_overrideable", TORCH_FN(ConvolutionMeta));
    }
    if (missing("aten::_adaptive_avg_pool2d")) {
      library->impl("_adaptive_avg_pool2d", TORCH_FN(AdaptiveAvgPool2dMeta));
    }
    if (missing("aten::relu")) library->impl("relu", TORCH_FN(UnaryMeta));
    if (missing("aten::native_batch_norm")) {
      library->impl("native_batch_norm", TORCH_FN(NativeBatchNormMeta));
    }
  });
}

void MoveToMeta(torch::nn::Module& root) {
  torch::NoGradGuard no_grad;
  auto move = [](const at::Tensor& t) {
    if (!t.defined() || t.is_meta()) return;
    t.unsafeGetTensorImpl()->shallow_copy_from(
        t.detach().to(at::kMeta).getIntrusivePtr());
  };
  for (const auto& p : root.parameters(/*recurse=*/true)) move(p);
  for (const auto& b : root.buffers(/*recurse=*/true)) move(b);
}

}  // namespace benchfleet::models::cost_internal
