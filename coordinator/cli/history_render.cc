#include "coordinator/cli/analysis_render.h"

#include <set>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "analysis/figure_text.h"
#include "analysis/report_tables.h"
#include "analysis/result_table.h"

namespace benchfleet::cli {

std::string RenderHistory(const v1::GetHistoryResponse& history) {
  using analysis::Count;
  using analysis::FormatSig;
  std::set<int64_t> sweeps;
  size_t changes = 0;
  for (const v1::HistorySeries& s : history.series()) {
    for (const v1::HistoryPoint& p : s.points()) sweeps.insert(p.sweep_id());
    changes += s.changes_size();
  }
  std::string out = absl::StrCat(
      "schedule ", history.schedule(), ": ", Count(sweeps.size(), "run"), ", ",
      history.series_size(), " series, ", Count(changes, "change point"),
      " (binary segmentation on the run medians; a change needs 4 runs on "
      "each side)\n");
  for (const v1::HistorySeries& s : history.series()) {
    absl::StrAppend(&out, "\n", s.label(), ": ", Count(s.points_size(), "run"),
                    ", ", Count(s.changes_size(), "change point"), "\n");
    std::vector<std::vector<std::string>> rows;
    for (int i = 0; i < s.points_size(); ++i) {
      std::string change;
      for (const v1::HistoryChange& c : s.changes()) {
        if (c.index() != i) continue;
        change = absl::StrFormat("%+.1f%% (%s -> %s ms, z %s)",
                                 100 * c.relative(), FormatSig(c.before_ms(), 4),
                                 FormatSig(c.after_ms(), 4), FormatSig(c.z()));
      }
      const v1::HistoryPoint& p = s.points(i);
      rows.push_back({absl::StrCat(p.sweep_id()),
                      analysis::UtcTime(p.created_unix_ms()),
                      FormatSig(p.median_ms(), 4), change});
    }
    out += analysis::RenderTextTable(
        {"sweep", "created_utc", "median_ms", "change"}, rows);
  }
  return out;
}

}  // namespace benchfleet::cli
