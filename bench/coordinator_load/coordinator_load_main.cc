// Drives a real coordinator process with many simulated agents (real gRPC
// clients reporting synthetic samples) and reports ingest throughput,
// acknowledgement latency and the coordinator's memory. Every job's samples
// are checked against what was sent: nothing may be lost.
//
//   bazel run -c opt //bench/coordinator_load -- --agents=200 --jobs_per_agent=2
#include <grpcpp/grpcpp.h>

#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <thread>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "agent/agent_client.h"
#include "agent/simulated_executor.h"
#include "analysis/summary_stats.h"
#include "proto/fleet_service.grpc.pb.h"
#include "tests/subprocess.h"

ABSL_FLAG(int, agents, 200, "simulated agents");
ABSL_FLAG(int, jobs_per_agent, 2, "jobs in the sweep per agent");
ABSL_FLAG(int, samples_per_job, 5000, "samples each job reports");
ABSL_FLAG(int, samples_per_batch, 256, "samples per message");
ABSL_FLAG(std::string, workdir, "/tmp/benchfleet-load", "database and logs");

namespace {

using namespace benchfleet;  // NOLINT: a benchmark's main

int64_t ProcKb(int pid, const std::string& field) {
  std::ifstream status(absl::StrCat("/proc/", pid, "/status"));
  std::string line;
  while (std::getline(status, line))
    if (line.rfind(field + ":", 0) == 0) return std::stoll(line.substr(field.size() + 1));
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  const std::string dir = absl::GetFlag(FLAGS_workdir);
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);

  const char* runfiles = std::getenv("RUNFILES_DIR");
  const std::string coordinator_bin =
      runfiles ? absl::StrCat(runfiles, "/benchfleet/coordinator/coordinator")
               : absl::StrCat(argv[0], ".runfiles/benchfleet/coordinator/coordinator");
  testing::Subprocess coordinator;
  if (!coordinator
           .Start({coordinator_bin, "--listen=127.0.0.1:0", "--db=" + dir + "/fleet.db",
                   "--port_file=" + dir + "/port"},
                  dir + "/coordinator.log")
           .ok()) {
    std::cerr << "cannot start " << coordinator_bin << "\n";
    return 1;
  }
  const int port = testing::WaitForPortFile(dir + "/port", absl::Seconds(30)).value();
  const std::string target = absl::StrCat("127.0.0.1:", port);

  const int agents = absl::GetFlag(FLAGS_agents);
  const int samples_per_job = absl::GetFlag(FLAGS_samples_per_job);
  absl::Mutex latency_mu;
  std::vector<int64_t> ack_ns;
  agent::SimulatedExecutorOptions simulated;
  simulated.samples_per_job = samples_per_job;
  agent::SimulatedExecutor executor(simulated);
  v1::HardwareReport report;
  report.set_simulated(true);
  report.set_hostname("load");
  std::vector<std::unique_ptr<agent::AgentClient>> clients;
  std::vector<std::thread> threads;
  for (int i = 0; i < agents; ++i) {
    agent::AgentClientOptions options;
    options.coordinator = target;
    options.agent_id = absl::StrCat("sim-", i);
    options.labels["simulated"] = "true";
    options.samples_per_batch = absl::GetFlag(FLAGS_samples_per_batch);
    options.on_sample_ack = [&](absl::Duration d) {
      absl::MutexLock lock(&latency_mu);
      ack_ns.push_back(absl::ToInt64Nanoseconds(d));
    };
    clients.push_back(std::make_unique<agent::AgentClient>(options, report, &executor));
  }
  for (auto& client : clients) threads.emplace_back([&client] { client->Run().IgnoreError(); });

  auto fleet = v1::FleetService::NewStub(
      grpc::CreateChannel(target, grpc::InsecureChannelCredentials()));
  // Wait until every agent is connected, so the clock measures ingest only.
  for (int connected = 0; connected < agents;) {
    grpc::ClientContext context;
    v1::ListAgentsResponse list;
    fleet->ListAgents(&context, {}, &list);
    connected = 0;
    for (const auto& a : list.agents()) connected += a.connected();
    absl::SleepFor(absl::Milliseconds(100));
  }

