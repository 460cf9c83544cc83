// Candidate runs against baseline runs, per benchmark: results matched by
// what they measured, their per-iteration step times pooled and compared
// (Mann-Whitney U and a Hodges-Lehmann interval, analysis/mann_whitney.h),
// with notes when the machine was busy or the software differed.
//
// Example:
//   Matching m = MatchResults(baseline_results, candidate_results);
//   absl::StatusOr<v1::ComparisonReport> report =
//       CompareMatched(m, steps_of_job, RegressionOptions(), host_names);
#ifndef BENCHFLEET_ANALYSIS_COMPARISON_H_
#define BENCHFLEET_ANALYSIS_COMPARISON_H_

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "analysis/device_groups.h"
#include "analysis/mann_whitney.h"
#include "proto/analysis.pb.h"
#include "proto/benchmark.pb.h"

namespace benchfleet::analysis {

// Share of the CPU other processes may take while a job is timed before its
// figures are suspect (the agent warns above the same 10%).
inline constexpr double kBusyLoad = 0.10;

// What two results must share to be compared: model, input, batch, mode,
// precision, device (kind and name), host, threads, layout and scenario
// (unset values normalised to their defaults).
std::string MatchKey(const v1::JobResult& result);
// A short name for people: "resnet50 b1 inference @ vm", with input,
// precision, layout, scenario and GPU name added when not the defaults.
// Thread counts are left out (agents record the count they used, so every
// label would carry one); CompareMatched and BuildHistory add " t<threads>"
// to labels that would otherwise repeat.
std::string ResultLabel(const v1::JobResult& result,
                        const std::string& host_name);

// Results of the same benchmark on both sides.
struct MatchedResults {
  std::string key;  // MatchKey
  std::vector<v1::JobResult> baseline;   // successful, by job id
  std::vector<v1::JobResult> candidate;  // successful, by job id
};

struct Matching {
  std::vector<MatchedResults> matched;  // by key
  std::vector<std::string> only_baseline;   // keys, sorted
  std::vector<std::string> only_candidate;  // keys, sorted
};

// Matches successful results by MatchKey; several on one side (repeat > 1,
// several sweeps) are pooled. Failed results are ignored.
Matching MatchResults(const std::vector<v1::JobResult>& baseline,
                      const std::vector<v1::JobResult>& candidate);

// The per-iteration step times (PHASE_STEP samples) in ms, in sequence
// order.
std::vector<double> StepMillis(const std::vector<v1::Sample>& samples);

// Step times in ms of one job's result; an error stops the comparison.
using StepSource =
    std::function<absl::StatusOr<std::vector<double>>(int64_t job_id)>;

// Compares every matched benchmark with CompareSamples on the
// pooled step times (`steps` is called once per job) and fills a report:
// regressions first, then improvements, unchanged and insufficient data,
// each by label. `host_name` maps host ids to names for labels. A benchmark
// whose samples CompareSamples rejects (e.g. a zero duration) is reported as
// insufficient data with the reason; INVALID_ARGUMENT for options out of
// range (min_effect < 0, alpha outside (0, 1)); an error from `steps` is
// returned as is.
absl::StatusOr<v1::ComparisonReport> CompareMatched(
    const Matching& matching, const StepSource& steps,
    const RegressionOptions& options,
    const HostNamer& host_name);


// Appends " t<threads>" to the labels that occur more than once; `reps[i]`
// is a result behind labels[i].
void DisambiguateLabels(std::vector<std::string>* labels,
                        const std::vector<const v1::JobResult*>& reps);

// "agent_version: 0.3 -> 0.4", one per Provenance field (agent_version,
// source_revision, libtorch_version, blas_vendor) whose values differ
// across `baseline` and `candidate` (every distinct value of a side, joined
// by "/"); fields unknown ("") on a side are not compared.
std::vector<std::string> SoftwareDifferences(
    const std::vector<v1::JobResult>& baseline,
    const std::vector<v1::JobResult>& candidate);

// The verdict named by ResultComparison.verdict ("regression", ...);
// anything else reads as insufficient data.
Verdict VerdictFromName(const std::string& name);

// "1 regression, 0 improvements, 3 unchanged, ... only in the candidate".
std::string ComparisonSummary(const v1::ComparisonReport& report);
// Regressions timed while other processes took more than kBusyLoad.
int BusyRegressions(const v1::ComparisonReport& report);

}  // namespace benchfleet::analysis

#endif  // BENCHFLEET_ANALYSIS_COMPARISON_H_
