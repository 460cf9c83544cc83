#include "analysis/pairwise_differences.h"

#include <algorithm>
#include <cstring>
#include <utility>

namespace benchfleet::analysis {
namespace {

// Maps finite doubles to unsigned integers in the same order, so that
// bisection over the integers visits every double between two bounds and
// ends on a single representable value (the usual sign-magnitude flip).
uint64_t OrderedKey(double v) {
  uint64_t bits;
  std::memcpy(&bits, &v, sizeof bits);
  return (bits >> 63) != 0 ? ~bits : bits | (uint64_t{1} << 63);
}

double FromOrderedKey(uint64_t key) {
  const uint64_t bits =
      (key >> 63) != 0 ? key & ~(uint64_t{1} << 63) : ~key;
  double v;
  std::memcpy(&v, &bits, sizeof v);
  return v;
}

}  // namespace

PairwiseDifferences::PairwiseDifferences(std::vector<double> x,
                                         std::vector<double> y)
    : x_(std::move(x)), y_(std::move(y)) {
  std::sort(x_.begin(), x_.end());
  std::sort(y_.begin(), y_.end());
}

int64_t PairwiseDifferences::size() const {
  return static_cast<int64_t>(x_.size()) * static_cast<int64_t>(y_.size());
}

// Rounded subtraction is monotone (non-decreasing in x, non-increasing in y),
// so for ascending y_j the x_i with x_i - y_j <= t form a prefix that only
// grows with j.
int64_t PairwiseDifferences::CountAtMost(double t) const {
  const size_t n = x_.size();
  size_t i = 0;
  int64_t count = 0;
  for (double yj : y_) {
    while (i < n && x_[i] - yj <= t) ++i;
    count += static_cast<int64_t>(i);
  }
  return count;
}

// Value bisection over the doubles between the smallest and the largest
// difference (the selection-by-counting idea of Johnson & Mizoguchi,
// "Selecting the Kth element in X+Y and X1+X2+...+Xm", SIAM J. Comput. 7(2),
// 1978, and Monahan, "Algorithm 616: fast computation of the Hodges-Lehmann
// location estimator", ACM TOMS 10(3), 1984, with the search done on the
// ordered bit patterns of doubles). It ends on the smallest double t with at
// least k differences <= t; the count only changes at a difference, so t is
// one, bit for bit (a zero is returned as +0.0, what x - x gives; a sort does
// not order -0.0 and +0.0 either). At most 64 counting passes.
double PairwiseDifferences::KthSmallest(int64_t k) const {
  uint64_t lo = OrderedKey(x_.front() - y_.back());
  uint64_t hi = OrderedKey(x_.back() - y_.front());
  while (lo < hi) {
    const uint64_t mid = lo + (hi - lo) / 2;
    if (CountAtMost(FromOrderedKey(mid)) >= k) {
      hi = mid;
    } else {
      lo = mid + 1;
    }
  }
  const double t = FromOrderedKey(lo);
  return t == 0 ? 0.0 : t;
}

}  // namespace benchfleet::analysis
