#include "agent/model_executor.h"

#include "agent/hw/software_probe.h"
#include "agent/runner/runner.h"
#include "spec/model_path.h"

namespace benchfleet::agent {

ModelExecutor::ModelExecutor(const v1::HardwareReport& machine,
                             int default_threads)
    : device_name_(machine.cpu().model_name()),
      host_id_(machine.host_id()),
      provenance_(hw::ProvenanceOf(machine.software())),
      default_threads_(default_threads) {}

v1::JobResult ModelExecutor::Execute(const v1::Lease& lease,
                                     const SampleCallback& on_sample,
                                     const std::atomic<bool>& cancelled) {
  v1::BenchmarkSpec spec = lease.spec();
  if (spec.threads() == 0) spec.set_threads(default_threads_);
  v1::JobResult result =
      runner::RunJob(spec, lease.job_id(), lease.attempt(), on_sample, &cancelled);
  result.set_device_name(device_name_);
  result.set_host_id(host_id_);
  *result.mutable_provenance() = provenance_;
  // A TorchScript model is identified by its content, not its path. The
  // runner sets the digest of the bytes it loaded (ZooModel::digest) once it
  // copies it; until then, and for a file it failed to load, digest it here.
  if (result.model_digest().empty() && spec::IsModelPath(spec.model())) {
    if (absl::StatusOr<std::string> digest =
            spec::ModelFileDigest(spec.model());
        digest.ok()) {
      result.set_model_digest(*std::move(digest));
    }
  }
  return result;
}

}  // namespace benchfleet::agent
