// fleetctl's analysis commands: the seed study's questions asked of the
// coordinator's stored results.
//
//   roofline   each result on its device's measured and datasheet roofs
//   correlate  what predicts latency: correlation matrices per device and
//              batch, with p-values and bootstrap intervals, and how well
//              devices agree on the ranking of models
//   compare    candidate runs against baseline runs, per benchmark, from the
//              per-iteration samples (Mann-Whitney + Hodges-Lehmann)
//   history    a schedule's medians over its runs, with change points
//   report     all of the above as one self-contained HTML file
//
// The file has two halves. The pure half (grouping results by device,
// building rooflines, matching results across runs, building the report)
// takes protos and returns values, so tests need no server. The command half
// fetches with a FleetService stub and prints to a stream.
//
// Example:
//   std::vector<DeviceGroup> groups = GroupByDevice(results, agents);
//   v1::RooflineReport roofs = BuildRooflineReport(groups);
//   std::cout << RenderRooflineTable(roofs);
#ifndef BENCHFLEET_COORDINATOR_CLI_ANALYSIS_COMMANDS_H_
#define BENCHFLEET_COORDINATOR_CLI_ANALYSIS_COMMANDS_H_

#include <cstdint>
#include <functional>
#include <ostream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "analysis/change_point.h"
#include "analysis/correlation.h"
#include "analysis/html_report.h"
#include "analysis/mann_whitney.h"
#include "analysis/roofline.h"
#include "coordinator/cli/fleet_commands.h"
#include "proto/analysis.pb.h"
#include "proto/benchmark.pb.h"
#include "proto/fleet_service.pb.h"
#include "proto/hardware.pb.h"

namespace benchfleet::cli {

// Exit status of `fleetctl compare` when at least one benchmark regressed,
// so automation can gate on it (0: none; 1: an error; 2: bad usage).
inline constexpr int kExitRegression = 3;

// ---------------------------------------------------------------------------
// Pure half: no RPCs, no I/O.
// ---------------------------------------------------------------------------

// Parses "12" or "12,13,14" (spaces allowed) into sweep ids, in the given
// order without duplicates; "" gives none. INVALID_ARGUMENT names the bad
// entry.
absl::StatusOr<std::vector<int64_t>> ParseSweepIds(const std::string& text);

// Parses "spearman", "pearson" or "kendall" (tau-b); INVALID_ARGUMENT names
// the value.
absl::Status ParseCorrelationMethod(const std::string& text,
                                    analysis::CorrelationMethod* method);

// "inference" or "training".
std::string ModeName(v1::Mode mode);
// "3x224x224"; "default" when unset.
std::string InputName(const v1::InputShape& input);
// "fp32", "bf16" or "fp16" (unspecified is fp32).
std::string PrecisionName(v1::Precision precision);

// The host a result ran on: host_id, else the agent id.
std::string HostOf(const v1::JobResult& result);

// The part of `hw` that describes one device: for a CPU the measured peaks
// that are not a GPU's ("cuda<i>_..."); for a GPU the "cuda<i>_..." peaks of
// the accelerator named `device_name` (index 0 when no name matches) with the
// prefix removed, no CPU caches, and the GPU's name as cpu.model_name, so
// analysis::RooflineFromHardware builds that device's roofs. Everything else
// is copied unchanged.
v1::HardwareReport HardwareForDevice(const v1::HardwareReport& hw,
                                     v1::DeviceKind kind,
                                     const std::string& device_name);

// Datasheet ceilings of one device from hw.datasheet_peaks: the FP32 peak
// and the memory bandwidth of the entry naming the device (for a CPU, any
// entry that names no accelerator), multiplied by the entry's device count
// for a CPU (sockets; a job uses the whole host) but not for a GPU (a job
// uses one). Entries with basis "theoretical" are named so ("theoretical
// fp32"), never passed off as a datasheet. Zero figures are skipped.
void DatasheetCeilings(const v1::HardwareReport& hw, v1::DeviceKind kind,
                       const std::string& device_name,
                       std::vector<analysis::ComputeCeiling>* compute,
                       std::vector<analysis::MemoryCeiling>* memory);

// The results of one device: a CPU or a GPU of one host.
struct DeviceGroup {
  std::string host;         // HostOf() the results
  std::string hostname;     // from the hardware report; "" when unknown
  std::string device_name;  // JobResult.device_name ("cpu"/"cuda" if empty)
  v1::DeviceKind kind = v1::DEVICE_KIND_CPU;
  bool has_hardware = false;  // an agent on the host sent a report
  v1::HardwareReport hardware;  // the host's whole report, when known
  analysis::DeviceRoofline roofline;  // measured + datasheet ceilings
  std::vector<v1::JobResult> results;  // successful results, by job id

