#include "analysis/resample_ranks.h"

#include <algorithm>
#include <numeric>

namespace benchfleet::analysis {

ResampleRanker::ResampleRanker(absl::Span<const double> values)
    : group_of_(values.size()) {
  std::vector<size_t> order(values.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::sort(order.begin(), order.end(),
            [&values](size_t a, size_t b) { return values[a] < values[b]; });
  size_t groups = 0;
  for (size_t i = 0; i < order.size(); ++i) {
    if (i > 0 && values[order[i]] != values[order[i - 1]]) ++groups;
    group_of_[order[i]] = groups;
  }
  if (!order.empty()) ++groups;
  drawn_.resize(groups);
  group_rank_.resize(groups);
}

void ResampleRanker::Rank(absl::Span<const size_t> draw,
                          std::vector<double>* ranks) {
  std::fill(drawn_.begin(), drawn_.end(), size_t{0});
  for (size_t d : draw) ++drawn_[group_of_[d]];
  // A group drawn c times after `below` smaller draws fills sorted positions
  // [below, below + c): the rank AverageRanks gives them, same arithmetic.
  size_t below = 0;
  for (size_t g = 0; g < drawn_.size(); ++g) {
    const size_t end = below + drawn_[g];
    group_rank_[g] = 0.5 * static_cast<double>(below + 1 + end);
    below = end;
  }
  ranks->resize(draw.size());
  for (size_t i = 0; i < draw.size(); ++i)
    (*ranks)[i] = group_rank_[group_of_[draw[i]]];
}

}  // namespace benchfleet::analysis
