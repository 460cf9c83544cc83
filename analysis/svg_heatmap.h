// A heatmap for benchfleet's reports (correlation matrices): cells on a
// diverging colour scale with their numbers, row and column labels and a
// colour bar. Pure and thread-safe.
#ifndef BENCHFLEET_ANALYSIS_SVG_HEATMAP_H_
#define BENCHFLEET_ANALYSIS_SVG_HEATMAP_H_

#include <string>
#include <vector>

namespace benchfleet::analysis {

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

}  // namespace benchfleet::analysis

#endif  // BENCHFLEET_ANALYSIS_SVG_HEATMAP_H_
