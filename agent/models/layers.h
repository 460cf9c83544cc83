// Building blocks shared by several zoo families, written to match
// torchvision 0.14's torchvision.ops.misc / torchvision.ops.stochastic_depth /
// models._utils so that the families built from them keep torchvision's module
// names and parameter counts.
//
// Every block here is either a torch::nn::Sequential of standard leaves or a
// small leaf module that calls exactly one ATen op, so the cost model can
// attribute each op to a module.
#ifndef BENCHFLEET_AGENT_MODELS_LAYERS_H_
#define BENCHFLEET_AGENT_MODELS_LAYERS_H_

#include <torch/torch.h>

#include <cstdint>
#include <utility>

namespace benchfleet::models {

// torchvision's `_make_divisible` (from TensorFlow's MobileNet reference):
// rounds `value` to the nearest multiple of `divisor`, but not below
// `min_value` (0 means "use divisor") and not more than 10% below `value`.
// Used to scale channel counts by a width multiplier.
int64_t MakeDivisible(double value, int64_t divisor, int64_t min_value = 0);

// Activation placed after a convolution or inside a squeeze-excitation block.
enum class Activation {
  kNone,
  kReLU,
  kHardswish,
  kSiLU,
  kSigmoid,
  kHardsigmoid
};

// BatchNorm2d hyper-parameters; torchvision's defaults unless a family
// overrides them (MobileNetV3 and EfficientNet-B5..B7 use 1e-3 / 0.01).
struct BatchNormConfig {
  double eps = 1e-5;      // added to the variance
  double momentum = 0.1;  // running-statistics update weight
};

// hardswish(x) = x * relu6(x + 3) / 6 (Howard et al. 2019, "Searching for
// MobileNetV3"). LibTorch 1.13's C++ frontend has no nn::Hardswish, so this is
// a leaf that calls at::hardswish (or at::hardswish_ when `inplace`).
class HardswishImpl : public torch::nn::Module {
 public:
  explicit HardswishImpl(bool inplace = false) : inplace_(inplace) {}
  torch::Tensor forward(torch::Tensor x);

 private:
  bool inplace_;
};
TORCH_MODULE(Hardswish);

// hardsigmoid(x) = relu6(x + 3) / 6; a leaf calling at::hardsigmoid, for the
// same reason as Hardswish.
class HardsigmoidImpl : public torch::nn::Module {
 public:
  torch::Tensor forward(torch::Tensor x);
};
TORCH_MODULE(Hardsigmoid);

// silu(x) = x * sigmoid(x) (Elfwing et al. 2018; "swish"). LibTorch 1.13's
// nn::SiLU has no in-place option, which torchvision's EfficientNet uses
// (nn.SiLU(inplace=True)); this leaf calls at::silu_ when `inplace`, so the
// C++ model allocates no more than the Python one.
class SiLUImpl : public torch::nn::Module {
 public:
  explicit SiLUImpl(bool inplace = false) : inplace_(inplace) {}
  torch::Tensor forward(torch::Tensor x);

 private:
  bool inplace_;
};
TORCH_MODULE(SiLU);

// A fresh activation module of `kind` (kNone is not allowed). `inplace` is
// honoured by ReLU, Hardswish and SiLU; Sigmoid and Hardsigmoid run out of
// place, as in torchvision.
torch::nn::AnyModule MakeActivation(Activation kind, bool inplace);

// A torch::nn::Sequential that can itself be an element of a Sequential:
// LibTorch's AnyModule rejects nn::Sequential because its forward() is a
// template, so this subclass adds a plain Tensor -> Tensor forward. Children
// are named "0", "1", ... exactly as in a Python nn.Sequential.
class SequentialBlockImpl : public torch::nn::SequentialImpl {
 public:
  using torch::nn::SequentialImpl::SequentialImpl;
  torch::Tensor forward(torch::Tensor x) {
    return torch::nn::SequentialImpl::forward(std::move(x));
  }
};
TORCH_MODULE(SequentialBlock);

// torchvision.ops.Conv2dNormActivation: a Sequential of "0" Conv2d (no bias,
// "same" padding (kernel - 1) / 2), "1" BatchNorm2d and, unless `activation`
// is kNone, "2" the activation (in place, as torchvision does).
SequentialBlock ConvNormActivation(int64_t in_channels, int64_t out_channels,
                                   int64_t kernel, int64_t stride,
                                   int64_t groups, Activation activation,
                                   const BatchNormConfig& norm = {});

// Squeeze-and-excitation (Hu et al. 2018, "Squeeze-and-Excitation Networks",
// fig. 1) as torchvision.ops.SqueezeExcitation: global average pool, 1x1
// conv "fc1", `activation`, 1x1 conv "fc2", `scale_activation`, then the input
// is scaled channel-wise. Submodules: avgpool, fc1, fc2, activation,
// scale_activation.
class SqueezeExcitationImpl : public torch::nn::Module {
 public:
  // `activation` runs in place when `activation_inplace` (EfficientNet's SiLU
  // asks for it; MobileNetV3's ReLU does not).
  SqueezeExcitationImpl(int64_t input_channels, int64_t squeeze_channels,
                        Activation activation, Activation scale_activation,
                        bool activation_inplace = false);
  torch::Tensor forward(torch::Tensor x);

 private:
  torch::nn::AdaptiveAvgPool2d avgpool_{nullptr};
  torch::nn::Conv2d fc1_{nullptr}, fc2_{nullptr};
  torch::nn::AnyModule activation_, scale_activation_;
};
TORCH_MODULE(SqueezeExcitation);

// Stochastic depth in torchvision's "row" mode (Huang et al. 2016, "Deep
// Networks with Stochastic Depth"): in training, each sample's residual branch
// is zeroed with probability `p` and the survivors are scaled by 1 / (1 - p);
// in eval mode (or when p == 0) it is the identity. No parameters.
class StochasticDepthImpl : public torch::nn::Module {
 public:
  explicit StochasticDepthImpl(double p);
  torch::Tensor forward(torch::Tensor x);
  double p() const { return p_; }

 private:
  double p_;
};
TORCH_MODULE(StochasticDepth);

// The conv-BN-ReLU unit of GoogLeNet and Inception v3 ("BasicConv2d" in
// torchvision): Conv2d `conv` built from `options` with the bias forced off,
// BatchNorm2d `bn` with eps 1e-3, then a functional in-place ReLU (as in
// torchvision, so there is no ReLU child module).
class BasicConv2dImpl : public torch::nn::Module {
 public:
  explicit BasicConv2dImpl(torch::nn::Conv2dOptions options);
  torch::Tensor forward(torch::Tensor x);

 private:
  torch::nn::Conv2d conv_{nullptr};
  torch::nn::BatchNorm2d bn_{nullptr};
};
TORCH_MODULE(BasicConv2d);

// ImageNet mean/std re-normalisation behind GoogLeNet's and Inception v3's
// transform_input option: channel c becomes x * std_c / 0.5 +
// (mean_c - 0.5) / 0.5. Expects NCHW with 3 channels; returns a new tensor.
torch::Tensor TransformImageNetInput(const torch::Tensor& x);

// Fills `tensor` from N(mean, std^2) truncated to [a, b] (inverse-CDF method,
// as torch.nn.init.trunc_normal_, which LibTorch 1.13's C++ API lacks).
// Modifies `tensor` in place without recording autograd history.
void TruncNormal_(torch::Tensor tensor, double mean, double std, double a,
                  double b);

}  // namespace benchfleet::models

#endif  // BENCHFLEET_AGENT_MODELS_LAYERS_H_
