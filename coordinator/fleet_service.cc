#include "coordinator/fleet_service.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "base/grpc_status.h"
#include "coordinator/schedule_runner.h"
#include "coordinator/sweep_spec.h"

namespace benchfleet::coordinator {
namespace {

// How often WatchSweep looks for progress.
constexpr absl::Duration kWatchPoll = absl::Milliseconds(250);

}  // namespace

grpc::Status FleetServiceImpl::ListAgents(grpc::ServerContext* context,
                                          const v1::ListAgentsRequest*,
                                          v1::ListAgentsResponse* response) {
  if (grpc::Status auth = Authorize(*context, tokens_, Role::kReader, nullptr); !auth.ok())
    return auth;
  absl::StatusOr<std::vector<v1::AgentInfo>> agents =
      AgentInfos(*store_, *scheduler_, *clock_);
  if (!agents.ok()) return ToGrpcStatus(agents.status());
  for (v1::AgentInfo& info : *agents) *response->add_agents() = std::move(info);
  return grpc::Status::OK;
}

absl::StatusOr<std::vector<v1::AgentInfo>> AgentInfos(Store& store,
                                                       Scheduler& scheduler,
                                                       Clock& clock) {
  absl::StatusOr<std::vector<AgentRecord>> agents = store.ListAgents();
  if (!agents.ok()) return agents.status();
  std::vector<v1::AgentInfo> out;
  for (AgentRecord& agent : *agents) {
    v1::AgentInfo* info = &out.emplace_back();
    info->set_agent_id(agent.agent_id);
    *info->mutable_hardware() = std::move(*agent.hello.mutable_hardware());
    info->mutable_labels()->insert(agent.hello.labels().begin(),
                                   agent.hello.labels().end());
    *info->mutable_devices() = agent.hello.devices();
    *info->mutable_precisions() = agent.hello.precisions();
    info->set_connected(scheduler.IsConnected(agent.agent_id));
    info->set_first_seen_unix_ms(absl::ToUnixMillis(agent.first_seen));
    info->set_last_seen_unix_ms(absl::ToUnixMillis(
        info->connected() ? clock.Now() : agent.last_seen));
    info->set_running_job_id(scheduler.RunningJob(agent.agent_id));
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const v1::AgentInfo& a, const v1::AgentInfo& b) {
                     return a.connected() > b.connected();
                   });
  return out;
}

grpc::Status FleetServiceImpl::SubmitSweep(grpc::ServerContext* context,
                                           const v1::SubmitSweepRequest* request,
                                           v1::SubmitSweepResponse* response) {
  if (grpc::Status auth = Authorize(*context, tokens_, Role::kAdmin, nullptr); !auth.ok())
    return auth;
  const v1::SweepSpec& spec = request->spec();
  absl::StatusOr<std::vector<v1::BenchmarkSpec>> jobs = ExpandSweep(spec);
  if (!jobs.ok()) return ToGrpcStatus(jobs.status());
  absl::StatusOr<int64_t> sweep_id =
      store_->CreateSweep(spec, *jobs, clock_->Now(), /*schedule=*/"");
  if (!sweep_id.ok()) return ToGrpcStatus(sweep_id.status());
  absl::StatusOr<v1::SweepStatus> sweep = store_->GetSweep(*sweep_id);
  if (!sweep.ok()) return ToGrpcStatus(sweep.status());
  scheduler_->AddJobs(*sweep);
  response->set_sweep_id(*sweep_id);
  response->set_jobs(static_cast<int32_t>(jobs->size()));

  // A selector that no agent has ever matched is most likely a typo.
  if (!spec.selector().empty()) {
    absl::StatusOr<std::vector<AgentRecord>> agents = store_->ListAgents();
    bool matched = false;
    for (const AgentRecord& agent : agents.ok() ? *agents : std::vector<AgentRecord>{}) {
      bool all = true;
      for (const auto& [key, value] : spec.selector()) {
        auto it = agent.hello.labels().find(key);
        all = all && it != agent.hello.labels().end() && it->second == value;
      }
      matched = matched || all;
    }
    if (!matched) {
      std::vector<std::string> labels;
      for (const auto& [key, value] : spec.selector())
        labels.push_back(absl::StrCat(key, "=", value));
      std::sort(labels.begin(), labels.end());
      response->add_warnings(absl::StrCat(
          "selector {", absl::StrJoin(labels, ", "),
          "} matches no agent ever seen; its jobs wait until one connects"));
    }
  }
  return grpc::Status::OK;
}