  v1::SubmitSweepRequest submit;
  v1::SweepSpec& spec = *submit.mutable_spec();
  spec.set_name("load");
  spec.add_models("resnet18");
  // repeat is capped at 100, so batch sizes multiply it up to the job count.
  const int total_jobs = absl::GetFlag(FLAGS_jobs_per_agent) * agents;
  const int repeat = std::min(100, total_jobs);
  for (int b = 1; b <= (total_jobs + repeat - 1) / repeat; ++b) spec.add_batch_sizes(b);
  spec.set_repeat(repeat);
  (*spec.mutable_selector())["simulated"] = "true";
  v1::SubmitSweepResponse submitted;
  {
    grpc::ClientContext context;
    grpc::Status status = fleet->SubmitSweep(&context, submit, &submitted);
    if (!status.ok()) {
      std::cerr << "submit: " << status.error_message() << "\n";
      for (auto& client : clients) client->Stop();
      for (auto& t : threads) t.join();
      return 1;
    }
  }
  const absl::Time start = absl::Now();
  v1::SweepStatus sweep;
  do {
    absl::SleepFor(absl::Milliseconds(50));
    grpc::ClientContext context;
    v1::GetSweepRequest request;
    request.set_sweep_id(submitted.sweep_id());
    fleet->GetSweep(&context, request, &sweep);
  } while (sweep.state() == v1::SWEEP_STATE_RUNNING);
  const double seconds = absl::ToDoubleSeconds(absl::Now() - start);

  // Nothing lost: every job has its result and every sample.
  int64_t stored_samples = 0, results = 0;
  for (const v1::JobInfo& job : sweep.jobs()) {
    grpc::ClientContext context;
    v1::ListSamplesRequest request;
    request.set_job_id(job.job_id());
    v1::ListSamplesResponse samples;
    fleet->ListSamples(&context, request, &samples);
    stored_samples += samples.samples_size();
    results += job.state() == v1::JOB_STATE_DONE;
  }
  const int64_t expected = static_cast<int64_t>(sweep.jobs_total()) * samples_per_job;
  const int64_t rss_kb = ProcKb(coordinator.pid(), "VmRSS");
  const int64_t hwm_kb = ProcKb(coordinator.pid(), "VmHWM");
  for (auto& client : clients) client->Stop();
  for (auto& t : threads) t.join();

  std::vector<int64_t> latencies;
  {
    absl::MutexLock lock(&latency_mu);
    latencies = ack_ns;
  }
  const v1::DurationStats ack = analysis::Summarize(latencies);
  std::vector<double> sorted;
  for (int64_t v : latencies) sorted.push_back(v * 1e-6);
  std::sort(sorted.begin(), sorted.end());
  std::cout << absl::StrFormat(
      "agents %d, jobs %d, samples/job %d, batch %d\n"
      "ingest: %d samples in %.2f s = %.0f samples/s\n"
      "ack latency per batch: p50 %.2f ms, p99 %.2f ms (n=%d)\n"
      "stored: %d/%d results, %d/%d samples (%s)\n"
      "coordinator RSS: %d MiB now, %d MiB peak\n",
      agents, sweep.jobs_total(), samples_per_job, absl::GetFlag(FLAGS_samples_per_batch),
      expected, seconds, expected / seconds, ack.median_ms(),
      analysis::Quantile(sorted, 0.99), ack.n(), results, sweep.jobs_total(),
      stored_samples, expected,
      stored_samples == expected && results == sweep.jobs_total() ? "nothing lost"
                                                                   : "LOST DATA",
      rss_kb / 1024, hwm_kb / 1024);
  coordinator.Signal(SIGTERM);
  coordinator.Wait(absl::Seconds(30)).IgnoreError();
  return stored_samples == expected ? 0 : 1;
}
