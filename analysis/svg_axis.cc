#include "analysis/svg_axis.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_format.h"
#include "analysis/svg_text.h"

namespace benchfleet::analysis {
namespace svg_internal {
namespace {

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

}  // namespace

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

}  // namespace svg_internal
}  // namespace benchfleet::analysis
