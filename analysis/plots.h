// The report's plots, built on analysis/svg_plot.h: the roofline with
// benchmark points, latency against FLOPs or parameters, the correlation
// heatmap, throughput against batch size and the per-kind FLOP breakdown
// (the seed study's figures 4/11, 6/7, 8, 9 and its Q5 pies).
//
// Each function returns one <svg> element (see RenderChart for what is
// drawn and what is counted in footnotes). Output is deterministic.
//
// Example:
//   std::string svg = RooflinePlot({device}, points, "Roofline: host-a");
//
// Pure and thread-safe.
#ifndef BENCHFLEET_ANALYSIS_PLOTS_H_
#define BENCHFLEET_ANALYSIS_PLOTS_H_

#include <string>
#include <vector>

#include "analysis/correlation.h"
#include "analysis/roofline.h"
#include "analysis/scaling.h"
#include "proto/benchmark.pb.h"

namespace benchfleet::analysis {

// One benchmark result on the roofline.
struct RooflinePoint {
  std::string label;     // text beside the point (e.g. the model); may be empty
  std::string series;    // legend group (e.g. "batch 1"); one marker each
  double intensity = 0;  // FLOP/byte of main-memory traffic
  double achieved_flops_per_s = 0;  // FLOP/s
  bool above_roof = false;          // from Placement::above_roof: ringed red
};

// Log-log roofline: x "Operational intensity (FLOP/byte)" (the seed study
// labels this axis "Bytes/Op" while plotting FLOP/byte), y "Performance
// (GFLOP/s)". Per device: the measured roof solid, the datasheet roof
// dashed, lower compute ceilings as thin lines and cache bandwidths as
// dotted lines, each named on the plot, in the device's colour. Points are
// coloured and shaped by series; points above their roof get a red ring and
// stay visible. The x range spans the points and a factor of 8 either side of
// every ridge point, in whole decades.
std::string RooflinePlot(const std::vector<DeviceRoofline>& devices,
                         const std::vector<RooflinePoint>& points,
                         const std::string& title);

struct LatencyPoint {
  std::string label;   // text beside the point; may be empty
  std::string series;  // legend group (e.g. "cpu, batch 1")
  double x = 0;        // FLOPs or parameter count
  double latency_ms = 0;
};

enum class LatencyAxis { kFlops, kParams };

// Log-log scatter of latency (ms) against FLOPs ("Forward FLOPs (FLOP)") or
// parameters ("Parameters (count)"), one marker and colour per series.
std::string LatencyVsPlot(const std::vector<LatencyPoint>& points,
                          LatencyAxis axis, const std::string& title);

// Heatmap of `matrix` on [-1, 1]: each cell shows the estimate to 2
// decimals, with "*" when p < 0.05 (not on the diagonal); hovering shows
// estimate, p and n. NaN cells read "n/a".
std::string CorrelationHeatmap(const CorrelationMatrix& matrix,
                               const std::string& title);

// Log-log throughput (items/s) against batch size (items), one line with
// markers per series.
std::string ThroughputVsBatch(const std::vector<ThroughputSeries>& series,
                              const std::string& title);

// Horizontal bars of each layer kind's share (%) of the forward and of the
// backward FLOPs of `cost` (FlopSharesByKind with min_share 0.01), kinds
// ordered by forward FLOPs; a footnote gives both totals and their ratio.
std::string FlopBreakdownBars(const v1::CostFigures& cost,
                              const std::string& title);

}  // namespace benchfleet::analysis

#endif  // BENCHFLEET_ANALYSIS_PLOTS_H_
