// fleetctl: queries and commands for a benchfleet coordinator.
#include <grpcpp/grpcpp.h>
#include <unistd.h>

#include <iostream>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/status/statusor.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "base/channel.h"
#include "coordinator/cli/analysis_commands.h"
#include "coordinator/cli/fleet_commands.h"

ABSL_FLAG(std::string, coordinator, "127.0.0.1:50051", "host:port of the coordinator");
ABSL_FLAG(std::string, format, "table", "table, csv, json or jsonl");
ABSL_FLAG(bool, wait, false, "sweep submit: watch the sweep until it ends");
ABSL_FLAG(std::string, sweep, "",
          "results/export: only this sweep; roofline/correlate/report: these "
          "sweeps (ID or ID,ID,...; default the most recent)");
ABSL_FLAG(std::string, model, "", "results/export: only this model");
ABSL_FLAG(int32_t, batch, 0, "results/export: only this batch size");
ABSL_FLAG(std::string, device, "", "results/export: only this device (cpu, cuda)");
ABSL_FLAG(std::string, agent, "", "results/export: only this agent");
ABSL_FLAG(std::string, since, "", "results/export: finished at or after (RFC 3339)");
ABSL_FLAG(std::string, until, "", "results/export: finished before (RFC 3339)");
ABSL_FLAG(std::string, schedule, "", "results/export: only sweeps of this schedule");
ABSL_FLAG(std::string, cron, "", "schedule add: 5-field cron expression");
ABSL_FLAG(std::string, tz, "UTC", "schedule add: IANA time zone of the cron");
ABSL_FLAG(std::string, token_file, "",
          "file holding your token (else $BENCHFLEET_TOKEN); never on the command line");
ABSL_FLAG(std::string, tls_ca, "", "PEM CA of the coordinator; enables TLS");
ABSL_FLAG(std::string, svg, "", "roofline: also write the chart to this SVG file");
ABSL_FLAG(std::string, method, "spearman", "correlate: spearman, pearson or kendall");
ABSL_FLAG(std::string, baseline, "",
          "compare: baseline sweep(s), ID or ID,ID,... (default the run before the candidate)");
ABSL_FLAG(std::string, candidate, "",
          "compare: candidate sweep(s), ID or ID,ID,... (default the latest finished sweep)");
ABSL_FLAG(double, min_effect, 0.05,
          "compare: smallest relative change of the median that counts");
ABSL_FLAG(double, alpha, 0.05, "compare: significance level of the Mann-Whitney test");
ABSL_FLAG(std::string, o, "", "report: the HTML file to write");
ABSL_FLAG(std::string, tls_cert, "", "PEM client certificate (mutual TLS)");
ABSL_FLAG(std::string, tls_key, "", "PEM client key (mutual TLS)");

