#include "analysis/html_report.h"

#include <sstream>

#include "analysis/golden.h"
#include "analysis/plots.h"
#include "analysis/report_tables.h"
#include "analysis/xml_check.h"
#include "gtest/gtest.h"

// Golden: analysis/testdata/report.html, compared byte for byte. After an
// intended change: BENCHFLEET_UPDATE_GOLDENS=1 bazel run
// //analysis:html_report_test, then open the file in a browser.

namespace benchfleet::analysis {
namespace {

v1::HardwareReport Host(const std::string& name, bool simulated) {
  v1::HardwareReport h;
  h.set_hostname(name);
  h.set_simulated(simulated);
  h.mutable_cpu()->set_model_name("Example CPU 8C");
  h.mutable_cpu()->set_cores(8);
  h.mutable_cpu()->set_threads(16);
  h.mutable_memory()->set_total_bytes(int64_t{32} << 30);
  h.mutable_software()->set_blas_vendor("openblas");
  h.mutable_software()->set_intra_op_threads(8);
  auto peak = [&h](const std::string& n, double v, const std::string& unit) {
    v1::MeasuredPeak* p = h.add_measured_peaks();
    p->set_name(n);
    p->set_value(v);
    p->set_unit(unit);
  };
  peak("sgemm", 120e9, "FLOP/s");
  peak("stream_triad", 20e9, "B/s");
  peak("l3", 100e9, "B/s");
  if (simulated) h.add_warnings("simulated agent: figures are made up");
  return h;
}

// A small but complete report: fleet, roofline, statistics, regressions,
// notes. Every builder the lead will use appears once.
Report SampleReport() {
  Report report;
  report.title = "benchfleet report <sample> & co";
  report.subtitle = "sweep 7, 2 hosts, 3 models (fixture)";

  const v1::HardwareReport host = Host("host-a", false);
  Section& fleet = report.sections.emplace_back();
  fleet.title = "Fleet";
  fleet.blocks.push_back(TableBlock(FleetTable({host, Host("sim-1", true)})));

  Section& roofline = report.sections.emplace_back();
  roofline.title = "Roofline";
  const DeviceRoofline device = RooflineFromHardware(
      host, {{"datasheet fp32", 150e9, RoofSource::kDatasheet, ""}},
      {{"datasheet DDR5", "DRAM", 25e9, RoofSource::kDatasheet, 0, ""}});
  struct Job {
    std::string model;
    double intensity, achieved;
  };
  const std::vector<Job> jobs = {
      {"resnet50", 21.4, 61e9}, {"alexnet", 5.9, 38e9}, {"vgg19", 49.9, 131e9}};
  std::vector<RooflinePoint> points;
  std::vector<LabeledPlacement> placements;
  for (const Job& j : jobs) {
    const Placement p = PlacePoint(device, j.intensity, j.achieved);
    points.push_back(
        {j.model, "batch 1", j.intensity, j.achieved, p.above_roof});
    placements.push_back({j.model + " b1", p});
  }
  roofline.blocks.push_back(
      SvgBlock(RooflinePlot({device}, points, "Roofline: host-a")));
  roofline.blocks.push_back(TableBlock(PlacementTable(placements)));
  roofline.blocks.push_back(
      Warning("vgg19 b1 is above the measured roof: see the likely causes."));

  Section& stats = report.sections.emplace_back();
  stats.title = "Statistics";
  const absl::StatusOr<CorrelationMatrix> m = ComputeCorrelationMatrix(
      {{"FLOPs", {8.22, 1.43, 0.45, 39.29, 1.65, 10.53}},
       {"Params", {25.6, 61.1, 5.5, 143.7, 1.2, 66.3}},
       {"Latency", {41.2, 5.5, 14.0, 180.5, 12.3, 95.0}}},
      CorrelationMethod::kSpearman);
  stats.blocks.push_back(SvgBlock(CorrelationHeatmap(*m, "Spearman")));
  stats.blocks.push_back(TableBlock(CorrelationTable(*m)));

  Section& regressions = report.sections.emplace_back();
  regressions.title = "Regressions";
  const std::vector<double> base = {10.1, 10.3, 9.9,   10.0,
                                    10.2, 10.4, 10.05, 9.95};
  const std::vector<double> slow = {11.0, 10.9, 11.2,  10.8,
                                    11.1, 11.3, 10.95, 11.05};
  const std::vector<double> same = {10.0, 10.2,  10.1,  9.9,
                                    10.3, 10.05, 10.15, 10.0};
  regressions.blocks.push_back(TableBlock(
      RegressionTable({{"resnet50 b1 cpu", *CompareSamples(base, slow)},
                       {"alexnet b1 cpu", *CompareSamples(base, same)},
                       {"vgg19 b1 cpu", *CompareSamples({10, 11}, slow)}})));
  regressions.blocks.push_back(
      TableBlock(ChangePointTable("resnet50 b1 nightly median (ms)",
                                  FindChangePoints(std::vector<double>{
                                      10.0, 10.1, 9.9, 10.05, 9.95, 10.02, 11.5,
                                      11.6, 11.4, 11.55, 11.45, 11.5}))));

  Section& notes = report.sections.emplace_back();
  notes.title = "Notes";
  notes.blocks.push_back(Paragraph(
      "FLOPs count a multiply-add as 2. Intensity is FLOP/byte of main-memory "
      "traffic."));
  notes.blocks.push_back(Preformatted("fleetctl report --sweep=7 > r.html"));
  return report;
}

TEST(HtmlReportTest, Golden) {
  const std::string html = RenderHtmlReport(SampleReport());
  EXPECT_EQ(XmlProblems(html, /*html=*/true), "");
  EXPECT_TRUE(MatchesGolden("report.html", html));
}

TEST(HtmlReportTest, SelfContained) {
  const std::string html = RenderHtmlReport(SampleReport());
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("src="), std::string::npos);
  EXPECT_EQ(html.find("url("), std::string::npos);
  EXPECT_EQ(html.find("@import"), std::string::npos);
  // The only URL is the SVG namespace name, which is never fetched.
  size_t urls = 0;
  for (size_t i = html.find("http"); i != std::string::npos;
       i = html.find("http", i + 1)) {
    EXPECT_EQ(html.compare(i, 26, "http://www.w3.org/2000/svg"), 0)
        << html.substr(i, 40);
    ++urls;
  }
  EXPECT_EQ(urls, 2u);  // two inline SVGs
  EXPECT_NE(html.find("<a href=\"#s1\">Fleet</a>"), std::string::npos);
}

TEST(HtmlReportTest, EscapesEverythingButTrustedSvg) {
  Report r;
  r.title = "<script>alert(1)</script>";
  Section& s = r.sections.emplace_back();
  s.title = "a & b";
  s.blocks.push_back(Paragraph("1 < 2"));
  s.blocks.push_back(SvgBlock("<img src=x onerror=alert(1)>"));
  Table t;
  t.header = {"<h>"};
  t.rows = {{"\"quoted\""}};
  s.blocks.push_back(TableBlock(t));
  const std::string html = RenderHtmlReport(r);
  EXPECT_EQ(XmlProblems(html, true), "");
  EXPECT_EQ(html.find("<script>"), std::string::npos);
  EXPECT_EQ(html.find("<img"), std::string::npos);
  EXPECT_NE(html.find("&lt;img src=x onerror=alert(1)&gt;"), std::string::npos);
  EXPECT_NE(html.find("<h2>1. a &amp; b</h2>"), std::string::npos);
  EXPECT_NE(html.find("<p>1 &lt; 2</p>"), std::string::npos);
  EXPECT_EQ(html.find("<nav>"), std::string::npos);  // one section: no contents
}

TEST(HtmlReportTest, NumericColumnsAreRightAligned) {
  Table t;
  t.header = {"name", "ms", "change", "mixed"};
  t.rows = {{"resnet50", "41.2", "+9.4%", "3x224x224"},
            {"alexnet", "n/a", "-1.2e-3", "12"},
            {"vgg19", "250 ms", "-", "ok"}};
  t.row_classes = {"bad", "", "nonsense"};
  Report r;
  r.sections.push_back({"t", {TableBlock(t)}});
  const std::string html = RenderHtmlReport(r);
  EXPECT_NE(html.find("<tr class=\"bad\"><td>resnet50</td><td class=\"num\">"
                      "41.2</td><td class=\"num\">+9.4%</td><td>3x224x224</td>"
                      "</tr>"),
            std::string::npos)
      << html;
  EXPECT_EQ(html.find("nonsense"), std::string::npos);
}

// The stream gets the golden document, appended to what it already holds.
TEST(HtmlReportTest, WritesTheGoldenDocumentToTheStream) {
  std::ostringstream out;
  out << "already here\n";
  WriteHtmlReport(SampleReport(), out);
  ASSERT_TRUE(out.good());
  const std::string written = out.str();
  ASSERT_EQ(written.rfind("already here\n<!DOCTYPE html>\n", 0), 0u)
      << written.substr(0, 80);
  EXPECT_TRUE(MatchesGolden("report.html", written.substr(13)));
}

}  // namespace
}  // namespace benchfleet::analysis
