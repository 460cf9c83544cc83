#include "analysis/svg_text.h"

#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace benchfleet::analysis {
namespace svg_internal {
namespace {

constexpr char kFont[] = "DejaVu Sans, Arial, Helvetica, sans-serif";

}  // namespace

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
                 const std::string& attributes) {
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

}  // namespace svg_internal

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

}  // namespace benchfleet::analysis
