// Runs independent pieces of an analysis on the machine's cores: each
// index once, the caller's thread included, results placed by index so the
// output is the same as a sequential loop's.
//
//   std::vector<double> out(n);
//   ParallelFor(n, [&](size_t i) { out[i] = Heavy(inputs[i]); });
#ifndef BENCHFLEET_ANALYSIS_PARALLEL_FOR_H_
#define BENCHFLEET_ANALYSIS_PARALLEL_FOR_H_

#include <cstddef>
#include <functional>

namespace benchfleet::analysis {

// Calls fn(i) for every i in [0, n) on up to `threads` threads (0: one per
// core, at most 16) and returns when all calls have returned. `fn` must be
// safe to call concurrently for different indices.
void ParallelFor(size_t n, const std::function<void(size_t)>& fn,
                 unsigned threads = 0);

}  // namespace benchfleet::analysis

#endif  // BENCHFLEET_ANALYSIS_PARALLEL_FOR_H_
