// When a benchmark's timed loop has seen enough: the adaptive repetition rule
// of the runner, and the order-statistics confidence interval it rests on.
// LibTorch-free, clock-free (callers pass elapsed time in), so tests can
// drive it with made-up samples.
//
// The rule, checked after every sample:
//   1. stop when `max_iterations` timed iterations are done (MAX_ITERATIONS)
//   2. stop when `max_seconds` have passed since timing began     (MAX_SECONDS)
//   3. once `min_iterations` and `min_seconds` are both met, stop when the
//      watched quantile (the median; the p90 for MLPerf's single-stream) is
//      stable: the distribution-free 95% confidence interval of that quantile
//      has a half-width of at most `stable_ci` of it                  (STABLE)
//      A `stable_ci` of 1 or more stops as soon as the minimums are met.
//
// Sources. torch.utils.benchmark.Timer.adaptive_autorange keeps timing blocks
// until a minimum run time has passed and IQR/median < 0.1, or a maximum run
// time is hit; blocked_autorange sizes blocks so that one lasts at least
// min_run_time/1000 and the timer's overhead is negligible. Google
// Benchmark's min_time (0.5 s) and its iteration cap play the part of
// min_seconds and max_iterations. We watch a confidence interval of the
// median instead of the IQR because the IQR measures the spread of the
// samples, which does not shrink with more of them, whereas the CI says how
// well the reported median itself is known: a run can be noisy (flagged
// unstable) yet have a well-determined median after enough samples.
//
// Example:
//   AdaptiveStop stop(spec.budget(), /*quantile=*/0.5);
//   while (true) {
//     const int64_t ns = TimeOneIteration();
//     if (stop.Add(ns, /*iterations=*/1, SecondsSinceStart())) break;
//   }
//   result.set_stop_reason(stop.reason());
#ifndef BENCHFLEET_AGENT_RUNNER_ADAPTIVE_STOP_H_
#define BENCHFLEET_AGENT_RUNNER_ADAPTIVE_STOP_H_

#include <cstdint>
#include <vector>

#include "proto/benchmark.pb.h"

namespace benchfleet::runner {

// Relative half-width of the distribution-free confidence interval of the
// q-quantile of `samples` (any order): (x_(k) - x_(j)) / (2 * quantile),
// with 1-based order-statistic ranks
//   j = floor(n q - z sqrt(n q (1 - q))),  k = ceil(n q + z sqrt(n q (1 - q)))
//   + 1
// (normal approximation of the binomial; Le Boudec, "Performance Evaluation
// of Computer and Communication Systems", 2010, sec. 2.2, Theorem 2.1).
// z = 1.96 gives 95%. Returns +infinity when n is too small for the ranks to
// fall inside the sample (n < 8 for the 95% median, about 50 for the p90),
// or when the quantile is not positive. q must be in (0, 1).
double QuantileCiRelativeHalfWidth(std::vector<double> samples, double q,
                                   double z = 1.96);

// Iterations to time as one block so that a block lasts at least
// `kMinBlockNs`, given one iteration's duration in ns (from warm-up): 1 for
// anything of 100 us or more, so every model forward is one sample per
// iteration; larger only for tiny ops, where two clock reads (~50 ns) would
// otherwise be a visible share of the sample. Capped at 1000000.
inline constexpr int64_t kMinBlockNs = 100000;
int64_t BlockSize(double iteration_ns);

// The rule above for one timed loop. Thread-compatible.
class AdaptiveStop {
 public:
  // `budget` with defaults applied (spec_check's ApplyDefaults); `quantile`
  // in (0, 1) is the one watched for stability.
  AdaptiveStop(const v1::Budget& budget, double quantile);

  // Records one sample of `sample_ns` per iteration covering `iterations`
  // iterations, with `elapsed_s` seconds since timing began (including this
  // sample). Returns true when timing should end; reason() then says why.
  bool Add(double sample_ns, int64_t iterations, double elapsed_s);

  // Why Add() last returned true; STOP_REASON_UNSPECIFIED before that.
  v1::StopReason reason() const { return reason_; }

  // The last computed relative CI half-width (+inf until one was computed).
  double last_ci() const { return last_ci_; }

  // Timed iterations so far (the sum of Add's `iterations`).
  int64_t iterations() const { return iterations_; }

 private:
  v1::Budget budget_;
  double quantile_;
  std::vector<double> samples_;
  int64_t iterations_ = 0;
  // The CI costs a sort, so it is recomputed when the sample count has grown
  // by 5% (every sample while there are fewer than 20).
  size_t next_check_ = 0;
  double last_ci_;
  v1::StopReason reason_ = v1::STOP_REASON_UNSPECIFIED;
};

}  // namespace benchfleet::runner

#endif  // BENCHFLEET_AGENT_RUNNER_ADAPTIVE_STOP_H_
