#include "coordinator/fleet_service.h"

#include <algorithm>

#include "base/grpc_status.h"
#include "coordinator/sweep_spec.h"

namespace benchfleet::coordinator {

grpc::Status FleetServiceImpl::ListAgents(grpc::ServerContext*,
                                          const v1::ListAgentsRequest*,
                                          v1::ListAgentsResponse* response) {
  absl::StatusOr<std::vector<AgentRecord>> agents = store_->ListAgents();
  if (!agents.ok()) return ToGrpcStatus(agents.status());
  for (AgentRecord& agent : *agents) {
    v1::AgentInfo* info = response->add_agents();
    info->set_agent_id(agent.agent_id);
    *info->mutable_hardware() = std::move(agent.hardware);
    info->set_connected(scheduler_->IsConnected(agent.agent_id));
    info->set_last_seen_unix_ms(absl::ToUnixMillis(
        info->connected() ? clock_->Now() : agent.last_seen));
    info->set_running_job_id(scheduler_->RunningJob(agent.agent_id));
  }
  std::stable_sort(response->mutable_agents()->begin(),
                   response->mutable_agents()->end(),
                   [](const v1::AgentInfo& a, const v1::AgentInfo& b) {
                     return a.connected() > b.connected();
                   });
  return grpc::Status::OK;
}

grpc::Status FleetServiceImpl::SubmitSweep(grpc::ServerContext*,
                                           const v1::SubmitSweepRequest* request,
                                           v1::SubmitSweepResponse* response) {
  absl::StatusOr<std::vector<v1::BenchmarkSpec>> jobs =
      ExpandSweep(request->spec());
  if (!jobs.ok()) return ToGrpcStatus(jobs.status());
  absl::StatusOr<int64_t> sweep_id =
      store_->CreateSweep(request->spec(), *jobs, clock_->Now());
  if (!sweep_id.ok()) return ToGrpcStatus(sweep_id.status());
  absl::StatusOr<v1::SweepStatus> sweep = store_->GetSweep(*sweep_id);
  if (!sweep.ok()) return ToGrpcStatus(sweep.status());
  scheduler_->AddJobs(*sweep);
  response->set_sweep_id(*sweep_id);
  response->set_jobs(static_cast<int32_t>(jobs->size()));
  return grpc::Status::OK;
}

grpc::Status FleetServiceImpl::GetSweep(grpc::ServerContext*,
                                        const v1::GetSweepRequest* request,
                                        v1::SweepStatus* response) {
  absl::StatusOr<v1::SweepStatus> sweep = store_->GetSweep(request->sweep_id());
  if (!sweep.ok()) return ToGrpcStatus(sweep.status());
  *response = std::move(*sweep);
  return grpc::Status::OK;
}

grpc::Status FleetServiceImpl::ListResults(grpc::ServerContext*,
                                           const v1::ListResultsRequest* request,
                                           v1::ListResultsResponse* response) {
  absl::StatusOr<std::vector<v1::JobResult>> results =
      store_->ListResults(request->sweep_id());
  if (!results.ok()) return ToGrpcStatus(results.status());
  for (auto& r : *results) *response->add_results() = std::move(r);
  return grpc::Status::OK;
}

}  // namespace benchfleet::coordinator
