// Results grouped by the device they ran on (a CPU or a GPU of one host),
// each group with its host's hardware report and roofline ceilings: the
// unit every fleet analysis (roofline, correlation, report) works on.
//
// Example:
//   std::vector<DeviceGroup> groups = GroupByDevice(results, agents);
//   for (const DeviceGroup& g : groups) std::cout << g.Label() << "\n";
#ifndef BENCHFLEET_ANALYSIS_DEVICE_GROUPS_H_
#define BENCHFLEET_ANALYSIS_DEVICE_GROUPS_H_

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "analysis/roofline.h"
#include "proto/benchmark.pb.h"
#include "proto/fleet_service.pb.h"
#include "proto/hardware.pb.h"

namespace benchfleet::analysis {

// The host a result ran on: host_id, else the agent id.
std::string HostOf(const v1::JobResult& result);

// CUDA, or CPU for anything else (unspecified is CPU).
v1::DeviceKind DeviceKindOf(const v1::JobResult& result);
// JobResult.device_name, else "cpu" or "cuda".
std::string DeviceNameOf(const v1::JobResult& result);
// FLOPs of one step: forward, plus backward when training.
double StepFlops(const v1::JobResult& result);
// Short observation name inside one device/batch/mode group: the model,
// with the input shape and precision when not the defaults
// ("resnet50", "inception_v3 3x299x299 bf16").
std::string ObservationKey(const v1::JobResult& result);

// Maps a host id (or agent id) to the name people know it by.
using HostNamer = std::function<std::string(const std::string&)>;
// Host id -> hostname from the agents' reports (connected agents first,
// then most recently seen); an unknown id maps to itself.
HostNamer HostNamesOf(const std::vector<v1::AgentInfo>& agents);

// The part of `hw` that describes one device: for a CPU the measured peaks
// that are not a GPU's ("cuda<i>_..."); for a GPU the "cuda<i>_..." peaks of
// the accelerator named `device_name` (index 0 when no name matches) with the
// prefix removed, no CPU caches, and the GPU's name as cpu.model_name, so
// RooflineFromHardware builds that device's roofs. Everything else
// is copied unchanged.
v1::HardwareReport HardwareForDevice(const v1::HardwareReport& hw,
                                     v1::DeviceKind kind,
                                     const std::string& device_name);

// Datasheet ceilings of one device from hw.datasheet_peaks: the FP32 peak
// and the memory bandwidth of the entry naming the device (for a CPU, any
// entry that names no accelerator), multiplied by the entry's device count
// for a CPU (sockets; a job uses the whole host) but not for a GPU (a job
// uses one). Entries with basis "theoretical" are named so ("theoretical
// fp32"), never passed off as a datasheet. Zero figures are skipped.
void DatasheetCeilings(const v1::HardwareReport& hw, v1::DeviceKind kind,
                       const std::string& device_name,
                       std::vector<ComputeCeiling>* compute,
                       std::vector<MemoryCeiling>* memory);

// The results of one device: a CPU or a GPU of one host.
struct DeviceGroup {
  std::string host;         // HostOf() the results
  std::string hostname;     // from the hardware report; "" when unknown
  std::string device_name;  // JobResult.device_name ("cpu"/"cuda" if empty)
  v1::DeviceKind kind = v1::DEVICE_KIND_CPU;
  bool has_hardware = false;  // an agent on the host sent a report
  v1::HardwareReport hardware;  // the host's whole report, when known
  DeviceRoofline roofline;  // measured + datasheet ceilings
  std::vector<v1::JobResult> results;  // successful results, by job id

  // "<device> @ <hostname or host id>", e.g. "AMD EPYC @ vm".
  std::string Label() const;
};

// Groups successful results (status OK) by (HostOf, device kind,
// device_name), ordered by host then device. Each group's hardware is the
// report of the agent on that host that is connected, else last seen (by
// host_id; by agent id for results without one); its roofline comes from
// HardwareForDevice and DatasheetCeilings. Failed results are left out.
std::vector<DeviceGroup> GroupByDevice(
    const std::vector<v1::JobResult>& results,
    const std::vector<v1::AgentInfo>& agents);


}  // namespace benchfleet::analysis

#endif  // BENCHFLEET_ANALYSIS_DEVICE_GROUPS_H_
