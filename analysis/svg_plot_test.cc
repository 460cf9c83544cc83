#include "analysis/svg_plot.h"

#include <cmath>

#include "analysis/golden.h"
#include "analysis/xml_check.h"
#include "gtest/gtest.h"

// Goldens: analysis/testdata/*.svg, compared byte for byte. After an
// intended change: BENCHFLEET_UPDATE_GOLDENS=1 bazel run
// //analysis:svg_plot_test, then look at the files in a browser.

namespace benchfleet::analysis {
namespace {

TEST(XmlEscapeTest, EscapesSpecialCharacters) {
  EXPECT_EQ(XmlEscape("a < b & c > \"d\" 'e'"),
            "a &lt; b &amp; c &gt; &quot;d&quot; &#39;e&#39;");
  EXPECT_EQ(XmlEscape(std::string("x\x01y\tz", 5)), "x?y\tz");
  EXPECT_EQ(XmlEscape("\xCF\x81 = 0.8"), "\xCF\x81 = 0.8");  // UTF-8 kept
}

TEST(FormatCompactTest, SiSuffixesAndDecimals) {
  EXPECT_EQ(FormatCompact(0), "0");
  EXPECT_EQ(FormatCompact(1), "1");
  EXPECT_EQ(FormatCompact(12.345), "12.3");
  EXPECT_EQ(FormatCompact(1500), "1.5k");
  EXPECT_EQ(FormatCompact(-2500), "-2.5k");
  EXPECT_EQ(FormatCompact(1e9), "1G");
  EXPECT_EQ(FormatCompact(8.22e9), "8.22G");
  EXPECT_EQ(FormatCompact(999960), "1M");  // not "1e+03k"
  EXPECT_EQ(FormatCompact(1e15), "1P");
  EXPECT_EQ(FormatCompact(0.001), "0.001");
  EXPECT_EQ(FormatCompact(0.25), "0.25");
  EXPECT_EQ(FormatCompact(0.00012), "0.00012");
  EXPECT_EQ(FormatCompact(std::nan("")), "nan");
  EXPECT_EQ(FormatCompact(-INFINITY), "-inf");
}

TEST(FormatSiTest, PrefixesGlueToUnits) {
  EXPECT_EQ(FormatSi(1.9e12, "FLOP/s"), "1.9 TFLOP/s");
  EXPECT_EQ(FormatSi(38e9, "B/s"), "38 GB/s");
  EXPECT_EQ(FormatSi(120e9, "FLOP/s"), "120 GFLOP/s");
  EXPECT_EQ(FormatSi(999.7e6, "B/s"), "1 GB/s");
  EXPECT_EQ(FormatSi(0.5, "s"), "0.5 s");
  EXPECT_EQ(FormatSi(0, "B/s"), "0 B/s");
}

Chart LinearChart() {
  Chart chart;
  chart.title = "Linear <test> & \"quotes\"";
  chart.x = {"Batch size (items)", Scale::kLinear};
  chart.y = {"Latency (ms)", Scale::kLinear};
  chart.width = 520;
  chart.height = 320;
  Series a;
  a.name = "cpu";
  a.x = {1, 8, 16, 32};
  a.y = {10, 42, 81, 160};
  a.line = true;
  a.point_labels = {"b1", "", "", "b32"};
  a.highlight = {false, false, false, true};
  Series b;
  b.name = "gpu (dashed)";
  b.x = {1, 8, 16, 32};
  b.y = {2, 3, 5.5, 9};
  b.line = true;
  b.line_style = LineStyle::kDashed;
  b.marker = Marker::kSquare;
  chart.series = {a, b};
  chart.highlight_label = "slow";
  chart.notes = {"a footnote"};
  return chart;
}

TEST(RenderChartTest, LinearGolden) {
  const std::string svg = RenderChart(LinearChart());
  EXPECT_EQ(XmlProblems(svg), "");
  EXPECT_NE(svg.find("Linear &lt;test&gt; &amp; &quot;quotes&quot;"),
            std::string::npos);
  EXPECT_TRUE(MatchesGolden("chart_linear.svg", svg));
}

TEST(RenderChartTest, LogLogGoldenCountsUndrawablePoints) {
  Chart chart;
  chart.title = "Log-log";
  chart.x = {"FLOPs (FLOP)", Scale::kLog10};
  chart.y = {"Latency (ms)", Scale::kLog10};
  chart.width = 520;
  chart.height = 320;
  Series s;
  s.name = "models";
  s.x = {9e7, 1.43e9, 8.22e9, 3.9e10, 0, std::nan("")};
  s.y = {3.2, 5.5, 41.2, 180.5, 10, 10};
  s.marker = Marker::kTriangle;
  chart.series = {s};
  const std::string svg = RenderChart(chart);
  EXPECT_EQ(XmlProblems(svg), "");
  EXPECT_NE(svg.find("2 points not drawn"), std::string::npos);
  // The x axis ends at 50M and 50G (1-2-5 ends), decades labelled between.
  EXPECT_EQ(svg.find(">10M</text>"), std::string::npos);
  EXPECT_NE(svg.find(">100M</text>"), std::string::npos);
  EXPECT_NE(svg.find(">10G</text>"), std::string::npos);
  EXPECT_EQ(svg.find(">100G</text>"), std::string::npos);
  EXPECT_TRUE(MatchesGolden("chart_loglog.svg", svg));
}

TEST(RenderChartTest, DeterministicAndSelfContained) {
  const std::string a = RenderChart(LinearChart());
  EXPECT_EQ(a, RenderChart(LinearChart()));
  EXPECT_EQ(a.find("<script"), std::string::npos);
  EXPECT_EQ(a.find(" id="), std::string::npos);  // safe to inline twice
  EXPECT_EQ(a.find("href"), std::string::npos);
}

TEST(RenderChartTest, EmptyChartStillRenders) {
  Chart chart;
  chart.x = {"x", Scale::kLog10};
  const std::string svg = RenderChart(chart);
  EXPECT_EQ(XmlProblems(svg), "");
  EXPECT_NE(svg.find(">10</text>"), std::string::npos);
}

TEST(RenderChartTest, RangeHintsAreWidenedNeverClip) {
  Chart chart;
  chart.x = {"x", Scale::kLinear, 0, 10};
  chart.y = {"y", Scale::kLinear, 0, 10};
  Series s;
  s.x = {5, 50};
  s.y = {5, 5};
  chart.series = {s};
  const std::string svg = RenderChart(chart);
  EXPECT_NE(svg.find(">50</text>"), std::string::npos);
  EXPECT_EQ(svg.find("not drawn"), std::string::npos);
}

// Five labelled points at one spot: four label positions, the fifth label
// is left out but every marker keeps its hover title. The highlighted
// point's label is placed first.
TEST(RenderChartTest, LabelsAvoidEachOther) {
  Chart chart;
  Series s;
  s.x = {1, 1, 1, 1, 1, 0, 2};  // (1, 1) is mid-plot
  s.y = {1, 1, 1, 1, 1, 0, 2};
  s.point_labels = {"one", "two", "three", "four", "five", "", ""};
  s.highlight = {false, false, false, false, true, false};
  chart.series = {s};
  const std::string svg = RenderChart(chart);
  EXPECT_EQ(XmlProblems(svg), "");
  size_t titles = 0;
  for (size_t i = svg.find("<title>"); i != std::string::npos;
       i = svg.find("<title>", i + 1)) {
    ++titles;
  }
  EXPECT_EQ(titles, 5u);
  const size_t group = svg.find("<g font-size=\"9\"");
  ASSERT_NE(group, std::string::npos);
  const std::string labels = svg.substr(group, svg.find("</g>", group) - group);
  EXPECT_NE(labels.find(">five</text>"), std::string::npos);
  EXPECT_NE(labels.find(">one</text>"), std::string::npos);
  EXPECT_NE(labels.find(">three</text>"), std::string::npos);
  EXPECT_EQ(labels.find(">four</text>"), std::string::npos);
}

TEST(RenderHeatmapTest, Golden) {
  Heatmap h;
  h.title = "Spearman";
  h.row_labels = {"FLOPs", "Params", "Latency (ms)"};
  h.column_labels = h.row_labels;
  h.values = {
      {1, 0.83, -0.14}, {0.83, 1, std::nan("")}, {-0.14, std::nan(""), 1}};
  h.cell_tooltips = {{"", "rho = 0.83", ""}, {}, {}};
  h.scale_label = "Spearman rho";
  h.notes = {"n/a: undefined"};
  const std::string svg = RenderHeatmap(h);
  EXPECT_EQ(XmlProblems(svg), "");
  EXPECT_NE(svg.find(">0.83</text>"), std::string::npos);
  EXPECT_NE(svg.find(">n/a</text>"), std::string::npos);
  EXPECT_NE(svg.find("<title>rho = 0.83</title>"), std::string::npos);
  // +1 is the red end of RdBu, -1 the blue end.
  EXPECT_NE(svg.find("fill=\"#67001f\""), std::string::npos);
  EXPECT_TRUE(MatchesGolden("heatmap.svg", svg));
}

TEST(RenderBarChartTest, Golden) {
  BarChart chart;
  chart.title = "FLOP shares";
  chart.value_label = "Share (%)";
  chart.categories = {"convolution", "linear", "delta"};
  chart.series = {{"forward", {80, 15, -5}, ""},
                  {"backward", {78, 20, std::nan("")}, ""}};
  chart.value_suffix = "%";
  chart.width = 520;
  const std::string svg = RenderBarChart(chart);
  EXPECT_EQ(XmlProblems(svg), "");
  EXPECT_NE(svg.find(">80.0%</text>"), std::string::npos);
  EXPECT_NE(svg.find(">-5.0%</text>"), std::string::npos);
  EXPECT_TRUE(MatchesGolden("bars.svg", svg));
}

TEST(PaletteTest, CyclesThroughOkabeIto) {
  EXPECT_EQ(PaletteColor(0), "#0072b2");
  EXPECT_EQ(PaletteColor(8), "#0072b2");
}

}  // namespace
}  // namespace benchfleet::analysis
