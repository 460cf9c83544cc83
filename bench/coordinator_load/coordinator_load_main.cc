// Drives a real coordinator process with many simulated agents (real gRPC
// clients reporting synthetic samples) and reports ingest throughput,
// acknowledgement latency and the coordinator's memory. Throughput counts
// the samples the coordinator stored (ListSamples of every job), never what
// was meant to be sent; every job's samples are checked against what was
// sent. A lost sample or result, a failed call, or a sweep that does not
// finish in --timeout_s ends the run with a message and exit status 1.
//
//   bazel run -c opt //bench/coordinator_load -- --agents=200 --jobs_per_agent=2
#include <grpcpp/grpcpp.h>

#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <set>
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
ABSL_FLAG(int, timeout_s, 600, "longest wait for the agents and the sweep, seconds");

namespace {

using namespace benchfleet;  // NOLINT: a benchmark's main

// Every RPC of the benchmark's own bookkeeping gets this long.
constexpr absl::Duration kCallDeadline = absl::Seconds(30);

std::unique_ptr<grpc::ClientContext> Context() {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(absl::ToChronoTime(absl::Now() + kCallDeadline));
  return context;
}

// Prints why the run cannot be trusted; the caller exits 1.
bool Failed(const std::string& what, const grpc::Status& status = grpc::Status::OK) {
  std::cerr << "coordinator_load: " << what;
  if (!status.ok())
    std::cerr << ": " << status.error_code() << " " << status.error_message();
  std::cerr << "\n";
  return false;
}

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
  const absl::Time give_up = absl::Now() + absl::Seconds(absl::GetFlag(FLAGS_timeout_s));
  bool ok = true;
  // Everything after a failure is skipped; clients stop and the run exits 1.
  // Wait until every agent is connected, so the clock measures ingest only.
  for (int connected = 0; ok && connected < agents;) {
    v1::ListAgentsResponse list;
    const grpc::Status status = fleet->ListAgents(Context().get(), {}, &list);
    if (!status.ok()) {
      ok = Failed("ListAgents", status);
      break;
    }
    connected = 0;
    for (const auto& a : list.agents()) connected += a.connected();
    if (connected < agents && absl::Now() > give_up)
      ok = Failed(absl::StrCat("only ", connected, " of ", agents, " agents connected in ",
                               absl::GetFlag(FLAGS_timeout_s), " s"));
    if (connected < agents) absl::SleepFor(absl::Milliseconds(100));
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
  if (ok) {
    const grpc::Status status = fleet->SubmitSweep(Context().get(), submit, &submitted);
    if (!status.ok()) ok = Failed("SubmitSweep", status);
  }
  const absl::Time start = absl::Now();
  v1::SweepStatus sweep;
  while (ok) {
    absl::SleepFor(absl::Milliseconds(50));
    v1::GetSweepRequest request;
    request.set_sweep_id(submitted.sweep_id());
    const grpc::Status status = fleet->GetSweep(Context().get(), request, &sweep);
    if (!status.ok()) {
      ok = Failed("GetSweep", status);
    } else if (sweep.state() != v1::SWEEP_STATE_RUNNING) {
      break;
    } else if (absl::Now() > give_up) {
      ok = Failed(absl::StrCat("the sweep is still running after ",
                               absl::GetFlag(FLAGS_timeout_s), " s"));
    }
  }
  const double seconds = absl::ToDoubleSeconds(absl::Now() - start);

  // What the coordinator stored, job by job: each result's samples, each
  // sequence once, all of the job.
  int64_t stored_samples = 0, results = 0;
  for (const v1::JobInfo& job : sweep.jobs()) {
    if (!ok) break;
    v1::ListSamplesRequest request;
    request.set_job_id(job.job_id());
    v1::ListSamplesResponse samples;
    const grpc::Status status = fleet->ListSamples(Context().get(), request, &samples);
    if (!status.ok()) {
      ok = Failed(absl::StrCat("ListSamples of job ", job.job_id()), status);
      break;
    }
    std::set<int64_t> sequences;
    for (const v1::Sample& sample : samples.samples())
      if (sample.job_id() == job.job_id()) sequences.insert(sample.sequence());
    if (static_cast<int64_t>(sequences.size()) != samples.samples_size())
      ok = Failed(absl::StrCat("job ", job.job_id(), ": ", samples.samples_size(),
                          " samples listed but ", sequences.size(),
                          " distinct sequences of the job"));
    stored_samples += sequences.size();
    results += job.state() == v1::JOB_STATE_DONE;
  }
  const int64_t expected = static_cast<int64_t>(sweep.jobs_total()) * samples_per_job;
  const bool complete = ok && sweep.state() == v1::SWEEP_STATE_DONE &&
                        stored_samples == expected && results == sweep.jobs_total() &&
                        sweep.jobs_total() == total_jobs;
  if (ok && !complete)
    Failed(absl::StrCat("lost data: sweep ", v1::SweepState_Name(sweep.state()), ", ",
                        results, "/", sweep.jobs_total(), " results of ", total_jobs,
                        " jobs, ", stored_samples, "/", expected, " samples stored"));
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
  if (ok) {
    std::cout << absl::StrFormat(
        "agents %d, jobs %d, samples/job %d, batch %d\n"
        "ingest: %d samples stored in %.2f s = %.0f samples/s\n"
        "ack latency per batch: p50 %.2f ms, p99 %.2f ms (n=%d)\n"
        "stored: %d/%d results, %d/%d samples (%s)\n"
        "coordinator RSS: %d MiB now, %d MiB peak\n",
        agents, sweep.jobs_total(), samples_per_job, absl::GetFlag(FLAGS_samples_per_batch),
        stored_samples, seconds, stored_samples / seconds, ack.median_ms(),
        sorted.empty() ? 0.0 : analysis::Quantile(sorted, 0.99), ack.n(), results,
        sweep.jobs_total(), stored_samples, expected, complete ? "nothing lost" : "LOST DATA",
        rss_kb / 1024, hwm_kb / 1024);
  }
  coordinator.Signal(SIGTERM);
  coordinator.Wait(absl::Seconds(30)).IgnoreError();
  return complete ? 0 : 1;
}
