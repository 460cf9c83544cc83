#include "agent/runner/runner.h"

#include <vector>

#include "gtest/gtest.h"

namespace benchfleet::runner {
namespace {

v1::BenchmarkSpec TinySpec() {
  v1::BenchmarkSpec spec;
  spec.set_model("resnet18");
  spec.set_batch_size(2);
  spec.mutable_input()->set_channels(3);
  spec.mutable_input()->set_height(32);
  spec.mutable_input()->set_width(32);
  spec.set_threads(1);
  auto* budget = spec.mutable_budget();
  budget->set_warmup_iterations(1);
  budget->set_min_iterations(5);
  budget->set_max_iterations(5);
  budget->set_min_seconds(0.001);
  return spec;
}

TEST(RunnerTest, InferenceStreamsOneSamplePerIteration) {
  std::vector<v1::Sample> samples;
  const v1::JobResult r =
      RunJob(TinySpec(), 7, 1, [&](const v1::Sample& s) { samples.push_back(s); }, nullptr);
  ASSERT_EQ(r.status(), v1::JOB_STATUS_OK) << r.error();
  EXPECT_EQ(r.job_id(), 7);
  EXPECT_EQ(r.step().n(), 5);
  ASSERT_EQ(samples.size(), 5u);
  for (size_t i = 0; i < samples.size(); ++i) {
    EXPECT_EQ(samples[i].sequence(), static_cast<int64_t>(i));
    EXPECT_EQ(samples[i].attempt(), 1);
    EXPECT_EQ(samples[i].phase(), v1::PHASE_STEP);
    EXPECT_GT(samples[i].duration_ns(), 0);
  }
  EXPECT_GT(r.step().median_ms(), 0);
  EXPECT_LE(r.step().min_ms(), r.step().median_ms());
  EXPECT_LE(r.step().median_ms(), r.step().p90_ms());
  EXPECT_NEAR(r.items_per_second(), 2 * 1e3 / r.step().median_ms(), 1e-6);
  EXPECT_EQ(r.intra_op_threads(), 1);
}

TEST(RunnerTest, TrainingTimesEachPhase) {
  auto spec = TinySpec();
  spec.set_mode(v1::MODE_TRAINING);
  std::vector<v1::Sample> samples;
  const v1::JobResult r =
      RunJob(spec, 8, 1, [&](const v1::Sample& s) { samples.push_back(s); }, nullptr);
  ASSERT_EQ(r.status(), v1::JOB_STATUS_OK) << r.error();
  ASSERT_EQ(samples.size(), 20u);  // forward, backward, optimizer, step x 5
  EXPECT_EQ(samples[0].phase(), v1::PHASE_FORWARD);
  EXPECT_EQ(samples[1].phase(), v1::PHASE_BACKWARD);
  EXPECT_EQ(samples[2].phase(), v1::PHASE_OPTIMIZER);
  EXPECT_EQ(samples[3].phase(), v1::PHASE_STEP);
  EXPECT_GE(samples[3].duration_ns(),
            samples[0].duration_ns() + samples[1].duration_ns());
}

TEST(RunnerTest, CancelledJobStopsWithAClearStatus) {
  std::atomic<bool> cancelled{true};
  const v1::JobResult r = RunJob(TinySpec(), 11, 1, nullptr, &cancelled);
  EXPECT_EQ(r.status(), v1::JOB_STATUS_FAILED);
  EXPECT_NE(r.error().find("cancelled"), std::string::npos) << r.error();
}

TEST(RunnerTest, BadSpecFailsWithModelBatchAndCause) {
  auto spec = TinySpec();
  spec.set_batch_size(0);
  const v1::JobResult r = RunJob(spec, 9, 1, nullptr, nullptr);
  EXPECT_EQ(r.status(), v1::JOB_STATUS_FAILED);
  EXPECT_NE(r.error().find("model resnet18 batch 0"), std::string::npos);
  EXPECT_NE(r.error().find("batch_size = 0"), std::string::npos);
}

TEST(RunnerTest, ShapeTheModelRejectsFailsCleanly) {
  auto spec = TinySpec();
  spec.mutable_input()->set_channels(1);  // the stem expects 3 channels
  const v1::JobResult r = RunJob(spec, 10, 1, nullptr, nullptr);
  EXPECT_EQ(r.status(), v1::JOB_STATUS_FAILED);
  EXPECT_NE(r.error().find("model resnet18 batch 2 input 1x32x32: "),
            std::string::npos)
      << r.error();
}

}  // namespace
}  // namespace benchfleet::runner