absl::StatusOr<v1::SweepStatus> FleetServiceImpl::SweepWithReasons(int64_t sweep_id) {
  absl::StatusOr<v1::SweepStatus> sweep = store_->GetSweep(sweep_id);
  if (!sweep.ok()) return sweep;
  const std::map<int64_t, std::string> reasons = scheduler_->WaitingReasons(sweep_id);
  for (v1::JobInfo& job : *sweep->mutable_jobs()) {
    auto it = reasons.find(job.job_id());
    if (job.state() == v1::JOB_STATE_PENDING && it != reasons.end())
      job.set_waiting(it->second);
  }
  return sweep;
}

grpc::Status FleetServiceImpl::GetSweep(grpc::ServerContext* context,
                                        const v1::GetSweepRequest* request,
                                        v1::SweepStatus* response) {
  if (grpc::Status auth = Authorize(*context, tokens_, Role::kReader, nullptr); !auth.ok())
    return auth;
  absl::StatusOr<v1::SweepStatus> sweep = SweepWithReasons(request->sweep_id());
  if (!sweep.ok()) return ToGrpcStatus(sweep.status());
  *response = std::move(*sweep);
  return grpc::Status::OK;
}

grpc::Status FleetServiceImpl::WatchSweep(grpc::ServerContext* context,
                                          const v1::GetSweepRequest* request,
                                          grpc::ServerWriter<v1::SweepStatus>* writer) {
  if (grpc::Status auth = Authorize(*context, tokens_, Role::kReader, nullptr); !auth.ok())
    return auth;
  std::string last;
  while (!context->IsCancelled()) {
    absl::StatusOr<v1::SweepStatus> sweep = SweepWithReasons(request->sweep_id());
    if (!sweep.ok()) return ToGrpcStatus(sweep.status());
    std::string serialized = sweep->SerializeAsString();
    if (serialized != last) {
      if (!writer->Write(*sweep)) return grpc::Status::CANCELLED;
      last = std::move(serialized);
    }
    if (sweep->state() != v1::SWEEP_STATE_RUNNING) return grpc::Status::OK;
    absl::SleepFor(kWatchPoll);
  }
  return grpc::Status::CANCELLED;
}

grpc::Status FleetServiceImpl::ListSweeps(grpc::ServerContext* context,
                                          const v1::ListSweepsRequest* request,
                                          v1::ListSweepsResponse* response) {
  if (grpc::Status auth = Authorize(*context, tokens_, Role::kReader, nullptr); !auth.ok())
    return auth;
  if (request->limit() < 0 || request->limit() > 10000)
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                        absl::StrCat("limit = ", request->limit(),
                                     ": must be in [0, 10000]"));
  absl::StatusOr<std::vector<v1::SweepStatus>> sweeps =
      store_->ListSweeps(request->limit());
  if (!sweeps.ok()) return ToGrpcStatus(sweeps.status());
  for (auto& s : *sweeps) *response->add_sweeps() = std::move(s);
  return grpc::Status::OK;
}

