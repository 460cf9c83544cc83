// Model references that are files: a BenchmarkSpec.model is either a zoo
// name ("resnet50") or the path of a TorchScript module exported from Python
// ("models/my_net.pt"). This file tells the two apart, checks that a path is
// plausible, and reads and digests the file. LibTorch-free, so the
// coordinator can validate specs with it; agent/models/model_loader.h loads.
//
// Usage:
//   if (spec::IsModelPath(job.model())) {
//     RETURN_IF_ERROR(spec::ValidateModelPath(job.model()));
//   }
#ifndef BENCHFLEET_SPEC_MODEL_PATH_H_
#define BENCHFLEET_SPEC_MODEL_PATH_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace benchfleet::spec {

// Longest model path accepted, in bytes (Linux's PATH_MAX).
inline constexpr size_t kMaxModelPathLength = 4096;

// True when `model` names a file rather than a zoo model: it ends in ".pt",
// ".pth" or ".ts" (TorchScript's usual suffixes). Says nothing about whether
// the file exists; zoo names never end so.
bool IsModelPath(absl::string_view model);

// OK when `path` is a plausible TorchScript path: IsModelPath, something
// before the suffix, no NUL byte, at most kMaxModelPathLength bytes. Else
// INVALID_ARGUMENT naming the path (cut short when long) and the rule.
// Does not touch the file system: the coordinator cannot see agents' files.
absl::Status ValidateModelPath(absl::string_view path);

// The bytes of the file at `path`. NOT_FOUND when it does not exist,
// INVALID_ARGUMENT when it is not a regular file (a directory),
// PERMISSION_DENIED or UNAVAILABLE (other read errors) otherwise; every
// message names the path. Thread-safe.
absl::StatusOr<std::string> ReadModelFile(absl::string_view path);

// SHA-256 of the file at `path` as 64 lowercase hex digits
// (JobResult.model_digest). Errors as ReadModelFile. Thread-safe.
absl::StatusOr<std::string> ModelFileDigest(absl::string_view path);

}  // namespace benchfleet::spec

#endif  // BENCHFLEET_SPEC_MODEL_PATH_H_
