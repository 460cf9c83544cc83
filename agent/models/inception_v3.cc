#include "agent/models/inception_v3.h"

#include <utility>

namespace benchfleet::models {
namespace {

namespace nn = torch::nn;
using torch::ExpandingArray;

BasicConv2d Conv(int64_t in, int64_t out, ExpandingArray<2> kernel,
                 ExpandingArray<2> padding = 0, int64_t stride = 1) {
  return BasicConv2d(
      nn::Conv2dOptions(in, out, kernel).stride(stride).padding(padding));
}

torch::Tensor AvgPool3x3Same(const torch::Tensor& x) {
  return torch::avg_pool2d(x, {3, 3}, {1, 1}, {1, 1});
}

torch::Tensor MaxPool3x3Stride2(const torch::Tensor& x) {
  return torch::max_pool2d(x, {3, 3}, {2, 2});
}

// Figure 5: 35x35 grid module; 5x5 and double-3x3 branches.
class InceptionAImpl : public nn::Module {
 public:
  InceptionAImpl(int64_t in, int64_t pool_features) {
    branch1x1_ = register_module("branch1x1", Conv(in, 64, 1));
    branch5x5_1_ = register_module("branch5x5_1", Conv(in, 48, 1));
    branch5x5_2_ = register_module("branch5x5_2", Conv(48, 64, 5, 2));
    branch3x3dbl_1_ = register_module("branch3x3dbl_1", Conv(in, 64, 1));
    branch3x3dbl_2_ = register_module("branch3x3dbl_2", Conv(64, 96, 3, 1));
    branch3x3dbl_3_ = register_module("branch3x3dbl_3", Conv(96, 96, 3, 1));
    branch_pool_ = register_module("branch_pool", Conv(in, pool_features, 1));
  }

  torch::Tensor forward(torch::Tensor x) {
    return torch::cat({branch1x1_->forward(x),
                       branch5x5_2_->forward(branch5x5_1_->forward(x)),
                       branch3x3dbl_3_->forward(branch3x3dbl_2_->forward(
                           branch3x3dbl_1_->forward(x))),
                       branch_pool_->forward(AvgPool3x3Same(x))},
                      1);
  }

 private:
  BasicConv2d branch1x1_{nullptr}, branch5x5_1_{nullptr}, branch5x5_2_{nullptr},
      branch3x3dbl_1_{nullptr}, branch3x3dbl_2_{nullptr},
      branch3x3dbl_3_{nullptr}, branch_pool_{nullptr};
};
TORCH_MODULE(InceptionA);

// Grid reduction 35x35 -> 17x17 (figure 10).
class InceptionBImpl : public nn::Module {
 public:
  explicit InceptionBImpl(int64_t in) {
    branch3x3_ = register_module("branch3x3", Conv(in, 384, 3, 0, 2));
    branch3x3dbl_1_ = register_module("branch3x3dbl_1", Conv(in, 64, 1));
    branch3x3dbl_2_ = register_module("branch3x3dbl_2", Conv(64, 96, 3, 1));
    branch3x3dbl_3_ = register_module("branch3x3dbl_3", Conv(96, 96, 3, 0, 2));
  }

  torch::Tensor forward(torch::Tensor x) {
    return torch::cat({branch3x3_->forward(x),
                       branch3x3dbl_3_->forward(branch3x3dbl_2_->forward(
                           branch3x3dbl_1_->forward(x))),
                       MaxPool3x3Stride2(x)},
                      1);
  }

