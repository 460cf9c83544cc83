#include "coordinator/cli/analysis_render.h"

#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "analysis/csv.h"
#include "analysis/figure_text.h"
#include "analysis/report_tables.h"
#include "analysis/result_table.h"
#include "analysis/svg_plot.h"
#include "proto/names.h"

namespace benchfleet::cli {
namespace {

using analysis::CsvLine;
using analysis::CsvNumber;
using analysis::FormatSi;
using analysis::FormatSig;
using analysis::Gflops;
using analysis::OptionalOrNaN;
using analysis::Percent;
using analysis::RenderTextTable;
using Rows = std::vector<std::vector<std::string>>;

std::string CeilingText(const v1::RoofCeiling& c) {
  return absl::StrCat(c.name(), " ",
                      FormatSi(c.value(), c.kind() == "compute" ? "FLOP/s"
                                                                : "B/s"));
}

std::string RoofText(const v1::RoofFigure& roof) {
  return absl::StrCat(FormatSi(roof.peak_flops_per_second(), "FLOP/s"), " x ",
                      FormatSi(roof.bandwidth_bytes_per_second(), "B/s"),
                      ", ridge ", FormatSig(roof.ridge_point()),
                      " FLOP/byte — ", roof.name());
}

// "unstable" and the likely causes, joined by "; ".
std::string PlacementNotes(const v1::RooflinePlacement& p) {
  std::vector<std::string> notes;
  if (p.unstable()) notes.push_back("unstable");
  notes.insert(notes.end(), p.likely_causes().begin(), p.likely_causes().end());
  return absl::StrJoin(notes, "; ");
}


}  // namespace

std::string RenderRooflineTable(const v1::RooflineReport& report) {
  std::string out;
  if (report.devices().empty()) return "no successful results to place\n";
  for (const v1::RooflineDevice& d : report.devices()) {
    if (!out.empty()) out += "\n";
    absl::StrAppend(&out, d.device_name(), " @ ",
                    d.hostname().empty() ? d.host_id() : d.hostname(), " (",
                    DeviceKindName(d.device()), ", host ", d.host_id(), ")\n");
    absl::StrAppend(&out, "  measured roof:  ",
                    d.has_measured_roof() ? RoofText(d.measured_roof())
                                          : "none",
                    "\n");
    absl::StrAppend(&out, "  datasheet roof: ",
                    d.has_datasheet_roof() ? RoofText(d.datasheet_roof())
                                           : "none",
                    "\n");
    std::vector<std::string> ceilings;
    for (const v1::RoofCeiling& c : d.ceilings())
      ceilings.push_back(CeilingText(c));
    if (!ceilings.empty())
      absl::StrAppend(&out, "  ceilings: ", absl::StrJoin(ceilings, ", "),
                      "\n");
    Rows rows;
    for (const v1::RooflinePlacement& p : d.placements()) {
      std::string mode = ModeName(p.mode());
      if (PrecisionName(p.precision()) != "fp32")
        absl::StrAppend(&mode, " ", PrecisionName(p.precision()));
      rows.push_back(
          {p.model(), InputName(p.input()), absl::StrCat(p.batch_size()), mode,
           FormatSig(p.median_ms(), 4), FormatSig(p.intensity()),
           Gflops(p.achieved_flops_per_second()),
           Gflops(OptionalOrNaN(p.has_attainable_measured(), p.attainable_measured())),
           Percent(OptionalOrNaN(p.has_efficiency_measured(), p.efficiency_measured())),
           Percent(OptionalOrNaN(p.has_efficiency_datasheet(), p.efficiency_datasheet())),
           Percent(OptionalOrNaN(p.has_fraction_of_datasheet_peak(),
                       p.fraction_of_datasheet_peak())),
           p.bound(), p.above_roof() ? "YES" : "no", PlacementNotes(p)});
    }
    out += RenderTextTable(
        {"model", "input", "batch", "mode", "median_ms", "flop/byte",
         "gflop/s", "attainable", "eff_measured", "eff_ds_roof",
         "eff_ds_peak", "bound", "above_roof", "notes"},
        rows);
    for (const std::string& note : d.notes())
      absl::StrAppend(&out, "  note: ", note, "\n");
  }
  return out;
}

std::string RenderRooflineCsv(const v1::RooflineReport& report) {
  std::string out = CsvLine(
      {"host_id", "hostname", "device_name", "device", "job_id", "model",
       "input", "batch", "mode", "precision", "median_ms",
       "intensity_flop_per_byte", "achieved_flop_per_s",
       "attainable_measured_flop_per_s", "efficiency_measured",
       "attainable_datasheet_flop_per_s", "efficiency_datasheet",
       "fraction_of_datasheet_peak", "bound", "above_roof", "above_datasheet",
       "unstable", "likely_causes"});
  for (const v1::RooflineDevice& d : report.devices()) {
    for (const v1::RooflinePlacement& p : d.placements()) {
      out += CsvLine(
          {d.host_id(), d.hostname(), d.device_name(), DeviceKindName(d.device()),
           absl::StrCat(p.job_id()), p.model(), InputName(p.input()),
           absl::StrCat(p.batch_size()), ModeName(p.mode()),
           PrecisionName(p.precision()), CsvNumber(p.median_ms()),
           CsvNumber(p.intensity()), CsvNumber(p.achieved_flops_per_second()),
           CsvNumber(OptionalOrNaN(p.has_attainable_measured(), p.attainable_measured())),
           CsvNumber(OptionalOrNaN(p.has_efficiency_measured(), p.efficiency_measured())),
           CsvNumber(
               OptionalOrNaN(p.has_attainable_datasheet(), p.attainable_datasheet())),
           CsvNumber(
               OptionalOrNaN(p.has_efficiency_datasheet(), p.efficiency_datasheet())),
           CsvNumber(OptionalOrNaN(p.has_fraction_of_datasheet_peak(),
                         p.fraction_of_datasheet_peak())),
           p.bound(), p.above_roof() ? "true" : "false",
           p.above_datasheet() ? "true" : "false",
           p.unstable() ? "true" : "false",
           absl::StrJoin(p.likely_causes(), "; ")});
    }
  }
  return out;
}

}  // namespace benchfleet::cli
