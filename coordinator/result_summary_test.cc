#include "coordinator/result_summary.h"

#include <string>
#include <vector>

#include "analysis/summary_stats.h"
#include "gtest/gtest.h"

namespace benchfleet::coordinator {
namespace {

// Samples 0..n-1 of job 7 attempt 1, cycling through `phases`.
std::vector<v1::Sample> SamplesOf(const std::vector<int64_t>& durations_ns,
                                  std::vector<v1::Phase> phases = {v1::PHASE_STEP},
                                  int32_t iterations = 0) {
  std::vector<v1::Sample> samples;
  for (size_t i = 0; i < durations_ns.size(); ++i) {
    v1::Sample s;
    s.set_job_id(7);
    s.set_attempt(1);
    s.set_sequence(static_cast<int64_t>(i));
    s.set_phase(phases[i % phases.size()]);
    s.set_duration_ns(durations_ns[i]);
    s.set_iterations(iterations);
    samples.push_back(s);
  }
  return samples;
}

v1::JobResult OkResult(int batch = 4) {
  v1::JobResult r;
  r.set_job_id(7);
  r.set_attempt(1);
  r.set_status(v1::JOB_STATUS_OK);
  r.mutable_spec()->set_model("resnet18");
  r.mutable_spec()->set_batch_size(batch);
  r.mutable_spec()->set_mode(v1::MODE_INFERENCE);
  return r;
}

// What an honest runner sends for `durations_ns` (runner::RunJob's formulas).
v1::JobResult HonestResult(const std::vector<int64_t>& durations_ns) {
  v1::JobResult r = OkResult();
  *r.mutable_step() = analysis::Summarize(durations_ns);
  r.set_items_per_second(r.spec().batch_size() * 1e3 / r.step().median_ms());
  r.set_unstable(analysis::IsUnstable(r.step()));
  r.set_iterations_per_sample(1);
  return r;
}

bool HasWarning(const v1::JobResult& r, const std::string& needle) {
  for (const std::string& w : r.warnings())
    if (w.find(needle) != std::string::npos) return true;
  return false;
}

void ExpectInvalid(const absl::Status& status, const std::string& needle) {
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << status;
  EXPECT_NE(status.message().find(needle), std::string::npos)
      << "missing \"" << needle << "\" in: " << status.message();
}

TEST(RecomputeSummaryTest, StoresTheSamplesMedianNotTheAgentsWithAWarning) {
  const std::vector<int64_t> five_ms(10, 5'000'000);
  v1::JobResult r = OkResult();
  r.mutable_step()->set_n(10);
  r.mutable_step()->set_median_ms(0.001);
  r.set_items_per_second(4e6);
  ASSERT_TRUE(RecomputeSummary(SamplesOf(five_ms), r).ok());
  EXPECT_EQ(r.step().n(), 10);
  EXPECT_DOUBLE_EQ(r.step().median_ms(), 5.0);
  EXPECT_DOUBLE_EQ(r.step().mean_ms(), 5.0);
  EXPECT_DOUBLE_EQ(r.step().p99_ms(), 5.0);
  EXPECT_DOUBLE_EQ(r.items_per_second(), 800.0);  // 4 items / 5 ms
  EXPECT_TRUE(HasWarning(
      r, "result.step.median_ms recomputed by the coordinator from the 10 "
         "stored samples: the agent sent 0.001, stored 5"))
      << r.DebugString();
  EXPECT_TRUE(HasWarning(r, "result.items_per_second"));
  EXPECT_TRUE(HasWarning(r, "the agent sent 4000000, stored 800"));
}

TEST(RecomputeSummaryTest, AnHonestResultIsUnchangedAndUnwarned) {
  const std::vector<int64_t> durations = {5'000'123, 5'100'000, 4'900'001, 5'050'000,
                                          5'020'000, 4'990'000, 5'300'000};
  const v1::JobResult honest = HonestResult(durations);
  v1::JobResult r = honest;
  ASSERT_TRUE(RecomputeSummary(SamplesOf(durations), r).ok());
  EXPECT_EQ(r.warnings_size(), 0) << r.DebugString();
  EXPECT_EQ(r.SerializeAsString(), honest.SerializeAsString());
}

TEST(RecomputeSummaryTest, RoundingIsNotADifference) {
  const std::vector<int64_t> durations(5, 2'000'000);
  v1::JobResult r = HonestResult(durations);
  r.mutable_step()->set_median_ms(2.0 + 5e-7);  // half a nanosecond
  r.set_items_per_second(r.items_per_second() * (1 + 1e-7));
  ASSERT_TRUE(RecomputeSummary(SamplesOf(durations), r).ok());
  EXPECT_EQ(r.warnings_size(), 0) << r.DebugString();
  EXPECT_DOUBLE_EQ(r.step().median_ms(), 2.0);

  r.mutable_step()->set_median_ms(2.0 + 1e-5);  // 10 ns, 5e-6 of it
  ASSERT_TRUE(RecomputeSummary(SamplesOf(durations), r).ok());
  EXPECT_TRUE(HasWarning(r, "result.step.median_ms")) << r.DebugString();
}

TEST(RecomputeSummaryTest, RefusesAnOkResultWithoutATimedIteration) {
  v1::JobResult r = OkResult();
  r.mutable_step()->set_n(0);
  ExpectInvalid(RecomputeSummary(SamplesOf({1'000'000}), r), "result.step.n = 0");
}

TEST(RecomputeSummaryTest, RefusesAnOkResultWithoutSamples) {
  v1::JobResult r = HonestResult(std::vector<int64_t>(10, 5'000'000));
  const std::string before = r.SerializeAsString();
  ExpectInvalid(RecomputeSummary({}, r),
                "result.step.n = 10 but no samples were stored for job 7 attempt 1");
  EXPECT_EQ(r.SerializeAsString(), before);  // unchanged
}

TEST(RecomputeSummaryTest, RefusesMoreSamplesThanWereStored) {
  v1::JobResult r = HonestResult(std::vector<int64_t>(10, 5'000'000));
  ExpectInvalid(RecomputeSummary(SamplesOf({5'000'000, 5'000'000, 5'000'000}), r),
                "result.step.n = 10 but 3 step samples were stored for job 7 attempt 1");
}

TEST(RecomputeSummaryTest, FewerClaimedThanStoredIsCorrected) {
  const std::vector<int64_t> durations(6, 1'000'000);
  v1::JobResult r = HonestResult({1'000'000, 1'000'000});
  ASSERT_TRUE(RecomputeSummary(SamplesOf(durations), r).ok());
  EXPECT_EQ(r.step().n(), 6);
  EXPECT_TRUE(HasWarning(r, "result.step.n recomputed by the coordinator from the "
                            "6 stored samples: the agent sent 2, stored 6"))
      << r.DebugString();
}

TEST(RecomputeSummaryTest, RefusesSamplesWithGaps) {
  std::vector<v1::Sample> samples = SamplesOf(std::vector<int64_t>(4, 1'000'000));
  samples[3].set_sequence(9);
  v1::JobResult r = HonestResult(std::vector<int64_t>(4, 1'000'000));
  ExpectInvalid(RecomputeSummary(samples, r), "sample.sequence: job 7 attempt 1 stored 4");
}

TEST(RecomputeSummaryTest, TrainingPhasesAndRatiosComeFromTheirSamples) {
  // forward 2 ms, backward 4 ms, optimizer 1 ms, step 7 ms, five iterations.
  std::vector<int64_t> durations;
  for (int i = 0; i < 5; ++i)
    durations.insert(durations.end(), {2'000'000, 4'000'000, 1'000'000, 7'000'000});
  const std::vector<v1::Phase> phases = {v1::PHASE_FORWARD, v1::PHASE_BACKWARD,
                                         v1::PHASE_OPTIMIZER, v1::PHASE_STEP};
  v1::JobResult r = OkResult(2);
  r.mutable_spec()->set_mode(v1::MODE_TRAINING);
  r.mutable_step()->set_n(5);
  r.mutable_step()->set_median_ms(7);
  r.mutable_forward()->set_n(5);
  r.mutable_forward()->set_median_ms(1);  // wrong: the samples say 2
  r.mutable_backward()->set_n(5);
  r.mutable_optimizer()->set_n(5);
  r.mutable_cost()->set_forward_flops(1e9);
  r.mutable_cost()->set_backward_flops(2e9);
  r.set_achieved_flops_per_second(1e15);
  ASSERT_TRUE(RecomputeSummary(SamplesOf(durations, phases), r).ok());
  EXPECT_DOUBLE_EQ(r.forward().median_ms(), 2.0);
  EXPECT_DOUBLE_EQ(r.backward().median_ms(), 4.0);
  EXPECT_DOUBLE_EQ(r.optimizer().median_ms(), 1.0);
  EXPECT_DOUBLE_EQ(r.forward_backward_latency_ratio(), 0.5);
  EXPECT_DOUBLE_EQ(r.forward_backward_flop_ratio(), 0.5);
  EXPECT_DOUBLE_EQ(r.achieved_flops_per_second(), 3e9 / 7e-3);
  EXPECT_DOUBLE_EQ(r.items_per_second(), 2e3 / 7);
  EXPECT_TRUE(HasWarning(r, "result.forward.median_ms"));
  EXPECT_TRUE(HasWarning(r, "result.achieved_flops_per_second"));
  EXPECT_FALSE(HasWarning(r, "result.step.median_ms"));

  r.mutable_backward()->set_n(6);
  ExpectInvalid(RecomputeSummary(SamplesOf(durations, phases), r),
                "result.backward.n = 6 but 5 backward samples were stored");
}

TEST(RecomputeSummaryTest, InferenceHasNoPhaseFigures) {
  const std::vector<int64_t> durations(3, 1'000'000);
  v1::JobResult r = HonestResult(durations);
  r.mutable_forward()->set_n(3);
  r.mutable_forward()->set_median_ms(1);
  r.set_forward_backward_latency_ratio(0.4);
  ASSERT_TRUE(RecomputeSummary(SamplesOf(durations), r).ok());
  EXPECT_FALSE(r.has_forward());
  EXPECT_EQ(r.forward_backward_latency_ratio(), 0);
  EXPECT_TRUE(HasWarning(r, "result.forward.n"));
  EXPECT_TRUE(HasWarning(r, "result.forward_backward_latency_ratio"));
}

TEST(RecomputeSummaryTest, TheUnstableFlagFollowsTheRecomputedSpread) {
  // IQR 2 ms of a 3 ms median.
  const std::vector<int64_t> durations = {1'000'000, 2'000'000, 3'000'000,
                                          4'000'000, 5'000'000};
  v1::JobResult r = HonestResult(durations);
  r.set_unstable(false);
  ASSERT_TRUE(RecomputeSummary(SamplesOf(durations), r).ok());
  EXPECT_TRUE(r.unstable());
  EXPECT_TRUE(HasWarning(r, "result.unstable recomputed by the coordinator from "
                            "the 5 stored samples: the agent sent 0, stored 1"));
}

TEST(RecomputeSummaryTest, OfflineThroughputIsCappedByTheSamplesTimes) {
  // Four blocks of 8 iterations at 0.5 ms each: 32 iterations in 16 ms of
  // timed work, so at most 4 x 32 / 16 ms = 8000 items/s.
  const std::vector<int64_t> durations(4, 500'000);
  v1::JobResult r = HonestResult(durations);
  r.mutable_spec()->set_scenario(v1::SCENARIO_OFFLINE);
  r.set_iterations_per_sample(8);
  r.set_offline_items_per_second(7900);  // the wall time had gaps: plausible
  ASSERT_TRUE(RecomputeSummary(SamplesOf(durations, {v1::PHASE_STEP}, 8), r).ok());
  EXPECT_DOUBLE_EQ(r.offline_items_per_second(), 7900);
  EXPECT_EQ(r.warnings_size(), 0) << r.DebugString();

  r.set_offline_items_per_second(50000);  // faster than its own samples
  ASSERT_TRUE(RecomputeSummary(SamplesOf(durations, {v1::PHASE_STEP}, 8), r).ok());
  EXPECT_DOUBLE_EQ(r.offline_items_per_second(), 8000);
  EXPECT_TRUE(HasWarning(r, "result.offline_items_per_second"));
}

TEST(RecomputeSummaryTest, BlockSizeComesFromTheSamples) {
  const std::vector<int64_t> durations(3, 100);
  v1::JobResult r = HonestResult(durations);
  r.set_iterations_per_sample(1);
  ASSERT_TRUE(RecomputeSummary(SamplesOf(durations, {v1::PHASE_STEP}, 64), r).ok());
  EXPECT_EQ(r.iterations_per_sample(), 64);
  EXPECT_TRUE(HasWarning(r, "result.iterations_per_sample"));
}

TEST(RecomputeSummaryTest, AFailedResultIsLeftAsItIs) {
  v1::JobResult r = OkResult();
  r.set_status(v1::JOB_STATUS_FAILED);
  r.set_error("out of memory");
  const std::string before = r.SerializeAsString();
  EXPECT_TRUE(RecomputeSummary({}, r).ok());
  EXPECT_EQ(r.SerializeAsString(), before);
}

}  // namespace
}  // namespace benchfleet::coordinator
