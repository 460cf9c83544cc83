// Summary statistics of benchmark durations (median, percentiles, spread).
#ifndef BENCHFLEET_ANALYSIS_SUMMARY_STATS_H_
#define BENCHFLEET_ANALYSIS_SUMMARY_STATS_H_

#include <cstdint>
#include <vector>

#include "proto/benchmark.pb.h"

namespace benchfleet::analysis {

// Quantile q in [0, 1] of `sorted` (ascending) by linear interpolation
// between closest ranks (Hyndman & Fan type 7, numpy's default). Returns NaN
// for an empty input.
double Quantile(const std::vector<double>& sorted, double q);

// Median of the values that are not NaN, in any order; NaN when none.
double MedianOfNumbers(std::vector<double> values);

// Statistics of `durations_ns` reported in milliseconds. An empty input gives
// n = 0 and zeros elsewhere; a single sample has stddev and cv 0.
v1::DurationStats Summarize(const std::vector<int64_t>& durations_ns);

// True when the spread makes the median untrustworthy: IQR / median > 10%.
bool IsUnstable(const v1::DurationStats& stats);

// Figures that follow from a result's spec, cost and step/phase statistics;
// the runner and the coordinator's recomputation use this one definition.
// Zero where undefined (no median, no cost, not training).
struct DerivedFigures {
  double items_per_second = 0;           // batch / median step time
  double achieved_flops_per_second = 0;  // cost FLOPs of one step / median step
  double forward_backward_latency_ratio = 0;  // median forward / backward
  double forward_backward_flop_ratio = 0;     // forward / backward FLOPs
  bool unstable = false;                      // IsUnstable(step)
};
DerivedFigures Derive(const v1::JobResult& result);

}  // namespace benchfleet::analysis

#endif  // BENCHFLEET_ANALYSIS_SUMMARY_STATS_H_
