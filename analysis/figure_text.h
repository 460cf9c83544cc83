// Figures as people read them in tables, CSV and reports: the same number
// prints the same way in fleetctl's output and in the HTML report.
//
//   Percent(0.435)           -> "43.5%"
//   IntervalText(0.1, 0.25)  -> "[0.1, 0.25]"
//   CsvNumber(NaN)           -> ""  (an empty cell)
#ifndef BENCHFLEET_ANALYSIS_FIGURE_TEXT_H_
#define BENCHFLEET_ANALYSIS_FIGURE_TEXT_H_

#include <cstddef>
#include <cstdint>
#include <string>

namespace benchfleet::analysis {

// Full precision (%.10g) for CSV; "" for NaN so spreadsheets see an empty
// cell.
std::string CsvNumber(double v);
// A fraction as a percentage with 3 significant digits: "43.5%"; "n/a" for
// NaN.
std::string Percent(double fraction);
// FLOP/s as GFLOP/s with 3 significant digits, no unit.
std::string Gflops(double flops_per_s);
// "1 device", "2 devices".
std::string Count(size_t n, const std::string& noun);
// "2026-11-25 02:00:00" (UTC); "-" for 0.
std::string UtcTime(int64_t unix_ms);
// "[lower, upper]"; "n/a" when either is NaN.
std::string IntervalText(double lower, double upper);
// Two decimals ("0.87"); "n/a" for NaN.
std::string Estimate2(double v);
// `value` when `has`, else NaN: an optional proto field back to a figure.
double OptionalOrNaN(bool has, double value);

}  // namespace benchfleet::analysis

#endif  // BENCHFLEET_ANALYSIS_FIGURE_TEXT_H_
