#include "coordinator/cli/fleet_commands.h"

#include <grpcpp/grpcpp.h>

#include <chrono>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "analysis/result_table.h"
#include "base/grpc_status.h"
#include "coordinator/sweep_spec.h"
#include "google/protobuf/util/json_util.h"

namespace benchfleet::cli {
namespace {

void SetDeadline(grpc::ClientContext& context) {
  context.set_deadline(std::chrono::system_clock::now() +
                       absl::ToChronoSeconds(kCallDeadline));
}

std::string ToJson(const google::protobuf::Message& message) {
  google::protobuf::util::JsonPrintOptions options;
  options.add_whitespace = true;
  options.always_print_primitive_fields = true;
  std::string json;
  (void)google::protobuf::util::MessageToJsonString(message, &json, options);
  return json;
}

std::string StateName(v1::JobState state) {
  switch (state) {
    case v1::JOB_STATE_PENDING: return "pending";
    case v1::JOB_STATE_LEASED: return "running";
    case v1::JOB_STATE_DONE: return "done";
    case v1::JOB_STATE_FAILED: return "failed";
    default: return "unknown";
  }
}

std::string Progress(const v1::SweepStatus& s) {
  return absl::StrFormat(
      "sweep %d (%s): %d/%d finished — %d done, %d failed, %d running, %d pending",
      s.sweep_id(), s.name(), s.jobs_done() + s.jobs_failed(), s.jobs_total(),
      s.jobs_done(), s.jobs_failed(), s.jobs_leased(), s.jobs_pending());
}

absl::StatusOr<v1::SweepStatus> GetSweep(v1::FleetService::StubInterface& stub,
                                         int64_t sweep_id) {
  grpc::ClientContext context;
  SetDeadline(context);
  v1::GetSweepRequest request;
  request.set_sweep_id(sweep_id);
  v1::SweepStatus status;
  grpc::Status rpc = stub.GetSweep(&context, request, &status);
  if (!rpc.ok()) return FromGrpcStatus(rpc);
  return status;
}

}  // namespace

absl::Status ParseFormat(const std::string& text, Format* format) {
  if (text == "table") *format = Format::kTable;
  else if (text == "csv") *format = Format::kCsv;
  else if (text == "json") *format = Format::kJson;
  else
    return absl::InvalidArgumentError(
        absl::StrCat("--format=", text, ": use table, csv or json"));
  return absl::OkStatus();
}

absl::Status ListAgents(v1::FleetService::StubInterface& stub, Format format,
                        std::ostream& out) {
  grpc::ClientContext context;
  SetDeadline(context);
  v1::ListAgentsResponse response;
  grpc::Status rpc = stub.ListAgents(&context, v1::ListAgentsRequest(), &response);
  if (!rpc.ok()) return FromGrpcStatus(rpc);
  if (format == Format::kJson) {
    out << ToJson(response);
    return absl::OkStatus();
  }
  const std::vector<std::string> header = {
      "agent", "state", "cpu", "cores", "memory_gib", "blas", "libtorch",
      "threads", "last_seen", "job"};
  std::vector<std::vector<std::string>> rows;
  for (const v1::AgentInfo& a : response.agents()) {
    const auto& hw = a.hardware();
    rows.push_back(
        {a.agent_id(), a.connected() ? "connected" : "gone",
         hw.cpu().model_name(), absl::StrCat(hw.cpu().cores()),
         absl::StrFormat("%.1f", hw.memory().total_bytes() / double(1 << 30)),
         hw.software().blas_vendor(), hw.software().libtorch_version(),
         absl::StrCat(hw.software().intra_op_threads()),
         absl::FormatTime("%Y-%m-%d %H:%M:%S",
                          absl::FromUnixMillis(a.last_seen_unix_ms()),
                          absl::UTCTimeZone()),
         a.running_job_id() ? absl::StrCat(a.running_job_id()) : "-"});
  }
  if (format == Format::kCsv) {
    out << absl::StrJoin(header, ",") << "\n";
    for (const auto& row : rows) out << absl::StrJoin(row, ",") << "\n";
  } else {
    out << analysis::RenderTextTable(header, rows);
  }
  return absl::OkStatus();
}

absl::Status SubmitSweep(v1::FleetService::StubInterface& stub,
                         const std::string& path, std::ostream& out,
                         int64_t* sweep_id) {
  absl::StatusOr<v1::SweepSpec> spec = coordinator::ReadSweepFile(path);
  if (!spec.ok()) return spec.status();
  // Validate here too so errors name the file; the coordinator checks again.
  absl::StatusOr<std::vector<v1::BenchmarkSpec>> jobs =
      coordinator::ExpandSweep(*spec);
  if (!jobs.ok())
    return absl::InvalidArgumentError(absl::StrCat(path, ": ", jobs.status().message()));
  grpc::ClientContext context;
  SetDeadline(context);
  v1::SubmitSweepRequest request;
  *request.mutable_spec() = *spec;
  v1::SubmitSweepResponse response;
  grpc::Status rpc = stub.SubmitSweep(&context, request, &response);
  if (!rpc.ok()) return FromGrpcStatus(rpc);
  out << "submitted sweep " << response.sweep_id() << " (" << spec->name()
      << "): " << response.jobs() << " jobs\n";
  if (sweep_id) *sweep_id = response.sweep_id();
  return absl::OkStatus();
}

absl::Status SweepStatus(v1::FleetService::StubInterface& stub, int64_t sweep_id,
                         Format format, std::ostream& out) {
  absl::StatusOr<v1::SweepStatus> sweep = GetSweep(stub, sweep_id);
  if (!sweep.ok()) return sweep.status();
  if (format == Format::kJson) {
    out << ToJson(*sweep);
    return absl::OkStatus();
  }
  std::vector<std::vector<std::string>> rows;
  for (const v1::JobInfo& job : sweep->jobs()) {
    const auto& in = job.spec().input();
    rows.push_back({absl::StrCat(job.job_id()), job.spec().model(),
                    absl::StrCat(in.channels(), "x", in.height(), "x", in.width()),
                    absl::StrCat(job.spec().batch_size()),
                    job.spec().mode() == v1::MODE_TRAINING ? "training" : "inference",
                    StateName(job.state()), absl::StrCat(job.attempt()),
                    job.agent_id().empty() ? "-" : job.agent_id(), job.error()});
  }
  const std::vector<std::string> header = {"job",   "model",   "input",
                                           "batch", "mode",    "state",
                                           "attempt", "agent", "reason"};
  if (format == Format::kCsv) {
    out << absl::StrJoin(header, ",") << "\n";
    for (const auto& row : rows) out << absl::StrJoin(row, ",") << "\n";
    return absl::OkStatus();
  }
  out << Progress(*sweep) << "\n" << analysis::RenderTextTable(header, rows);
  return absl::OkStatus();
}

absl::Status WatchSweep(v1::FleetService::StubInterface& stub, int64_t sweep_id,
                        absl::Duration timeout, std::ostream& out) {
  const absl::Time deadline = absl::Now() + timeout;
  std::string last;
  while (true) {
    absl::StatusOr<v1::SweepStatus> sweep = GetSweep(stub, sweep_id);
    if (!sweep.ok()) return sweep.status();
    const std::string line = Progress(*sweep);
    if (line != last) {
      out << line << std::endl;
      last = line;
    }
    if (sweep->state() == v1::SWEEP_STATE_DONE) return absl::OkStatus();
    if (absl::Now() > deadline)
      return absl::DeadlineExceededError(
          absl::StrCat("sweep ", sweep_id, " still running after ",
                       absl::FormatDuration(timeout)));
    absl::SleepFor(absl::Milliseconds(500));
  }
}

absl::Status ListResults(v1::FleetService::StubInterface& stub, int64_t sweep_id,
                         Format format, std::ostream& out) {
  grpc::ClientContext context;
  SetDeadline(context);
  v1::ListResultsRequest request;
  request.set_sweep_id(sweep_id);
  v1::ListResultsResponse response;
  grpc::Status rpc = stub.ListResults(&context, request, &response);
  if (!rpc.ok()) return FromGrpcStatus(rpc);
  const std::vector<v1::JobResult> results(response.results().begin(),
                                           response.results().end());
  switch (format) {
    case Format::kJson: out << ToJson(response); break;
    case Format::kCsv: out << analysis::RenderResultsCsv(results); break;
    case Format::kTable: out << analysis::RenderResultsTable(results); break;
  }
  return absl::OkStatus();
}

}  // namespace benchfleet::cli
