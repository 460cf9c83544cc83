// Axes of benchfleet's SVG plots: linear axes ending on Heckbert's nice
// numbers, log10 axes ending on 1, 2 or 5 x 10^k, their ticks and labels.
// Pure and thread-safe.
#ifndef BENCHFLEET_ANALYSIS_SVG_AXIS_H_
#define BENCHFLEET_ANALYSIS_SVG_AXIS_H_

#include <cmath>
#include <limits>
#include <string>
#include <vector>

namespace benchfleet::analysis {

enum class Scale { kLinear, kLog10 };

struct Axis {
  std::string label;  // with the unit, e.g. "Latency (ms)"
  Scale scale = Scale::kLinear;
  // Range hints in data units; NaN = automatic. The range is always widened
  // to contain every plotted point, so no point is clipped away.
  double min = std::numeric_limits<double>::quiet_NaN();
  double max = std::numeric_limits<double>::quiet_NaN();
};

// Building blocks of the renderers in analysis/svg_*.cc, not an interface
// for other callers.
namespace svg_internal {

// An axis laid out: its range, where it lands in pixels, and its ticks.
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

// Builds the axis over `values` (drawable ones only) and the hints.
AxisMap MakeAxis(const Axis& axis, const std::vector<double>& values);

}  // namespace svg_internal

}  // namespace benchfleet::analysis

#endif  // BENCHFLEET_ANALYSIS_SVG_AXIS_H_
