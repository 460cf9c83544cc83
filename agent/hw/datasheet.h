// Attaches datasheet peaks to a hardware report: each probed device (the
// CPU, each distinct GPU model) is matched to the catalog; an unmatched one
// gets a computed theoretical peak, labelled as such.
#ifndef BENCHFLEET_AGENT_HW_DATASHEET_H_
#define BENCHFLEET_AGENT_HW_DATASHEET_H_

#include "proto/hardware.pb.h"

namespace benchfleet::hw {

// Appends one DatasheetPeak for the CPU (per socket; `devices` = sockets)
// and one per distinct accelerator name to report->datasheet_peaks.
void AddDatasheetPeaks(const v1::DeviceCatalog& catalog,
                       v1::HardwareReport* report);

// The same with the embedded catalog; a broken catalog becomes a warning
// and every device gets a theoretical peak.
void AddDatasheetPeaks(v1::HardwareReport* report);

}  // namespace benchfleet::hw

#endif  // BENCHFLEET_AGENT_HW_DATASHEET_H_
