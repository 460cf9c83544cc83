#include "spec/model_catalog.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace benchfleet::spec {
namespace {

v1::InputShape Image(int side) {
  v1::InputShape shape;
  shape.set_channels(3);
  shape.set_height(side);
  shape.set_width(side);
  return shape;
}

std::vector<CatalogEntry>* BuildCatalog() {
  auto* entries = new std::vector<CatalogEntry>{
      {"resnet18", "resnet", Image(224)},
      {"resnet34", "resnet", Image(224)},
      {"resnet50", "resnet", Image(224)},
      {"resnet101", "resnet", Image(224)},
      {"resnet152", "resnet", Image(224)},
      {"wide_resnet50_2", "resnet", Image(224)},
      {"wide_resnet101_2", "resnet", Image(224)},
      {"alexnet", "alexnet", Image(224)},
      {"vgg11", "vgg", Image(224)},
      {"vgg13", "vgg", Image(224)},
      {"vgg16", "vgg", Image(224)},
      {"vgg19", "vgg", Image(224)},
      {"squeezenet1_0", "squeezenet", Image(224)},
      {"squeezenet1_1", "squeezenet", Image(224)},
      {"mobilenet_v3_large", "mobilenet_v3", Image(224)},
      {"mobilenet_v3_small", "mobilenet_v3", Image(224)},
      // EfficientNet sides are torchvision's evaluation crop sizes, which
      // grow with the compound scaling coefficient.
      {"efficientnet_b0", "efficientnet", Image(224)},
      {"efficientnet_b1", "efficientnet", Image(240)},
      {"efficientnet_b2", "efficientnet", Image(288)},
      {"efficientnet_b3", "efficientnet", Image(300)},
      {"efficientnet_b4", "efficientnet", Image(380)},
      {"efficientnet_b5", "efficientnet", Image(456)},
      {"efficientnet_b6", "efficientnet", Image(528)},
      {"efficientnet_b7", "efficientnet", Image(600)},
      {"googlenet", "googlenet", Image(224), /*has_aux_logits=*/true},
      {"inception_v3", "inception_v3", Image(299), /*has_aux_logits=*/true},
      {"shufflenet_v2_x0_5", "shufflenet_v2", Image(224)},
      {"shufflenet_v2_x1_0", "shufflenet_v2", Image(224)},
      {"shufflenet_v2_x1_5", "shufflenet_v2", Image(224)},
      {"shufflenet_v2_x2_0", "shufflenet_v2", Image(224)},
  };
  std::sort(entries->begin(), entries->end(),
            [](const CatalogEntry& a, const CatalogEntry& b) {
              return a.name < b.name;
            });
  return entries;
}

}  // namespace

const std::vector<CatalogEntry>& Catalog() {
  static const std::vector<CatalogEntry>* catalog = BuildCatalog();
  return *catalog;
}

const CatalogEntry* FindModel(absl::string_view name) {
  for (const auto& entry : Catalog())
    if (entry.name == name) return &entry;
  return nullptr;
}

std::string KnownModelNames() {
  return absl::StrJoin(
      Catalog(), ", ",
      [](std::string* out, const CatalogEntry& e) { out->append(e.name); });
}

absl::Status CheckAuxLogits(absl::string_view model, bool aux_logits) {
  if (!aux_logits) return absl::OkStatus();
  const CatalogEntry* entry = FindModel(model);
  if (entry != nullptr && entry->has_aux_logits) return absl::OkStatus();
  std::vector<std::string> with;
  for (const CatalogEntry& e : Catalog())
    if (e.has_aux_logits) with.push_back(e.name);
  return absl::InvalidArgumentError(absl::StrCat(
      "aux_logits = true: model \"", model.substr(0, 200),
      "\" has no auxiliary classifiers (only ", absl::StrJoin(with, ", "),
      " have)"));
}

}  // namespace benchfleet::spec
