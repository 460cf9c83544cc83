// fleetctl: queries and commands for a benchfleet coordinator.
//
//   fleetctl --coordinator=HOST:PORT agents
//   fleetctl sweep submit FILE.textproto [--wait]
//   fleetctl sweep status ID | sweep watch ID
//   fleetctl results [--sweep=ID] [--format=table|csv|json]
#include <grpcpp/grpcpp.h>

#include <iostream>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/numbers.h"
#include "coordinator/cli/fleet_commands.h"

ABSL_FLAG(std::string, coordinator, "127.0.0.1:50051", "host:port of the coordinator");
ABSL_FLAG(std::string, format, "table", "table, csv or json");
ABSL_FLAG(int64_t, sweep, 0, "results: only this sweep (0 = all)");
ABSL_FLAG(bool, wait, false, "sweep submit: watch the sweep until it ends");
ABSL_FLAG(int, timeout_s, 3600, "sweep watch: give up after this many seconds");

namespace {

using benchfleet::cli::Format;

constexpr char kUsage[] =
    "usage: fleetctl [--coordinator=HOST:PORT] COMMAND\n"
    "  agents\n"
    "  sweep submit FILE.textproto [--wait]\n"
    "  sweep status ID\n"
    "  sweep watch ID\n"
    "  results [--sweep=ID] [--format=table|csv|json]\n";

int Fail(const absl::Status& status) {
  std::cerr << "fleetctl: " << status << "\n";
  return 1;
}

bool ParseId(const std::vector<char*>& args, size_t index, int64_t* id) {
  return args.size() > index && absl::SimpleAtoi(args[index], id) && *id > 0;
}

}  // namespace

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(kUsage);
  std::vector<char*> args = absl::ParseCommandLine(argc, argv);
  if (args.size() < 2) {
    std::cerr << kUsage;
    return 2;
  }
  Format format;
  if (absl::Status ok = benchfleet::cli::ParseFormat(absl::GetFlag(FLAGS_format), &format);
      !ok.ok())
    return Fail(ok);
  auto stub = benchfleet::v1::FleetService::NewStub(grpc::CreateChannel(
      absl::GetFlag(FLAGS_coordinator), grpc::InsecureChannelCredentials()));
  const std::string command = args[1];
  const std::string sub = args.size() > 2 ? args[2] : "";
  absl::Status status;
  int64_t id = 0;
  if (command == "agents") {
    status = benchfleet::cli::ListAgents(*stub, format, std::cout);
  } else if (command == "results") {
    status = benchfleet::cli::ListResults(*stub, absl::GetFlag(FLAGS_sweep),
                                          format, std::cout);
  } else if (command == "sweep" && sub == "submit" && args.size() > 3) {
    status = benchfleet::cli::SubmitSweep(*stub, args[3], std::cout, &id);
    if (status.ok() && absl::GetFlag(FLAGS_wait))
      status = benchfleet::cli::WatchSweep(
          *stub, id, absl::Seconds(absl::GetFlag(FLAGS_timeout_s)), std::cout);
  } else if (command == "sweep" && sub == "status" && ParseId(args, 3, &id)) {
    status = benchfleet::cli::SweepStatus(*stub, id, format, std::cout);
  } else if (command == "sweep" && sub == "watch" && ParseId(args, 3, &id)) {
    status = benchfleet::cli::WatchSweep(
        *stub, id, absl::Seconds(absl::GetFlag(FLAGS_timeout_s)), std::cout);
  } else {
    std::cerr << kUsage;
    return 2;
  }
  return status.ok() ? 0 : Fail(status);
}
