// Average ranks of bootstrap resamples without sorting each one: the values
// are sorted once, and a resample's ranks follow from how many times each
// tie group was drawn. The ranks are the same doubles AverageRanks gives for
// the resampled values (positions [i, j) of equal values share
// (i + 1 + j) / 2).
//
// Example:
//   ResampleRanker ranker(values);          // no NaN
//   ranker.Rank(draw, &ranks);              // ranks of values[draw[i]]
//
// Thread-compatible: one ranker per thread (Rank uses scratch space).
#ifndef BENCHFLEET_ANALYSIS_RESAMPLE_RANKS_H_
#define BENCHFLEET_ANALYSIS_RESAMPLE_RANKS_H_

#include <cstddef>
#include <vector>

#include "absl/types/span.h"

namespace benchfleet::analysis {

class ResampleRanker {
 public:
  // `values` must hold no NaN (+-inf is fine).
  explicit ResampleRanker(absl::Span<const double> values);

  // ranks[i] = average rank of values[draw[i]] among the values drawn, i.e.
  // AverageRanks of {values[draw[0]], values[draw[1]], ...}. O(n + draws),
  // no allocation once `ranks` has grown.
  void Rank(absl::Span<const size_t> draw, std::vector<double>* ranks);

 private:
  std::vector<size_t> group_of_;     // observation -> tie group, ascending
  std::vector<size_t> drawn_;        // scratch: draws per group
  std::vector<double> group_rank_;   // scratch: the rank each group gets
};

}  // namespace benchfleet::analysis

#endif  // BENCHFLEET_ANALYSIS_RESAMPLE_RANKS_H_
