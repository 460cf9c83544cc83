// The agent's subcommands. Each takes the positional arguments after the
// subcommand name and returns the process exit code.
#ifndef BENCHFLEET_AGENT_CLI_COMMANDS_H_
#define BENCHFLEET_AGENT_CLI_COMMANDS_H_

#include <string>
#include <vector>

namespace benchfleet::agent_cli {

using Args = std::vector<std::string>;

// agent serve --coordinator=HOST:PORT [--agent_id=ID]
int ServeCommand(const Args& args);
// agent run --model=NAME --batch=N [--mode=...] [--input=CxHxW]
int RunCommand(const Args& args);
// agent probe [--format=table|json]
int ProbeCommand(const Args& args);
// agent calibrate [--format=table|json] [--recalibrate] [--calibrate_quick]
int CalibrateCommand(const Args& args);
// agent models [--format=table|json] [--batch=N] [--input=CxHxW]
//              [--models=NAME,...]
int ModelsCommand(const Args& args);
// agent model NAME|FILE.pt [--breakdown] [--mode=...] [--batch] [--input]
int ModelCommand(const Args& args);

}  // namespace benchfleet::agent_cli

#endif  // BENCHFLEET_AGENT_CLI_COMMANDS_H_
