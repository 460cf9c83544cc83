#include "analysis/roofline.h"

#include <algorithm>
#include <cctype>
#include <cmath>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace benchfleet::analysis {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

bool Positive(double v) { return std::isfinite(v) && v > 0; }

const ComputeCeiling* HighestCompute(const DeviceRoofline& d, RoofSource s) {
  const ComputeCeiling* best = nullptr;
  for (const ComputeCeiling& c : d.compute) {
    if (c.source != s || !Positive(c.flops_per_s)) continue;
    if (best == nullptr || c.flops_per_s > best->flops_per_s) best = &c;
  }
  return best;
}

const MemoryCeiling* HighestDram(const DeviceRoofline& d, RoofSource s) {
  const MemoryCeiling* best = nullptr;
  for (const MemoryCeiling& m : d.memory) {
    if (m.source != s || m.level != "DRAM" || !Positive(m.bytes_per_s))
      continue;
    if (best == nullptr || m.bytes_per_s > best->bytes_per_s) best = &m;
  }
  return best;
}

std::optional<Roof> MakeRoof(const DeviceRoofline& d, RoofSource s) {
  const ComputeCeiling* c = HighestCompute(d, s);
  const MemoryCeiling* m = HighestDram(d, s);
  if (c == nullptr || m == nullptr) return std::nullopt;
  Roof roof;
  roof.name =
      absl::StrCat(RoofSourceName(s), " (", c->name, ", ", m->name, ")");
  roof.peak_flops_per_s = c->flops_per_s;
  roof.bandwidth_bytes_per_s = m->bytes_per_s;
  roof.source = s;
  return roof;
}

// "L1".."L3" for cache bandwidth names such as "l2" or "L3_read"; "DRAM"
// otherwise.
std::string LevelFromName(const std::string& name) {
  const std::string lower = absl::AsciiStrToLower(name);
  if (lower.size() >= 2 && lower[0] == 'l' && lower[1] >= '1' &&
      lower[1] <= '3' &&
      (lower.size() == 2 ||
       !std::isdigit(static_cast<unsigned char>(lower[2])))) {
    return absl::StrCat("L", std::string(1, lower[1]));
  }
  return "DRAM";
}

std::string Bytes(int64_t bytes) {
  if (bytes >= (int64_t{1} << 30))
    return absl::StrFormat("%.1f GiB", bytes / double(int64_t{1} << 30));
  if (bytes >= (int64_t{1} << 20))
    return absl::StrFormat("%.1f MiB", bytes / double(int64_t{1} << 20));
  return absl::StrFormat("%.0f KiB", bytes / 1024.0);
}

}  // namespace

std::string RoofSourceName(RoofSource source) {
  return source == RoofSource::kMeasured ? "measured" : "datasheet";
}

std::string BoundName(Bound bound) {
  switch (bound) {
    case Bound::kMemory:
      return "memory";
    case Bound::kCompute:
      return "compute";
    case Bound::kUnknown:
      break;
  }
  return "unknown";
}

double Roof::RidgePoint() const {
  if (!Positive(peak_flops_per_s) || !Positive(bandwidth_bytes_per_s))
    return kNaN;
  return peak_flops_per_s / bandwidth_bytes_per_s;
}

double Roof::Attainable(double intensity) const {
  if (std::isnan(intensity) || intensity < 0) return kNaN;
  if (!Positive(peak_flops_per_s) || !Positive(bandwidth_bytes_per_s))
    return kNaN;
  // Williams, Waterman & Patterson (2009): min(peak, bandwidth x intensity).
  return std::min(peak_flops_per_s, bandwidth_bytes_per_s * intensity);
}

std::optional<Roof> DeviceRoofline::MeasuredRoof() const {
  return MakeRoof(*this, RoofSource::kMeasured);
}

std::optional<Roof> DeviceRoofline::DatasheetRoof() const {
  return MakeRoof(*this, RoofSource::kDatasheet);
}

DeviceRoofline RooflineFromHardware(
    const v1::HardwareReport& hw,
    const std::vector<ComputeCeiling>& datasheet_compute,
    const std::vector<MemoryCeiling>& datasheet_memory) {
  DeviceRoofline d;
  d.device =
      !hw.cpu().model_name().empty() ? hw.cpu().model_name() : hw.hostname();
  // Largest trustworthy data or unified cache per level.
  int64_t capacity[4] = {0, 0, 0, 0};
  for (const v1::CacheLevel& c : hw.cpu().caches()) {
    if (c.implausible() || c.level() < 1 || c.level() > 3) continue;
    if (c.type() == "Instruction") continue;
    capacity[c.level()] = std::max(capacity[c.level()], c.size_bytes());
  }
  for (const v1::MeasuredPeak& p : hw.measured_peaks()) {
    if (!Positive(p.value())) continue;
    if (p.unit() == "FLOP/s") {
      d.compute.push_back(
          {p.name(), p.value(), RoofSource::kMeasured, p.method()});
    } else if (p.unit() == "B/s") {
      MemoryCeiling m;
      m.name = p.name();
      m.level = LevelFromName(p.name());
      m.bytes_per_s = p.value();
      m.source = RoofSource::kMeasured;
      m.method = p.method();
      if (m.level != "DRAM") m.capacity_bytes = capacity[m.level[1] - '0'];
      d.memory.push_back(m);
    }
  }
  for (const ComputeCeiling& c : datasheet_compute) {
    ComputeCeiling copy = c;
    copy.source = RoofSource::kDatasheet;
    d.compute.push_back(copy);
  }
  for (const MemoryCeiling& m : datasheet_memory) {
    MemoryCeiling copy = m;
    copy.source = RoofSource::kDatasheet;
    d.memory.push_back(copy);
  }
  return d;
}

