// The coordinator's own figures for an OK result, computed from the samples
// the agent streamed for it. Samples are the ground truth; the summary an
// agent sends is checked against them, never trusted.
//
//   std::vector<v1::Sample> samples = ...;  // Store::AttemptSamples
//   absl::Status ok = RecomputeSummary(samples, result);
//   if (!ok.ok()) ...;  // refuse the result: INVALID_ARGUMENT names the field
#ifndef BENCHFLEET_COORDINATOR_RESULT_SUMMARY_H_
#define BENCHFLEET_COORDINATOR_RESULT_SUMMARY_H_

#include <vector>

#include "absl/status/status.h"
#include "proto/benchmark.pb.h"

namespace benchfleet::coordinator {

// Two figures agree when they differ by at most this fraction of the larger
// (or, for times, by at most kTimeTolerance); anything more is the agent's
// arithmetic differing from ours.
inline constexpr double kRelativeTolerance = 1e-6;
inline constexpr double kTimeToleranceMs = 1e-6;  // 1 ns

// Replaces the statistics and derived figures of the OK `result` with those
// computed from `samples`, the stored samples of its (job, attempt), with the
// runner's own code (analysis::Summarize, one value per sample): step, and
// for training forward, backward and optimizer; items_per_second,
// achieved_flops_per_second (from result.cost and the recomputed median),
// forward_backward_latency_ratio and _flop_ratio, unstable,
// iterations_per_sample, and offline_items_per_second, which samples cannot
// reproduce (they carry no wall clock) but bound: it is capped at the items
// of the timed iterations over the sum of their times. Each field whose
// agent value differs beyond rounding gets a warning naming the field and
// both values.
//
// INVALID_ARGUMENT naming the field, with `result` unchanged, when step.n is
// 0, when there are no samples, when a phase claims more samples than were
// stored, or when the stored sequences have gaps. A result that is not OK
// is left as it is.
absl::Status RecomputeSummary(const std::vector<v1::Sample>& samples,
                              v1::JobResult& result);

}  // namespace benchfleet::coordinator

#endif  // BENCHFLEET_COORDINATOR_RESULT_SUMMARY_H_
