// What a job needs from the machine and whether the machine has it: memory
// (MemAvailable against an estimate from the analytic cost model) and CPU
// support for bfloat16. LibTorch-free; the host is read from files under a
// root directory so tests can hand in a fake /proc.
#ifndef BENCHFLEET_AGENT_RUNNER_JOB_RESOURCES_H_
#define BENCHFLEET_AGENT_RUNNER_JOB_RESOURCES_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "proto/benchmark.pb.h"

namespace benchfleet::runner {

// MemAvailable of /proc/meminfo text, in bytes: the kernel's estimate of
// memory that can be allocated without swapping (Linux >= 3.14).
// INVALID_ARGUMENT when the field is absent or malformed.
absl::StatusOr<int64_t> ParseMemAvailable(absl::string_view meminfo);

// ParseMemAvailable of `root`/proc/meminfo. UNAVAILABLE when it cannot be
// read.
absl::StatusOr<int64_t> ReadMemAvailable(const std::string& root);

// True when /proc/cpuinfo text lists a native bfloat16 instruction set:
// x86 "flags" avx512_bf16 or amx_bf16, or Arm "Features" bf16. LibTorch
// emulates bfloat16 elsewhere, far slower than FP32, so such a figure would
// not describe the hardware.
bool CpuInfoHasBf16(absl::string_view cpuinfo);

// CpuInfoHasBf16 of `root`/proc/cpuinfo; false when it cannot be read.
bool HostHasBf16(const std::string& root);

// Bytes of one element of `precision` (FP32 for UNSPECIFIED).
int64_t ElementBytes(v1::Precision precision);

// Memory a job needs, in bytes, estimated from `reference`: cost figures of
// the same model at `reference_batch` items of `reference_shape`.
// Activations scale with batch x height x width (convolutional layers);
// parameters do not. With A the scaled activation bytes (every operator
// output of one forward), P the parameter bytes and I the FP32 input:
//   inference: P + I + A       (every output alive at once: an upper bound)
//   training:  3P + I + 2A     (weights, gradients, SGD momentum; A saved for
//                               backward and A of gradients: torchsummary's
//                               "forward/backward pass size")
// FP32 throughout: a bf16/fp16 job needs less, so the estimate errs safe.
int64_t EstimateMemoryNeedBytes(const v1::CostFigures& reference,
                                const v1::InputShape& reference_shape,
                                int reference_batch,
                                const v1::BenchmarkSpec& spec);

// `cost` scaled from `from_batch` to `to_batch` items: FLOPs, activation,
// traffic and footprint bytes grow linearly with the batch, parameters do
// not. Exact for models whose every operator works per item (all zoo CNNs).
// Used where running the cost model at the job's batch on the CPU would cost
// more than the job itself (CUDA jobs).
v1::CostFigures ScaleCostToBatch(const v1::CostFigures& cost, int from_batch,
                                 int to_batch);

// "1.50 GiB", "12.0 MiB", "512 B": for messages.
std::string HumanBytes(double bytes);

}  // namespace benchfleet::runner

#endif  // BENCHFLEET_AGENT_RUNNER_JOB_RESOURCES_H_
