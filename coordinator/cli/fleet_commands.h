// The fleetctl commands, as functions over a FleetService stub and an output
// stream, so they are testable without a terminal.
#ifndef BENCHFLEET_COORDINATOR_CLI_FLEET_COMMANDS_H_
#define BENCHFLEET_COORDINATOR_CLI_FLEET_COMMANDS_H_

#include <ostream>
#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "proto/fleet_service.grpc.pb.h"

namespace benchfleet::cli {

enum class Format { kTable, kCsv, kJson };

// Parses "table", "csv" or "json"; INVALID_ARGUMENT names the flag value.
absl::Status ParseFormat(const std::string& text, Format* format);

// Every call carries this deadline.
inline constexpr absl::Duration kCallDeadline = absl::Seconds(30);

// Prints every agent: id, state, CPU, cores, memory, BLAS, LibTorch, threads.
absl::Status ListAgents(v1::FleetService::StubInterface& stub, Format format,
                        std::ostream& out);
// Reads, validates and submits a sweep spec file; prints the new sweep id.
absl::Status SubmitSweep(v1::FleetService::StubInterface& stub,
                         const std::string& path, std::ostream& out,
                         int64_t* sweep_id);
// Prints a sweep's progress and its jobs.
absl::Status SweepStatus(v1::FleetService::StubInterface& stub, int64_t sweep_id,
                         Format format, std::ostream& out);
// Prints a progress line whenever the sweep's counts change, until it ends or
// `timeout` passes (DEADLINE_EXCEEDED).
absl::Status WatchSweep(v1::FleetService::StubInterface& stub, int64_t sweep_id,
                        absl::Duration timeout, std::ostream& out);
// Prints stored results, of one sweep or (sweep_id 0) of all.
absl::Status ListResults(v1::FleetService::StubInterface& stub, int64_t sweep_id,
                         Format format, std::ostream& out);

}  // namespace benchfleet::cli

#endif  // BENCHFLEET_COORDINATOR_CLI_FLEET_COMMANDS_H_
