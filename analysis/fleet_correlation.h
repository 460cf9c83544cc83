// What predicts latency across the fleet: per device, batch and mode, the
// correlation matrix of the models' costs and timings with p-values and
// bootstrap intervals, and how well devices agree on the models' ranking.
//
// Example:
//   CorrelateOptions options;  // Spearman, 2000 seeded resamples, 95%
//   std::vector<CorrelationGroup> groups = CorrelateByDevice(devices, options);
//   std::vector<DeviceAgreement> agreement =
//       CrossDeviceAgreement(devices, options);
#ifndef BENCHFLEET_ANALYSIS_FLEET_CORRELATION_H_
#define BENCHFLEET_ANALYSIS_FLEET_CORRELATION_H_

#include <string>
#include <vector>

#include "analysis/correlation.h"
#include "analysis/device_groups.h"
#include "proto/analysis.pb.h"

namespace benchfleet::analysis {

struct CorrelateOptions {
  CorrelationMethod method = CorrelationMethod::kSpearman;
  // Percentile bootstrap for the intervals; seeded, so the same data give
  // the same bounds on every run (default 2000 resamples, 95%, seed 42).
  BootstrapOptions bootstrap;
};

// The variables correlated, in order.
inline const std::vector<std::string>& CorrelationVariables() {
  static const auto* names = new std::vector<std::string>{
      "FLOPs", "params", "traffic", "intensity", "latency_ms", "items/s"};
  return *names;
}

// One correlation matrix: the models of one device at one batch and mode.
struct CorrelationGroup {
  std::string device;  // DeviceGroup::Label()
  int batch = 0;
  v1::Mode mode = v1::MODE_INFERENCE;
  std::vector<std::string> models;  // one observation each
  CorrelationMatrix matrix;
  // Same shape as matrix.cells; bootstrap intervals (NaN on the diagonal).
  std::vector<std::vector<ConfidenceInterval>> ci;
};

// Per device, batch and mode: one observation per model (and input and
// precision), its variables FLOPs of one step (forward, plus backward when
// training), parameters, main-memory traffic (bytes), intensity
// (FLOP/byte), median step latency (ms) and throughput (items/s); several
// results of one model are reduced to their median latency and throughput.
// Groups with fewer than 3 models are left out (no correlation is defined).
std::vector<CorrelationGroup> CorrelateByDevice(
    const std::vector<DeviceGroup>& groups, const CorrelateOptions& options);

// How well two devices agree on which models are slow: the correlation of
// the median latencies of the models both ran at one batch and mode.
struct DeviceAgreement {
  std::string device_a;
  std::string device_b;
  int batch = 0;
  v1::Mode mode = v1::MODE_INFERENCE;
  std::vector<std::string> models;  // measured on both
  CorrelationResult result;
  ConfidenceInterval ci;
};

// One entry per pair of devices and (batch, mode) both measured, in group
// order; empty with fewer than two devices.
std::vector<DeviceAgreement> CrossDeviceAgreement(
    const std::vector<DeviceGroup>& groups, const CorrelateOptions& options);


// The wire form of a method and back (unspecified reads as Spearman).
v1::CorrelationMethod CorrelationMethodToProto(CorrelationMethod method);
CorrelationMethod CorrelationMethodFromProto(v1::CorrelationMethod method);

// The wire forms (analysis.proto): NaN figures are left unset.
v1::CorrelationGroup CorrelationGroupToProto(const CorrelationGroup& group);
v1::DeviceAgreement DeviceAgreementToProto(const DeviceAgreement& agreement);

}  // namespace benchfleet::analysis

#endif  // BENCHFLEET_ANALYSIS_FLEET_CORRELATION_H_