grpc::Status FleetServiceImpl::CancelSweep(grpc::ServerContext* context,
                                           const v1::CancelSweepRequest* request,
                                           v1::CancelSweepResponse* response) {
  if (grpc::Status auth = Authorize(*context, tokens_, Role::kAdmin, nullptr); !auth.ok())
    return auth;
  absl::StatusOr<v1::SweepStatus> before = store_->GetSweep(request->sweep_id());
  if (!before.ok()) return ToGrpcStatus(before.status());
  absl::StatusOr<std::vector<int64_t>> leased =
      store_->CancelSweep(request->sweep_id());
  if (!leased.ok()) return ToGrpcStatus(leased.status());
  response->set_jobs_cancelled(before->jobs_pending());
  response->set_jobs_abandoned(scheduler_->CancelSweep(request->sweep_id(), *leased));
  return grpc::Status::OK;
}

grpc::Status FleetServiceImpl::ListResults(grpc::ServerContext* context,
                                           const v1::ListResultsRequest* request,
                                           v1::ListResultsResponse* response) {
  if (grpc::Status auth = Authorize(*context, tokens_, Role::kReader, nullptr); !auth.ok())
    return auth;
  absl::StatusOr<std::vector<v1::JobResult>> results = store_->ListResults(*request);
  if (!results.ok()) return ToGrpcStatus(results.status());
  for (auto& r : *results) *response->add_results() = std::move(r);
  return grpc::Status::OK;
}

grpc::Status FleetServiceImpl::ListSamples(grpc::ServerContext* context,
                                           const v1::ListSamplesRequest* request,
                                           v1::ListSamplesResponse* response) {
  if (grpc::Status auth = Authorize(*context, tokens_, Role::kReader, nullptr); !auth.ok())
    return auth;
  absl::StatusOr<std::vector<v1::Sample>> samples =
      store_->ResultSamples(request->job_id());
  if (!samples.ok()) return ToGrpcStatus(samples.status());
  for (auto& s : *samples) *response->add_samples() = std::move(s);
  return grpc::Status::OK;
}

grpc::Status FleetServiceImpl::AddSchedule(grpc::ServerContext* context,
                                           const v1::AddScheduleRequest* request,
                                           v1::AddScheduleResponse* response) {
  if (grpc::Status auth = Authorize(*context, tokens_, Role::kAdmin, nullptr); !auth.ok())
    return auth;
  v1::Schedule schedule = request->schedule();
  if (absl::Status valid = ValidateSchedule(schedule); !valid.ok())
    return ToGrpcStatus(valid);
  schedule.set_created_unix_ms(absl::ToUnixMillis(clock_->Now()));
  schedule.clear_last_run_unix_ms();
  schedule.clear_last_sweep_id();
  schedule.clear_next_run_unix_ms();
  if (absl::Status added = store_->AddSchedule(schedule); !added.ok())
    return ToGrpcStatus(added);
  schedule.set_next_run_unix_ms(NextRunUnixMs(schedule));
  *response->mutable_schedule() = std::move(schedule);
  return grpc::Status::OK;
}

grpc::Status FleetServiceImpl::ListSchedules(grpc::ServerContext* context,
                                             const v1::ListSchedulesRequest*,
                                             v1::ListSchedulesResponse* response) {
  if (grpc::Status auth = Authorize(*context, tokens_, Role::kReader, nullptr); !auth.ok())
    return auth;
  absl::StatusOr<std::vector<v1::Schedule>> schedules = store_->ListSchedules();
  if (!schedules.ok()) return ToGrpcStatus(schedules.status());
  for (v1::Schedule& schedule : *schedules) {
    schedule.set_next_run_unix_ms(NextRunUnixMs(schedule));
    *response->add_schedules() = std::move(schedule);
  }
  return grpc::Status::OK;
}

grpc::Status FleetServiceImpl::RemoveSchedule(grpc::ServerContext* context,
                                              const v1::RemoveScheduleRequest* request,
                                              v1::RemoveScheduleResponse*) {
  if (grpc::Status auth = Authorize(*context, tokens_, Role::kAdmin, nullptr); !auth.ok())
    return auth;
  return ToGrpcStatus(store_->RemoveSchedule(request->name()));
}

}  // namespace benchfleet::coordinator