Placement PlacePoint(const DeviceRoofline& device, double intensity,
                     double achieved_flops_per_s, const PointContext& context) {
  Placement p;
  p.intensity = intensity;
  p.achieved_flops_per_s = achieved_flops_per_s;
  if (!Positive(intensity)) {
    p.likely_causes.push_back(absl::StrFormat(
        "cannot place: operational intensity %g FLOP/byte is not positive "
        "(no traffic figure from the cost model?)",
        intensity));
    return p;
  }
  if (!Positive(achieved_flops_per_s)) {
    p.likely_causes.push_back(
        absl::StrFormat("cannot place: achieved %g FLOP/s is not positive",
                        achieved_flops_per_s));
    return p;
  }
  const std::optional<Roof> measured = device.MeasuredRoof();
  const std::optional<Roof> datasheet = device.DatasheetRoof();
  if (measured) {
    p.attainable_measured = measured->Attainable(intensity);
    p.efficiency_measured = achieved_flops_per_s / p.attainable_measured;
  }
  if (datasheet) {
    p.attainable_datasheet = datasheet->Attainable(intensity);
    p.efficiency_datasheet = achieved_flops_per_s / p.attainable_datasheet;
    p.above_datasheet = achieved_flops_per_s > p.attainable_datasheet;
  }
  const std::optional<Roof>& reference = measured ? measured : datasheet;
  if (!reference) {
    p.likely_causes.push_back(
        "cannot place: the device has no roof (needs a compute peak and a "
        "DRAM bandwidth, measured or from a datasheet)");
    return p;
  }
  p.reference_roof = reference->name;
  const double ridge = reference->RidgePoint();
  p.bound = intensity < ridge ? Bound::kMemory : Bound::kCompute;
  const double attainable = reference->Attainable(intensity);
  p.above_roof = achieved_flops_per_s > attainable;
  if (!p.above_roof) return p;

  std::vector<std::string>& causes = p.likely_causes;
  if (p.bound == Bound::kMemory) {
    // A cache level whose roof lies above the point, or whose capacity holds
    // the working set, explains it best.
    std::string cache_cause;
    for (const std::string level : {"L3", "L2", "L1"}) {
      for (const MemoryCeiling& m : device.memory) {
        if (m.level != level || !Positive(m.bytes_per_s)) continue;
        const bool roof_allows =
            std::min(reference->peak_flops_per_s, m.bytes_per_s * intensity) >=
            achieved_flops_per_s;
        const bool fits = context.working_set_bytes > 0 &&
                          m.capacity_bytes >= context.working_set_bytes;
        if (!roof_allows && !fits) continue;
        cache_cause = absl::StrCat("caches: ");
        if (fits) {
          absl::StrAppend(&cache_cause, "working set (",
                          Bytes(context.working_set_bytes), ") fits in ", level,
                          " (", Bytes(m.capacity_bytes), ")");
        } else {
          absl::StrAppend(&cache_cause, "the point is under the ", level,
                          " roof, so the working set likely fits in ", level);
        }
        absl::StrAppend(&cache_cause, ", so the DRAM roof does not apply");
        break;
      }
      if (!cache_cause.empty()) break;
    }
    if (!cache_cause.empty()) causes.push_back(cache_cause);
    causes.push_back(
        "DRAM bandwidth roof measured too low (re-run the bandwidth "
        "calibration with the benchmark's thread count)");
    causes.push_back(
        "cost model overcounts DRAM traffic (activations reused in cache or "
        "fused), so the true intensity is higher");
  } else {
    if (datasheet && reference->source == RoofSource::kMeasured &&
        !p.above_datasheet) {
      causes.push_back(
          "compute roof measured too low: the point is under the datasheet "
          "peak (re-run the FMA/GEMM calibration with the benchmark's "
          "thread count)");
    }
    if (datasheet && p.above_datasheet) {
      causes.push_back(
          "datasheet peak lower than the sustained boost clock (datasheets "
          "often quote the base clock)");
    }
    if (!datasheet) {
      causes.push_back(
          "compute roof measured too low (re-run the FMA/GEMM calibration "
          "with the benchmark's thread count)");
    }
    causes.push_back(
        "cost model overcounts FLOPs relative to what ran (e.g. Winograd or "
        "FFT convolution, skipped or fused operators)");
  }
  if (!context.device_name.empty() && !device.device.empty() &&
      context.device_name != device.device) {
    // A mismatched device explains anything; say it first.
    causes.insert(
        causes.begin(),
        absl::StrCat("roof belongs to another device: point from '",
                     context.device_name, "', roof of '", device.device, "'"));
  }
  return p;
}

Placement PlaceResult(const DeviceRoofline& device,
                      const v1::JobResult& result) {
  PointContext context;
  context.working_set_bytes =
      result.cost().param_bytes() + result.cost().activation_bytes();
  context.device_name = result.device_name();
  return PlacePoint(device, result.cost().intensity(),
                    result.achieved_flops_per_second(), context);
}

}  // namespace benchfleet::analysis
