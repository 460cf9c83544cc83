// AnalysisService (proto/analysis_service.proto): rooflines, correlations,
// comparisons, history and the report of stored results, computed here with
// the analysis/ modules so that no client re-implements them and no sample
// crosses the wire. Readers and admins may call; agents may not.
#ifndef BENCHFLEET_COORDINATOR_ANALYSIS_SERVICE_H_
#define BENCHFLEET_COORDINATOR_ANALYSIS_SERVICE_H_

#include "absl/status/status.h"
#include "base/clock.h"
#include "coordinator/auth.h"
#include "coordinator/scheduler.h"
#include "coordinator/store.h"
#include "proto/analysis_service.grpc.pb.h"

namespace benchfleet::coordinator {

class AnalysisServiceImpl final : public v1::AnalysisService::Service {
 public:
  // `tokens` null disables authentication (loopback demos and tests). The
  // scheduler and clock tell which agents are connected (their hardware
  // reports are preferred when grouping results by device).
  AnalysisServiceImpl(Store* store, Scheduler* scheduler, Clock* clock,
                      const TokenRegistry* tokens = nullptr)
      : store_(store), scheduler_(scheduler), clock_(clock), tokens_(tokens) {}

  grpc::Status GetRoofline(grpc::ServerContext* context,
                           const v1::GetRooflineRequest* request,
                           v1::GetRooflineResponse* response) override;
  grpc::Status Correlate(grpc::ServerContext* context,
                         const v1::CorrelateRequest* request,
                         v1::CorrelateResponse* response) override;
  grpc::Status Compare(grpc::ServerContext* context,
                       const v1::CompareRequest* request,
                       v1::CompareResponse* response) override;
  grpc::Status GetHistory(grpc::ServerContext* context,
                          const v1::GetHistoryRequest* request,
                          v1::GetHistoryResponse* response) override;
  grpc::Status GetReport(grpc::ServerContext* context,
                         const v1::GetReportRequest* request,
                         v1::GetReportResponse* response) override;

 private:
  // Checks the caller's token (reader or above), then runs `answer`; its
  // status goes back as the RPC's.
  template <typename Request, typename Response>
  grpc::Status Serve(grpc::ServerContext& context, const Request& request,
                     Response* response,
                     absl::Status (AnalysisServiceImpl::*answer)(const Request&,
                                                                 Response*));
  absl::Status AnswerGetRoofline(const v1::GetRooflineRequest& request,
                                 v1::GetRooflineResponse* response);
  absl::Status AnswerCorrelate(const v1::CorrelateRequest& request,
                               v1::CorrelateResponse* response);
  absl::Status AnswerCompare(const v1::CompareRequest& request,
                             v1::CompareResponse* response);
  absl::Status AnswerGetHistory(const v1::GetHistoryRequest& request,
                                v1::GetHistoryResponse* response);
  absl::Status AnswerGetReport(const v1::GetReportRequest& request,
                               v1::GetReportResponse* response);

  Store* const store_;
  Scheduler* const scheduler_;
  Clock* const clock_;
  const TokenRegistry* const tokens_;
};

}  // namespace benchfleet::coordinator

#endif  // BENCHFLEET_COORDINATOR_ANALYSIS_SERVICE_H_
