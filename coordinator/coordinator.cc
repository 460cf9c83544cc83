#include "coordinator/coordinator.h"

#include <grpcpp/grpcpp.h>

#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "coordinator/agent_service.h"
#include "coordinator/fleet_service.h"
#include "coordinator/schedule_runner.h"
#include "coordinator/scheduler.h"
#include "coordinator/sqlite_store.h"

namespace benchfleet::coordinator {
namespace {

// Largest message either side accepts; a sample batch of 10,000 is ~300 KB.
constexpr int kMaxMessageBytes = 16 << 20;

class CoordinatorImpl : public Coordinator {
 public:
  absl::Status Init(const CoordinatorOptions& options) {
    ASSIGN_OR_RETURN(store_, SqliteStore::Open(options.db_path));
    SchedulerOptions scheduler_options;
    scheduler_options.max_attempts = options.max_attempts;
    scheduler_ = std::make_unique<Scheduler>(store_.get(), options.clock,
                                             scheduler_options);
    RETURN_IF_ERROR(scheduler_->Recover());
    // Slots missed while the coordinator was down run once, now.
    schedules_ = std::make_unique<ScheduleRunner>(store_.get(), scheduler_.get(),
                                                  options.clock);
    AgentServiceOptions agent_options;
    agent_options.heartbeat_interval = options.heartbeat_interval;
    agent_options.lease_ttl = options.lease_ttl;
    agent_service_ = std::make_unique<AgentServiceImpl>(
        store_.get(), scheduler_.get(), options.clock, agent_options);
    fleet_service_ = std::make_unique<FleetServiceImpl>(
        store_.get(), scheduler_.get(), options.clock);

    grpc::ServerBuilder builder;
    builder.AddListeningPort(options.listen, grpc::InsecureServerCredentials(),
                             &port_);
    builder.SetMaxReceiveMessageSize(kMaxMessageBytes);
    builder.SetMaxSendMessageSize(kMaxMessageBytes);
    builder.RegisterService(agent_service_.get());
    builder.RegisterService(fleet_service_.get());
    server_ = builder.BuildAndStart();
    if (!server_ || port_ == 0) {
      return absl::UnavailableError(
          absl::StrCat("cannot listen on ", options.listen));
    }
    schedules_->Start(options.schedule_period);
    return absl::OkStatus();
  }

  ~CoordinatorImpl() override { Shutdown(); }

  int port() const override { return port_; }
  void Wait() override { server_->Wait(); }

  void Shutdown() override {
    if (!server_ || shut_down_.exchange(true)) return;
    // Wake the lease dispatchers first so every Connect handler can return.
    schedules_->Stop();
    scheduler_->Shutdown();
    server_->Shutdown(std::chrono::system_clock::now() +
                      std::chrono::seconds(2));
    agent_service_->Shutdown();
  }

 private:
  std::unique_ptr<SqliteStore> store_;
  std::unique_ptr<Scheduler> scheduler_;
  std::unique_ptr<ScheduleRunner> schedules_;
  std::unique_ptr<AgentServiceImpl> agent_service_;
  std::unique_ptr<FleetServiceImpl> fleet_service_;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
  std::atomic<bool> shut_down_{false};
};

}  // namespace

absl::StatusOr<std::unique_ptr<Coordinator>> Coordinator::Start(
    const CoordinatorOptions& options) {
  auto coordinator = std::make_unique<CoordinatorImpl>();
  RETURN_IF_ERROR(coordinator->Init(options));
  return coordinator;
}

}  // namespace benchfleet::coordinator
