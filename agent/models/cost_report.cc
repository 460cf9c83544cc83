#include "agent/models/cost_report.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "google/protobuf/util/json_util.h"

namespace benchfleet::models {
namespace {

constexpr double kGiga = 1e9;
constexpr double kMiB = 1024.0 * 1024.0;

enum class Align { kLeft, kRight };

// A text table: a header row, then rows; columns as wide as their widest
// cell, two spaces apart, no trailing blanks.
class Table {
 public:
  Table(std::vector<std::string> header, std::vector<Align> align)
      : align_(std::move(align)) {
    rows_.push_back(std::move(header));
  }
  void Add(std::vector<std::string> row) { rows_.push_back(std::move(row)); }

  std::string Render() const {
    std::vector<size_t> width(align_.size(), 0);
    for (const auto& row : rows_) {
      for (size_t c = 0; c < row.size(); ++c) {
        width[c] = std::max(width[c], row[c].size());
      }
    }
    std::string out;
    for (const auto& row : rows_) {
      std::string line;
      for (size_t c = 0; c < row.size(); ++c) {
        const std::string pad(width[c] - row[c].size(), ' ');
        if (c > 0) line += "  ";
        line += align_[c] == Align::kLeft ? row[c] + pad : pad + row[c];
      }
      line.erase(line.find_last_not_of(' ') + 1);
      absl::StrAppend(&out, line, "\n");
    }
    return out;
  }

