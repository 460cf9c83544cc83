#include "analysis/svg_plot.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace benchfleet::analysis {
namespace {

constexpr char kFont[] = "DejaVu Sans, Arial, Helvetica, sans-serif";
// Average advance of a character as a fraction of the font size (DejaVu Sans
// and Arial are about 0.55-0.6 em); used to reserve room for labels.
constexpr double kCharWidthEm = 0.6;

// A pixel coordinate with one decimal; "-0.0" is written as "0.0" so that
// output does not depend on the sign of a rounding residue.
std::string F(double v) {
  std::string s = absl::StrFormat("%.1f", v);
  if (s == "-0.0") s = "0.0";
  return s;
}

// Number of Unicode code points (UTF-8 continuation bytes not counted).
size_t CodePoints(std::string_view s) {
  size_t n = 0;
  for (unsigned char c : s) {
    if ((c & 0xC0) != 0x80) ++n;
  }
  return n;
}

// `s` cut to at most `max_points` code points, ending in an ellipsis when cut.
std::string Truncate(const std::string& s, size_t max_points) {
  if (CodePoints(s) <= max_points || max_points < 2) return s;
  size_t points = 0;
  size_t i = 0;
  for (; i < s.size(); ++i) {
    if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80) {
      if (points == max_points - 1) break;
      ++points;
    }
  }
  return s.substr(0, i) + "\xE2\x80\xA6";  // U+2026 HORIZONTAL ELLIPSIS
}

double TextWidth(std::string_view s, double font_size) {
  return static_cast<double>(CodePoints(s)) * font_size * kCharWidthEm;
}

std::string Text(double x, double y, const std::string& text,
                 const std::string& attributes = "") {
  return absl::StrCat("<text x=\"", F(x), "\" y=\"", F(y), "\"",
                      attributes.empty() ? "" : " ", attributes, ">",
                      XmlEscape(text), "</text>\n");
}

std::string SvgOpen(int width, int height) {
  return absl::StrCat("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"",
                      width, "\" height=\"", height, "\" viewBox=\"0 0 ", width,
                      " ", height, "\" font-family=\"", kFont,
                      "\" font-size=\"11\">\n<rect width=\"", width,
                      "\" height=\"", height, "\" fill=\"#ffffff\"/>\n");
}

// ---------------------------------------------------------------------------
// Axes.

// Heckbert's "nice number" (Graphics Gems, 1990, "Nice numbers for graph
// labels"): a number of the form {1, 2, 5} x 10^k close to x, rounded or
// taken as the ceiling.
double NiceNumber(double x, bool round) {
  const double exponent = std::floor(std::log10(x));
  const double fraction = x / std::pow(10.0, exponent);
  double nice;
  if (round) {
    nice = fraction < 1.5 ? 1 : fraction < 3 ? 2 : fraction < 7 ? 5 : 10;
  } else {
    nice = fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10;
  }
  return nice * std::pow(10.0, exponent);
}

// The largest 1, 2 or 5 x 10^k at or below v > 0, and the smallest at or
// above it.
double NiceLogFloor(double v) {
  const double e = std::floor(std::log10(v) + 1e-12);
  const double base = std::pow(10.0, e);
  const double f = v / base;
  return (f >= 5 - 1e-9 ? 5 : f >= 2 - 1e-9 ? 2 : 1) * base;
}

double NiceLogCeil(double v) {
  const double e = std::floor(std::log10(v) + 1e-12);
  const double base = std::pow(10.0, e);
  const double f = v / base;
  return (f <= 1 + 1e-9   ? 1
          : f <= 2 + 1e-9 ? 2
          : f <= 5 + 1e-9 ? 5
                          : 10) *
         base;
}

struct AxisMap {
  Scale scale = Scale::kLinear;
  double lo = 0, hi = 1;      // transformed space (log10 of data on log axes)
  double p0 = 0, p1 = 1;      // pixels where lo and hi land
  std::vector<double> major;  // data units
  std::vector<std::string> labels;
  std::vector<double> minor;  // data units

