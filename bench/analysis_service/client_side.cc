#include "bench/analysis_service/client_side.h"

#include <chrono>
#include <map>

#include "absl/strings/str_cat.h"
#include "base/grpc_status.h"
#include "coordinator/cli/analysis_commands.h"

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

absl::StatusOr<v1::RooflineReport> ClientSideRoofline(v1::FleetService::Stub& fleet,
                                                      const std::vector<int64_t>& sweeps) {
  absl::StatusOr<std::vector<v1::JobResult>> results = Results(fleet, sweeps);
  if (!results.ok()) return results.status();
  absl::StatusOr<std::vector<v1::AgentInfo>> agents = Agents(fleet);
  if (!agents.ok()) return agents.status();
  return cli::BuildRooflineReport(cli::GroupByDevice(*results, *agents));
}

absl::StatusOr<int> ClientSideCorrelate(v1::FleetService::Stub& fleet,
                                        const std::vector<int64_t>& sweeps) {
  absl::StatusOr<std::vector<v1::JobResult>> results = Results(fleet, sweeps);
  if (!results.ok()) return results.status();
  absl::StatusOr<std::vector<v1::AgentInfo>> agents = Agents(fleet);
  if (!agents.ok()) return agents.status();
  const std::vector<cli::DeviceGroup> groups = cli::GroupByDevice(*results, *agents);
  cli::CorrelateOptions options;
  return static_cast<int>(cli::CorrelateByDevice(groups, options).size() +
                          cli::CrossDeviceAgreement(groups, options).size());
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
  std::map<std::string, std::string> names;
  for (const v1::AgentInfo& a : *agents)
    names[a.hardware().host_id()] = a.hardware().hostname();
  auto host_name = [&](const std::string& host) {
    auto it = names.find(host);
    return it == names.end() || it->second.empty() ? host : it->second;
  };
  auto steps = [&](int64_t job_id) -> absl::StatusOr<std::vector<double>> {
    v1::ListSamplesRequest request;
    request.set_job_id(job_id);
    v1::ListSamplesResponse response;
    absl::Status status = Call(fleet, &v1::FleetService::Stub::ListSamples, request, &response);
    if (!status.ok()) return status;
    return cli::StepMillis({response.samples().begin(), response.samples().end()});
  };
  absl::StatusOr<v1::ComparisonReport> report =
      cli::CompareMatched(cli::MatchResults(*base, *cand), steps, {}, host_name);
  if (report.ok()) {
    report->add_baseline_sweep_ids(baseline);
    report->add_candidate_sweep_ids(candidate);
  }
  return report;
}

}  // namespace benchfleet::bench
