#include "coordinator/cli/fleet_commands.h"

#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <chrono>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "analysis/csv.h"
#include "analysis/result_table.h"
#include "base/grpc_status.h"
#include "coordinator/sweep_spec.h"
#include "proto/names.h"
#include "google/protobuf/util/json_util.h"

namespace benchfleet::cli {
namespace {

using Rows = std::vector<std::vector<std::string>>;

// Prints a header and rows as a text table or CSV.
void PrintRows(const std::vector<std::string>& header, const Rows& rows,
               Format format, std::ostream& out) {
  if (format == Format::kCsv) {
    out << analysis::CsvLine(header);
    for (const auto& row : rows) out << analysis::CsvLine(row);
  } else {
    out << analysis::RenderTextTable(header, rows);
  }
}

std::string Time(int64_t unix_ms) {
  if (unix_ms == 0) return "-";
  return absl::FormatTime("%Y-%m-%d %H:%M:%S", absl::FromUnixMillis(unix_ms),
                          absl::UTCTimeZone());
}

std::string Labels(const google::protobuf::Map<std::string, std::string>& labels) {
  std::vector<std::string> parts;
  for (const auto& [key, value] : labels) parts.push_back(absl::StrCat(key, "=", value));
  std::sort(parts.begin(), parts.end());
  return parts.empty() ? "-" : absl::StrJoin(parts, ",");
}

std::string Progress(const v1::SweepStatus& s) {
  return absl::StrFormat(
      "sweep %d (%s): %d/%d finished — %d done, %d failed, %d cancelled, "
      "%d running, %d pending",
      s.sweep_id(), s.name(), s.jobs_done() + s.jobs_failed() + s.jobs_cancelled(),
      s.jobs_total(), s.jobs_done(), s.jobs_failed(), s.jobs_cancelled(),
      s.jobs_leased(), s.jobs_pending());
}

}  // namespace

std::string ProgressBar(int done, int total, int width) {
  const int filled = total > 0 ? done * width / total : width;
  return absl::StrCat("[", std::string(filled, '#'), std::string(width - filled, '.'),
                      "]");
}

absl::Status ListAgents(Stub& stub, Format format, std::ostream& out) {
  grpc::ClientContext context;
  SetDeadline(context);
  v1::ListAgentsResponse response;
  grpc::Status rpc = stub.ListAgents(&context, v1::ListAgentsRequest(), &response);
  if (!rpc.ok()) return FromGrpcStatus(rpc);
  if (format == Format::kJson) {
    out << ToJson(response, false);
    return absl::OkStatus();
  }
  if (format == Format::kJsonLines) {
    for (const auto& a : response.agents()) out << ToJson(a, true) << "\n";
    return absl::OkStatus();
  }
  Rows rows;
  for (const v1::AgentInfo& a : response.agents()) {
    const auto& hw = a.hardware();
    rows.push_back(
        {a.agent_id(), a.connected() ? "connected" : "gone", Labels(a.labels()),
         hw.simulated() ? "simulated" : hw.cpu().model_name(),
         absl::StrCat(hw.cpu().cores()),
         absl::StrFormat("%.1f", hw.memory().total_bytes() / double(1 << 30)),
         hw.software().blas_vendor(), hw.software().libtorch_version(),
         absl::StrCat(hw.software().intra_op_threads()), Time(a.last_seen_unix_ms()),
         a.running_job_id() ? absl::StrCat(a.running_job_id()) : "-"});
  }
  PrintRows({"agent", "state", "labels", "cpu", "cores", "memory_gib", "blas",
             "libtorch", "threads", "last_seen", "job"},
            rows, format, out);
  return absl::OkStatus();
}

absl::Status SubmitSweep(Stub& stub, const std::string& path, std::ostream& out,
                         int64_t* sweep_id) {
  // Parsing here lets errors name the file and line; the coordinator checks
  // the spec again.
  absl::StatusOr<v1::SweepSpec> spec = coordinator::ReadSweepFile(path);
  if (!spec.ok()) return spec.status();
  grpc::ClientContext context;
  SetDeadline(context);
  v1::SubmitSweepRequest request;
  *request.mutable_spec() = *spec;
  v1::SubmitSweepResponse response;
  grpc::Status rpc = stub.SubmitSweep(&context, request, &response);
  if (!rpc.ok()) return FromGrpcStatus(rpc);
  out << "submitted sweep " << response.sweep_id() << " (" << spec->name()
      << "): " << response.jobs() << " jobs\n";
  for (const auto& warning : response.warnings()) out << "warning: " << warning << "\n";
  if (sweep_id) *sweep_id = response.sweep_id();
  return absl::OkStatus();
}

absl::Status SweepStatus(Stub& stub, int64_t sweep_id, Format format,
                         std::ostream& out) {
  grpc::ClientContext context;
  SetDeadline(context);
  v1::GetSweepRequest request;
  request.set_sweep_id(sweep_id);
  v1::SweepStatus sweep;
  grpc::Status rpc = stub.GetSweep(&context, request, &sweep);
  if (!rpc.ok()) return FromGrpcStatus(rpc);
  if (format == Format::kJson || format == Format::kJsonLines) {
    out << ToJson(sweep, format == Format::kJsonLines) << "\n";
    return absl::OkStatus();
  }
  Rows rows;
  for (const v1::JobInfo& job : sweep.jobs()) {
    rows.push_back({absl::StrCat(job.job_id()), job.spec().model(),
                    InputName(job.spec().input()),
                    absl::StrCat(job.spec().batch_size()),
                    ModeName(job.spec().mode()),
                    DeviceKindName(job.spec().device()),
                    absl::StrCat(job.spec().threads()), JobStateName(job.state()),
                    absl::StrCat(job.attempt()),
                    job.agent_id().empty() ? "-" : job.agent_id(),
                    job.state() == v1::JOB_STATE_PENDING ? job.waiting() : job.error()});
  }
  if (format == Format::kTable) {
    out << Progress(sweep) << " [" << SweepStateName(sweep.state()) << "]";
    if (!sweep.schedule().empty()) out << " schedule " << sweep.schedule();
    out << "\n";
  }
  PrintRows({"job", "model", "input", "batch", "mode", "device", "threads", "state",
             "attempt", "agent", "reason"},
            rows, format, out);
  return absl::OkStatus();
}

absl::Status WatchSweep(Stub& stub, int64_t sweep_id, bool terminal,
                        std::ostream& out) {
  grpc::ClientContext context;
  v1::GetSweepRequest request;
  request.set_sweep_id(sweep_id);
  std::unique_ptr<grpc::ClientReaderInterface<v1::SweepStatus>> reader =
      stub.WatchSweep(&context, request);
  v1::SweepStatus sweep;
  while (reader->Read(&sweep)) {
    const int finished = sweep.jobs_done() + sweep.jobs_failed() + sweep.jobs_cancelled();
    if (terminal) {
      // Redraw one line: carriage return, then clear to the end of line.
      out << "\r" << ProgressBar(finished, sweep.jobs_total(), 30) << " "
          << Progress(sweep) << "\x1b[K" << std::flush;
    } else {
      out << Progress(sweep) << std::endl;
    }
  }
  if (terminal) out << "\n";
  grpc::Status status = reader->Finish();
  if (!status.ok()) return FromGrpcStatus(status);
  out << "sweep " << sweep_id << " " << SweepStateName(sweep.state()) << "\n";
  return absl::OkStatus();
}

absl::Status ListSweeps(Stub& stub, Format format, std::ostream& out) {
  grpc::ClientContext context;
  SetDeadline(context);
  v1::ListSweepsResponse response;
  grpc::Status rpc = stub.ListSweeps(&context, v1::ListSweepsRequest(), &response);
  if (!rpc.ok()) return FromGrpcStatus(rpc);
  if (format == Format::kJson) {
    out << ToJson(response, false);
    return absl::OkStatus();
  }
  Rows rows;
  for (const v1::SweepStatus& s : response.sweeps()) {
    rows.push_back({absl::StrCat(s.sweep_id()), s.name(), SweepStateName(s.state()),
                    Time(s.created_unix_ms()), s.schedule().empty() ? "-" : s.schedule(),
                    absl::StrCat(s.jobs_total()), absl::StrCat(s.jobs_done()),
                    absl::StrCat(s.jobs_failed()), absl::StrCat(s.jobs_cancelled()),
                    absl::StrCat(s.jobs_leased()), absl::StrCat(s.jobs_pending())});
  }
  PrintRows({"sweep", "name", "state", "created", "schedule", "jobs", "done",
             "failed", "cancelled", "running", "pending"},
            rows, format, out);
  return absl::OkStatus();
}

absl::Status CancelSweep(Stub& stub, int64_t sweep_id, std::ostream& out) {
  grpc::ClientContext context;
  SetDeadline(context);
  v1::CancelSweepRequest request;
  request.set_sweep_id(sweep_id);
  v1::CancelSweepResponse response;
  grpc::Status rpc = stub.CancelSweep(&context, request, &response);
  if (!rpc.ok()) return FromGrpcStatus(rpc);
  out << "sweep " << sweep_id << ": " << response.jobs_cancelled()
      << " pending jobs cancelled, " << response.jobs_abandoned()
      << " running jobs told to stop\n";
  return absl::OkStatus();
}

absl::Status ListResults(Stub& stub, const v1::ListResultsRequest& filter,
                         Format format, std::ostream& out) {
  grpc::ClientContext context;
  SetDeadline(context);
  v1::ListResultsResponse response;
  grpc::Status rpc = stub.ListResults(&context, filter, &response);
  if (!rpc.ok()) return FromGrpcStatus(rpc);
  const std::vector<v1::JobResult> results(response.results().begin(),
                                           response.results().end());
  switch (format) {
    case Format::kJson: out << ToJson(response, false); break;
    case Format::kJsonLines:
      for (const auto& r : results) out << ToJson(r, true) << "\n";
      break;
    case Format::kCsv: out << analysis::RenderResultsCsv(results); break;
    case Format::kTable: out << analysis::RenderResultsTable(results); break;
  }
  return absl::OkStatus();
}

absl::Status AddSchedule(Stub& stub, const std::string& name,
                         const std::string& cron, const std::string& time_zone,
                         const std::string& spec_path, std::ostream& out) {
  absl::StatusOr<v1::SweepSpec> spec = coordinator::ReadSweepFile(spec_path);
  if (!spec.ok()) return spec.status();
  grpc::ClientContext context;
  SetDeadline(context);
  v1::AddScheduleRequest request;
  request.mutable_schedule()->set_name(name);
  request.mutable_schedule()->set_cron(cron);
  request.mutable_schedule()->set_time_zone(time_zone);
  *request.mutable_schedule()->mutable_spec() = *spec;
  v1::AddScheduleResponse response;
  grpc::Status rpc = stub.AddSchedule(&context, request, &response);
  if (!rpc.ok()) return FromGrpcStatus(rpc);
  out << "schedule " << name << " added; next run "
      << Time(response.schedule().next_run_unix_ms()) << " UTC\n";
  return absl::OkStatus();
}

absl::Status ListSchedules(Stub& stub, Format format, std::ostream& out) {
  grpc::ClientContext context;
  SetDeadline(context);
  v1::ListSchedulesResponse response;
  grpc::Status rpc = stub.ListSchedules(&context, v1::ListSchedulesRequest(), &response);
  if (!rpc.ok()) return FromGrpcStatus(rpc);
  if (format == Format::kJson) {
    out << ToJson(response, false);
    return absl::OkStatus();
  }
  Rows rows;
  for (const v1::Schedule& s : response.schedules()) {
    rows.push_back({s.name(), s.cron(), s.time_zone().empty() ? "UTC" : s.time_zone(),
                    s.spec().name(), Time(s.last_run_unix_ms()),
                    s.last_sweep_id() ? absl::StrCat(s.last_sweep_id()) : "-",
                    Time(s.next_run_unix_ms())});
  }
  PrintRows({"name", "cron", "zone", "sweep", "last_run_utc", "last_sweep",
             "next_run_utc"},
            rows, format, out);
  return absl::OkStatus();
}

absl::Status RemoveSchedule(Stub& stub, const std::string& name, std::ostream& out) {
  grpc::ClientContext context;
  SetDeadline(context);
  v1::RemoveScheduleRequest request;
  request.set_name(name);
  v1::RemoveScheduleResponse response;
  grpc::Status rpc = stub.RemoveSchedule(&context, request, &response);
  if (!rpc.ok()) return FromGrpcStatus(rpc);
  out << "schedule " << name << " removed\n";
  return absl::OkStatus();
}

}  // namespace benchfleet::cli
