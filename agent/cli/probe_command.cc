#include <iostream>

#include "agent/cli/calibration_support.h"
#include "agent/cli/commands.h"
#include "agent/cli/common.h"
#include "agent/hw/calibration.h"
#include "agent/hw/report_format.h"

namespace benchfleet::agent_cli {

int ProbeCommand(const Args&) {
  const bool json = JsonFormat();
  v1::HardwareReport report = ProbeFullReport();
  // Probing never measures; a cached calibration of this host is shown.
  absl::StatusOr<v1::Calibration> cached = CachedCalibration(report);
  if (cached.ok()) hw::ApplyCalibration(*cached, &report);
  if (json) {
    std::cout << ToJson(report);
    return 0;
  }
  std::cout << hw::RenderProbeTable(report);
  if (!cached.ok())
    std::cout << "measured      nothing cached for this host: run `agent "
                 "calibrate`\n";
  return 0;
}

}  // namespace benchfleet::agent_cli
