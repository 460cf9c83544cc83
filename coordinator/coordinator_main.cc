// coordinator: registers agents, leases benchmark jobs, stores results.
//
//   coordinator --listen=127.0.0.1:50051 --db=var/fleet.db
//   coordinator --listen=0.0.0.0:50051 --tokens_file=tokens --tls_cert=... --tls_key=...
//   coordinator token add NAME --role=agent|reader|admin --tokens_file=tokens
#include <csignal>
#include <fstream>
#include <iostream>
#include <thread>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/match.h"
#include "coordinator/auth.h"
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
ABSL_FLAG(std::string, tokens_file, "",
          "tokens file (role, name, sha256 per line); required off loopback");
ABSL_FLAG(std::string, tls_cert, "", "PEM server certificate; enables TLS");
ABSL_FLAG(std::string, tls_key, "", "PEM server private key");
ABSL_FLAG(std::string, tls_client_ca, "",
          "PEM CA for client certificates; enables mutual TLS");
ABSL_FLAG(bool, allow_unauthenticated, false,
          "serve a non-loopback address without tokens (unsafe)");
ABSL_FLAG(int, db_busy_timeout_ms, 5000,
          "how long a write waits for a locked database before ingest pauses");
ABSL_FLAG(std::string, role, "reader", "token add: agent, reader or admin");

namespace {

namespace coordinator = benchfleet::coordinator;

// `coordinator token add NAME`: appends the token's hash to the tokens file
// and prints the token, which is shown this once and stored nowhere.
int AddToken(const std::string& name) {
  const std::string path = absl::GetFlag(FLAGS_tokens_file);
  absl::StatusOr<coordinator::Role> role = coordinator::ParseRole(absl::GetFlag(FLAGS_role));
  if (path.empty() || !role.ok() || name.empty() || name.find(' ') != std::string::npos) {
    std::cerr << "usage: coordinator token add NAME --role=agent|reader|admin "
                 "--tokens_file=FILE\n";
    return 2;
  }
  const std::string token = coordinator::TokenRegistry::NewToken();
  std::ofstream out(path, std::ios::app);
  out << coordinator::TokenRegistry::Line(*role, name, token) << "\n";
  if (!out.flush()) {
    std::cerr << "coordinator: cannot write " << path << "\n";
    return 1;
  }
  std::cout << token << "\n";
  return 0;
}

bool IsLoopback(const std::string& listen) {
  return absl::StartsWith(listen, "127.") || absl::StartsWith(listen, "localhost:") ||
         absl::StartsWith(listen, "[::1]:");
}

}  // namespace

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "Registers agents, leases benchmark jobs and stores their results.");
  std::vector<char*> args = absl::ParseCommandLine(argc, argv);
  if (args.size() >= 3 && std::string(args[1]) == "token" &&
      std::string(args[2]) == "add")
    return AddToken(args.size() > 3 ? args[3] : "");

  // SIGINT/SIGTERM are waited for on a thread, which then shuts down.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  coordinator::CoordinatorOptions options;
  options.listen = absl::GetFlag(FLAGS_listen);
  options.db_path = absl::GetFlag(FLAGS_db);
  options.lease_ttl = absl::Seconds(absl::GetFlag(FLAGS_lease_ttl_s));
  options.heartbeat_interval = absl::Seconds(absl::GetFlag(FLAGS_heartbeat_s));
  options.max_attempts = absl::GetFlag(FLAGS_max_attempts);
  options.db_busy_timeout = absl::Milliseconds(absl::GetFlag(FLAGS_db_busy_timeout_ms));
  options.tokens_file = absl::GetFlag(FLAGS_tokens_file);
  options.tls_cert_file = absl::GetFlag(FLAGS_tls_cert);
  options.tls_key_file = absl::GetFlag(FLAGS_tls_key);
  options.tls_client_ca_file = absl::GetFlag(FLAGS_tls_client_ca);
  if (options.tokens_file.empty() && !IsLoopback(options.listen) &&
      !absl::GetFlag(FLAGS_allow_unauthenticated)) {
    std::cerr << "coordinator: --listen=" << options.listen
              << " is not loopback: give --tokens_file (or --allow_unauthenticated)\n";
    return 2;
  }
  auto started = coordinator::Coordinator::Start(options);
  if (!started.ok()) {
    std::cerr << "coordinator: " << started.status() << "\n";
    return 1;
  }
  std::unique_ptr<coordinator::Coordinator> server = std::move(*started);
  const int port = server->port();
  std::cerr << "coordinator: serving on port " << port << " ("
            << (options.tls_cert_file.empty() ? "plaintext" : "TLS")
            << (options.tokens_file.empty() ? ", no authentication" : ", tokens")
            << "), database " << options.db_path << "\n";
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
    server->Shutdown();
  });
  waiter.detach();
  server->Wait();
  std::cerr << "coordinator: stopped\n";
  return 0;
}
