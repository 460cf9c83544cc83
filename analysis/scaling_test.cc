#include "analysis/scaling.h"

#include <cmath>

#include "gtest/gtest.h"

namespace benchfleet::analysis {
namespace {

v1::JobResult Result(const std::string& model, const std::string& host,
                     int batch, double items_per_second) {
  v1::JobResult r;
  r.set_status(v1::JOB_STATUS_OK);
  r.set_host_id(host);
  r.mutable_spec()->set_model(model);
  r.mutable_spec()->set_batch_size(batch);
  r.mutable_spec()->set_mode(v1::MODE_INFERENCE);
  r.mutable_spec()->mutable_input()->set_channels(3);
  r.mutable_spec()->mutable_input()->set_height(224);
  r.mutable_spec()->mutable_input()->set_width(224);
  r.set_items_per_second(items_per_second);
  return r;
}

TEST(ThroughputByBatchTest, GroupsSortsAndTakesMedians) {
  std::vector<v1::JobResult> results = {
      Result("resnet50", "host-a", 8, 40), Result("resnet50", "host-a", 1, 10),
      Result("resnet50", "host-a", 8, 44), Result("resnet50", "host-a", 8, 60),
      Result("alexnet", "host-a", 1, 100), Result("resnet50", "host-b", 1, 12),
  };
  v1::JobResult failed = Result("resnet50", "host-a", 64, 1000);
  failed.set_status(v1::JOB_STATUS_FAILED);
  results.push_back(failed);
  v1::JobResult small = Result("resnet50", "host-a", 1, 30);
  small.mutable_spec()->mutable_input()->set_height(64);
  small.mutable_spec()->mutable_input()->set_width(64);
  results.push_back(small);

  const std::vector<ThroughputSeries> series = ThroughputByBatch(results);
  ASSERT_EQ(series.size(), 4u);
  EXPECT_EQ(series[0].label, "alexnet / host-a cpu / inference");
  EXPECT_EQ(series[1].label, "resnet50 / host-a cpu / inference");
  EXPECT_EQ(series[2].label, "resnet50 / host-b cpu / inference");
  EXPECT_EQ(series[3].label, "resnet50 3x64x64 / host-a cpu / inference");
  ASSERT_EQ(series[1].points.size(), 2u);  // the failed batch 64 is ignored
  EXPECT_EQ(series[1].points[0].batch, 1);
  EXPECT_EQ(series[1].points[1].batch, 8);
  EXPECT_DOUBLE_EQ(series[1].points[1].items_per_second, 44);  // median
  EXPECT_EQ(series[1].host, "host-a");
  EXPECT_EQ(series[1].device, "cpu");
}

// T(1) = 100, T(8) = 400, T(64) = 800 items/s: speedups 4 and 8,
// efficiencies 4/8 = 0.5 and 8/64 = 0.125.
TEST(ScalingEfficiencyTest, RelativeToSmallestBatch) {
  const std::vector<ScalingPoint> s = ScalingEfficiency(
      {{64, 800}, {1, 100}, {8, 400}, {0, 5}, {16, std::nan("")}});
  ASSERT_EQ(s.size(), 3u);
  EXPECT_EQ(s[0].batch, 1);
  EXPECT_DOUBLE_EQ(s[0].speedup, 1);
  EXPECT_DOUBLE_EQ(s[0].efficiency, 1);
  EXPECT_DOUBLE_EQ(s[1].speedup, 4);
  EXPECT_DOUBLE_EQ(s[1].efficiency, 0.5);
  EXPECT_DOUBLE_EQ(s[2].speedup, 8);
  EXPECT_DOUBLE_EQ(s[2].efficiency, 0.125);
}

// Without batch 1 the smallest batch is the reference: T(4) = 200,
// T(16) = 400: speedup 2 for 4x the batch, efficiency 0.5.
TEST(ScalingEfficiencyTest, WithoutBatchOne) {
  const std::vector<ScalingPoint> s = ScalingEfficiency({{4, 200}, {16, 400}});
  ASSERT_EQ(s.size(), 2u);
  EXPECT_DOUBLE_EQ(s[1].speedup, 2);
  EXPECT_DOUBLE_EQ(s[1].efficiency, 0.5);
  EXPECT_TRUE(ScalingEfficiency({}).empty());
}

TEST(SaturationBatchTest, FirstBatchWithinFractionOfBest) {
  EXPECT_EQ(SaturationBatch({{1, 100}, {8, 400}, {64, 800}, {256, 810}}), 64);
  EXPECT_EQ(SaturationBatch({{1, 100}, {8, 400}, {64, 800}, {256, 810}}, 1.0),
            256);
  EXPECT_EQ(SaturationBatch({}), 0);
}

v1::JobResult Training(double fwd_ms, double bwd_ms, double fwd_flops,
                       double bwd_flops) {
  v1::JobResult r;
  r.mutable_spec()->set_mode(v1::MODE_TRAINING);
  r.mutable_forward()->set_n(10);
  r.mutable_forward()->set_median_ms(fwd_ms);
  r.mutable_backward()->set_n(10);
  r.mutable_backward()->set_median_ms(bwd_ms);
  r.mutable_cost()->set_forward_flops(fwd_flops);
  r.mutable_cost()->set_backward_flops(bwd_flops);
  return r;
}

TEST(ForwardBackwardTest, ExpectedOneToTwo) {
  const ForwardBackwardRatios r = ForwardBackward(Training(10, 20, 4e9, 8e9));
  EXPECT_DOUBLE_EQ(r.latency_ratio, 0.5);
  EXPECT_DOUBLE_EQ(r.flop_ratio, 0.5);
  EXPECT_TRUE(r.warnings.empty());
}

// The seed study's squeezenet1_0 row: FLOP ratio 3866:1 because the
// profiler missed backward operators.
TEST(ForwardBackwardTest, SeedRatioIsFlagged) {
  const ForwardBackwardRatios r =
      ForwardBackward(Training(6.97, 10.0, 3866, 1));
  EXPECT_DOUBLE_EQ(r.flop_ratio, 3866);
  ASSERT_EQ(r.warnings.size(), 1u);
  EXPECT_EQ(r.warnings[0],
            "forward:backward FLOP ratio 3.87e+03 is above 1 (expected about "
            "0.5): backward operators were probably not counted");
}

TEST(ForwardBackwardTest, MissingAndSuspicious) {
  v1::JobResult inference;
  inference.mutable_spec()->set_mode(v1::MODE_INFERENCE);
  const ForwardBackwardRatios i = ForwardBackward(inference);
  EXPECT_TRUE(std::isnan(i.latency_ratio));
  EXPECT_EQ(i.warnings.size(), 1u);
  const ForwardBackwardRatios untimed = ForwardBackward(Training(10, 0, 1, 2));
  EXPECT_TRUE(std::isnan(untimed.latency_ratio));
  EXPECT_EQ(untimed.warnings[0], "forward or backward phase was not timed");
  EXPECT_EQ(ForwardBackward(Training(40, 20, 1, 2)).warnings.size(), 1u);
  EXPECT_EQ(ForwardBackward(Training(1, 20, 1, 2)).warnings.size(), 1u);
  EXPECT_EQ(ForwardBackward(Training(10, 20, 1, 10)).warnings.size(), 1u);
}

TEST(FlopSharesByKindTest, SortedWithOtherBucket) {
  v1::CostFigures cost;
  auto add = [&cost](const std::string& kind, double fwd, double bwd) {
    v1::LayerCost* l = cost.add_by_kind();
    l->set_name(kind);
    l->set_kind(kind);
    l->set_forward_flops(fwd);
    l->set_backward_flops(bwd);
  };
  add("convolution", 800, 1600);
  add("linear", 150, 300);
  add("batch_norm", 40, 100);
  add("activation", 5, 0);
  add("pooling", 5, 0);
  add("elementwise", 0, 0);
  const std::vector<FlopShare> fwd = FlopSharesByKind(cost, Pass::kForward);
  ASSERT_EQ(fwd.size(), 4u);
  EXPECT_EQ(fwd[0].kind, "convolution");
  EXPECT_DOUBLE_EQ(fwd[0].share, 0.8);
  EXPECT_EQ(fwd[1].kind, "linear");
  EXPECT_EQ(fwd[2].kind, "batch_norm");
  EXPECT_EQ(fwd[3].kind, "other");  // activation + pooling, 0.5% each
  EXPECT_DOUBLE_EQ(fwd[3].flops, 10);
  EXPECT_DOUBLE_EQ(fwd[3].share, 0.01);
  const std::vector<FlopShare> all = FlopSharesByKind(cost, Pass::kForward, 0);
  ASSERT_EQ(all.size(), 5u);
  EXPECT_EQ(all[3].kind, "activation");  // ties by name
  EXPECT_EQ(all[4].kind, "pooling");
  const std::vector<FlopShare> bwd = FlopSharesByKind(cost, Pass::kBackward);
  ASSERT_EQ(bwd.size(), 3u);
  EXPECT_DOUBLE_EQ(bwd[0].share, 0.8);
  EXPECT_TRUE(FlopSharesByKind(v1::CostFigures(), Pass::kForward).empty());
}

}  // namespace
}  // namespace benchfleet::analysis
