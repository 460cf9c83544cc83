// fleetctl's analysis commands against an in-process coordinator serving
// the seeded store of coordinator/analysis_fixture.h: what each command
// selects, fetches and prints.
#include "coordinator/cli/analysis_commands.h"

#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>

#include "analysis/xml_check.h"
#include "base/fake_clock.h"
#include "coordinator/analysis_fixture.h"
#include "coordinator/cli/analysis_render.h"
#include "coordinator/coordinator.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"

namespace benchfleet::cli {
namespace {

using ::testing::HasSubstr;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

size_t Lines(const std::string& text) {
  return static_cast<size_t>(std::count(text.begin(), text.end(), '\n'));
}

class AnalysisCommandsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new std::string(std::getenv("TEST_TMPDIR"));
    const std::string db = *dir_ + "/commands.db";
    std::remove(db.c_str());
    ASSERT_TRUE(coordinator::SeedAnalysisStore(db).ok());
    clock_ = new FakeClock(coordinator::kFixtureStart + absl::Hours(24 * 11));
    coordinator::CoordinatorOptions options;
    options.db_path = db;
    options.clock = clock_;
    auto started = coordinator::Coordinator::Start(options);
    ASSERT_TRUE(started.ok()) << started.status();
    coordinator_ = started->release();
    stub_ = v1::AnalysisService::NewStub(
                grpc::CreateChannel(absl::StrCat("127.0.0.1:", coordinator_->port()),
                                    grpc::InsecureChannelCredentials()))
                .release();
  }
  static void TearDownTestSuite() {
    delete stub_;
    coordinator_->Shutdown();
    delete coordinator_;
    delete clock_;
    delete dir_;
  }

  static std::string* dir_;
  static FakeClock* clock_;
  static coordinator::Coordinator* coordinator_;
  static v1::AnalysisService::Stub* stub_;
};

std::string* AnalysisCommandsTest::dir_ = nullptr;
FakeClock* AnalysisCommandsTest::clock_ = nullptr;
coordinator::Coordinator* AnalysisCommandsTest::coordinator_ = nullptr;
v1::AnalysisService::Stub* AnalysisCommandsTest::stub_ = nullptr;

TEST(ParseSweepIdsTest, OneOrSeveral) {
  EXPECT_EQ(*ParseSweepIds("7"), std::vector<int64_t>({7}));
  EXPECT_EQ(*ParseSweepIds("3, 4,3"), std::vector<int64_t>({3, 4}));
  EXPECT_TRUE(ParseSweepIds("")->empty());
  EXPECT_EQ(ParseSweepIds("3,x").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseSweepIds("0").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(ParseSweepIds("x", "baseline").status().message()),
              HasSubstr("--baseline=x"));
}