 private:
  std::vector<Align> align_;
  std::vector<std::vector<std::string>> rows_;
};

// 25557032 -> "25,557,032".
std::string Grouped(int64_t n) {
  std::string digits = absl::StrCat(n < 0 ? -n : n);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return n < 0 ? "-" + out : out;
}

// `value` with `decimals` decimals, or, below 1, with as many as show four
// significant digits (0.0001536 rather than a misleading 0.000), so that
// small user models and single layers stay readable.
std::string Fixed(double value, int decimals) {
  if (value > 0 && value < 1) {
    const int needed = 3 - static_cast<int>(std::floor(std::log10(value)));
    decimals = std::min(std::max(decimals, needed), 12);
  }
  return absl::StrFormat("%.*f", decimals, value);
}

std::string Gflops(double flops) { return Fixed(flops / kGiga, 3); }

std::string Mib(int64_t bytes) {
  return Fixed(static_cast<double>(bytes) / kMiB, 2);
}

std::string Percent(double part, double whole) {
  return whole > 0 ? absl::StrFormat("%.1f", 100.0 * part / whole) : "-";
}

std::string Shape(const v1::InputShape& s) {
  return absl::StrCat(s.channels(), "x", s.height(), "x", s.width());
}

std::string UnknownOps(const v1::CostFigures& cost) {
  return absl::StrJoin(cost.unknown_ops(), ", ");
}

std::vector<std::string> CostCells(const v1::LayerCost& entry,
                                   double total_flops) {
  return {Gflops(entry.forward_flops()),
          Gflops(entry.backward_flops()),
          Percent(entry.forward_flops() + entry.backward_flops(), total_flops),
          Grouped(entry.params()),
          Mib(entry.activation_bytes()),
          absl::StrCat(entry.calls())};
}

}  // namespace

std::string RenderModelCostTable(const v1::ModelCostList& list) {
  using A = Align;
  Table table({"model", "input", "batch", "params", "fwd GFLOPs",
               "train GFLOPs", "traffic MiB", "footprint MiB", "FLOP/byte"},
              {A::kLeft, A::kLeft, A::kRight, A::kRight, A::kRight, A::kRight,
               A::kRight, A::kRight, A::kRight});
  std::string notes;
  for (const v1::ModelCost& m : list.models()) {
    const v1::CostFigures& inf = m.inference();
    const v1::CostFigures& train = m.training();
    table.Add({m.name(), Shape(m.input()), absl::StrCat(m.batch()),
               Grouped(inf.params()), Gflops(inf.forward_flops()),
               Gflops(train.forward_flops() + train.backward_flops()),
               Mib(inf.traffic_bytes()), Mib(inf.footprint_bytes()),
               absl::StrFormat("%.2f", inf.intensity())});
    if (!inf.unknown_ops().empty()) {
      absl::StrAppend(&notes, "  ", m.name(), ": ", UnknownOps(inf), "\n");
    }
  }
  std::string out = table.Render();
  if (!notes.empty()) {
    absl::StrAppend(&out,
                    "\nOperators counted as 0 FLOPs (unknown to the "
                    "cost model):\n",
                    notes);
  }
  return out;
}

std::string RenderCostBreakdown(const v1::ModelCost& cost, v1::Mode mode) {
  const bool training = mode == v1::MODE_TRAINING;
  const v1::CostFigures& c = training ? cost.training() : cost.inference();
  const double total = c.forward_flops() + c.backward_flops();
  std::string out = absl::StrCat(
      cost.name(), " at batch ", cost.batch(), " x ", Shape(cost.input()), ", ",
      training ? "training" : "inference", ": forward ",
      Gflops(c.forward_flops()), " GFLOPs, backward ",
      Gflops(c.backward_flops()), " GFLOPs, params ", Grouped(c.params()),
      ", activations ", Mib(c.activation_bytes()), " MiB, traffic ",
      Mib(c.traffic_bytes()), " MiB, footprint ", Mib(c.footprint_bytes()),
      " MiB, intensity ", absl::StrFormat("%.2f", c.intensity()),
      " FLOP/byte\n");
  if (!cost.model_digest().empty()) {
    absl::StrAppend(&out, "sha256 ", cost.model_digest(), "\n");
  }

  using A = Align;
  const std::vector<std::string> columns = {
      "fwd GFLOPs", "bwd GFLOPs", "share %", "params", "act MiB", "calls"};
  const std::vector<A> right(columns.size(), A::kRight);

  std::vector<std::string> header = {"kind"};
  header.insert(header.end(), columns.begin(), columns.end());
  std::vector<A> align = {A::kLeft};
  align.insert(align.end(), right.begin(), right.end());
  Table kinds(header, align);
  v1::LayerCost sum;
  for (const v1::LayerCost& entry : c.by_kind()) {
    std::vector<std::string> row = {entry.kind()};
    for (auto& cell : CostCells(entry, total)) row.push_back(std::move(cell));
    kinds.Add(std::move(row));
    sum.set_forward_flops(sum.forward_flops() + entry.forward_flops());
    sum.set_backward_flops(sum.backward_flops() + entry.backward_flops());
    sum.set_params(sum.params() + entry.params());
    sum.set_activation_bytes(sum.activation_bytes() + entry.activation_bytes());
    sum.set_calls(sum.calls() + entry.calls());
  }
  std::vector<std::string> total_row = {"total"};
  for (auto& cell : CostCells(sum, total)) total_row.push_back(std::move(cell));
  kinds.Add(std::move(total_row));
  absl::StrAppend(&out, "\nBy kind:\n", kinds.Render());

  header = {"module", "kind"};
  header.insert(header.end(), columns.begin(), columns.end());
  align = {A::kLeft, A::kLeft};
  align.insert(align.end(), right.begin(), right.end());
  Table modules(header, align);
  for (const v1::LayerCost& entry : c.by_module()) {
    std::vector<std::string> row = {entry.name(), entry.kind()};
    for (auto& cell : CostCells(entry, total)) row.push_back(std::move(cell));
    modules.Add(std::move(row));
  }
  absl::StrAppend(&out, "\nBy module:\n", modules.Render());

  if (!c.unknown_ops().empty()) {
    absl::StrAppend(&out,
                    "\nOperators counted as 0 FLOPs (unknown to the "
                    "cost model): ",
                    UnknownOps(c), "\n");
  }
  return out;
}

std::string RenderCostJson(const google::protobuf::Message& message) {
  google::protobuf::util::JsonPrintOptions options;
  options.add_whitespace = true;
  options.always_print_primitive_fields = true;
  std::string json;
  (void)google::protobuf::util::MessageToJsonString(message, &json, options);
  if (json.empty() || json.back() != '\n') json += '\n';
  return json;
}

void ClearBreakdowns(v1::ModelCost& cost) {
  for (v1::CostFigures* figures :
       {cost.mutable_inference(), cost.mutable_training()}) {
    figures->clear_by_kind();
    figures->clear_by_module();
  }
}

}  // namespace benchfleet::models
