// The coordinator as a handle: Start() opens the store, recovers unfinished
// jobs and serves AgentService, FleetService and AnalysisService on one
// port.
//
//   auto coordinator = Coordinator::Start({.listen = "127.0.0.1:0", ...});
//   int port = (*coordinator)->port();
//   ...
//   (*coordinator)->Shutdown();
#ifndef BENCHFLEET_COORDINATOR_COORDINATOR_H_
#define BENCHFLEET_COORDINATOR_COORDINATOR_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "base/clock.h"

namespace benchfleet::coordinator {

struct CoordinatorOptions {
  std::string listen = "127.0.0.1:0";  // host:port; port 0 picks a free one
  std::string db_path;                 // SQLite file, created when missing
  absl::Duration heartbeat_interval = absl::Seconds(2);
  absl::Duration lease_ttl = absl::Seconds(15);  // silence before re-lease
  int max_attempts = 3;  // lost attempts before a job fails
  absl::Duration db_busy_timeout = absl::Seconds(5);  // SQLite lock wait; then UNAVAILABLE
  absl::Duration schedule_period = absl::Seconds(20);  // cron check interval
  Clock* clock = Clock::Real();  // not owned
  // Tokens file (see auth.h); empty disables authentication, which is only
  // sensible on loopback.
  std::string tokens_file;
  // PEM server certificate and key; both empty = plaintext.
  std::string tls_cert_file;
  std::string tls_key_file;
  // PEM CA that client certificates must chain to; set = mutual TLS.
  std::string tls_client_ca_file;
};

class Coordinator {
 public:
  // UNAVAILABLE when the port cannot be bound or the database opened.
  static absl::StatusOr<std::unique_ptr<Coordinator>> Start(
      const CoordinatorOptions& options);
  virtual ~Coordinator() = default;

  // The bound port.
  virtual int port() const = 0;
  // Blocks until Shutdown() is called from another thread.
  virtual void Wait() = 0;
  // Ends agent sessions and stops serving; idempotent.
  virtual void Shutdown() = 0;
};

}  // namespace benchfleet::coordinator

#endif  // BENCHFLEET_COORDINATOR_COORDINATOR_H_
