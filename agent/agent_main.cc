// agent: benchmarks models on this machine, alone or for a coordinator.
// Each subcommand lives in agent/cli/; this file only dispatches.
#include <iostream>
#include <string>

#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "agent/cli/commands.h"

namespace {

struct Command {
  const char* name;
  int (*run)(const benchfleet::agent_cli::Args&);
  const char* help;
};

constexpr Command kCommands[] = {
    {"serve", benchfleet::agent_cli::ServeCommand,
     "serve --coordinator=HOST:PORT [--agent_id=ID]: run leased jobs"},
    {"run", benchfleet::agent_cli::RunCommand,
     "run --model=NAME --batch=N [--mode=inference|training] [--input=CxHxW]: "
     "one job, locally"},
    {"probe", benchfleet::agent_cli::ProbeCommand,
     "probe [--format=table|json]: the hardware and software report"},
    {"models", benchfleet::agent_cli::ModelsCommand,
     "models [--format=table|json] [--batch=N] [--input=CxHxW] "
     "[--models=NAME,...]: cost of every zoo model"},
    {"model", benchfleet::agent_cli::ModelCommand,
     "model NAME|FILE.pt [--breakdown] [--mode=inference|training] "
     "[--batch=N] [--input=CxHxW]: one model's cost, per kind and module"},
    {"calibrate", benchfleet::agent_cli::CalibrateCommand,
     "calibrate [--format=table|json] [--recalibrate]: measured roofs, cached"},
};

std::string Usage() {
  std::string usage = "usage: agent COMMAND [flags]\n";
  for (const Command& c : kCommands) usage += std::string("  agent ") + c.help + "\n";
  return usage;
}

}  // namespace

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(Usage());
  std::vector<char*> positional = absl::ParseCommandLine(argc, argv);
  if (positional.size() >= 2) {
    const std::string name = positional[1];
    const benchfleet::agent_cli::Args args(positional.begin() + 2,
                                           positional.end());
    for (const Command& c : kCommands)
      if (name == c.name) return c.run(args);
  }
  std::cerr << Usage();
  return 2;
}
