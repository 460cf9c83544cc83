#include "agent/models/zoo.h"

#include <c10/core/impl/LocalDispatchKeySet.h>

#include <functional>
#include <map>

#include "absl/strings/str_cat.h"
#include "agent/models/alexnet.h"
#include "agent/models/efficientnet.h"
#include "agent/models/googlenet.h"
#include "agent/models/inception_v3.h"
#include "agent/models/mobilenet_v3.h"
#include "agent/models/model_loader.h"
#include "agent/models/resnet.h"
#include "agent/models/shufflenet_v2.h"
#include "agent/models/squeezenet.h"
#include "agent/models/vgg.h"
#include "spec/model_catalog.h"
#include "spec/model_path.h"

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

// Wraps a module built from `config`; every zoo model is Tensor -> Tensor.
template <typename Holder, typename Config>
torch::nn::AnyModule Make(const Config& config) {
  return torch::nn::AnyModule(Holder(config));
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
      {"alexnet", [] { return Make<AlexNet>(AlexNetConfig{}); }},
      {"vgg11", [] { return Make<Vgg>(VggConfigForDepth(11)); }},
      {"vgg13", [] { return Make<Vgg>(VggConfigForDepth(13)); }},
      {"vgg16", [] { return Make<Vgg>(VggConfigForDepth(16)); }},
      {"vgg19", [] { return Make<Vgg>(VggConfigForDepth(19)); }},
      {"squeezenet1_0",
       [] {
         return Make<SqueezeNet>(SqueezeNetConfig{SqueezeNetVersion::k1_0});
       }},
      {"squeezenet1_1",
       [] {
         return Make<SqueezeNet>(SqueezeNetConfig{SqueezeNetVersion::k1_1});
       }},
      {"mobilenet_v3_large",
       [] {
         return Make<MobileNetV3>(MobileNetV3Config{MobileNetV3Arch::kLarge});
       }},
      {"mobilenet_v3_small",
       [] {
         return Make<MobileNetV3>(MobileNetV3Config{MobileNetV3Arch::kSmall});
       }},
      {"efficientnet_b0",
       [] { return Make<EfficientNet>(EfficientNetConfigForVariant(0)); }},
      {"efficientnet_b1",
       [] { return Make<EfficientNet>(EfficientNetConfigForVariant(1)); }},
      {"efficientnet_b2",
       [] { return Make<EfficientNet>(EfficientNetConfigForVariant(2)); }},
      {"efficientnet_b3",
       [] { return Make<EfficientNet>(EfficientNetConfigForVariant(3)); }},
      {"efficientnet_b4",
       [] { return Make<EfficientNet>(EfficientNetConfigForVariant(4)); }},
      {"efficientnet_b5",
       [] { return Make<EfficientNet>(EfficientNetConfigForVariant(5)); }},
      {"efficientnet_b6",
       [] { return Make<EfficientNet>(EfficientNetConfigForVariant(6)); }},
      {"efficientnet_b7",
       [] { return Make<EfficientNet>(EfficientNetConfigForVariant(7)); }},
      {"googlenet", [] { return Make<GoogLeNet>(GoogLeNetConfig{}); }},
      {"inception_v3", [] { return Make<InceptionV3>(InceptionV3Config{}); }},
      {"shufflenet_v2_x0_5",
       [] { return Make<ShuffleNetV2>(ShuffleNetV2ConfigForWidth(5)); }},
      {"shufflenet_v2_x1_0",
       [] { return Make<ShuffleNetV2>(ShuffleNetV2ConfigForWidth(10)); }},
      {"shufflenet_v2_x1_5",
       [] { return Make<ShuffleNetV2>(ShuffleNetV2ConfigForWidth(15)); }},
      {"shufflenet_v2_x2_0",
       [] { return Make<ShuffleNetV2>(ShuffleNetV2ConfigForWidth(20)); }},
  };
  return *factories;
}

// The models with auxiliary classifiers (CatalogEntry::has_aux_logits), built
// with them, as for training from scratch.
const std::map<std::string, Factory>& FactoriesWithAux() {
  static const auto* factories = new std::map<std::string, Factory>{
      {"googlenet",
       [] {
         GoogLeNetConfig config;
         config.aux_logits = true;
         return Make<GoogLeNet>(config);
       }},
      {"inception_v3",
       [] {
         InceptionV3Config config;
         config.aux_logits = true;
         return Make<InceptionV3>(config);
       }},
  };
  return *factories;
}

}  // namespace

absl::StatusOr<ZooModel> BuildModel(absl::string_view name,
                                    const BuildOptions& options) {
  if (spec::IsModelPath(name)) {
    if (absl::Status ok = spec::CheckAuxLogits(name, options.aux_logits);
        !ok.ok())
      return ok;
    absl::StatusOr<ScriptModel> script = LoadScriptModel(name);
    if (!script.ok()) return script.status();
    std::string digest = (*script)->digest();
    return ZooModel{std::string(name), torch::nn::AnyModule(*std::move(script)),
                    std::move(digest)};
  }
  auto it = Factories().find(std::string(name));
  if (it == Factories().end() || spec::FindModel(name) == nullptr) {
    return absl::NotFoundError(absl::StrCat("unknown model \"", name,
                                            "\"; known models: ",
                                            spec::KnownModelNames()));
  }
  if (absl::Status ok = spec::CheckAuxLogits(name, options.aux_logits);
      !ok.ok())
    return ok;
  const Factory& build = options.aux_logits
                             ? FactoriesWithAux().at(std::string(name))
                             : it->second;
  return ZooModel{std::string(name), build(), /*digest=*/""};
}

absl::StatusOr<ZooModel> BuildModelSkeleton(absl::string_view name,
                                            const BuildOptions& options) {
  if (spec::IsModelPath(name)) return BuildModel(name, options);
  if (Factories().count(std::string(name)) == 0 ||
      spec::FindModel(name) == nullptr) {
    return BuildModel(name, options);  // its NOT_FOUND
  }
  try {
    // The meta key joins every tensor operator's dispatch keys on this
    // thread and outranks the CPU one, so uniform_, normal_, erfinv_ and the
    // rest run their meta (shape-checking) kernels. Factories like
    // torch::empty still allocate on the CPU (never touched, so never
    // resident); shape-only costing moves those tensors to the meta device.
    // Not IncludeDispatchKeyGuard: removing a key from a DispatchKeySet
    // removes only its functionality bit, so on exit it would leave the meta
    // backend bit behind and every later CPU operator on this thread would
    // run its meta kernel. ForceDispatchKeyGuard restores the exact set.
    c10::impl::LocalDispatchKeySet with_meta =
        c10::impl::tls_local_dispatch_key_set();
    with_meta.included_ =
        with_meta.included_ | c10::DispatchKeySet(c10::DispatchKey::Meta);
    c10::impl::ForceDispatchKeyGuard meta(with_meta);
    return BuildModel(name, options);
  } catch (const c10::Error& e) {
    return absl::InvalidArgumentError(
        absl::StrCat("building a skeleton of model \"", name,
                     "\": ", e.what_without_backtrace()));
  }
}

}  // namespace benchfleet::models
