#include "coordinator/cli/analysis_render.h"

#include <algorithm>
#include <string>
#include <vector>

#include "analysis/comparison.h"
#include "analysis/device_groups.h"
#include "analysis/fleet_correlation.h"
#include "analysis/fleet_fixture.h"
#include "analysis/fleet_roofline.h"
#include "analysis/golden.h"
#include "analysis/history.h"
#include "google/protobuf/util/json_util.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

// fleetctl's renderings of the AnalysisService's answers, built here from
// the fixture fleet with the analysis modules. Goldens:
// coordinator/cli/testdata/, compared byte for byte. After an intended
// change: BENCHFLEET_UPDATE_GOLDENS=1 bazel run
// //coordinator/cli:analysis_render_test, then review the diff.

namespace benchfleet::cli {
namespace {

using ::testing::HasSubstr;
using analysis::fixture::Agent;
using analysis::fixture::FleetResults;
using analysis::fixture::Hardware;
using analysis::fixture::Model;
using analysis::fixture::Models;
using analysis::fixture::Result;

std::vector<analysis::DeviceGroup> Groups() {
  return analysis::GroupByDevice(FleetResults(),
                                 {Agent("agent-a", Hardware(), true, 1)});
}

// What Correlate answers for the fixture with `options`.
v1::CorrelateResponse Correlations(const analysis::CorrelateOptions& options) {
  const std::vector<analysis::DeviceGroup> groups = Groups();
  v1::CorrelateResponse response;
  response.set_method(analysis::CorrelationMethodToProto(options.method));
  response.set_bootstrap_resamples(options.bootstrap.resamples);
  response.set_confidence_level(options.bootstrap.level);
  response.set_seed(options.bootstrap.seed);
  for (const auto& g : analysis::CorrelateByDevice(groups, options))
    *response.add_groups() = analysis::CorrelationGroupToProto(g);
  for (const auto& a : analysis::CrossDeviceAgreement(groups, options))
    *response.add_agreement() = analysis::DeviceAgreementToProto(a);
  return response;
}

TEST(RenderRooflineTest, TableAndCsvHaveOneRowPerPlacement) {
  const v1::RooflineReport report = analysis::BuildRooflineReport(Groups());
  const std::string table = RenderRooflineTable(report);
  EXPECT_THAT(table, HasSubstr("Example CPU 8C @ bench-01"));
  EXPECT_THAT(table, HasSubstr("measured roof:  100 GFLOP/s x 20 GB/s"));
  EXPECT_THAT(table, HasSubstr("note: theoretical peak"));
  const std::string csv = RenderRooflineCsv(report);
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 1 + 20);
  EXPECT_EQ(csv.substr(0, csv.find('\n')),
            "host_id,hostname,device_name,device,job_id,model,input,batch,mode,"
            "precision,median_ms,intensity_flop_per_byte,achieved_flop_per_s,"
            "attainable_measured_flop_per_s,efficiency_measured,"
            "attainable_datasheet_flop_per_s,efficiency_datasheet,"
            "fraction_of_datasheet_peak,bound,above_roof,above_datasheet,"
            "unstable,likely_causes");
}

TEST(RenderRooflineTest, PointsAboveTheRoofSayYes) {
  // 40 GFLOP/s at intensity 1 is twice the 20 GB/s DRAM slope.
  v1::JobResult r = Result(1, Models()[0], 1, v1::MODE_INFERENCE,
                           v1::DEVICE_KIND_CPU, 40);
  r.mutable_cost()->set_intensity(1);
  const v1::RooflineReport report = analysis::BuildRooflineReport(
      analysis::GroupByDevice({r}, {Agent("agent-a", Hardware(), true, 1)}));
  EXPECT_THAT(RenderRooflineTable(report), HasSubstr("YES"));
  EXPECT_EQ(RenderRooflineTable(v1::RooflineReport()),
            "no successful results to place\n");
}

TEST(RenderCorrelationsTest, SaysHowTheIntervalsWereMade) {
  const std::string text = RenderCorrelations(Correlations({}), false);
  EXPECT_THAT(text, HasSubstr("seed 42"));
  EXPECT_THAT(text, HasSubstr("2000 resamples"));
  EXPECT_THAT(text, HasSubstr("cross-device agreement"));
  EXPECT_THAT(RenderCorrelations(v1::CorrelateResponse(), false),
              HasSubstr("nothing to correlate"));
}

constexpr char kGoldens[] = "coordinator/cli/testdata";

std::string Json(const google::protobuf::Message& message) {
  google::protobuf::util::JsonPrintOptions options;
  options.add_whitespace = true;
  options.always_print_primitive_fields = true;
  std::string json;
  EXPECT_TRUE(
      google::protobuf::util::MessageToJsonString(message, &json, options).ok());
  return json;
}

// Every output format of every command, on the fixture fleet.
TEST(GoldenTest, EveryOutputFormat) {
  const std::vector<analysis::DeviceGroup> groups = Groups();
  const v1::RooflineReport roofline = analysis::BuildRooflineReport(groups);
  EXPECT_TRUE(analysis::MatchesGoldenIn(kGoldens, "roofline.txt",
                                        RenderRooflineTable(roofline)));
  EXPECT_TRUE(analysis::MatchesGoldenIn(kGoldens, "roofline.csv",
                                        RenderRooflineCsv(roofline)));
  EXPECT_TRUE(
      analysis::MatchesGoldenIn(kGoldens, "roofline.json", Json(roofline)));

  const v1::CorrelateResponse correlations = Correlations({});
  EXPECT_TRUE(analysis::MatchesGoldenIn(kGoldens, "correlate.txt",
                                        RenderCorrelations(correlations, false)));
  EXPECT_TRUE(analysis::MatchesGoldenIn(kGoldens, "correlate.csv",
                                        RenderCorrelations(correlations, true)));

  std::vector<v1::JobResult> base, cand;
  int64_t job = 100;
  for (const Model& m : Models()) {
    base.push_back(
        Result(job++, m, 1, v1::MODE_INFERENCE, v1::DEVICE_KIND_CPU, 40));
    cand.push_back(
        Result(job++, m, 1, v1::MODE_INFERENCE, v1::DEVICE_KIND_CPU, 40));
  }
  base.push_back(
      Result(job++, Models()[0], 8, v1::MODE_INFERENCE, v1::DEVICE_KIND_CPU, 40));
  const analysis::StepSource steps =
      [](int64_t job_id) -> absl::StatusOr<std::vector<double>> {
    std::vector<double> ms;
    const double scale = job_id == 105 ? 1.3 : job_id == 107 ? 0.7 : 1;
    for (int i = 0; i < 12; ++i) ms.push_back(scale * (20 + (i * 7) % 5));
    return ms;
  };
  absl::StatusOr<v1::ComparisonReport> comparison = analysis::CompareMatched(
      analysis::MatchResults(base, cand), steps, analysis::RegressionOptions(),
      [](const std::string&) { return std::string("bench-01"); });
  ASSERT_TRUE(comparison.ok()) << comparison.status();
  comparison->add_baseline_sweep_ids(1);
  comparison->add_candidate_sweep_ids(2);
  EXPECT_TRUE(analysis::MatchesGoldenIn(kGoldens, "compare.txt",
                                        RenderComparison(*comparison, false)));
  EXPECT_TRUE(analysis::MatchesGoldenIn(kGoldens, "compare.csv",
                                        RenderComparison(*comparison, true)));
  EXPECT_TRUE(
      analysis::MatchesGoldenIn(kGoldens, "compare.json", Json(*comparison)));

  std::vector<analysis::ScheduleRun> runs;
  for (int night = 0; night < 10; ++night) {
    analysis::ScheduleRun run;
    run.sweep.set_sweep_id(night + 1);
    run.sweep.set_created_unix_ms(int64_t{1795000000000} + night * 86400000);
    run.results.push_back(Result(night + 1, Models()[0], 1, v1::MODE_INFERENCE,
                                 v1::DEVICE_KIND_CPU,
                                 (night < 5 ? 40 : 34) * (1 + 0.002 * (night % 2))));
    runs.push_back(run);
  }
  v1::GetHistoryResponse history;
  history.set_schedule("nightly");
  for (v1::HistorySeries& s : analysis::BuildHistory(
           runs, [](const std::string&) { return std::string("bench-01"); }))
    *history.add_series() = std::move(s);
  EXPECT_TRUE(analysis::MatchesGoldenIn(kGoldens, "history.txt",
                                        RenderHistory(history)));
}

}  // namespace
}  // namespace benchfleet::cli
