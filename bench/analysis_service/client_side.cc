#include "bench/analysis_service/client_side.h"

#include <chrono>

#include "absl/strings/str_cat.h"
#include "base/grpc_status.h"
#include "analysis/comparison.h"
#include "analysis/device_groups.h"
#include "analysis/fleet_correlation.h"
#include "analysis/fleet_roofline.h"

namespace benchfleet::bench {
namespace {

template <typename Request, typename Response, typename Method>
absl::Status Call(v1::FleetService::Stub& fleet, Method method, const Request& request,
                  Response* response) {
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(120));
  return FromGrpcStatus((fleet.*method)(&context, request, response));
}

// One sweep's results (at one batch size, unless 0), or with several every
// stored result (the seeded store holds nothing else): one ListResults
// either way.
absl::StatusOr<std::vector<v1::JobResult>> Results(v1::FleetService::Stub& fleet,
                                                   const std::vector<int64_t>& sweeps,
                                                   int batch = 0) {
  v1::ListResultsRequest request;
  if (sweeps.size() == 1) request.set_sweep_id(sweeps.front());
  request.set_batch_size(batch);
  v1::ListResultsResponse response;
  absl::Status status = Call(fleet, &v1::FleetService::Stub::ListResults, request, &response);
  if (!status.ok()) return status;
  return std::vector<v1::JobResult>(response.results().begin(), response.results().end());
}

absl::StatusOr<std::vector<v1::AgentInfo>> Agents(v1::FleetService::Stub& fleet) {
  v1::ListAgentsResponse response;
  absl::Status status =
      Call(fleet, &v1::FleetService::Stub::ListAgents, v1::ListAgentsRequest(), &response);
  if (!status.ok()) return status;
  return std::vector<v1::AgentInfo>(response.agents().begin(), response.agents().end());
}

}  // namespace

absl::StatusOr<v1::GetRooflineResponse> ClientSideRoofline(
    v1::FleetService::Stub& fleet, const std::vector<int64_t>& sweeps) {
  absl::StatusOr<std::vector<v1::JobResult>> results = Results(fleet, sweeps);
  if (!results.ok()) return results.status();
  absl::StatusOr<std::vector<v1::AgentInfo>> agents = Agents(fleet);
  if (!agents.ok()) return agents.status();
  const std::vector<analysis::DeviceGroup> groups = analysis::GroupByDevice(*results, *agents);
  v1::GetRooflineResponse response;
  *response.mutable_report() = analysis::BuildRooflineReport(groups);
  *response.mutable_fleet() = analysis::BuildFleetRoofline(groups);
  return response;
}

absl::StatusOr<v1::CorrelateResponse> ClientSideCorrelate(
    v1::FleetService::Stub& fleet, const std::vector<int64_t>& sweeps) {
  absl::StatusOr<std::vector<v1::JobResult>> results = Results(fleet, sweeps);
  if (!results.ok()) return results.status();
  absl::StatusOr<std::vector<v1::AgentInfo>> agents = Agents(fleet);
  if (!agents.ok()) return agents.status();
  const std::vector<analysis::DeviceGroup> groups = analysis::GroupByDevice(*results, *agents);
  const analysis::CorrelateOptions options;
  v1::CorrelateResponse response;
  response.set_method(analysis::CorrelationMethodToProto(options.method));
  response.set_bootstrap_resamples(options.bootstrap.resamples);
  response.set_confidence_level(options.bootstrap.level);
  response.set_seed(options.bootstrap.seed);
  for (const analysis::CorrelationGroup& g : analysis::CorrelateByDevice(groups, options))
    *response.add_groups() = analysis::CorrelationGroupToProto(g);
  for (const analysis::DeviceAgreement& a : analysis::CrossDeviceAgreement(groups, options))
    *response.add_agreement() = analysis::DeviceAgreementToProto(a);
  return response;
}

absl::StatusOr<v1::ComparisonReport> ClientSideCompare(v1::FleetService::Stub& fleet,
                                                       int64_t baseline, int64_t candidate,
                                                       int batch) {
  absl::StatusOr<std::vector<v1::JobResult>> base = Results(fleet, {baseline}, batch);
  if (!base.ok()) return base.status();
  absl::StatusOr<std::vector<v1::JobResult>> cand = Results(fleet, {candidate}, batch);
  if (!cand.ok()) return cand.status();
  absl::StatusOr<std::vector<v1::AgentInfo>> agents = Agents(fleet);
  if (!agents.ok()) return agents.status();
  auto steps = [&](int64_t job_id) -> absl::StatusOr<std::vector<double>> {
    v1::ListSamplesRequest request;
    request.set_job_id(job_id);
    v1::ListSamplesResponse response;
    absl::Status status = Call(fleet, &v1::FleetService::Stub::ListSamples, request, &response);
    if (!status.ok()) return status;
    return analysis::StepMillis({response.samples().begin(), response.samples().end()});
  };
  absl::StatusOr<v1::ComparisonReport> report =
      analysis::CompareMatched(analysis::MatchResults(*base, *cand), steps, {},
                               analysis::HostNamesOf(*agents));
  if (report.ok()) {
    report->add_baseline_sweep_ids(baseline);
    report->add_candidate_sweep_ids(candidate);
  }
  return report;
}

}  // namespace benchfleet::bench
