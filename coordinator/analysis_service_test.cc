// The AnalysisService on a loopback coordinator over a seeded store
// (coordinator/analysis_fixture.h): each RPC's answer as JSON against a
// golden file in coordinator/testdata/, bad selections, and who may call.
// After an intended change: BENCHFLEET_UPDATE_GOLDENS=1 bazel run
// //coordinator:analysis_service_test, then review the diff.
#include "coordinator/analysis_service.h"

#include <grpcpp/grpcpp.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <string>

#include "analysis/golden.h"
#include "analysis/xml_check.h"
#include "base/fake_clock.h"
#include "coordinator/analysis_fixture.h"
#include "coordinator/auth.h"
#include "coordinator/coordinator.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "proto/analysis_service.grpc.pb.h"

namespace benchfleet::coordinator {
namespace {

using ::testing::HasSubstr;

constexpr char kGoldens[] = "coordinator/testdata";
constexpr char kReaderToken[] = "reader-token-0123456789";
constexpr char kAgentToken[] = "agent-token-0123456789";
constexpr char kAdminToken[] = "admin-token-0123456789";

std::string Json(const google::protobuf::Message& message) {
  google::protobuf::util::JsonPrintOptions options;
  options.add_whitespace = true;
  options.always_print_primitive_fields = true;
  std::string json;
  EXPECT_TRUE(
      google::protobuf::util::MessageToJsonString(message, &json, options).ok());
  return json;
}

class AnalysisServiceTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    const std::string dir = std::getenv("TEST_TMPDIR");
    const std::string db = dir + "/analysis.db";
    std::remove(db.c_str());
    ASSERT_TRUE(SeedAnalysisStore(db).ok());
    const std::string tokens = dir + "/tokens";
    std::ofstream(tokens) << TokenRegistry::Line(Role::kReader, "dash", kReaderToken)
                          << "\n"
                          << TokenRegistry::Line(Role::kAgent, "agent-a", kAgentToken)
                          << "\n"
                          << TokenRegistry::Line(Role::kAdmin, "alice", kAdminToken)
                          << "\n";
    clock_ = new FakeClock(kFixtureStart + absl::Hours(24 * 11));
    CoordinatorOptions options;
    options.db_path = db;
    options.tokens_file = tokens;
    options.clock = clock_;
    absl::StatusOr<std::unique_ptr<Coordinator>> started = Coordinator::Start(options);
    ASSERT_TRUE(started.ok()) << started.status();
    coordinator_ = started->release();
    stub_ = v1::AnalysisService::NewStub(grpc::CreateChannel(
                absl::StrCat("127.0.0.1:", coordinator_->port()),
                grpc::InsecureChannelCredentials()))
                .release();
  }
  static void TearDownTestSuite() {
    delete stub_;
    coordinator_->Shutdown();
    delete coordinator_;
    delete clock_;
  }

  // Calls `method` with `token` (none when empty).
  template <typename Request, typename Response, typename Method>
  static grpc::Status Call(Method method, const Request& request, Response* response,
                           const std::string& token = kReaderToken) {
    grpc::ClientContext context;
    if (!token.empty()) context.AddMetadata("authorization", "Bearer " + token);
    return (stub_->*method)(&context, request, response);
  }

  static FakeClock* clock_;
  static Coordinator* coordinator_;
  static v1::AnalysisService::Stub* stub_;
};

FakeClock* AnalysisServiceTest::clock_ = nullptr;
Coordinator* AnalysisServiceTest::coordinator_ = nullptr;
v1::AnalysisService::Stub* AnalysisServiceTest::stub_ = nullptr;

using Stub = v1::AnalysisService::Stub;

TEST_F(AnalysisServiceTest, GetRooflineOfTheLatestFinishedSweep) {
  v1::GetRooflineResponse response;
  ASSERT_TRUE(Call(&Stub::GetRoofline, v1::GetRooflineRequest(), &response).ok());
  ASSERT_EQ(response.selected().sweeps_size(), 1);
  EXPECT_EQ(response.selected().sweeps(0).sweep_id(), 10);
  EXPECT_EQ(response.selected().results(), 21);
  EXPECT_EQ(response.report().devices_size(), 2);
  EXPECT_EQ(response.fleet().points_size(), 20);
  EXPECT_TRUE(analysis::MatchesGoldenIn(kGoldens, "get_roofline.json", Json(response)));
}

TEST_F(AnalysisServiceTest, CorrelateWithFiltersAcrossSweeps) {
  v1::CorrelateRequest request;
  request.mutable_selection()->add_sweep_ids(1);
  request.mutable_selection()->set_device(v1::DEVICE_KIND_CPU);
  request.set_method(v1::CORRELATION_METHOD_KENDALL_TAU_B);
  request.set_bootstrap_resamples(200);
  v1::CorrelateResponse response;
  ASSERT_TRUE(Call(&Stub::Correlate, request, &response).ok());
  EXPECT_EQ(response.method(), v1::CORRELATION_METHOD_KENDALL_TAU_B);
  EXPECT_EQ(response.seed(), 42u);
  EXPECT_DOUBLE_EQ(response.confidence_level(), 0.95);
  ASSERT_EQ(response.groups_size(), 3);  // CPU only: b1, b1 training, b4
  EXPECT_TRUE(response.agreement().empty());
  EXPECT_TRUE(analysis::MatchesGoldenIn(kGoldens, "correlate.json", Json(response)));
}

