#include <torch/torch.h>

#include <csignal>
#include <iostream>
#include <memory>
#include <thread>

#include "absl/flags/flag.h"
#include "absl/strings/str_split.h"
#include "agent/agent_client.h"
#include "agent/cli/calibration_support.h"
#include "agent/cli/commands.h"
#include "agent/cli/common.h"
#include "agent/model_executor.h"
#include "agent/hw/calibration.h"
#include "agent/hw/inventory.h"
#include "agent/simulated_executor.h"

ABSL_FLAG(std::string, coordinator, "127.0.0.1:50051",
          "serve: host:port of the coordinator");
ABSL_FLAG(std::string, agent_id, "", "serve: agent id; default the hostname");
ABSL_FLAG(std::vector<std::string>, label, {},
          "serve: KEY=VALUE labels that sweep selectors match, comma-separated "
          "or repeated (--label=gpu=h100 --label=rack=a3)");
ABSL_FLAG(bool, simulate, false,
          "serve: run no models; report synthetic samples marked simulated "
          "(for load tests of the coordinator)");
ABSL_FLAG(int, simulate_samples, 100, "serve --simulate: samples per job");
ABSL_FLAG(bool, calibrate_on_start, true,
          "serve: put measured roofs in the hello, from this host's cached "
          "calibration or by calibrating once before connecting");

namespace benchfleet::agent_cli {

int ServeCommand(const Args&) {
  // SIGINT/SIGTERM are waited for on a thread that stops the client.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  v1::HardwareReport report = ProbeMachine();
  agent::AgentClientOptions options;
  options.coordinator = absl::GetFlag(FLAGS_coordinator);
  options.agent_id = absl::GetFlag(FLAGS_agent_id);
  if (options.agent_id.empty()) options.agent_id = report.hostname();
  for (const std::string& label : absl::GetFlag(FLAGS_label)) {
    std::pair<std::string, std::string> kv = absl::StrSplit(label, absl::MaxSplits('=', 1));
    if (kv.first.empty()) {
      std::cerr << "agent: --label=" << label << ": expected KEY=VALUE\n";
      return 2;
    }
    options.labels[kv.first] = kv.second;
  }
  if (torch::cuda::is_available()) options.devices.push_back(v1::DEVICE_KIND_CUDA);

  std::unique_ptr<agent::JobExecutor> executor;
  if (absl::GetFlag(FLAGS_simulate)) {
    report.set_simulated(true);
    options.labels["simulated"] = "true";
    agent::SimulatedExecutorOptions simulated;
    simulated.samples_per_job = absl::GetFlag(FLAGS_simulate_samples);
    executor = std::make_unique<agent::SimulatedExecutor>(simulated);
  } else {
    executor = std::make_unique<agent::ModelExecutor>(report.cpu().model_name(),
                                                      report.host_id(), Threads());
  }
  hw::CompleteInventory(ProbingLiveMachine(), &report);
  if (absl::GetFlag(FLAGS_calibrate_on_start) && !report.simulated()) {
    // Before connecting: no leased job may run while the roofs are measured.
    absl::StatusOr<v1::Calibration> calibration =
        CalibrateOrLoadWithFlags(report);
    if (calibration.ok()) {
      std::cerr << "agent: calibration "
                << (calibration->from_cache() ? "read from " : "measured, cached at ")
                << (calibration->cache_path().empty() ? "(not cached)"
                                                       : calibration->cache_path())
                << "\n";
      hw::ApplyCalibration(*calibration, &report);
    } else {
      std::cerr << "agent: calibration failed, serving without measured roofs: "
                << calibration.status() << "\n";
    }
  }
  agent::AgentClient client(options, report, executor.get());
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
