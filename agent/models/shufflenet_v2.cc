#include "agent/models/shufflenet_v2.h"

namespace benchfleet::models {
namespace {

namespace nn = torch::nn;

nn::Conv2d Conv1x1(int64_t in, int64_t out) {
  return nn::Conv2d(nn::Conv2dOptions(in, out, 1).bias(false));
}

nn::Conv2d Depthwise3x3(int64_t channels, int64_t stride) {
  return nn::Conv2d(nn::Conv2dOptions(channels, channels, 3)
                        .stride(stride)
                        .padding(1)
                        .groups(channels)
                        .bias(false));
}

nn::ReLU Relu() { return nn::ReLU(nn::ReLUOptions(true)); }

// Interleaves the channels of `groups` groups (section 3 of Zhang et al.
// 2018, "ShuffleNet"), so information crosses the two branches.
torch::Tensor ChannelShuffle(const torch::Tensor& x, int64_t groups) {
  const int64_t n = x.size(0), c = x.size(1), h = x.size(2), w = x.size(3);
  return x.view({n, groups, c / groups, h, w})
      .transpose(1, 2)
      .contiguous()
      .view({n, -1, h, w});
}

// ShuffleNet V2 unit (figure 3c/3d): with stride 1 the input is split in half
// and only the second half is transformed; with stride 2 both branches see
// the whole input and the spatial size halves.
class InvertedResidualImpl : public nn::Module {
 public:
  InvertedResidualImpl(int64_t inp, int64_t oup, int64_t stride)
      : stride_(stride) {
    TORCH_CHECK(stride >= 1 && stride <= 3, "ShuffleNetV2: illegal stride ",
                stride);
    const int64_t branch_features = oup / 2;
    TORCH_CHECK(stride > 1 || inp == branch_features * 2,
                "ShuffleNetV2: with stride 1, inp (", inp,
                ") must equal 2 * (oup / 2) (", 2 * branch_features, ")");
    nn::Sequential branch1;  // empty for stride 1, as in torchvision
    if (stride > 1) {
      branch1 = nn::Sequential(Depthwise3x3(inp, stride), nn::BatchNorm2d(inp),
                               Conv1x1(inp, branch_features),
                               nn::BatchNorm2d(branch_features), Relu());
    }
    branch1_ = register_module("branch1", branch1);
    branch2_ = register_module(
        "branch2", nn::Sequential(Conv1x1(stride > 1 ? inp : branch_features,
                                          branch_features),
                                  nn::BatchNorm2d(branch_features), Relu(),
                                  Depthwise3x3(branch_features, stride),
                                  nn::BatchNorm2d(branch_features),
                                  Conv1x1(branch_features, branch_features),
                                  nn::BatchNorm2d(branch_features), Relu()));
  }

  torch::Tensor forward(torch::Tensor x) {
    torch::Tensor out;
    if (stride_ == 1) {
      std::vector<torch::Tensor> halves = x.chunk(2, 1);
      out = torch::cat({halves[0], branch2_->forward(halves[1])}, 1);
    } else {
      out = torch::cat({branch1_->forward(x), branch2_->forward(x)}, 1);
    }
    return ChannelShuffle(out, 2);
  }

 private:
  int64_t stride_;
  nn::Sequential branch1_{nullptr}, branch2_{nullptr};
};
TORCH_MODULE(InvertedResidual);

}  // namespace

ShuffleNetV2Config ShuffleNetV2ConfigForWidth(int width_x10) {
  ShuffleNetV2Config config;
  switch (width_x10) {
    case 5:
      config.stages_out_channels = {24, 48, 96, 192, 1024};
      break;
    case 10:
      config.stages_out_channels = {24, 116, 232, 464, 1024};
      break;
    case 15:
      config.stages_out_channels = {24, 176, 352, 704, 1024};
      break;
    case 20:
      config.stages_out_channels = {24, 244, 488, 976, 2048};
      break;
    default:
      TORCH_CHECK(false, "ShuffleNetV2 width must be 0.5, 1.0, 1.5 or 2.0 (",
                  "width_x10 5, 10, 15 or 20), got width_x10 ", width_x10);
  }
  return config;
}

ShuffleNetV2Impl::ShuffleNetV2Impl(const ShuffleNetV2Config& config) {
  TORCH_CHECK(config.stages_repeats.size() == 3,
              "ShuffleNetV2: expected 3 stage repeat counts, got ",
              config.stages_repeats.size());
  TORCH_CHECK(config.stages_out_channels.size() == 5,
              "ShuffleNetV2: expected 5 output channel counts, got ",
              config.stages_out_channels.size());
  TORCH_CHECK(config.num_classes > 0,
              "ShuffleNetV2: num_classes must be positive");
  const std::vector<int64_t>& channels = config.stages_out_channels;
  conv1_ = register_module(
      "conv1", nn::Sequential(nn::Conv2d(nn::Conv2dOptions(3, channels[0], 3)
                                             .stride(2)
                                             .padding(1)
                                             .bias(false)),
                              nn::BatchNorm2d(channels[0]), Relu()));
  maxpool_ = register_module(
      "maxpool", nn::MaxPool2d(nn::MaxPool2dOptions(3).stride(2).padding(1)));
  nn::Sequential* stages[] = {&stage2_, &stage3_, &stage4_};
  const char* names[] = {"stage2", "stage3", "stage4"};
  int64_t in = channels[0];
  for (int i = 0; i < 3; ++i) {
    TORCH_CHECK(config.stages_repeats[i] >= 1,
                "ShuffleNetV2: every stage needs at least one unit");
    const int64_t out = channels[i + 1];
    nn::Sequential stage(InvertedResidual(in, out, 2));
    for (int64_t r = 1; r < config.stages_repeats[i]; ++r)
      stage->push_back(InvertedResidual(out, out, 1));
    *stages[i] = register_module(names[i], stage);
    in = out;
  }
  conv5_ = register_module(
      "conv5", nn::Sequential(Conv1x1(in, channels[4]),
                              nn::BatchNorm2d(channels[4]), Relu()));
  fc_ = register_module("fc", nn::Linear(channels[4], config.num_classes));
  // torchvision keeps PyTorch's default initialisation for ShuffleNetV2.
}

torch::Tensor ShuffleNetV2Impl::forward(torch::Tensor x) {
  x = maxpool_->forward(conv1_->forward(x));
  x = stage4_->forward(stage3_->forward(stage2_->forward(x)));
  x = conv5_->forward(x).mean({2, 3});  // global average pool
  return fc_->forward(x);
}

}  // namespace benchfleet::models
