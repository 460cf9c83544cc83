#include "analysis/fleet_report.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <tuple>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "analysis/comparison.h"
#include "analysis/figure_text.h"
#include "analysis/fleet_roofline.h"
#include "analysis/plots.h"
#include "analysis/report_facts.h"
#include "analysis/report_tables.h"
#include "analysis/scaling.h"
#include "analysis/summary_stats.h"
#include "analysis/svg_plot.h"
#include "proto/names.h"

namespace benchfleet::analysis {
namespace {

std::string SeriesName(const DeviceGroup& g, size_t groups, int batch,
                       v1::Mode mode) {
  return absl::StrCat(groups > 1 ? g.Label() + ", " : "", "batch ", batch,
                      mode == v1::MODE_TRAINING ? " training" : "");
}

}  // namespace

Report BuildReport(const ReportInput& input) {
  const ReportFacts facts = Facts(input);
  const auto host_name = HostNamesOf(input.agents);
  const std::vector<DeviceGroup>& groups = facts.groups;
  std::vector<v1::JobResult> ok;
  for (const DeviceGroup& g : groups)
    ok.insert(ok.end(), g.results.begin(), g.results.end());
  std::stable_sort(ok.begin(), ok.end(),
                   [](const v1::JobResult& a, const v1::JobResult& b) {
                     return a.job_id() < b.job_id();
                   });

  Report report;
  std::vector<std::string> sweep_names;
  for (const v1::SweepStatus& s : input.sweeps) sweep_names.push_back(SweepName(s));
  report.title = absl::StrCat(
      "benchfleet report: ",
      sweep_names.empty() ? "selected results" : absl::StrJoin(sweep_names, ", "));
  report.subtitle = absl::StrCat(
      Count(groups.size(), "device"), ", ", Count(facts.models.size(), "model"),
      ", ", Count(facts.ok + facts.failed, "result"), " (", facts.failed,
      " failed, ", facts.unstable, " unstable), ",
      Count(facts.above_roof, "point"), " above the roof");

  // Overview.
  {
    Section& s = report.sections.emplace_back();
    s.title = "Overview";
    s.blocks.push_back(Paragraph(
        "The course study behind benchfleet, run for real: device roofs "
        "(measured by the agent, and from datasheets where catalogued), model "
        "FLOPs, parameters and memory traffic from the agent's cost model, "
        "each result placed on its device's roofline, what predicts latency "
        "(Spearman correlations), throughput against batch size, "
        "forward:backward ratios and where the FLOPs go by layer kind."));
    Table t;
    t.caption = "Sweeps";
    t.header = {"sweep", "name", "schedule", "state", "created (UTC)", "jobs",
                "done", "failed"};
    for (const v1::SweepStatus& sw : input.sweeps) {
      t.rows.push_back({absl::StrCat(sw.sweep_id()), sw.name(),
                        sw.schedule().empty() ? "-" : sw.schedule(),
                        SweepStateName(sw.state()), UtcTime(sw.created_unix_ms()),
                        absl::StrCat(sw.jobs_total()),
                        absl::StrCat(sw.jobs_done()),
                        absl::StrCat(sw.jobs_failed())});
      t.row_classes.push_back(sw.jobs_failed() > 0 ? "warn" : "");
    }
    if (!t.rows.empty()) s.blocks.push_back(TableBlock(t));
    for (const std::string& finding : facts.findings)
      s.blocks.push_back(Paragraph(finding));
  }

  // Fleet.
  {
    Section& s = report.sections.emplace_back();
    s.title = "Fleet";
    s.blocks.push_back(TableBlock(FleetTable(Hosts(groups))));
    for (const DeviceGroup& g : groups) {
      if (!g.has_hardware)
        s.blocks.push_back(Warning(absl::StrCat(
            "no hardware report from host ", g.host,
            " (its agent is unknown to the coordinator): no roofs for ",
            g.device_name)));
    }
  }

  // Roofline.
  {
    Section& s = report.sections.emplace_back();
    s.title = "Roofline";
    s.blocks.push_back(Paragraph(
        "Attainable performance is min(peak FLOP/s, bandwidth x intensity) "
        "(Williams, Waterman & Patterson 2009). Solid: the measured roof "
        "(highest measured compute peak, highest measured DRAM bandwidth); "
        "dashed: the datasheet roof; dotted: cache bandwidths. Intensity is "
        "forward FLOPs per byte of main-memory traffic (FLOP/byte; the seed "
        "labelled this axis Bytes/Op). Training points count forward and "
        "backward FLOPs against the forward intensity, so their placement is "
        "approximate. Points above their roof are ringed, never hidden."));
    for (size_t i = 0; i < groups.size(); ++i) {
      const DeviceGroup& g = groups[i];
      s.blocks.push_back(
          SvgBlock(DeviceRooflineChart(facts.roofline, facts.fleet, i,
                                       absl::StrCat("Roofline: ", g.Label()))));
      for (const std::string& note : facts.roofline.devices(i).notes())
        s.blocks.push_back(Paragraph(absl::StrCat(g.Label(), ": ", note)));
    }
    if (groups.size() > 1) {
      s.blocks.push_back(
          SvgBlock(RooflineChart(facts.roofline, facts.fleet,
                                      "Roofline: the whole fleet")));
    } else if (groups.size() == 1) {
      s.blocks.push_back(Paragraph(
          "One device: the fleet-wide chart (every device's roofs and points "
          "on one plot) would repeat the chart above."));
    }
    std::vector<LabeledPlacement> placements;
    for (const DeviceGroup& g : groups) {
      for (const v1::JobResult& r : g.results) {
        std::string label = ResultLabel(r, groups.size() > 1 ? g.Label() : "");
        placements.push_back({label, PlaceResult(g.roofline, r)});
      }
    }
    std::stable_sort(placements.begin(), placements.end(),
                     [](const LabeledPlacement& a,
                        const LabeledPlacement& b) {
                       return a.label < b.label;
                     });
    s.blocks.push_back(TableBlock(PlacementTable(placements)));
    if (facts.above_roof > 0)
      s.blocks.push_back(Warning(absl::StrCat(
          facts.above_roof,
          " points are above their roof: see their likely causes above (the "
          "seed study saw the same with vgg19 and alexnet on a GPU that was "
          "not the one its roof was drawn for).")));
  }

  // Latency against FLOPs and parameters (inference, like the seed's Q3).
  {
    Section& s = report.sections.emplace_back();
    s.title = "Latency";
    std::vector<LatencyPoint> by_flops, by_params;
    for (const DeviceGroup& g : groups) {
      for (const v1::JobResult& r : g.results) {
        if (r.spec().mode() == v1::MODE_TRAINING) continue;
        const std::string series = SeriesName(g, groups.size(),
                                              r.spec().batch_size(),
                                              r.spec().mode());
        by_flops.push_back({ObservationKey(r), series, r.cost().forward_flops(),
                            r.step().median_ms()});
        by_params.push_back({ObservationKey(r), series,
                             static_cast<double>(r.cost().params()),
                             r.step().median_ms()});
      }
    }
    auto by_series = [](const LatencyPoint& a,
                        const LatencyPoint& b) {
      return a.series < b.series;
    };
    std::stable_sort(by_flops.begin(), by_flops.end(), by_series);
    std::stable_sort(by_params.begin(), by_params.end(), by_series);
    s.blocks.push_back(Paragraph(
        "Median step latency of inference against the step's forward FLOPs "
        "and against the model's parameter count, per device and batch "
        "(the seed's figures 6 and 7)."));
    s.blocks.push_back(SvgBlock(LatencyVsPlot(
        by_flops, LatencyAxis::kFlops, "Latency vs FLOPs")));
    s.blocks.push_back(SvgBlock(LatencyVsPlot(
        by_params, LatencyAxis::kParams, "Latency vs parameters")));
  }

  // Statistics.
  {
    Section& s = report.sections.emplace_back();
    s.title = "Statistics";
    const CorrelateOptions options;  // Spearman, 2000 resamples, seed 42
    const std::vector<CorrelationGroup>& correlations = facts.correlations;
    s.blocks.push_back(Paragraph(absl::StrCat(
        "Spearman's rho between FLOPs of one step, parameters, main-memory "
        "traffic, intensity, median latency and throughput, one observation "
        "per model, per device, batch and mode (the seed's figure 8 found "
        "rho = 0.83 between FLOPs and CPU latency). p-values are two-sided; "
        "intervals are 95% percentile bootstraps with ",
        options.bootstrap.resamples, " resamples and a fixed seed (",
        options.bootstrap.seed,
        "), so a rerun on the same data gives the same bounds.")));
    if (correlations.empty())
      s.blocks.push_back(Paragraph(
          "No device has three or more models at one batch and mode: no "
          "correlation is defined."));
    for (const CorrelationGroup& g : correlations) {
      const std::string title = absl::StrCat("Spearman: ", g.device, ", batch ",
                                             g.batch, ", ", ModeName(g.mode));
      s.blocks.push_back(
          SvgBlock(CorrelationHeatmap(g.matrix, title)));
      Table t;
      t.caption = absl::StrCat(title, " (", g.models.size(), " models: ",
                               absl::StrJoin(g.models, ", "), ")");
      t.header = {"variable", "with", "rho", "95% CI", "p", "n"};
      for (size_t i = 0; i < g.matrix.names.size(); ++i) {
        for (size_t j = i + 1; j < g.matrix.names.size(); ++j) {
          const CorrelationResult& c = g.matrix.cells[i][j];
          t.rows.push_back({g.matrix.names[i], g.matrix.names[j],
                            Estimate2(c.estimate),
                            IntervalText(g.ci[i][j].lower, g.ci[i][j].upper),
                            FormatSig(c.p_value), absl::StrCat(c.n)});
        }
      }
      s.blocks.push_back(TableBlock(t));
    }
    const std::vector<DeviceAgreement> agreement =
        CrossDeviceAgreement(groups, options);
    if (agreement.empty()) {
      s.blocks.push_back(Paragraph(
          "Cross-device agreement (do two devices rank the models' latencies "
          "alike?) needs results from two or more devices."));
    } else {
      Table t;
      t.caption = "Cross-device agreement: Spearman of model latencies";
      t.header = {"device", "with", "batch", "mode", "rho", "95% CI", "p", "n"};
      for (const DeviceAgreement& a : agreement) {
        t.rows.push_back({a.device_a, a.device_b, absl::StrCat(a.batch),
                          ModeName(a.mode), Estimate2(a.result.estimate),
                          IntervalText(a.ci.lower, a.ci.upper),
                          FormatSig(a.result.p_value),
                          absl::StrCat(a.result.n)});
      }
      s.blocks.push_back(TableBlock(t));
    }
  }

  // Scaling.
  {
    Section& s = report.sections.emplace_back();
    s.title = "Scaling";
    const std::vector<ThroughputSeries> series =
        ThroughputByBatch(WithHostNames(ok, host_name));
    s.blocks.push_back(Paragraph(
        "Throughput (items/s = batch / median step time) against batch size "
        "(the seed's figure 9). Efficiency 1 means a batch of b costs no more "
        "time than the smallest batch; the saturation batch is the smallest "
        "reaching 90% of the best throughput."));
    s.blocks.push_back(SvgBlock(
        ThroughputVsBatch(series, "Throughput vs batch size")));
    s.blocks.push_back(TableBlock(ScalingTable(series)));
  }

  // Training: forward:backward and the FLOP breakdown.
  {
    Section& s = report.sections.emplace_back();
    s.title = "Training";
    s.blocks.push_back(Paragraph(
        "Forward and backward phases of a training step, timed separately, "
        "next to the cost model's FLOP ratio. The backward pass of a "
        "convolution or linear layer costs about twice its forward (input "
        "and weight gradients), so both ratios should be near 1:2. The seed "
        "study's FLOP ratios of up to 3866:1 came from a profiler that missed "
        "the backward operators, not from the models."));
    const Table fb = ForwardBackwardTable(ok);
    if (fb.rows.empty()) {
      s.blocks.push_back(Paragraph("No training results."));
    } else {
      s.blocks.push_back(TableBlock(fb));
    }
    // One breakdown per model: a training cost when there is one (it has
    // both passes), at the smallest batch.
    std::map<std::string, const v1::JobResult*> pick;
    for (const v1::JobResult& r : ok) {
      if (r.cost().by_kind().empty()) continue;
      const std::string key = ObservationKey(r);
      const v1::JobResult*& best = pick[key];
      const auto rank = [](const v1::JobResult* x) {
        return std::make_tuple(x->spec().mode() == v1::MODE_TRAINING ? 0 : 1,
                               x->spec().batch_size(), x->job_id());
      };
      if (best == nullptr || rank(&r) < rank(best)) best = &r;
    }
    s.blocks.push_back(Paragraph(
        "Share of each pass's FLOPs by layer kind, from the agent's cost "
        "model (the seed's Q5 pie charts, as bars)."));
    for (const auto& [key, r] : pick) {
      s.blocks.push_back(SvgBlock(FlopBreakdownBars(
          r->cost(), absl::StrCat("FLOPs by layer kind: ", key, ", batch ",
                                  r->spec().batch_size(), " ",
                                  ModeName(r->spec().mode())))));
    }
  }

  // Regressions.
  {
    Section& s = report.sections.emplace_back();
    s.title = "Regressions";
    if (!input.has_comparison) {
      s.blocks.push_back(Paragraph(
          "No earlier sweep of the same name or schedule: nothing to compare "
          "with yet. Run the same sweep again and this section compares the "
          "two runs benchmark by benchmark."));
    } else {
      std::vector<std::string> base;
      for (const v1::SweepStatus& b : input.baseline_sweeps)
        base.push_back(SweepName(b));
      s.blocks.push_back(Paragraph(absl::StrCat(
          "Against the previous run of each sweep: ", absl::StrJoin(base, ", "),
          ". Per-iteration step times compared with the Mann-Whitney U test "
          "and a Hodges-Lehmann interval for the ratio of medians; a change "
          "counts when p < ", FormatSig(input.comparison.alpha()),
          " and it is at least ", Percent(input.comparison.min_effect()),
          ". ", ComparisonSummary(input.comparison), ".")));
      std::vector<LabeledVerdict> rows;
      for (const v1::ResultComparison& c : input.comparison.comparisons()) {
        RegressionVerdict v;
        v.ratio = OptionalOrNaN(c.has_ratio(), c.ratio());
        v.ci.lower = OptionalOrNaN(c.has_ci_lower(), c.ci_lower());
        v.ci.upper = OptionalOrNaN(c.has_ci_upper(), c.ci_upper());
        v.ci.level = c.ci_level();
        v.p_value = OptionalOrNaN(c.has_p_value(), c.p_value());
        v.n_baseline = c.n_baseline();
        v.n_candidate = c.n_candidate();
        v.verdict = VerdictFromName(c.verdict());
        v.reason = c.reason();
        rows.push_back({c.label(), v});
      }
      if (rows.empty()) {
        std::vector<std::string> keys(input.comparison.only_in_baseline().begin(),
                                      input.comparison.only_in_baseline().end());
        if (keys.size() > 10) keys.resize(10);
        s.blocks.push_back(Warning(absl::StrCat(
            "No benchmark of this run matches one of the previous run: a "
            "match needs the same model, input, batch, mode, precision, "
            "device, host id, threads, layout and scenario. The previous "
            "run's keys",
            input.comparison.only_in_baseline_size() > 10 ? " (first 10)" : "",
            ": ", absl::StrJoin(keys, "; "))));
      } else {
        s.blocks.push_back(TableBlock(RegressionTable(rows)));
      }
      if (input.comparison.regressions() > 0) {
        const int busy = BusyRegressions(input.comparison);
        std::string text = absl::StrCat(
            Count(input.comparison.regressions(), "benchmark"),
            " regressed against the previous run.");
        if (busy > 0)
          absl::StrAppend(&text, " ", busy, " of them were timed while other "
                          "processes took more than 10% of the CPU: rerun on "
                          "a quiet machine before believing them.");
        s.blocks.push_back(Warning(text));
      }
    }
  }

  // Warnings.
  {
    Section& s = report.sections.emplace_back();
    s.title = "Warnings";
    std::vector<std::string> warnings;
    std::set<std::string> seen_hosts;
    for (const DeviceGroup& g : groups) {
      if (!g.has_hardware || !seen_hosts.insert(g.host).second) continue;
      const v1::HardwareReport& hw = g.hardware;
      const std::string host = g.hostname.empty() ? g.host : g.hostname;
      if (hw.simulated())
        warnings.push_back(absl::StrCat(
            host, " is a simulated agent: its timings are synthetic"));
      const std::string blas = hw.software().blas_vendor();
      if (blas == "reference")
        warnings.push_back(absl::StrCat(
            host,
            " runs the reference BLAS: GEMMs are about 30x slower than with "
            "OpenBLAS (install libopenblas0-openmp)"));
      else if (blas.empty() || blas == "unknown")
        warnings.push_back(absl::StrCat(host, ": BLAS library unknown"));
      for (const std::string& w : hw.warnings())
        warnings.push_back(absl::StrCat(host, ": ", w));
    }
    for (const DeviceGroup& g : groups) {
      if (!g.roofline.MeasuredRoof())
        warnings.push_back(absl::StrCat(
            g.Label(), ": no measured roof; run `agent calibrate` there"));
    }
    std::vector<std::string> unstable;
    for (const v1::JobResult& r : ok)
      if (r.unstable())
        unstable.push_back(ResultLabel(r, host_name(HostOf(r))));
    if (!unstable.empty())
      warnings.push_back(absl::StrCat(
          unstable.size(),
          " results are unstable (IQR above 10% of the median); their "
          "medians are less certain: ",
          absl::StrJoin(unstable, ", ")));
    for (const v1::JobResult& r : input.results) {
      if (r.status() != v1::JOB_STATUS_OK)
        warnings.push_back(absl::StrCat(
            "job ", r.job_id(), " failed: ",
            ResultLabel(r, host_name(HostOf(r))), ": ", r.error()));
    }
    // Result warnings, e.g. other processes' load while timing.
    constexpr size_t kMaxResultWarnings = 40;
    size_t shown = 0, hidden = 0;
    for (const v1::JobResult& r : ok) {
      for (const std::string& w : r.warnings()) {
        if (absl::StartsWith(w, "unstable")) continue;  // counted above
        if (shown < kMaxResultWarnings) {
          warnings.push_back(absl::StrCat(
              ResultLabel(r, host_name(HostOf(r))), ": ", w));
          ++shown;
        } else {
          ++hidden;
        }
      }
    }
    if (hidden > 0)
      warnings.push_back(absl::StrCat("... and ", hidden,
                                      " more result warnings (fleetctl "
                                      "results lists them all)"));
    if (warnings.empty()) {
      s.blocks.push_back(Paragraph("None."));
    } else {
      for (const std::string& w : warnings) s.blocks.push_back(Warning(w));
    }
  }
  return report;
}

}  // namespace benchfleet::analysis
