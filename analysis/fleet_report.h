// The fleet's HTML report: everything the other fleet analyses find about
// a set of results, as one self-contained document (analysis/html_report.h).
//
// Example:
//   ReportInput input{sweeps, results, agents};
//   std::string html = RenderHtmlReport(BuildReport(input));
//   std::cout << ReportSummary(input);
#ifndef BENCHFLEET_ANALYSIS_FLEET_REPORT_H_
#define BENCHFLEET_ANALYSIS_FLEET_REPORT_H_

#include <string>
#include <vector>

#include "analysis/html_report.h"
#include "proto/analysis.pb.h"
#include "proto/benchmark.pb.h"
#include "proto/fleet_service.pb.h"
#include "proto/sweep.pb.h"

namespace benchfleet::analysis {

// Everything the report is built from.
struct ReportInput {
  std::vector<v1::SweepStatus> sweeps;   // the sweeps reported on
  std::vector<v1::JobResult> results;    // all of their results, failed too
  std::vector<v1::AgentInfo> agents;     // ListAgents
  // Comparison with the previous sweeps of the same names or schedules;
  // has_comparison false when there were none.
  bool has_comparison = false;
  std::vector<v1::SweepStatus> baseline_sweeps;
  v1::ComparisonReport comparison;
};

// The report: overview, fleet, roofline (one chart per device, a fleet-wide
// chart with two or more devices, placements), latency against FLOPs and
// parameters, statistics (heatmap, pairs with intervals, cross-device
// agreement), scaling (throughput against batch), training
// (forward:backward table, FLOP breakdown per model), regressions, and
// warnings. Deterministic for the same input.
Report BuildReport(const ReportInput& input);

// A few lines for the terminal: what the report covers and what needs a
// look (points above their roof, unstable results, regressions).
std::string ReportSummary(const ReportInput& input);

}  // namespace benchfleet::analysis

#endif  // BENCHFLEET_ANALYSIS_FLEET_REPORT_H_