 private:
  BasicConv2d branch3x3_{nullptr}, branch3x3dbl_1_{nullptr},
      branch3x3dbl_2_{nullptr}, branch3x3dbl_3_{nullptr};
};
TORCH_MODULE(InceptionB);

// Figure 6: 17x17 grid module with factorised 1x7 / 7x1 convolutions.
class InceptionCImpl : public nn::Module {
 public:
  InceptionCImpl(int64_t in, int64_t c7) {
    branch1x1_ = register_module("branch1x1", Conv(in, 192, 1));
    branch7x7_1_ = register_module("branch7x7_1", Conv(in, c7, 1));
    branch7x7_2_ = register_module("branch7x7_2", Conv(c7, c7, {1, 7}, {0, 3}));
    branch7x7_3_ =
        register_module("branch7x7_3", Conv(c7, 192, {7, 1}, {3, 0}));
    branch7x7dbl_1_ = register_module("branch7x7dbl_1", Conv(in, c7, 1));
    branch7x7dbl_2_ =
        register_module("branch7x7dbl_2", Conv(c7, c7, {7, 1}, {3, 0}));
    branch7x7dbl_3_ =
        register_module("branch7x7dbl_3", Conv(c7, c7, {1, 7}, {0, 3}));
    branch7x7dbl_4_ =
        register_module("branch7x7dbl_4", Conv(c7, c7, {7, 1}, {3, 0}));
    branch7x7dbl_5_ =
        register_module("branch7x7dbl_5", Conv(c7, 192, {1, 7}, {0, 3}));
    branch_pool_ = register_module("branch_pool", Conv(in, 192, 1));
  }

  torch::Tensor forward(torch::Tensor x) {
    torch::Tensor b7 =
        branch7x7_3_->forward(branch7x7_2_->forward(branch7x7_1_->forward(x)));
    torch::Tensor b7dbl = branch7x7dbl_1_->forward(x);
    b7dbl = branch7x7dbl_3_->forward(branch7x7dbl_2_->forward(b7dbl));
    b7dbl = branch7x7dbl_5_->forward(branch7x7dbl_4_->forward(b7dbl));
    return torch::cat({branch1x1_->forward(x), b7, b7dbl,
                       branch_pool_->forward(AvgPool3x3Same(x))},
                      1);
  }

 private:
  BasicConv2d branch1x1_{nullptr}, branch7x7_1_{nullptr}, branch7x7_2_{nullptr},
      branch7x7_3_{nullptr}, branch7x7dbl_1_{nullptr}, branch7x7dbl_2_{nullptr},
      branch7x7dbl_3_{nullptr}, branch7x7dbl_4_{nullptr},
      branch7x7dbl_5_{nullptr}, branch_pool_{nullptr};
};
TORCH_MODULE(InceptionC);

// Grid reduction 17x17 -> 8x8.
class InceptionDImpl : public nn::Module {
 public:
  explicit InceptionDImpl(int64_t in) {
    branch3x3_1_ = register_module("branch3x3_1", Conv(in, 192, 1));
    branch3x3_2_ = register_module("branch3x3_2", Conv(192, 320, 3, 0, 2));
    branch7x7x3_1_ = register_module("branch7x7x3_1", Conv(in, 192, 1));
    branch7x7x3_2_ =
        register_module("branch7x7x3_2", Conv(192, 192, {1, 7}, {0, 3}));
    branch7x7x3_3_ =
        register_module("branch7x7x3_3", Conv(192, 192, {7, 1}, {3, 0}));
    branch7x7x3_4_ = register_module("branch7x7x3_4", Conv(192, 192, 3, 0, 2));
  }

  torch::Tensor forward(torch::Tensor x) {
    torch::Tensor b7 = branch7x7x3_2_->forward(branch7x7x3_1_->forward(x));
    b7 = branch7x7x3_4_->forward(branch7x7x3_3_->forward(b7));
    return torch::cat({branch3x3_2_->forward(branch3x3_1_->forward(x)), b7,
                       MaxPool3x3Stride2(x)},
                      1);
  }

