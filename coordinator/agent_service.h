// AgentService: the coordinator's side of each agent's Connect stream.
#ifndef BENCHFLEET_COORDINATOR_AGENT_SERVICE_H_
#define BENCHFLEET_COORDINATOR_AGENT_SERVICE_H_

#include <map>
#include <string>
#include <thread>

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "base/clock.h"
#include "coordinator/auth.h"
#include "coordinator/scheduler.h"
#include "coordinator/store.h"
#include "proto/agent_service.grpc.pb.h"

namespace benchfleet::coordinator {

struct AgentServiceOptions {
  absl::Duration heartbeat_interval = absl::Seconds(2);  // told to agents
  absl::Duration lease_ttl = absl::Seconds(15);  // silence that ends a session
  int max_samples_per_batch = 10000;
  const TokenRegistry* tokens = nullptr;  // null: authentication disabled
};

class AgentServiceImpl final : public v1::AgentService::Service {
 public:
  AgentServiceImpl(Store* store, Scheduler* scheduler, Clock* clock,
                   AgentServiceOptions options);
  ~AgentServiceImpl() override;

  grpc::Status Connect(
      grpc::ServerContext* context,
      grpc::ServerReaderWriter<v1::CoordinatorMessage, v1::AgentMessage>* stream)
      override;

  // Stops the watchdog; call before the server shuts down.
  void Shutdown();

 private:
  struct Live {
    grpc::ServerContext* context;
    absl::Time last_heard;
    std::string agent_id;
    bool cancelled = false;  // the watchdog ended it
  };
  // Cancels sessions that were silent for longer than the lease TTL.
  void Watchdog();
  void Heard(grpc::ServerContext* context);

  Store* const store_;
  Scheduler* const scheduler_;
  Clock* const clock_;
  const AgentServiceOptions options_;

  absl::Mutex mu_;
  std::map<grpc::ServerContext*, Live> live_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::thread watchdog_;
};

}  // namespace benchfleet::coordinator

#endif  // BENCHFLEET_COORDINATOR_AGENT_SERVICE_H_