  bool Drawable(double v) const {
    return std::isfinite(v) && (scale == Scale::kLinear || v > 0);
  }
  double Transform(double v) const {
    return scale == Scale::kLog10 ? std::log10(v) : v;
  }
  double Px(double v) const {
    return p0 + (Transform(v) - lo) / (hi - lo) * (p1 - p0);
  }
};

// Label of a linear tick; `decimals` from the tick step, SI suffix when the
// axis reaches 10^4 so that labels stay short.
std::string LinearLabel(double v, double step, double max_abs) {
  static const char* kSuffix[] = {"", "k", "M", "G", "T", "P"};
  int group = 0;
  if (max_abs >= 1e4) {
    group = std::min(5, static_cast<int>(std::floor(std::log10(max_abs) / 3)));
  }
  const double unit = std::pow(1000.0, group);
  const double scaled_step = step / unit;
  const int decimals = std::max(
      0, static_cast<int>(-std::floor(std::log10(scaled_step) + 1e-9)));
  std::string s = absl::StrFormat("%.*f", decimals, v / unit);
  if (s.find_first_not_of("-0.") == std::string::npos) s = "0";
  return s + (s == "0" ? "" : kSuffix[group]);
}

// Builds the axis over `values` (drawable ones only) and the hints.
AxisMap MakeAxis(const Axis& axis, const std::vector<double>& values) {
  AxisMap m;
  m.scale = axis.scale;
  double lo = std::numeric_limits<double>::infinity();
  double hi = -lo;
  auto include = [&](double v) {
    if (!m.Drawable(v)) return;
    lo = std::min(lo, v);
    hi = std::max(hi, v);
  };
  for (double v : values) include(v);
  include(axis.min);
  include(axis.max);

  if (axis.scale == Scale::kLog10) {
    if (!(lo <= hi)) {
      lo = 1;
      hi = 10;
    }
    // Ends at 1, 2 or 5 x 10^k around the data, so that a range such as
    // 9..7000 gets 5..10k rather than whole decades 1..10k.
    double end_lo = NiceLogFloor(lo);
    double end_hi = NiceLogCeil(hi);
    if (end_hi <= end_lo) {
      end_lo = NiceLogFloor(end_lo * 0.999);
      end_hi = NiceLogCeil(end_hi * 1.001);
    }
    m.lo = std::log10(end_lo);
    m.hi = std::log10(end_hi);
    const double decades = m.hi - m.lo;
    const int first = static_cast<int>(std::floor(m.lo + 1e-9));
    const int last = static_cast<int>(std::floor(m.hi + 1e-9));
    const int every = std::max(1, static_cast<int>(std::ceil(decades / 8)));
    for (int d = first; d <= last; ++d) {
      const double base = std::pow(10.0, d);
      for (int k = 1; k <= 9; ++k) {
        const double v = k * base;
        if (v < end_lo * (1 - 1e-9) || v > end_hi * (1 + 1e-9)) continue;
        const bool labelled = (k == 1 && (d - first) % every == 0) ||
                              (decades <= 3.0 + 1e-9 && (k == 2 || k == 5));
        if (labelled) {
          m.major.push_back(v);
          m.labels.push_back(FormatCompact(v));
        } else if (decades <= 8) {
          m.minor.push_back(v);
        }
      }
    }
    return m;
  }

  if (!(lo <= hi)) {
    lo = 0;
    hi = 1;
  }
  if (lo == hi) {
    const double pad = lo == 0 ? 1 : std::fabs(lo) * 0.5;
    lo -= pad;
    hi += pad;
  }
  const double range = NiceNumber(hi - lo, false);
  const double step = NiceNumber(range / 5, true);
  const double first = std::floor(lo / step);
  const double last = std::ceil(hi / step);
  m.lo = first * step;
  m.hi = last * step;
  const double max_abs = std::max(std::fabs(m.lo), std::fabs(m.hi));
  for (double i = first; i <= last + 0.5; i += 1) {
    const double v = i * step;
    m.major.push_back(v);
    m.labels.push_back(LinearLabel(v, step, max_abs));
  }
  return m;
}

// ---------------------------------------------------------------------------
// Marks.

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

