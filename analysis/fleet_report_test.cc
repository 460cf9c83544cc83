#include "analysis/fleet_report.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "analysis/fleet_fixture.h"
#include "analysis/xml_check.h"
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

ReportInput FixtureInput() {
  ReportInput input;
  v1::SweepStatus sweep;
  sweep.set_sweep_id(7);
  sweep.set_name("demo");
  sweep.set_state(v1::SWEEP_STATE_DONE);
  sweep.set_jobs_total(21);
  sweep.set_jobs_done(20);
  sweep.set_jobs_failed(1);
  input.sweeps.push_back(sweep);
  input.results = FleetResults();
  input.results[0].set_unstable(true);
  input.results[1].add_warnings("other processes took 40% of the CPU");
  input.results[1].set_other_cpu_load(0.4);
  v1::HardwareReport reference = Hardware();
  reference.mutable_software()->set_blas_vendor("reference");
  input.agents.push_back(Agent("agent-a", reference, true, 1));
  return input;
}

TEST(BuildReportTest, HasEverySection) {
  ReportInput input = FixtureInput();
  input.has_comparison = true;
  v1::SweepStatus previous;
  previous.set_sweep_id(3);
  previous.set_name("demo");
  input.baseline_sweeps.push_back(previous);
  v1::ResultComparison* c = input.comparison.add_comparisons();
  c->set_label("vgg19 b1 inference @ bench-01");
  c->set_verdict("regression");
  c->set_ratio(1.2);
  c->set_ci_lower(1.15);
  c->set_ci_upper(1.25);
  c->set_ci_level(0.95);
  c->set_p_value(1e-6);
  c->set_n_baseline(20);
  c->set_n_candidate(20);
  input.comparison.set_regressions(1);
  input.comparison.set_alpha(0.05);
  input.comparison.set_min_effect(0.05);

  const analysis::Report report = BuildReport(input);
  std::vector<std::string> titles;
  for (const analysis::Section& s : report.sections) titles.push_back(s.title);
  EXPECT_EQ(titles, std::vector<std::string>(
                        {"Overview", "Fleet", "Roofline", "Latency",
                         "Statistics", "Scaling", "Training", "Regressions",
                         "Warnings"}));
  const std::string html = analysis::RenderHtmlReport(report);
  EXPECT_EQ(analysis::XmlProblems(html, true), "");
  for (const char* needle : {
           "benchfleet report: sweep 7 (demo)",
           // fleet
           "bench-01", "measured peaks",
           // rooflines: one per device, then the whole fleet, placements
           "Roofline: Example CPU 8C @ bench-01", "Roofline: NVIDIA T4 @ bench-01",
           "Roofline: the whole fleet", "Roofline placement",
           // latency, statistics
           "Latency vs FLOPs", "Latency vs parameters",
           "Spearman: Example CPU 8C @ bench-01, batch 1, inference",
           "Cross-device agreement", "95% CI",
           // scaling, training
           "Throughput vs batch size", "Throughput against batch size",
           "Forward : backward", "3866:1",
           "FLOPs by layer kind: vgg19, batch 1 training",
           // regressions and warnings
           "vgg19 b1 inference @ bench-01", "against the previous run",
           "reference BLAS", "unstable", "out of memory at batch 64",
           "other processes took 40%", "implausible"}) {
    EXPECT_NE(html.find(needle), std::string::npos) << "missing: " << needle;
  }
  // Self-contained: no scripts, no external URLs.
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("src=\"http"), std::string::npos);

  const std::string summary = ReportSummary(input);
  EXPECT_THAT(summary, HasSubstr("2 devices"));
  EXPECT_THAT(summary, HasSubstr("1 regression,"));
  // The seed's questions answered in a line each.
  EXPECT_THAT(summary, HasSubstr("Spearman rho(FLOPs, latency) = 1.00"));
  EXPECT_THAT(summary, HasSubstr("Forward:backward over 5 training results"));
  EXPECT_THAT(summary, HasSubstr("compute bound on the measured roof"));
  EXPECT_THAT(summary, HasSubstr("Batching (batch 1, 4)"));
  EXPECT_THAT(summary, HasSubstr("Machine load: other processes took more "
                                 "than 10% of the CPU while 1 of 20 results"));
}

TEST(BuildReportTest, SaysWhenThereIsNothingToCompare) {
  const ReportInput input = FixtureInput();
  const std::string html =
      analysis::RenderHtmlReport(BuildReport(input));
  EXPECT_NE(html.find("No earlier sweep of the same name"), std::string::npos);
  EXPECT_THAT(ReportSummary(input), HasSubstr("no earlier sweep"));
}
}  // namespace
}  // namespace benchfleet::analysis
