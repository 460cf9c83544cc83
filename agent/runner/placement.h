// Where and how a job runs (device, dtype, memory format), and putting its
// model and input there.
#ifndef BENCHFLEET_AGENT_RUNNER_PLACEMENT_H_
#define BENCHFLEET_AGENT_RUNNER_PLACEMENT_H_

#include <torch/torch.h>

#include "agent/runner/cuda_util.h"
#include "proto/benchmark.pb.h"

namespace benchfleet::runner {

// Where and how the job runs.
struct Placement {
  torch::Device device = torch::kCPU;
  torch::Dtype dtype = torch::kFloat;
  bool channels_last = false;
  bool cuda() const { return device.is_cuda(); }
  void Sync() const {
    if (cuda()) CudaSynchronize();
  }
};

// The placement `spec` asks for: its device, precision and memory format.
Placement PlacementFor(const v1::BenchmarkSpec& spec);

// Moves `module` to the placement as Python's module.to(device, dtype,
// memory_format=...) does: floating parameters and buffers take the dtype
// (integer buffers such as batch norm's num_batches_tracked keep theirs;
// LibTorch's Module::to(dtype) would convert them too); 4-d ones take the
// channels_last layout.
void Place(torch::nn::Module& module, const Placement& placement);

// A random input batch of the spec's batch size and shape, placed.
torch::Tensor MakeInput(const v1::BenchmarkSpec& spec,
                        const Placement& placement);

}  // namespace benchfleet::runner

#endif  // BENCHFLEET_AGENT_RUNNER_PLACEMENT_H_
