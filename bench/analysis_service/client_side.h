// What fleetctl did before the coordinator aggregated: fetch every result
// (ListResults), the agents (ListAgents) and, for a comparison, each job's
// samples (one ListSamples per job) over the wire, then run the analysis
// on the client with the same analysis functions the service calls.
#ifndef BENCHFLEET_BENCH_ANALYSIS_SERVICE_CLIENT_SIDE_H_
#define BENCHFLEET_BENCH_ANALYSIS_SERVICE_CLIENT_SIDE_H_

#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"
#include "proto/analysis.pb.h"
#include "proto/analysis_service.pb.h"
#include "proto/fleet_service.grpc.pb.h"

namespace benchfleet::bench {

// The per-device and fleet-wide rooflines of every result of `sweeps` (one
// ListResults over all); `selected` is left empty.
absl::StatusOr<v1::GetRooflineResponse> ClientSideRoofline(
    v1::FleetService::Stub& fleet, const std::vector<int64_t>& sweeps);

// Spearman matrices (2,000 bootstrap resamples at 95%, seed 42) and
// cross-device agreement of every result of `sweeps`; `selected` is left
// empty.
absl::StatusOr<v1::CorrelateResponse> ClientSideCorrelate(
    v1::FleetService::Stub& fleet, const std::vector<int64_t>& sweeps);

// The results of sweep `candidate` at batch size `batch` against those of
// `baseline` (default options), samples fetched job by job.
absl::StatusOr<v1::ComparisonReport> ClientSideCompare(
    v1::FleetService::Stub& fleet, int64_t baseline, int64_t candidate, int batch);

}  // namespace benchfleet::bench

#endif  // BENCHFLEET_BENCH_ANALYSIS_SERVICE_CLIENT_SIDE_H_
