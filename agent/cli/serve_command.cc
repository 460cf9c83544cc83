#include <torch/torch.h>

#include <algorithm>
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
#include "agent/spool.h"
#include "base/channel.h"

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
ABSL_FLAG(int, simulate_sample_ms, 0,
          "serve --simulate: milliseconds each synthetic sample takes, slept "
          "for real so a job lasts samples x this; 0 = report 1 ms, no sleep");
ABSL_FLAG(std::string, spool_dir, "",
          "serve: directory where finished jobs wait until the coordinator "
          "acknowledges their results (replayed after a reconnect or restart); "
          "default $XDG_STATE_HOME/benchfleet/spool-<agent_id>, else "
          "~/.local/state/benchfleet/spool-<agent_id>");
ABSL_FLAG(int, drain_timeout_s, 30,
          "serve: on SIGTERM or SIGINT, seconds the running job may take to "
          "finish and be acknowledged before it is handed back; a second "
          "signal hands it back at once");
ABSL_FLAG(int, max_backoff_ms, 15000,
          "serve: cap of the randomized delay between reconnection attempts, ms");
ABSL_FLAG(std::string, token_file, "",
          "serve: file holding this agent's token (else $BENCHFLEET_AGENT_TOKEN)");
ABSL_FLAG(std::string, tls_ca, "", "serve: PEM CA of the coordinator; enables TLS");
ABSL_FLAG(std::string, tls_cert, "", "serve: PEM client certificate (mutual TLS)");
ABSL_FLAG(std::string, tls_key, "", "serve: PEM client key (mutual TLS)");
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
  ChannelOptions channel;
  channel.target = options.coordinator;
  channel.tls_ca_file = absl::GetFlag(FLAGS_tls_ca);
  channel.tls_cert_file = absl::GetFlag(FLAGS_tls_cert);
  channel.tls_key_file = absl::GetFlag(FLAGS_tls_key);
  absl::StatusOr<std::string> token =
      ReadToken(absl::GetFlag(FLAGS_token_file), "BENCHFLEET_AGENT_TOKEN");
  if (!token.ok()) {
    std::cerr << "agent: --token_file: " << token.status() << "\n";
    return 2;
  }
  channel.token = *token;
  absl::StatusOr<std::shared_ptr<grpc::Channel>> made = MakeChannel(channel);
  if (!made.ok()) {
    std::cerr << "agent: " << made.status() << "\n";
    return 2;
  }
  options.channel = *made;
  for (const std::string& label : absl::GetFlag(FLAGS_label)) {
    std::pair<std::string, std::string> kv = absl::StrSplit(label, absl::MaxSplits('=', 1));
    if (kv.first.empty()) {
      std::cerr << "agent: --label=" << label << ": expected KEY=VALUE\n";
      return 2;
    }
    options.labels[kv.first] = kv.second;
  }
  if (torch::cuda::is_available()) options.devices.push_back(v1::DEVICE_KIND_CUDA);
  options.max_backoff = absl::Milliseconds(std::max(1, absl::GetFlag(FLAGS_max_backoff_ms)));
  options.initial_backoff = std::min(options.initial_backoff, options.max_backoff);

  std::string spool_dir = absl::GetFlag(FLAGS_spool_dir);
  const bool spool_dir_given = !spool_dir.empty();
  if (!spool_dir_given) spool_dir = agent::DefaultSpoolDir(options.agent_id);
  std::unique_ptr<agent::Spool> spool;
  if (!spool_dir.empty()) {
    absl::StatusOr<std::unique_ptr<agent::Spool>> opened = agent::Spool::Open(spool_dir);
    if (opened.ok()) {
      spool = std::move(*opened);
    } else if (spool_dir_given ||
               opened.status().code() == absl::StatusCode::kFailedPrecondition) {
      std::cerr << "agent: --spool_dir: " << opened.status() << "\n";
      return 2;
    } else {
      std::cerr << "agent: " << opened.status() << "\n";
    }
  }
  if (spool) {
    options.spool = spool.get();
    std::cerr << "agent: spool " << spool->dir() << "\n";
  } else {
    std::cerr << "agent: WARNING: no spool directory; unacknowledged results "
                 "are lost if the agent exits (set --spool_dir)\n";
  }

  std::unique_ptr<agent::JobExecutor> executor;
  if (absl::GetFlag(FLAGS_simulate)) {
    report.set_simulated(true);
    options.labels["simulated"] = "true";
    agent::SimulatedExecutorOptions simulated;
    simulated.samples_per_job = absl::GetFlag(FLAGS_simulate_samples);
    if (const int ms = absl::GetFlag(FLAGS_simulate_sample_ms); ms > 0) {
      simulated.sample_duration = absl::Milliseconds(ms);
      simulated.pace = true;
    }
    executor = std::make_unique<agent::SimulatedExecutor>(simulated);
  } else {
    executor = std::make_unique<agent::ModelExecutor>(report, Threads());
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
  // Never freed: the signal threads below may still use it while the
  // process exits.
  agent::AgentClient& client = *new agent::AgentClient(options, report, executor.get());
  // The first signal drains (the running job may finish), the second hands
  // the running job back at once.
  const absl::Duration drain_timeout =
      absl::Seconds(std::max(0, absl::GetFlag(FLAGS_drain_timeout_s)));
  std::thread waiter([&client, signals, drain_timeout] {
    int signal = 0;
    sigwait(&signals, &signal);
    std::cerr << "agent: signal " << signal << ", draining for up to "
              << drain_timeout << " (signal again to stop at once)\n";
    std::thread([&client, drain_timeout] { client.Drain(drain_timeout); }).detach();
    sigwait(&signals, &signal);
    std::cerr << "agent: signal " << signal << ", stopping now\n";
    client.Stop();
  });
  waiter.detach();
  client.Run().IgnoreError();
  std::cerr << "agent: stopped\n";
  return 0;
}

}  // namespace benchfleet::agent_cli
