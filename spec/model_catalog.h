// Names of the models the zoo can build, without linking LibTorch, so the
// coordinator can validate sweeps.
#ifndef BENCHFLEET_SPEC_MODEL_CATALOG_H_
#define BENCHFLEET_SPEC_MODEL_CATALOG_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "proto/benchmark.pb.h"

namespace benchfleet::spec {

struct CatalogEntry {
  std::string name;              // zoo name, e.g. "resnet50"
  std::string family;            // e.g. "resnet"
  v1::InputShape default_input;  // the shape the architecture was designed for
  // Has auxiliary classifiers that BenchmarkSpec.aux_logits can build.
  bool has_aux_logits = false;
};

// Every zoo model, sorted by name.
const std::vector<CatalogEntry>& Catalog();

// The entry for `name`, or null when the zoo has no such model.
const CatalogEntry* FindModel(absl::string_view name);

// Comma-separated list of zoo names, for error messages.
std::string KnownModelNames();

// OK unless `aux_logits` is asked of a model without auxiliary classifiers
// (a TorchScript file, an unknown name, or a zoo model other than those
// with has_aux_logits): then INVALID_ARGUMENT naming the field and model.
absl::Status CheckAuxLogits(absl::string_view model, bool aux_logits);

}  // namespace benchfleet::spec

#endif  // BENCHFLEET_SPEC_MODEL_CATALOG_H_
