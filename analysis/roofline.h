// Roofline model of a device and the placement of benchmark results on it.
//
// The roofline (Williams, Waterman & Patterson, "Roofline: an insightful
// visual performance model for multicore architectures", CACM 52(4), 2009)
// bounds the performance of a kernel with operational intensity I by
//   attainable(I) = min(peak FLOP/s, bandwidth * I).
// A device has several compute ceilings (the FP32 FMA peak and the GEMM peak
// the agent measures, the datasheet peak) and one memory ceiling per level
// (L1, L2, L3, DRAM; measured STREAM-style or from a datasheet). A point is
// judged against the measured roof (highest measured compute ceiling and
// measured DRAM bandwidth) and, when known, the datasheet roof.
//
// Definitions (docs/ARCHITECTURE.md): FLOPs count a multiply-add as 2.
// Operational intensity is FLOPs / bytes moved to and from main memory
// (FLOP/byte; the seed study's plot labels it "Bytes/Op" but plots FLOP/byte).
// Achieved is FLOPs / measured time. Efficiency is achieved / attainable. A
// point above its roof is flagged with its likely causes, never hidden.
//
// Example:
//   DeviceRoofline device = RooflineFromHardware(report, datasheet);
//   Placement p = PlacePoint(device, result.cost().intensity(),
//                            result.achieved_flops_per_second());
//   if (p.above_roof) for (auto& cause : p.likely_causes) ...
//
// Pure and thread-safe.
#ifndef BENCHFLEET_ANALYSIS_ROOFLINE_H_
#define BENCHFLEET_ANALYSIS_ROOFLINE_H_

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "proto/benchmark.pb.h"
#include "proto/hardware.pb.h"

namespace benchfleet::analysis {

enum class RoofSource { kMeasured, kDatasheet };

// "measured" or "datasheet".
std::string RoofSourceName(RoofSource source);

// A horizontal roof: a compute peak.
struct ComputeCeiling {
  std::string name;        // "fp32_fma", "sgemm", "datasheet fp32", ...
  double flops_per_s = 0;  // FLOP/s, > 0
  RoofSource source = RoofSource::kMeasured;
  std::string method;  // how it was measured or where it was read
};

// A slanted roof: the bandwidth of one memory level.
struct MemoryCeiling {
  std::string name;        // "stream_triad", "l2", "datasheet DDR4", ...
  std::string level;       // "L1", "L2", "L3" or "DRAM"
  double bytes_per_s = 0;  // B/s, > 0
  RoofSource source = RoofSource::kMeasured;
  int64_t capacity_bytes = 0;  // cache size per instance; 0 = unknown/DRAM
  std::string method;
};

// One roof: a compute peak with the bandwidth under it.
struct Roof {
  std::string name;                  // e.g. "measured (sgemm, stream_triad)"
  double peak_flops_per_s = 0;       // FLOP/s
  double bandwidth_bytes_per_s = 0;  // B/s
  RoofSource source = RoofSource::kMeasured;

  // Intensity (FLOP/byte) where the slanted and flat parts meet:
  // peak / bandwidth. Below it a kernel is memory bound. NaN if either is
  // not positive.
  double RidgePoint() const;
  // min(peak, bandwidth * intensity) in FLOP/s (Williams et al. 2009).
  // NaN for a NaN or negative intensity or an invalid roof.
  double Attainable(double intensity) const;
};

struct DeviceRoofline {
  std::string device;                   // e.g. the CPU model name
  std::vector<ComputeCeiling> compute;  // any order
  std::vector<MemoryCeiling> memory;    // any order

