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
// Pure and thread-safe.
#ifndef BENCHFLEET_ANALYSIS_SVG_PLOT_H_
#define BENCHFLEET_ANALYSIS_SVG_PLOT_H_

#include <limits>
#include <string>
#include <string_view>
#include <vector>

namespace benchfleet::analysis {

// Escapes &, <, >, " and ' for XML and HTML text and attribute values, and
// replaces control characters that XML 1.0 forbids (other than tab, newline
// and carriage return) with '?'.
std::string XmlEscape(std::string_view text);

// Compact label for a value: SI suffixes from k to P ("2.5k", "10M", "1G"),
// plain decimals down to 0.001, scientific below; at most 3 significant
// digits. "0" for zero; "nan"/"inf"/"-inf" for non-finite values.
std::string FormatCompact(double value);

// `value` with an SI prefix glued to `unit` and 3 significant digits:
// FormatSi(1.9e12, "FLOP/s") = "1.9 TFLOP/s", FormatSi(38e9, "B/s") =
// "38 GB/s", FormatSi(0.5, "s") = "0.5 s" (no prefixes below 1).
std::string FormatSi(double value, std::string_view unit);

enum class Scale { kLinear, kLog10 };

struct Axis {
  std::string label;  // with the unit, e.g. "Latency (ms)"
  Scale scale = Scale::kLinear;
  // Range hints in data units; NaN = automatic. The range is always widened
  // to contain every plotted point, so no point is clipped away.
  double min = std::numeric_limits<double>::quiet_NaN();
  double max = std::numeric_limits<double>::quiet_NaN();
};

enum class Marker {
  kCircle,
  kSquare,
  kTriangle,
  kDiamond,
  kTriangleDown,
  kPlus,
  kCross,
  kNone,  // no markers: a pure line
};

enum class LineStyle { kSolid, kDashed, kDotted };

struct Series {
  std::string name;       // legend text; empty = not in the legend
  std::vector<double> x;  // data units
  std::vector<double> y;  // data units; x and y have equal lengths
  bool line = false;      // connect points in the given order
  LineStyle line_style = LineStyle::kSolid;  // e.g. dashed datasheet roofs
  double line_width = 1.8;                   // px
  // Optional text drawn on the plot beside the line, in its colour: at the
  // line's right end (above it), or at its left end when
  // line_label_at_start. For naming ceilings where they are drawn.
  std::string line_label;
  bool line_label_at_start = false;
  Marker marker = Marker::kCircle;  // kNone for a line without markers
  std::string color;  // "#rrggbb"; empty = palette colour by index
  // Optional, one per point: small text beside the marker.
  std::vector<std::string> point_labels;
  // Optional, one per point: draw a red ring around the marker (e.g. a point
  // above its roof). Rings are explained once in the legend.
  std::vector<bool> highlight;
};

struct Chart {
  std::string title;
  Axis x;
  Axis y;
  std::vector<Series> series;
  int width = 760;   // px, legend included
  int height = 460;  // px, notes included
  // Legend text for the ring drawn around highlighted points.
  std::string highlight_label = "flagged";
  // Footnotes under the x axis label, one line each.
  std::vector<std::string> notes;
};

// The chart as an <svg> element (no XML declaration, so it can be inlined
// in HTML or saved as a .svg file). Points that cannot be drawn (NaN, or
// not positive on a log axis) are skipped and counted in an automatic
// footnote; lines break at them. Lines are clipped to the plot area. With
// no drawable point at all the axes span [0, 1] (linear) or [1, 10] (log).
// Linear axes end on Heckbert's nice numbers; log axes end on 1, 2 or 5 x
// 10^k around the data, with decades labelled (and 2 and 5 when the axis
// spans at most three decades).
// Point labels take the first free spot around their marker (highlighted
// points first); a label that would overlap another is left out, and every
// labelled marker also carries its label as a hover title.
// Series colours come from the Okabe & Ito (2008) colour-blind-safe palette
// unless set. The legend sits right of the plot, at most 40% of the width
// (longer names are cut with an ellipsis); entries that do not fit the
// height are summarised as "... N more".
std::string RenderChart(const Chart& chart);

// The palette colour for series index i ("#0072b2", ...; cycles).
std::string PaletteColor(size_t i);

struct Heatmap {
  std::string title;
  std::vector<std::string> row_labels;
  std::vector<std::string> column_labels;
  // rows x columns; NaN = no value (grey cell, "n/a").
  std::vector<std::vector<double>> values;
  // Optional, same shape: the text in each cell; default "%.2f" of value.
  std::vector<std::vector<std::string>> cell_text;
  // Optional, same shape: hover text (<title>) of each cell.
  std::vector<std::vector<std::string>> cell_tooltips;
  double min = -1;          // value at the blue end of the colour scale
  double max = 1;           // value at the red end; the midpoint is white
  std::string scale_label;  // colour bar caption, e.g. "Spearman rho"
  std::vector<std::string> notes;  // footnotes
};

// The heatmap as an <svg> element: cells coloured on ColorBrewer's RdBu
// diverging scale (Brewer, colorbrewer2.org; blue low, white middle, red
// high; values are clamped to [min, max] for colour only), the cell text
// in black or white by the fill's luminance, row labels left, column labels
// below (rotated), a colour bar right. Missing rows or cells count as NaN.
std::string RenderHeatmap(const Heatmap& heatmap);

struct BarSeries {
  std::string name;            // legend text (legend shown for > 1 series)
  std::vector<double> values;  // one per category; NaN = no bar
  std::string color;           // empty = palette colour by index
};

struct BarChart {
  std::string title;
  std::string value_label;              // value axis label with its unit
  std::vector<std::string> categories;  // drawn top to bottom
  std::vector<BarSeries> series;        // grouped bars per category
  int value_decimals = 1;               // decimals of the value after a bar
  std::string value_suffix;             // e.g. "%"
  int width = 720;                      // px; the height follows the rows
  std::vector<std::string> notes;       // footnotes
};

// Horizontal grouped bar chart as an <svg> element. The value axis is linear
// with nice ticks and always includes 0; negative values extend left.
std::string RenderBarChart(const BarChart& chart);

}  // namespace benchfleet::analysis

#endif  // BENCHFLEET_ANALYSIS_SVG_PLOT_H_
