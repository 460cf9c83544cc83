#include "analysis/report_tables.h"

#include <cmath>

#include "gtest/gtest.h"

namespace benchfleet::analysis {
namespace {

TEST(FormatSigTest, SignificantDigits) {
  EXPECT_EQ(FormatSig(0.123456), "0.123");
  EXPECT_EQ(FormatSig(123456), "123000");
  EXPECT_EQ(FormatSig(1.9e3), "1900");
  EXPECT_EQ(FormatSig(1234567), "1.23e+06");
  EXPECT_EQ(FormatSig(0.000939), "0.000939");
  EXPECT_EQ(FormatSig(0.0001234), "0.000123");
  EXPECT_EQ(FormatSig(9.9996), "10");
  EXPECT_EQ(FormatSig(-2.5), "-2.5");
  EXPECT_EQ(FormatSig(1.5, 4), "1.5");
  EXPECT_EQ(FormatSig(std::nan("")), "n/a");
  EXPECT_EQ(FormatSig(-0.0), "0");
  EXPECT_EQ(FormatSig(INFINITY), "inf");
}

TEST(FleetTableTest, OneRowPerHost) {
  v1::HardwareReport h;
  h.set_hostname("host-a");
  h.mutable_cpu()->set_model_name("Example CPU");
  h.mutable_cpu()->set_cores(8);
  h.mutable_cpu()->set_threads(16);
  h.mutable_memory()->set_total_bytes(int64_t{32} << 30);
  h.mutable_software()->set_blas_vendor("openblas");
  h.mutable_software()->set_intra_op_threads(8);
  v1::MeasuredPeak* p = h.add_measured_peaks();
  p->set_name("sgemm");
  p->set_value(120e9);
  p->set_unit("FLOP/s");
  p = h.add_measured_peaks();
  p->set_name("stream_triad");
  p->set_value(20e9);
  p->set_unit("B/s");
  h.add_warnings("L3 size from getconf is implausible");
  const Table t = FleetTable({h, v1::HardwareReport()});
  ASSERT_EQ(t.rows.size(), 2u);
  EXPECT_EQ(t.rows[0], (std::vector<std::string>{
                           "host-a", "Example CPU", "8 / 16", "32", "openblas",
                           "8", "sgemm 120 GFLOP/s; stream_triad 20 GB/s",
                           "L3 size from getconf is implausible"}));
  EXPECT_EQ(t.row_classes[0], "warn");
  EXPECT_EQ(t.rows[1][4], "unknown");
  EXPECT_EQ(t.rows[1][6], "none yet");
}

TEST(PlacementTableTest, AboveRoofIsBad) {
  Placement p;
  p.intensity = 2;
  p.achieved_flops_per_s = 60e9;
  p.attainable_measured = 40e9;
  p.efficiency_measured = 1.5;
  p.bound = Bound::kMemory;
  p.above_roof = true;
  p.likely_causes = {"caches", "roof too low"};
  const Table t = PlacementTable({{"resnet50 b1", p}});
  ASSERT_EQ(t.rows.size(), 1u);
  EXPECT_EQ(t.rows[0], (std::vector<std::string>{"resnet50 b1", "2", "60", "40",
                                                 "1.5", "n/a", "memory", "YES",
                                                 "caches; roof too low"}));
  EXPECT_EQ(t.row_classes[0], "bad");
}

TEST(CorrelationTableTest, UpperTriangle) {
  CorrelationMatrix m;
  m.names = {"a", "b", "c"};
  m.cells.assign(3, std::vector<CorrelationResult>(3, {0.5, 0.01, 10}));
  const Table t = CorrelationTable(m);
  EXPECT_EQ(t.caption, "Correlations (spearman, two-sided p)");
  ASSERT_EQ(t.rows.size(), 3u);
  EXPECT_EQ(t.rows[2],
            (std::vector<std::string>{"b", "c", "0.5", "0.01", "10"}));
}

TEST(RegressionTableTest, ClassesByVerdict) {
  RegressionVerdict slow;
  slow.ratio = 1.0943;
  slow.ci = {1.0693, 1.1111, 0.95, 0};
  slow.p_value = 0.000939;
  slow.n_baseline = 8;
  slow.n_candidate = 8;
  slow.verdict = Verdict::kRegression;
  slow.reason = "median +9.4%";
  RegressionVerdict few;
  few.verdict = Verdict::kInsufficientData;
  const Table t = RegressionTable({{"resnet50", slow}, {"alexnet", few}});
  EXPECT_EQ(t.rows[0], (std::vector<std::string>{
                           "resnet50", "8", "8", "1.094", "[1.069, 1.111] 95%",
                           "0.000939", "regression", "median +9.4%"}));
  EXPECT_EQ(t.row_classes, (std::vector<std::string>{"bad", "warn"}));
  EXPECT_EQ(t.rows[1][4], "n/a");
}

TEST(ChangePointTableTest, Rows) {
  ChangePoint c;
  c.index = 41;
  c.before = 10.01;
  c.after = 11.5;
  c.relative = 0.1489;
  c.sigmas = 17.77;
  c.z = 24.5;
  const Table t = ChangePointTable("resnet50 nightly", {c});
  EXPECT_EQ(t.caption, "Step changes: resnet50 nightly");
  EXPECT_EQ(t.rows[0], (std::vector<std::string>{"41", "10.01", "11.5",
                                                 "+14.9%", "17.8", "24.5"}));
}

TEST(ScalingTableTest, SaturationOnFirstRow) {
  ThroughputSeries s;
  s.label = "resnet50";
  s.points = {{1, 100}, {8, 400}, {64, 800}};
  const Table t = ScalingTable({s});
  ASSERT_EQ(t.rows.size(), 3u);
  EXPECT_EQ(t.rows[0],
            (std::vector<std::string>{"resnet50", "1", "100", "1", "1", "64"}));
  EXPECT_EQ(t.rows[2],
            (std::vector<std::string>{"", "64", "800", "8", "0.125", ""}));
}

TEST(ForwardBackwardTableTest, TrainingOnly) {
  v1::JobResult train;
  train.mutable_spec()->set_model("alexnet");
  train.mutable_spec()->set_batch_size(8);
  train.mutable_spec()->set_mode(v1::MODE_TRAINING);
  train.mutable_forward()->set_n(5);
  train.mutable_forward()->set_median_ms(12);
  train.mutable_backward()->set_n(5);
  train.mutable_backward()->set_median_ms(24);
  train.mutable_cost()->set_forward_flops(1);
  train.mutable_cost()->set_backward_flops(2);
  v1::JobResult infer;
  infer.mutable_spec()->set_mode(v1::MODE_INFERENCE);
  const Table t = ForwardBackwardTable({train, infer});
  ASSERT_EQ(t.rows.size(), 1u);
  EXPECT_EQ(t.rows[0], (std::vector<std::string>{"alexnet", "8", "12", "24",
                                                 "0.5", "0.5", ""}));
  EXPECT_EQ(t.row_classes[0], "");
}

}  // namespace
}  // namespace benchfleet::analysis
