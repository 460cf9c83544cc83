#include "proto/names.h"

#include "absl/strings/str_cat.h"

namespace benchfleet {

std::string ModeName(v1::Mode mode) {
  return mode == v1::MODE_TRAINING ? "training" : "inference";
}

std::string PrecisionName(v1::Precision precision) {
  switch (precision) {
    case v1::PRECISION_BF16: return "bf16";
    case v1::PRECISION_FP16: return "fp16";
    default: return "fp32";
  }
}

std::string DeviceKindName(v1::DeviceKind kind) {
  return kind == v1::DEVICE_KIND_CUDA ? "cuda" : "cpu";
}

std::string InputName(const v1::InputShape& s) {
  if (s.channels() == 0 && s.height() == 0 && s.width() == 0) return "default";
  return absl::StrCat(s.channels(), "x", s.height(), "x", s.width());
}

bool IsDefaultInput(const v1::InputShape& s) {
  return (s.channels() == 0 && s.height() == 0 && s.width() == 0) ||
         (s.channels() == 3 && s.height() == 224 && s.width() == 224);
}

std::string LayoutName(v1::MemoryFormat format) {
  return format == v1::MEMORY_FORMAT_CHANNELS_LAST ? "nhwc" : "nchw";
}

std::string JobStateName(v1::JobState state) {
  switch (state) {
    case v1::JOB_STATE_PENDING: return "pending";
    case v1::JOB_STATE_LEASED: return "running";
    case v1::JOB_STATE_DONE: return "done";
    case v1::JOB_STATE_FAILED: return "failed";
    case v1::JOB_STATE_CANCELLED: return "cancelled";
    default: return "unknown";
  }
}

std::string SweepStateName(v1::SweepState state) {
  switch (state) {
    case v1::SWEEP_STATE_RUNNING: return "running";
    case v1::SWEEP_STATE_DONE: return "done";
    case v1::SWEEP_STATE_CANCELLED: return "cancelled";
    default: return "unknown";
  }
}

}  // namespace benchfleet
