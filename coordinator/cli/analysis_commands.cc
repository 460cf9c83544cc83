#include "coordinator/cli/analysis_commands.h"

#include <grpcpp/grpcpp.h>

#include <algorithm>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "analysis/fleet_roofline.h"
#include "base/grpc_status.h"
#include "base/status_macros.h"
#include "coordinator/cli/analysis_render.h"

namespace benchfleet::cli {
namespace {

// One unary call with the deadline; the gRPC status as absl.
template <typename Request, typename Response, typename Method>
absl::StatusOr<Response> Call(AnalysisStub& stub, Method method,
                              const Request& request) {
  grpc::ClientContext context;
  SetDeadline(context);
  Response response;
  grpc::Status rpc = (stub.*method)(&context, request, &response);
  if (!rpc.ok()) return FromGrpcStatus(rpc);
  return response;
}

}  // namespace

absl::StatusOr<std::vector<int64_t>> ParseSweepIds(const std::string& text,
                                                   const std::string& flag) {
  std::vector<int64_t> ids;
  for (absl::string_view part : absl::StrSplit(text, ',', absl::SkipWhitespace())) {
    part = absl::StripAsciiWhitespace(part);
    int64_t id = 0;
    if (!absl::SimpleAtoi(part, &id) || id <= 0)
      return absl::InvalidArgumentError(absl::StrCat(
          "--", flag, "=", text, ": \"", part,
          "\" is not a sweep id (use ID or ID,ID,...)"));
    if (std::find(ids.begin(), ids.end(), id) == ids.end()) ids.push_back(id);
  }
  return ids;
}

absl::StatusOr<v1::CorrelationMethod> ParseCorrelationMethod(const std::string& text) {
  if (text == "spearman") return v1::CORRELATION_METHOD_SPEARMAN;
  if (text == "pearson") return v1::CORRELATION_METHOD_PEARSON;
  if (text == "kendall") return v1::CORRELATION_METHOD_KENDALL_TAU_B;
  return absl::InvalidArgumentError(
      absl::StrCat("--method=", text, ": use spearman, pearson or kendall"));
}

absl::Status RooflineCommand(AnalysisStub& stub, const v1::Selection& selection,
                             Format format, const std::string& svg_path,
                             std::ostream& out) {
  v1::GetRooflineRequest request;
  *request.mutable_selection() = selection;
  ASSIGN_OR_RETURN(v1::GetRooflineResponse response,
                   (Call<v1::GetRooflineRequest, v1::GetRooflineResponse>(
                       stub, &AnalysisStub::GetRoofline, request)));
  switch (format) {
    case Format::kJson:
    case Format::kJsonLines:
      out << ToJson(response.report());
      break;
    case Format::kCsv:
      out << RenderRooflineCsv(response.report());
      break;
    case Format::kTable:
      out << RenderRooflineTable(response.report());
      break;
  }
  if (!svg_path.empty()) {
    RETURN_IF_ERROR(WriteFile(
        svg_path, analysis::RooflineChart(response.report(), response.fleet(),
                                          "Roofline")));
    if (format == Format::kTable) out << "wrote " << svg_path << "\n";
  }
  return absl::OkStatus();
}

absl::Status CorrelateCommand(AnalysisStub& stub,
                              const v1::CorrelateRequest& request, Format format,
                              std::ostream& out) {
  if (format != Format::kTable && format != Format::kCsv)
    return absl::InvalidArgumentError("correlate: use --format=table or csv");
  ASSIGN_OR_RETURN(v1::CorrelateResponse response,
                   (Call<v1::CorrelateRequest, v1::CorrelateResponse>(
                       stub, &AnalysisStub::Correlate, request)));
  out << RenderCorrelations(response, format == Format::kCsv);
  return absl::OkStatus();
}

absl::Status CompareCommand(AnalysisStub& stub, const v1::CompareRequest& request,
                            Format format, std::ostream& out, int* regressions) {
  ASSIGN_OR_RETURN(v1::CompareResponse response,
                   (Call<v1::CompareRequest, v1::CompareResponse>(
                       stub, &AnalysisStub::Compare, request)));
  switch (format) {
    case Format::kJson:
    case Format::kJsonLines:
      out << ToJson(response.report());
      break;
    case Format::kCsv:
      out << RenderComparison(response.report(), true);
      break;
    case Format::kTable:
      out << RenderComparison(response.report(), false);
      break;
  }
  if (regressions) *regressions = response.report().regressions();
  return absl::OkStatus();
}

absl::Status HistoryCommand(AnalysisStub& stub,
                            const v1::GetHistoryRequest& request,
                            std::ostream& out) {
  ASSIGN_OR_RETURN(v1::GetHistoryResponse response,
                   (Call<v1::GetHistoryRequest, v1::GetHistoryResponse>(
                       stub, &AnalysisStub::GetHistory, request)));
  out << RenderHistory(response);
  return absl::OkStatus();
}

absl::Status ReportCommand(AnalysisStub& stub, const v1::Selection& selection,
                           const std::string& path, std::ostream& out) {
  if (path.empty())
    return absl::InvalidArgumentError("report: give -o FILE.html");
  v1::GetReportRequest request;
  *request.mutable_selection() = selection;
  ASSIGN_OR_RETURN(v1::GetReportResponse response,
                   (Call<v1::GetReportRequest, v1::GetReportResponse>(
                       stub, &AnalysisStub::GetReport, request)));
  RETURN_IF_ERROR(WriteFile(path, response.html()));
  out << "wrote " << path << " (" << (response.html().size() + 1023) / 1024
      << " KiB)\n"
      << response.summary();
  return absl::OkStatus();
}

}  // namespace benchfleet::cli
