// Sweep specs: parsing from protobuf text format, validation, and expansion
// into one BenchmarkSpec per job.
#ifndef BENCHFLEET_COORDINATOR_SWEEP_SPEC_H_
#define BENCHFLEET_COORDINATOR_SWEEP_SPEC_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "proto/benchmark.pb.h"
#include "proto/sweep.pb.h"

namespace benchfleet::coordinator {

// Most jobs one sweep may expand to.
inline constexpr int kMaxJobsPerSweep = 10000;

// Parses `text` as a text-format SweepSpec. INVALID_ARGUMENT naming
// `filename`, line, column and the parser's complaint (e.g. an unknown
// field) on a syntax error.
absl::StatusOr<v1::SweepSpec> ParseSweepText(const std::string& text,
                                             const std::string& filename);

// Reads and parses the file at `path`; NOT_FOUND when it cannot be read.
absl::StatusOr<v1::SweepSpec> ReadSweepFile(const std::string& path);

// Validates `spec` and expands it into jobs (models x inputs x batch sizes x
// modes x precisions), defaults applied. INVALID_ARGUMENT names the field and
// value: an unknown model, a batch of zero, an empty product, a bad budget.
absl::StatusOr<std::vector<v1::BenchmarkSpec>> ExpandSweep(
    const v1::SweepSpec& spec);

}  // namespace benchfleet::coordinator

#endif  // BENCHFLEET_COORDINATOR_SWEEP_SPEC_H_
