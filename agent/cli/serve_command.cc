#include <csignal>
#include <iostream>
#include <thread>

#include "absl/flags/flag.h"
#include "agent/agent_client.h"
#include "agent/cli/commands.h"
#include "agent/cli/common.h"
#include "agent/model_executor.h"

ABSL_FLAG(std::string, coordinator, "127.0.0.1:50051",
          "serve: host:port of the coordinator");
ABSL_FLAG(std::string, agent_id, "", "serve: agent id; default the hostname");

namespace benchfleet::agent_cli {

int ServeCommand(const Args&) {
  // SIGINT/SIGTERM are waited for on a thread that stops the client.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  const v1::HardwareReport report = ProbeMachine();
  agent::AgentClientOptions options;
  options.coordinator = absl::GetFlag(FLAGS_coordinator);
  options.agent_id = absl::GetFlag(FLAGS_agent_id);
  if (options.agent_id.empty()) options.agent_id = report.hostname();
  agent::ModelExecutor executor(report.cpu().model_name(), report.host_id(),
                                Threads());
  agent::AgentClient client(options, report, &executor);
  std::thread waiter([&] {
    int signal = 0;
    sigwait(&signals, &signal);
    std::cerr << "agent: signal " << signal << ", stopping\n";
    client.Stop();
  });
  waiter.detach();
  client.Run().IgnoreError();
  std::cerr << "agent: stopped\n";
  return 0;
}

}  // namespace benchfleet::agent_cli