  // Highest measured compute ceiling with the highest measured DRAM
  // bandwidth; nullopt when either is missing.
  std::optional<Roof> MeasuredRoof() const;
  // Highest datasheet compute ceiling with the highest datasheet DRAM
  // bandwidth; nullopt when either is missing.
  std::optional<Roof> DatasheetRoof() const;
};

// Builds a roofline from an agent's measured peaks plus datasheet ceilings.
// Measured peaks with unit "FLOP/s" become compute ceilings; unit "B/s"
// becomes a memory ceiling whose level comes from the name: "l1", "l2", "l3"
// (any case, optionally with a suffix such as "l2_read") are caches, anything
// else ("stream_triad", "stream_copy", "dram") is DRAM. Cache capacities come
// from hw.cpu().caches() (Data or Unified, not implausible). Peaks with
// another unit, or a value that is not finite and positive, are skipped.
DeviceRoofline RooflineFromHardware(
    const v1::HardwareReport& hw,
    const std::vector<ComputeCeiling>& datasheet_compute = {},
    const std::vector<MemoryCeiling>& datasheet_memory = {});

enum class Bound { kUnknown, kMemory, kCompute };

// "memory", "compute" or "unknown".
std::string BoundName(Bound bound);

// What else is known about a point; all optional.
struct PointContext {
  // Bytes the kernel keeps live (e.g. params + activations); 0 = unknown.
  int64_t working_set_bytes = 0;
  // Device that produced the point; compared with DeviceRoofline::device.
  std::string device_name;
};

struct Placement {
  double intensity = std::numeric_limits<double>::quiet_NaN();  // FLOP/byte
  double achieved_flops_per_s = std::numeric_limits<double>::quiet_NaN();
  // Against the measured roof; NaN when the device has none.
  double attainable_measured = std::numeric_limits<double>::quiet_NaN();
  double efficiency_measured = std::numeric_limits<double>::quiet_NaN();
  // Against the datasheet roof; NaN when the device has none.
  double attainable_datasheet = std::numeric_limits<double>::quiet_NaN();
  double efficiency_datasheet = std::numeric_limits<double>::quiet_NaN();
  // Side of the ridge point of the reference roof (measured if present,
  // else datasheet); kUnknown when there is neither or intensity is invalid.
  Bound bound = Bound::kUnknown;
  std::string reference_roof;  // Roof::name of the reference roof
  // achieved > attainable of the reference roof (no tolerance: a point
  // 0.1% above is above).
  bool above_roof = false;
  // achieved > attainable of the datasheet roof.
  bool above_datasheet = false;
  // When above_roof: likely causes, most likely first. Otherwise empty.
  // When the point cannot be placed: why.
  std::vector<std::string> likely_causes;
};

// Places a point with `intensity` (FLOP/byte) and `achieved_flops_per_s` on
// `device`'s roofs. Efficiencies are achieved / attainable and may exceed 1.
// An intensity or achieved value that is NaN, infinite or not positive
// gives bound kUnknown, NaN figures and a cause saying what was wrong.
//
// Causes for a point above the reference roof:
// - memory-bound side: if a cache ceiling (L1/L2/L3) would allow the point,
//   or the working set fits in a cache level, "caches: working set fits in
//   ..., so the DRAM roof does not apply"; then "DRAM bandwidth roof
//   measured too low"; then "cost model overcounts DRAM traffic". (On the
//   slanted roof achieved / attainable = bytes / (time * bandwidth): the FLOP
//   count cancels, so a FLOP miscount cannot lift a memory-bound point.)
// - compute-bound side: "compute roof measured too low" when the datasheet
//   roof is above the point, "datasheet peak lower than sustained boost
//   clock" when the point is above the datasheet roof too; then "cost model
//   overcounts FLOPs" (counted FLOPs exceed what ran, e.g. Winograd or FFT
//   convolution). Undercounted FLOPs lower a point, never lift it.
// - either side, listed first: "roof belongs to another device" when
//   context.device_name differs from device.device (the seed study's Colab
//   GPU was not always the K80 its roof was drawn for).
Placement PlacePoint(const DeviceRoofline& device, double intensity,
                     double achieved_flops_per_s,
                     const PointContext& context = {});

// PlacePoint for a job result: intensity = cost.intensity, achieved =
// achieved_flops_per_second, working set = param_bytes + activation_bytes,
// device_name = result.device_name. cost.intensity counts the forward pass,
// so a training result's placement (whose achieved figure counts forward and
// backward FLOPs) is approximate.
Placement PlaceResult(const DeviceRoofline& device,
                      const v1::JobResult& result);

}  // namespace benchfleet::analysis

#endif  // BENCHFLEET_ANALYSIS_ROOFLINE_H_