std::string NotesSvg(const std::vector<std::string>& notes, double x,
                     double bottom, size_t max_chars) {
  if (notes.empty()) return "";
  std::string s = "<g font-size=\"10\" fill=\"#555555\">\n";
  for (size_t i = 0; i < notes.size(); ++i) {
    const double y = bottom - 14.0 * (notes.size() - 1 - i);
    absl::StrAppend(&s, Text(x, y, Truncate(notes[i], max_chars)));
  }
  return s + "</g>\n";
}

// ---------------------------------------------------------------------------
// Colour.

struct Rgb {
  double r, g, b;
};

Rgb ParseHex(const char* hex) {
  auto nibble = [](char c) {
    return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
  };
  return {static_cast<double>(nibble(hex[1]) * 16 + nibble(hex[2])),
          static_cast<double>(nibble(hex[3]) * 16 + nibble(hex[4])),
          static_cast<double>(nibble(hex[5]) * 16 + nibble(hex[6]))};
}

std::string Hex(Rgb c) {
  auto channel = [](double v) {
    return static_cast<int>(std::lround(std::clamp(v, 0.0, 255.0)));
  };
  return absl::StrFormat("#%02x%02x%02x", channel(c.r), channel(c.g),
                         channel(c.b));
}

// ColorBrewer RdBu, 11 classes, from the blue end to the red end.
Rgb Diverging(double t) {
  static const char* kRdBu[] = {"#053061", "#2166ac", "#4393c3", "#92c5de",
                                "#d1e5f0", "#f7f7f7", "#fddbc7", "#f4a582",
                                "#d6604d", "#b2182b", "#67001f"};
  t = std::clamp(t, 0.0, 1.0) * 10;
  const int i = std::min(9, static_cast<int>(std::floor(t)));
  const double f = t - i;
  const Rgb a = ParseHex(kRdBu[i]);
  const Rgb b = ParseHex(kRdBu[i + 1]);
  return {a.r + f * (b.r - a.r), a.g + f * (b.g - a.g), a.b + f * (b.b - a.b)};
}

// Approximate luminance in [0, 1] (Rec. 709 weights on sRGB values), to pick
// black or white text over a fill.
double Luminance(Rgb c) {
  return (0.2126 * c.r + 0.7152 * c.g + 0.0722 * c.b) / 255.0;
}

}  // namespace

std::string XmlEscape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20 && c != '\t' && c != '\n' &&
            c != '\r') {
          out += '?';
        } else {
          out += c;
        }
    }
  }
  return out;
}

std::string FormatCompact(double value) {
  if (std::isnan(value)) return "nan";
  if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
  if (value == 0) return "0";
  const double a = std::fabs(value);
  static const char* kSuffix[] = {"", "k", "M", "G", "T", "P"};
  if (a >= 1000 && a < 1e18) {
    int group = static_cast<int>(std::floor(std::log10(a) / 3));
    group = std::min(group, 5);
    double scaled = value / std::pow(1000.0, group);
    // 999.96k rounds to "1e+03k": move to the next suffix instead.
    if (std::fabs(scaled) >= 999.5 && group < 5) {
      ++group;
      scaled = value / std::pow(1000.0, group);
    }
    return absl::StrFormat("%.3g%s", scaled, kSuffix[group]);
  }
  if (a >= 1e-3 && a < 1000) return absl::StrFormat("%.3g", value);
  return absl::StrFormat("%.2g", value);
}

std::string FormatSi(double value, std::string_view unit) {
  const std::string u(unit);
  if (!std::isfinite(value)) return absl::StrCat(FormatCompact(value), " ", u);
  static const char* kPrefix[] = {"", "k", "M", "G", "T", "P", "E"};
  const double a = std::fabs(value);
  int group = a >= 1000 ? static_cast<int>(std::floor(std::log10(a) / 3)) : 0;
  group = std::min(group, 6);
  double scaled = value / std::pow(1000.0, group);
  if (std::fabs(scaled) >= 999.5 && group < 6) {
    ++group;
    scaled = value / std::pow(1000.0, group);
  }
  return absl::StrFormat("%.3g %s%s", scaled, kPrefix[group], u);
}

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

