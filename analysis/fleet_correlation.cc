#include "analysis/fleet_correlation.h"

#include <cmath>
#include <limits>
#include <map>
#include <utility>

#include "analysis/parallel_for.h"
#include "analysis/summary_stats.h"

namespace benchfleet::analysis {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

bool Positive(double v) { return std::isfinite(v) && v > 0; }

// Results of one group by (batch, mode), then by observation key.
using ByObservation = std::map<std::string, std::vector<const v1::JobResult*>>;
std::map<std::pair<int, int>, ByObservation> ByBatchAndMode(
    const DeviceGroup& g) {
  std::map<std::pair<int, int>, ByObservation> out;
  for (const v1::JobResult& r : g.results) {
    const int mode = r.spec().mode() == v1::MODE_TRAINING ? v1::MODE_TRAINING
                                                          : v1::MODE_INFERENCE;
    out[{r.spec().batch_size(), mode}][ObservationKey(r)].push_back(&r);
  }
  return out;
}

double MedianLatency(const std::vector<const v1::JobResult*>& rs) {
  std::vector<double> v;
  for (const v1::JobResult* r : rs)
    v.push_back(Positive(r->step().median_ms()) ? r->step().median_ms() : kNaN);
  return MedianOfNumbers(v);
}

double MedianThroughput(const std::vector<const v1::JobResult*>& rs) {
  std::vector<double> v;
  for (const v1::JobResult* r : rs)
    v.push_back(Positive(r->items_per_second()) ? r->items_per_second() : kNaN);
  return MedianOfNumbers(v);
}

double OrNaN(double v) { return Positive(v) ? v : kNaN; }

ConfidenceInterval Bootstrap(const std::vector<double>& x,
                             const std::vector<double>& y,
                             const CorrelateOptions& options) {
  absl::StatusOr<ConfidenceInterval> ci =
      BootstrapCorrelationCi(x, y, options.method, options.bootstrap);
  if (ci.ok()) return *ci;
  ConfidenceInterval none;
  none.level = options.bootstrap.level;
  return none;
}

void SetCell(const CorrelationResult& r, const ConfidenceInterval& ci,
             v1::CorrelationCell* cell) {
  if (std::isfinite(r.estimate)) cell->set_estimate(r.estimate);
  if (std::isfinite(r.p_value)) cell->set_p_value(r.p_value);
  cell->set_n(r.n);
  if (std::isfinite(ci.lower)) cell->set_ci_lower(ci.lower);
  if (std::isfinite(ci.upper)) cell->set_ci_upper(ci.upper);
}

}  // namespace

std::vector<CorrelationGroup> CorrelateByDevice(
    const std::vector<DeviceGroup>& groups, const CorrelateOptions& options) {
  std::vector<CorrelationGroup> out;
  std::vector<std::vector<NamedVariable>> variables;  // out[i]'s
  for (const DeviceGroup& g : groups) {
    for (const auto& [batch_mode, observations] : ByBatchAndMode(g)) {
      if (observations.size() < 3) continue;
      CorrelationGroup cg;
      cg.device = g.Label();
      cg.batch = batch_mode.first;
      cg.mode = static_cast<v1::Mode>(batch_mode.second);
      std::vector<NamedVariable> vars;
      for (const std::string& name : CorrelationVariables())
        vars.push_back({name, {}});
      for (const auto& [name, rs] : observations) {
        cg.models.push_back(name);
        const v1::JobResult& first = *rs.front();
        vars[0].values.push_back(OrNaN(StepFlops(first)));
        vars[1].values.push_back(OrNaN(static_cast<double>(first.cost().params())));
        vars[2].values.push_back(
            OrNaN(static_cast<double>(first.cost().traffic_bytes())));
        vars[3].values.push_back(OrNaN(first.cost().intensity()));
        vars[4].values.push_back(MedianLatency(rs));
        vars[5].values.push_back(MedianThroughput(rs));
      }
      absl::StatusOr<CorrelationMatrix> matrix =
          ComputeCorrelationMatrix(vars, options.method);
      if (!matrix.ok()) continue;
      cg.matrix = *matrix;
      out.push_back(std::move(cg));
      variables.push_back(std::move(vars));
    }
  }
  // The bootstrap is nearly all of the work; groups are independent.
  ParallelFor(out.size(), [&](size_t i) {
    absl::StatusOr<std::vector<std::vector<ConfidenceInterval>>> ci =
        BootstrapCorrelationMatrixCi(variables[i], options.method,
                                     options.bootstrap);
    if (ci.ok()) {
      out[i].ci = *std::move(ci);
    } else {  // options out of range: no intervals, as for one pair
      ConfidenceInterval none;
      none.level = options.bootstrap.level;
      const size_t n = variables[i].size();
      out[i].ci.assign(n, std::vector<ConfidenceInterval>(n, none));
    }
  });
  return out;
}

