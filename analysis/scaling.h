// How models scale and where their work goes: throughput against batch size
// with a scaling efficiency (the seed study's Q3 throughput plot),
// forward:backward ratios of latency and FLOPs, and per-kind FLOP shares
// (the seed's Q5 pie charts, drawn here as bars).
//
// Example:
//   std::vector<ThroughputSeries> series = ThroughputByBatch(results);
//   for (const ThroughputSeries& s : series)
//     for (const ScalingPoint& p : ScalingEfficiency(s.points)) ...
//
// Pure and thread-safe.
#ifndef BENCHFLEET_ANALYSIS_SCALING_H_
#define BENCHFLEET_ANALYSIS_SCALING_H_

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "proto/benchmark.pb.h"

namespace benchfleet::analysis {

// Throughput measured at one batch size.
struct ThroughputPoint {
  int batch = 0;                // items per iteration, >= 1
  double items_per_second = 0;  // batch / median step time
};

// One curve: a model on one host and device in one mode, ascending batch.
struct ThroughputSeries {
  std::string label;  // "resnet50 / host-a cpu / inference"
  std::string model;
  std::string host;    // host_id, else device_name
  std::string device;  // "cpu" or "cuda"
  v1::Mode mode = v1::MODE_UNSPECIFIED;
  std::vector<ThroughputPoint> points;
};

// Groups successful results (status OK, items_per_second > 0) by (model,
// host, device, mode, input shape) into curves sorted by batch. Several
// results at one batch (repeated sweeps) are reduced to their median
// throughput. Series are sorted by label; failed results are ignored.
std::vector<ThroughputSeries> ThroughputByBatch(
    const std::vector<v1::JobResult>& results);

struct ScalingPoint {
  int batch = 0;
  double items_per_second = 0;
  // T(b) / T(b0), b0 the smallest batch measured (usually 1): how much
  // batching helped.
  double speedup = std::numeric_limits<double>::quiet_NaN();
  // speedup / (b / b0) = [T(b) / b] / [T(b0) / b0]. 1 means a batch of b
  // costs no more time than a batch of b0 (perfect batching: latency flat);
  // b0/b means batching bought nothing (latency grew linearly with b).
  // With b0 = 1 this is throughput(b) / (b * throughput(1)).
  double efficiency = std::numeric_limits<double>::quiet_NaN();
};

// Speedup and efficiency of each point relative to the smallest batch.
// Points with batch < 1 or a non-finite or non-positive throughput are
// dropped; an empty result if none is left. Sorted by batch; duplicates of a
// batch keep the first.
std::vector<ScalingPoint> ScalingEfficiency(
    const std::vector<ThroughputPoint>& points);

// Smallest batch whose throughput reaches `fraction` (default 0.9) of the
// highest throughput measured: where batching stops paying. 0 when `points`
// has no valid point.
int SaturationBatch(const std::vector<ThroughputPoint>& points,
                    double fraction = 0.9);

// Forward:backward ratios of one training result.
struct ForwardBackwardRatios {
  // median forward time / median backward time; NaN when either is missing.
  double latency_ratio = std::numeric_limits<double>::quiet_NaN();
  // forward FLOPs / backward FLOPs of the cost model; NaN when missing.
  double flop_ratio = std::numeric_limits<double>::quiet_NaN();
  // Why a ratio should not be trusted. Expected: backward of a convolution or
  // linear layer costs about twice its forward (input and weight gradients;
  // Definitions in docs/ARCHITECTURE.md), so both ratios are near 0.5. A FLOP
  // ratio above 1 usually means backward operators were not counted: the seed
  // study's 3866:1 came from a profiler that missed them.
  std::vector<std::string> warnings;
};

// Ratios of `result`, from its forward/backward DurationStats and cost.
// Inference results have no backward phase: both ratios NaN, one warning.
ForwardBackwardRatios ForwardBackward(const v1::JobResult& result);

enum class Pass { kForward, kBackward };

struct FlopShare {
  std::string kind;  // layer kind ("convolution", "linear", ...) or "other"
  double flops = 0;  // of this kind in the pass
  double share = 0;  // flops / total flops of the pass, in [0, 1]
};

// FLOPs of each layer kind in `cost.by_kind` for one pass, largest first
// (ties by kind name). Kinds with zero FLOPs are left out; kinds below
// `min_share` of the total are summed into one "other" entry at the end
// (min_share 0 keeps every kind). Empty when the pass has no FLOPs.
std::vector<FlopShare> FlopSharesByKind(const v1::CostFigures& cost, Pass pass,
                                        double min_share = 0.01);

}  // namespace benchfleet::analysis

#endif  // BENCHFLEET_ANALYSIS_SCALING_H_
