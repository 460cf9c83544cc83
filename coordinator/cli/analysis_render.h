// Text renderings of the AnalysisService's answers for fleetctl: tables
// for people and RFC 4180 CSV, one function per answer. JSON is the
// protobuf mapping (cli_output.h); charts and the report come from the
// service or analysis/fleet_roofline.h.
#ifndef BENCHFLEET_COORDINATOR_CLI_ANALYSIS_RENDER_H_
#define BENCHFLEET_COORDINATOR_CLI_ANALYSIS_RENDER_H_

#include <string>

#include "proto/analysis.pb.h"
#include "proto/analysis_service.pb.h"

namespace benchfleet::cli {

// One block per device: its roofs, then one row per result (model, input,
// batch, mode, intensity, achieved and attainable GFLOP/s, efficiencies,
// bound, above-roof flag, likely causes), then its notes.
std::string RenderRooflineTable(const v1::RooflineReport& report);
// RFC 4180 CSV, one row per placement, with the device columns repeated.
std::string RenderRooflineCsv(const v1::RooflineReport& report);

// Text tables: each group's matrix, its pairs with p and interval, then the
// cross-device agreement. `csv` prints one RFC 4180 row per pair instead.
std::string RenderCorrelations(const v1::CorrelateResponse& response, bool csv);

// A text table of the comparisons with a one-line summary, or CSV.
std::string RenderComparison(const v1::ComparisonReport& report, bool csv);

// Each benchmark's run medians with the change points, for people.
std::string RenderHistory(const v1::GetHistoryResponse& history);

}  // namespace benchfleet::cli

#endif  // BENCHFLEET_COORDINATOR_CLI_ANALYSIS_RENDER_H_
