#include "analysis/correlation.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "analysis/distributions.h"
#include "analysis/resample_ranks.h"
#include "base/status_macros.h"

namespace benchfleet::analysis {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

absl::Status CheckPaired(absl::Span<const double> x,
                         absl::Span<const double> y) {
  if (x.size() != y.size()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "paired inputs differ in length: ", x.size(), " vs ", y.size()));
  }
  return absl::OkStatus();
}

// The pairs where neither value is NaN.
void CompletePairs(absl::Span<const double> x, absl::Span<const double> y,
                   std::vector<double>* xs, std::vector<double>* ys) {
  xs->clear();
  ys->clear();
  for (size_t i = 0; i < x.size(); ++i) {
    if (std::isnan(x[i]) || std::isnan(y[i])) continue;
    xs->push_back(x[i]);
    ys->push_back(y[i]);
  }
}

// Pearson's r of complete data; NaN when n < 3 or either side is constant.
// Two-pass sums (mean first) for accuracy.
double PearsonR(const std::vector<double>& x, const std::vector<double>& y) {
  const size_t n = x.size();
  if (n < 3) return kNaN;
  const double mx = std::accumulate(x.begin(), x.end(), 0.0) / n;
  const double my = std::accumulate(y.begin(), y.end(), 0.0) / n;
  double sxx = 0, syy = 0, sxy = 0;
  for (size_t i = 0; i < n; ++i) {
    const double dx = x[i] - mx;
    const double dy = y[i] - my;
    sxx += dx * dx;
    syy += dy * dy;
    sxy += dx * dy;
  }
  if (!(sxx > 0) || !(syy > 0)) return kNaN;
  const double r = sxy / std::sqrt(sxx * syy);
  if (std::isnan(r)) return kNaN;
  return std::clamp(r, -1.0, 1.0);
}

// AverageRanks into `ranks`, with `order` as scratch space.
void AverageRanksInto(absl::Span<const double> values, std::vector<size_t>* order,
                      std::vector<double>* ranks) {
  ranks->assign(values.size(), kNaN);
  order->clear();
  for (size_t i = 0; i < values.size(); ++i) {
    if (!std::isnan(values[i])) order->push_back(i);
  }
  const auto less = [&values](size_t a, size_t b) { return values[a] < values[b]; };
  if (order->size() <= 32) {
    // Insertion sort: stable like std::stable_sort, without its buffer
    // (bootstrap resamples rank small samples thousands of times).
    for (size_t i = 1; i < order->size(); ++i) {
      const size_t moving = (*order)[i];
      size_t j = i;
      for (; j > 0 && less(moving, (*order)[j - 1]); --j) (*order)[j] = (*order)[j - 1];
      (*order)[j] = moving;
    }
  } else {
    std::stable_sort(order->begin(), order->end(), less);
  }
  // Positions [i, j) hold equal values; they share the mean of ranks
  // i+1..j, which is (i + 1 + j) / 2.
  for (size_t i = 0; i < order->size();) {
    size_t j = i + 1;
    while (j < order->size() && values[(*order)[j]] == values[(*order)[i]]) ++j;
    const double rank = 0.5 * static_cast<double>(i + 1 + j);
    for (size_t k = i; k < j; ++k) (*ranks)[(*order)[k]] = rank;
    i = j;
  }
}

double SpearmanRho(const std::vector<double>& x, const std::vector<double>& y) {
  if (x.size() < 3) return kNaN;
  return PearsonR(AverageRanks(x), AverageRanks(y));
}

struct KendallCounts {
  double tau = kNaN;
  double z = kNaN;
};

