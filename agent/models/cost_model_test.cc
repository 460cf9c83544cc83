#include "agent/models/cost_model.h"

#include <chrono>
#include <iostream>
#include <string>

#include "agent/models/resnet.h"
#include "google/protobuf/util/message_differencer.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace benchfleet::models {
namespace {

namespace nn = torch::nn;
using ::google::protobuf::util::MessageDifferencer;
using ::testing::ElementsAre;

v1::InputShape Shape(int c, int h, int w) {
  v1::InputShape shape;
  shape.set_channels(c);
  shape.set_height(h);
  shape.set_width(w);
  return shape;
}

const v1::LayerCost* FindKind(const v1::CostFigures& cost,
                              const std::string& kind) {
  for (const auto& entry : cost.by_kind()) {
    if (entry.kind() == kind) return &entry;
  }
  return nullptr;
}

const v1::LayerCost* FindModule(const v1::CostFigures& cost,
                                const std::string& name,
                                const std::string& kind) {
  for (const auto& entry : cost.by_module()) {
    if (entry.name() == name && entry.kind() == kind) return &entry;
  }
  return nullptr;
}

// conv 3->8 (3x3, pad 1, bias) -> relu -> flatten -> linear 512->10.
struct TinyNetImpl : nn::Module {
  TinyNetImpl()
      : conv(register_module(
            "conv", nn::Conv2d(nn::Conv2dOptions(3, 8, 3).padding(1)))),
        fc(register_module("fc", nn::Linear(512, 10))) {}
  torch::Tensor forward(torch::Tensor x) {
    return fc(torch::relu(conv(x)).flatten(1));
  }
  nn::Conv2d conv;
  nn::Linear fc;
};
TORCH_MODULE(TinyNet);

// Hand count for TinyNet on one 3x8x8 item (FP32):
//   conv:   out 8x8x8 = 512 elements, each 3*3*3 = 27 multiply-adds
//           -> 2 * 512 * 27 = 27648 FLOPs, + 512 bias adds = 28160;
//           params 8*27 + 8 = 224; writes 512 * 4 = 2048 bytes.
//   relu:   512 FLOPs; writes 2048 bytes. flatten: a view, nothing.
//   fc:     2 * 10 * 512 = 10240 FLOPs + 10 bias adds = 10250;
//           params 10*512 + 10 = 5130; writes 40 bytes.
//   total:  38922 FLOPs, 5354 params (21416 bytes), 4136 activation bytes,
//           input 3*8*8*4 = 768 bytes; traffic 21416 + 768 + 2*4136 = 30456.
TEST(CostModelTest, TinyNetMatchesHandCount) {
  nn::AnyModule module(TinyNet{});
  auto cost =
      ComputeCost("tiny", module, Shape(3, 8, 8), 1, v1::MODE_INFERENCE);
  ASSERT_TRUE(cost.ok()) << cost.status();
  EXPECT_DOUBLE_EQ(cost->forward_flops(), 38922);
  EXPECT_DOUBLE_EQ(cost->backward_flops(), 0);  // inference: no backward
  EXPECT_EQ(cost->params(), 5354);
  EXPECT_EQ(cost->param_bytes(), 21416);
  EXPECT_EQ(cost->activation_bytes(), 4136);
  EXPECT_EQ(cost->traffic_bytes(), 30456);
  EXPECT_EQ(cost->footprint_bytes(), 30456);
  EXPECT_DOUBLE_EQ(cost->intensity(), 38922.0 / 30456.0);
  EXPECT_TRUE(cost->unknown_ops().empty());

  ASSERT_EQ(cost->by_kind_size(), 3);
  EXPECT_EQ(cost->by_kind(0).kind(), "convolution");
  EXPECT_EQ(cost->by_kind(1).kind(), "linear");
  EXPECT_EQ(cost->by_kind(2).kind(), "activation");
  EXPECT_DOUBLE_EQ(cost->by_kind(0).forward_flops(), 28160);
  EXPECT_EQ(cost->by_kind(0).params(), 224);
  EXPECT_EQ(cost->by_kind(0).activation_bytes(), 2048);
  EXPECT_EQ(cost->by_kind(0).calls(), 1);
  EXPECT_DOUBLE_EQ(cost->by_kind(1).forward_flops(), 10250);
  EXPECT_EQ(cost->by_kind(1).params(), 5130);
  EXPECT_DOUBLE_EQ(cost->by_kind(2).forward_flops(), 512);

  // The relu sits between "conv" and "fc", whose common parent is the root.
  ASSERT_EQ(cost->by_module_size(), 3);
  EXPECT_EQ(cost->by_module(0).name(), "conv");
  EXPECT_EQ(cost->by_module(0).kind(), "convolution");
  EXPECT_EQ(cost->by_module(1).name(), "(root)");
  EXPECT_EQ(cost->by_module(1).kind(), "activation");
  EXPECT_EQ(cost->by_module(2).name(), "fc");
  EXPECT_EQ(cost->by_module(2).params(), 5130);
}

// Training backward, by hand: conv needs no data gradient (the model input
// needs none): weight 27648 + bias 512; relu 1x = 512; fc data 10240 +
// weight 10240 + bias 10. Total 49162.
TEST(CostModelTest, TinyNetTrainingBackward) {
  nn::AnyModule module(TinyNet{});
  auto cost = ComputeCost("tiny", module, Shape(3, 8, 8), 1, v1::MODE_TRAINING);
  ASSERT_TRUE(cost.ok()) << cost.status();
  EXPECT_DOUBLE_EQ(cost->forward_flops(), 38922);
  EXPECT_DOUBLE_EQ(cost->backward_flops(), 49162);
  EXPECT_DOUBLE_EQ(FindKind(*cost, "convolution")->backward_flops(), 28160);
  EXPECT_DOUBLE_EQ(FindKind(*cost, "linear")->backward_flops(), 20490);
}

TEST(CostModelTest, FrozenWeightsNeedNoWeightGradient) {
  TinyNet net;
  net->conv->weight.set_requires_grad(false);
  net->conv->bias.set_requires_grad(false);
  nn::AnyModule module(net);
  auto cost = ComputeCost("tiny", module, Shape(3, 8, 8), 1, v1::MODE_TRAINING);
  ASSERT_TRUE(cost.ok()) << cost.status();
  // Nothing before fc needs a gradient: only fc's weight and bias do.
  EXPECT_DOUBLE_EQ(cost->backward_flops(), 10240 + 10);
}

// depthwise 8->8 (groups 8, 3x3) -> pointwise 8->16 (1x1) -> grouped 16->16
// (groups 2, 1x1), no biases.
struct SeparableImpl : nn::Module {
  SeparableImpl()
      : dw(register_module(
            "dw",
            nn::Conv2d(
                nn::Conv2dOptions(8, 8, 3).padding(1).groups(8).bias(false)))),
        pw(register_module(
            "pw", nn::Conv2d(nn::Conv2dOptions(8, 16, 1).bias(false)))),
        grouped(register_module(
            "grouped",
            nn::Conv2d(nn::Conv2dOptions(16, 16, 1).groups(2).bias(false)))) {}
  torch::Tensor forward(torch::Tensor x) { return grouped(pw(dw(x))); }
  nn::Conv2d dw, pw, grouped;
};
TORCH_MODULE(Separable);

TEST(CostModelTest, DepthwiseConvolutionIsItsOwnKind) {
  nn::AnyModule module(Separable{});
  auto cost = ComputeCost("sep", module, Shape(8, 6, 6), 1, v1::MODE_INFERENCE);
  ASSERT_TRUE(cost.ok()) << cost.status();
  // dw: 2 * (8*6*6 outputs) * (1*3*3) = 5184.
  const v1::LayerCost* dw = FindKind(*cost, "depthwise_convolution");
  ASSERT_NE(dw, nullptr);
  EXPECT_DOUBLE_EQ(dw->forward_flops(), 5184);
  EXPECT_EQ(dw->calls(), 1);
  EXPECT_EQ(dw->params(), 72);
  // pw: 2 * (16*36) * 8 = 9216; grouped (not depthwise): 2 * (16*36) * 8 =
  // 9216.
  const v1::LayerCost* conv = FindKind(*cost, "convolution");
  ASSERT_NE(conv, nullptr);
  EXPECT_DOUBLE_EQ(conv->forward_flops(), 9216 + 9216);
  EXPECT_EQ(conv->calls(), 2);
  ASSERT_NE(FindModule(*cost, "dw", "depthwise_convolution"), nullptr);
  ASSERT_NE(FindModule(*cost, "grouped", "convolution"), nullptr);
}

// conv -> erf: erf is not in the rules.
struct ErfNetImpl : nn::Module {
  ErfNetImpl()
      : conv(register_module(
            "conv", nn::Conv2d(nn::Conv2dOptions(3, 4, 1).bias(false)))) {}
  torch::Tensor forward(torch::Tensor x) { return torch::erf(conv(x)); }
  nn::Conv2d conv;
};
TORCH_MODULE(ErfNet);

TEST(CostModelTest, UnknownOperatorsAreListedWithZeroFlops) {
  nn::AnyModule module(ErfNet{});
  auto cost = ComputeCost("erf", module, Shape(3, 4, 4), 1, v1::MODE_INFERENCE);
  ASSERT_TRUE(cost.ok()) << cost.status();
  EXPECT_THAT(cost->unknown_ops(), ElementsAre("aten::erf"));
  EXPECT_DOUBLE_EQ(cost->forward_flops(), 2 * 4 * 16 * 3);  // the conv only
}

// einsum is not in the rules, but the bmm it calls is: its cost is found
// there, and einsum is not reported.
struct EinsumNetImpl : nn::Module {
  EinsumNetImpl() : w(register_parameter("w", torch::ones({48, 10}))) {}
  torch::Tensor forward(torch::Tensor x) {
    return torch::einsum("ij,jk->ik", {x.flatten(1), w});
  }
  torch::Tensor w;
};
TORCH_MODULE(EinsumNet);

TEST(CostModelTest, UnknownOperatorsAreLookedThrough) {
  nn::AnyModule module(EinsumNet{});
  auto cost =
      ComputeCost("einsum", module, Shape(3, 4, 4), 2, v1::MODE_INFERENCE);
  ASSERT_TRUE(cost.ok()) << cost.status();
  EXPECT_TRUE(cost->unknown_ops().empty());
  const v1::LayerCost* linear = FindKind(*cost, "linear");
  ASSERT_NE(linear, nullptr);
  EXPECT_DOUBLE_EQ(linear->forward_flops(), 2 * 2 * 10 * 48);  // 2*M*N*K
}

TEST(CostModelTest, FlopsAndActivationsScaleWithBatch) {
  nn::AnyModule module(ResNet(ResNetConfig{ResNetBlock::kBasic, {2, 2, 2, 2}}));
  auto one =
      ComputeCost("resnet18", module, Shape(3, 64, 64), 1, v1::MODE_INFERENCE);
  auto three =
      ComputeCost("resnet18", module, Shape(3, 64, 64), 3, v1::MODE_INFERENCE);
  ASSERT_TRUE(one.ok()) << one.status();
  ASSERT_TRUE(three.ok()) << three.status();
  EXPECT_DOUBLE_EQ(three->forward_flops(), 3 * one->forward_flops());
  EXPECT_EQ(three->activation_bytes(), 3 * one->activation_bytes());
  EXPECT_EQ(three->params(), one->params());
}

// Expected numbers below come from agent/models/testdata/cost_reference.py:
// torchvision 0.14's own resnet18/resnet50 with nn.Module forward hooks
// (conv MACs = out.numel() * C_in/groups * kh * kw, the torchvision/fvcore
// count of 1.82 and 4.09 GMACs, times two; torchsummary's output sizes),
// no operator observation and no code shared with cost_model.cc.
TEST(CostModelTest, ResNet50MatchesIndependentReference) {
  nn::AnyModule module(ResNet(ResNetConfig{}));
  const auto start = std::chrono::steady_clock::now();
  auto cost = ComputeCost("resnet50", module, Shape(3, 224, 224), 1,
                          v1::MODE_INFERENCE);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();
  ASSERT_TRUE(cost.ok()) << cost.status();
  std::cout << "ComputeCost(resnet50, 224x224, batch 1): " << seconds << " s\n";
  EXPECT_LT(seconds, 10.0);  // about 0.3 s on 2 cores; generous for CI load

  // 2 x 4,087,136,256 convolution MACs; 2 x 2,048,000 + 1000 bias for fc.
  EXPECT_DOUBLE_EQ(FindKind(*cost, "convolution")->forward_flops(),
                   8174272512.0);
  EXPECT_DOUBLE_EQ(FindKind(*cost, "linear")->forward_flops(), 4097000.0);
  // Everything: 8.2176 GFLOPs, the seed's "8.22 GFLOPs".
  EXPECT_DOUBLE_EQ(cost->forward_flops(), 8217632232.0);
  EXPECT_EQ(cost->params(), 25557032);
  EXPECT_EQ(cost->param_bytes(), 4 * 25557032);
  EXPECT_EQ(cost->activation_bytes(), 150239136);
  // torchsummary's 384.62 MB, the seed's ResNet50 memory footprint.
  EXPECT_EQ(cost->footprint_bytes(), 403308512);
  EXPECT_TRUE(cost->unknown_ops().empty());

  // Attribution: each conv to its module, parameters counted once.
  const v1::LayerCost* conv1 =
      FindModule(*cost, "layer1.0.conv1", "convolution");
  ASSERT_NE(conv1, nullptr);
  EXPECT_EQ(conv1->params(), 64 * 64);
  EXPECT_EQ(conv1->calls(), 1);
  ASSERT_NE(FindModule(*cost, "layer2.0.downsample.0", "convolution"), nullptr);
  ASSERT_NE(FindModule(*cost, "layer1.0", "activation"), nullptr);
  ASSERT_NE(FindModule(*cost, "(root)", "pooling"), nullptr);
  double flops = 0;
  int64_t params = 0, bytes = 0;
  for (const auto& entry : cost->by_module()) {
    flops += entry.forward_flops();
    params += entry.params();
    bytes += entry.activation_bytes();
  }
  EXPECT_DOUBLE_EQ(flops, cost->forward_flops());
  EXPECT_EQ(params, cost->params());
  EXPECT_EQ(bytes, cost->activation_bytes());
}

TEST(CostModelTest, ResNet50TrainingBackwardIsAboutTwiceForward) {
  nn::AnyModule module(ResNet(ResNetConfig{}));
  auto cost =
      ComputeCost("resnet50", module, Shape(3, 224, 224), 1, v1::MODE_TRAINING);
  ASSERT_TRUE(cost.ok()) << cost.status();
  EXPECT_DOUBLE_EQ(cost->forward_flops(), 8250974184.0);  // BN 5/element
  EXPECT_DOUBLE_EQ(cost->backward_flops(), 16193314792.0);
  const double ratio = cost->backward_flops() / cost->forward_flops();
  EXPECT_GT(ratio, 1.9);
  EXPECT_LT(ratio, 2.0);  // the first conv's data gradient is not needed
}

TEST(CostModelTest, ResNet18MatchesIndependentReference) {
  nn::AnyModule module(ResNet(ResNetConfig{ResNetBlock::kBasic, {2, 2, 2, 2}}));
  auto cost =
      ComputeCost("resnet18", module, Shape(3, 224, 224), 1, v1::MODE_TRAINING);
  ASSERT_TRUE(cost.ok()) << cost.status();
  // 2 x 1,813,561,344 convolution MACs (torchvision: 1.82 GMACs).
  EXPECT_DOUBLE_EQ(FindKind(*cost, "convolution")->forward_flops(),
                   3627122688.0);
  EXPECT_DOUBLE_EQ(FindKind(*cost, "linear")->forward_flops(), 1025000.0);
  EXPECT_DOUBLE_EQ(cost->forward_flops(), 3645458408.0);
  EXPECT_DOUBLE_EQ(cost->backward_flops(), 7037577192.0);
  EXPECT_EQ(cost->params(), 11689512);
  EXPECT_EQ(cost->activation_bytes(), 32921504);
  EXPECT_EQ(cost->footprint_bytes(), 113203168);  // torchsummary: 107.96 MB
}

// One observed forward gives what two ComputeCost calls give.
TEST(CostModelTest, ModelCostEqualsComputeCostInBothModes) {
  nn::AnyModule module(ResNet(ResNetConfig{ResNetBlock::kBasic, {2, 2, 2, 2}}));
  auto both = ComputeModelCost("resnet18", module, Shape(3, 64, 64), 2);
  auto inference =
      ComputeCost("resnet18", module, Shape(3, 64, 64), 2, v1::MODE_INFERENCE);
  auto training =
      ComputeCost("resnet18", module, Shape(3, 64, 64), 2, v1::MODE_TRAINING);
  ASSERT_TRUE(both.ok()) << both.status();
  ASSERT_TRUE(inference.ok()) << inference.status();
  ASSERT_TRUE(training.ok()) << training.status();
  EXPECT_EQ(both->name(), "resnet18");
  EXPECT_EQ(both->batch(), 2);
  EXPECT_EQ(both->input().height(), 64);
  EXPECT_TRUE(MessageDifferencer::Equals(both->inference(), *inference))
      << both->inference().DebugString().substr(0, 500);
  EXPECT_TRUE(MessageDifferencer::Equals(both->training(), *training))
      << both->training().DebugString().substr(0, 500);
  EXPECT_GT(both->training().backward_flops(), 0);
  EXPECT_GT(both->training().forward_flops(),
            both->inference().forward_flops());  // batch norm: 5 vs 2
}

// CostOptions::shape_only gives the real forward's figures, field for field.
void ExpectShapeOnlyMatches(nn::AnyModule module, const v1::InputShape& shape,
                            int batch) {
  auto real = ComputeModelCost("m", module, shape, batch);
  CostOptions options;
  options.shape_only = true;
  auto meta = ComputeModelCost("m", module, shape, batch, options);
  ASSERT_TRUE(real.ok()) << real.status();
  ASSERT_TRUE(meta.ok()) << meta.status();
  EXPECT_TRUE(MessageDifferencer::Equals(*real, *meta))
      << real->DebugString().substr(0, 1000) << "\nvs\n"
      << meta->DebugString().substr(0, 1000);
  // The module was consumed: its parameters hold no data any more.
  for (const auto& p : module.ptr()->parameters()) EXPECT_TRUE(p.is_meta());
}

TEST(CostModelTest, ShapeOnlyMatchesRealForward) {
  ExpectShapeOnlyMatches(nn::AnyModule(TinyNet{}), Shape(3, 8, 8), 2);
  ExpectShapeOnlyMatches(nn::AnyModule(Separable{}), Shape(8, 6, 6), 1);
  ExpectShapeOnlyMatches(nn::AnyModule(ErfNet{}), Shape(3, 4, 4), 3);
  ExpectShapeOnlyMatches(
      nn::AnyModule(ResNet(ResNetConfig{ResNetBlock::kBasic, {2, 2, 2, 2}})),
      Shape(3, 64, 48), 2);
}

TEST(CostModelTest, ShapeOnlyKeepsParameterIdentityAndGradFlags) {
  TinyNet net;
  net->conv->bias.set_requires_grad(false);
  const c10::TensorImpl* weight = net->conv->weight.unsafeGetTensorImpl();
  nn::AnyModule module(net);
  CostOptions options;
  options.shape_only = true;
  auto cost = ComputeModelCost("tiny", module, Shape(3, 8, 8), 1, options);
  ASSERT_TRUE(cost.ok()) << cost.status();
  EXPECT_EQ(net->conv->weight.unsafeGetTensorImpl(), weight);
  EXPECT_TRUE(net->conv->weight.is_meta());
  EXPECT_TRUE(net->conv->weight.requires_grad());
  EXPECT_FALSE(net->conv->bias.requires_grad());
  EXPECT_EQ(cost->inference().params(), 5354);
  // A consumed module can be costed again, shape-only.
  EXPECT_TRUE(
      ComputeModelCost("tiny", module, Shape(3, 8, 8), 1, options).ok());
}

TEST(CostModelTest, ModelErrorsNameModelAndShape) {
  nn::AnyModule module(TinyNet{});
  auto cost =
      ComputeCost("tiny", module, Shape(4, 8, 8), 2, v1::MODE_INFERENCE);
  ASSERT_EQ(cost.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(cost.status().message().find("\"tiny\""), std::string::npos);
  EXPECT_NE(cost.status().message().find("batch 2 x 4x8x8"), std::string::npos)
      << cost.status();
}

TEST(CostModelTest, RejectsNonPositiveBatchAndShape) {
  nn::AnyModule module(TinyNet{});
  EXPECT_EQ(ComputeCost("tiny", module, Shape(3, 8, 8), 0, v1::MODE_INFERENCE)
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ComputeCost("tiny", module, Shape(3, 0, 8), 1, v1::MODE_INFERENCE)
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(CostModelTest, RestoresTrainEvalFlags) {
  TinyNet net;
  net->train();
  net->fc->eval();
  nn::AnyModule module(net);
  ASSERT_TRUE(
      ComputeCost("tiny", module, Shape(3, 8, 8), 1, v1::MODE_TRAINING).ok());
  EXPECT_TRUE(net->is_training());
  EXPECT_TRUE(net->conv->is_training());
  EXPECT_FALSE(net->fc->is_training());
  // Also when the model throws.
  ASSERT_FALSE(
      ComputeCost("tiny", module, Shape(5, 8, 8), 1, v1::MODE_TRAINING).ok());
  EXPECT_TRUE(net->is_training());
  EXPECT_FALSE(net->fc->is_training());
}

}  // namespace
}  // namespace benchfleet::models
