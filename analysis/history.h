// A schedule's history: each benchmark's median run by run, with the
// change points of that series (analysis/change_point.h).
//
// Example:
//   std::vector<v1::HistorySeries> series =
//       BuildHistory(runs, HostNamesOf(agents));
#ifndef BENCHFLEET_ANALYSIS_HISTORY_H_
#define BENCHFLEET_ANALYSIS_HISTORY_H_

#include <vector>

#include "analysis/change_point.h"
#include "analysis/device_groups.h"
#include "proto/analysis.pb.h"
#include "proto/benchmark.pb.h"
#include "proto/sweep.pb.h"

namespace benchfleet::analysis {

// One run of a schedule: its sweep and results.
struct ScheduleRun {
  v1::SweepStatus sweep;  // id, created time
  std::vector<v1::JobResult> results;
};

// One series per benchmark (MatchKey) measured successfully in `runs`
// (taken in sweep id order): per run that measured it, the median of the
// run's step medians (ms); change points from FindChangePoints(medians,
// options). Labels are ResultLabel, with " t<threads>" where they would
// repeat; series sorted by label.
std::vector<v1::HistorySeries> BuildHistory(
    std::vector<ScheduleRun> runs, const HostNamer& host_name,
    const ChangePointOptions& options = {});

}  // namespace benchfleet::analysis

#endif  // BENCHFLEET_ANALYSIS_HISTORY_H_
