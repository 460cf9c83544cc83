// Step changes in a time series of medians, e.g. a nightly schedule's
// history of one benchmark's median step time: "it got 12% slower on night
// 41 and stayed there". Binary segmentation (Scott & Knott 1974; Vostrikova
// 1981) over seeded intervals (Kovacs et al. 2020), with medians for the
// levels, a minimum segment length, and a threshold in units of the series'
// robust noise.
//
// Example:
//   std::vector<ChangePoint> steps = FindChangePoints(nightly_medians_ms);
//   for (const ChangePoint& c : steps)
//     std::cout << c.index << ": " << c.before << " -> " << c.after << "\n";
//
// Pure and thread-safe.
#ifndef BENCHFLEET_ANALYSIS_CHANGE_POINT_H_
#define BENCHFLEET_ANALYSIS_CHANGE_POINT_H_

#include <cstddef>
#include <vector>

#include "absl/types/span.h"

namespace benchfleet::analysis {

struct ChangePointOptions {
  // Points on each side of a change, at least; also the shortest segment
  // the recursion will split. >= 1; default 4: one or two bad nights are
  // outliers, four in a row are a level. (With 3, heavy-tailed noise raised
  // false alarms fivefold in the simulation described below.)
  int min_segment = 4;
  // A step must be at least this many standard errors of a difference of
  // two medians: z = |step| / (sqrt(pi/2) sigma sqrt(1/nl + 1/nr)), sigma
  // from RobustNoiseSigma. Default 5: with a few hundred candidate splits
  // per series, pure noise almost never reaches it, while a 3% step in 1%
  // noise does after about 5 nights on each side.
  double threshold_z = 5.0;
  // Simulated with the defaults, 300 series each, level 100, noise sd 1:
  // false alarms in under 1% of series with normal or Student-t(3) noise at
  // n = 30 and n = 300; a 3% step mid-series was found at the right night
  // (+-1) in 81% (n = 30) and 98% (n = 300) of series.
  // ... and at least this fraction of the level before it; default 0.02
  // (2%). Keeps noise-free series (simulated agents, sigma = 0) from
  // reporting every rounding difference.
  double min_relative_step = 0.02;
  // Upper bound on the changes returned; default 16.
  int max_change_points = 16;
};

struct ChangePoint {
  // Index in the finite series (NaN points removed, see FindChangePoints) of
  // the first point after the change.
  size_t index = 0;
  double before = 0;    // median of the segment ending at index - 1
  double after = 0;     // median of the segment starting at index
  double relative = 0;  // (after - before) / |before|; inf if before == 0
  double sigmas = 0;    // |after - before| / noise sigma; inf if sigma == 0
  double z = 0;         // the step in standard errors (see threshold_z)
};

// Robust noise standard deviation of a series with steps: the median
// absolute deviation of the first differences, scaled by 1.4826 (consistency
// with a normal's sigma) and divided by sqrt 2 (a difference of two
// independent points has twice the variance). Differencing removes the
// levels, so a few steps barely move it (the estimator used with wild
// binary segmentation, Fryzlewicz 2014; Donoho & Johnstone 1994 for the MAD
// scale). Equals
// scipy.stats.median_abs_deviation(numpy.diff(x), scale='normal') / sqrt(2).
// NaN values are removed first; fewer than 3 finite values gives 0.
double RobustNoiseSigma(absl::Span<const double> series);

// Change points of `series`, ascending by index. NaN values are removed
// first (a missed night is not a change), so indices refer to the series
// without them. In an interval, the split k minimises the summed absolute
// deviations of both sides from their medians (least absolute deviation,
// Bai 1995; ties go to the earliest k); it is acceptable when both sides
// have min_segment points, the median step's z (see threshold_z) reaches
// threshold_z, and the step is at least min_relative_step * |median(left)|.
// The intervals are those of seeded binary segmentation (Kovacs et al.
// 2020): the whole series and deterministic halving windows, so a rise
// followed by a fall is found too. Acceptable candidates are taken greedily
// by decreasing z while they stay min_segment points from the changes
// already taken and their interval holds none of them, up to
// max_change_points. Each change is then moved to the least-absolute-
// deviation split between its neighbours (a window's forced split can be a
// point off). Levels in the result are the medians of the final segments. A
// series shorter than 2 * min_segment has no change points; invalid options
// (min_segment < 1, negative thresholds, max_change_points < 1) give none.
// O(n^2 log n) time: well under a second for ten years of nightly medians.
std::vector<ChangePoint> FindChangePoints(
    absl::Span<const double> series, const ChangePointOptions& options = {});

}  // namespace benchfleet::analysis

#endif  // BENCHFLEET_ANALYSIS_CHANGE_POINT_H_
