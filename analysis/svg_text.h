// Text in benchfleet's SVG plots: XML escaping, compact and SI number
// labels, and the text, document and footnote elements that the chart,
// heatmap and bar renderers are built from. Pure and thread-safe.
#ifndef BENCHFLEET_ANALYSIS_SVG_TEXT_H_
#define BENCHFLEET_ANALYSIS_SVG_TEXT_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace benchfleet::analysis {

// Escapes &, <, >, " and ' for XML and HTML text and attribute values, and
// replaces control characters that XML 1.0 forbids (other than tab, newline
// and carriage return) with '?'.
std::string XmlEscape(std::string_view text);

// Compact label for a value: SI suffixes from k to P ("2.5k", "10M", "1G"),
// plain decimals down to 0.001, scientific below; at most 3 significant
// digits. "0" for zero; "nan"/"inf"/"-inf" for non-finite values.
std::string FormatCompact(double value);

// `value` with an SI prefix glued to `unit` and 3 significant digits:
// FormatSi(1.9e12, "FLOP/s") = "1.9 TFLOP/s", FormatSi(38e9, "B/s") =
// "38 GB/s", FormatSi(0.5, "s") = "0.5 s" (no prefixes below 1).
std::string FormatSi(double value, std::string_view unit);

// Building blocks of the renderers in analysis/svg_*.cc, not an interface
// for other callers.
namespace svg_internal {

// Average advance of a character as a fraction of the font size (DejaVu Sans
// and Arial are about 0.55-0.6 em); used to reserve room for labels.
inline constexpr double kCharWidthEm = 0.6;

// A pixel coordinate with one decimal; "-0.0" is written as "0.0" so that
// output does not depend on the sign of a rounding residue.
std::string F(double v);

// Number of Unicode code points (UTF-8 continuation bytes not counted).
size_t CodePoints(std::string_view s);

// `s` cut to at most `max_points` code points, ending in an ellipsis when cut.
std::string Truncate(const std::string& s, size_t max_points);

// Estimated width in px of `s` at `font_size` px (kCharWidthEm per code
// point).
double TextWidth(std::string_view s, double font_size);

// A <text> element at (x, y) with `text` escaped and optional attributes.
std::string Text(double x, double y, const std::string& text,
                 const std::string& attributes = "");

// The opening <svg> tag (font, size, viewBox) and a white background.
std::string SvgOpen(int width, int height);

// Footnotes, one line each, the last ending at `bottom`, cut to `max_chars`.
std::string NotesSvg(const std::vector<std::string>& notes, double x,
                     double bottom, size_t max_chars);

}  // namespace svg_internal

}  // namespace benchfleet::analysis

#endif  // BENCHFLEET_ANALYSIS_SVG_TEXT_H_