 private:
  BasicConv2d branch3x3_1_{nullptr}, branch3x3_2_{nullptr},
      branch7x7x3_1_{nullptr}, branch7x7x3_2_{nullptr}, branch7x7x3_3_{nullptr},
      branch7x7x3_4_{nullptr};
};
TORCH_MODULE(InceptionD);

// Figure 7: 8x8 grid module with expanded 1x3 / 3x1 filter banks.
class InceptionEImpl : public nn::Module {
 public:
  explicit InceptionEImpl(int64_t in) {
    branch1x1_ = register_module("branch1x1", Conv(in, 320, 1));
    branch3x3_1_ = register_module("branch3x3_1", Conv(in, 384, 1));
    branch3x3_2a_ =
        register_module("branch3x3_2a", Conv(384, 384, {1, 3}, {0, 1}));
    branch3x3_2b_ =
        register_module("branch3x3_2b", Conv(384, 384, {3, 1}, {1, 0}));
    branch3x3dbl_1_ = register_module("branch3x3dbl_1", Conv(in, 448, 1));
    branch3x3dbl_2_ = register_module("branch3x3dbl_2", Conv(448, 384, 3, 1));
    branch3x3dbl_3a_ =
        register_module("branch3x3dbl_3a", Conv(384, 384, {1, 3}, {0, 1}));
    branch3x3dbl_3b_ =
        register_module("branch3x3dbl_3b", Conv(384, 384, {3, 1}, {1, 0}));
    branch_pool_ = register_module("branch_pool", Conv(in, 192, 1));
  }

  torch::Tensor forward(torch::Tensor x) {
    torch::Tensor b3 = branch3x3_1_->forward(x);
    b3 =
        torch::cat({branch3x3_2a_->forward(b3), branch3x3_2b_->forward(b3)}, 1);
    torch::Tensor b3dbl = branch3x3dbl_2_->forward(branch3x3dbl_1_->forward(x));
    b3dbl = torch::cat(
        {branch3x3dbl_3a_->forward(b3dbl), branch3x3dbl_3b_->forward(b3dbl)},
        1);
    return torch::cat({branch1x1_->forward(x), b3, b3dbl,
                       branch_pool_->forward(AvgPool3x3Same(x))},
                      1);
  }

 private:
  BasicConv2d branch1x1_{nullptr}, branch3x3_1_{nullptr},
      branch3x3_2a_{nullptr}, branch3x3_2b_{nullptr}, branch3x3dbl_1_{nullptr},
      branch3x3dbl_2_{nullptr}, branch3x3dbl_3a_{nullptr},
      branch3x3dbl_3b_{nullptr}, branch_pool_{nullptr};
};
TORCH_MODULE(InceptionE);

// Auxiliary classifier on the 17x17 grid (section 4).
class InceptionAuxImpl : public nn::Module {
 public:
  InceptionAuxImpl(int64_t in, int64_t num_classes) {
    conv0_ = register_module("conv0", Conv(in, 128, 1));
    conv1_ = register_module("conv1", Conv(128, 768, 5));
    fc_ = register_module("fc", nn::Linear(768, num_classes));
  }

  torch::Tensor forward(torch::Tensor x) {
    x = torch::avg_pool2d(x, {5, 5}, {3, 3});
    x = conv1_->forward(conv0_->forward(x));
    x = torch::flatten(torch::adaptive_avg_pool2d(x, {1, 1}), 1);
    return fc_->forward(x);
  }

  nn::Linear& fc() { return fc_; }

