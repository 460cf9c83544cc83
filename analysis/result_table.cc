#include "analysis/result_table.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "analysis/csv.h"
#include "proto/names.h"

namespace benchfleet::analysis {
namespace {

// The layout the job ran with, else the one it asked for.
v1::MemoryFormat LayoutOf(const v1::JobResult& r) {
  return r.memory_format() != v1::MEMORY_FORMAT_UNSPECIFIED
             ? r.memory_format()
             : r.spec().memory_format();
}

std::string StatusName(const v1::JobResult& r) {
  if (r.status() != v1::JOB_STATUS_OK) return "failed";
  return r.unstable() ? "unstable" : "ok";
}

const std::vector<std::string>& Header() {
  static const auto* header = new std::vector<std::string>{
      "job",     "model",     "input",        "batch",  "mode",    "device",
      "dtype",   "layout",    "median_ms",    "p90_ms", "iqr%",    "items/s",
      "gflop/s", "fwd:bwd_t", "fwd:bwd_flop", "iters",  "threads", "status"};
  return *header;
}

// Cells of one result; `precise` keeps full precision (CSV).
std::vector<std::string> Cells(const v1::JobResult& r, bool precise) {
  auto num = [precise](double v, int digits) {
    return precise ? absl::StrFormat("%.9g", v)
                   : absl::StrFormat("%.*f", digits, v);
  };
  const bool ok = r.status() == v1::JOB_STATUS_OK;
  // A figure that was not measured (0) shows as "-".
  auto figure = [&](double v, int digits) {
    return ok && v > 0 ? num(v, digits) : std::string("-");
  };
  const double iqr_percent =
      r.step().median_ms() > 0
          ? 100.0 * r.step().iqr_ms() / r.step().median_ms()
          : 0;
  return {absl::StrCat(r.job_id()),
          r.spec().model(),
          InputName(r.spec().input()),
          absl::StrCat(r.spec().batch_size()),
          ModeName(r.spec().mode()),
          DeviceKindName(r.spec().device()),
          PrecisionName(r.spec().precision()),
          LayoutName(LayoutOf(r)),
          ok ? num(r.step().median_ms(), 3) : "-",
          ok ? num(r.step().p90_ms(), 3) : "-",
          ok ? num(iqr_percent, 1) : "-",
          ok ? num(r.items_per_second(), 1) : "-",
          figure(r.achieved_flops_per_second() / 1e9, 1),
          figure(r.forward_backward_latency_ratio(), 3),
          figure(r.forward_backward_flop_ratio(), 3),
          absl::StrCat(r.step().n()),
          absl::StrCat(r.intra_op_threads()),
          StatusName(r)};
}

}  // namespace

std::string RenderTextTable(const std::vector<std::string>& header,
                            const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> width(header.size());
  for (size_t i = 0; i < header.size(); ++i) width[i] = header[i].size();
  for (const auto& row : rows)
    for (size_t i = 0; i < row.size() && i < width.size(); ++i)
      width[i] = std::max(width[i], row[i].size());
  auto line = [&width](const std::vector<std::string>& cells) {
    std::string out;
    for (size_t i = 0; i < width.size(); ++i) {
      const std::string& cell = i < cells.size() ? cells[i] : "";
      if (i > 0) out += "  ";
      out += cell + std::string(width[i] - cell.size(), ' ');
    }
    while (!out.empty() && out.back() == ' ') out.pop_back();
    return out + "\n";
  };
  std::string out = line(header);
  for (const auto& row : rows) out += line(row);
  return out;
}

std::string RenderResultsTable(const std::vector<v1::JobResult>& results) {
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> errors;
  for (const auto& r : results) {
    rows.push_back(Cells(r, /*precise=*/false));
    if (r.status() != v1::JOB_STATUS_OK)
      errors.push_back(absl::StrCat("job ", r.job_id(), ": ", r.error()));
    for (const auto& w : r.warnings())
      errors.push_back(absl::StrCat("job ", r.job_id(), ": warning: ", w));
  }
  std::string out = RenderTextTable(Header(), rows);
  for (const auto& e : errors) out += e + "\n";
  return out;
}

std::string RenderResultsCsv(const std::vector<v1::JobResult>& results) {
  std::string out = absl::StrJoin(Header(), ",") + ",error,warnings\n";
  for (const auto& r : results) {
    std::vector<std::string> cells = Cells(r, /*precise=*/true);
    cells.push_back(r.error());
    cells.push_back(absl::StrJoin(r.warnings(), "; "));
    out += CsvLine(cells);
  }
  return out;
}

}  // namespace benchfleet::analysis
