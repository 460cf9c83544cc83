// Order statistics of the n*m pairwise differences x_i - y_j of two samples
// without building them: the k-th smallest is found exactly (the same double
// a full sort of every difference would put at position k) in
// O((n + m) log(n + m)) for the sort plus O(n + m) per counting pass.
//
// Example:
//   PairwiseDifferences d(log_candidate, log_baseline);
//   double median_low = d.KthSmallest((d.size() + 1) / 2);
//
// Thread-compatible; the inputs must be finite.
#ifndef BENCHFLEET_ANALYSIS_PAIRWISE_DIFFERENCES_H_
#define BENCHFLEET_ANALYSIS_PAIRWISE_DIFFERENCES_H_

#include <cstdint>
#include <vector>

namespace benchfleet::analysis {

class PairwiseDifferences {
 public:
  // Takes x and y (any order, finite values); sorts them once.
  PairwiseDifferences(std::vector<double> x, std::vector<double> y);

  // n * m.
  int64_t size() const;

  // The k-th smallest (1-based, 1 <= k <= size()) of the doubles x_i - y_j,
  // each computed as the one rounded subtraction `x[i] - y[j]`.
  double KthSmallest(int64_t k) const;

 private:
  // Pairs with x_i - y_j <= t: a two-pointer walk, O(n + m).
  int64_t CountAtMost(double t) const;

  std::vector<double> x_;  // ascending
  std::vector<double> y_;  // ascending
};

}  // namespace benchfleet::analysis

#endif  // BENCHFLEET_ANALYSIS_PAIRWISE_DIFFERENCES_H_
