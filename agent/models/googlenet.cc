#include "agent/models/googlenet.h"

#include <utility>

namespace benchfleet::models {
namespace {

namespace nn = torch::nn;

BasicConv2d Conv(int64_t in, int64_t out, int64_t kernel, int64_t stride = 1,
                 int64_t padding = 0) {
  return BasicConv2d(
      nn::Conv2dOptions(in, out, kernel).stride(stride).padding(padding));
}

nn::MaxPool2d CeilPool(int64_t kernel, int64_t stride, int64_t padding = 0) {
  return nn::MaxPool2d(
      nn::MaxPool2dOptions(kernel).stride(stride).padding(padding).ceil_mode(
          true));
}

// Channel counts of one Inception module (a row of the paper's table 1).
struct InceptionSpec {
  int64_t in, ch1x1, ch3x3red, ch3x3, ch5x5red, ch5x5, pool_proj;
};

// Inception module (section 5, figure 2b): 1x1, 1x1->3x3, 1x1->"5x5" and
// maxpool->1x1 branches concatenated along channels.
class InceptionImpl : public nn::Module {
 public:
  explicit InceptionImpl(const InceptionSpec& s) {
    branch1_ = register_module("branch1", Conv(s.in, s.ch1x1, 1));
    branch2_ = register_module(
        "branch2", nn::Sequential(Conv(s.in, s.ch3x3red, 1),
                                  Conv(s.ch3x3red, s.ch3x3, 3, 1, 1)));
    // torchvision's kernel is 3x3 here, not the paper's 5x5 (vision#906).
    branch3_ = register_module(
        "branch3", nn::Sequential(Conv(s.in, s.ch5x5red, 1),
                                  Conv(s.ch5x5red, s.ch5x5, 3, 1, 1)));
    branch4_ = register_module(
        "branch4",
        nn::Sequential(CeilPool(3, 1, 1), Conv(s.in, s.pool_proj, 1)));
  }

  torch::Tensor forward(torch::Tensor x) {
    return torch::cat({branch1_->forward(x), branch2_->forward(x),
                       branch3_->forward(x), branch4_->forward(x)},
                      1);
  }

 private:
  BasicConv2d branch1_{nullptr};
  nn::Sequential branch2_{nullptr}, branch3_{nullptr}, branch4_{nullptr};
};
TORCH_MODULE(Inception);

// Auxiliary classifier (section 5): 4x4 average pool, 1x1 conv to 128
// channels, two fully connected layers with dropout between them.
class InceptionAuxImpl : public nn::Module {
 public:
  InceptionAuxImpl(int64_t in, int64_t num_classes, double dropout) {
    conv_ = register_module("conv", Conv(in, 128, 1));
    fc1_ = register_module("fc1", nn::Linear(2048, 1024));
    fc2_ = register_module("fc2", nn::Linear(1024, num_classes));
    dropout_ = register_module("dropout", nn::Dropout(dropout));
  }

  torch::Tensor forward(torch::Tensor x) {
    x = conv_->forward(torch::adaptive_avg_pool2d(x, {4, 4}));
    x = fc1_->forward(torch::flatten(x, 1));
    torch::relu_(x);
    return fc2_->forward(dropout_->forward(x));
  }

