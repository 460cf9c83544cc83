// The fleetctl commands, as functions over a FleetService stub and an output
// stream, so they are testable without a terminal.
#ifndef BENCHFLEET_COORDINATOR_CLI_FLEET_COMMANDS_H_
#define BENCHFLEET_COORDINATOR_CLI_FLEET_COMMANDS_H_

#include <ostream>
#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "coordinator/cli/cli_output.h"
#include "proto/fleet_service.grpc.pb.h"

namespace benchfleet::cli {

using Stub = v1::FleetService::StubInterface;

// Prints every agent: id, state, labels, CPU, cores, memory, BLAS, LibTorch,
// threads, last seen, running job.
absl::Status ListAgents(Stub& stub, Format format, std::ostream& out);
// Reads, validates and submits a sweep spec file; prints the new sweep id
// and any warnings.
absl::Status SubmitSweep(Stub& stub, const std::string& path, std::ostream& out,
                         int64_t* sweep_id);
// Prints a sweep's progress and its jobs, with the reason each pending job
// waits.
absl::Status SweepStatus(Stub& stub, int64_t sweep_id, Format format,
                         std::ostream& out);
// Follows the sweep's server stream until it ends: a redrawn progress bar
// when `terminal`, plain lines otherwise.
absl::Status WatchSweep(Stub& stub, int64_t sweep_id, bool terminal,
                        std::ostream& out);
// Prints recent sweeps with their counts.
absl::Status ListSweeps(Stub& stub, Format format, std::ostream& out);
// Cancels a sweep; prints what was cancelled.
absl::Status CancelSweep(Stub& stub, int64_t sweep_id, std::ostream& out);
// Prints stored results matching `filter`.
absl::Status ListResults(Stub& stub, const v1::ListResultsRequest& filter,
                         Format format, std::ostream& out);
// Adds a schedule running the sweep in `spec_path` on `cron` in `time_zone`.
absl::Status AddSchedule(Stub& stub, const std::string& name,
                         const std::string& cron, const std::string& time_zone,
                         const std::string& spec_path, std::ostream& out);
absl::Status ListSchedules(Stub& stub, Format format, std::ostream& out);
absl::Status RemoveSchedule(Stub& stub, const std::string& name, std::ostream& out);

// Renders a progress bar of `width` cells for done/total.
std::string ProgressBar(int done, int total, int width);

}  // namespace benchfleet::cli

#endif  // BENCHFLEET_COORDINATOR_CLI_FLEET_COMMANDS_H_
