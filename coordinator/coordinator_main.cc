// coordinator: registers agents, leases benchmark jobs, stores results.
//
//   coordinator --listen=127.0.0.1:50051 --db=var/fleet.db
#include <csignal>
#include <iostream>
#include <thread>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "coordinator/coordinator.h"

ABSL_FLAG(std::string, listen, "127.0.0.1:50051",
          "host:port to serve on; port 0 picks a free port");
ABSL_FLAG(std::string, db, "var/fleet.db", "SQLite database file");
ABSL_FLAG(int, lease_ttl_s, 15,
          "seconds of agent silence after which its job is leased again");
ABSL_FLAG(int, heartbeat_s, 2, "heartbeat interval agents are told to keep");
ABSL_FLAG(int, max_attempts, 3, "lost attempts before a job fails");
ABSL_FLAG(std::string, port_file, "",
          "if set, the bound port is written here once serving");

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "Registers agents, leases benchmark jobs and stores their results.");
  absl::ParseCommandLine(argc, argv);

  // SIGINT/SIGTERM are waited for on a thread, which then shuts down.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  benchfleet::coordinator::CoordinatorOptions options;
  options.listen = absl::GetFlag(FLAGS_listen);
  options.db_path = absl::GetFlag(FLAGS_db);
  options.lease_ttl = absl::Seconds(absl::GetFlag(FLAGS_lease_ttl_s));
  options.heartbeat_interval = absl::Seconds(absl::GetFlag(FLAGS_heartbeat_s));
  options.max_attempts = absl::GetFlag(FLAGS_max_attempts);
  auto coordinator = benchfleet::coordinator::Coordinator::Start(options);
  if (!coordinator.ok()) {
    std::cerr << "coordinator: " << coordinator.status() << "\n";
    return 1;
  }
  const int port = (*coordinator)->port();
  std::cerr << "coordinator: serving on port " << port << ", database "
            << options.db_path << "\n";
  if (!absl::GetFlag(FLAGS_port_file).empty()) {
    const std::string path = absl::GetFlag(FLAGS_port_file);
    const std::string tmp = path + ".tmp";
    if (FILE* f = fopen(tmp.c_str(), "w")) {
      fprintf(f, "%d\n", port);
      fclose(f);
      rename(tmp.c_str(), path.c_str());
    }
  }

  std::thread waiter([&] {
    int signal = 0;
    sigwait(&signals, &signal);
    std::cerr << "coordinator: signal " << signal << ", shutting down\n";
    (*coordinator)->Shutdown();
  });
  waiter.detach();
  (*coordinator)->Wait();
  std::cerr << "coordinator: stopped\n";
  return 0;
}
