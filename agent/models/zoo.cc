#include "agent/models/zoo.h"

#include <functional>
#include <map>

#include "absl/strings/str_cat.h"
#include "agent/models/catalog.h"
#include "agent/models/resnet.h"

namespace benchfleet::models {
namespace {

using Factory = std::function<torch::nn::AnyModule()>;

torch::nn::AnyModule MakeResNet(ResNetBlock block, std::vector<int64_t> layers,
                                int64_t width_per_group = 64) {
  ResNetConfig config;
  config.block = block;
  config.layers = std::move(layers);
  config.width_per_group = width_per_group;
  return torch::nn::AnyModule(ResNet(config));
}

const std::map<std::string, Factory>& Factories() {
  using B = ResNetBlock;
  static const auto* factories = new std::map<std::string, Factory>{
      {"resnet18", [] { return MakeResNet(B::kBasic, {2, 2, 2, 2}); }},
      {"resnet34", [] { return MakeResNet(B::kBasic, {3, 4, 6, 3}); }},
      {"resnet50", [] { return MakeResNet(B::kBottleneck, {3, 4, 6, 3}); }},
      {"resnet101", [] { return MakeResNet(B::kBottleneck, {3, 4, 23, 3}); }},
      {"resnet152", [] { return MakeResNet(B::kBottleneck, {3, 8, 36, 3}); }},
      {"wide_resnet50_2",
       [] { return MakeResNet(B::kBottleneck, {3, 4, 6, 3}, 128); }},
      {"wide_resnet101_2",
       [] { return MakeResNet(B::kBottleneck, {3, 4, 23, 3}, 128); }},
  };
  return *factories;
}

}  // namespace

absl::StatusOr<ZooModel> BuildModel(absl::string_view name) {
  auto it = Factories().find(std::string(name));
  if (it == Factories().end() || FindModel(name) == nullptr) {
    return absl::NotFoundError(absl::StrCat("unknown model \"", name,
                                            "\"; known models: ",
                                            KnownModelNames()));
  }
  return ZooModel{std::string(name), it->second()};
}

}  // namespace benchfleet::models