// Kendall's tau-b and the z statistic of C - D, counting all n(n-1)/2 pairs.
KendallCounts Kendall(const std::vector<double>& x,
                      const std::vector<double>& y) {
  KendallCounts out;
  const int64_t n = static_cast<int64_t>(x.size());
  if (n < 3) return out;
  int64_t concordant_minus_discordant = 0;
  for (int64_t i = 0; i < n; ++i) {
    for (int64_t j = i + 1; j < n; ++j) {
      const int sx = (x[i] > x[j]) - (x[i] < x[j]);
      const int sy = (y[i] > y[j]) - (y[i] < y[j]);
      concordant_minus_discordant += sx * sy;
    }
  }
  // Tie statistics per Kendall (1970) as used by scipy: for groups of size t,
  // ties = sum t(t-1)/2, v0 = sum t(t-1)(t-2), v1 = sum t(t-1)(2t+5).
  struct Ties {
    double ties = 0, v0 = 0, v1 = 0;
  };
  auto tie_stats = [](const std::vector<double>& v) {
    Ties s;
    for (int64_t t64 : TieGroupSizes(v)) {
      const double t = static_cast<double>(t64);
      s.ties += t * (t - 1) / 2;
      s.v0 += t * (t - 1) * (t - 2);
      s.v1 += t * (t - 1) * (2 * t + 5);
    }
    return s;
  };
  const Ties tx = tie_stats(x);
  const Ties ty = tie_stats(y);
  const double total = static_cast<double>(n) * (n - 1) / 2;
  if (tx.ties == total || ty.ties == total) return out;  // a constant side
  const double s = static_cast<double>(concordant_minus_discordant);
  out.tau = std::clamp(
      s / std::sqrt(total - tx.ties) / std::sqrt(total - ty.ties), -1.0, 1.0);
  const double nd = static_cast<double>(n);
  const double m = nd * (nd - 1);
  const double var = (m * (2 * nd + 5) - tx.v1 - ty.v1) / 18 +
                     (2 * tx.ties * ty.ties) / m +
                     tx.v0 * ty.v0 / (9 * m * (nd - 2));
  out.z = s / std::sqrt(var);
  return out;
}

CorrelationResult Compute(CorrelationMethod method,
                          const std::vector<double>& x,
                          const std::vector<double>& y) {
  CorrelationResult result;
  result.n = static_cast<int64_t>(x.size());
  if (x.size() < 3) return result;
  const double dof = static_cast<double>(x.size()) - 2;
  switch (method) {
    case CorrelationMethod::kPearson:
      result.estimate = PearsonR(x, y);
      result.p_value = CorrelationTwoSidedP(result.estimate, dof);
      break;
    case CorrelationMethod::kSpearman:
      result.estimate = SpearmanRho(x, y);
      result.p_value = CorrelationTwoSidedP(result.estimate, dof);
      break;
    case CorrelationMethod::kKendallTauB: {
      const KendallCounts k = Kendall(x, y);
      result.estimate = k.tau;
      result.p_value = NormalTwoSidedP(k.z);
      break;
    }
  }
  if (std::isnan(result.estimate)) result.p_value = kNaN;
  return result;
}

// Only the estimate, for bootstrap resamples (no p-value work).
double Estimate(CorrelationMethod method, const std::vector<double>& x,
                const std::vector<double>& y) {
  switch (method) {
    case CorrelationMethod::kPearson:
      return PearsonR(x, y);
    case CorrelationMethod::kSpearman:
      return SpearmanRho(x, y);
    case CorrelationMethod::kKendallTauB:
      return Kendall(x, y).tau;
  }
  return kNaN;
}

// Uniform index in [0, n) by rejection sampling on the raw 64-bit output, so
// the sequence is the same with every standard library (unlike
// std::uniform_int_distribution, whose algorithm is unspecified).
uint64_t UniformIndex(std::mt19937_64& rng, uint64_t n) {
  const uint64_t max = std::numeric_limits<uint64_t>::max();
  const uint64_t limit = max - max % n;
  uint64_t v;
  do {
    v = rng();
  } while (v >= limit);
  return v % n;
}

// Quantile(sorted values, q), reading only the two order statistics it needs
// (selected in place, O(n)) instead of sorting every value: the same double.
double QuantileBySelection(double q, std::vector<double>* values) {
  const size_t size = values->size();
  const double position = q * static_cast<double>(size - 1);
  const size_t lower = static_cast<size_t>(std::floor(position));
  const size_t upper = std::min(lower + 1, size - 1);
  const double fraction = position - static_cast<double>(lower);
  std::nth_element(values->begin(), values->begin() + lower, values->end());
  const double at_lower = (*values)[lower];
  // After the selection every value past `lower` is >= it; the smallest of
  // them is the next order statistic.
  const double at_upper =
      upper == lower
          ? at_lower
          : *std::min_element(values->begin() + upper, values->end());
  return at_lower + fraction * (at_upper - at_lower);
}

// The percentile bounds of the (non-empty, NaN-free) bootstrap estimates.
void SetPercentileBounds(double level, std::vector<double>* estimates,
                         ConfidenceInterval* ci) {
  const double tail = (1 - level) / 2;
  ci->lower = QuantileBySelection(tail, estimates);
  ci->upper = QuantileBySelection(1 - tail, estimates);
}

}  // namespace

std::string CorrelationMethodName(CorrelationMethod method) {
  switch (method) {
    case CorrelationMethod::kPearson:
      return "pearson";
    case CorrelationMethod::kSpearman:
      return "spearman";
    case CorrelationMethod::kKendallTauB:
      return "kendall";
  }
  return "unknown";
}

