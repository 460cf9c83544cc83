// Describes the software stack the agent benchmarks with: LibTorch version
// and build, the BLAS library actually loaded into this process, threads.
#ifndef BENCHFLEET_AGENT_HW_SOFTWARE_PROBE_H_
#define BENCHFLEET_AGENT_HW_SOFTWARE_PROBE_H_

#include <string>

#include "proto/benchmark.pb.h"
#include "proto/hardware.pb.h"

namespace benchfleet::hw {

// Classifies a BLAS shared object path: "openblas", "mkl", "blis",
// "reference" (netlib) or "unknown".
std::string BlasVendorFromPath(const std::string& path);

// The oneDNN (MKL-DNN) version named in at::show_config() output, e.g.
// "2.6.3"; "" when LibTorch was built without it.
std::string OneDnnVersionFromConfig(const std::string& config);

// Fills the LibTorch, oneDNN, BLAS (path, vendor, its own configuration
// and thread count), compiler and thread fields of `software`, and adds a
// warning to `report` when the BLAS is the slow reference one.
void ProbeSoftware(v1::HardwareReport* report);

// What produced a result on this agent (JobResult.provenance): this build's
// version and source revision (build_info.h), and the LibTorch version, BLAS
// and compiler of `software` as ProbeSoftware filled it.
v1::Provenance ProvenanceOf(const v1::SoftwareInfo& software);

}  // namespace benchfleet::hw

#endif  // BENCHFLEET_AGENT_HW_SOFTWARE_PROBE_H_
