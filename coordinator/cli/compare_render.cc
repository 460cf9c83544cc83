#include "coordinator/cli/analysis_render.h"

#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "analysis/comparison.h"
#include "analysis/csv.h"
#include "analysis/figure_text.h"
#include "analysis/report_tables.h"
#include "analysis/result_table.h"

namespace benchfleet::cli {
namespace {

using analysis::CsvLine;
using analysis::CsvNumber;
using analysis::FormatSig;
using analysis::IntervalText;
using analysis::OptionalOrNaN;
using analysis::RenderTextTable;
using Rows = std::vector<std::vector<std::string>>;

std::string SweepList(const google::protobuf::RepeatedField<int64_t>& ids) {
  return absl::StrJoin(ids, ",");
}

}  // namespace

std::string RenderComparison(const v1::ComparisonReport& report, bool csv) {
  if (csv) {
    std::string out = CsvLine(
        {"label", "key", "verdict", "n_baseline", "n_candidate",
         "baseline_median_ms", "candidate_median_ms", "ratio", "ci_lower",
         "ci_upper", "ci_level", "p_value", "baseline_jobs", "candidate_jobs",
         "reason"});
    for (const v1::ResultComparison& c : report.comparisons()) {
      out += CsvLine(
          {c.label(), c.key(), c.verdict(), absl::StrCat(c.n_baseline()),
           absl::StrCat(c.n_candidate()),
           CsvNumber(OptionalOrNaN(c.has_baseline_median_ms(), c.baseline_median_ms())),
           CsvNumber(OptionalOrNaN(c.has_candidate_median_ms(), c.candidate_median_ms())),
           CsvNumber(OptionalOrNaN(c.has_ratio(), c.ratio())),
           CsvNumber(OptionalOrNaN(c.has_ci_lower(), c.ci_lower())),
           CsvNumber(OptionalOrNaN(c.has_ci_upper(), c.ci_upper())),
           CsvNumber(c.ci_level()), CsvNumber(OptionalOrNaN(c.has_p_value(), c.p_value())),
           absl::StrJoin(c.baseline_job_ids(), " "),
           absl::StrJoin(c.candidate_job_ids(), " "), c.reason()});
    }
    return out;
  }
  std::string out;
  if (!report.baseline_sweep_ids().empty() ||
      !report.candidate_sweep_ids().empty()) {
    absl::StrAppend(&out, "baseline sweep(s) ",
                    SweepList(report.baseline_sweep_ids()),
                    ", candidate sweep(s) ",
                    SweepList(report.candidate_sweep_ids()), "\n");
  }
  Rows rows;
  for (const v1::ResultComparison& c : report.comparisons()) {
    rows.push_back(
        {c.label(), c.verdict(), absl::StrCat(c.n_baseline()),
         absl::StrCat(c.n_candidate()),
         FormatSig(OptionalOrNaN(c.has_baseline_median_ms(), c.baseline_median_ms()), 4),
         FormatSig(OptionalOrNaN(c.has_candidate_median_ms(), c.candidate_median_ms()), 4),
         FormatSig(OptionalOrNaN(c.has_ratio(), c.ratio()), 4),
         IntervalText(OptionalOrNaN(c.has_ci_lower(), c.ci_lower()),
                      OptionalOrNaN(c.has_ci_upper(), c.ci_upper())),
         FormatSig(OptionalOrNaN(c.has_p_value(), c.p_value())), c.reason()});
  }
  if (!rows.empty()) {
    out += RenderTextTable(
        {"benchmark", "verdict", "n_base", "n_cand", "base_ms", "cand_ms",
         "ratio", absl::StrCat(FormatSig(100 * (1 - report.alpha())), "% CI"),
         "p", "reason"},
        rows);
  }
  for (const std::string& key : report.only_in_baseline())
    absl::StrAppend(&out, "only in the baseline: ", key, "\n");
  for (const std::string& key : report.only_in_candidate())
    absl::StrAppend(&out, "only in the candidate: ", key, "\n");
  absl::StrAppend(&out, analysis::ComparisonSummary(report), "\n");
  return out;
}

}  // namespace benchfleet::cli
