#include "analysis/report_tables.h"

#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "analysis/svg_plot.h"

namespace benchfleet::analysis {
namespace {

std::string Percent(double fraction) {
  if (std::isnan(fraction)) return "n/a";
  if (std::isinf(fraction)) return fraction > 0 ? "inf" : "-inf";
  return absl::StrFormat("%+.1f%%", 100 * fraction);
}

std::string Gflops(double flops_per_s) { return FormatSig(flops_per_s / 1e9); }

}  // namespace

std::string FormatSig(double value, int digits) {
  if (std::isnan(value)) return "n/a";
  if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
  const double a = std::fabs(value);
  std::string s;
  if (a >= 1e-3 && a < 1e6) {
    // Plain decimals in the range people read at a glance: 1900, not 1.9e+03.
    const int magnitude = static_cast<int>(std::floor(std::log10(a)));
    const double unit = std::pow(10.0, magnitude - digits + 1);
    const double rounded = std::round(value / unit) * unit;
    const int decimals = std::max(0, digits - 1 - magnitude);
    s = absl::StrFormat("%.*f", decimals, rounded);
    // Trailing zeros after the point carry no information here.
    if (s.find('.') != std::string::npos) {
      while (s.back() == '0') s.pop_back();
      if (s.back() == '.') s.pop_back();
    }
  } else {
    s = absl::StrFormat("%.*g", digits, value);
  }
  if (s == "-0") s = "0";
  return s;
}

Table FleetTable(const std::vector<v1::HardwareReport>& hosts) {
  Table t;
  t.caption = "Fleet";
  t.header = {"host",           "CPU",     "cores / threads",
              "memory (GiB)",   "BLAS",    "intra-op threads",
              "measured peaks", "warnings"};
  for (const v1::HardwareReport& h : hosts) {
    std::vector<std::string> peaks;
    for (const v1::MeasuredPeak& p : h.measured_peaks()) {
      if (p.unit() == "FLOP/s" || p.unit() == "B/s") {
        peaks.push_back(
            absl::StrCat(p.name(), " ", FormatSi(p.value(), p.unit())));
      } else {
        peaks.push_back(
            absl::StrCat(p.name(), " ", FormatSig(p.value()), " ", p.unit()));
      }
    }
    const std::string host =
        h.hostname().empty()
            ? h.host_id()
            : absl::StrCat(h.hostname(), h.simulated() ? " (simulated)" : "");
    t.rows.push_back(
        {host, h.cpu().model_name(),
         absl::StrCat(h.cpu().cores(), " / ", h.cpu().threads()),
         FormatSig(h.memory().total_bytes() / double(int64_t{1} << 30)),
         h.software().blas_vendor().empty() ? "unknown"
                                            : h.software().blas_vendor(),
         absl::StrCat(h.software().intra_op_threads()),
         peaks.empty() ? "none yet" : absl::StrJoin(peaks, "; "),
         absl::StrJoin(h.warnings(), "; ")});
    t.row_classes.push_back(h.warnings_size() > 0 ? "warn" : "");
  }
  return t;
}

Table PlacementTable(const std::vector<LabeledPlacement>& rows) {
  Table t;
  t.caption = "Roofline placement";
  t.header = {"point",
              "intensity (FLOP/B)",
              "achieved (GFLOP/s)",
              "attainable (GFLOP/s)",
              "eff. measured",
              "eff. datasheet",
              "bound",
              "above roof",
              "likely causes"};
  for (const LabeledPlacement& r : rows) {
    const Placement& p = r.placement;
    t.rows.push_back(
        {r.label, FormatSig(p.intensity), Gflops(p.achieved_flops_per_s),
         Gflops(p.attainable_measured), FormatSig(p.efficiency_measured),
         FormatSig(p.efficiency_datasheet), BoundName(p.bound),
         p.above_roof ? "YES" : "no", absl::StrJoin(p.likely_causes, "; ")});
    t.row_classes.push_back(p.above_roof                 ? "bad"
                            : p.bound == Bound::kUnknown ? "warn"
                                                         : "");
  }
  return t;
}

Table CorrelationTable(const CorrelationMatrix& matrix) {
  Table t;
  t.caption = absl::StrCat(
      "Correlations (", CorrelationMethodName(matrix.method), ", two-sided p)");
  t.header = {"variable", "with", "estimate", "p", "n"};
  for (size_t i = 0; i < matrix.names.size(); ++i) {
    for (size_t j = i + 1; j < matrix.names.size(); ++j) {
      const CorrelationResult& c = matrix.cells[i][j];
      t.rows.push_back({matrix.names[i], matrix.names[j], FormatSig(c.estimate),
                        FormatSig(c.p_value), absl::StrCat(c.n)});
    }
  }
  return t;
}

Table RegressionTable(const std::vector<LabeledVerdict>& rows) {
  Table t;
  t.caption = "Regressions (candidate / baseline medians)";
  t.header = {"benchmark", "n base", "n cand",  "ratio",
              "interval",  "p",      "verdict", "reason"};
  for (const LabeledVerdict& r : rows) {
    const RegressionVerdict& v = r.verdict;
    const std::string interval =
        std::isnan(v.ci.lower)
            ? "n/a"
            : absl::StrFormat("[%s, %s] %g%%", FormatSig(v.ci.lower, 4),
                              FormatSig(v.ci.upper, 4), 100 * v.ci.level);
    t.rows.push_back({r.label, absl::StrCat(v.n_baseline),
                      absl::StrCat(v.n_candidate), FormatSig(v.ratio, 4),
                      interval, FormatSig(v.p_value), VerdictName(v.verdict),
                      v.reason});
    switch (v.verdict) {
      case Verdict::kRegression:
        t.row_classes.push_back("bad");
        break;
      case Verdict::kImprovement:
        t.row_classes.push_back("good");
        break;
      case Verdict::kInsufficientData:
        t.row_classes.push_back("warn");
        break;
      case Verdict::kUnchanged:
        t.row_classes.push_back("");
        break;
    }
  }
  return t;
}

Table ChangePointTable(const std::string& series_label,
                       const std::vector<ChangePoint>& changes) {
  Table t;
  t.caption = absl::StrCat("Step changes: ", series_label);
  t.header = {"index", "before", "after", "change", "size (noise sigmas)", "z"};
  for (const ChangePoint& c : changes) {
    t.rows.push_back({absl::StrCat(c.index), FormatSig(c.before, 4),
                      FormatSig(c.after, 4), Percent(c.relative),
                      FormatSig(c.sigmas), FormatSig(c.z)});
  }
  return t;
}

Table ScalingTable(const std::vector<ThroughputSeries>& series) {
  Table t;
  t.caption = "Throughput against batch size";
  t.header = {"series",  "batch",      "items/s",
              "speedup", "efficiency", "saturation batch"};
  for (const ThroughputSeries& s : series) {
    const std::vector<ScalingPoint> points = ScalingEfficiency(s.points);
    for (size_t i = 0; i < points.size(); ++i) {
      const ScalingPoint& p = points[i];
      t.rows.push_back({i == 0 ? s.label : "", absl::StrCat(p.batch),
                        FormatSig(p.items_per_second, 4), FormatSig(p.speedup),
                        FormatSig(p.efficiency),
                        i == 0 ? absl::StrCat(SaturationBatch(s.points)) : ""});
    }
  }
  return t;
}

Table ForwardBackwardTable(const std::vector<v1::JobResult>& results) {
  Table t;
  t.caption = "Forward : backward (expected about 1 : 2)";
  t.header = {"model",         "batch",      "forward (ms)", "backward (ms)",
              "latency ratio", "FLOP ratio", "warnings"};
  for (const v1::JobResult& r : results) {
    if (r.spec().mode() != v1::MODE_TRAINING) continue;
    const ForwardBackwardRatios fb = ForwardBackward(r);
    t.rows.push_back({r.spec().model(), absl::StrCat(r.spec().batch_size()),
                      FormatSig(r.forward().median_ms(), 4),
                      FormatSig(r.backward().median_ms(), 4),
                      FormatSig(fb.latency_ratio), FormatSig(fb.flop_ratio),
                      absl::StrJoin(fb.warnings, "; ")});
    t.row_classes.push_back(fb.warnings.empty() ? "" : "warn");
  }
  return t;
}

}  // namespace benchfleet::analysis
