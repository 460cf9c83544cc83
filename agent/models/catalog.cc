#include "agent/models/catalog.h"

#include <algorithm>

#include "absl/strings/str_join.h"

namespace benchfleet::models {
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
  return absl::StrJoin(Catalog(), ", ",
                       [](std::string* out, const CatalogEntry& e) {
                         out->append(e.name);
                       });
}

}  // namespace benchfleet::models
