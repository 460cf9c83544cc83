#include <iostream>

#include "agent/cli/calibration_support.h"
#include "agent/cli/commands.h"
#include "agent/cli/common.h"
#include "agent/hw/calibration.h"
#include "agent/hw/report_format.h"

namespace benchfleet::agent_cli {

int CalibrateCommand(const Args&) {
  const bool json = JsonFormat();
  v1::HardwareReport report = ProbeFullReport();
  if (!ProbingLiveMachine()) {
    std::cerr << "agent: --probe_root is a fake tree: calibrating this "
                 "machine with that tree's cache sizes, uncached\n";
  }
  absl::StatusOr<v1::Calibration> calibration =
      CalibrateOrLoadWithFlags(report);
  if (!calibration.ok()) {
    std::cerr << "agent: calibration failed: " << calibration.status() << "\n";
    return 1;
  }
  hw::ApplyCalibration(*calibration, &report);
  std::cout << (json ? ToJson(report) : hw::RenderCalibrationTable(report));
  return 0;
}

}  // namespace benchfleet::agent_cli
