#include "agent/hw/inventory.h"

#include "agent/hw/accelerator_probe.h"
#include "agent/hw/datasheet.h"

namespace benchfleet::hw {

void CompleteInventory(bool live, v1::HardwareReport* report) {
  if (live) ProbeAccelerators(report);
  AddDatasheetPeaks(report);
}

}  // namespace benchfleet::hw
