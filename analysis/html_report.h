// One self-contained HTML report: inline CSS, inline SVG, no scripts, no
// external URLs, so it can be mailed, archived or opened offline. The data
// model is deliberately plain: a Report is a title and sections; a section
// is an ordered list of blocks (paragraphs, tables, SVG figures, warnings,
// preformatted text). Callers fill it from query results, e.g. with the
// table builders in analysis/report_tables.h and the plots in
// analysis/plots.h.
//
// Example:
//   Report report;
//   report.title = "benchfleet nightly 2024-05-01";
//   Section& roofline = report.sections.emplace_back();
//   roofline.title = "Roofline";
//   roofline.blocks.push_back(SvgBlock(RooflinePlot({device}, points, "")));
//   roofline.blocks.push_back(TableBlock(placement_table));
//   std::string html = RenderHtmlReport(report);
//
// Output is deterministic: no timestamps are added (put one in the
// subtitle if wanted). Pure and thread-safe.
#ifndef BENCHFLEET_ANALYSIS_HTML_REPORT_H_
#define BENCHFLEET_ANALYSIS_HTML_REPORT_H_

#include <ostream>
#include <string>
#include <vector>

namespace benchfleet::analysis {

struct Table {
  std::string caption;  // may be empty
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;  // short rows are padded
  // Optional, one per row: "bad" (red), "good" (green), "warn" (yellow) or
  // "" (plain); other values are ignored.
  std::vector<std::string> row_classes;
};

struct Block {
  enum class Kind { kParagraph, kTable, kSvg, kWarning, kPreformatted };
  Kind kind = Kind::kParagraph;
  // Paragraph, warning or preformatted text (escaped on output), or the SVG
  // markup of a figure.
  std::string text;
  Table table;  // for kTable
};

Block Paragraph(std::string text);
Block TableBlock(Table table);
// `svg` must be an <svg> element from analysis/svg_plot.h or plots.h; it is
// inserted as is. Anything not starting with "<svg " is shown escaped as
// text instead, so a caller's mistake cannot inject markup.
Block SvgBlock(std::string svg);
Block Warning(std::string text);
Block Preformatted(std::string text);

struct Section {
  std::string title;
  std::vector<Block> blocks;
};

struct Report {
  std::string title;
  std::string subtitle;  // e.g. the sweep, the time range; may be empty
  std::vector<Section> sections;
};

// The report as an HTML5 document (UTF-8). Sections are numbered, get ids
// "s1", "s2", ... and, with more than one, a table of contents. Table
// columns whose cells all look numeric ("12.5", "-3%", "1.2e9", "4.1x",
// "250 ms"; "-", "n/a" and "" allowed) are right-aligned; cells of more
// than 60 bytes get a minimum width so prose stays readable in wide tables.
std::string RenderHtmlReport(const Report& report);

// Writes RenderHtmlReport(report) to `out`.
void WriteHtmlReport(const Report& report, std::ostream& out);

}  // namespace benchfleet::analysis

#endif  // BENCHFLEET_ANALYSIS_HTML_REPORT_H_
