#include "coordinator/coordinator.h"

#include <grpcpp/grpcpp.h>

#include "absl/strings/str_cat.h"
#include "base/channel.h"
#include "coordinator/auth.h"
#include "base/status_macros.h"
#include "coordinator/agent_service.h"
#include "coordinator/analysis_service.h"
#include "coordinator/fleet_service.h"
#include "coordinator/schedule_runner.h"
#include "coordinator/scheduler.h"
#include "coordinator/sqlite_store.h"

namespace benchfleet::coordinator {
namespace {

class CoordinatorImpl : public Coordinator {
 public:
  absl::Status Init(const CoordinatorOptions& options) {
    if (!options.tokens_file.empty()) {
      ASSIGN_OR_RETURN(TokenRegistry tokens, TokenRegistry::Load(options.tokens_file));
      tokens_ = std::make_unique<TokenRegistry>(std::move(tokens));
    }
    std::shared_ptr<grpc::ServerCredentials> credentials;
    ASSIGN_OR_RETURN(credentials, ServerCredentials(options));
    ASSIGN_OR_RETURN(store_, SqliteStore::Open(options.db_path, options.db_busy_timeout));
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
    agent_options.tokens = tokens_.get();
    agent_service_ = std::make_unique<AgentServiceImpl>(
        store_.get(), scheduler_.get(), options.clock, agent_options);
    fleet_service_ = std::make_unique<FleetServiceImpl>(
        store_.get(), scheduler_.get(), options.clock, tokens_.get());
    analysis_service_ = std::make_unique<AnalysisServiceImpl>(
        store_.get(), scheduler_.get(), options.clock, tokens_.get());

    grpc::ServerBuilder builder;
    builder.AddListeningPort(options.listen, credentials, &port_);
    builder.SetMaxReceiveMessageSize(kMaxMessageBytes);
    builder.SetMaxSendMessageSize(kMaxMessageBytes);
    // Agree with the clients' keepalive (base/channel.h): accept their pings,
    // and ping idle agents ourselves so dead peers are noticed.
    builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIME_MS, kKeepaliveTimeMs);
    builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, kKeepaliveTimeoutMs);
    builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
    builder.AddChannelArgument(GRPC_ARG_HTTP2_MIN_RECV_PING_INTERVAL_WITHOUT_DATA_MS,
                               kKeepaliveTimeMs / 2);
    builder.AddChannelArgument(GRPC_ARG_HTTP2_MAX_PING_STRIKES, 0);
    builder.RegisterService(agent_service_.get());
    builder.RegisterService(fleet_service_.get());
    builder.RegisterService(analysis_service_.get());
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
  static absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> ServerCredentials(
      const CoordinatorOptions& options) {
    if (options.tls_cert_file.empty() && options.tls_key_file.empty())
      return grpc::InsecureServerCredentials();
    grpc::SslServerCredentialsOptions ssl(
        options.tls_client_ca_file.empty()
            ? GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE
            : GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
    grpc::SslServerCredentialsOptions::PemKeyCertPair pair;
    ASSIGN_OR_RETURN(pair.cert_chain, ReadFileToString(options.tls_cert_file));
    ASSIGN_OR_RETURN(pair.private_key, ReadFileToString(options.tls_key_file));
    ssl.pem_key_cert_pairs.push_back(pair);
    if (!options.tls_client_ca_file.empty()) {
      ASSIGN_OR_RETURN(ssl.pem_root_certs, ReadFileToString(options.tls_client_ca_file));
    }
    return grpc::SslServerCredentials(ssl);
  }

  std::unique_ptr<TokenRegistry> tokens_;
  std::unique_ptr<SqliteStore> store_;
  std::unique_ptr<Scheduler> scheduler_;
  std::unique_ptr<ScheduleRunner> schedules_;
  std::unique_ptr<AgentServiceImpl> agent_service_;
  std::unique_ptr<FleetServiceImpl> fleet_service_;
  std::unique_ptr<AnalysisServiceImpl> analysis_service_;
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
