// Completes a hardware report after ProbeSystem and ProbeSoftware: the
// accelerators (only for the machine this process runs on) and the
// datasheet or theoretical peak of every device.
#ifndef BENCHFLEET_AGENT_HW_INVENTORY_H_
#define BENCHFLEET_AGENT_HW_INVENTORY_H_

#include "proto/hardware.pb.h"

namespace benchfleet::hw {

// `live`: the report describes this machine (probe root "/"), so its GPUs
// are probed; a fake tree gets datasheet peaks only.
void CompleteInventory(bool live, v1::HardwareReport* report);

}  // namespace benchfleet::hw

#endif  // BENCHFLEET_AGENT_HW_INVENTORY_H_
