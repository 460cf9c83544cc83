#include "analysis/comparison.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "analysis/fleet_fixture.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace benchfleet::analysis {
namespace {

using ::testing::HasSubstr;
using fixture::Agent;
using fixture::FleetResults;
using fixture::Hardware;
using fixture::kCpu;
using fixture::kGpu;
using fixture::Model;
using fixture::Models;
using fixture::Result;

std::string NoName(const std::string& host) { return host; }

TEST(MatchResultsTest, MatchesByKeyAndPoolsRepeats) {
  const Model& m = Models()[0];
  std::vector<v1::JobResult> base = {
      Result(1, m, 1, v1::MODE_INFERENCE, v1::DEVICE_KIND_CPU, 40),
      Result(2, m, 8, v1::MODE_INFERENCE, v1::DEVICE_KIND_CPU, 40)};
  std::vector<v1::JobResult> cand = {
      Result(11, m, 1, v1::MODE_INFERENCE, v1::DEVICE_KIND_CPU, 40),
      Result(12, m, 1, v1::MODE_INFERENCE, v1::DEVICE_KIND_CPU, 40),
      Result(13, m, 1, v1::MODE_TRAINING, v1::DEVICE_KIND_CPU, 40)};
  v1::JobResult other_host =
      Result(14, m, 1, v1::MODE_INFERENCE, v1::DEVICE_KIND_CPU, 40);
  other_host.set_host_id("host-b");
  cand.push_back(other_host);
  v1::JobResult failed =
      Result(15, m, 8, v1::MODE_INFERENCE, v1::DEVICE_KIND_CPU, 40);
  failed.set_status(v1::JOB_STATUS_FAILED);
  cand.push_back(failed);

  const Matching matching = MatchResults(base, cand);
  ASSERT_EQ(matching.matched.size(), 1u);
  EXPECT_EQ(matching.matched[0].baseline.size(), 1u);
  ASSERT_EQ(matching.matched[0].candidate.size(), 2u);  // repeats pooled
  EXPECT_EQ(matching.matched[0].candidate[0].job_id(), 11);
  EXPECT_EQ(matching.only_baseline.size(), 1u);   // batch 8 (failed there)
  EXPECT_EQ(matching.only_candidate.size(), 2u);  // training, host-b
}

TEST(MatchKeyTest, DefaultsAreNormalised) {
  v1::JobResult a =
      Result(1, Models()[0], 1, v1::MODE_INFERENCE, v1::DEVICE_KIND_CPU, 40);
  v1::JobResult b = a;
  b.mutable_spec()->set_device(v1::DEVICE_KIND_UNSPECIFIED);
  b.mutable_spec()->set_precision(v1::PRECISION_FP32);
  EXPECT_EQ(MatchKey(a), MatchKey(b));
  b.mutable_spec()->set_threads(4);
  EXPECT_NE(MatchKey(a), MatchKey(b));
  // Threads are in the key, not in the label...
  EXPECT_EQ(ResultLabel(b, "bench-01"), "resnet50 b1 inference @ bench-01");
  // ... unless two compared benchmarks would otherwise share a label.
  absl::StatusOr<v1::ComparisonReport> report = CompareMatched(
      MatchResults({a, b}, {a, b}),
      [](int64_t) -> absl::StatusOr<std::vector<double>> {
        return std::vector<double>{1, 2, 3};
      },
      analysis::RegressionOptions(), NoName);
  ASSERT_TRUE(report.ok());
  ASSERT_EQ(report->comparisons_size(), 2);
  EXPECT_NE(report->comparisons(0).label(), report->comparisons(1).label());
  EXPECT_THAT(report->comparisons(1).label(), HasSubstr(" t4"));
}

TEST(StepMillisTest, StepPhaseOnlyInSequenceOrder) {
  std::vector<v1::Sample> samples;
  for (int i : {2, 0, 1}) {
    v1::Sample s;
    s.set_sequence(i);
    s.set_phase(v1::PHASE_STEP);
    s.set_duration_ns((i + 1) * 1000000);
    samples.push_back(s);
    s.set_phase(v1::PHASE_FORWARD);
    samples.push_back(s);
  }
  EXPECT_EQ(StepMillis(samples), std::vector<double>({1, 2, 3}));
}

TEST(CompareMatchedTest, RegressionsFirstWithCounts) {
  std::vector<v1::JobResult> base, cand;
  int64_t job = 1;
  for (const Model& m : Models()) {
    base.push_back(Result(job++, m, 1, v1::MODE_INFERENCE, v1::DEVICE_KIND_CPU, 40));
    cand.push_back(Result(job++, m, 1, v1::MODE_INFERENCE, v1::DEVICE_KIND_CPU, 40));
  }
  // Step times: baseline jobs (odd) ~10 ms; candidate jobs (even) the same,
  // except vgg19's (job 6) 20% slower and squeezenet's (job 8) 20% faster.
  const StepSource steps =
      [](int64_t job_id) -> absl::StatusOr<std::vector<double>> {
    double scale = 1;
    if (job_id == 6) scale = 1.2;
    if (job_id == 8) scale = 0.8;
    std::vector<double> ms;
    for (int i = 0; i < 20; ++i) ms.push_back(scale * (10 + 0.01 * i));
    return ms;
  };
  cand[2].set_other_cpu_load(0.55);  // vgg19's candidate ran on a busy machine
  absl::StatusOr<v1::ComparisonReport> report =
      CompareMatched(MatchResults(base, cand), steps,
                     analysis::RegressionOptions(), NoName);
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->regressions(), 1);
  EXPECT_EQ(report->improvements(), 1);
  EXPECT_EQ(report->unchanged(), 3);
  ASSERT_EQ(report->comparisons_size(), 5);
  EXPECT_EQ(report->comparisons(0).verdict(), "regression");
  EXPECT_EQ(report->comparisons(0).model(), "vgg19");
  EXPECT_NEAR(report->comparisons(0).ratio(), 1.2, 1e-9);
  EXPECT_DOUBLE_EQ(report->comparisons(0).candidate_other_load(), 0.55);
  EXPECT_THAT(report->comparisons(0).reason(),
              HasSubstr("other processes took 55% (candidate) of the CPU"));
  EXPECT_EQ(report->comparisons(1).verdict(), "improvement");
  EXPECT_EQ(report->comparisons(0).n_baseline(), 20);
  EXPECT_THAT(ComparisonSummary(*report),
              HasSubstr("1 regression, 1 improvement, 3 unchanged"));
  EXPECT_EQ(BusyRegressions(*report), 1);