std::vector<double> AverageRanks(absl::Span<const double> values) {
  std::vector<size_t> order;
  std::vector<double> ranks;
  AverageRanksInto(values, &order, &ranks);
  return ranks;
}

std::vector<int64_t> TieGroupSizes(absl::Span<const double> values) {
  std::vector<double> sorted;
  sorted.reserve(values.size());
  for (double v : values) {
    if (!std::isnan(v)) sorted.push_back(v);
  }
  std::sort(sorted.begin(), sorted.end());
  std::vector<int64_t> sizes;
  for (size_t i = 0; i < sorted.size();) {
    size_t j = i + 1;
    while (j < sorted.size() && sorted[j] == sorted[i]) ++j;
    if (j - i > 1) sizes.push_back(static_cast<int64_t>(j - i));
    i = j;
  }
  return sizes;
}

absl::StatusOr<CorrelationResult> Correlate(CorrelationMethod method,
                                            absl::Span<const double> x,
                                            absl::Span<const double> y) {
  if (absl::Status s = CheckPaired(x, y); !s.ok()) return s;
  std::vector<double> xs, ys;
  CompletePairs(x, y, &xs, &ys);
  return Compute(method, xs, ys);
}

absl::StatusOr<CorrelationResult> Pearson(absl::Span<const double> x,
                                          absl::Span<const double> y) {
  return Correlate(CorrelationMethod::kPearson, x, y);
}

absl::StatusOr<CorrelationResult> Spearman(absl::Span<const double> x,
                                           absl::Span<const double> y) {
  return Correlate(CorrelationMethod::kSpearman, x, y);
}

absl::StatusOr<CorrelationResult> KendallTauB(absl::Span<const double> x,
                                              absl::Span<const double> y) {
  return Correlate(CorrelationMethod::kKendallTauB, x, y);
}

absl::StatusOr<ConfidenceInterval> BootstrapCorrelationCi(
    absl::Span<const double> x, absl::Span<const double> y,
    CorrelationMethod method, const BootstrapOptions& options) {
  if (absl::Status s = CheckPaired(x, y); !s.ok()) return s;
  if (options.resamples < 1) {
    return absl::InvalidArgumentError(absl::StrCat(
        "bootstrap needs at least 1 resample, got ", options.resamples));
  }
  if (!(options.level > 0 && options.level < 1)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "confidence level must be in (0, 1), got ", options.level));
  }
  ConfidenceInterval ci;
  ci.level = options.level;
  std::vector<double> xs, ys;
  CompletePairs(x, y, &xs, &ys);
  const size_t n = xs.size();
  if (n < 3) return ci;

  std::mt19937_64 rng(options.seed);
  std::vector<double> rx(n), ry(n), estimates, ranks_x, ranks_y;
  std::vector<size_t> draw(n);
  // As SpearmanRho on the resample: each side sorted once, not per resample.
  ResampleRanker ranker_x(xs), ranker_y(ys);
  estimates.reserve(options.resamples);
  for (int b = 0; b < options.resamples; ++b) {
    for (size_t i = 0; i < n; ++i) draw[i] = UniformIndex(rng, n);
    double e;
    if (method == CorrelationMethod::kSpearman) {
      ranker_x.Rank(draw, &ranks_x);
      ranker_y.Rank(draw, &ranks_y);
      e = PearsonR(ranks_x, ranks_y);
    } else {
      for (size_t i = 0; i < n; ++i) {
        rx[i] = xs[draw[i]];
        ry[i] = ys[draw[i]];
      }
      e = Estimate(method, rx, ry);
    }
    if (!std::isnan(e)) estimates.push_back(e);
  }
  ci.resamples_used = static_cast<int>(estimates.size());
  if (2 * estimates.size() < static_cast<size_t>(options.resamples)) return ci;
  SetPercentileBounds(options.level, &estimates, &ci);
  return ci;
}