TEST(ParseCorrelationMethodTest, ThreeMethods) {
  EXPECT_EQ(*ParseCorrelationMethod("kendall"), v1::CORRELATION_METHOD_KENDALL_TAU_B);
  EXPECT_EQ(*ParseCorrelationMethod("pearson"), v1::CORRELATION_METHOD_PEARSON);
  EXPECT_EQ(*ParseCorrelationMethod("spearman"), v1::CORRELATION_METHOD_SPEARMAN);
  EXPECT_EQ(ParseCorrelationMethod("spearmann").status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(AnalysisCommandsTest, RooflineInEveryFormatAndAnSvg) {
  v1::Selection selection;
  selection.add_sweep_ids(1);
  std::ostringstream table, csv, json;
  const std::string svg = *dir_ + "/roofline.svg";
  ASSERT_TRUE(RooflineCommand(*stub_, selection, Format::kTable, svg, table).ok());
  EXPECT_THAT(table.str(), HasSubstr("Example CPU 8C @ bench-01 (cpu, host host-a-id)"));
  EXPECT_THAT(table.str(), HasSubstr("measured roof:  100 GFLOP/s x 20 GB/s"));
  EXPECT_THAT(table.str(), HasSubstr("wrote " + svg));
  const std::string chart = ReadFile(svg);
  EXPECT_EQ(analysis::XmlProblems(chart, false), "");
  EXPECT_THAT(chart, HasSubstr("NVIDIA T4 @ bench-01: b1 inference"));

  ASSERT_TRUE(RooflineCommand(*stub_, selection, Format::kCsv, "", csv).ok());
  EXPECT_EQ(Lines(csv.str()), 1 + 20);
  ASSERT_TRUE(RooflineCommand(*stub_, selection, Format::kJson, "", json).ok());
  v1::RooflineReport parsed;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(json.str(), &parsed).ok());
  EXPECT_EQ(parsed.devices_size(), 2);
  EXPECT_EQ(RenderRooflineTable(parsed) + "wrote " + svg + "\n", table.str());
}

TEST_F(AnalysisCommandsTest, ASelectionByFiltersAlone) {
  v1::Selection selection;
  selection.set_model("vgg19");
  selection.set_schedule("nightly");  // its latest run: sweep 9
  std::ostringstream out;
  ASSERT_TRUE(RooflineCommand(*stub_, selection, Format::kCsv, "", out).ok());
  EXPECT_EQ(Lines(out.str()), 1 + 1);
  EXPECT_THAT(out.str(), HasSubstr(",vgg19,"));
}

TEST_F(AnalysisCommandsTest, CorrelateTableOrCsvOnly) {
  v1::CorrelateRequest request;
  request.mutable_selection()->add_sweep_ids(1);
  request.set_method(v1::CORRELATION_METHOD_PEARSON);
  std::ostringstream table, csv, json;
  ASSERT_TRUE(CorrelateCommand(*stub_, request, Format::kTable, table).ok());
  EXPECT_THAT(table.str(), HasSubstr("pearson correlations per device"));
  EXPECT_THAT(table.str(), HasSubstr("cross-device agreement (pearson"));
  ASSERT_TRUE(CorrelateCommand(*stub_, request, Format::kCsv, csv).ok());
  EXPECT_THAT(csv.str(), HasSubstr("device,batch,mode,x,y,method"));
  EXPECT_EQ(CorrelateCommand(*stub_, request, Format::kJson, json).code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(AnalysisCommandsTest, CompareCountsRegressionsForTheExitStatus) {
  v1::CompareRequest request;
  request.mutable_candidate()->set_schedule("nightly");
  std::ostringstream table;
  int regressions = -1;
  ASSERT_TRUE(CompareCommand(*stub_, request, Format::kTable, table, &regressions).ok());
  EXPECT_EQ(regressions, 1);
  EXPECT_THAT(table.str(), HasSubstr("baseline sweep(s) 8, candidate sweep(s) 9"));
  EXPECT_THAT(table.str(), HasSubstr("software differs: libtorch_version"));
  EXPECT_THAT(table.str(), HasSubstr("1 regression, 0 improvements, 1 unchanged"));

  // Two demo runs of the same figures: nothing regressed.
  v1::CompareRequest same;
  same.mutable_candidate()->add_sweep_ids(10);
  std::ostringstream csv;
  ASSERT_TRUE(CompareCommand(*stub_, same, Format::kCsv, csv, &regressions).ok());
  EXPECT_EQ(regressions, 0);
  EXPECT_EQ(Lines(csv.str()), 1 + 20);
}

TEST_F(AnalysisCommandsTest, HistoryShowsTheStep) {
  v1::GetHistoryRequest request;
  request.mutable_selection()->set_schedule("nightly");
  request.mutable_selection()->set_model("vgg19");
  std::ostringstream out;
  ASSERT_TRUE(HistoryCommand(*stub_, request, out).ok());
  EXPECT_THAT(out.str(), HasSubstr("schedule nightly: 8 runs, 1 series, 1 change point"));
  EXPECT_THAT(out.str(), HasSubstr("+24.9%"));
}

TEST_F(AnalysisCommandsTest, ReportWritesTheFileAndASummary) {
  const std::string path = *dir_ + "/report.html";
  std::ostringstream out;
  ASSERT_TRUE(ReportCommand(*stub_, v1::Selection(), path, out).ok());
  const std::string html = ReadFile(path);
  EXPECT_EQ(analysis::XmlProblems(html, true), "");
  EXPECT_THAT(out.str(), HasSubstr("wrote " + path + " ("));
  EXPECT_THAT(out.str(), HasSubstr("sweep 10 (demo): 2 devices"));
  EXPECT_EQ(ReportCommand(*stub_, v1::Selection(), "", out).code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(AnalysisCommandsTest, TheServicesErrorsComeThrough) {
  v1::Selection selection;
  selection.add_sweep_ids(404);
  std::ostringstream out;
  const absl::Status status = RooflineCommand(*stub_, selection, Format::kTable, "", out);
  EXPECT_EQ(status.code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(std::string(status.message()), HasSubstr("selection.sweep_ids[0]"));
  EXPECT_EQ(out.str(), "");
}

}  // namespace
}  // namespace benchfleet::cli
