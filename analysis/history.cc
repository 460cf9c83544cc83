#include "analysis/history.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <string>

#include "analysis/comparison.h"
#include "analysis/summary_stats.h"

namespace benchfleet::analysis {

std::vector<v1::HistorySeries> BuildHistory(std::vector<ScheduleRun> runs,
                                            const HostNamer& host_name,
                                            const ChangePointOptions& options) {
  std::stable_sort(runs.begin(), runs.end(),
                   [](const ScheduleRun& a, const ScheduleRun& b) {
                     return a.sweep.sweep_id() < b.sweep.sweep_id();
                   });
  std::map<std::string, v1::HistorySeries> series;
  std::map<std::string, v1::JobResult> representative;
  for (const ScheduleRun& run : runs) {
    std::map<std::string, std::vector<double>> medians;
    std::map<std::string, const v1::JobResult*> first;
    for (const v1::JobResult& r : run.results) {
      const double median = r.step().median_ms();
      if (r.status() != v1::JOB_STATUS_OK || !std::isfinite(median) ||
          !(median > 0))
        continue;
      const std::string key = MatchKey(r);
      medians[key].push_back(median);
      first.emplace(key, &r);
    }
    for (const auto& [key, values] : medians) {
      v1::HistorySeries& s = series[key];
      if (s.key().empty()) {
        s.set_key(key);
        s.set_label(ResultLabel(*first[key], host_name(HostOf(*first[key]))));
        representative[key] = *first[key];
      }
      v1::HistoryPoint* p = s.add_points();
      p->set_sweep_id(run.sweep.sweep_id());
      p->set_created_unix_ms(run.sweep.created_unix_ms());
      p->set_median_ms(MedianOfNumbers(values));
    }
  }
  std::vector<v1::HistorySeries> out;
  std::vector<std::string> labels;
  std::vector<const v1::JobResult*> reps;
  for (auto& [key, s] : series) {
    std::vector<double> medians;
    for (const v1::HistoryPoint& p : s.points()) medians.push_back(p.median_ms());
    for (const ChangePoint& c : FindChangePoints(medians, options)) {
      v1::HistoryChange* change = s.add_changes();
      change->set_index(static_cast<int32_t>(c.index));
      change->set_before_ms(c.before);
      change->set_after_ms(c.after);
      change->set_relative(c.relative);
      change->set_sigmas(c.sigmas);
      change->set_z(c.z);
    }
    labels.push_back(s.label());
    reps.push_back(&representative[key]);
    out.push_back(std::move(s));
  }
  DisambiguateLabels(&labels, reps);
  for (size_t i = 0; i < out.size(); ++i) out[i].set_label(labels[i]);
  std::stable_sort(out.begin(), out.end(),
                   [](const v1::HistorySeries& a, const v1::HistorySeries& b) {
                     return a.label() < b.label();
                   });
  return out;
}

}  // namespace benchfleet::analysis
