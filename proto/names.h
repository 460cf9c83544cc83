// The names people read for the wire enums and shapes, in one place: every
// table, CSV, chart, label and message prints them the same way.
//
//   ModeName(v1::MODE_TRAINING)        -> "training"
//   PrecisionName(v1::PRECISION_BF16)  -> "bf16"
//   InputName(shape)                   -> "3x224x224"; "default" when unset
#ifndef BENCHFLEET_PROTO_NAMES_H_
#define BENCHFLEET_PROTO_NAMES_H_

#include <string>

#include "proto/benchmark.pb.h"
#include "proto/sweep.pb.h"

namespace benchfleet {

// "inference" or "training" (unspecified is inference).
std::string ModeName(v1::Mode mode);
// "fp32", "bf16" or "fp16" (unspecified is fp32).
std::string PrecisionName(v1::Precision precision);
// "cpu" or "cuda" (unspecified is cpu).
std::string DeviceKindName(v1::DeviceKind kind);
// "CHANNELSxHEIGHTxWIDTH", e.g. "3x224x224"; "default" when all three are
// unset (the model's own input).
std::string InputName(const v1::InputShape& input);
// True for an unset shape and for 3x224x224, the zoo's usual input: labels
// leave it out.
bool IsDefaultInput(const v1::InputShape& input);
// "nchw" or "nhwc" (unspecified is nchw).
std::string LayoutName(v1::MemoryFormat format);
// "pending", "running", "done", "failed", "cancelled" or "unknown".
std::string JobStateName(v1::JobState state);
// "running", "done", "cancelled" or "unknown".
std::string SweepStateName(v1::SweepState state);

}  // namespace benchfleet

#endif  // BENCHFLEET_PROTO_NAMES_H_
