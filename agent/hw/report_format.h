// Plain-text tables of a hardware report, for `agent probe` and `agent
// calibrate`. Pure functions of the report (golden-tested); the JSON form
// is the protobuf JSON mapping and needs no code here.
#ifndef BENCHFLEET_AGENT_HW_REPORT_FORMAT_H_
#define BENCHFLEET_AGENT_HW_REPORT_FORMAT_H_

#include <string>

#include "proto/hardware.pb.h"

namespace benchfleet::hw {

// "165.9 GFLOP/s", "67.00 TFLOP/s"; "-" for 0.
std::string FormatFlops(double flops_per_second);
// "21.3 GB/s", "3.35 TB/s" (decimal units, as datasheets use); "-" for 0.
std::string FormatBandwidth(double bytes_per_second);
// "48 KiB", "105 MiB", "1007.5 GiB" (binary units, as caches are sized).
std::string FormatBytes(int64_t bytes);

// The inventory: CPU with the source of each figure, caches, memory, OS and
// software stack, accelerators, datasheet (or theoretical) peaks, the
// measured roofs in one line when the report has them, warnings.
std::string RenderProbeTable(const v1::HardwareReport& report);

// The calibration: where it came from, each measured roof with its method,
// the per-level bandwidths of the hierarchical roofline, measured against
// datasheet peaks where known, and warnings.
std::string RenderCalibrationTable(const v1::HardwareReport& report);

}  // namespace benchfleet::hw

#endif  // BENCHFLEET_AGENT_HW_REPORT_FORMAT_H_