std::string RenderHeatmap(const Heatmap& heatmap) {
  const size_t rows = heatmap.row_labels.size();
  const size_t cols = heatmap.column_labels.size();
  const double cw = 78, ch = 40;
  double row_label_width = 0;
  for (const std::string& l : heatmap.row_labels) {
    row_label_width = std::max(row_label_width, TextWidth(l, 12));
  }
  double col_label_width = 0;
  for (const std::string& l : heatmap.column_labels) {
    col_label_width = std::max(col_label_width, TextWidth(l, 12));
  }
  // Column labels are rotated by 35 degrees: sin 35 = 0.574.
  const double col_label_height = col_label_width * 0.574 + 22;
  const double top = heatmap.title.empty() ? 14 : 42;
  const double left = 16 + row_label_width + 8;
  const double grid_w = cw * cols;
  const double grid_h = ch * rows;
  const double bar_x = left + grid_w + 24;
  const double bar_h = std::max(grid_h, 120.0);
  double notes_width = 0;
  for (const std::string& n : heatmap.notes) {
    notes_width = std::max(notes_width, TextWidth(n, 10) + 20);
  }
  const int width = static_cast<int>(
      std::ceil(std::max({bar_x + 14 + 46 + 24, notes_width, 240.0})));
  const int height = static_cast<int>(
      std::ceil(top + std::max(grid_h + col_label_height, bar_h + 10) +
                14.0 * heatmap.notes.size() + 8));

  std::string svg = SvgOpen(width, height);
  if (!heatmap.title.empty()) {
    absl::StrAppend(&svg, Text(width / 2.0, 24, heatmap.title,
                               "font-size=\"15\" font-weight=\"bold\" "
                               "text-anchor=\"middle\""));
  }
  const double span = heatmap.max - heatmap.min;
  auto position = [&](double v) {
    return span > 0 ? (v - heatmap.min) / span : 0.5;
  };
  // Cells.
  absl::StrAppend(&svg, "<g font-size=\"13\" text-anchor=\"middle\">\n");
  for (size_t r = 0; r < rows; ++r) {
    for (size_t c = 0; c < cols; ++c) {
      const double v = r < heatmap.values.size() && c < heatmap.values[r].size()
                           ? heatmap.values[r][c]
                           : std::nan("");
      const Rgb fill =
          std::isnan(v) ? Rgb{204, 204, 204} : Diverging(position(v));
      std::string text = std::isnan(v) ? "n/a" : absl::StrFormat("%.2f", v);
      if (r < heatmap.cell_text.size() && c < heatmap.cell_text[r].size()) {
        text = heatmap.cell_text[r][c];
      }
      const double x = left + cw * c;
      const double y = top + ch * r;
      absl::StrAppend(&svg, "<g>");
      if (r < heatmap.cell_tooltips.size() &&
          c < heatmap.cell_tooltips[r].size() &&
          !heatmap.cell_tooltips[r][c].empty()) {
        absl::StrAppend(&svg, "<title>", XmlEscape(heatmap.cell_tooltips[r][c]),
                        "</title>");
      }
      absl::StrAppend(&svg, "<rect x=\"", F(x), "\" y=\"", F(y), "\" width=\"",
                      F(cw), "\" height=\"", F(ch), "\" fill=\"", Hex(fill),
                      "\" stroke=\"#ffffff\"/>");
      absl::StrAppend(
          &svg, Text(x + cw / 2, y + ch / 2 + 5, text,
                     absl::StrCat("fill=\"",
                                  Luminance(fill) < 0.5 ? "#ffffff" : "#111111",
                                  "\"")));
      // Text() ends with a newline; the group closes on the next line.
      absl::StrAppend(&svg, "</g>\n");
    }
  }
  absl::StrAppend(&svg, "</g>\n");
  // Row labels.
  absl::StrAppend(
      &svg, "<g font-size=\"12\" fill=\"#222222\" text-anchor=\"end\">\n");
  for (size_t r = 0; r < rows; ++r) {
    absl::StrAppend(
        &svg, Text(left - 8, top + ch * r + ch / 2 + 4, heatmap.row_labels[r]));
  }
  absl::StrAppend(&svg, "</g>\n");
  // Column labels, rotated so long names fit under narrow cells.
  absl::StrAppend(
      &svg, "<g font-size=\"12\" fill=\"#222222\" text-anchor=\"end\">\n");
  for (size_t c = 0; c < cols; ++c) {
    const double x = left + cw * c + cw / 2 + 4;
    const double y = top + grid_h + 14;
    absl::StrAppend(&svg, Text(x, y, heatmap.column_labels[c],
                               absl::StrCat("transform=\"rotate(-35 ", F(x),
                                            " ", F(y), ")\"")));
  }
  absl::StrAppend(&svg, "</g>\n");
  // Colour bar: 20 bands from max (top) to min (bottom).
  constexpr int kBands = 20;
  const double band_h = bar_h / kBands;
  absl::StrAppend(&svg, "<g>\n");
  for (int i = 0; i < kBands; ++i) {
    const double t = 1.0 - (i + 0.5) / kBands;
    absl::StrAppend(&svg, "<rect x=\"", F(bar_x), "\" y=\"",
                    F(top + band_h * i), "\" width=\"14\" height=\"",
                    F(band_h + 0.5), "\" fill=\"", Hex(Diverging(t)), "\"/>\n");
  }
  absl::StrAppend(&svg, "<rect x=\"", F(bar_x), "\" y=\"", F(top),
                  "\" width=\"14\" height=\"", F(bar_h),
                  "\" fill=\"none\" stroke=\"#666666\"/>\n");
  const double ticks[3] = {heatmap.max, (heatmap.max + heatmap.min) / 2,
                           heatmap.min};
  for (int i = 0; i < 3; ++i) {
    const double y = top + bar_h * i / 2;
    absl::StrAppend(&svg, "<path d=\"M", F(bar_x + 14), " ", F(y),
                    "h4\" "
                    "stroke=\"#666666\"/>\n");
    absl::StrAppend(&svg, Text(bar_x + 21, y + 4, FormatCompact(ticks[i]),
                               "fill=\"#333333\""));
  }
  if (!heatmap.scale_label.empty()) {
    const double x = bar_x + 58;
    const double y = top + bar_h / 2;
    absl::StrAppend(&svg, Text(x, y, heatmap.scale_label,
                               absl::StrCat("font-size=\"12\" "
                                            "text-anchor=\"middle\" "
                                            "transform=\"rotate(90 ",
                                            F(x), " ", F(y), ")\"")));
  }
  absl::StrAppend(&svg, "</g>\n");
  absl::StrAppend(
      &svg, NotesSvg(heatmap.notes, 10, height - 8,
                     static_cast<size_t>((width - 20) / (10 * kCharWidthEm))));
  return svg + "</svg>\n";
}

