#include "agent/cli/calibration_support.h"

#include <filesystem>

#include "absl/flags/flag.h"
#include "absl/status/status.h"
#include "agent/cli/common.h"
#include "agent/hw/calibration.h"
#include "agent/hw/inventory.h"

ABSL_FLAG(bool, recalibrate, false,
          "calibrate, serve: measure again even when this host has a cached "
          "calibration");
ABSL_FLAG(std::string, calibration_cache_dir, "",
          "calibrate, serve, probe: directory of cached calibrations; default "
          "$XDG_CACHE_HOME/benchfleet or ~/.cache/benchfleet; \"none\" "
          "disables the cache");
ABSL_FLAG(bool, calibrate_quick, false,
          "calibrate, serve: tiny measurement budgets (a smoke test, not "
          "trustworthy roofs)");

namespace benchfleet::agent_cli {

bool ProbingLiveMachine() {
  return std::filesystem::path(absl::GetFlag(FLAGS_probe_root)) ==
         std::filesystem::path("/");
}

v1::HardwareReport ProbeFullReport() {
  v1::HardwareReport report = ProbeMachine();
  hw::CompleteInventory(ProbingLiveMachine(), &report);
  return report;
}

std::string CalibrationCacheDir() {
  const std::string flag = absl::GetFlag(FLAGS_calibration_cache_dir);
  if (flag == "none" || !ProbingLiveMachine()) return "";
  return flag.empty() ? hw::DefaultCacheDir() : flag;
}

absl::StatusOr<v1::Calibration> CalibrateOrLoadWithFlags(
    const v1::HardwareReport& report) {
  hw::CalibrationOptions options = absl::GetFlag(FLAGS_calibrate_quick)
                                       ? hw::CalibrationOptions::Quick()
                                       : hw::CalibrationOptions();
  options.threads = Threads();
  // A quick calibration is never cached: it would stand in for a real one.
  const std::string dir =
      absl::GetFlag(FLAGS_calibrate_quick) ? "" : CalibrationCacheDir();
  return hw::CalibrateOrLoad(report, options, dir,
                             absl::GetFlag(FLAGS_recalibrate));
}

absl::StatusOr<v1::Calibration> CachedCalibration(
    const v1::HardwareReport& report) {
  const std::string dir = CalibrationCacheDir();
  if (dir.empty()) return absl::NotFoundError("no calibration cache");
  absl::StatusOr<v1::Calibration> cached =
      hw::LoadCalibration(hw::CachePath(dir, report.host_id()));
  if (!cached.ok()) return cached.status();
  if (cached->key() != hw::CalibrationKey(report, Threads()))
    return absl::NotFoundError("cached calibration is stale");
  cached->set_from_cache(true);
  cached->set_cache_path(hw::CachePath(dir, report.host_id()));
  return cached;
}

}  // namespace benchfleet::agent_cli
