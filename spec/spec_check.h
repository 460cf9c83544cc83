// Validation and defaults for BenchmarkSpec, shared by the agent (before it
// runs a job) and the coordinator (before it queues one). LibTorch-free.
#ifndef BENCHFLEET_SPEC_SPEC_CHECK_H_
#define BENCHFLEET_SPEC_SPEC_CHECK_H_

#include "absl/status/status.h"
#include "proto/benchmark.pb.h"

namespace benchfleet::spec {

// Largest batch and image side accepted; beyond them a spec is a mistake.
inline constexpr int kMaxBatchSize = 65536;
inline constexpr int kMaxImageSide = 8192;
inline constexpr int kMaxChannels = 1024;

// Fills unset fields: the model's default input, FP32, CPU, inference,
// contiguous memory format and the budget defaults documented in
// benchmark.proto.
void ApplyDefaults(v1::BenchmarkSpec& spec);

// INVALID_ARGUMENT naming the field and its value when `spec` cannot run:
// unknown model, batch < 1 or absurd, bad shape, bad budget, thread counts
// out of range, unknown enum values, aux_logits on a model without auxiliary
// classifiers (CheckAuxLogits). Whether this agent can run a valid spec
// (precision, device, memory) is the runner's question, not this one's.
// A model that IsModelPath (model_path.h) is a TorchScript
// file on the agent: only the path's form is checked (ValidateModelPath).
absl::Status ValidateSpec(const v1::BenchmarkSpec& spec);

}  // namespace benchfleet::spec

#endif  // BENCHFLEET_SPEC_SPEC_CHECK_H_