  // "<device> @ <hostname or host id>", e.g. "AMD EPYC @ vm".
  std::string Label() const;
};

// Groups successful results (status OK) by (HostOf, device kind,
// device_name), ordered by host then device. Each group's hardware is the
// report of the agent on that host that is connected, else last seen (by
// host_id; by agent id for results without one); its roofline comes from
// HardwareForDevice and DatasheetCeilings. Failed results are left out.
std::vector<DeviceGroup> GroupByDevice(
    const std::vector<v1::JobResult>& results,
    const std::vector<v1::AgentInfo>& agents);

// Every group's roofs and every result's placement (analysis::PlaceResult),
// with notes on missing or untrustworthy roofs.
v1::RooflineReport BuildRooflineReport(const std::vector<DeviceGroup>& groups);

// One block per device: its roofs, then one row per result (model, input,
// batch, mode, intensity, achieved and attainable GFLOP/s, efficiencies,
// bound, above-roof flag, likely causes), then its notes.
std::string RenderRooflineTable(const v1::RooflineReport& report);
// RFC 4180 CSV, one row per placement, with the device columns repeated.
std::string RenderRooflineCsv(const v1::RooflineReport& report);

// One roofline chart of `groups` (all devices' roofs, every point; series by
// batch and mode, labelled by model): an <svg> element.
std::string RooflineChart(const std::vector<DeviceGroup>& groups,
                          const std::string& title);

struct CorrelateOptions {
  analysis::CorrelationMethod method = analysis::CorrelationMethod::kSpearman;
  // Percentile bootstrap for the intervals; seeded, so the same data give
  // the same bounds on every run (default 2000 resamples, 95%, seed 42).
  analysis::BootstrapOptions bootstrap;
};

// The variables correlated, in order.
inline const std::vector<std::string>& CorrelationVariables() {
  static const auto* names = new std::vector<std::string>{
      "FLOPs", "params", "traffic", "intensity", "latency_ms", "items/s"};
  return *names;
}

// One correlation matrix: the models of one device at one batch and mode.
struct CorrelationGroup {
  std::string device;  // DeviceGroup::Label()
  int batch = 0;
  v1::Mode mode = v1::MODE_INFERENCE;
  std::vector<std::string> models;  // one observation each
  analysis::CorrelationMatrix matrix;
  // Same shape as matrix.cells; bootstrap intervals (NaN on the diagonal).
  std::vector<std::vector<analysis::ConfidenceInterval>> ci;
};

// Per device, batch and mode: one observation per model (and input and
// precision), its variables FLOPs of one step (forward, plus backward when
// training), parameters, main-memory traffic (bytes), intensity
// (FLOP/byte), median step latency (ms) and throughput (items/s); several
// results of one model are reduced to their median latency and throughput.
// Groups with fewer than 3 models are left out (no correlation is defined).
std::vector<CorrelationGroup> CorrelateByDevice(
    const std::vector<DeviceGroup>& groups, const CorrelateOptions& options);

// How well two devices agree on which models are slow: the correlation of
// the median latencies of the models both ran at one batch and mode.
struct DeviceAgreement {
  std::string device_a;
  std::string device_b;
  int batch = 0;
  v1::Mode mode = v1::MODE_INFERENCE;
  std::vector<std::string> models;  // measured on both
  analysis::CorrelationResult result;
  analysis::ConfidenceInterval ci;
};

// One entry per pair of devices and (batch, mode) both measured, in group
// order; empty with fewer than two devices.
std::vector<DeviceAgreement> CrossDeviceAgreement(
    const std::vector<DeviceGroup>& groups, const CorrelateOptions& options);

// Text tables: each group's matrix, its pairs with p and interval, then the
// cross-device agreement. `csv` prints one RFC 4180 row per pair instead.
std::string RenderCorrelations(const std::vector<CorrelationGroup>& groups,
                               const std::vector<DeviceAgreement>& agreement,
                               const CorrelateOptions& options, bool csv);

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

// Compares every matched benchmark with analysis::CompareSamples on the
// pooled step times (`steps` is called once per job) and fills a report:
// regressions first, then improvements, unchanged and insufficient data,
// each by label. `host_name` maps host ids to names for labels. A benchmark
// whose samples CompareSamples rejects (e.g. a zero duration) is reported as
// insufficient data with the reason; INVALID_ARGUMENT for options out of
// range (min_effect < 0, alpha outside (0, 1)); an error from `steps` is
// returned as is.
absl::StatusOr<v1::ComparisonReport> CompareMatched(
    const Matching& matching, const StepSource& steps,
    const analysis::RegressionOptions& options,
    const std::function<std::string(const std::string&)>& host_name);

// A text table of the comparisons with a one-line summary, or CSV.
std::string RenderComparison(const v1::ComparisonReport& report, bool csv);

// One run of a schedule: its sweep and results.
struct ScheduleRun {
  v1::SweepStatus sweep;  // id, created time
  std::vector<v1::JobResult> results;
};

// One benchmark over a schedule's runs.
struct HistorySeries {
  std::string key;    // MatchKey
  std::string label;  // ResultLabel
  std::vector<int64_t> sweep_ids;        // runs that measured it, in order
  std::vector<int64_t> created_unix_ms;  // their creation times
  std::vector<double> median_ms;  // median of the run's step medians
  std::vector<analysis::ChangePoint> changes;  // indices into median_ms
};

// Series of every benchmark in `runs` (ordered by sweep id), with change
// points from analysis::FindChangePoints(median_ms, options).
std::vector<HistorySeries> BuildHistory(
    std::vector<ScheduleRun> runs,
    const std::function<std::string(const std::string&)>& host_name,
    const analysis::ChangePointOptions& options = {});

std::string RenderHistory(const std::vector<HistorySeries>& series,
                          const std::string& schedule);

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
analysis::Report BuildReport(const ReportInput& input);

// A few lines for the terminal: what the report covers and what needs a
// look (points above their roof, unstable results, regressions).
std::string ReportSummary(const ReportInput& input);

// ---------------------------------------------------------------------------
// Command half: fetches with the stub, prints to `out`.
// ---------------------------------------------------------------------------

// Which results a command looks at: the results of each sweep in `sweep_ids`
// matching `filter` (its sweep_id ignored). With no sweep ids: when
// filter.schedule is set, the results of that schedule's latest finished run
// (else its latest) matching the other filters; else those matching
// `filter`; with no filter at all, the most recent finished sweep's (else the
// most recent's).
struct ResultSelection {
  std::vector<int64_t> sweep_ids;
  v1::ListResultsRequest filter;
};

// `fleetctl roofline`: table, CSV or JSON (v1::RooflineReport) on `out`;
// with `svg_path`, also the chart as an SVG file.
absl::Status RooflineCommand(Stub& stub, const ResultSelection& selection,
                             Format format, const std::string& svg_path,
                             std::ostream& out);

// `fleetctl correlate`: table or CSV.
absl::Status CorrelateCommand(Stub& stub, const ResultSelection& selection,
                              const CorrelateOptions& options, Format format,
                              std::ostream& out);

// What `fleetctl compare` compares: two sets of sweeps, or the last two
// finished runs of a schedule.
struct CompareSelection {
  std::vector<int64_t> baseline;
  std::vector<int64_t> candidate;
  std::string schedule;  // when set, baseline and candidate must be empty
};

// `fleetctl compare`: table, CSV or JSON (v1::ComparisonReport). Sets
// `*regressions` to the number of regressions (the caller exits with
// kExitRegression when it is positive). FAILED_PRECONDITION when a schedule
// has fewer than two finished runs.
absl::Status CompareCommand(Stub& stub, const CompareSelection& selection,
                            const analysis::RegressionOptions& options,
                            Format format, std::ostream& out,
                            int* regressions);

// `fleetctl history --schedule=NAME`: each benchmark's medians over the
// schedule's runs, with change points. `model` and `batch` filter (unset:
// "" and 0).
absl::Status HistoryCommand(Stub& stub, const std::string& schedule,
                            const std::string& model, int batch,
                            std::ostream& out);

// `fleetctl report`: writes the HTML report to `path` and a summary to
// `out`. Compares with the previous sweep of the same name or schedule
// (samples fetched per job).
absl::Status ReportCommand(Stub& stub, const ResultSelection& selection,
                           const std::string& path, std::ostream& out);

}  // namespace benchfleet::cli

#endif  // BENCHFLEET_COORDINATOR_CLI_ANALYSIS_COMMANDS_H_
