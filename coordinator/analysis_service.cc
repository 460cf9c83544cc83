#include "coordinator/analysis_service.h"

#include <cmath>
#include <map>
#include <set>
#include <utility>

#include "absl/strings/str_cat.h"
#include "analysis/comparison.h"
#include "analysis/device_groups.h"
#include "analysis/fleet_correlation.h"
#include "analysis/fleet_report.h"
#include "analysis/fleet_roofline.h"
#include "analysis/history.h"
#include "base/grpc_status.h"
#include "base/status_macros.h"
#include "coordinator/analysis_selection.h"
#include "coordinator/fleet_service.h"

namespace benchfleet::coordinator {
namespace {

constexpr int kMaxResamples = 100000;

// The comparison of `candidate` against `baseline` from the step samples of
// their jobs, read in one go.
absl::StatusOr<v1::ComparisonReport> CompareResults(
    Store& store, const std::vector<v1::JobResult>& baseline,
    const std::vector<v1::JobResult>& candidate,
    const analysis::RegressionOptions& options,
    const analysis::HostNamer& host_name) {
  const analysis::Matching matching =
      analysis::MatchResults(baseline, candidate);
  std::vector<int64_t> jobs;
  for (const analysis::MatchedResults& m : matching.matched) {
    for (const v1::JobResult& r : m.baseline) jobs.push_back(r.job_id());
    for (const v1::JobResult& r : m.candidate) jobs.push_back(r.job_id());
  }
  ASSIGN_OR_RETURN(auto samples,
                   store.ResultSamplesOfJobs(jobs, v1::PHASE_STEP));
  const analysis::StepSource steps =
      [&samples](int64_t job) -> absl::StatusOr<std::vector<double>> {
    auto it = samples.find(job);
    if (it == samples.end()) return std::vector<double>();
    return analysis::StepMillis(it->second);
  };
  return analysis::CompareMatched(matching, steps, options, host_name);
}

bool IsEmpty(const v1::Selection& s) { return s.ByteSizeLong() == 0; }

}  // namespace

template <typename Request, typename Response>
grpc::Status AnalysisServiceImpl::Serve(
    grpc::ServerContext& context, const Request& request, Response* response,
    absl::Status (AnalysisServiceImpl::*answer)(const Request&, Response*)) {
  if (grpc::Status auth = Authorize(context, tokens_, Role::kReader, nullptr);
      !auth.ok())
    return auth;
  return ToGrpcStatus((this->*answer)(request, response));
}

grpc::Status AnalysisServiceImpl::GetRoofline(
    grpc::ServerContext* context, const v1::GetRooflineRequest* request,
    v1::GetRooflineResponse* response) {
  return Serve(*context, *request, response,
               &AnalysisServiceImpl::AnswerGetRoofline);
}

absl::Status AnalysisServiceImpl::AnswerGetRoofline(
    const v1::GetRooflineRequest& request, v1::GetRooflineResponse* response) {
  ASSIGN_OR_RETURN(Selected selected,
                   ResolveSelection(*store_, request.selection(), "selection"));
  ASSIGN_OR_RETURN(std::vector<v1::AgentInfo> agents,
                   AgentInfos(*store_, *scheduler_, *clock_));
  const std::vector<analysis::DeviceGroup> groups =
      analysis::GroupByDevice(selected.results, agents);
  *response->mutable_report() = analysis::BuildRooflineReport(groups);
  *response->mutable_fleet() = analysis::BuildFleetRoofline(groups);
  *response->mutable_selected() = SelectedMessage(selected);
  return absl::OkStatus();
}

grpc::Status AnalysisServiceImpl::Correlate(grpc::ServerContext* context,
                                            const v1::CorrelateRequest* request,
                                            v1::CorrelateResponse* response) {
  return Serve(*context, *request, response,
               &AnalysisServiceImpl::AnswerCorrelate);
}

absl::Status AnalysisServiceImpl::AnswerCorrelate(
    const v1::CorrelateRequest& request, v1::CorrelateResponse* response) {
  if (!v1::CorrelationMethod_IsValid(request.method()))
    return absl::InvalidArgumentError(absl::StrCat(
        "method: ", request.method(), " is not a CorrelationMethod"));
  if (request.bootstrap_resamples() < 0 ||
      request.bootstrap_resamples() > kMaxResamples)
    return absl::InvalidArgumentError(
        absl::StrCat("bootstrap_resamples: ", request.bootstrap_resamples(),
                     " is outside [0, ", kMaxResamples, "] (0 = 2000)"));
  if (request.confidence_level() != 0 &&
      !(request.confidence_level() > 0 && request.confidence_level() < 1))
    return absl::InvalidArgumentError(
        absl::StrCat("confidence_level: ", request.confidence_level(),
                     " is outside (0, 1) (0 = 0.95)"));
  analysis::CorrelateOptions options;
  options.method = analysis::CorrelationMethodFromProto(request.method());
  if (request.bootstrap_resamples() > 0)
    options.bootstrap.resamples = request.bootstrap_resamples();
  if (request.confidence_level() > 0)
    options.bootstrap.level = request.confidence_level();
  if (request.has_seed()) options.bootstrap.seed = request.seed();
  ASSIGN_OR_RETURN(Selected selected,
                   ResolveSelection(*store_, request.selection(), "selection"));
  ASSIGN_OR_RETURN(std::vector<v1::AgentInfo> agents,
                   AgentInfos(*store_, *scheduler_, *clock_));
  const std::vector<analysis::DeviceGroup> groups =
      analysis::GroupByDevice(selected.results, agents);
  response->set_method(analysis::CorrelationMethodToProto(options.method));
  response->set_bootstrap_resamples(options.bootstrap.resamples);
  response->set_confidence_level(options.bootstrap.level);
  response->set_seed(options.bootstrap.seed);
  for (const analysis::CorrelationGroup& g :
       analysis::CorrelateByDevice(groups, options))
    *response->add_groups() = analysis::CorrelationGroupToProto(g);
  for (const analysis::DeviceAgreement& a :
       analysis::CrossDeviceAgreement(groups, options))
    *response->add_agreement() = analysis::DeviceAgreementToProto(a);
  *response->mutable_selected() = SelectedMessage(selected);
  return absl::OkStatus();
}

grpc::Status AnalysisServiceImpl::Compare(grpc::ServerContext* context,
                                          const v1::CompareRequest* request,
                                          v1::CompareResponse* response) {
  return Serve(*context, *request, response,
               &AnalysisServiceImpl::AnswerCompare);
}

absl::Status AnalysisServiceImpl::AnswerCompare(
    const v1::CompareRequest& request, v1::CompareResponse* response) {
  analysis::RegressionOptions options;
  if (request.has_min_effect()) options.min_effect = request.min_effect();
  if (request.has_alpha()) options.alpha = request.alpha();
  if (!(options.min_effect >= 0) || !std::isfinite(options.min_effect))
    return absl::InvalidArgumentError(absl::StrCat(
        "min_effect: ", options.min_effect, " must be a number >= 0"));
  if (!(options.alpha > 0 && options.alpha < 1))
    return absl::InvalidArgumentError(
        absl::StrCat("alpha: ", options.alpha, " is outside (0, 1)"));
  // Both selections are checked before either is resolved, so a bad field
  // is named whichever side it is on.
  RETURN_IF_ERROR(CheckSelection(request.candidate(), "candidate"));
  RETURN_IF_ERROR(CheckSelection(request.baseline(), "baseline"));
  ASSIGN_OR_RETURN(Selected candidate,
                   ResolveSelection(*store_, request.candidate(), "candidate"));
  Selected baseline;
  if (IsEmpty(request.baseline())) {
    if (candidate.sweeps.empty())
      return absl::InvalidArgumentError(
          "baseline: give a baseline selection; a candidate chosen by filters "
          "alone has no previous run");
    ASSIGN_OR_RETURN(std::vector<v1::SweepStatus> previous,
                     PreviousRuns(*store_, candidate.sweeps));
    if (previous.empty())
      return absl::FailedPreconditionError(absl::StrCat(
          "baseline: sweep ", candidate.sweeps.front().sweep_id(),
          " has no earlier finished run of its ",
          candidate.sweeps.front().schedule().empty()
              ? absl::StrCat("name \"", candidate.sweeps.front().name(), "\"")
              : absl::StrCat("schedule \"", candidate.sweeps.front().schedule(),
                             "\""),
          "; compare needs two"));
    baseline.sweeps = std::move(previous);
    ASSIGN_OR_RETURN(std::vector<v1::JobResult> results,
                     ResultsOf(*store_, baseline.sweeps, request.candidate()));
    baseline.results = std::move(results);
  } else {
    ASSIGN_OR_RETURN(Selected chosen,
                     ResolveSelection(*store_, request.baseline(), "baseline"));
    baseline = std::move(chosen);
  }
  ASSIGN_OR_RETURN(std::vector<v1::AgentInfo> agents,
                   AgentInfos(*store_, *scheduler_, *clock_));
  ASSIGN_OR_RETURN(v1::ComparisonReport report,
                   CompareResults(*store_, baseline.results, candidate.results,
                                  options, analysis::HostNamesOf(agents)));
  for (const v1::SweepStatus& s : baseline.sweeps)
    report.add_baseline_sweep_ids(s.sweep_id());
  for (const v1::SweepStatus& s : candidate.sweeps)
    report.add_candidate_sweep_ids(s.sweep_id());
  *response->mutable_report() = std::move(report);
  *response->mutable_baseline() = SelectedMessage(baseline);
  *response->mutable_candidate() = SelectedMessage(candidate);
  return absl::OkStatus();
}

grpc::Status AnalysisServiceImpl::GetHistory(
    grpc::ServerContext* context, const v1::GetHistoryRequest* request,
    v1::GetHistoryResponse* response) {
  return Serve(*context, *request, response,
               &AnalysisServiceImpl::AnswerGetHistory);
}

absl::Status AnalysisServiceImpl::AnswerGetHistory(
    const v1::GetHistoryRequest& request, v1::GetHistoryResponse* response) {
  const v1::Selection& s = request.selection();
  RETURN_IF_ERROR(CheckSelection(s, "selection"));
  if (s.schedule().empty())
    return absl::InvalidArgumentError(
        "selection.schedule: history needs a schedule's name");
  if (s.sweep_ids_size() > 0)
    return absl::InvalidArgumentError(
        "selection.sweep_ids: history takes every run of the schedule; leave "
        "sweep_ids empty");
  if (request.min_segment() < 0)
    return absl::InvalidArgumentError(absl::StrCat(
        "min_segment: ", request.min_segment(), " is negative (0 = 4)"));
  if (request.threshold_z() < 0 || !std::isfinite(request.threshold_z()))
    return absl::InvalidArgumentError(
        absl::StrCat("threshold_z: ", request.threshold_z(),
                     " must be a number > 0 (0 = 5)"));
  analysis::ChangePointOptions options;
  if (request.min_segment() > 0) options.min_segment = request.min_segment();
  if (request.threshold_z() > 0) options.threshold_z = request.threshold_z();
  SweepQuery query;
  query.match_schedule = true;
  query.schedule = s.schedule();
  ASSIGN_OR_RETURN(std::vector<v1::SweepStatus> sweeps,
                   store_->ListSweepsWhere(query));
  if (sweeps.empty())
    return absl::NotFoundError(absl::StrCat("selection.schedule: schedule ",
                                            s.schedule(), " has not run yet"));
  std::vector<analysis::ScheduleRun> runs;
  for (v1::SweepStatus& sweep : sweeps) {
    ASSIGN_OR_RETURN(std::vector<v1::JobResult> results,
                     ResultsOf(*store_, {sweep}, s));
    runs.push_back({std::move(sweep), std::move(results)});
  }
  ASSIGN_OR_RETURN(std::vector<v1::AgentInfo> agents,
                   AgentInfos(*store_, *scheduler_, *clock_));
  response->set_schedule(s.schedule());
  response->set_runs(static_cast<int32_t>(runs.size()));
  for (v1::HistorySeries& series : analysis::BuildHistory(
           std::move(runs), analysis::HostNamesOf(agents), options))
    *response->add_series() = std::move(series);
  return absl::OkStatus();
}

grpc::Status AnalysisServiceImpl::GetReport(grpc::ServerContext* context,
                                            const v1::GetReportRequest* request,
                                            v1::GetReportResponse* response) {
  return Serve(*context, *request, response,
               &AnalysisServiceImpl::AnswerGetReport);
}

absl::Status AnalysisServiceImpl::AnswerGetReport(
    const v1::GetReportRequest& request, v1::GetReportResponse* response) {
  ASSIGN_OR_RETURN(Selected selected,
                   ResolveSelection(*store_, request.selection(), "selection"));
  analysis::ReportInput input;
  input.sweeps = selected.sweeps;
  input.results = selected.results;
  ASSIGN_OR_RETURN(std::vector<v1::AgentInfo> agents,
                   AgentInfos(*store_, *scheduler_, *clock_));
  input.agents = std::move(agents);
  ASSIGN_OR_RETURN(std::vector<v1::SweepStatus> previous,
                   PreviousRuns(*store_, selected.sweeps));
  if (!previous.empty()) {
    input.baseline_sweeps = std::move(previous);
    ASSIGN_OR_RETURN(
        std::vector<v1::JobResult> baseline,
        ResultsOf(*store_, input.baseline_sweeps, v1::Selection()));
    ASSIGN_OR_RETURN(v1::ComparisonReport comparison,
                     CompareResults(*store_, baseline, selected.results,
                                    analysis::RegressionOptions(),
                                    analysis::HostNamesOf(input.agents)));
    input.comparison = std::move(comparison);
    for (const v1::SweepStatus& b : input.baseline_sweeps) {
      input.comparison.add_baseline_sweep_ids(b.sweep_id());
      response->add_baseline_sweep_ids(b.sweep_id());
    }
    for (const v1::SweepStatus& s : selected.sweeps)
      input.comparison.add_candidate_sweep_ids(s.sweep_id());
    input.has_comparison = true;
  }
  response->set_html(analysis::RenderHtmlReport(analysis::BuildReport(input)));
  response->set_summary(analysis::ReportSummary(input));
  *response->mutable_selected() = SelectedMessage(selected);
  return absl::OkStatus();
}

}  // namespace benchfleet::coordinator