 private:
  BasicConv2d conv0_{nullptr}, conv1_{nullptr};
  nn::Linear fc_{nullptr};
};
TORCH_MODULE(InceptionAux);

}  // namespace

InceptionV3Impl::InceptionV3Impl(const InceptionV3Config& config)
    : config_(config) {
  TORCH_CHECK(config.num_classes > 0,
              "InceptionV3: num_classes must be positive");
  TORCH_CHECK(config.dropout >= 0.0 && config.dropout <= 1.0,
              "InceptionV3: dropout must be in [0, 1], got ", config.dropout);
  // Registration order follows torchvision, so parameters() order matches.
  auto add = [this](std::vector<nn::AnyModule>& seq, const char* name,
                    nn::AnyModule module) {
    register_module(name, module.ptr());
    seq.push_back(std::move(module));
  };
  auto& a = stem_and_mixed6_;
  const auto pool = [] {
    return nn::AnyModule(nn::MaxPool2d(nn::MaxPool2dOptions(3).stride(2)));
  };
  add(a, "Conv2d_1a_3x3", nn::AnyModule(Conv(3, 32, 3, 0, 2)));
  add(a, "Conv2d_2a_3x3", nn::AnyModule(Conv(32, 32, 3)));
  add(a, "Conv2d_2b_3x3", nn::AnyModule(Conv(32, 64, 3, 1)));
  add(a, "maxpool1", pool());
  add(a, "Conv2d_3b_1x1", nn::AnyModule(Conv(64, 80, 1)));
  add(a, "Conv2d_4a_3x3", nn::AnyModule(Conv(80, 192, 3)));
  add(a, "maxpool2", pool());
  add(a, "Mixed_5b", nn::AnyModule(InceptionA(192, 32)));
  add(a, "Mixed_5c", nn::AnyModule(InceptionA(256, 64)));
  add(a, "Mixed_5d", nn::AnyModule(InceptionA(288, 64)));
  add(a, "Mixed_6a", nn::AnyModule(InceptionB(288)));
  add(a, "Mixed_6b", nn::AnyModule(InceptionC(768, 128)));
  add(a, "Mixed_6c", nn::AnyModule(InceptionC(768, 160)));
  add(a, "Mixed_6d", nn::AnyModule(InceptionC(768, 160)));
  add(a, "Mixed_6e", nn::AnyModule(InceptionC(768, 192)));
  InceptionAux aux{nullptr};
  if (config.aux_logits) {
    aux = InceptionAux(768, config.num_classes);
    aux_ = nn::AnyModule(aux);
    register_module("AuxLogits", aux_.ptr());
  }
  add(mixed7_, "Mixed_7a", nn::AnyModule(InceptionD(768)));
  add(mixed7_, "Mixed_7b", nn::AnyModule(InceptionE(1280)));
  add(mixed7_, "Mixed_7c", nn::AnyModule(InceptionE(2048)));
  avgpool_ = register_module("avgpool", nn::AdaptiveAvgPool2d(1));
  dropout_ = register_module("dropout", nn::Dropout(config.dropout));
  fc_ = register_module("fc", nn::Linear(2048, config.num_classes));

  // torchvision's initialisation (init_weights=True, its default without
  // weights): truncated normal on [-2, 2] for conv and linear weights, std 0.1
  // except AuxLogits.fc (0.001). torchvision also tags AuxLogits.conv1 with
  // std 0.01, but on the BasicConv2d wrapper, which its init loop never
  // visits, so that convolution gets 0.1 too; we reproduce that.
  const nn::LinearImpl* aux_fc = aux ? aux->fc().get() : nullptr;
  for (auto& module : modules(/*include_self=*/false)) {
    if (auto* conv = module->as<nn::Conv2d>()) {
      TruncNormal_(conv->weight, 0.0, 0.1, -2.0, 2.0);
    } else if (auto* linear = module->as<nn::Linear>()) {
      TruncNormal_(linear->weight, 0.0, linear == aux_fc ? 0.001 : 0.1, -2.0,
                   2.0);
    }
  }
}

InceptionV3Outputs InceptionV3Impl::ForwardWithAux(torch::Tensor x) {
  if (config_.transform_input) x = TransformImageNetInput(x);
  InceptionV3Outputs out;
  for (auto& module : stem_and_mixed6_) x = module.forward(x);
  if (config_.aux_logits && is_training()) out.aux_logits = aux_.forward(x);
  for (auto& module : mixed7_) x = module.forward(x);
  x = dropout_->forward(avgpool_->forward(x));
  out.logits = fc_->forward(torch::flatten(x, 1));
  return out;
}

torch::Tensor InceptionV3Impl::forward(torch::Tensor x) {
  return ForwardWithAux(std::move(x)).logits;
}

}  // namespace benchfleet::models
