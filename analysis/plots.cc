#include "analysis/plots.h"

#include <algorithm>
#include <cmath>
#include <map>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "analysis/svg_plot.h"

namespace benchfleet::analysis {
namespace {

constexpr Marker kMarkers[] = {
    Marker::kCircle,       Marker::kSquare, Marker::kTriangle, Marker::kDiamond,
    Marker::kTriangleDown, Marker::kPlus,   Marker::kCross};

Marker MarkerFor(size_t i) { return kMarkers[i % 7]; }

bool Positive(double v) { return std::isfinite(v) && v > 0; }

// Index of `name` in `order`, appending it when new (first-appearance order).
size_t GroupIndex(std::vector<std::string>* order, const std::string& name) {
  auto it = std::find(order->begin(), order->end(), name);
  if (it != order->end()) return static_cast<size_t>(it - order->begin());
  order->push_back(name);
  return order->size() - 1;
}

std::string Gflops(double flops_per_s) {
  return FormatSi(flops_per_s, "FLOP/s");
}

std::string GBps(double bytes_per_s) { return FormatSi(bytes_per_s, "B/s"); }

}  // namespace

std::string RooflinePlot(const std::vector<DeviceRoofline>& devices,
                         const std::vector<RooflinePoint>& points,
                         const std::string& title) {
  // The x range in whole decades: points and a factor 8 around each ridge.
  double lo = std::numeric_limits<double>::infinity();
  double hi = -lo;
  auto include = [&](double v) {
    if (!Positive(v)) return;
    lo = std::min(lo, v);
    hi = std::max(hi, v);
  };
  for (const RooflinePoint& p : points) {
    if (Positive(p.achieved_flops_per_s)) include(p.intensity);
  }
  for (const DeviceRoofline& d : devices) {
    for (const auto& roof : {d.MeasuredRoof(), d.DatasheetRoof()}) {
      if (!roof) continue;
      include(roof->RidgePoint() / 8);
      include(roof->RidgePoint() * 8);
    }
  }
  if (!(lo <= hi)) {
    lo = 0.1;
    hi = 100;
  }
  const double xmin = std::pow(10.0, std::floor(std::log10(lo)));
  double xmax = std::pow(10.0, std::ceil(std::log10(hi)));
  if (xmax <= xmin) xmax = xmin * 10;

  Chart chart;
  chart.title = title;
  chart.x = {"Operational intensity (FLOP/byte)", Scale::kLog10};
  chart.y = {"Performance (GFLOP/s)", Scale::kLog10};
  chart.x.min = xmin;
  chart.x.max = xmax;
  chart.highlight_label = "above its roof";
  chart.width = 900;  // room for the roof legend beside a square-ish plot
  chart.height = 500;

  // Roof polylines in GFLOP/s: bandwidth * x up to the ridge, then flat.
  auto roof_series = [&](const std::string& name, double peak, double bw,
                         const std::string& color, LineStyle style,
                         double width) {
    Series s;
    s.name = name;
    s.line = true;
    s.line_style = style;
    s.marker = Marker::kNone;
    s.color = color;
    s.line_width = width;
    const double ridge = peak / bw;
    s.x.push_back(xmin);
    s.y.push_back(std::min(peak, bw * xmin) / 1e9);
    if (ridge > xmin && ridge < xmax) {
      s.x.push_back(ridge);
      s.y.push_back(peak / 1e9);
    }
    s.x.push_back(xmax);
    s.y.push_back(std::min(peak, bw * xmax) / 1e9);
    return s;
  };
  for (size_t di = 0; di < devices.size(); ++di) {
    const DeviceRoofline& d = devices[di];
    const std::string color = PaletteColor(di);
    const std::string prefix = devices.size() > 1 ? d.device + ": " : "";
    for (RoofSource source : {RoofSource::kMeasured, RoofSource::kDatasheet}) {
      const std::optional<Roof> roof = source == RoofSource::kMeasured
                                           ? d.MeasuredRoof()
                                           : d.DatasheetRoof();
      if (!roof) continue;
      const bool datasheet = source == RoofSource::kDatasheet;
      chart.series.push_back(roof_series(
          absl::StrCat(prefix, RoofSourceName(source), " roof ",
                       Gflops(roof->peak_flops_per_s), ", ",
                       GBps(roof->bandwidth_bytes_per_s)),
          roof->peak_flops_per_s, roof->bandwidth_bytes_per_s, color,
          datasheet ? LineStyle::kDashed : LineStyle::kSolid, 2.2));
      // Lower compute ceilings of the same source under the main roof.
      for (const ComputeCeiling& c : d.compute) {
        if (c.source != source || !Positive(c.flops_per_s) ||
            c.flops_per_s >= roof->peak_flops_per_s) {
          continue;
        }
        Series ceiling = roof_series(
            absl::StrCat(prefix, c.name, " ", Gflops(c.flops_per_s)),
            c.flops_per_s, roof->bandwidth_bytes_per_s, color,
            datasheet ? LineStyle::kDashed : LineStyle::kSolid, 1.0);
        ceiling.line_label = c.name;  // at the right end of its flat part
        chart.series.push_back(std::move(ceiling));
      }
      // Cache bandwidths of the same source, up to the main compute peak.
      for (const MemoryCeiling& m : d.memory) {
        if (m.source != source || m.level == "DRAM" ||
            !Positive(m.bytes_per_s)) {
          continue;
        }
        Series ceiling =
            roof_series(absl::StrCat(prefix, m.level, " ", GBps(m.bytes_per_s)),
                        roof->peak_flops_per_s, m.bytes_per_s, color,
                        LineStyle::kDotted, 1.2);
        ceiling.line_label = m.level;  // at the left end of its slope
        ceiling.line_label_at_start = true;
        chart.series.push_back(std::move(ceiling));
      }
    }
  }

  std::vector<std::string> groups;
  std::vector<Series> point_series;
  for (const RooflinePoint& p : points) {
    const size_t g = GroupIndex(&groups, p.series);
    if (g == point_series.size()) {
      Series s;
      s.name = p.series;
      s.marker = MarkerFor(g);
      s.color = PaletteColor(devices.size() + g);
      point_series.push_back(s);
    }
    Series& s = point_series[g];
    s.x.push_back(p.intensity);
    s.y.push_back(p.achieved_flops_per_s / 1e9);
    s.point_labels.push_back(p.label);
    s.highlight.push_back(p.above_roof);
  }
  for (Series& s : point_series) chart.series.push_back(std::move(s));
  chart.notes.push_back(
      "x: FLOPs per byte of main-memory traffic (the seed study labelled this "
      "axis Bytes/Op); 1 multiply-add = 2 FLOPs");
  return RenderChart(chart);
}

std::string LatencyVsPlot(const std::vector<LatencyPoint>& points,
                          LatencyAxis axis, const std::string& title) {
  Chart chart;
  chart.title = title;
  chart.x = {axis == LatencyAxis::kFlops ? "Forward FLOPs (FLOP)"
                                         : "Parameters (count)",
             Scale::kLog10};
  chart.y = {"Latency (ms)", Scale::kLog10};
  std::vector<std::string> groups;
  for (const LatencyPoint& p : points) {
    const size_t g = GroupIndex(&groups, p.series);
    if (g == chart.series.size()) {
      Series s;
      s.name = p.series;
      s.marker = MarkerFor(g);
      chart.series.push_back(s);
    }
    Series& s = chart.series[g];
    s.x.push_back(p.x);
    s.y.push_back(p.latency_ms);
    s.point_labels.push_back(p.label);
  }
  return RenderChart(chart);
}

std::string CorrelationHeatmap(const CorrelationMatrix& matrix,
                               const std::string& title) {
  Heatmap h;
  h.title = title;
  h.row_labels = matrix.names;
  h.column_labels = matrix.names;
  std::string symbol;
  switch (matrix.method) {
    case CorrelationMethod::kPearson:
      h.scale_label = "Pearson r";
      symbol = "r";
      break;
    case CorrelationMethod::kSpearman:
      h.scale_label = "Spearman rho";
      symbol = "rho";
      break;
    case CorrelationMethod::kKendallTauB:
      h.scale_label = "Kendall tau-b";
      symbol = "tau-b";
      break;
  }
  for (size_t i = 0; i < matrix.cells.size(); ++i) {
    std::vector<double> values;
    std::vector<std::string> text, tips;
    for (size_t j = 0; j < matrix.cells[i].size(); ++j) {
      const CorrelationResult& c = matrix.cells[i][j];
      values.push_back(c.estimate);
      if (std::isnan(c.estimate)) {
        text.push_back("n/a");
        tips.push_back(absl::StrCat("undefined (n = ", c.n, ")"));
        continue;
      }
      // The diagonal is 1 by definition: no significance star.
      text.push_back(absl::StrFormat("%.2f%s", c.estimate,
                                     i != j && c.p_value < 0.05 ? "*" : ""));
      tips.push_back(absl::StrFormat("%s = %.3f, p = %.3g, n = %d", symbol,
                                     c.estimate, c.p_value, c.n));
    }
    h.values.push_back(values);
    h.cell_text.push_back(text);
    h.cell_tooltips.push_back(tips);
  }
  h.notes.push_back("* p < 0.05, two-sided");
  h.notes.push_back("n/a: fewer than 3 complete pairs, or a constant variable");
  return RenderHeatmap(h);
}

std::string ThroughputVsBatch(const std::vector<ThroughputSeries>& series,
                              const std::string& title) {
  Chart chart;
  chart.title = title;
  chart.x = {"Batch size (items)", Scale::kLog10};
  chart.y = {"Throughput (items/s)", Scale::kLog10};
  chart.width = 860;  // series labels are long
  for (size_t i = 0; i < series.size(); ++i) {
    Series s;
    s.name = series[i].label;
    s.line = true;
    s.marker = MarkerFor(i);
    for (const ThroughputPoint& p : series[i].points) {
      s.x.push_back(p.batch);
      s.y.push_back(p.items_per_second);
    }
    chart.series.push_back(std::move(s));
  }
  return RenderChart(chart);
}

std::string FlopBreakdownBars(const v1::CostFigures& cost,
                              const std::string& title) {
  const std::vector<FlopShare> forward = FlopSharesByKind(cost, Pass::kForward);
  const std::vector<FlopShare> backward =
      FlopSharesByKind(cost, Pass::kBackward);
  BarChart chart;
  chart.title = title;
  chart.value_label = "Share of the pass's FLOPs (%)";
  chart.value_suffix = "%";
  // Kinds in forward order, then backward-only kinds; "other" last.
  for (const auto* shares : {&forward, &backward}) {
    for (const FlopShare& s : *shares) {
      if (s.kind == "other") continue;
      if (std::find(chart.categories.begin(), chart.categories.end(), s.kind) ==
          chart.categories.end()) {
        chart.categories.push_back(s.kind);
      }
    }
  }
  for (const auto* shares : {&forward, &backward}) {
    for (const FlopShare& s : *shares) {
      if (s.kind == "other" &&
          std::find(chart.categories.begin(), chart.categories.end(),
                    "other") == chart.categories.end()) {
        chart.categories.push_back("other");
      }
    }
  }
  auto values_of = [&chart](const std::vector<FlopShare>& shares) {
    std::vector<double> values(chart.categories.size(), std::nan(""));
    for (const FlopShare& s : shares) {
      const size_t i = static_cast<size_t>(
          std::find(chart.categories.begin(), chart.categories.end(), s.kind) -
          chart.categories.begin());
      values[i] = 100 * s.share;
    }
    return values;
  };
  chart.series.push_back({"forward", values_of(forward), ""});
  chart.series.push_back({"backward", values_of(backward), ""});
  double fwd = 0, bwd = 0;
  for (const FlopShare& s : forward) fwd += s.flops;
  for (const FlopShare& s : backward) bwd += s.flops;
  std::string note =
      absl::StrCat("forward ", FormatCompact(fwd / 1e9), " GFLOP, backward ",
                   FormatCompact(bwd / 1e9), " GFLOP");
  if (fwd > 0 && bwd > 0) {
    absl::StrAppend(
        &note, absl::StrFormat(" (forward:backward 1:%.2f; about 1:2 expected)",
                               bwd / fwd));
  }
  chart.notes.push_back(note);
  chart.notes.push_back("kinds under 1% of a pass are summed into \"other\"");
  return RenderBarChart(chart);
}

}  // namespace benchfleet::analysis
