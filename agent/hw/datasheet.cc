#include "agent/hw/datasheet.h"

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "agent/hw/catalog.h"
#include "agent/hw/theoretical_peak.h"

namespace benchfleet::hw {

void AddDatasheetPeaks(const v1::DeviceCatalog& catalog,
                       v1::HardwareReport* report) {
  const v1::CpuInfo& cpu = report->cpu();
  if (!cpu.model_name().empty()) {
    const v1::CatalogDevice* entry = MatchDevice(catalog, cpu.model_name());
    *report->add_datasheet_peaks() =
        entry != nullptr ? DatasheetPeakFromEntry(*entry, cpu.model_name(),
                                                  std::max(1, cpu.sockets()))
                         : TheoreticalCpuPeak(cpu);
  }
  // One entry per GPU model, in order of first appearance.
  std::map<std::string, int> counts;
  std::vector<const v1::AcceleratorInfo*> firsts;
  for (const v1::AcceleratorInfo& a : report->accelerators()) {
    if (counts[a.name()]++ == 0) firsts.push_back(&a);
  }
  for (const v1::AcceleratorInfo* a : firsts) {
    const v1::CatalogDevice* entry = MatchDevice(catalog, a->name());
    v1::DatasheetPeak peak = entry != nullptr
                                 ? DatasheetPeakFromEntry(*entry, a->name(), 1)
                                 : TheoreticalGpuPeak(*a);
    peak.set_devices(counts[a->name()]);
    *report->add_datasheet_peaks() = peak;
  }
}

void AddDatasheetPeaks(v1::HardwareReport* report) {
  absl::StatusOr<const v1::DeviceCatalog*> catalog = EmbeddedCatalog();
  if (!catalog.ok()) {
    report->add_warnings(absl::StrCat("datasheet catalog unusable: ",
                                      catalog.status().message()));
    AddDatasheetPeaks(v1::DeviceCatalog(), report);
    return;
  }
  AddDatasheetPeaks(**catalog, report);
}

}  // namespace benchfleet::hw
