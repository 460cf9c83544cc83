// Calibration: measures this machine's empirical roofs (FP32 FMA peak on one
// and all threads, LibTorch sgemm, STREAM, bandwidth per memory level, and
// on CUDA machines copy bandwidth and sgemm per GPU), warns about figures
// that cannot be trusted, and caches the result per host so an agent
// calibrates once per machine.
//
// Example:
//   v1::HardwareReport report = ...;  // ProbeSystem + ProbeSoftware
//   absl::StatusOr<v1::Calibration> c = hw::CalibrateOrLoad(
//       report, hw::CalibrationOptions(), hw::DefaultCacheDir(), false);
//   if (c.ok()) hw::ApplyCalibration(*c, &report);
#ifndef BENCHFLEET_AGENT_HW_CALIBRATION_H_
#define BENCHFLEET_AGENT_HW_CALIBRATION_H_

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "proto/hardware.pb.h"

namespace benchfleet::hw {

struct CalibrationOptions {
  int threads = 0;  // threads for the all-thread roofs; 0 = CPUs available
  // Many short timed runs, the best counting: on a shared machine a short
  // quiet window is likelier than a long one.
  double fma_seconds = 0.02;   // one timed FMA run, seconds
  int fma_repetitions = 15;    // timed runs per FMA figure
  double gemm_seconds = 0.05;  // one timed sgemm run, seconds
  int gemm_repetitions = 8;
  int gemm_max_n = 4096;   // largest sgemm order tried
  int stream_ntimes = 20;  // STREAM NTIMES
  // Bytes per STREAM array; 0 = 4x the last-level caches (STREAM's rule;
  // 64 MiB assumed per socket when unknown), at most 1/6 of free memory.
  int64_t stream_array_bytes = 0;
  double sweep_seconds_per_point = 0.005;  // one timed sweep run, seconds
  int sweep_repetitions = 7;
  int sweep_points_per_octave = 2;
  // Largest sweep working set, all threads; 0 = 8x the last-level cache
  // capacity, at least 64 MiB, at most 1/4 of free memory.
  int64_t sweep_max_bytes = 0;
  bool cuda = true;             // calibrate GPUs when LibTorch has CUDA
  std::string proc_root = "/";  // where /proc/stat is, for the load check
  double cuda_seconds = 0.25;   // one timed GPU run, seconds
  // CalibrateOrLoad caches a calibration only when other processes took at
  // most this share (0..1) of the machine while it ran.
  double max_other_load_to_cache = 0.10;

  // Budgets small enough for unit tests (well under a second of kernels).
  static CalibrationOptions Quick();
};

// Measures everything above on this machine. `report` supplies the cache
// sizes, CPU facts and software the warnings need. Fails only when a
// measurement cannot run (STREAM allocation or validation, LibTorch
// error); thread-hostile (it changes LibTorch's thread count for a while).
absl::StatusOr<v1::Calibration> Calibrate(const v1::HardwareReport& report,
                                          const CalibrationOptions& options);

// What a cached calibration must match to be reused: host id, threads,
// LibTorch version, BLAS library and kernel ISA.
std::string CalibrationKey(const v1::HardwareReport& report, int threads);

// $XDG_CACHE_HOME/benchfleet, else $HOME/.cache/benchfleet; "" if neither
// variable is set (no caching).
std::string DefaultCacheDir();

// <dir>/calibration-<host_id>.binpb
std::string CachePath(const std::string& dir, const std::string& host_id);

// Reads a cached calibration. NotFound when absent, DataLoss when
// unreadable.
absl::StatusOr<v1::Calibration> LoadCalibration(const std::string& path);

// Writes atomically (temporary file + rename), creating the directory.
absl::Status SaveCalibration(const std::string& path,
                             const v1::Calibration& calibration);

// The cached calibration for this host when its key matches and
// `recalibrate` is false (from_cache set); otherwise calibrates and caches
// it, unless other processes took more than max_other_load_to_cache of the
// machine meanwhile (a warning says so, and the next call measures again). A
// failed save becomes a warning. `cache_dir` "" disables the cache.
absl::StatusOr<v1::Calibration> CalibrateOrLoad(
    const v1::HardwareReport& report, const CalibrationOptions& options,
    const std::string& cache_dir, bool recalibrate);

// Puts a calibration into a report: measured_peaks, calibration, and its
// warnings appended to the report's (no duplicates).
void ApplyCalibration(const v1::Calibration& calibration,
                      v1::HardwareReport* report);

}  // namespace benchfleet::hw

#endif  // BENCHFLEET_AGENT_HW_CALIBRATION_H_
