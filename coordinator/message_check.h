// Validation of what agents send: nothing that crosses the wire is trusted.
#ifndef BENCHFLEET_COORDINATOR_MESSAGE_CHECK_H_
#define BENCHFLEET_COORDINATOR_MESSAGE_CHECK_H_

#include "absl/status/status.h"
#include "proto/agent_service.pb.h"

namespace benchfleet::coordinator {

inline constexpr size_t kMaxAgentIdLength = 128;
inline constexpr size_t kMaxErrorLength = 4096;
inline constexpr size_t kMaxLabelLength = 63;
inline constexpr int kMaxLabels = 32;
inline constexpr size_t kMaxProvenanceLength = 512;  // per Provenance field

// INVALID_ARGUMENT naming the field unless `hello` has a printable agent id
// of at most kMaxAgentIdLength characters, at most kMaxLabels printable
// labels, and known device kinds and precisions.
absl::Status CheckHello(const v1::Hello& hello);
// INVALID_ARGUMENT naming the field for non-positive ids or attempts,
// negative durations or block sizes (iterations), sequences outside
// [0, INT64_MAX) (the ack's samples_through is sequence + 1), unknown
// phases, or too many samples.
absl::Status CheckSamples(const v1::SampleBatch& batch, int max_samples);
// INVALID_ARGUMENT naming the field for bad ids, unknown status, negative or
// NaN statistics or cost FLOPs, an OK result without a timed iteration
// (step.n = 0) or with a batch size below 1, an
// oversized error text, or provenance fields longer than
// kMaxProvenanceLength or holding control characters. Whether the figures
// agree with the stored samples is RecomputeSummary's (result_summary.h).
absl::Status CheckResult(const v1::JobResult& result);

}  // namespace benchfleet::coordinator

#endif  // BENCHFLEET_COORDINATOR_MESSAGE_CHECK_H_