  // Options out of range are the caller's mistake, not "insufficient data".
  analysis::RegressionOptions bad;
  bad.alpha = 1.5;
  EXPECT_EQ(CompareMatched(MatchResults(base, cand), steps, bad, NoName)
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);

  // A source that fails stops the comparison with its error.
  const StepSource broken = [](int64_t) -> absl::StatusOr<std::vector<double>> {
    return absl::UnavailableError("coordinator gone");
  };
  EXPECT_EQ(CompareMatched(MatchResults(base, cand), broken,
                           analysis::RegressionOptions(), NoName)
                .status()
                .code(),
            absl::StatusCode::kUnavailable);
}

const StepSource kSteadySteps =
    [](int64_t job_id) -> absl::StatusOr<std::vector<double>> {
  std::vector<double> ms;
  for (int i = 0; i < 20; ++i) ms.push_back(10 + 0.01 * i + (job_id % 2) * 0.001);
  return ms;
};

TEST(SoftwareDifferencesTest, NamesEachFieldThatDiffers) {
  v1::JobResult a =
      Result(1, Models()[0], 1, v1::MODE_INFERENCE, v1::DEVICE_KIND_CPU, 40);
  v1::JobResult b = a;
  b.set_job_id(2);
  a.mutable_provenance()->set_libtorch_version("1.13.1");
  a.mutable_provenance()->set_blas_vendor("openblas");
  a.mutable_provenance()->set_agent_version("0.3");
  b.mutable_provenance()->set_libtorch_version("2.1.0");
  b.mutable_provenance()->set_blas_vendor("openblas");
  // Unknown on one side: not compared.
  EXPECT_EQ(SoftwareDifferences({a}, {b}),
            std::vector<std::string>({"libtorch_version: 1.13.1 -> 2.1.0"}));
  EXPECT_TRUE(SoftwareDifferences({a}, {a}).empty());
  EXPECT_TRUE(SoftwareDifferences({a}, {Result(3, Models()[0], 1, v1::MODE_INFERENCE,
                                               v1::DEVICE_KIND_CPU, 40)})
                  .empty());

  // The comparison carries them and says so in its reason.
  absl::StatusOr<v1::ComparisonReport> report = CompareMatched(
      MatchResults({a}, {b}), kSteadySteps, RegressionOptions(), NoName);
  ASSERT_TRUE(report.ok()) << report.status();
  ASSERT_EQ(report->comparisons_size(), 1);
  const v1::ResultComparison& c = report->comparisons(0);
  EXPECT_EQ(c.software_differences_size(), 1);
  EXPECT_THAT(c.reason(),
              HasSubstr("software differs: libtorch_version: 1.13.1 -> 2.1.0"));
  // The same software: no note.
  report = CompareMatched(MatchResults({a}, {a}), kSteadySteps,
                          RegressionOptions(), NoName);
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->comparisons(0).software_differences_size(), 0);
  EXPECT_THAT(report->comparisons(0).reason(),
              ::testing::Not(HasSubstr("software differs")));
}

}  // namespace
}  // namespace benchfleet::analysis
