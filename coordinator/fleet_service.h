// FleetService: the queries and commands of fleetctl.
#ifndef BENCHFLEET_COORDINATOR_FLEET_SERVICE_H_
#define BENCHFLEET_COORDINATOR_FLEET_SERVICE_H_

#include "base/clock.h"
#include "coordinator/auth.h"
#include "coordinator/scheduler.h"
#include "coordinator/store.h"
#include "proto/fleet_service.grpc.pb.h"

namespace benchfleet::coordinator {

// Every agent ever seen as ListAgents returns it, connected ones first
// (also what the analyses group results by).
absl::StatusOr<std::vector<v1::AgentInfo>> AgentInfos(Store& store,
                                                       Scheduler& scheduler,
                                                       Clock& clock);

class FleetServiceImpl final : public v1::FleetService::Service {
 public:
  // `tokens` null disables authentication (loopback demos and tests).
  FleetServiceImpl(Store* store, Scheduler* scheduler, Clock* clock,
                   const TokenRegistry* tokens = nullptr)
      : store_(store), scheduler_(scheduler), clock_(clock), tokens_(tokens) {}

  grpc::Status ListAgents(grpc::ServerContext*, const v1::ListAgentsRequest*,
                          v1::ListAgentsResponse* response) override;
  grpc::Status SubmitSweep(grpc::ServerContext*,
                           const v1::SubmitSweepRequest* request,
                           v1::SubmitSweepResponse* response) override;
  grpc::Status GetSweep(grpc::ServerContext*, const v1::GetSweepRequest* request,
                        v1::SweepStatus* response) override;
  grpc::Status WatchSweep(grpc::ServerContext* context,
                          const v1::GetSweepRequest* request,
                          grpc::ServerWriter<v1::SweepStatus>* writer) override;
  grpc::Status ListSweeps(grpc::ServerContext*, const v1::ListSweepsRequest* request,
                          v1::ListSweepsResponse* response) override;
  grpc::Status CancelSweep(grpc::ServerContext*,
                           const v1::CancelSweepRequest* request,
                           v1::CancelSweepResponse* response) override;
  grpc::Status ListResults(grpc::ServerContext*,
                           const v1::ListResultsRequest* request,
                           v1::ListResultsResponse* response) override;
  grpc::Status ListSamples(grpc::ServerContext*,
                           const v1::ListSamplesRequest* request,
                           v1::ListSamplesResponse* response) override;
  grpc::Status AddSchedule(grpc::ServerContext*,
                           const v1::AddScheduleRequest* request,
                           v1::AddScheduleResponse* response) override;
  grpc::Status ListSchedules(grpc::ServerContext*, const v1::ListSchedulesRequest*,
                             v1::ListSchedulesResponse* response) override;
  grpc::Status RemoveSchedule(grpc::ServerContext*,
                              const v1::RemoveScheduleRequest* request,
                              v1::RemoveScheduleResponse*) override;

 private:
  // The sweep with a waiting reason on each pending job.
  absl::StatusOr<v1::SweepStatus> SweepWithReasons(int64_t sweep_id);

  Store* const store_;
  Scheduler* const scheduler_;
  Clock* const clock_;
  const TokenRegistry* const tokens_;
};

}  // namespace benchfleet::coordinator

#endif  // BENCHFLEET_COORDINATOR_FLEET_SERVICE_H_
