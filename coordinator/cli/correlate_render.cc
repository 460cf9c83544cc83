#include "coordinator/cli/analysis_render.h"

#include <cmath>
#include <limits>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "analysis/csv.h"
#include "analysis/figure_text.h"
#include "analysis/fleet_correlation.h"
#include "analysis/report_tables.h"
#include "analysis/result_table.h"
#include "proto/names.h"

namespace benchfleet::cli {
namespace {

using analysis::CsvLine;
using analysis::CsvNumber;
using analysis::Estimate2;
using analysis::FormatSig;
using analysis::IntervalText;
using analysis::OptionalOrNaN;
using analysis::RenderTextTable;
using Rows = std::vector<std::vector<std::string>>;

double Estimate(const v1::CorrelationCell& c) {
  return OptionalOrNaN(c.has_estimate(), c.estimate());
}
double PValue(const v1::CorrelationCell& c) {
  return OptionalOrNaN(c.has_p_value(), c.p_value());
}
double Lower(const v1::CorrelationCell& c) {
  return OptionalOrNaN(c.has_ci_lower(), c.ci_lower());
}
double Upper(const v1::CorrelationCell& c) {
  return OptionalOrNaN(c.has_ci_upper(), c.ci_upper());
}

const v1::CorrelationCell& Cell(const v1::CorrelationGroup& g, int i, int j) {
  return g.cells(i * g.variables_size() + j);
}

}  // namespace

std::string RenderCorrelations(const v1::CorrelateResponse& response, bool csv) {
  const std::string method = analysis::CorrelationMethodName(
      analysis::CorrelationMethodFromProto(response.method()));
  const std::string level =
      absl::StrCat(FormatSig(100 * response.confidence_level()), "%");
  if (csv) {
    std::string out = CsvLine({"device", "batch", "mode", "x", "y", "method",
                               "estimate", "ci_lower", "ci_upper", "ci_level",
                               "p_value", "n", "models"});
    for (const v1::CorrelationGroup& g : response.groups()) {
      for (int i = 0; i < g.variables_size(); ++i) {
        for (int j = i + 1; j < g.variables_size(); ++j) {
          const v1::CorrelationCell& c = Cell(g, i, j);
          out += CsvLine({g.device(), absl::StrCat(g.batch_size()),
                          ModeName(g.mode()), g.variables(i), g.variables(j),
                          method, CsvNumber(Estimate(c)), CsvNumber(Lower(c)),
                          CsvNumber(Upper(c)),
                          CsvNumber(response.confidence_level()),
                          CsvNumber(PValue(c)), absl::StrCat(c.n()),
                          absl::StrJoin(g.models(), " ")});
        }
      }
    }
    for (const v1::DeviceAgreement& a : response.agreement()) {
      const v1::CorrelationCell& c = a.correlation();
      out += CsvLine({absl::StrCat(a.device_a(), " vs ", a.device_b()),
                      absl::StrCat(a.batch_size()), ModeName(a.mode()),
                      "latency_ms", "latency_ms", method, CsvNumber(Estimate(c)),
                      CsvNumber(Lower(c)), CsvNumber(Upper(c)),
                      CsvNumber(response.confidence_level()),
                      CsvNumber(PValue(c)), absl::StrCat(c.n()),
                      absl::StrJoin(a.models(), " ")});
    }
    return out;
  }
  std::string out = absl::StrCat(
      method, " correlations per device, batch and mode; p two-sided; ",
      level, " CI: percentile bootstrap, ", response.bootstrap_resamples(),
      " resamples, seed ", response.seed(),
      " (seeded: the same data give the same bounds)\n");
  if (response.groups().empty())
    out += "no device has 3 or more models at one batch and mode: nothing to "
           "correlate\n";
  for (const v1::CorrelationGroup& g : response.groups()) {
    absl::StrAppend(&out, "\n", g.device(), ", batch ", g.batch_size(), ", ",
                    ModeName(g.mode()), ": ", g.models_size(), " models (",
                    absl::StrJoin(g.models(), ", "), ")\n");
    Rows matrix_rows;
    for (int i = 0; i < g.variables_size(); ++i) {
      std::vector<std::string> row = {g.variables(i)};
      for (int j = 0; j < g.variables_size(); ++j) {
        const v1::CorrelationCell& c = Cell(g, i, j);
        row.push_back(absl::StrCat(Estimate2(Estimate(c)),
                                   i != j && PValue(c) < 0.05 ? "*" : ""));
      }
      matrix_rows.push_back(row);
    }
    std::vector<std::string> header = {method};
    header.insert(header.end(), g.variables().begin(), g.variables().end());
    out += RenderTextTable(header, matrix_rows);
    out += "(* p < 0.05)\n";
    Rows pair_rows;
    for (int i = 0; i < g.variables_size(); ++i) {
      for (int j = i + 1; j < g.variables_size(); ++j) {
        const v1::CorrelationCell& c = Cell(g, i, j);
        pair_rows.push_back({g.variables(i), g.variables(j),
                             Estimate2(Estimate(c)),
                             IntervalText(Lower(c), Upper(c)),
                             FormatSig(PValue(c)), absl::StrCat(c.n())});
      }
    }
    out += RenderTextTable(
        {"x", "y", method, absl::StrCat(level, " CI"), "p", "n"}, pair_rows);
  }
  if (!response.agreement().empty()) {
    absl::StrAppend(&out, "\ncross-device agreement (", method,
                    " of the models' median latencies)\n");
    Rows rows;
    for (const v1::DeviceAgreement& a : response.agreement()) {
      const v1::CorrelationCell& c = a.correlation();
      rows.push_back({a.device_a(), a.device_b(), absl::StrCat(a.batch_size()),
                      ModeName(a.mode()), Estimate2(Estimate(c)),
                      IntervalText(Lower(c), Upper(c)), FormatSig(PValue(c)),
                      absl::StrCat(c.n())});
    }
    out += RenderTextTable({"device", "with", "batch", "mode", method,
                            absl::StrCat(level, " CI"), "p", "n"},
                           rows);
  } else if (!response.groups().empty()) {
    out += "\ncross-device agreement: needs results from two or more devices\n";
  }
  return out;
}

}  // namespace benchfleet::cli
