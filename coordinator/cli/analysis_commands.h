// fleetctl's analysis commands: thin clients of the coordinator's
// AnalysisService (proto/analysis_service.proto), which selects the results
// and computes everything; these fetch one answer and render it.
//
//   roofline   each result on its device's measured and datasheet roofs
//   correlate  what predicts latency: correlation matrices per device, batch
//              and mode, with p-values and bootstrap intervals, and how well
//              devices agree on the ranking of models
//   compare    candidate runs against baseline runs, per benchmark
//   history    a schedule's medians over its runs, with change points
//   report     all of the above as one self-contained HTML file
//
// Example:
//   auto stub = v1::AnalysisService::NewStub(channel);
//   v1::Selection selection;
//   selection.add_sweep_ids(12);
//   RooflineCommand(*stub, selection, Format::kTable, "", std::cout);
#ifndef BENCHFLEET_COORDINATOR_CLI_ANALYSIS_COMMANDS_H_
#define BENCHFLEET_COORDINATOR_CLI_ANALYSIS_COMMANDS_H_

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "coordinator/cli/cli_output.h"
#include "proto/analysis_service.grpc.pb.h"

namespace benchfleet::cli {

// Exit status of `fleetctl compare` when at least one benchmark regressed,
// so automation can gate on it (0: none; 1: an error; 2: bad usage).
inline constexpr int kExitRegression = 3;

using AnalysisStub = v1::AnalysisService::StubInterface;

// Parses "12" or "12,13,14" (spaces allowed) into sweep ids, in the given
// order without duplicates; "" gives none. INVALID_ARGUMENT names `flag`
// and the bad entry.
absl::StatusOr<std::vector<int64_t>> ParseSweepIds(const std::string& text,
                                                   const std::string& flag = "sweep");

// Parses "spearman", "pearson" or "kendall" (tau-b); INVALID_ARGUMENT names
// the value.
absl::StatusOr<v1::CorrelationMethod> ParseCorrelationMethod(const std::string& text);

// `fleetctl roofline`: table, CSV or JSON (v1::RooflineReport) on `out`;
// with `svg_path`, also the chart of every device as an SVG file.
absl::Status RooflineCommand(AnalysisStub& stub, const v1::Selection& selection,
                             Format format, const std::string& svg_path,
                             std::ostream& out);

// `fleetctl correlate`: table or CSV.
absl::Status CorrelateCommand(AnalysisStub& stub,
                              const v1::CorrelateRequest& request, Format format,
                              std::ostream& out);

// `fleetctl compare`: table, CSV or JSON (v1::ComparisonReport). Sets
// `*regressions` to the number of regressions (the caller exits with
// kExitRegression when it is positive).
absl::Status CompareCommand(AnalysisStub& stub, const v1::CompareRequest& request,
                            Format format, std::ostream& out, int* regressions);

// `fleetctl history --schedule=NAME`: each benchmark's medians over the
// schedule's runs, with change points.
absl::Status HistoryCommand(AnalysisStub& stub,
                            const v1::GetHistoryRequest& request,
                            std::ostream& out);

// `fleetctl report`: writes the HTML report to `path` and a summary to
// `out`.
absl::Status ReportCommand(AnalysisStub& stub, const v1::Selection& selection,
                           const std::string& path, std::ostream& out);

}  // namespace benchfleet::cli

#endif  // BENCHFLEET_COORDINATOR_CLI_ANALYSIS_COMMANDS_H_
