// What the fleet report and its terminal summary both say: the devices,
// rooflines and correlations of the input, counts, and one finding per
// question of the seed study. Shared by fleet_report.cc and the summary.
#ifndef BENCHFLEET_ANALYSIS_REPORT_FACTS_H_
#define BENCHFLEET_ANALYSIS_REPORT_FACTS_H_

#include <set>
#include <string>
#include <vector>

#include "analysis/device_groups.h"
#include "analysis/fleet_correlation.h"
#include "analysis/fleet_report.h"
#include "proto/analysis.pb.h"

namespace benchfleet::analysis {

struct ReportFacts {
  std::vector<DeviceGroup> groups;
  v1::RooflineReport roofline;
  v1::FleetRoofline fleet;
  std::vector<CorrelationGroup> correlations;  // Spearman, seeded bootstrap
  std::vector<std::string> findings;           // one sentence per question
  std::set<std::string> models;
  int ok = 0;
  int failed = 0;
  int unstable = 0;
  int above_roof = 0;
};

// Groups, rooflines, Spearman correlations (seeded bootstrap), counts and
// findings of `input`.
ReportFacts Facts(const ReportInput& input);

// Hardware reports of the hosts in `groups`, one per host.
std::vector<v1::HardwareReport> Hosts(const std::vector<DeviceGroup>& groups);

// Copies of `results` whose host_id reads as the host name, for the
// analysis tables that label series by host.
std::vector<v1::JobResult> WithHostNames(const std::vector<v1::JobResult>& results,
                                         const HostNamer& host_name);

// "sweep 12 (nightly)".
std::string SweepName(const v1::SweepStatus& sweep);

}  // namespace benchfleet::analysis

#endif  // BENCHFLEET_ANALYSIS_REPORT_FACTS_H_
