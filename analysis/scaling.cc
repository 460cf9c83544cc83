#include "analysis/scaling.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <tuple>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "analysis/summary_stats.h"
#include "proto/names.h"

namespace benchfleet::analysis {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// The valid points, sorted by batch, first of each batch kept.
std::vector<ThroughputPoint> Valid(const std::vector<ThroughputPoint>& points) {
  std::vector<ThroughputPoint> out;
  for (const ThroughputPoint& p : points) {
    if (p.batch >= 1 && std::isfinite(p.items_per_second) &&
        p.items_per_second > 0) {
      out.push_back(p);
    }
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const ThroughputPoint& a, const ThroughputPoint& b) {
                     return a.batch < b.batch;
                   });
  out.erase(std::unique(out.begin(), out.end(),
                        [](const ThroughputPoint& a, const ThroughputPoint& b) {
                          return a.batch == b.batch;
                        }),
            out.end());
  return out;
}

}  // namespace

std::vector<ThroughputSeries> ThroughputByBatch(
    const std::vector<v1::JobResult>& results) {
  // Key: label; value: the series and the throughputs seen per batch.
  struct Group {
    ThroughputSeries series;
    std::map<int, std::vector<double>> by_batch;
  };
  std::map<std::string, Group> groups;
  for (const v1::JobResult& r : results) {
    if (r.status() != v1::JOB_STATUS_OK) continue;
    if (!(r.items_per_second() > 0) || !std::isfinite(r.items_per_second()))
      continue;
    const std::string host = !r.host_id().empty()    ? r.host_id()
                             : !r.agent_id().empty() ? r.agent_id()
                                                     : r.device_name();
    const std::string device = DeviceKindName(r.spec().device());
    std::string label = r.spec().model();
    if (!IsDefaultInput(r.spec().input()))
      absl::StrAppend(&label, " ", InputName(r.spec().input()));
    absl::StrAppend(&label, " / ", host, " ", device, " / ",
                    ModeName(r.spec().mode()));
    Group& g = groups[label];
    g.series.label = label;
    g.series.model = r.spec().model();
    g.series.host = host;
    g.series.device = device;
    g.series.mode = r.spec().mode();
    g.by_batch[r.spec().batch_size()].push_back(r.items_per_second());
  }
  std::vector<ThroughputSeries> out;
  for (auto& [label, g] : groups) {
    for (auto& [batch, values] : g.by_batch) {
      std::sort(values.begin(), values.end());
      g.series.points.push_back({batch, Quantile(values, 0.5)});
    }
    out.push_back(std::move(g.series));
  }
  return out;
}

std::vector<ScalingPoint> ScalingEfficiency(
    const std::vector<ThroughputPoint>& points) {
  const std::vector<ThroughputPoint> valid = Valid(points);
  std::vector<ScalingPoint> out;
  if (valid.empty()) return out;
  const double b0 = valid.front().batch;
  const double t0 = valid.front().items_per_second;
  for (const ThroughputPoint& p : valid) {
    ScalingPoint s;
    s.batch = p.batch;
    s.items_per_second = p.items_per_second;
    s.speedup = p.items_per_second / t0;
    s.efficiency = s.speedup / (p.batch / b0);
    out.push_back(s);
  }
  return out;
}

int SaturationBatch(const std::vector<ThroughputPoint>& points,
                    double fraction) {
  const std::vector<ThroughputPoint> valid = Valid(points);
  if (valid.empty()) return 0;
  double best = 0;
  for (const ThroughputPoint& p : valid)
    best = std::max(best, p.items_per_second);
  for (const ThroughputPoint& p : valid) {
    if (p.items_per_second >= fraction * best) return p.batch;
  }
  return valid.back().batch;
}

ForwardBackwardRatios ForwardBackward(const v1::JobResult& result) {
  ForwardBackwardRatios out;
  if (result.spec().mode() != v1::MODE_TRAINING) {
    out.warnings.push_back("not a training result: no backward pass");
    return out;
  }
  const double fwd_ms = result.forward().median_ms();
  const double bwd_ms = result.backward().median_ms();
  if (result.forward().n() > 0 && result.backward().n() > 0 && fwd_ms > 0 &&
      bwd_ms > 0) {
    out.latency_ratio = fwd_ms / bwd_ms;
  } else {
    out.warnings.push_back("forward or backward phase was not timed");
  }
  const double fwd_flops = result.cost().forward_flops();
  const double bwd_flops = result.cost().backward_flops();
  if (fwd_flops > 0 && bwd_flops > 0) {
    out.flop_ratio = fwd_flops / bwd_flops;
  } else {
    out.warnings.push_back("cost model has no forward or backward FLOPs");
  }
  // Expected about 1:2 (backward computes input and weight gradients).
  if (out.flop_ratio > 1) {
    out.warnings.push_back(absl::StrFormat(
        "forward:backward FLOP ratio %.3g is above 1 (expected about 0.5): "
        "backward operators were probably not counted",
        out.flop_ratio));
  } else if (out.flop_ratio < 0.25) {
    out.warnings.push_back(absl::StrFormat(
        "forward:backward FLOP ratio %.3g is below 0.25 (expected about "
        "0.5): backward FLOPs look overcounted",
        out.flop_ratio));
  }
  if (out.latency_ratio > 1.5) {
    out.warnings.push_back(absl::StrFormat(
        "forward:backward latency ratio %.3g: backward ran much faster than "
        "forward; check that the backward phase was timed",
        out.latency_ratio));
  } else if (out.latency_ratio < 0.1) {
    out.warnings.push_back(absl::StrFormat(
        "forward:backward latency ratio %.3g: backward took over 10x the "
        "forward; check for one-off work (allocation, autograd setup) in "
        "the timed phase",
        out.latency_ratio));
  }
  return out;
}

std::vector<FlopShare> FlopSharesByKind(const v1::CostFigures& cost, Pass pass,
                                        double min_share) {
  std::map<std::string, double> by_kind;
  for (const v1::LayerCost& layer : cost.by_kind()) {
    const double f =
        pass == Pass::kForward ? layer.forward_flops() : layer.backward_flops();
    if (!(f > 0) || !std::isfinite(f)) continue;
    const std::string kind =
        !layer.kind().empty() ? layer.kind() : layer.name();
    by_kind[kind] += f;
  }
  double total = 0;
  for (const auto& [kind, f] : by_kind) total += f;
  std::vector<FlopShare> shares;
  if (!(total > 0)) return shares;
  FlopShare other{"other", 0, 0};
  int other_kinds = 0;
  for (const auto& [kind, f] : by_kind) {
    const double share = f / total;
    if (share < min_share || kind == "other") {
      other.flops += f;
      if (kind != "other") ++other_kinds;
      continue;
    }
    shares.push_back({kind, f, share});
  }
  std::sort(shares.begin(), shares.end(),
            [](const FlopShare& a, const FlopShare& b) {
              return std::tie(b.flops, a.kind) < std::tie(a.flops, b.kind);
            });
  if (other.flops > 0) {
    other.share = other.flops / total;
    shares.push_back(other);
  }
  return shares;
}

}  // namespace benchfleet::analysis
