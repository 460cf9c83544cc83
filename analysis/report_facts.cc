#include "analysis/report_facts.h"

#include <algorithm>
#include <cmath>
#include <map>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "analysis/comparison.h"
#include "analysis/figure_text.h"
#include "analysis/fleet_roofline.h"
#include "analysis/report_tables.h"
#include "analysis/scaling.h"
#include "analysis/summary_stats.h"
#include "analysis/svg_plot.h"
#include "proto/names.h"

namespace benchfleet::analysis {
namespace {

std::string Range(std::vector<double> v, const std::string& suffix = "") {
  std::sort(v.begin(), v.end());
  if (v.empty()) return "n/a";
  if (v.size() == 1 || FormatSig(v.front()) == FormatSig(v.back()))
    return FormatSig(v.front()) + suffix;
  return absl::StrCat(FormatSig(v.front()), suffix, " to ",
                      FormatSig(v.back()), suffix);
}

// The seed study's questions, answered in one sentence each from `f`.
std::vector<std::string> Findings(const ReportFacts& f) {
  std::vector<std::string> out;
  // First, whether the figures can be trusted at all: a shared machine's
  // other processes inflate latencies (the agent measures their share).
  {
    size_t results = 0, busy = 0;
    double worst = 0;
    for (const DeviceGroup& g : f.groups) {
      for (const v1::JobResult& r : g.results) {
        ++results;
        if (r.other_cpu_load() > kBusyLoad) ++busy;
        worst = std::max(worst, r.other_cpu_load());
      }
    }
    if (busy > 0)
      out.push_back(absl::StrCat(
          "Machine load: other processes took more than 10% of the CPU while ",
          busy, " of ", Count(results, "result"), " were timed (up to ",
          Percent(worst),
          "), so their latencies are inflated and comparisons with other runs "
          "unreliable; rerun on a quiet machine for figures to keep."));
  }
  // Q2/Q4: where the results sit on the roofline.
  for (const v1::RooflineDevice& d : f.roofline.devices()) {
    if (!d.has_measured_roof() || d.placements().empty()) continue;
    int compute = 0;
    std::vector<double> efficiency;
    std::vector<std::string> above;
    for (const v1::RooflinePlacement& p : d.placements()) {
      if (p.bound() == "compute") ++compute;
      if (p.has_efficiency_measured())
        efficiency.push_back(p.efficiency_measured());
      if (p.above_roof())
        above.push_back(absl::StrCat(p.model(), " b", p.batch_size(), " ",
                                     ModeName(p.mode())));
    }
    std::string line = absl::StrCat(
        "Roofline, ", d.device_name(), " @ ",
        d.hostname().empty() ? d.host_id() : d.hostname(), ": ", compute,
        " of ", Count(d.placements_size(), "result"),
        " compute bound on the measured roof (",
        FormatSi(d.measured_roof().peak_flops_per_second(), "FLOP/s"), ", ",
        FormatSi(d.measured_roof().bandwidth_bytes_per_second(), "B/s"),
        ", ridge ", FormatSig(d.measured_roof().ridge_point()),
        " FLOP/byte); median efficiency ", Percent(MedianOfNumbers(efficiency)),
        " of attainable");
    if (above.empty()) {
      absl::StrAppend(&line, "; none above the roof.");
    } else {
      absl::StrAppend(&line, "; ", above.size(), " above the roof (",
                      absl::StrJoin(above, ", "),
                      "), flagged with likely causes.");
    }
    out.push_back(line);
  }
  // Q3: what predicts latency, at each device's smallest inference batch.
  std::set<std::string> done;
  for (const CorrelationGroup& g : f.correlations) {
    if (g.mode != v1::MODE_INFERENCE || !done.insert(g.device).second)
      continue;
    const auto& c = g.matrix.cells;
    out.push_back(absl::StrCat(
        "What predicts latency, ", g.device, " at batch ", g.batch, " (",
        Count(g.models.size(), "model"), "): Spearman rho(FLOPs, latency) = ",
        Estimate2(c[0][4].estimate), " ",
        IntervalText(g.ci[0][4].lower, g.ci[0][4].upper),
        ", rho(params, latency) = ", Estimate2(c[1][4].estimate), " ",
        IntervalText(g.ci[1][4].lower, g.ci[1][4].upper),
        " (95% bootstrap intervals); the seed study found 0.83 and 0.39 on "
        "its CPU, -0.14 and -0.03 on its GPU."));
  }
  // Q5: forward:backward.
  std::vector<double> latency_ratio, flop_ratio;
  size_t training = 0;
  for (const DeviceGroup& g : f.groups) {
    for (const v1::JobResult& r : g.results) {
      if (r.spec().mode() != v1::MODE_TRAINING) continue;
      ++training;
      const ForwardBackwardRatios fb = ForwardBackward(r);
      if (std::isfinite(fb.latency_ratio))
        latency_ratio.push_back(fb.latency_ratio);
      if (std::isfinite(fb.flop_ratio)) flop_ratio.push_back(fb.flop_ratio);
    }
  }
  if (!latency_ratio.empty() || !flop_ratio.empty()) {
    out.push_back(absl::StrCat(
        "Forward:backward over ", Count(training, "training result"),
        ": latency ratios ", Range(latency_ratio), ", cost-model FLOP ratios ",
        Range(flop_ratio),
        " (about 0.5 expected: a backward pass costs about twice its "
        "forward); the seed's FLOP ratios of 1.7 to 3866 came from a profiler "
        "that missed the backward operators."));
  }
  // Q3: batching.
  std::vector<v1::JobResult> ok;
  for (const DeviceGroup& g : f.groups)
    ok.insert(ok.end(), g.results.begin(), g.results.end());
  std::vector<double> speedups;
  std::set<int> batches;
  for (const ThroughputSeries& series :
       ThroughputByBatch(ok)) {
    const std::vector<ScalingPoint> points =
        ScalingEfficiency(series.points);
    if (points.size() < 2) continue;
    speedups.push_back(points.back().speedup);
    batches.insert(points.front().batch);
    batches.insert(points.back().batch);
  }
  if (!speedups.empty()) {
    std::vector<std::string> b;
    for (int x : batches) b.push_back(absl::StrCat(x));
    out.push_back(absl::StrCat(
        "Batching (batch ", absl::StrJoin(b, ", "), "): throughput at the "
        "largest batch over the smallest, median ",
        FormatSig(MedianOfNumbers(speedups)), "x over ", speedups.size(), " series (",
        Range(speedups, "x"), ")."));
  }
  return out;
}

}  // namespace

std::vector<v1::HardwareReport> Hosts(const std::vector<DeviceGroup>& groups) {
  std::vector<v1::HardwareReport> hosts;
  std::set<std::string> seen;
  for (const DeviceGroup& g : groups) {
    if (!g.has_hardware || !seen.insert(g.host).second) continue;
    hosts.push_back(g.hardware);
  }
  return hosts;
}

std::vector<v1::JobResult> WithHostNames(const std::vector<v1::JobResult>& results,
                                         const HostNamer& host_name) {
  std::vector<v1::JobResult> out = results;
  for (v1::JobResult& r : out) r.set_host_id(host_name(HostOf(r)));
  return out;
}

std::string SweepName(const v1::SweepStatus& s) {
  return absl::StrCat("sweep ", s.sweep_id(), " (", s.name(), ")");
}

ReportFacts Facts(const ReportInput& input) {
  ReportFacts f;
  f.groups = GroupByDevice(input.results, input.agents);
  f.roofline = BuildRooflineReport(f.groups);
  f.fleet = BuildFleetRoofline(f.groups);
  for (const v1::JobResult& r : input.results) {
    f.models.insert(r.spec().model());
    if (r.status() == v1::JOB_STATUS_OK) {
      ++f.ok;
      if (r.unstable()) ++f.unstable;
    } else {
      ++f.failed;
    }
  }
  for (const v1::RooflineDevice& d : f.roofline.devices())
    for (const v1::RooflinePlacement& p : d.placements())
      if (p.above_roof()) ++f.above_roof;
  f.correlations = CorrelateByDevice(f.groups, CorrelateOptions());
  f.findings = Findings(f);
  return f;
}

std::string ReportSummary(const ReportInput& input) {
  const ReportFacts facts = Facts(input);
  std::vector<std::string> sweeps;
  for (const v1::SweepStatus& s : input.sweeps) sweeps.push_back(SweepName(s));
  std::vector<std::string> devices;
  for (const DeviceGroup& g : facts.groups) devices.push_back(g.Label());
  std::string out = absl::StrCat(
      sweeps.empty() ? "selected results" : absl::StrJoin(sweeps, ", "), ": ",
      Count(facts.groups.size(), "device"),
      devices.empty() ? "" : absl::StrCat(" (", absl::StrJoin(devices, "; "), ")"),
      ", ", Count(facts.models.size(), "model"), ", ",
      Count(facts.ok + facts.failed, "result"), " (", facts.failed,
      " failed, ", facts.unstable, " unstable), ",
      Count(facts.above_roof, "point"), " above the roof\n");
  for (const std::string& finding : facts.findings)
    absl::StrAppend(&out, "- ", finding, "\n");
  if (input.has_comparison) {
    std::vector<std::string> base;
    for (const v1::SweepStatus& b : input.baseline_sweeps)
      base.push_back(absl::StrCat(b.sweep_id()));
    absl::StrAppend(&out, "against sweep(s) ", absl::StrJoin(base, ","), ": ",
                    ComparisonSummary(input.comparison), "\n");
    if (const int busy = BusyRegressions(input.comparison); busy > 0)
      absl::StrAppend(&out, "  ", busy, " of the regressions were timed while "
                      "other processes took more than 10% of the CPU\n");
  } else {
    out += "no earlier sweep of the same name or schedule to compare with\n";
  }
  return out;
}

}  // namespace benchfleet::analysis
