#include "analysis/html_report.h"

#include <cctype>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "analysis/svg_plot.h"

namespace benchfleet::analysis {
namespace {

constexpr char kStyle[] = R"css(
body{font-family:"DejaVu Sans",Arial,Helvetica,sans-serif;color:#222;line-height:1.45;max-width:1180px;margin:24px auto;padding:0 16px}
h1{font-size:24px;margin:0 0 4px}
h2{font-size:19px;margin:0 0 8px}
.subtitle{color:#555;margin:0 0 16px}
nav{background:#f6f6f6;border:1px solid #e2e2e2;padding:6px 14px;display:inline-block}
nav ol{margin:4px 0;padding-left:20px}
section{border-top:1px solid #ddd;margin:28px 0;padding-top:10px}
.table{overflow-x:auto}
table{border-collapse:collapse;margin:6px 0 16px;font-size:13px}
caption{text-align:left;font-weight:bold;padding:4px 0}
th,td{border:1px solid #cfcfcf;padding:4px 8px;vertical-align:top;text-align:left}
th{background:#eeeeee}
th.num{text-align:right}
td.num{text-align:right;white-space:nowrap;font-variant-numeric:tabular-nums}
td.long{min-width:22em}
tbody tr:nth-child(even) td{background:#fafafa}
tbody tr.bad td{background:#fbe0dc}
tbody tr.good td{background:#e2f3df}
tbody tr.warn td{background:#fff4cc}
.figure{overflow-x:auto;margin:8px 0 16px}
.figure svg{max-width:none}
.warning{background:#fff4cc;border-left:4px solid #d9a300;padding:6px 10px;margin:8px 0}
pre{background:#f6f6f6;border:1px solid #e2e2e2;padding:8px;overflow-x:auto;font-size:12px}
)css";

// True for "12", "-3.5", "+12.3%", "1.2e9", "4.1x", "250 ms", "31.9 GFLOP/s":
// a number, then optionally a space and a unit without digits.
bool LooksNumeric(const std::string& cell) {
  size_t i = 0;
  if (i < cell.size() && (cell[i] == '-' || cell[i] == '+')) ++i;
  size_t digits = 0;
  while (i < cell.size() && std::isdigit(static_cast<unsigned char>(cell[i]))) {
    ++i;
    ++digits;
  }
  if (i < cell.size() && cell[i] == '.') {
    ++i;
    while (i < cell.size() &&
           std::isdigit(static_cast<unsigned char>(cell[i]))) {
      ++i;
      ++digits;
    }
  }
  if (digits == 0) return false;
  if (i + 1 < cell.size() && (cell[i] == 'e' || cell[i] == 'E') &&
      (std::isdigit(static_cast<unsigned char>(cell[i + 1])) ||
       cell[i + 1] == '-' || cell[i + 1] == '+')) {
    size_t j = i + 1;
    if (cell[j] == '-' || cell[j] == '+') ++j;
    size_t exp_digits = 0;
    while (j < cell.size() &&
           std::isdigit(static_cast<unsigned char>(cell[j]))) {
      ++j;
      ++exp_digits;
    }
    if (exp_digits > 0) i = j;
  }
  if (i < cell.size() && cell[i] == ' ') ++i;
  const std::string unit = cell.substr(i);
  if (unit.size() > 10) return false;
  for (char c : unit) {
    if (std::isdigit(static_cast<unsigned char>(c)) || c == ' ') return false;
  }
  return true;
}

// Cells longer than this many bytes are prose.
constexpr size_t kLongCell = 60;

bool IsBlankCell(const std::string& cell) {
  return cell.empty() || cell == "-" || cell == "n/a";
}

void AppendTable(const Table& table, std::string* out) {
  size_t columns = table.header.size();
  for (const auto& row : table.rows) columns = std::max(columns, row.size());
  std::vector<bool> numeric(columns, false);
  for (size_t c = 0; c < columns; ++c) {
    bool any = false, all = true;
    for (const auto& row : table.rows) {
      const std::string cell = c < row.size() ? row[c] : "";
      if (IsBlankCell(cell)) continue;
      any = true;
      if (!LooksNumeric(cell)) {
        all = false;
        break;
      }
    }
    numeric[c] = any && all;
  }
  absl::StrAppend(out, "<div class=\"table\"><table>\n");
  if (!table.caption.empty()) {
    absl::StrAppend(out, "<caption>", XmlEscape(table.caption), "</caption>\n");
  }
  if (!table.header.empty()) {
    absl::StrAppend(out, "<thead><tr>");
    for (size_t c = 0; c < columns; ++c) {
      const std::string cell = c < table.header.size() ? table.header[c] : "";
      absl::StrAppend(out, numeric[c] ? "<th class=\"num\">" : "<th>",
                      XmlEscape(cell), "</th>");
    }
    absl::StrAppend(out, "</tr></thead>\n");
  }
  absl::StrAppend(out, "<tbody>\n");
  for (size_t r = 0; r < table.rows.size(); ++r) {
    const auto& row = table.rows[r];
    const std::string cls =
        r < table.row_classes.size() ? table.row_classes[r] : "";
    if (cls == "bad" || cls == "good" || cls == "warn") {
      absl::StrAppend(out, "<tr class=\"", cls, "\">");
    } else {
      absl::StrAppend(out, "<tr>");
    }
    for (size_t c = 0; c < columns; ++c) {
      const std::string cell = c < row.size() ? row[c] : "";
      // Long prose (likely causes, warnings) gets a minimum width so that a
      // wide table does not squeeze it into a tall, narrow column.
      const char* open = numeric[c]                ? "<td class=\"num\">"
                         : cell.size() > kLongCell ? "<td class=\"long\">"
                                                   : "<td>";
      absl::StrAppend(out, open, XmlEscape(cell), "</td>");
    }
    absl::StrAppend(out, "</tr>\n");
  }
  absl::StrAppend(out, "</tbody></table></div>\n");
}

void AppendBlock(const Block& block, std::string* out) {
  switch (block.kind) {
    case Block::Kind::kParagraph:
      absl::StrAppend(out, "<p>", XmlEscape(block.text), "</p>\n");
      return;
    case Block::Kind::kWarning:
      absl::StrAppend(out, "<div class=\"warning\">", XmlEscape(block.text),
                      "</div>\n");
      return;
    case Block::Kind::kPreformatted:
      absl::StrAppend(out, "<pre>", XmlEscape(block.text), "</pre>\n");
      return;
    case Block::Kind::kTable:
      AppendTable(block.table, out);
      return;
    case Block::Kind::kSvg:
      if (absl::StartsWith(block.text, "<svg ")) {
        absl::StrAppend(out, "<div class=\"figure\">\n", block.text,
                        "</div>\n");
      } else {
        absl::StrAppend(out,
                        "<div class=\"warning\">figure is not an SVG "
                        "element; shown as text</div>\n<pre>",
                        XmlEscape(block.text), "</pre>\n");
      }
      return;
  }
}

}  // namespace

Block Paragraph(std::string text) {
  Block b;
  b.kind = Block::Kind::kParagraph;
  b.text = std::move(text);
  return b;
}

Block TableBlock(Table table) {
  Block b;
  b.kind = Block::Kind::kTable;
  b.table = std::move(table);
  return b;
}

Block SvgBlock(std::string svg) {
  Block b;
  b.kind = Block::Kind::kSvg;
  b.text = std::move(svg);
  return b;
}

Block Warning(std::string text) {
  Block b;
  b.kind = Block::Kind::kWarning;
  b.text = std::move(text);
  return b;
}

Block Preformatted(std::string text) {
  Block b;
  b.kind = Block::Kind::kPreformatted;
  b.text = std::move(text);
  return b;
}

std::string RenderHtmlReport(const Report& report) {
  std::string out = absl::StrCat(
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<meta name=\"viewport\" content=\"width=device-width, "
      "initial-scale=1\">\n<title>",
      XmlEscape(report.title), "</title>\n<style>", kStyle,
      "</style>\n</head>\n<body>\n<header>\n<h1>", XmlEscape(report.title),
      "</h1>\n");
  if (!report.subtitle.empty()) {
    absl::StrAppend(&out, "<p class=\"subtitle\">", XmlEscape(report.subtitle),
                    "</p>\n");
  }
  if (report.sections.size() > 1) {
    absl::StrAppend(&out, "<nav><ol>\n");
    for (size_t i = 0; i < report.sections.size(); ++i) {
      absl::StrAppend(&out, "<li><a href=\"#s", i + 1, "\">",
                      XmlEscape(report.sections[i].title), "</a></li>\n");
    }
    absl::StrAppend(&out, "</ol></nav>\n");
  }
  absl::StrAppend(&out, "</header>\n");
  for (size_t i = 0; i < report.sections.size(); ++i) {
    const Section& s = report.sections[i];
    absl::StrAppend(&out, "<section id=\"s", i + 1, "\">\n<h2>", i + 1, ". ",
                    XmlEscape(s.title), "</h2>\n");
    for (const Block& b : s.blocks) AppendBlock(b, &out);
    absl::StrAppend(&out, "</section>\n");
  }
  absl::StrAppend(&out, "</body>\n</html>\n");
  return out;
}

void WriteHtmlReport(const Report& report, std::ostream& out) {
  out << RenderHtmlReport(report);
}

}  // namespace benchfleet::analysis