TEST_F(AnalysisServiceTest, CompareAScheduleWithItsPreviousRun) {
  v1::CompareRequest request;
  request.mutable_candidate()->set_schedule("nightly");
  v1::CompareResponse response;
  ASSERT_TRUE(Call(&Stub::Compare, request, &response).ok());
  const v1::ComparisonReport& report = response.report();
  EXPECT_THAT(report.candidate_sweep_ids(), ::testing::ElementsAre(9));
  EXPECT_THAT(report.baseline_sweep_ids(), ::testing::ElementsAre(8));
  EXPECT_EQ(report.regressions(), 1);
  ASSERT_EQ(report.comparisons_size(), 2);
  EXPECT_EQ(report.comparisons(0).model(), "resnet50");
  EXPECT_EQ(report.comparisons(0).n_baseline(), 20);
  EXPECT_THAT(report.comparisons(0).software_differences(),
              ::testing::ElementsAre("libtorch_version: 1.13.1 -> 2.1.0"));
  EXPECT_THAT(report.comparisons(0).reason(), HasSubstr("software differs"));
  EXPECT_TRUE(analysis::MatchesGoldenIn(kGoldens, "compare.json", Json(response)));

  // Explicit sides: the same figures.
  v1::CompareRequest explicit_sides;
  explicit_sides.mutable_candidate()->add_sweep_ids(9);
  explicit_sides.mutable_baseline()->add_sweep_ids(8);
  v1::CompareResponse again;
  ASSERT_TRUE(Call(&Stub::Compare, explicit_sides, &again).ok());
  EXPECT_EQ(Json(again.report()), Json(report));
}

TEST_F(AnalysisServiceTest, GetHistoryFindsTheChangePoint) {
  v1::GetHistoryRequest request;
  request.mutable_selection()->set_schedule("nightly");
  v1::GetHistoryResponse response;
  ASSERT_TRUE(Call(&Stub::GetHistory, request, &response).ok());
  EXPECT_EQ(response.runs(), 8);
  ASSERT_EQ(response.series_size(), 2);
  EXPECT_EQ(response.series(1).label(), "vgg19 b1 inference @ bench-01");
  ASSERT_EQ(response.series(1).changes_size(), 1);
  EXPECT_EQ(response.series(1).changes(0).index(), 4);
  EXPECT_TRUE(analysis::MatchesGoldenIn(kGoldens, "get_history.json", Json(response)));
}

TEST_F(AnalysisServiceTest, GetReportComparesWithThePreviousRunOfTheSameName) {
  v1::GetReportResponse response;
  ASSERT_TRUE(Call(&Stub::GetReport, v1::GetReportRequest(), &response).ok());
  EXPECT_THAT(response.baseline_sweep_ids(), ::testing::ElementsAre(1));
  EXPECT_EQ(analysis::XmlProblems(response.html(), true), "");
  EXPECT_THAT(response.html(), HasSubstr("benchfleet report: sweep 10 (demo)"));
  EXPECT_THAT(response.html(), HasSubstr("Roofline: the whole fleet"));
  EXPECT_EQ(response.html().find("<script"), std::string::npos);
  EXPECT_THAT(response.summary(), HasSubstr("against sweep(s) 1: 0 regressions"));
  // The golden holds everything but the document itself (analysis/ tests
  // that); its size stands in for it.
  v1::GetReportResponse shape = response;
  shape.set_html(absl::StrCat(response.html().size(), " bytes"));
  EXPECT_TRUE(analysis::MatchesGoldenIn(kGoldens, "get_report.json", Json(shape)));
}

TEST_F(AnalysisServiceTest, WithSweepIdsAScheduleFilters) {
  v1::GetRooflineRequest request;
  request.mutable_selection()->add_sweep_ids(1);  // by hand
  request.mutable_selection()->add_sweep_ids(9);  // nightly
  request.mutable_selection()->set_schedule("nightly");
  v1::GetRooflineResponse response;
  ASSERT_TRUE(Call(&Stub::GetRoofline, request, &response).ok());
  EXPECT_EQ(response.selected().sweeps_size(), 2);
  EXPECT_EQ(response.selected().results(), 2);  // sweep 9's two
}

