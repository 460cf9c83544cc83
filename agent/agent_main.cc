// agent: benchmarks models on this machine, alone or for a coordinator.
//
//   agent serve --coordinator=HOST:PORT [--agent_id=ID]
//   agent run --model=resnet50 --batch=8 [--mode=inference|training]
//             [--input=3x224x224] [--threads=T] [--format=table|json]
//   agent probe [--format=table|json]
#include <torch/torch.h>

#include <csignal>
#include <iostream>
#include <thread>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "agent/agent_client.h"
#include "agent/hw/software_probe.h"
#include "agent/hw/system_probe.h"
#include "agent/model_executor.h"
#include "agent/runner/runner.h"
#include "analysis/result_table.h"
#include "google/protobuf/util/json_util.h"

ABSL_FLAG(std::string, coordinator, "127.0.0.1:50051",
          "serve: host:port of the coordinator");
ABSL_FLAG(std::string, agent_id, "", "serve: agent id; default the hostname");
ABSL_FLAG(std::string, model, "resnet50", "run: zoo model name");
ABSL_FLAG(int, batch, 1, "run: batch size");
ABSL_FLAG(std::string, mode, "inference", "run: inference or training");
ABSL_FLAG(std::string, input, "", "run: CxHxW of one item; default the model's");
ABSL_FLAG(int, threads, 0, "intra-op threads; 0 = every core");
ABSL_FLAG(int, min_iterations, 10, "run: timed iterations at least");
ABSL_FLAG(double, max_seconds, 30, "run: timing budget in seconds");
ABSL_FLAG(std::string, format, "table", "table or json");
ABSL_FLAG(std::string, probe_root, "/",
          "root of the /proc, /sys and /etc trees to describe");

namespace {

using benchfleet::v1::BenchmarkSpec;

std::string ToJson(const google::protobuf::Message& message) {
  google::protobuf::util::JsonPrintOptions options;
  options.add_whitespace = true;
  options.always_print_primitive_fields = true;
  std::string json;
  (void)google::protobuf::util::MessageToJsonString(message, &json, options);
  return json;
}

int Threads() {
  const int threads = absl::GetFlag(FLAGS_threads);
  return threads > 0 ? threads
                     : static_cast<int>(std::thread::hardware_concurrency());
}

benchfleet::v1::HardwareReport Probe() {
  // LibTorch starts with one intra-op thread on some machines: set the count
  // the agent will use before describing it.
  torch::set_num_threads(Threads());
  benchfleet::v1::HardwareReport report =
      benchfleet::hw::ProbeSystem(absl::GetFlag(FLAGS_probe_root));
  benchfleet::hw::ProbeSoftware(&report);
  return report;
}

int ProbeCommand() {
  const auto report = Probe();
  if (absl::GetFlag(FLAGS_format) == "json") {
    std::cout << ToJson(report);
    return 0;
  }
  const auto& cpu = report.cpu();
  const auto& sw = report.software();
  std::cout << "host        " << report.hostname() << " (" << report.host_id()
            << ")\n"
            << "cpu         " << cpu.model_name() << ", " << cpu.sockets()
            << " socket(s), " << cpu.cores() << " cores, " << cpu.threads()
            << " threads\n"
            << "isa         " << absl::StrJoin(cpu.isa_flags(), " ") << "\n"
            << "memory      " << report.memory().total_bytes() / (1 << 20)
            << " MiB, " << report.memory().numa_nodes() << " NUMA node(s)\n"
            << "os          " << sw.os() << ", kernel " << sw.kernel() << "\n"
            << "libtorch    " << sw.libtorch_version() << " (" << sw.libtorch_build()
            << ")\n"
            << "blas        " << sw.blas_vendor() << " (" << sw.blas_library()
            << ")\n"
            << "threads     " << sw.intra_op_threads() << " intra-op, "
            << sw.inter_op_threads() << " inter-op\n";
  for (const auto& warning : report.warnings())
    std::cout << "warning     " << warning << "\n";
  return 0;
}

bool ParseInput(const std::string& text, benchfleet::v1::InputShape* shape) {
  std::vector<std::string> parts = absl::StrSplit(text, 'x');
  int c, h, w;
  if (parts.size() != 3 || !absl::SimpleAtoi(parts[0], &c) ||
      !absl::SimpleAtoi(parts[1], &h) || !absl::SimpleAtoi(parts[2], &w))
    return false;
  shape->set_channels(c);
  shape->set_height(h);
  shape->set_width(w);
  return true;
}

int RunCommand() {
  BenchmarkSpec spec;
  spec.set_model(absl::GetFlag(FLAGS_model));
  spec.set_batch_size(absl::GetFlag(FLAGS_batch));
  const std::string mode = absl::GetFlag(FLAGS_mode);
  if (mode == "inference") {
    spec.set_mode(benchfleet::v1::MODE_INFERENCE);
  } else if (mode == "training") {
    spec.set_mode(benchfleet::v1::MODE_TRAINING);
  } else {
    std::cerr << "agent: --mode=" << mode << ": use inference or training\n";
    return 2;
  }
  const std::string input = absl::GetFlag(FLAGS_input);
  if (!input.empty() && !ParseInput(input, spec.mutable_input())) {
    std::cerr << "agent: --input=" << input << ": expected CxHxW, e.g. 3x224x224\n";
    return 2;
  }
  spec.set_threads(Threads());
  spec.mutable_budget()->set_min_iterations(absl::GetFlag(FLAGS_min_iterations));
  spec.mutable_budget()->set_max_seconds(absl::GetFlag(FLAGS_max_seconds));
  const auto report = Probe();
  benchfleet::agent::ModelExecutor executor(report.cpu().model_name(),
                                            report.host_id(), Threads());
  benchfleet::v1::Lease lease;
  lease.set_job_id(0);
  lease.set_attempt(1);
  *lease.mutable_spec() = spec;
  const auto result = executor.Execute(lease, nullptr);
  if (absl::GetFlag(FLAGS_format) == "json") {
    std::cout << ToJson(result);
  } else {
    std::cout << benchfleet::analysis::RenderResultsTable({result});
  }
  return result.status() == benchfleet::v1::JOB_STATUS_OK ? 0 : 1;
}

int ServeCommand() {
  // SIGINT/SIGTERM are waited for on a thread that stops the client.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  const auto report = Probe();
  benchfleet::agent::AgentClientOptions options;
  options.coordinator = absl::GetFlag(FLAGS_coordinator);
  options.agent_id = absl::GetFlag(FLAGS_agent_id);
  if (options.agent_id.empty()) options.agent_id = report.hostname();
  benchfleet::agent::ModelExecutor executor(report.cpu().model_name(),
                                            report.host_id(), Threads());
  benchfleet::agent::AgentClient client(options, report, &executor);
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

}  // namespace

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "agent serve|run|probe: benchmarks models on this machine.");
  std::vector<char*> args = absl::ParseCommandLine(argc, argv);
  const std::string command = args.size() > 1 ? args[1] : "";
  if (command == "serve") return ServeCommand();
  if (command == "run") return RunCommand();
  if (command == "probe") return ProbeCommand();
  std::cerr << "usage: agent serve|run|probe [flags]; see --help\n";
  return 2;
}
