#include "analysis/figure_text.h"

#include <cmath>
#include <limits>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/time.h"
#include "analysis/report_tables.h"

namespace benchfleet::analysis {

std::string CsvNumber(double v) {
  if (std::isnan(v)) return "";
  return absl::StrFormat("%.10g", v);
}

std::string Percent(double fraction) {
  if (std::isnan(fraction)) return "n/a";
  return absl::StrCat(FormatSig(100 * fraction), "%");
}

std::string Gflops(double flops_per_s) { return FormatSig(flops_per_s / 1e9); }

std::string Count(size_t n, const std::string& noun) {
  return absl::StrCat(n, " ", noun, n == 1 ? "" : "s");
}

std::string UtcTime(int64_t unix_ms) {
  if (unix_ms == 0) return "-";
  return absl::FormatTime("%Y-%m-%d %H:%M:%S", absl::FromUnixMillis(unix_ms),
                          absl::UTCTimeZone());
}

std::string IntervalText(double lower, double upper) {
  if (std::isnan(lower) || std::isnan(upper)) return "n/a";
  return absl::StrFormat("[%s, %s]", FormatSig(lower), FormatSig(upper));
}

std::string Estimate2(double v) {
  if (std::isnan(v)) return "n/a";
  return absl::StrFormat("%.2f", v);
}

double OptionalOrNaN(bool has, double value) {
  return has ? value : std::numeric_limits<double>::quiet_NaN();
}

}  // namespace benchfleet::analysis
