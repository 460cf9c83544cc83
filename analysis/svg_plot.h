// A small, self-contained SVG plotting layer for benchfleet's reports:
// linear and log10 axes with "nice" ticks, scatter series with distinct
// markers, polylines (roofs, curves), a legend, a title and footnotes; a
// heatmap with a diverging colour scale and the numbers in the cells; a
// horizontal bar chart. The domain plots (roofline, latency, correlation
// heatmap, throughput, FLOP breakdown) are in analysis/plots.h.
//
// Output is deterministic (fixed number formatting, no ids, no timestamps,
// no randomness), so golden tests compare it byte for byte. It uses no
// external assets, scripts, fonts or ids: an SVG can be saved as a file or
// inlined several times into one HTML page. All text is XML-escaped.
//
// Example:
//   Chart chart;
//   chart.title = "Latency vs FLOPs";
//   chart.x = {"Forward FLOPs (FLOP)", Scale::kLog10};
//   chart.y = {"Latency (ms)", Scale::kLog10};
//   chart.series.push_back({"cpu", {8.2e9, 1.4e9}, {41.0, 9.5}});
//   std::string svg = RenderChart(chart);
//
// The parts: svg_text.h (escaping, number labels), svg_axis.h (axes),
// svg_chart.h (charts), svg_heatmap.h (heatmaps), svg_bars.h (bar charts).
// Pure and thread-safe.
#ifndef BENCHFLEET_ANALYSIS_SVG_PLOT_H_
#define BENCHFLEET_ANALYSIS_SVG_PLOT_H_

#include "analysis/svg_axis.h"     // IWYU pragma: export
#include "analysis/svg_bars.h"     // IWYU pragma: export
#include "analysis/svg_chart.h"    // IWYU pragma: export
#include "analysis/svg_heatmap.h"  // IWYU pragma: export
#include "analysis/svg_text.h"     // IWYU pragma: export

#endif  // BENCHFLEET_ANALYSIS_SVG_PLOT_H_