 private:
  BasicConv2d conv_{nullptr};
  nn::Linear fc1_{nullptr}, fc2_{nullptr};
  nn::Dropout dropout_{nullptr};
};
TORCH_MODULE(InceptionAux);

}  // namespace

GoogLeNetImpl::GoogLeNetImpl(const GoogLeNetConfig& config) : config_(config) {
  TORCH_CHECK(config.num_classes > 0,
              "GoogLeNet: num_classes must be positive");
  TORCH_CHECK(config.dropout >= 0.0 && config.dropout <= 1.0 &&
                  config.dropout_aux >= 0.0 && config.dropout_aux <= 1.0,
              "GoogLeNet: dropout probabilities must be in [0, 1]");
  auto inception = [this](const char* name, const InceptionSpec& spec) {
    nn::AnyModule module{Inception(spec)};
    register_module(name, module.ptr());
    return module;
  };
  // Registration order follows torchvision, so parameters() order matches.
  conv1_ = register_module("conv1", Conv(3, 64, 7, 2, 3));
  maxpool1_ = register_module("maxpool1", CeilPool(3, 2));
  conv2_ = register_module("conv2", Conv(64, 64, 1));
  conv3_ = register_module("conv3", Conv(64, 192, 3, 1, 1));
  maxpool2_ = register_module("maxpool2", CeilPool(3, 2));
  inception3a_ = inception("inception3a", {192, 64, 96, 128, 16, 32, 32});
  inception3b_ = inception("inception3b", {256, 128, 128, 192, 32, 96, 64});
  maxpool3_ = register_module("maxpool3", CeilPool(3, 2));
  inception4a_ = inception("inception4a", {480, 192, 96, 208, 16, 48, 64});
  inception4b_ = inception("inception4b", {512, 160, 112, 224, 24, 64, 64});
  inception4c_ = inception("inception4c", {512, 128, 128, 256, 24, 64, 64});
  inception4d_ = inception("inception4d", {512, 112, 144, 288, 32, 64, 64});
  inception4e_ = inception("inception4e", {528, 256, 160, 320, 32, 128, 128});
  maxpool4_ = register_module("maxpool4", CeilPool(2, 2));
  inception5a_ = inception("inception5a", {832, 256, 160, 320, 32, 128, 128});
  inception5b_ = inception("inception5b", {832, 384, 192, 384, 48, 128, 128});
  if (config.aux_logits) {
    aux1_ = nn::AnyModule(
        InceptionAux(512, config.num_classes, config.dropout_aux));
    register_module("aux1", aux1_.ptr());
    aux2_ = nn::AnyModule(
        InceptionAux(528, config.num_classes, config.dropout_aux));
    register_module("aux2", aux2_.ptr());
  }
  avgpool_ = register_module("avgpool", nn::AdaptiveAvgPool2d(1));
  dropout_ = register_module("dropout", nn::Dropout(config.dropout));
  fc_ = register_module("fc", nn::Linear(1024, config.num_classes));

  // torchvision's initialisation (init_weights=True, its default without
  // weights): truncated N(0, 0.01) on [-2, 2] for conv and linear weights;
  // biases and BatchNorm keep their defaults.
  for (auto& module : modules(/*include_self=*/false)) {
    if (auto* conv = module->as<nn::Conv2d>()) {
      TruncNormal_(conv->weight, 0.0, 0.01, -2.0, 2.0);
    } else if (auto* linear = module->as<nn::Linear>()) {
      TruncNormal_(linear->weight, 0.0, 0.01, -2.0, 2.0);
    }
  }
}

GoogLeNetOutputs GoogLeNetImpl::ForwardWithAux(torch::Tensor x) {
  if (config_.transform_input) x = TransformImageNetInput(x);
  const bool run_aux = config_.aux_logits && is_training();
  GoogLeNetOutputs out;
  x = maxpool1_->forward(conv1_->forward(x));
  x = maxpool2_->forward(conv3_->forward(conv2_->forward(x)));
  x = inception3b_.forward(inception3a_.forward(x));
  x = inception4a_.forward(maxpool3_->forward(x));
  if (run_aux) out.aux_logits1 = aux1_.forward(x);
  x = inception4d_.forward(inception4c_.forward(inception4b_.forward(x)));
  if (run_aux) out.aux_logits2 = aux2_.forward(x);
  x = maxpool4_->forward(inception4e_.forward(x));
  x = inception5b_.forward(inception5a_.forward(x));
  x = torch::flatten(avgpool_->forward(x), 1);
  out.logits = fc_->forward(dropout_->forward(x));
  return out;
}

torch::Tensor GoogLeNetImpl::forward(torch::Tensor x) {
  return ForwardWithAux(std::move(x)).logits;
}

}  // namespace benchfleet::models