std::vector<DeviceAgreement> CrossDeviceAgreement(
    const std::vector<DeviceGroup>& groups, const CorrelateOptions& options) {
  std::vector<DeviceAgreement> out;
  // out[i]'s median latencies on each device, for its bootstrap.
  std::vector<std::pair<std::vector<double>, std::vector<double>>> latencies;
  std::vector<std::map<std::pair<int, int>, ByObservation>> split;
  for (const DeviceGroup& g : groups) split.push_back(ByBatchAndMode(g));
  for (size_t a = 0; a < groups.size(); ++a) {
    for (size_t b = a + 1; b < groups.size(); ++b) {
      for (const auto& [batch_mode, obs_a] : split[a]) {
        auto it = split[b].find(batch_mode);
        if (it == split[b].end()) continue;
        DeviceAgreement agreement;
        agreement.device_a = groups[a].Label();
        agreement.device_b = groups[b].Label();
        agreement.batch = batch_mode.first;
        agreement.mode = static_cast<v1::Mode>(batch_mode.second);
        std::vector<double> x, y;
        for (const auto& [name, rs] : obs_a) {
          auto other = it->second.find(name);
          if (other == it->second.end()) continue;
          agreement.models.push_back(name);
          x.push_back(MedianLatency(rs));
          y.push_back(MedianLatency(other->second));
        }
        if (agreement.models.empty()) continue;
        absl::StatusOr<CorrelationResult> r =
            Correlate(options.method, x, y);
        if (r.ok()) agreement.result = *r;
        out.push_back(std::move(agreement));
        latencies.push_back({std::move(x), std::move(y)});
      }
    }
  }
  ParallelFor(out.size(), [&](size_t i) {
    out[i].ci = Bootstrap(latencies[i].first, latencies[i].second, options);
  });
  return out;
}

v1::CorrelationMethod CorrelationMethodToProto(CorrelationMethod method) {
  switch (method) {
    case CorrelationMethod::kPearson: return v1::CORRELATION_METHOD_PEARSON;
    case CorrelationMethod::kKendallTauB:
      return v1::CORRELATION_METHOD_KENDALL_TAU_B;
    default: return v1::CORRELATION_METHOD_SPEARMAN;
  }
}

CorrelationMethod CorrelationMethodFromProto(v1::CorrelationMethod method) {
  switch (method) {
    case v1::CORRELATION_METHOD_PEARSON: return CorrelationMethod::kPearson;
    case v1::CORRELATION_METHOD_KENDALL_TAU_B:
      return CorrelationMethod::kKendallTauB;
    default: return CorrelationMethod::kSpearman;
  }
}

v1::CorrelationGroup CorrelationGroupToProto(const CorrelationGroup& g) {
  v1::CorrelationGroup out;
  out.set_device(g.device);
  out.set_batch_size(g.batch);
  out.set_mode(g.mode);
  for (const std::string& m : g.models) out.add_models(m);
  for (const std::string& v : g.matrix.names) out.add_variables(v);
  for (size_t i = 0; i < g.matrix.names.size(); ++i)
    for (size_t j = 0; j < g.matrix.names.size(); ++j)
      SetCell(g.matrix.cells[i][j], g.ci[i][j], out.add_cells());
  return out;
}

v1::DeviceAgreement DeviceAgreementToProto(const DeviceAgreement& a) {
  v1::DeviceAgreement out;
  out.set_device_a(a.device_a);
  out.set_device_b(a.device_b);
  out.set_batch_size(a.batch);
  out.set_mode(a.mode);
  for (const std::string& m : a.models) out.add_models(m);
  SetCell(a.result, a.ci, out.mutable_correlation());
  return out;
}

}  // namespace benchfleet::analysis
