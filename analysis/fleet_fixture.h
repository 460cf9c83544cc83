// A small fleet for the tests of the fleet analyses, the AnalysisService
// and fleetctl: one host ("bench-01") with a two-socket CPU and a T4 GPU,
// measured and datasheet peaks, and five models' results on both.
#ifndef BENCHFLEET_ANALYSIS_FLEET_FIXTURE_H_
#define BENCHFLEET_ANALYSIS_FLEET_FIXTURE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "proto/benchmark.pb.h"
#include "proto/fleet_service.pb.h"
#include "proto/hardware.pb.h"

namespace benchfleet::analysis::fixture {

inline constexpr char kHost[] = "host-a-id";
inline constexpr char kCpu[] = "Example CPU 8C";
inline constexpr char kGpu[] = "NVIDIA T4";

// One host with a CPU (two sockets) and a GPU, measured and datasheet peaks.
v1::HardwareReport Hardware();

v1::AgentInfo Agent(const std::string& id, const v1::HardwareReport& hw,
                    bool connected, int64_t last_seen);

struct Model {
  std::string name;
  double gflops;   // forward, batch 1
  int64_t params;
  double traffic_mb;
};

// resnet50, alexnet, vgg19, squeezenet1_0, mobilenet_v3_large.
const std::vector<Model>& Models();

// A successful result of agent-a on kHost; latency grows with FLOPs on
// `speed_gflops` GFLOP/s.
v1::JobResult Result(int64_t job, const Model& m, int batch, v1::Mode mode,
                     v1::DeviceKind device, double speed_gflops);

// Every model at batch 1 and 4 on the CPU (inference), batch 1 training,
// batch 1 on the GPU (jobs 1..20), and one failed job (21).
std::vector<v1::JobResult> FleetResults();

}  // namespace benchfleet::analysis::fixture

#endif  // BENCHFLEET_ANALYSIS_FLEET_FIXTURE_H_
