// Horizontal grouped bar charts for benchfleet's reports (e.g. FLOP shares
// per operator kind). Pure and thread-safe.
#ifndef BENCHFLEET_ANALYSIS_SVG_BARS_H_
#define BENCHFLEET_ANALYSIS_SVG_BARS_H_

#include <string>
#include <vector>

namespace benchfleet::analysis {

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

#endif  // BENCHFLEET_ANALYSIS_SVG_BARS_H_
