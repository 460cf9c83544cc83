#include "analysis/plots.h"

#include <cmath>

#include "analysis/golden.h"
#include "analysis/xml_check.h"
#include "gtest/gtest.h"

// Goldens: analysis/testdata/plot_*.svg, compared byte for byte. After an
// intended change: BENCHFLEET_UPDATE_GOLDENS=1 bazel run //analysis:plots_test,
// then look at the files in a browser.

namespace benchfleet::analysis {
namespace {

DeviceRoofline Device() {
  DeviceRoofline d;
  d.device = "Example CPU 8C";
  d.compute = {{"sgemm", 120e9, RoofSource::kMeasured, ""},
               {"fp32_fma", 80e9, RoofSource::kMeasured, ""},
               {"datasheet fp32", 150e9, RoofSource::kDatasheet, ""}};
  d.memory = {{"stream_triad", "DRAM", 20e9, RoofSource::kMeasured, 0, ""},
              {"l3", "L3", 100e9, RoofSource::kMeasured, 8 << 20, ""},
              {"datasheet DDR5", "DRAM", 25e9, RoofSource::kDatasheet, 0, ""}};
  return d;
}

std::vector<RooflinePoint> Points() {
  return {{"resnet50", "batch 1", 21.4, 61e9, false},
          {"alexnet", "batch 1", 5.9, 38e9, false},
          {"mobilenet_v3", "batch 1", 3.5, 9e9, false},
          {"resnet50", "batch 8", 55.0, 95e9, false},
          {"vgg19", "batch 8", 49.9, 131e9, true}};
}

TEST(RooflinePlotTest, Golden) {
  const std::string svg =
      RooflinePlot({Device()}, Points(), "Roofline: host-a");
  EXPECT_EQ(XmlProblems(svg), "");
  EXPECT_NE(svg.find("Operational intensity (FLOP/byte)"), std::string::npos);
  EXPECT_NE(svg.find("Performance (GFLOP/s)"), std::string::npos);
  EXPECT_EQ(svg.find("Bytes/Op ("), std::string::npos);
  EXPECT_NE(svg.find("measured roof 120 GFLOP/s, 20 GB/s"), std::string::npos);
  EXPECT_NE(svg.find("datasheet roof 150 GFLOP/s, 25 GB/s"), std::string::npos);
  EXPECT_NE(svg.find("above its roof"), std::string::npos);
  EXPECT_NE(svg.find("stroke=\"#d00000\""), std::string::npos);  // the ring
  EXPECT_TRUE(MatchesGolden("plot_roofline.svg", svg));
}

TEST(RooflinePlotTest, NoDevicesOrPoints) {
  EXPECT_EQ(XmlProblems(RooflinePlot({}, {}, "")), "");
  EXPECT_EQ(XmlProblems(RooflinePlot({DeviceRoofline()}, Points(), "")), "");
}

TEST(LatencyVsPlotTest, Golden) {
  const std::vector<LatencyPoint> points = {
      {"resnet50", "cpu, batch 1", 8.22e9, 41.2},
      {"alexnet", "cpu, batch 1", 1.43e9, 5.5},
      {"resnet50", "gpu, batch 1", 8.22e9, 4.1},
      {"alexnet", "gpu, batch 1", 1.43e9, 1.2}};
  const std::string svg =
      LatencyVsPlot(points, LatencyAxis::kFlops, "Latency vs FLOPs");
  EXPECT_EQ(XmlProblems(svg), "");
  EXPECT_NE(svg.find("Forward FLOPs (FLOP)"), std::string::npos);
  EXPECT_TRUE(MatchesGolden("plot_latency.svg", svg));
  EXPECT_NE(LatencyVsPlot(points, LatencyAxis::kParams, "")
                .find("Parameters (count)"),
            std::string::npos);
}

TEST(CorrelationHeatmapTest, Golden) {
  absl::StatusOr<CorrelationMatrix> m = ComputeCorrelationMatrix(
      {{"FLOPs", {8.22, 1.43, 0.45, 39.29, 1.65}},
       {"Params", {25.6, 61.1, 5.5, 143.7, 1.2}},
       {"CPU latency", {41.2, 5.5, 14.0, 180.5, 12.3}}},
      CorrelationMethod::kSpearman);
  ASSERT_TRUE(m.ok());
  const std::string svg = CorrelationHeatmap(*m, "Spearman correlation");
  EXPECT_EQ(XmlProblems(svg), "");
  EXPECT_NE(svg.find("Spearman rho"), std::string::npos);
  EXPECT_TRUE(MatchesGolden("plot_heatmap.svg", svg));
}

TEST(ThroughputVsBatchTest, Golden) {
  std::vector<ThroughputSeries> series(2);
  series[0].label = "resnet50 / host-a cpu / inference";
  series[0].points = {{1, 24}, {8, 61}, {64, 70}};
  series[1].label = "alexnet / host-a cpu / inference";
  series[1].points = {{1, 180}, {8, 520}, {64, 910}};
  const std::string svg = ThroughputVsBatch(series, "Throughput vs batch");
  EXPECT_EQ(XmlProblems(svg), "");
  EXPECT_TRUE(MatchesGolden("plot_throughput.svg", svg));
}

TEST(FlopBreakdownBarsTest, Golden) {
  v1::CostFigures cost;
  auto add = [&cost](const std::string& kind, double fwd, double bwd) {
    v1::LayerCost* l = cost.add_by_kind();
    l->set_kind(kind);
    l->set_forward_flops(fwd);
    l->set_backward_flops(bwd);
  };
  add("convolution", 7.7e9, 15.4e9);
  add("linear", 0.004e9, 0.008e9);
  add("batch_norm", 0.2e9, 0.5e9);
  add("activation", 0.05e9, 0.05e9);
  add("pooling", 0.0e9, 0.002e9);
  const std::string svg = FlopBreakdownBars(cost, "resnet50 FLOPs by kind");
  EXPECT_EQ(XmlProblems(svg), "");
  EXPECT_NE(svg.find("forward:backward 1:2.01"), std::string::npos);
  EXPECT_TRUE(MatchesGolden("plot_flop_bars.svg", svg));
}

}  // namespace
}  // namespace benchfleet::analysis
