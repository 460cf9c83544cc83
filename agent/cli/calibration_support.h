// Calibration plumbing shared by `agent calibrate`, `agent probe` and `agent
// serve`: the full hardware report, and the calibration cache flags
// (--recalibrate, --calibration_cache_dir, --calibrate_quick).
#ifndef BENCHFLEET_AGENT_CLI_CALIBRATION_SUPPORT_H_
#define BENCHFLEET_AGENT_CLI_CALIBRATION_SUPPORT_H_

#include <string>

#include "absl/status/statusor.h"
#include "proto/hardware.pb.h"

namespace benchfleet::agent_cli {

// ProbeMachine() plus accelerators (on the live machine) and datasheet
// peaks.
v1::HardwareReport ProbeFullReport();

// True when --probe_root is "/": the report describes this machine.
bool ProbingLiveMachine();

// The calibration cache directory: --calibration_cache_dir, else
// $XDG_CACHE_HOME/benchfleet or ~/.cache/benchfleet; "" (no cache) when the
// flag is "none" or the report comes from a fake --probe_root tree.
std::string CalibrationCacheDir();

// The cached calibration for `report` at Threads(), or measures it
// (honouring --recalibrate and --calibrate_quick) and caches it.
absl::StatusOr<v1::Calibration> CalibrateOrLoadWithFlags(
    const v1::HardwareReport& report);

// The cached calibration for `report` at Threads() if there is a current
// one; NotFound otherwise. Never measures.
absl::StatusOr<v1::Calibration> CachedCalibration(
    const v1::HardwareReport& report);

}  // namespace benchfleet::agent_cli

#endif  // BENCHFLEET_AGENT_CLI_CALIBRATION_SUPPORT_H_
