// Scatter and line charts for benchfleet's reports: series with distinct
// markers, polylines (roofs, curves) clipped to the plot, point and line
// labels, highlight rings, a legend, a title and footnotes, on linear or
// log10 axes (svg_axis.h). Pure and thread-safe.
#ifndef BENCHFLEET_ANALYSIS_SVG_CHART_H_
#define BENCHFLEET_ANALYSIS_SVG_CHART_H_

#include <cstddef>
#include <string>
#include <vector>

#include "analysis/svg_axis.h"

namespace benchfleet::analysis {

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

}  // namespace benchfleet::analysis

#endif  // BENCHFLEET_ANALYSIS_SVG_CHART_H_
