#include "analysis/svg_heatmap.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "analysis/svg_text.h"

namespace benchfleet::analysis {

using svg_internal::F;
using svg_internal::kCharWidthEm;
using svg_internal::NotesSvg;
using svg_internal::SvgOpen;
using svg_internal::Text;
using svg_internal::TextWidth;

namespace {

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

}  // namespace benchfleet::analysis
