// `agent models` and `agent model`: the analytic cost of zoo models and of
// TorchScript files (agent/models/model_cost.h), rendered by
// agent/models/cost_report.h.
#include <torch/torch.h>

#include <cstdlib>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "absl/flags/declare.h"
#include "absl/flags/flag.h"
#include "absl/status/statusor.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "agent/cli/commands.h"
#include "agent/cli/common.h"
#include "agent/models/cost_report.h"
#include "agent/models/model_cost.h"
#include "spec/model_catalog.h"

// Shared with `agent run` (run_command.cc defines them).
ABSL_DECLARE_FLAG(int, batch);
ABSL_DECLARE_FLAG(std::string, mode);
ABSL_DECLARE_FLAG(std::string, input);
ABSL_DECLARE_FLAG(bool, aux_logits);

ABSL_FLAG(bool, breakdown, false,
          "model: print the per-kind and per-module cost tables");
ABSL_FLAG(std::string, models, "",
          "models: comma-separated zoo names to list; empty = the whole zoo");

namespace benchfleet::agent_cli {
namespace {

using spec::CatalogEntry;

// The shape --input asks for, or null when it is empty (each model's own).
// Exits with a message naming the flag when it is not CxHxW.
std::unique_ptr<v1::InputShape> InputFlag() {
  const std::string text = absl::GetFlag(FLAGS_input);
  if (text.empty()) return nullptr;
  const std::vector<std::string> parts = absl::StrSplit(text, 'x');
  int c = 0, h = 0, w = 0;
  if (parts.size() != 3 || !absl::SimpleAtoi(parts[0], &c) ||
      !absl::SimpleAtoi(parts[1], &h) || !absl::SimpleAtoi(parts[2], &w) ||
      c < 1 || h < 1 || w < 1) {
    std::cerr << "agent: --input=" << text
              << ": expected CxHxW of positive sizes, e.g. 3x224x224\n";
    std::exit(2);
  }
  auto shape = std::make_unique<v1::InputShape>();
  shape->set_channels(c);
  shape->set_height(h);
  shape->set_width(w);
  return shape;
}

int BatchFlag() {
  const int batch = absl::GetFlag(FLAGS_batch);
  if (batch < 1) {
    std::cerr << "agent: --batch=" << batch << ": must be at least 1\n";
    std::exit(2);
  }
  return batch;
}

// --input, else the zoo model's default input, else 3x224x224 (a
// TorchScript file: the default of spec/spec_check.h's ApplyDefaults).
v1::InputShape InputFor(const std::string& model, const v1::InputShape* flag) {
  if (flag != nullptr) return *flag;
  if (const CatalogEntry* entry = spec::FindModel(model)) {
    return entry->default_input;
  }
  v1::InputShape shape;
  shape.set_channels(3);
  shape.set_height(224);
  shape.set_width(224);
  return shape;
}

}  // namespace

int ModelsCommand(const Args& args) {
  if (!args.empty()) {
    std::cerr << "agent models: unexpected argument \"" << args[0]
              << "\"; for one model use `agent model NAME`\n";
    return 2;
  }
  const bool json = JsonFormat();
  const std::unique_ptr<v1::InputShape> input = InputFlag();
  const int batch = BatchFlag();
  std::vector<std::string> names;
  const std::string only = absl::GetFlag(FLAGS_models);
  if (only.empty()) {
    for (const CatalogEntry& entry : spec::Catalog()) {
      names.push_back(entry.name);
    }
  } else {
    names = absl::StrSplit(only, ',', absl::SkipEmpty());
    for (const std::string& name : names) {
      if (spec::FindModel(name) == nullptr) {
        std::cerr << "agent models: --models: unknown zoo model \"" << name
                  << "\"; known models: " << spec::KnownModelNames() << "\n";
        return 2;
      }
    }
  }
  torch::set_num_threads(Threads());
  v1::ModelCostList list;
  int failures = 0;
  // --aux_logits applies to the models that have auxiliary classifiers.
  const bool aux_logits = absl::GetFlag(FLAGS_aux_logits);
  for (const std::string& name : names) {
    absl::StatusOr<v1::ModelCost> cost = models::ComputeModelCostByName(
        name, InputFor(name, input.get()), batch,
        aux_logits && spec::FindModel(name)->has_aux_logits);
    if (!cost.ok()) {
      // A model too small for --input fails; the others are still listed.
      std::cerr << "agent models: " << cost.status().message() << "\n";
      ++failures;
      continue;
    }
    models::ClearBreakdowns(*cost);
    *list.add_models() = *std::move(cost);
  }
  std::cout << (json ? models::RenderCostJson(list)
                     : models::RenderModelCostTable(list));
  return failures == 0 ? 0 : 1;
}

int ModelCommand(const Args& args) {
  if (args.size() != 1) {
    std::cerr << "usage: agent model NAME|FILE.pt [--breakdown] "
                 "[--mode=inference|training] [--batch=N] [--input=CxHxW] "
                 "[--aux_logits]\n";
    return 2;
  }
  const bool json = JsonFormat();
  const std::string mode_flag = absl::GetFlag(FLAGS_mode);
  v1::Mode mode;
  if (mode_flag == "inference") {
    mode = v1::MODE_INFERENCE;
  } else if (mode_flag == "training") {
    mode = v1::MODE_TRAINING;
  } else {
    std::cerr << "agent: --mode=" << mode_flag
              << ": use inference or training\n";
    return 2;
  }
  const std::unique_ptr<v1::InputShape> input = InputFlag();
  const int batch = BatchFlag();
  torch::set_num_threads(Threads());
  const std::string& model = args[0];
  absl::StatusOr<v1::ModelCost> cost = models::ComputeModelCostByName(
      model, InputFor(model, input.get()), batch,
      absl::GetFlag(FLAGS_aux_logits));
  if (!cost.ok()) {
    std::cerr << "agent model: " << cost.status() << "\n";
    return 1;
  }
  const bool breakdown = absl::GetFlag(FLAGS_breakdown);
  if (!breakdown) models::ClearBreakdowns(*cost);
  if (json) {
    std::cout << models::RenderCostJson(*cost);
  } else if (breakdown) {
    std::cout << models::RenderCostBreakdown(*cost, mode);
  } else {
    v1::ModelCostList one;
    *one.add_models() = *std::move(cost);
    std::cout << models::RenderModelCostTable(one);
  }
  return 0;
}

}  // namespace benchfleet::agent_cli