absl::StatusOr<std::vector<std::vector<ConfidenceInterval>>>
BootstrapCorrelationMatrixCi(const std::vector<NamedVariable>& variables,
                             CorrelationMethod method,
                             const BootstrapOptions& options) {
  if (options.resamples < 1) {
    return absl::InvalidArgumentError(absl::StrCat(
        "bootstrap needs at least 1 resample, got ", options.resamples));
  }
  if (!(options.level > 0 && options.level < 1)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "confidence level must be in (0, 1), got ", options.level));
  }
  const size_t k = variables.size();
  const size_t n = k > 0 ? variables.front().values.size() : 0;
  for (const NamedVariable& v : variables) {
    if (v.values.size() != n) {
      return absl::InvalidArgumentError(absl::StrCat(
          "variable '", v.name, "' has ", v.values.size(), " observations; '",
          variables.front().name, "' has ", n));
    }
  }
  std::vector<std::vector<ConfidenceInterval>> ci(
      k, std::vector<ConfidenceInterval>(k));
  std::vector<bool> complete(k);
  for (size_t v = 0; v < k; ++v) {
    complete[v] = std::none_of(variables[v].values.begin(),
                               variables[v].values.end(),
                               [](double x) { return std::isnan(x); });
  }
  // Pairs with a missing value resample their own complete pairs.
  std::vector<std::pair<size_t, size_t>> shared;
  for (size_t i = 0; i < k; ++i) {
    for (size_t j = i + 1; j < k; ++j) {
      if (complete[i] && complete[j] && n >= 3) {
        shared.push_back({i, j});
        continue;
      }
      ASSIGN_OR_RETURN(ci[i][j],
                       BootstrapCorrelationCi(variables[i].values,
                                              variables[j].values, method,
                                              options));
      ci[j][i] = ci[i][j];
    }
  }
  if (shared.empty()) return ci;
  std::vector<bool> used(k, false);
  for (const auto& [i, j] : shared) used[i] = used[j] = true;
  std::mt19937_64 rng(options.seed);
  std::vector<size_t> draw(n);
  std::vector<std::vector<double>> columns(k, std::vector<double>(n));
  std::vector<std::vector<double>> ranks(k);
  // Each variable sorted once; a resample's ranks come from its draw counts.
  std::vector<ResampleRanker> rankers;
  if (method == CorrelationMethod::kSpearman) {
    for (size_t v = 0; v < k; ++v)
      rankers.emplace_back(used[v] ? absl::Span<const double>(variables[v].values)
                                   : absl::Span<const double>());
  }
  std::vector<std::vector<double>> estimates(shared.size());
  for (auto& e : estimates) e.reserve(options.resamples);
  for (int b = 0; b < options.resamples; ++b) {
    for (size_t i = 0; i < n; ++i) draw[i] = UniformIndex(rng, n);
    for (size_t v = 0; v < k; ++v) {
      if (!used[v]) continue;
      if (method == CorrelationMethod::kSpearman) {
        rankers[v].Rank(draw, &ranks[v]);
      } else {
        for (size_t i = 0; i < n; ++i) columns[v][i] = variables[v].values[draw[i]];
      }
    }
    for (size_t p = 0; p < shared.size(); ++p) {
      const auto [i, j] = shared[p];
      // As Estimate(), with the ranks of each variable computed once.
      const double e = method == CorrelationMethod::kSpearman
                           ? PearsonR(ranks[i], ranks[j])
                           : Estimate(method, columns[i], columns[j]);
      if (!std::isnan(e)) estimates[p].push_back(e);
    }
  }
  for (size_t p = 0; p < shared.size(); ++p) {
    const auto [i, j] = shared[p];
    ConfidenceInterval& out = ci[i][j];
    out.level = options.level;
    out.resamples_used = static_cast<int>(estimates[p].size());
    if (2 * estimates[p].size() >= static_cast<size_t>(options.resamples)) {
      SetPercentileBounds(options.level, &estimates[p], &out);
    }
    ci[j][i] = out;
  }
  return ci;
}

absl::StatusOr<CorrelationMatrix> ComputeCorrelationMatrix(
    const std::vector<NamedVariable>& variables, CorrelationMethod method) {
  if (variables.empty()) {
    return absl::InvalidArgumentError("correlation matrix needs variables");
  }
  const size_t n = variables.front().values.size();
  for (const NamedVariable& v : variables) {
    if (v.values.size() != n) {
      return absl::InvalidArgumentError(absl::StrCat(
          "variable '", v.name, "' has ", v.values.size(), " observations; '",
          variables.front().name, "' has ", n));
    }
  }
  CorrelationMatrix matrix;
  matrix.method = method;
  const size_t k = variables.size();
  matrix.cells.assign(k, std::vector<CorrelationResult>(k));
  for (size_t i = 0; i < k; ++i) {
    matrix.names.push_back(variables[i].name);
    for (size_t j = i; j < k; ++j) {
      absl::StatusOr<CorrelationResult> r =
          Correlate(method, variables[i].values, variables[j].values);
      if (!r.ok()) return r.status();
      if (i == j && !std::isnan(r->estimate)) {
        r->estimate = 1.0;  // exact, whatever rounding the formula had
        r->p_value = 0.0;
      }
      matrix.cells[i][j] = *r;
      matrix.cells[j][i] = *r;
    }
  }
  return matrix;
}

}  // namespace benchfleet::analysis
