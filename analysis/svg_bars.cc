#include "analysis/svg_bars.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "analysis/svg_axis.h"
#include "analysis/svg_chart.h"
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