TEST_F(AnalysisServiceTest, BadSelectionsNameTheField) {
  struct Case {
    v1::Selection selection;
    grpc::StatusCode code;
    std::string message;
  };
  std::vector<Case> cases;
  {
    Case c{{}, grpc::INVALID_ARGUMENT, "selection.sweep_ids[1]: -4"};
    c.selection.add_sweep_ids(1);
    c.selection.add_sweep_ids(-4);
    cases.push_back(c);
  }
  {
    Case c{{}, grpc::NOT_FOUND, "selection.sweep_ids[1]: no sweep 999"};
    c.selection.add_sweep_ids(2);
    c.selection.add_sweep_ids(999);
    cases.push_back(c);
  }
  {
    Case c{{}, grpc::INVALID_ARGUMENT, "selection.sweep_ids[1]: sweep 2 is named twice"};
    c.selection.add_sweep_ids(2);
    c.selection.add_sweep_ids(2);
    cases.push_back(c);
  }
  {
    Case c{{}, grpc::INVALID_ARGUMENT, "selection.batch_size: -1"};
    c.selection.set_batch_size(-1);
    cases.push_back(c);
  }
  {
    Case c{{}, grpc::NOT_FOUND, "selection.schedule: no run of a schedule named \"weekly\""};
    c.selection.set_schedule("weekly");
    cases.push_back(c);
  }
  {
    Case c{{}, grpc::INVALID_ARGUMENT, "selection.device: 9"};
    c.selection.set_device(static_cast<v1::DeviceKind>(9));
    cases.push_back(c);
  }
  {
    Case c{{}, grpc::INVALID_ARGUMENT, "selection.until_unix_ms"};
    c.selection.set_since_unix_ms(2000);
    c.selection.set_until_unix_ms(1000);
    cases.push_back(c);
  }
  for (const Case& c : cases) {
    v1::GetRooflineRequest request;
    *request.mutable_selection() = c.selection;
    v1::GetRooflineResponse response;
    const grpc::Status status = Call(&Stub::GetRoofline, request, &response);
    EXPECT_EQ(status.error_code(), c.code) << status.error_message();
    EXPECT_THAT(status.error_message(), HasSubstr(c.message));
  }
  // Compare names the side.
  v1::CompareRequest compare;
  compare.mutable_candidate()->add_sweep_ids(9);
  compare.mutable_baseline()->set_batch_size(-2);
  v1::CompareResponse compared;
  grpc::Status status = Call(&Stub::Compare, compare, &compared);
  EXPECT_EQ(status.error_code(), grpc::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), HasSubstr("baseline.batch_size: -2"));
  compare.clear_baseline();
  compare.set_alpha(1.5);
  status = Call(&Stub::Compare, compare, &compared);
  EXPECT_EQ(status.error_code(), grpc::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), HasSubstr("alpha: 1.5"));
  // The first nightly run has none before it.
  v1::CompareRequest first;
  first.mutable_candidate()->add_sweep_ids(2);
  status = Call(&Stub::Compare, first, &compared);
  EXPECT_EQ(status.error_code(), grpc::FAILED_PRECONDITION);
  EXPECT_THAT(status.error_message(), HasSubstr("schedule \"nightly\""));
  // History needs a schedule.
  v1::GetHistoryResponse history;
  status = Call(&Stub::GetHistory, v1::GetHistoryRequest(), &history);
  EXPECT_EQ(status.error_code(), grpc::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), HasSubstr("selection.schedule"));
  // Correlate's options.
  v1::CorrelateRequest correlate;
  correlate.set_confidence_level(1.5);
  v1::CorrelateResponse correlated;
  status = Call(&Stub::Correlate, correlate, &correlated);
  EXPECT_EQ(status.error_code(), grpc::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), HasSubstr("confidence_level: 1.5"));
}

TEST_F(AnalysisServiceTest, ReadersAndAdminsMayCallAgentsMayNot) {
  v1::GetRooflineResponse response;
  EXPECT_TRUE(Call(&Stub::GetRoofline, v1::GetRooflineRequest(), &response,
                   kAdminToken).ok());
  grpc::Status status = Call(&Stub::GetRoofline, v1::GetRooflineRequest(),
                             &response, kAgentToken);
  EXPECT_EQ(status.error_code(), grpc::PERMISSION_DENIED);
  status = Call(&Stub::GetRoofline, v1::GetRooflineRequest(), &response, "");
  EXPECT_EQ(status.error_code(), grpc::UNAUTHENTICATED);
  v1::GetReportResponse report;
  status = Call(&Stub::GetReport, v1::GetReportRequest(), &report, kAgentToken);
  EXPECT_EQ(status.error_code(), grpc::PERMISSION_DENIED);
  v1::CompareResponse compare;
  status = Call(&Stub::Compare, v1::CompareRequest(), &compare, kAgentToken);
  EXPECT_EQ(status.error_code(), grpc::PERMISSION_DENIED);
  v1::CorrelateResponse correlate;
  status = Call(&Stub::Correlate, v1::CorrelateRequest(), &correlate, kAgentToken);
  EXPECT_EQ(status.error_code(), grpc::PERMISSION_DENIED);
  v1::GetHistoryResponse history;
  status = Call(&Stub::GetHistory, v1::GetHistoryRequest(), &history, kAgentToken);
  EXPECT_EQ(status.error_code(), grpc::PERMISSION_DENIED);
}

}  // namespace
}  // namespace benchfleet::coordinator
