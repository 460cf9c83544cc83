#include "analysis/svg_chart.h"

#include <algorithm>
#include <cmath>
#include <utility>

#include "absl/strings/str_cat.h"
#include "analysis/svg_text.h"

namespace benchfleet::analysis {

using svg_internal::AxisMap;
using svg_internal::F;
using svg_internal::kCharWidthEm;
using svg_internal::MakeAxis;
using svg_internal::NotesSvg;
using svg_internal::SvgOpen;
using svg_internal::Text;
using svg_internal::TextWidth;
using svg_internal::Truncate;

namespace {

std::string MarkerSvg(Marker marker, double x, double y,
                      const std::string& color) {
  const std::string fill = absl::StrCat(
      " fill=\"", color, "\" stroke=\"#ffffff\" stroke-width=\"0.6\"/>\n");
  auto polygon = [&](std::vector<std::pair<double, double>> pts) {
    std::string s = "<polygon points=\"";
    for (size_t i = 0; i < pts.size(); ++i) {
      absl::StrAppend(&s, i ? " " : "", F(x + pts[i].first), ",",
                      F(y + pts[i].second));
    }
    return s + "\"" + fill;
  };
  switch (marker) {
    case Marker::kCircle:
      return absl::StrCat("<circle cx=\"", F(x), "\" cy=\"", F(y),
                          "\" r=\"4.2\"", fill);
    case Marker::kSquare:
      return absl::StrCat("<rect x=\"", F(x - 3.8), "\" y=\"", F(y - 3.8),
                          "\" width=\"7.6\" height=\"7.6\"", fill);
    case Marker::kTriangle:
      return polygon({{0, -5.2}, {4.8, 3.4}, {-4.8, 3.4}});
    case Marker::kDiamond:
      return polygon({{0, -5.4}, {4.6, 0}, {0, 5.4}, {-4.6, 0}});
    case Marker::kTriangleDown:
      return polygon({{0, 5.2}, {4.8, -3.4}, {-4.8, -3.4}});
    case Marker::kPlus:
      return absl::StrCat("<path d=\"M", F(x - 5), " ", F(y), "H", F(x + 5),
                          "M", F(x), " ", F(y - 5), "V", F(y + 5),
                          "\" stroke=\"", color,
                          "\" stroke-width=\"2\" fill=\"none\"/>\n");
    case Marker::kCross:
      return absl::StrCat("<path d=\"M", F(x - 4), " ", F(y - 4), "L", F(x + 4),
                          " ", F(y + 4), "M", F(x - 4), " ", F(y + 4), "L",
                          F(x + 4), " ", F(y - 4), "\" stroke=\"", color,
                          "\" stroke-width=\"2\" fill=\"none\"/>\n");
    case Marker::kNone:
      break;
  }
  return "";
}

std::string Ring(double x, double y) {
  return absl::StrCat("<circle cx=\"", F(x), "\" cy=\"", F(y),
                      "\" r=\"8\" fill=\"none\" stroke=\"#d00000\" "
                      "stroke-width=\"1.6\"/>\n");
}

struct Point {
  double x, y;
};

// Liang-Barsky clipping of segment a-b to the rectangle [x0,x1] x [y0,y1]
// (Liang & Barsky 1984). Returns false when nothing is inside; otherwise the
// parameters t0 <= t1 of the visible part.
bool ClipSegment(Point a, Point b, double x0, double x1, double y0, double y1,
                 double* t0, double* t1) {
  const double dx = b.x - a.x;
  const double dy = b.y - a.y;
  const double p[4] = {-dx, dx, -dy, dy};
  const double q[4] = {a.x - x0, x1 - a.x, a.y - y0, y1 - a.y};
  *t0 = 0;
  *t1 = 1;
  for (int i = 0; i < 4; ++i) {
    if (p[i] == 0) {
      if (q[i] < 0) return false;
      continue;
    }
    const double r = q[i] / p[i];
    if (p[i] < 0) {
      if (r > *t1) return false;
      *t0 = std::max(*t0, r);
    } else {
      if (r < *t0) return false;
      *t1 = std::min(*t1, r);
    }
  }
  return *t0 <= *t1;
}

// Polylines of `pts` (NaN breaks the line) clipped to the rectangle.
std::vector<std::vector<Point>> ClipPolyline(const std::vector<Point>& pts,
                                             double x0, double x1, double y0,
                                             double y1) {
  std::vector<std::vector<Point>> out;
  std::vector<Point> current;
  auto flush = [&]() {
    if (current.size() >= 2) out.push_back(current);
    current.clear();
  };
  for (size_t i = 0; i + 1 < pts.size(); ++i) {
    const Point a = pts[i];
    const Point b = pts[i + 1];
    if (std::isnan(a.x) || std::isnan(a.y) || std::isnan(b.x) ||
        std::isnan(b.y)) {
      flush();
      continue;
    }
    double t0, t1;
    if (!ClipSegment(a, b, x0, x1, y0, y1, &t0, &t1)) {
      flush();
      continue;
    }
    const Point ca{a.x + t0 * (b.x - a.x), a.y + t0 * (b.y - a.y)};
    const Point cb{a.x + t1 * (b.x - a.x), a.y + t1 * (b.y - a.y)};
    if (t0 > 0 || current.empty()) {
      flush();
      current.push_back(ca);
    }
    current.push_back(cb);
    if (t1 < 1) flush();
  }
  flush();
  return out;
}

std::string PolylineSvg(const std::vector<Point>& pts, const std::string& color,
                        LineStyle style, double width) {
  std::string s = "<polyline points=\"";
  for (size_t i = 0; i < pts.size(); ++i) {
    absl::StrAppend(&s, i ? " " : "", F(pts[i].x), ",", F(pts[i].y));
  }
  absl::StrAppend(&s, "\" fill=\"none\" stroke=\"", color, "\" stroke-width=\"",
                  F(width), "\"",
                  style == LineStyle::kDashed   ? " stroke-dasharray=\"6 4\""
                  : style == LineStyle::kDotted ? " stroke-dasharray=\"1.5 3\""
                                                : "",
                  "/>\n");
  return s;
}

struct LegendEntry {
  std::string text;
  std::string color;
  bool line = false;
  LineStyle style = LineStyle::kSolid;
  Marker marker = Marker::kNone;
  bool ring = false;
  double line_width = 1.8;
};

// The legend in a column at (x, y), at most `max_rows` rows, text cut to
// `max_chars`.
std::string LegendSvg(const std::vector<LegendEntry>& entries, double x,
                      double y, int max_rows, size_t max_chars) {
  std::string s = "<g font-size=\"11\" fill=\"#222222\">\n";
  const int rows = static_cast<int>(entries.size());
  const int shown = rows <= max_rows ? rows : std::max(0, max_rows - 1);
  for (int i = 0; i < shown; ++i) {
    const LegendEntry& e = entries[i];
    const double cy = y + 8 + 17 * i;
    if (e.line) {
      absl::StrAppend(&s, PolylineSvg({{x, cy}, {x + 22, cy}}, e.color, e.style,
                                      e.line_width));
    }
    if (e.ring) absl::StrAppend(&s, Ring(x + 11, cy));
    absl::StrAppend(&s, MarkerSvg(e.marker, x + 11, cy, e.color));
    absl::StrAppend(&s, Text(x + 29, cy + 4, Truncate(e.text, max_chars)));
  }
  if (shown < rows) {
    absl::StrAppend(&s,
                    Text(x + 29, y + 8 + 17 * shown + 4,
                         absl::StrCat("\xE2\x80\xA6 ", rows - shown, " more")));
  }
  return s + "</g>\n";
}

}  // namespace

std::string PaletteColor(size_t i) {
  // Okabe & Ito (2008), "Color Universal Design": blue, vermillion, bluish
  // green, reddish purple, orange, sky blue, black; their yellow is too
  // faint on white, so the eighth is Paul Tol's "wine" (Tol 2021,
  // "Colour schemes", muted scheme).
  static const char* kPalette[] = {"#0072b2", "#d55e00", "#009e73", "#cc79a7",
                                   "#e69f00", "#56b4e9", "#000000", "#882255"};
  return kPalette[i % 8];
}

std::string RenderChart(const Chart& chart) {
  const int width = std::max(chart.width, 200);
  const int height = std::max(chart.height, 150);

  // Drawable points decide the ranges; the rest are counted.
  AxisMap probe_x, probe_y;
  probe_x.scale = chart.x.scale;
  probe_y.scale = chart.y.scale;
  std::vector<double> xs, ys;
  size_t dropped = 0;
  bool any_ring = false;
  for (const Series& s : chart.series) {
    const size_t n = std::min(s.x.size(), s.y.size());
    dropped += std::max(s.x.size(), s.y.size()) - n;
    for (size_t i = 0; i < n; ++i) {
      if (probe_x.Drawable(s.x[i]) && probe_y.Drawable(s.y[i])) {
        xs.push_back(s.x[i]);
        ys.push_back(s.y[i]);
        if (i < s.highlight.size() && s.highlight[i]) any_ring = true;
      } else {
        ++dropped;
      }
    }
  }
  AxisMap ax = MakeAxis(chart.x, xs);
  AxisMap ay = MakeAxis(chart.y, ys);

  std::vector<std::string> notes = chart.notes;
  if (dropped > 0) {
    notes.push_back(absl::StrCat(
        dropped, dropped == 1 ? " point" : " points",
        " not drawn: missing values, or not positive on a log axis"));
  }

  std::vector<LegendEntry> legend;
  for (size_t i = 0; i < chart.series.size(); ++i) {
    const Series& s = chart.series[i];
    if (s.name.empty()) continue;
    legend.push_back({s.name, s.color.empty() ? PaletteColor(i) : s.color,
                      s.line, s.line_style, s.marker, false, s.line_width});
  }
  if (any_ring) {
    legend.push_back({chart.highlight_label, "#d00000", false,
                      LineStyle::kSolid, Marker::kNone, true, 0});
  }

  // Layout.
  double y_label_width = 0;
  for (const std::string& l : ay.labels) {
    y_label_width = std::max(y_label_width, TextWidth(l, 11));
  }
  double legend_width = 0;
  for (const LegendEntry& e : legend) {
    legend_width = std::max(legend_width, TextWidth(e.text, 11) + 36);
  }
  legend_width =
      legend.empty() ? 0 : std::clamp(legend_width, 90.0, 0.4 * width);
  const double top = chart.title.empty() ? 14 : 40;
  const double left = 26 + y_label_width + 8;
  const double right = legend.empty() ? 20 : legend_width + 24;
  const double bottom = 54 + 14.0 * notes.size();
  ax.p0 = left;
  ax.p1 = width - right;
  ay.p0 = height - bottom;  // y grows downwards in SVG
  ay.p1 = top;
  const double px0 = ax.p0, px1 = ax.p1, py0 = ay.p1, py1 = ay.p0;

  std::string svg = SvgOpen(width, height);
  if (!chart.title.empty()) {
    absl::StrAppend(&svg, Text(width / 2.0, 24, chart.title,
                               "font-size=\"15\" font-weight=\"bold\" "
                               "text-anchor=\"middle\""));
  }
  // Grid: minor lines lighter than major ones.
  std::string minor, major;
  for (double v : ax.minor) {
    absl::StrAppend(&minor, "M", F(ax.Px(v)), " ", F(py0), "V", F(py1));
  }
  for (double v : ay.minor) {
    absl::StrAppend(&minor, "M", F(px0), " ", F(ay.Px(v)), "H", F(px1));
  }
  for (double v : ax.major) {
    absl::StrAppend(&major, "M", F(ax.Px(v)), " ", F(py0), "V", F(py1));
  }
  for (double v : ay.major) {
    absl::StrAppend(&major, "M", F(px0), " ", F(ay.Px(v)), "H", F(px1));
  }
  if (!minor.empty()) {
    absl::StrAppend(&svg, "<path d=\"", minor,
                    "\" stroke=\"#f0f0f0\" stroke-width=\"1\"/>\n");
  }
  absl::StrAppend(&svg, "<path d=\"", major,
                  "\" stroke=\"#d9d9d9\" stroke-width=\"1\"/>\n");
  absl::StrAppend(&svg, "<rect x=\"", F(px0), "\" y=\"", F(py0), "\" width=\"",
                  F(px1 - px0), "\" height=\"", F(py1 - py0),
                  "\" fill=\"none\" stroke=\"#666666\"/>\n");
  // Tick labels.
  absl::StrAppend(&svg, "<g fill=\"#333333\" text-anchor=\"middle\">\n");
  for (size_t i = 0; i < ax.major.size(); ++i) {
    absl::StrAppend(&svg, Text(ax.Px(ax.major[i]), py1 + 16, ax.labels[i]));
  }
  absl::StrAppend(&svg, "</g>\n<g fill=\"#333333\" text-anchor=\"end\">\n");
  for (size_t i = 0; i < ay.major.size(); ++i) {
    absl::StrAppend(&svg, Text(px0 - 6, ay.Px(ay.major[i]) + 4, ay.labels[i]));
  }
  absl::StrAppend(&svg, "</g>\n");
  // Axis labels.
  absl::StrAppend(&svg, Text((px0 + px1) / 2, py1 + 38, chart.x.label,
                             "font-size=\"12\" text-anchor=\"middle\""));
  const double ly = (py0 + py1) / 2;
  absl::StrAppend(&svg,
                  Text(16, ly, chart.y.label,
                       absl::StrCat("font-size=\"12\" text-anchor=\"middle\" "
                                    "transform=\"rotate(-90 16 ",
                                    F(ly), ")\"")));

  // Series: all lines first, then markers, rings and labels on top.
  std::string line_labels;
  for (size_t si = 0; si < chart.series.size(); ++si) {
    const Series& s = chart.series[si];
    if (!s.line) continue;
    const std::string color = s.color.empty() ? PaletteColor(si) : s.color;
    std::vector<Point> pts;
    const size_t n = std::min(s.x.size(), s.y.size());
    for (size_t i = 0; i < n; ++i) {
      if (ax.Drawable(s.x[i]) && ay.Drawable(s.y[i])) {
        pts.push_back({ax.Px(s.x[i]), ay.Px(s.y[i])});
      } else {
        pts.push_back({std::nan(""), std::nan("")});
      }
    }
    const std::vector<std::vector<Point>> pieces =
        ClipPolyline(pts, px0, px1, py0, py1);
    for (const auto& piece : pieces) {
      absl::StrAppend(&svg,
                      PolylineSvg(piece, color, s.line_style, s.line_width));
    }
    if (!s.line_label.empty() && !pieces.empty()) {
      const Point at =
          s.line_label_at_start ? pieces.front().front() : pieces.back().back();
      absl::StrAppend(
          &line_labels,
          Text(s.line_label_at_start ? at.x + 4 : at.x - 4, at.y - 4,
               s.line_label,
               absl::StrCat(
                   "fill=\"", color, "\"",
                   s.line_label_at_start ? "" : " text-anchor=\"end\"")));
    }
  }
  if (!line_labels.empty()) {
    absl::StrAppend(&svg, "<g font-size=\"9\">\n", line_labels, "</g>\n");
  }
  // Markers (with a hover title when labelled) and rings.
  struct PendingLabel {
    double x, y;
    std::string text;
    bool priority;  // highlighted points are labelled first
  };
  std::vector<PendingLabel> pending;
  std::string rings;
  for (size_t si = 0; si < chart.series.size(); ++si) {
    const Series& s = chart.series[si];
    const std::string color = s.color.empty() ? PaletteColor(si) : s.color;
    const size_t n = std::min(s.x.size(), s.y.size());
    std::string marks;
    for (size_t i = 0; i < n; ++i) {
      if (!ax.Drawable(s.x[i]) || !ay.Drawable(s.y[i])) continue;
      const double x = ax.Px(s.x[i]);
      const double y = ay.Px(s.y[i]);
      const bool ring = i < s.highlight.size() && s.highlight[i];
      const std::string label =
          i < s.point_labels.size() ? s.point_labels[i] : "";
      if (label.empty()) {
        absl::StrAppend(&marks, MarkerSvg(s.marker, x, y, color));
      } else {
        absl::StrAppend(&marks, "<g><title>", XmlEscape(label), "</title>",
                        MarkerSvg(s.marker, x, y, color), "</g>\n");
        pending.push_back({x, y, label, ring});
      }
      if (ring) absl::StrAppend(&rings, Ring(x, y));
    }
    if (!marks.empty()) absl::StrAppend(&svg, "<g>\n", marks, "</g>\n");
  }
  absl::StrAppend(&svg, rings);

  // Point labels: the first of four positions around the marker (right-up,
  // right-down, left-up, left-down) that stays in the plot and overlaps no
  // label placed before; a label with no free position is left out (the
  // marker's hover title still names it).
  std::stable_partition(pending.begin(), pending.end(),
                        [](const PendingLabel& l) { return l.priority; });
  struct Box {
    double x0, y0, x1, y1;
  };
  std::vector<Box> placed;
  std::string labels;
  for (const PendingLabel& l : pending) {
    const double w = TextWidth(l.text, 9);
    const struct {
      double dx, dy;
      bool end;
    } kPositions[] = {
        {7, -6, false}, {7, 13, false}, {-7, -6, true}, {-7, 13, true}};
    for (const auto& pos : kPositions) {
      const double tx = l.x + pos.dx;
      const double ty = l.y + pos.dy;
      const Box box{pos.end ? tx - w : tx, ty - 8, pos.end ? tx : tx + w,
                    ty + 2};
      if (box.x0 < px0 || box.x1 > px1 || box.y0 < py0 || box.y1 > py1)
        continue;
      bool overlaps = false;
      for (const Box& b : placed) {
        if (box.x0 < b.x1 && b.x0 < box.x1 && box.y0 < b.y1 && b.y0 < box.y1) {
          overlaps = true;
          break;
        }
      }
      if (overlaps) continue;
      placed.push_back(box);
      absl::StrAppend(
          &labels, Text(tx, ty, l.text, pos.end ? "text-anchor=\"end\"" : ""));
      break;
    }
  }
  if (!labels.empty()) {
    absl::StrAppend(&svg, "<g font-size=\"9\" fill=\"#333333\">\n", labels,
                    "</g>\n");
  }

  if (!legend.empty()) {
    const int max_rows = std::max(1, static_cast<int>((py1 - py0) / 17));
    const size_t max_chars = static_cast<size_t>(
        std::max(4.0, (legend_width - 34) / (11 * kCharWidthEm)));
    absl::StrAppend(&svg,
                    LegendSvg(legend, px1 + 14, py0, max_rows, max_chars));
  }
  absl::StrAppend(
      &svg, NotesSvg(notes, 10, height - 8,
                     static_cast<size_t>((width - 20) / (10 * kCharWidthEm))));
  return svg + "</svg>\n";
}

}  // namespace benchfleet::analysis