std::string RenderBarChart(const BarChart& chart) {
  const size_t cats = chart.categories.size();
  const size_t nseries = std::max<size_t>(1, chart.series.size());
  const int width = std::max(chart.width, 240);
  double cat_width = 0;
  for (const std::string& c : chart.categories) {
    cat_width = std::max(cat_width, TextWidth(c, 12));
  }
  cat_width = std::min(cat_width, width * 0.4);
  const size_t max_cat_chars =
      static_cast<size_t>(std::max(4.0, cat_width / (12 * kCharWidthEm)));
  const double bar_h = 14;
  const double group_h = nseries * bar_h + 10;
  const bool legend = chart.series.size() > 1;
  const double top = (chart.title.empty() ? 14 : 40) + (legend ? 24 : 0);
  const double left = 12 + cat_width + 10;
  const double right = 70;
  const double plot_h = std::max(group_h * cats, 20.0);
  const int height = static_cast<int>(
      std::ceil(top + plot_h + 50 + 14.0 * chart.notes.size() + 6));

  std::vector<double> values = {0.0};
  for (const BarSeries& s : chart.series) {
    for (double v : s.values) {
      if (std::isfinite(v)) values.push_back(v);
    }
  }
  Axis axis_spec;
  axis_spec.label = chart.value_label;
  AxisMap ax = MakeAxis(axis_spec, values);
  ax.p0 = left;
  ax.p1 = width - right;
  const double py0 = top, py1 = top + plot_h;

  std::string svg = SvgOpen(width, height);
  if (!chart.title.empty()) {
    absl::StrAppend(&svg, Text(width / 2.0, 24, chart.title,
                               "font-size=\"15\" font-weight=\"bold\" "
                               "text-anchor=\"middle\""));
  }
  if (legend) {
    double x = left;
    const double y = top - 16;
    absl::StrAppend(&svg, "<g font-size=\"11\" fill=\"#222222\">\n");
    for (size_t i = 0; i < chart.series.size(); ++i) {
      const BarSeries& s = chart.series[i];
      const std::string color = s.color.empty() ? PaletteColor(i) : s.color;
      absl::StrAppend(&svg, "<rect x=\"", F(x), "\" y=\"", F(y - 9),
                      "\" width=\"12\" height=\"12\" fill=\"", color, "\"/>\n");
      absl::StrAppend(&svg, Text(x + 17, y + 1, s.name));
      x += 17 + TextWidth(s.name, 11) + 18;
    }
    absl::StrAppend(&svg, "</g>\n");
  }
  std::string grid;
  for (double v : ax.major) {
    absl::StrAppend(&grid, "M", F(ax.Px(v)), " ", F(py0), "V", F(py1));
  }
  absl::StrAppend(&svg, "<path d=\"", grid,
                  "\" stroke=\"#d9d9d9\" stroke-width=\"1\"/>\n");
  absl::StrAppend(&svg, "<g fill=\"#333333\" text-anchor=\"middle\">\n");
  for (size_t i = 0; i < ax.major.size(); ++i) {
    absl::StrAppend(&svg, Text(ax.Px(ax.major[i]), py1 + 16, ax.labels[i]));
  }
  absl::StrAppend(&svg, "</g>\n");
  absl::StrAppend(&svg, Text((ax.p0 + ax.p1) / 2, py1 + 38, chart.value_label,
                             "font-size=\"12\" text-anchor=\"middle\""));
  // Category labels.
  absl::StrAppend(
      &svg, "<g font-size=\"12\" fill=\"#222222\" text-anchor=\"end\">\n");
  for (size_t c = 0; c < cats; ++c) {
    absl::StrAppend(&svg, Text(left - 8, py0 + group_h * c + group_h / 2 + 4,
                               Truncate(chart.categories[c], max_cat_chars)));
  }
  absl::StrAppend(&svg, "</g>\n");
  // Bars and their values.
  const double zero = ax.Px(0);
  std::string bars, texts;
  for (size_t c = 0; c < cats; ++c) {
    for (size_t si = 0; si < chart.series.size(); ++si) {
      const BarSeries& s = chart.series[si];
      if (c >= s.values.size() || !std::isfinite(s.values[c])) continue;
      const double v = s.values[c];
      const std::string color = s.color.empty() ? PaletteColor(si) : s.color;
      const double y = py0 + group_h * c + 5 + bar_h * si;
      const double end = ax.Px(v);
      absl::StrAppend(&bars, "<rect x=\"", F(std::min(zero, end)), "\" y=\"",
                      F(y), "\" width=\"", F(std::fabs(end - zero)),
                      "\" height=\"", F(bar_h - 2), "\" fill=\"", color,
                      "\"/>\n");
      const std::string value =
          absl::StrFormat("%.*f", chart.value_decimals, v) + chart.value_suffix;
      absl::StrAppend(&texts, Text(v >= 0 ? end + 4 : end - 4, y + bar_h - 4,
                                   value, v >= 0 ? "" : "text-anchor=\"end\""));
    }
  }
  absl::StrAppend(&svg, "<g>\n", bars, "</g>\n");
  absl::StrAppend(&svg, "<g font-size=\"10\" fill=\"#333333\">\n", texts,
                  "</g>\n");
  absl::StrAppend(&svg, "<path d=\"M", F(zero), " ", F(py0), "V", F(py1),
                  "\" stroke=\"#666666\"/>\n");
  absl::StrAppend(
      &svg, NotesSvg(chart.notes, 10, height - 8,
                     static_cast<size_t>((width - 20) / (10 * kCharWidthEm))));
  return svg + "</svg>\n";
}

}  // namespace benchfleet::analysis
