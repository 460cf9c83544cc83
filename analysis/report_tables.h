// Builders that turn analysis results into html_report Tables: the fleet,
// roofline placements, correlations, regression verdicts, change points,
// batch scaling and forward:backward ratios. Numbers are formatted to 3
// significant digits; NaN prints as "n/a". Row classes mark what needs a
// look ("bad" for regressions and points above their roof).
//
// Example:
//   report.sections[0].blocks.push_back(TableBlock(FleetTable(hosts)));
//
// Pure and thread-safe.
#ifndef BENCHFLEET_ANALYSIS_REPORT_TABLES_H_
#define BENCHFLEET_ANALYSIS_REPORT_TABLES_H_

#include <string>
#include <vector>

#include "analysis/change_point.h"
#include "analysis/correlation.h"
#include "analysis/html_report.h"
#include "analysis/mann_whitney.h"
#include "analysis/roofline.h"
#include "analysis/scaling.h"
#include "proto/benchmark.pb.h"
#include "proto/hardware.pb.h"

namespace benchfleet::analysis {

// `value` to `digits` significant digits: plain decimals for magnitudes in
// [0.001, 10^6) ("1900", "0.000939", "1.5"), "%.*g" otherwise ("1.23e+06");
// "n/a" for NaN, "inf" and "-inf" for infinities.
std::string FormatSig(double value, int digits = 3);

// One row per host: host, CPU, cores/threads, memory, BLAS, LibTorch
// threads, measured peaks, warnings.
Table FleetTable(const std::vector<v1::HardwareReport>& hosts);

struct LabeledPlacement {
  std::string label;  // e.g. "resnet50 b8 @ host-a"
  Placement placement;
};

// Intensity, achieved, attainable on the measured roof (GFLOP/s),
// efficiencies against the measured and datasheet roofs, bound, above roof,
// likely causes. Rows above their roof are "bad"; unplaceable rows "warn".
Table PlacementTable(const std::vector<LabeledPlacement>& rows);

// One row per pair of distinct variables (upper triangle): estimate, p, n.
Table CorrelationTable(const CorrelationMatrix& matrix);

struct LabeledVerdict {
  std::string label;  // e.g. "resnet50 b1 cpu @ host-a"
  RegressionVerdict verdict;
};

// n, ratio, interval, p, verdict, reason. Regressions are "bad",
// improvements "good", insufficient data "warn".
Table RegressionTable(const std::vector<LabeledVerdict>& rows);

// One row per change point of one series: index, before, after, change (%),
// size in noise sigmas, z.
Table ChangePointTable(const std::string& series_label,
                       const std::vector<ChangePoint>& changes);

// One row per series and batch: throughput, speedup, efficiency
// (ScalingEfficiency), and the saturation batch (SaturationBatch) on the
// series' first row.
Table ScalingTable(const std::vector<ThroughputSeries>& series);

// One row per training result: model, batch, forward and backward median
// ms, latency and FLOP ratios, warnings (ForwardBackward). Rows with
// warnings are "warn". Inference results are skipped.
Table ForwardBackwardTable(const std::vector<v1::JobResult>& results);

}  // namespace benchfleet::analysis

#endif  // BENCHFLEET_ANALYSIS_REPORT_TABLES_H_