namespace {

namespace cli = benchfleet::cli;

constexpr char kUsage[] =
    "usage: fleetctl [--coordinator=HOST:PORT] COMMAND\n"
    "  agents\n"
    "  sweep submit FILE.textproto [--wait]\n"
    "  sweep status ID | sweep watch ID | sweep cancel ID | sweep list\n"
    "  results [--sweep=ID] [--model=M] [--batch=N] [--device=cpu|cuda]\n"
    "          [--agent=A] [--since=T] [--until=T] [--schedule=S]\n"
    "  export --format=csv|jsonl [filters as for results]\n"
    "  schedule add NAME --cron='0 2 * * *' [--tz=Europe/Paris] FILE.textproto\n"
    "  schedule list | schedule rm NAME\n"
    "  roofline [--sweep=ID[,ID...]] [--format=table|csv|json] [--svg=FILE]\n"
    "  correlate [--sweep=ID[,ID...]] [--method=spearman|pearson|kendall]\n"
    "            [--format=table|csv]\n"
    "  compare [--candidate=ID[,ID...] | --schedule=NAME] [--baseline=ID[,ID...]]\n"
    "          [--min_effect=0.05] [--alpha=0.05] [--format=table|csv|json]\n"
    "          (without --baseline: the run before the candidate, of the same\n"
    "          schedule or name; without a candidate: the latest finished sweep)\n"
    "  history --schedule=NAME [--model=M] [--batch=N]\n"
    "  report [--sweep=ID[,ID...]] -o report.html\n"
    "roofline, correlate, compare and report take the filters of results too:\n"
    "the sweeps given, else --schedule's latest finished run, else every\n"
    "result matching the filters, else the most recent finished sweep.\n"
    "Exit status: 0 ok, 1 error, 2 bad usage, 3 compare found a regression.\n"
    "Common flags: --format=table|csv|json|jsonl\n";

int Fail(const absl::Status& status) {
  std::cerr << "fleetctl: " << status << "\n";
  return 1;
}

bool ParseId(const std::vector<char*>& args, size_t index, int64_t* id) {
  return args.size() > index && absl::SimpleAtoi(args[index], id) && *id > 0;
}

absl::Status ParseTimeFlag(const std::string& name, const std::string& text,
                           int64_t* unix_ms) {
  if (text.empty()) return absl::OkStatus();
  absl::Time t;
  std::string error;
  if (!absl::ParseTime(absl::RFC3339_full, text, &t, &error))
    return absl::InvalidArgumentError(
        absl::StrCat("--", name, "=", text, ": expected RFC 3339 such as "
                     "2026-11-25T02:00:00Z (", error, ")"));
  *unix_ms = absl::ToUnixMillis(t);
  return absl::OkStatus();
}

// The results filters other than --sweep.
absl::StatusOr<benchfleet::v1::ListResultsRequest> Filter() {
  benchfleet::v1::ListResultsRequest filter;
  filter.set_model(absl::GetFlag(FLAGS_model));
  filter.set_batch_size(absl::GetFlag(FLAGS_batch));
  const std::string device = absl::GetFlag(FLAGS_device);
  if (device == "cpu") {
    filter.set_device(benchfleet::v1::DEVICE_KIND_CPU);
  } else if (device == "cuda") {
    filter.set_device(benchfleet::v1::DEVICE_KIND_CUDA);
  } else if (!device.empty()) {
    return absl::InvalidArgumentError(absl::StrCat("--device=", device, ": use cpu or cuda"));
  }
  filter.set_agent_id(absl::GetFlag(FLAGS_agent));
  filter.set_schedule(absl::GetFlag(FLAGS_schedule));
  int64_t since = 0, until = 0;
  if (absl::Status ok = ParseTimeFlag("since", absl::GetFlag(FLAGS_since), &since); !ok.ok())
    return ok;
  if (absl::Status ok = ParseTimeFlag("until", absl::GetFlag(FLAGS_until), &until); !ok.ok())
    return ok;
  filter.set_since_unix_ms(since);
  filter.set_until_unix_ms(until);
  return filter;
}

// The filters of `results` (and --schedule) as an AnalysisService
// selection, with `sweep_ids`.
absl::StatusOr<benchfleet::v1::Selection> Selection(const std::vector<int64_t>& sweep_ids) {
  absl::StatusOr<benchfleet::v1::ListResultsRequest> filter = Filter();
  if (!filter.ok()) return filter.status();
  benchfleet::v1::Selection selection;
  for (int64_t id : sweep_ids) selection.add_sweep_ids(id);
  selection.set_schedule(filter->schedule());
  selection.set_model(filter->model());
  selection.set_batch_size(filter->batch_size());
  selection.set_device(filter->device());
  selection.set_agent_id(filter->agent_id());
  selection.set_since_unix_ms(filter->since_unix_ms());
  selection.set_until_unix_ms(filter->until_unix_ms());
  return selection;
}

// The results roofline, correlate and report look at: --sweep (a list) and
// the filters of `results`.
absl::StatusOr<benchfleet::v1::Selection> Selection() {
  absl::StatusOr<std::vector<int64_t>> sweeps = cli::ParseSweepIds(absl::GetFlag(FLAGS_sweep));
  if (!sweeps.ok()) return sweeps.status();
  return Selection(*sweeps);
}

// `compare`: --candidate (else --schedule's latest run, else the latest
// finished sweep) against --baseline (else the run before the candidate).
absl::StatusOr<benchfleet::v1::CompareRequest> CompareRequest() {
  absl::StatusOr<std::vector<int64_t>> baseline =
      cli::ParseSweepIds(absl::GetFlag(FLAGS_baseline), "baseline");
  if (!baseline.ok()) return baseline.status();
  absl::StatusOr<std::vector<int64_t>> candidate =
      cli::ParseSweepIds(absl::GetFlag(FLAGS_candidate), "candidate");
  if (!candidate.ok()) return candidate.status();
  if (!candidate->empty() && !absl::GetFlag(FLAGS_schedule).empty())
    return absl::InvalidArgumentError(
        "compare: give either --schedule or --candidate, not both");
  benchfleet::v1::CompareRequest request;
  absl::StatusOr<benchfleet::v1::Selection> c = Selection(*candidate);
  if (!c.ok()) return c.status();
  *request.mutable_candidate() = *c;
  if (!baseline->empty()) {
    absl::StatusOr<benchfleet::v1::Selection> b = Selection(*baseline);
    if (!b.ok()) return b.status();
    b->clear_schedule();
    *request.mutable_baseline() = *b;
  }
  request.set_min_effect(absl::GetFlag(FLAGS_min_effect));
  request.set_alpha(absl::GetFlag(FLAGS_alpha));
  return request;
}

}  // namespace

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(kUsage);
  std::vector<char*> args = absl::ParseCommandLine(argc, argv);
  if (args.size() < 2) {
    std::cerr << kUsage;
    return 2;
  }
  cli::Format format;
  if (absl::Status ok = cli::ParseFormat(absl::GetFlag(FLAGS_format), &format); !ok.ok())
    return Fail(ok);
  benchfleet::ChannelOptions channel;
  channel.target = absl::GetFlag(FLAGS_coordinator);
  channel.tls_ca_file = absl::GetFlag(FLAGS_tls_ca);
  channel.tls_cert_file = absl::GetFlag(FLAGS_tls_cert);
  channel.tls_key_file = absl::GetFlag(FLAGS_tls_key);
  absl::StatusOr<std::string> token =
      benchfleet::ReadToken(absl::GetFlag(FLAGS_token_file), "BENCHFLEET_TOKEN");
  if (!token.ok()) return Fail(token.status());
  channel.token = *token;
  absl::StatusOr<std::shared_ptr<grpc::Channel>> made = benchfleet::MakeChannel(channel);
  if (!made.ok()) return Fail(made.status());
  auto stub = benchfleet::v1::FleetService::NewStub(*made);
  auto analysis = benchfleet::v1::AnalysisService::NewStub(*made);
  const std::string command = args[1];
  const std::string sub = args.size() > 2 ? args[2] : "";
  const bool terminal = isatty(STDOUT_FILENO);
  absl::Status status;
  int64_t id = 0;
  if (command == "agents") {
    status = cli::ListAgents(*stub, format, std::cout);
  } else if (command == "results" || command == "export") {
    if (command == "export" && format != cli::Format::kCsv &&
        format != cli::Format::kJsonLines)
      return Fail(absl::InvalidArgumentError("export: use --format=csv or --format=jsonl"));
    absl::StatusOr<benchfleet::v1::ListResultsRequest> filter = Filter();
    absl::StatusOr<std::vector<int64_t>> sweeps =
        cli::ParseSweepIds(absl::GetFlag(FLAGS_sweep));
    if (!sweeps.ok()) return Fail(sweeps.status());
    if (sweeps->size() > 1)
      return Fail(absl::InvalidArgumentError(absl::StrCat(command, ": --sweep takes one id")));
    if (filter.ok() && !sweeps->empty()) filter->set_sweep_id(sweeps->front());
    status = filter.ok() ? cli::ListResults(*stub, *filter, format, std::cout)
                         : filter.status();
  } else if (command == "sweep" && sub == "submit" && args.size() > 3) {
    status = cli::SubmitSweep(*stub, args[3], std::cout, &id);
    if (status.ok() && absl::GetFlag(FLAGS_wait))
      status = cli::WatchSweep(*stub, id, terminal, std::cout);
  } else if (command == "sweep" && sub == "status" && ParseId(args, 3, &id)) {
    status = cli::SweepStatus(*stub, id, format, std::cout);
  } else if (command == "sweep" && sub == "watch" && ParseId(args, 3, &id)) {
    status = cli::WatchSweep(*stub, id, terminal, std::cout);
  } else if (command == "sweep" && sub == "cancel" && ParseId(args, 3, &id)) {
    status = cli::CancelSweep(*stub, id, std::cout);
  } else if (command == "sweep" && sub == "list") {
    status = cli::ListSweeps(*stub, format, std::cout);
  } else if (command == "schedule" && sub == "add" && args.size() > 4) {
    status = cli::AddSchedule(*stub, args[3], absl::GetFlag(FLAGS_cron),
                              absl::GetFlag(FLAGS_tz), args[4], std::cout);
  } else if (command == "schedule" && sub == "list") {
    status = cli::ListSchedules(*stub, format, std::cout);
  } else if (command == "schedule" && sub == "rm" && args.size() > 3) {
    status = cli::RemoveSchedule(*stub, args[3], std::cout);
  } else if (command == "roofline" || command == "correlate" || command == "report") {
    absl::StatusOr<benchfleet::v1::Selection> selection = Selection();
    if (!selection.ok()) return Fail(selection.status());
    if (command == "roofline") {
      status = cli::RooflineCommand(*analysis, *selection, format, absl::GetFlag(FLAGS_svg),
                                    std::cout);
    } else if (command == "correlate") {
      absl::StatusOr<benchfleet::v1::CorrelationMethod> method =
          cli::ParseCorrelationMethod(absl::GetFlag(FLAGS_method));
      if (!method.ok()) return Fail(method.status());
      benchfleet::v1::CorrelateRequest request;
      *request.mutable_selection() = *selection;
      request.set_method(*method);
      status = cli::CorrelateCommand(*analysis, request, format, std::cout);
    } else {
      status = cli::ReportCommand(*analysis, *selection, absl::GetFlag(FLAGS_o), std::cout);
    }
  } else if (command == "compare") {
    absl::StatusOr<benchfleet::v1::CompareRequest> request = CompareRequest();
    if (!request.ok()) return Fail(request.status());
    int regressions = 0;
    status = cli::CompareCommand(*analysis, *request, format, std::cout, &regressions);
    if (status.ok() && regressions > 0) return cli::kExitRegression;
  } else if (command == "history") {
    if (absl::GetFlag(FLAGS_schedule).empty())
      return Fail(absl::InvalidArgumentError("history: give --schedule=NAME"));
    absl::StatusOr<benchfleet::v1::Selection> selection = Selection({});
    if (!selection.ok()) return Fail(selection.status());
    benchfleet::v1::GetHistoryRequest request;
    *request.mutable_selection() = *selection;
    status = cli::HistoryCommand(*analysis, request, std::cout);
  } else {
    std::cerr << kUsage;
    return 2;
  }
  return status.ok() ? 0 : Fail(status);
}
