#include "coordinator/cli/analysis_commands.h"
#include "coordinator/cli/cli_output.h"

#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <fstream>
#include <limits>
#include <map>
#include <set>
#include <tuple>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/time.h"
#include "analysis/csv.h"
#include "analysis/plots.h"
#include "analysis/report_tables.h"
#include "analysis/result_table.h"
#include "analysis/scaling.h"
#include "analysis/summary_stats.h"
#include "analysis/svg_plot.h"
#include "base/grpc_status.h"
#include "base/status_macros.h"
#include "google/protobuf/util/json_util.h"

namespace benchfleet::cli {
namespace {

using analysis::CsvLine;
using analysis::FormatSig;
using analysis::FormatSi;
using Rows = std::vector<std::vector<std::string>>;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

bool Positive(double v) { return std::isfinite(v) && v > 0; }

// Share of the CPU other processes may take while a job is timed before its
// figures are suspect (the agent warns above the same 10%).
constexpr double kBusyLoad = 0.10;


// Full precision for CSV; "" for NaN so spreadsheets see an empty cell.
std::string CsvNumber(double v) {
  if (std::isnan(v)) return "";
  return absl::StrFormat("%.10g", v);
}

// A fraction as a percentage with 3 significant digits: "43.5%".
std::string Percent(double fraction) {
  if (std::isnan(fraction)) return "n/a";
  return absl::StrCat(FormatSig(100 * fraction), "%");
}

std::string Gflops(double flops_per_s) {
  return FormatSig(flops_per_s / 1e9);
}

// "1 device", "2 devices".
std::string Count(size_t n, const std::string& noun) {
  return absl::StrCat(n, " ", noun, n == 1 ? "" : "s");
}

std::string Time(int64_t unix_ms) {
  if (unix_ms == 0) return "-";
  return absl::FormatTime("%Y-%m-%d %H:%M:%S", absl::FromUnixMillis(unix_ms),
                          absl::UTCTimeZone());
}

v1::DeviceKind KindOf(const v1::JobResult& r) {
  return r.spec().device() == v1::DEVICE_KIND_CUDA ? v1::DEVICE_KIND_CUDA
                                                   : v1::DEVICE_KIND_CPU;
}

std::string KindName(v1::DeviceKind kind) {
  return kind == v1::DEVICE_KIND_CUDA ? "cuda" : "cpu";
}

std::string DefaultDeviceName(const v1::JobResult& r) {
  return r.device_name().empty() ? KindName(KindOf(r)) : r.device_name();
}

bool DefaultInput(const v1::InputShape& in) {
  return (in.channels() == 0 && in.height() == 0 && in.width() == 0) ||
         (in.channels() == 3 && in.height() == 224 && in.width() == 224);
}

// FLOPs of one step: forward, plus backward when training.
double StepFlops(const v1::JobResult& r) {
  double flops = r.cost().forward_flops();
  if (r.spec().mode() == v1::MODE_TRAINING) flops += r.cost().backward_flops();
  return flops;
}

double Median(std::vector<double> values) {
  values.erase(std::remove_if(values.begin(), values.end(),
                              [](double v) { return std::isnan(v); }),
               values.end());
  std::sort(values.begin(), values.end());
  return analysis::Quantile(values, 0.5);
}

// Agents ordered by preference: connected first, then most recently seen.
std::vector<const v1::AgentInfo*> ByPreference(
    const std::vector<v1::AgentInfo>& agents) {
  std::vector<const v1::AgentInfo*> out;
  for (const v1::AgentInfo& a : agents) out.push_back(&a);
  std::stable_sort(out.begin(), out.end(),
                   [](const v1::AgentInfo* a, const v1::AgentInfo* b) {
                     if (a->connected() != b->connected())
                       return a->connected();
                     return a->last_seen_unix_ms() > b->last_seen_unix_ms();
                   });
  return out;
}

// The hardware report describing the host a result ran on, or nullptr.
const v1::HardwareReport* HardwareOf(
    const v1::JobResult& r, const std::vector<const v1::AgentInfo*>& agents) {
  if (!r.host_id().empty()) {
    for (const v1::AgentInfo* a : agents)
      if (a->hardware().host_id() == r.host_id()) return &a->hardware();
  }
  for (const v1::AgentInfo* a : agents)
    if (a->agent_id() == r.agent_id()) return &a->hardware();
  return nullptr;
}

// Host id -> hostname, from the agents' reports.
std::map<std::string, std::string> HostNames(
    const std::vector<v1::AgentInfo>& agents) {
  std::map<std::string, std::string> names;
  for (const v1::AgentInfo* a : ByPreference(agents)) {
    const v1::HardwareReport& hw = a->hardware();
    if (!hw.host_id().empty() && !hw.hostname().empty())
      names.emplace(hw.host_id(), hw.hostname());
    names.emplace(a->agent_id(), hw.hostname().empty() ? a->agent_id()
                                                       : hw.hostname());
  }
  return names;
}

std::function<std::string(const std::string&)> HostNameFn(
    std::map<std::string, std::string> names) {
  return [names = std::move(names)](const std::string& host) {
    auto it = names.find(host);
    return it == names.end() ? host : it->second;
  };
}

// A roofline ceiling's value as text, e.g. "126 GFLOP/s".
std::string CeilingText(const v1::RoofCeiling& c) {
  return absl::StrCat(c.name(), " ",
                      FormatSi(c.value(), c.kind() == "compute" ? "FLOP/s"
                                                                : "B/s"));
}

std::string RoofText(const v1::RoofFigure& roof) {
  return absl::StrCat(FormatSi(roof.peak_flops_per_second(), "FLOP/s"), " x ",
                      FormatSi(roof.bandwidth_bytes_per_second(), "B/s"),
                      ", ridge ", FormatSig(roof.ridge_point()),
                      " FLOP/byte — ", roof.name());
}

void SetIfFinite(double value, void (v1::RooflinePlacement::*setter)(double),
                 v1::RooflinePlacement* p) {
  if (std::isfinite(value)) (p->*setter)(value);
}

double Opt(bool has, double value) { return has ? value : kNaN; }

// Short observation name inside one device/batch/mode group.
std::string ObservationKey(const v1::JobResult& r) {
  std::string key = r.spec().model();
  if (!DefaultInput(r.spec().input()))
    absl::StrAppend(&key, " ", InputName(r.spec().input()));
  if (r.spec().precision() != v1::PRECISION_UNSPECIFIED &&
      r.spec().precision() != v1::PRECISION_FP32)
    absl::StrAppend(&key, " ", PrecisionName(r.spec().precision()));
  return key;
}

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
  return Median(v);
}

double MedianThroughput(const std::vector<const v1::JobResult*>& rs) {
  std::vector<double> v;
  for (const v1::JobResult* r : rs)
    v.push_back(Positive(r->items_per_second()) ? r->items_per_second() : kNaN);
  return Median(v);
}

double OrNaN(double v) { return Positive(v) ? v : kNaN; }

analysis::ConfidenceInterval Bootstrap(const std::vector<double>& x,
                                       const std::vector<double>& y,
                                       const CorrelateOptions& options) {
  absl::StatusOr<analysis::ConfidenceInterval> ci =
      analysis::BootstrapCorrelationCi(x, y, options.method,
                                       options.bootstrap);
  if (ci.ok()) return *ci;
  analysis::ConfidenceInterval none;
  none.level = options.bootstrap.level;
  return none;
}

std::string IntervalText(double lower, double upper) {
  if (std::isnan(lower) || std::isnan(upper)) return "n/a";
  return absl::StrFormat("[%s, %s]", FormatSig(lower), FormatSig(upper));
}

std::string Estimate2(double v) {
  if (std::isnan(v)) return "n/a";
  return absl::StrFormat("%.2f", v);
}

analysis::Verdict VerdictFromName(const std::string& name) {
  if (name == "regression") return analysis::Verdict::kRegression;
  if (name == "improvement") return analysis::Verdict::kImprovement;
  if (name == "unchanged") return analysis::Verdict::kUnchanged;
  return analysis::Verdict::kInsufficientData;
}

int VerdictOrder(const std::string& name) {
  if (name == "regression") return 0;
  if (name == "improvement") return 1;
  if (name == "unchanged") return 2;
  return 3;
}

}  // namespace

// ---------------------------------------------------------------------------
// Names and keys
// ---------------------------------------------------------------------------

absl::StatusOr<std::vector<int64_t>> ParseSweepIds(const std::string& text) {
  std::vector<int64_t> ids;
  for (absl::string_view part : absl::StrSplit(text, ',', absl::SkipWhitespace())) {
    part = absl::StripAsciiWhitespace(part);
    int64_t id = 0;
    if (!absl::SimpleAtoi(part, &id) || id <= 0)
      return absl::InvalidArgumentError(absl::StrCat(
          "--sweep=", text, ": \"", part,
          "\" is not a sweep id (use ID or ID,ID,...)"));
    if (std::find(ids.begin(), ids.end(), id) == ids.end()) ids.push_back(id);
  }
  return ids;
}

absl::Status ParseCorrelationMethod(const std::string& text,
                                    analysis::CorrelationMethod* method) {
  if (text == "spearman") {
    *method = analysis::CorrelationMethod::kSpearman;
  } else if (text == "pearson") {
    *method = analysis::CorrelationMethod::kPearson;
  } else if (text == "kendall") {
    *method = analysis::CorrelationMethod::kKendallTauB;
  } else {
    return absl::InvalidArgumentError(absl::StrCat(
        "--method=", text, ": use spearman, pearson or kendall"));
  }
  return absl::OkStatus();
}

std::string ModeName(v1::Mode mode) {
  return mode == v1::MODE_TRAINING ? "training" : "inference";
}

std::string InputName(const v1::InputShape& s) {
  if (s.channels() == 0 && s.height() == 0 && s.width() == 0) return "default";
  return absl::StrCat(s.channels(), "x", s.height(), "x", s.width());
}

std::string PrecisionName(v1::Precision precision) {
  switch (precision) {
    case v1::PRECISION_BF16: return "bf16";
    case v1::PRECISION_FP16: return "fp16";
    default: return "fp32";
  }
}

std::string HostOf(const v1::JobResult& result) {
  return result.host_id().empty() ? result.agent_id() : result.host_id();
}

std::string MatchKey(const v1::JobResult& r) {
  const v1::BenchmarkSpec& s = r.spec();
  const v1::MemoryFormat layout =
      s.memory_format() == v1::MEMORY_FORMAT_CHANNELS_LAST
          ? v1::MEMORY_FORMAT_CHANNELS_LAST
          : v1::MEMORY_FORMAT_CONTIGUOUS;
  return absl::StrCat(s.model(), "|", InputName(s.input()), "|b",
                      s.batch_size(), "|", ModeName(s.mode()), "|",
                      PrecisionName(s.precision()), "|", KindName(KindOf(r)),
                      "|", DefaultDeviceName(r), "|", HostOf(r), "|t",
                      s.threads(), "|", v1::MemoryFormat_Name(layout), "|",
                      v1::Scenario_Name(s.scenario()));
}

std::string ResultLabel(const v1::JobResult& r, const std::string& host_name) {
  const v1::BenchmarkSpec& s = r.spec();
  std::string label =
      absl::StrCat(s.model(), " b", s.batch_size(), " ", ModeName(s.mode()));
  if (!DefaultInput(s.input())) absl::StrAppend(&label, " ", InputName(s.input()));
  if (PrecisionName(s.precision()) != "fp32")
    absl::StrAppend(&label, " ", PrecisionName(s.precision()));
  if (s.memory_format() == v1::MEMORY_FORMAT_CHANNELS_LAST)
    absl::StrAppend(&label, " nhwc");
  if (s.scenario() == v1::SCENARIO_SINGLE_STREAM)
    absl::StrAppend(&label, " single-stream");
  if (s.scenario() == v1::SCENARIO_OFFLINE) absl::StrAppend(&label, " offline");
  if (KindOf(r) == v1::DEVICE_KIND_CUDA)
    absl::StrAppend(&label, " ", DefaultDeviceName(r));
  if (!host_name.empty()) absl::StrAppend(&label, " @ ", host_name);
  return label;
}

// ---------------------------------------------------------------------------
// Devices and rooflines
// ---------------------------------------------------------------------------

v1::HardwareReport HardwareForDevice(const v1::HardwareReport& hw,
                                     v1::DeviceKind kind,
                                     const std::string& device_name) {
  v1::HardwareReport out = hw;
  out.clear_measured_peaks();
  if (kind != v1::DEVICE_KIND_CUDA) {
    for (const v1::MeasuredPeak& p : hw.measured_peaks()) {
      if (!absl::StartsWith(p.name(), "cuda")) *out.add_measured_peaks() = p;
    }
    return out;
  }
  int index = hw.accelerators_size() > 0 ? hw.accelerators(0).index() : 0;
  std::string name = hw.accelerators_size() > 0 ? hw.accelerators(0).name()
                                                : device_name;
  for (const v1::AcceleratorInfo& a : hw.accelerators()) {
    if (a.name() == device_name) {
      index = a.index();
      name = a.name();
      break;
    }
  }
  const std::string prefix = absl::StrCat("cuda", index, "_");
  for (const v1::MeasuredPeak& p : hw.measured_peaks()) {
    if (!absl::StartsWith(p.name(), prefix)) continue;
    v1::MeasuredPeak* copy = out.add_measured_peaks();
    *copy = p;
    copy->set_name(p.name().substr(prefix.size()));
  }
  out.mutable_cpu()->clear_caches();
  out.mutable_cpu()->set_model_name(name);
  return out;
}

void DatasheetCeilings(const v1::HardwareReport& hw, v1::DeviceKind kind,
                       const std::string& device_name,
                       std::vector<analysis::ComputeCeiling>* compute,
                       std::vector<analysis::MemoryCeiling>* memory) {
  auto names_accelerator = [&hw](const std::string& device) {
    for (const v1::AcceleratorInfo& a : hw.accelerators())
      if (a.name() == device) return true;
    return false;
  };
  std::string gpu_name = device_name;
  if (kind == v1::DEVICE_KIND_CUDA && !names_accelerator(device_name) &&
      hw.accelerators_size() > 0) {
    gpu_name = hw.accelerators(0).name();
  }
  for (const v1::DatasheetPeak& p : hw.datasheet_peaks()) {
    const bool match = kind == v1::DEVICE_KIND_CUDA
                           ? p.device() == gpu_name
                           : p.device() == hw.cpu().model_name() ||
                                 p.device() == device_name ||
                                 !names_accelerator(p.device());
    if (!match) continue;
    const bool theoretical = p.basis() == "theoretical";
    const std::string prefix = theoretical ? "theoretical" : "datasheet";
    // A CPU job uses the whole host: every socket. A GPU job uses one GPU.
    const int count =
        kind == v1::DEVICE_KIND_CUDA ? 1 : std::max(1, p.devices());
    std::string method = p.source();
    if (!p.catalog_name().empty())
      method = absl::StrCat(p.catalog_name(), ": ", method);
    if (p.estimate()) absl::StrAppend(&method, " (third-party estimate)");
    if (count > 1) absl::StrAppend(&method, "; x", count, " sockets");
    if (Positive(p.fp32_flops())) {
      compute->push_back({absl::StrCat(prefix, " fp32"),
                          p.fp32_flops() * count,
                          analysis::RoofSource::kDatasheet, method});
    }
    if (Positive(p.memory_bytes_per_second())) {
      analysis::MemoryCeiling m;
      m.name = absl::StrCat(prefix, " memory");
      m.level = "DRAM";
      m.bytes_per_s = p.memory_bytes_per_second() * count;
      m.source = analysis::RoofSource::kDatasheet;
      m.method = method;
      memory->push_back(m);
    }
  }
}

std::string DeviceGroup::Label() const {
  return absl::StrCat(device_name, " @ ", hostname.empty() ? host : hostname,
                      hardware.simulated() ? " (simulated)" : "");
}

std::vector<DeviceGroup> GroupByDevice(
    const std::vector<v1::JobResult>& results,
    const std::vector<v1::AgentInfo>& agents) {
  const std::vector<const v1::AgentInfo*> preferred = ByPreference(agents);
  std::map<std::tuple<std::string, int, std::string>, DeviceGroup> groups;
  for (const v1::JobResult& r : results) {
    if (r.status() != v1::JOB_STATUS_OK) continue;
    const v1::DeviceKind kind = KindOf(r);
    const std::string device = DefaultDeviceName(r);
    auto [it, inserted] =
        groups.try_emplace({HostOf(r), static_cast<int>(kind), device});
    DeviceGroup& g = it->second;
    if (inserted) {
      g.host = HostOf(r);
      g.device_name = device;
      g.kind = kind;
      const v1::HardwareReport* hw = HardwareOf(r, preferred);
      if (hw != nullptr) {
        g.has_hardware = true;
        g.hardware = *hw;
        g.hostname = hw->hostname();
        std::vector<analysis::ComputeCeiling> compute;
        std::vector<analysis::MemoryCeiling> memory;
        DatasheetCeilings(*hw, kind, device, &compute, &memory);
        g.roofline = analysis::RooflineFromHardware(
            HardwareForDevice(*hw, kind, device), compute, memory);
      } else {
        g.roofline.device = device;
      }
    }
    g.results.push_back(r);
  }
  std::vector<DeviceGroup> out;
  for (auto& [key, g] : groups) {
    std::stable_sort(g.results.begin(), g.results.end(),
                     [](const v1::JobResult& a, const v1::JobResult& b) {
                       return a.job_id() < b.job_id();
                     });
    out.push_back(std::move(g));
  }
  return out;
}

v1::RooflineReport BuildRooflineReport(const std::vector<DeviceGroup>& groups) {
  v1::RooflineReport report;
  for (const DeviceGroup& g : groups) {
    v1::RooflineDevice* d = report.add_devices();
    d->set_host_id(g.host);
    d->set_hostname(g.hostname);
    d->set_device_name(g.device_name);
    d->set_device(g.kind);
    d->set_simulated(g.hardware.simulated());
    auto fill = [](const analysis::Roof& roof, v1::RoofFigure* f) {
      f->set_name(roof.name);
      f->set_peak_flops_per_second(roof.peak_flops_per_s);
      f->set_bandwidth_bytes_per_second(roof.bandwidth_bytes_per_s);
      f->set_ridge_point(roof.RidgePoint());
    };
    const std::optional<analysis::Roof> measured = g.roofline.MeasuredRoof();
    const std::optional<analysis::Roof> datasheet = g.roofline.DatasheetRoof();
    if (measured) fill(*measured, d->mutable_measured_roof());
    if (datasheet) fill(*datasheet, d->mutable_datasheet_roof());
    double datasheet_peak = 0;
    std::string datasheet_peak_name;
    for (const analysis::ComputeCeiling& c : g.roofline.compute) {
      v1::RoofCeiling* out = d->add_ceilings();
      out->set_name(c.name);
      out->set_kind("compute");
      out->set_value(c.flops_per_s);
      out->set_source(analysis::RoofSourceName(c.source));
      out->set_method(c.method);
      if (c.source == analysis::RoofSource::kDatasheet &&
          c.flops_per_s > datasheet_peak) {
        datasheet_peak = c.flops_per_s;
        datasheet_peak_name = c.name;
      }
    }
    for (const analysis::MemoryCeiling& m : g.roofline.memory) {
      v1::RoofCeiling* out = d->add_ceilings();
      out->set_name(m.name);
      out->set_kind("memory");
      out->set_level(m.level);
      out->set_value(m.bytes_per_s);
      out->set_source(analysis::RoofSourceName(m.source));
      out->set_method(m.method);
    }
    // Notes: why a roof is missing, and what makes the roofs doubtful.
    if (!g.has_hardware) {
      d->add_notes(absl::StrCat("no hardware report from host ", g.host,
                                ": no roofs to place its results on"));
    } else {
      if (g.hardware.simulated())
        d->add_notes(
            "simulated agent: its timings are synthetic, so its placements "
            "mean nothing");
      if (!measured)
        d->add_notes(
            "no measured roof (needs a measured FLOP/s peak and DRAM "
            "bandwidth): run `agent calibrate` on the host; `agent serve` "
            "calibrates at start unless --calibrate_on_start=false");
      if (!datasheet && datasheet_peak > 0) {
        d->add_notes(absl::StrCat(
            "no datasheet roof: ", datasheet_peak_name, " (",
            FormatSi(datasheet_peak, "FLOP/s"),
            ") comes without a memory bandwidth; eff_ds_peak compares each "
            "point with that compute peak instead"));
      } else if (!datasheet) {
        d->add_notes("no datasheet or theoretical peak for this device");
      }
      if (absl::StartsWith(datasheet_peak_name, "theoretical"))
        d->add_notes(
            "theoretical peak: cores x clock x FLOP/cycle, computed by the "
            "agent, not a published figure");
      // A peak below a measured rate is a clock the cores outrun (turbo
      // above a base clock; a VM reports its host's nominal clock): the
      // reader must know before trusting eff_ds_peak.
      if (measured && datasheet_peak > 0 &&
          measured->peak_flops_per_s > 1.02 * datasheet_peak)
        d->add_notes(absl::StrFormat(
            "the measured compute peak (%s) is %.2fx %s (%s): the cores run "
            "above the clock that figure assumes (turbo), so eff_ds_peak can "
            "exceed 100%%",
            FormatSi(measured->peak_flops_per_s, "FLOP/s"),
            measured->peak_flops_per_s / datasheet_peak, datasheet_peak_name,
            FormatSi(datasheet_peak, "FLOP/s")));
      // The measured roofs hold for the thread count they were measured
      // with; a job on fewer threads has lower roofs.
      const int calibrated = g.hardware.calibration().threads();
      if (calibrated > 0) {
        std::set<int> others;
        for (const v1::JobResult& r : g.results)
          if (r.intra_op_threads() > 0 && r.intra_op_threads() != calibrated)
            others.insert(r.intra_op_threads());
        if (!others.empty())
          d->add_notes(absl::StrCat(
              "the roofs were measured with ", calibrated,
              " threads; results on ", absl::StrJoin(others, ", "),
              " threads are judged against roofs they could not reach"));
      }
      for (const std::string& w : g.hardware.warnings())
        d->add_notes(absl::StrCat("hardware report: ", w));
    }
    // Placements ordered for reading: model, input, mode, batch.
    std::vector<const v1::JobResult*> ordered;
    for (const v1::JobResult& r : g.results) ordered.push_back(&r);
    std::stable_sort(ordered.begin(), ordered.end(),
                     [](const v1::JobResult* a, const v1::JobResult* b) {
                       const auto key = [](const v1::JobResult* r) {
                         return std::make_tuple(
                             r->spec().model(), InputName(r->spec().input()),
                             static_cast<int>(r->spec().mode()),
                             r->spec().batch_size());
                       };
                       return key(a) < key(b);
                     });
    for (const v1::JobResult* r : ordered) {
      const analysis::Placement p = analysis::PlaceResult(g.roofline, *r);
      v1::RooflinePlacement* out = d->add_placements();
      out->set_job_id(r->job_id());
      out->set_model(r->spec().model());
      *out->mutable_input() = r->spec().input();
      out->set_batch_size(r->spec().batch_size());
      out->set_mode(r->spec().mode());
      out->set_precision(r->spec().precision());
      out->set_median_ms(r->step().median_ms());
      out->set_intensity(r->cost().intensity());
      out->set_achieved_flops_per_second(r->achieved_flops_per_second());
      SetIfFinite(p.attainable_measured,
                  &v1::RooflinePlacement::set_attainable_measured, out);
      SetIfFinite(p.efficiency_measured,
                  &v1::RooflinePlacement::set_efficiency_measured, out);
      SetIfFinite(p.attainable_datasheet,
                  &v1::RooflinePlacement::set_attainable_datasheet, out);
      SetIfFinite(p.efficiency_datasheet,
                  &v1::RooflinePlacement::set_efficiency_datasheet, out);
      if (datasheet_peak > 0 && Positive(r->achieved_flops_per_second()))
        out->set_fraction_of_datasheet_peak(r->achieved_flops_per_second() /
                                            datasheet_peak);
      out->set_bound(analysis::BoundName(p.bound));
      out->set_above_roof(p.above_roof);
      out->set_above_datasheet(p.above_datasheet);
      for (const std::string& c : p.likely_causes) out->add_likely_causes(c);
      out->set_unstable(r->unstable());
    }
  }
  return report;
}

namespace {

// "unstable" and the likely causes, joined by "; ".
std::string PlacementNotes(const v1::RooflinePlacement& p) {
  std::vector<std::string> notes;
  if (p.unstable()) notes.push_back("unstable");
  notes.insert(notes.end(), p.likely_causes().begin(), p.likely_causes().end());
  return absl::StrJoin(notes, "; ");
}

}  // namespace

std::string RenderRooflineTable(const v1::RooflineReport& report) {
  std::string out;
  if (report.devices().empty()) return "no successful results to place\n";
  for (const v1::RooflineDevice& d : report.devices()) {
    if (!out.empty()) out += "\n";
    absl::StrAppend(&out, d.device_name(), " @ ",
                    d.hostname().empty() ? d.host_id() : d.hostname(), " (",
                    KindName(d.device()), ", host ", d.host_id(), ")\n");
    absl::StrAppend(&out, "  measured roof:  ",
                    d.has_measured_roof() ? RoofText(d.measured_roof())
                                          : "none",
                    "\n");
    absl::StrAppend(&out, "  datasheet roof: ",
                    d.has_datasheet_roof() ? RoofText(d.datasheet_roof())
                                           : "none",
                    "\n");
    std::vector<std::string> ceilings;
    for (const v1::RoofCeiling& c : d.ceilings())
      ceilings.push_back(CeilingText(c));
    if (!ceilings.empty())
      absl::StrAppend(&out, "  ceilings: ", absl::StrJoin(ceilings, ", "),
                      "\n");
    Rows rows;
    for (const v1::RooflinePlacement& p : d.placements()) {
      std::string mode = ModeName(p.mode());
      if (PrecisionName(p.precision()) != "fp32")
        absl::StrAppend(&mode, " ", PrecisionName(p.precision()));
      rows.push_back(
          {p.model(), InputName(p.input()), absl::StrCat(p.batch_size()), mode,
           FormatSig(p.median_ms(), 4), FormatSig(p.intensity()),
           Gflops(p.achieved_flops_per_second()),
           Gflops(Opt(p.has_attainable_measured(), p.attainable_measured())),
           Percent(Opt(p.has_efficiency_measured(), p.efficiency_measured())),
           Percent(Opt(p.has_efficiency_datasheet(), p.efficiency_datasheet())),
           Percent(Opt(p.has_fraction_of_datasheet_peak(),
                       p.fraction_of_datasheet_peak())),
           p.bound(), p.above_roof() ? "YES" : "no", PlacementNotes(p)});
    }
    out += analysis::RenderTextTable(
        {"model", "input", "batch", "mode", "median_ms", "flop/byte",
         "gflop/s", "attainable", "eff_measured", "eff_ds_roof",
         "eff_ds_peak", "bound", "above_roof", "notes"},
        rows);
    for (const std::string& note : d.notes())
      absl::StrAppend(&out, "  note: ", note, "\n");
  }
  return out;
}

std::string RenderRooflineCsv(const v1::RooflineReport& report) {
  std::string out = CsvLine(
      {"host_id", "hostname", "device_name", "device", "job_id", "model",
       "input", "batch", "mode", "precision", "median_ms",
       "intensity_flop_per_byte", "achieved_flop_per_s",
       "attainable_measured_flop_per_s", "efficiency_measured",
       "attainable_datasheet_flop_per_s", "efficiency_datasheet",
       "fraction_of_datasheet_peak", "bound", "above_roof", "above_datasheet",
       "unstable", "likely_causes"});
  for (const v1::RooflineDevice& d : report.devices()) {
    for (const v1::RooflinePlacement& p : d.placements()) {
      out += CsvLine(
          {d.host_id(), d.hostname(), d.device_name(), KindName(d.device()),
           absl::StrCat(p.job_id()), p.model(), InputName(p.input()),
           absl::StrCat(p.batch_size()), ModeName(p.mode()),
           PrecisionName(p.precision()), CsvNumber(p.median_ms()),
           CsvNumber(p.intensity()), CsvNumber(p.achieved_flops_per_second()),
           CsvNumber(Opt(p.has_attainable_measured(), p.attainable_measured())),
           CsvNumber(Opt(p.has_efficiency_measured(), p.efficiency_measured())),
           CsvNumber(
               Opt(p.has_attainable_datasheet(), p.attainable_datasheet())),
           CsvNumber(
               Opt(p.has_efficiency_datasheet(), p.efficiency_datasheet())),
           CsvNumber(Opt(p.has_fraction_of_datasheet_peak(),
                         p.fraction_of_datasheet_peak())),
           p.bound(), p.above_roof() ? "true" : "false",
           p.above_datasheet() ? "true" : "false",
           p.unstable() ? "true" : "false",
           absl::StrJoin(p.likely_causes(), "; ")});
    }
  }
  return out;
}

namespace {

// Roofline points of one group; `prefix` goes before each series name.
std::vector<analysis::RooflinePoint> PointsOf(const DeviceGroup& g,
                                              const std::string& prefix) {
  std::vector<analysis::RooflinePoint> points;
  for (const v1::JobResult& r : g.results) {
    const analysis::Placement p = analysis::PlaceResult(g.roofline, r);
    std::string series =
        absl::StrCat(prefix, "b", r.spec().batch_size(), " ",
                     ModeName(r.spec().mode()));
    points.push_back({ObservationKey(r), series, r.cost().intensity(),
                      r.achieved_flops_per_second(), p.above_roof});
  }
  // Series in a stable, readable order: by mode, then batch.
  std::stable_sort(points.begin(), points.end(),
                   [](const analysis::RooflinePoint& a,
                      const analysis::RooflinePoint& b) {
                     return a.series < b.series;
                   });
  return points;
}

}  // namespace

std::string RooflineChart(const std::vector<DeviceGroup>& groups,
                          const std::string& title) {
  std::vector<analysis::DeviceRoofline> devices;
  std::vector<analysis::RooflinePoint> points;
  for (const DeviceGroup& g : groups) {
    analysis::DeviceRoofline d = g.roofline;
    if (groups.size() > 1) d.device = g.Label();  // legend names
    devices.push_back(std::move(d));
    const std::vector<analysis::RooflinePoint> p =
        PointsOf(g, groups.size() > 1 ? g.Label() + ": " : "");
    points.insert(points.end(), p.begin(), p.end());
  }
  return analysis::RooflinePlot(devices, points, title);
}

// ---------------------------------------------------------------------------
// Correlations
// ---------------------------------------------------------------------------

std::vector<CorrelationGroup> CorrelateByDevice(
    const std::vector<DeviceGroup>& groups, const CorrelateOptions& options) {
  std::vector<CorrelationGroup> out;
  for (const DeviceGroup& g : groups) {
    for (const auto& [batch_mode, observations] : ByBatchAndMode(g)) {
      if (observations.size() < 3) continue;
      CorrelationGroup cg;
      cg.device = g.Label();
      cg.batch = batch_mode.first;
      cg.mode = static_cast<v1::Mode>(batch_mode.second);
      std::vector<analysis::NamedVariable> vars;
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
      absl::StatusOr<analysis::CorrelationMatrix> matrix =
          analysis::ComputeCorrelationMatrix(vars, options.method);
      if (!matrix.ok()) continue;
      cg.matrix = *matrix;
      const size_t n = vars.size();
      cg.ci.assign(n, std::vector<analysis::ConfidenceInterval>(n));
      for (size_t i = 0; i < n; ++i) {
        for (size_t j = i + 1; j < n; ++j) {
          cg.ci[i][j] = Bootstrap(vars[i].values, vars[j].values, options);
          cg.ci[j][i] = cg.ci[i][j];
        }
      }
      out.push_back(std::move(cg));
    }
  }
  return out;
}

std::vector<DeviceAgreement> CrossDeviceAgreement(
    const std::vector<DeviceGroup>& groups, const CorrelateOptions& options) {
  std::vector<DeviceAgreement> out;
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
        absl::StatusOr<analysis::CorrelationResult> r =
            analysis::Correlate(options.method, x, y);
        if (r.ok()) agreement.result = *r;
        agreement.ci = Bootstrap(x, y, options);
        out.push_back(std::move(agreement));
      }
    }
  }
  return out;
}

std::string RenderCorrelations(const std::vector<CorrelationGroup>& groups,
                               const std::vector<DeviceAgreement>& agreement,
                               const CorrelateOptions& options, bool csv) {
  const std::string method = analysis::CorrelationMethodName(options.method);
  const std::string level =
      absl::StrCat(FormatSig(100 * options.bootstrap.level), "%");
  if (csv) {
    std::string out = CsvLine({"device", "batch", "mode", "x", "y", "method",
                               "estimate", "ci_lower", "ci_upper", "ci_level",
                               "p_value", "n", "models"});
    for (const CorrelationGroup& g : groups) {
      for (size_t i = 0; i < g.matrix.names.size(); ++i) {
        for (size_t j = i + 1; j < g.matrix.names.size(); ++j) {
          const analysis::CorrelationResult& c = g.matrix.cells[i][j];
          out += CsvLine({g.device, absl::StrCat(g.batch), ModeName(g.mode),
                          g.matrix.names[i], g.matrix.names[j], method,
                          CsvNumber(c.estimate), CsvNumber(g.ci[i][j].lower),
                          CsvNumber(g.ci[i][j].upper),
                          CsvNumber(options.bootstrap.level),
                          CsvNumber(c.p_value), absl::StrCat(c.n),
                          absl::StrJoin(g.models, " ")});
        }
      }
    }
    for (const DeviceAgreement& a : agreement) {
      out += CsvLine({absl::StrCat(a.device_a, " vs ", a.device_b),
                      absl::StrCat(a.batch), ModeName(a.mode), "latency_ms",
                      "latency_ms", method, CsvNumber(a.result.estimate),
                      CsvNumber(a.ci.lower), CsvNumber(a.ci.upper),
                      CsvNumber(options.bootstrap.level),
                      CsvNumber(a.result.p_value), absl::StrCat(a.result.n),
                      absl::StrJoin(a.models, " ")});
    }
    return out;
  }
  std::string out = absl::StrCat(
      method, " correlations per device, batch and mode; p two-sided; ",
      level, " CI: percentile bootstrap, ", options.bootstrap.resamples,
      " resamples, seed ", options.bootstrap.seed,
      " (seeded: the same data give the same bounds)\n");
  if (groups.empty())
    out += "no device has 3 or more models at one batch and mode: nothing to "
           "correlate\n";
  for (const CorrelationGroup& g : groups) {
    absl::StrAppend(&out, "\n", g.device, ", batch ", g.batch, ", ",
                    ModeName(g.mode), ": ", g.models.size(), " models (",
                    absl::StrJoin(g.models, ", "), ")\n");
    Rows matrix_rows;
    for (size_t i = 0; i < g.matrix.names.size(); ++i) {
      std::vector<std::string> row = {g.matrix.names[i]};
      for (size_t j = 0; j < g.matrix.names.size(); ++j) {
        const analysis::CorrelationResult& c = g.matrix.cells[i][j];
        row.push_back(absl::StrCat(Estimate2(c.estimate),
                                   i != j && c.p_value < 0.05 ? "*" : ""));
      }
      matrix_rows.push_back(row);
    }
    std::vector<std::string> header = {method};
    header.insert(header.end(), g.matrix.names.begin(), g.matrix.names.end());
    out += analysis::RenderTextTable(header, matrix_rows);
    out += "(* p < 0.05)\n";
    Rows pair_rows;
    for (size_t i = 0; i < g.matrix.names.size(); ++i) {
      for (size_t j = i + 1; j < g.matrix.names.size(); ++j) {
        const analysis::CorrelationResult& c = g.matrix.cells[i][j];
        pair_rows.push_back({g.matrix.names[i], g.matrix.names[j],
                             Estimate2(c.estimate),
                             IntervalText(g.ci[i][j].lower, g.ci[i][j].upper),
                             FormatSig(c.p_value), absl::StrCat(c.n)});
      }
    }
    out += analysis::RenderTextTable(
        {"x", "y", method, absl::StrCat(level, " CI"), "p", "n"}, pair_rows);
  }
  if (!agreement.empty()) {
    absl::StrAppend(&out, "\ncross-device agreement (", method,
                    " of the models' median latencies)\n");
    Rows rows;
    for (const DeviceAgreement& a : agreement) {
      rows.push_back({a.device_a, a.device_b, absl::StrCat(a.batch),
                      ModeName(a.mode), Estimate2(a.result.estimate),
                      IntervalText(a.ci.lower, a.ci.upper),
                      FormatSig(a.result.p_value), absl::StrCat(a.result.n)});
    }
    out += analysis::RenderTextTable({"device", "with", "batch", "mode", method,
                                      absl::StrCat(level, " CI"), "p", "n"},
                                     rows);
  } else if (!groups.empty()) {
    out += "\ncross-device agreement: needs results from two or more devices\n";
  }
  return out;
}

// ---------------------------------------------------------------------------
// Comparisons
// ---------------------------------------------------------------------------

namespace {

// Appends " t<threads>" to the labels that occur more than once; `reps[i]`
// is a result behind labels[i].
void Disambiguate(std::vector<std::string>* labels,
                  const std::vector<const v1::JobResult*>& reps) {
  std::map<std::string, int> count;
  for (const std::string& l : *labels) ++count[l];
  for (size_t i = 0; i < labels->size(); ++i) {
    if (count[(*labels)[i]] > 1)
      absl::StrAppend(&(*labels)[i], " t", reps[i]->spec().threads());
  }
}

}  // namespace

Matching MatchResults(const std::vector<v1::JobResult>& baseline,
                      const std::vector<v1::JobResult>& candidate) {
  std::map<std::string, MatchedResults> by_key;
  for (const auto* side : {&baseline, &candidate}) {
    for (const v1::JobResult& r : *side) {
      if (r.status() != v1::JOB_STATUS_OK) continue;
      MatchedResults& m = by_key[MatchKey(r)];
      m.key = MatchKey(r);
      (side == &baseline ? m.baseline : m.candidate).push_back(r);
    }
  }
  Matching out;
  for (auto& [key, m] : by_key) {
    for (auto* results : {&m.baseline, &m.candidate}) {
      std::stable_sort(results->begin(), results->end(),
                       [](const v1::JobResult& a, const v1::JobResult& b) {
                         return a.job_id() < b.job_id();
                       });
    }
    if (m.baseline.empty()) {
      out.only_candidate.push_back(key);
    } else if (m.candidate.empty()) {
      out.only_baseline.push_back(key);
    } else {
      out.matched.push_back(std::move(m));
    }
  }
  return out;
}

std::vector<double> StepMillis(const std::vector<v1::Sample>& samples) {
  std::vector<const v1::Sample*> steps;
  for (const v1::Sample& s : samples)
    if (s.phase() == v1::PHASE_STEP) steps.push_back(&s);
  std::stable_sort(steps.begin(), steps.end(),
                   [](const v1::Sample* a, const v1::Sample* b) {
                     return a->sequence() < b->sequence();
                   });
  std::vector<double> ms;
  ms.reserve(steps.size());
  for (const v1::Sample* s : steps) ms.push_back(s->duration_ns() / 1e6);
  return ms;
}

absl::StatusOr<v1::ComparisonReport> CompareMatched(
    const Matching& matching, const StepSource& steps,
    const analysis::RegressionOptions& options,
    const std::function<std::string(const std::string&)>& host_name) {
  if (!(options.min_effect >= 0) || !(options.alpha > 0 && options.alpha < 1))
    return absl::InvalidArgumentError(absl::StrFormat(
        "--min_effect=%g --alpha=%g: min_effect must be >= 0 and alpha in "
        "(0, 1)",
        options.min_effect, options.alpha));
  v1::ComparisonReport report;
  report.set_min_effect(options.min_effect);
  report.set_alpha(options.alpha);
  for (const MatchedResults& m : matching.matched) {
    const v1::JobResult& first = m.candidate.front();
    v1::ResultComparison* c = report.add_comparisons();
    c->set_key(m.key);
    c->set_label(ResultLabel(first, host_name(HostOf(first))));
    c->set_model(first.spec().model());
    *c->mutable_input() = first.spec().input();
    c->set_batch_size(first.spec().batch_size());
    c->set_mode(first.spec().mode());
    c->set_precision(first.spec().precision());
    c->set_device_name(DefaultDeviceName(first));
    c->set_host_id(HostOf(first));
    std::vector<double> base, cand;
    for (const v1::JobResult& r : m.baseline) {
      c->add_baseline_job_ids(r.job_id());
      ASSIGN_OR_RETURN(std::vector<double> ms, steps(r.job_id()));
      base.insert(base.end(), ms.begin(), ms.end());
    }
    for (const v1::JobResult& r : m.candidate) {
      c->add_candidate_job_ids(r.job_id());
      ASSIGN_OR_RETURN(std::vector<double> ms, steps(r.job_id()));
      cand.insert(cand.end(), ms.begin(), ms.end());
    }
    const auto max_load = [](const std::vector<v1::JobResult>& results) {
      double load = -1;
      for (const v1::JobResult& r : results)
        load = std::max(load, r.other_cpu_load());
      return load;
    };
    c->set_baseline_other_load(max_load(m.baseline));
    c->set_candidate_other_load(max_load(m.candidate));
    c->set_n_baseline(static_cast<int64_t>(base.size()));
    c->set_n_candidate(static_cast<int64_t>(cand.size()));
    if (!base.empty()) c->set_baseline_median_ms(Median(base));
    if (!cand.empty()) c->set_candidate_median_ms(Median(cand));
    c->set_ci_level(1 - options.alpha);
    absl::StatusOr<analysis::RegressionVerdict> v =
        analysis::CompareSamples(base, cand, options);
    if (!v.ok()) {
      // E.g. a zero duration from a simulated agent: this benchmark cannot
      // be judged, the others still can.
      c->set_verdict(analysis::VerdictName(analysis::Verdict::kInsufficientData));
      c->set_reason(std::string(v.status().message()));
      continue;
    }
    c->set_n_baseline(v->n_baseline);
    c->set_n_candidate(v->n_candidate);
    if (std::isfinite(v->ratio)) c->set_ratio(v->ratio);
    if (std::isfinite(v->ci.lower)) c->set_ci_lower(v->ci.lower);
    if (std::isfinite(v->ci.upper)) c->set_ci_upper(v->ci.upper);
    if (std::isfinite(v->p_value)) c->set_p_value(v->p_value);
    c->set_verdict(analysis::VerdictName(v->verdict));
    c->set_reason(v->reason);
    // A verdict timed on a busy machine may be the load, not the code.
    std::vector<std::string> busy;
    if (c->baseline_other_load() > kBusyLoad)
      busy.push_back(
          absl::StrCat(Percent(c->baseline_other_load()), " (baseline)"));
    if (c->candidate_other_load() > kBusyLoad)
      busy.push_back(
          absl::StrCat(Percent(c->candidate_other_load()), " (candidate)"));
    if (!busy.empty())
      c->set_reason(absl::StrCat(c->reason(), "; other processes took ",
                                 absl::StrJoin(busy, " and "),
                                 " of the CPU while timing"));
  }
  {
    std::vector<std::string> labels;
    std::vector<const v1::JobResult*> reps;
    for (size_t i = 0; i < matching.matched.size(); ++i) {
      labels.push_back(report.comparisons(i).label());
      reps.push_back(&matching.matched[i].candidate.front());
    }
    Disambiguate(&labels, reps);
    for (size_t i = 0; i < labels.size(); ++i)
      report.mutable_comparisons(i)->set_label(labels[i]);
  }
  std::stable_sort(report.mutable_comparisons()->begin(),
                   report.mutable_comparisons()->end(),
                   [](const v1::ResultComparison& a,
                      const v1::ResultComparison& b) {
                     return std::make_tuple(VerdictOrder(a.verdict()),
                                            a.label()) <
                            std::make_tuple(VerdictOrder(b.verdict()),
                                            b.label());
                   });
  for (const v1::ResultComparison& c : report.comparisons()) {
    switch (VerdictFromName(c.verdict())) {
      case analysis::Verdict::kRegression:
        report.set_regressions(report.regressions() + 1);
        break;
      case analysis::Verdict::kImprovement:
        report.set_improvements(report.improvements() + 1);
        break;
      case analysis::Verdict::kUnchanged:
        report.set_unchanged(report.unchanged() + 1);
        break;
      case analysis::Verdict::kInsufficientData:
        report.set_insufficient_data(report.insufficient_data() + 1);
        break;
    }
  }
  for (const std::string& key : matching.only_baseline)
    report.add_only_in_baseline(key);
  for (const std::string& key : matching.only_candidate)
    report.add_only_in_candidate(key);
  return report;
}

namespace {

std::string ComparisonSummary(const v1::ComparisonReport& r) {
  return absl::StrCat(
      Count(r.regressions(), "regression"), ", ",
      Count(r.improvements(), "improvement"), ", ", r.unchanged(),
      " unchanged, ", r.insufficient_data(),
      " with insufficient data (min effect ", Percent(r.min_effect()),
      ", alpha ", FormatSig(r.alpha()), "); ", r.only_in_baseline_size(),
      " only in the baseline, ", r.only_in_candidate_size(),
      " only in the candidate");
}

// Regressions timed while other processes took more than kBusyLoad.
int BusyRegressions(const v1::ComparisonReport& r) {
  int busy = 0;
  for (const v1::ResultComparison& c : r.comparisons())
    if (c.verdict() == "regression" && (c.baseline_other_load() > kBusyLoad ||
                                        c.candidate_other_load() > kBusyLoad))
      ++busy;
  return busy;
}

std::string SweepList(const google::protobuf::RepeatedField<int64_t>& ids) {
  return absl::StrJoin(ids, ",");
}

}  // namespace

std::string RenderComparison(const v1::ComparisonReport& report, bool csv) {
  if (csv) {
    std::string out = CsvLine(
        {"label", "key", "verdict", "n_baseline", "n_candidate",
         "baseline_median_ms", "candidate_median_ms", "ratio", "ci_lower",
         "ci_upper", "ci_level", "p_value", "baseline_jobs", "candidate_jobs",
         "reason"});
    for (const v1::ResultComparison& c : report.comparisons()) {
      out += CsvLine(
          {c.label(), c.key(), c.verdict(), absl::StrCat(c.n_baseline()),
           absl::StrCat(c.n_candidate()),
           CsvNumber(Opt(c.has_baseline_median_ms(), c.baseline_median_ms())),
           CsvNumber(Opt(c.has_candidate_median_ms(), c.candidate_median_ms())),
           CsvNumber(Opt(c.has_ratio(), c.ratio())),
           CsvNumber(Opt(c.has_ci_lower(), c.ci_lower())),
           CsvNumber(Opt(c.has_ci_upper(), c.ci_upper())),
           CsvNumber(c.ci_level()), CsvNumber(Opt(c.has_p_value(), c.p_value())),
           absl::StrJoin(c.baseline_job_ids(), " "),
           absl::StrJoin(c.candidate_job_ids(), " "), c.reason()});
    }
    return out;
  }
  std::string out;
  if (!report.baseline_sweep_ids().empty() ||
      !report.candidate_sweep_ids().empty()) {
    absl::StrAppend(&out, "baseline sweep(s) ",
                    SweepList(report.baseline_sweep_ids()),
                    ", candidate sweep(s) ",
                    SweepList(report.candidate_sweep_ids()), "\n");
  }
  Rows rows;
  for (const v1::ResultComparison& c : report.comparisons()) {
    rows.push_back(
        {c.label(), c.verdict(), absl::StrCat(c.n_baseline()),
         absl::StrCat(c.n_candidate()),
         FormatSig(Opt(c.has_baseline_median_ms(), c.baseline_median_ms()), 4),
         FormatSig(Opt(c.has_candidate_median_ms(), c.candidate_median_ms()), 4),
         FormatSig(Opt(c.has_ratio(), c.ratio()), 4),
         IntervalText(Opt(c.has_ci_lower(), c.ci_lower()),
                      Opt(c.has_ci_upper(), c.ci_upper())),
         FormatSig(Opt(c.has_p_value(), c.p_value())), c.reason()});
  }
  if (!rows.empty()) {
    out += analysis::RenderTextTable(
        {"benchmark", "verdict", "n_base", "n_cand", "base_ms", "cand_ms",
         "ratio", absl::StrCat(FormatSig(100 * (1 - report.alpha())), "% CI"),
         "p", "reason"},
        rows);
  }
  for (const std::string& key : report.only_in_baseline())
    absl::StrAppend(&out, "only in the baseline: ", key, "\n");
  for (const std::string& key : report.only_in_candidate())
    absl::StrAppend(&out, "only in the candidate: ", key, "\n");
  absl::StrAppend(&out, ComparisonSummary(report), "\n");
  return out;
}

// ---------------------------------------------------------------------------
// History
// ---------------------------------------------------------------------------

std::vector<HistorySeries> BuildHistory(
    std::vector<ScheduleRun> runs,
    const std::function<std::string(const std::string&)>& host_name,
    const analysis::ChangePointOptions& options) {
  std::stable_sort(runs.begin(), runs.end(),
                   [](const ScheduleRun& a, const ScheduleRun& b) {
                     return a.sweep.sweep_id() < b.sweep.sweep_id();
                   });
  std::map<std::string, HistorySeries> series;
  std::map<std::string, v1::JobResult> representative;
  for (const ScheduleRun& run : runs) {
    std::map<std::string, std::vector<double>> medians;
    std::map<std::string, const v1::JobResult*> first;
    for (const v1::JobResult& r : run.results) {
      if (r.status() != v1::JOB_STATUS_OK || !Positive(r.step().median_ms()))
        continue;
      const std::string key = MatchKey(r);
      medians[key].push_back(r.step().median_ms());
      first.emplace(key, &r);
    }
    for (const auto& [key, values] : medians) {
      HistorySeries& s = series[key];
      if (s.key.empty()) {
        s.key = key;
        s.label = ResultLabel(*first[key], host_name(HostOf(*first[key])));
        representative[key] = *first[key];
      }
      s.sweep_ids.push_back(run.sweep.sweep_id());
      s.created_unix_ms.push_back(run.sweep.created_unix_ms());
      s.median_ms.push_back(Median(values));
    }
  }
  std::vector<HistorySeries> out;
  std::vector<std::string> labels;
  std::vector<const v1::JobResult*> reps;
  for (auto& [key, s] : series) {
    s.changes = analysis::FindChangePoints(s.median_ms, options);
    labels.push_back(s.label);
    reps.push_back(&representative[key]);
    out.push_back(std::move(s));
  }
  Disambiguate(&labels, reps);
  for (size_t i = 0; i < out.size(); ++i) out[i].label = labels[i];
  std::stable_sort(out.begin(), out.end(),
                   [](const HistorySeries& a, const HistorySeries& b) {
                     return a.label < b.label;
                   });
  return out;
}

std::string RenderHistory(const std::vector<HistorySeries>& series,
                          const std::string& schedule) {
  std::set<int64_t> sweeps;
  size_t changes = 0;
  for (const HistorySeries& s : series) {
    sweeps.insert(s.sweep_ids.begin(), s.sweep_ids.end());
    changes += s.changes.size();
  }
  std::string out = absl::StrCat(
      "schedule ", schedule, ": ", Count(sweeps.size(), "run"), ", ",
      series.size(), " series, ", Count(changes, "change point"),
      " (binary segmentation on the run medians; a change needs 4 runs on "
      "each side)\n");
  for (const HistorySeries& s : series) {
    absl::StrAppend(&out, "\n", s.label, ": ", Count(s.median_ms.size(), "run"),
                    ", ", Count(s.changes.size(), "change point"), "\n");
    Rows rows;
    for (size_t i = 0; i < s.median_ms.size(); ++i) {
      std::string change;
      for (const analysis::ChangePoint& c : s.changes) {
        if (c.index != i) continue;
        change = absl::StrFormat("%+.1f%% (%s -> %s ms, z %s)",
                                 100 * c.relative, FormatSig(c.before, 4),
                                 FormatSig(c.after, 4), FormatSig(c.z));
      }
      rows.push_back({absl::StrCat(s.sweep_ids[i]), Time(s.created_unix_ms[i]),
                      FormatSig(s.median_ms[i], 4), change});
    }
    out += analysis::RenderTextTable(
        {"sweep", "created_utc", "median_ms", "change"}, rows);
  }
  return out;
}

// ---------------------------------------------------------------------------
// The HTML report
// ---------------------------------------------------------------------------

namespace {

using analysis::Paragraph;
using analysis::SvgBlock;
using analysis::TableBlock;
using analysis::Warning;

// Hardware reports of the hosts in `groups`, one per host.
std::vector<v1::HardwareReport> Hosts(const std::vector<DeviceGroup>& groups) {
  std::vector<v1::HardwareReport> hosts;
  std::set<std::string> seen;
  for (const DeviceGroup& g : groups) {
    if (!g.has_hardware || !seen.insert(g.host).second) continue;
    hosts.push_back(g.hardware);
  }
  return hosts;
}

// Copies of `results` whose host_id reads as the host name, for the
// analysis tables that label series by host.
std::vector<v1::JobResult> WithHostNames(
    const std::vector<v1::JobResult>& results,
    const std::function<std::string(const std::string&)>& host_name) {
  std::vector<v1::JobResult> out = results;
  for (v1::JobResult& r : out) r.set_host_id(host_name(HostOf(r)));
  return out;
}

std::string SweepName(const v1::SweepStatus& s) {
  return absl::StrCat("sweep ", s.sweep_id(), " (", s.name(), ")");
}

std::string SweepStateName(v1::SweepState state) {
  switch (state) {
    case v1::SWEEP_STATE_RUNNING: return "running";
    case v1::SWEEP_STATE_DONE: return "done";
    case v1::SWEEP_STATE_CANCELLED: return "cancelled";
    default: return "unknown";
  }
}

struct ReportFacts {
  std::vector<DeviceGroup> groups;
  v1::RooflineReport roofline;
  std::vector<CorrelationGroup> correlations;  // Spearman, seeded bootstrap
  std::vector<std::string> findings;           // one sentence per question
  std::set<std::string> models;
  int ok = 0;
  int failed = 0;
  int unstable = 0;
  int above_roof = 0;
};

std::string Range(std::vector<double> v, const std::string& suffix = "") {
  std::sort(v.begin(), v.end());
  if (v.empty()) return "n/a";
  if (v.size() == 1 || FormatSig(v.front()) == FormatSig(v.back()))
    return FormatSig(v.front()) + suffix;
  return absl::StrCat(FormatSig(v.front()), suffix, " to ",
                      FormatSig(v.back()), suffix);
}

// The seed study's questions, answered in one sentence each from `f`.
std::vector<std::string> Findings(const ReportFacts& f) {
  std::vector<std::string> out;
  // First, whether the figures can be trusted at all: a shared machine's
  // other processes inflate latencies (the agent measures their share).
  {
    size_t results = 0, busy = 0;
    double worst = 0;
    for (const DeviceGroup& g : f.groups) {
      for (const v1::JobResult& r : g.results) {
        ++results;
        if (r.other_cpu_load() > kBusyLoad) ++busy;
        worst = std::max(worst, r.other_cpu_load());
      }
    }
    if (busy > 0)
      out.push_back(absl::StrCat(
          "Machine load: other processes took more than 10% of the CPU while ",
          busy, " of ", Count(results, "result"), " were timed (up to ",
          Percent(worst),
          "), so their latencies are inflated and comparisons with other runs "
          "unreliable; rerun on a quiet machine for figures to keep."));
  }
  // Q2/Q4: where the results sit on the roofline.
  for (const v1::RooflineDevice& d : f.roofline.devices()) {
    if (!d.has_measured_roof() || d.placements().empty()) continue;
    int compute = 0;
    std::vector<double> efficiency;
    std::vector<std::string> above;
    for (const v1::RooflinePlacement& p : d.placements()) {
      if (p.bound() == "compute") ++compute;
      if (p.has_efficiency_measured())
        efficiency.push_back(p.efficiency_measured());
      if (p.above_roof())
        above.push_back(absl::StrCat(p.model(), " b", p.batch_size(), " ",
                                     ModeName(p.mode())));
    }
    std::string line = absl::StrCat(
        "Roofline, ", d.device_name(), " @ ",
        d.hostname().empty() ? d.host_id() : d.hostname(), ": ", compute,
        " of ", Count(d.placements_size(), "result"),
        " compute bound on the measured roof (",
        FormatSi(d.measured_roof().peak_flops_per_second(), "FLOP/s"), ", ",
        FormatSi(d.measured_roof().bandwidth_bytes_per_second(), "B/s"),
        ", ridge ", FormatSig(d.measured_roof().ridge_point()),
        " FLOP/byte); median efficiency ", Percent(Median(efficiency)),
        " of attainable");
    if (above.empty()) {
      absl::StrAppend(&line, "; none above the roof.");
    } else {
      absl::StrAppend(&line, "; ", above.size(), " above the roof (",
                      absl::StrJoin(above, ", "),
                      "), flagged with likely causes.");
    }
    out.push_back(line);
  }
  // Q3: what predicts latency, at each device's smallest inference batch.
  std::set<std::string> done;
  for (const CorrelationGroup& g : f.correlations) {
    if (g.mode != v1::MODE_INFERENCE || !done.insert(g.device).second)
      continue;
    const auto& c = g.matrix.cells;
    out.push_back(absl::StrCat(
        "What predicts latency, ", g.device, " at batch ", g.batch, " (",
        Count(g.models.size(), "model"), "): Spearman rho(FLOPs, latency) = ",
        Estimate2(c[0][4].estimate), " ",
        IntervalText(g.ci[0][4].lower, g.ci[0][4].upper),
        ", rho(params, latency) = ", Estimate2(c[1][4].estimate), " ",
        IntervalText(g.ci[1][4].lower, g.ci[1][4].upper),
        " (95% bootstrap intervals); the seed study found 0.83 and 0.39 on "
        "its CPU, -0.14 and -0.03 on its GPU."));
  }
  // Q5: forward:backward.
  std::vector<double> latency_ratio, flop_ratio;
  size_t training = 0;
  for (const DeviceGroup& g : f.groups) {
    for (const v1::JobResult& r : g.results) {
      if (r.spec().mode() != v1::MODE_TRAINING) continue;
      ++training;
      const analysis::ForwardBackwardRatios fb = analysis::ForwardBackward(r);
      if (std::isfinite(fb.latency_ratio))
        latency_ratio.push_back(fb.latency_ratio);
      if (std::isfinite(fb.flop_ratio)) flop_ratio.push_back(fb.flop_ratio);
    }
  }
  if (!latency_ratio.empty() || !flop_ratio.empty()) {
    out.push_back(absl::StrCat(
        "Forward:backward over ", Count(training, "training result"),
        ": latency ratios ", Range(latency_ratio), ", cost-model FLOP ratios ",
        Range(flop_ratio),
        " (about 0.5 expected: a backward pass costs about twice its "
        "forward); the seed's FLOP ratios of 1.7 to 3866 came from a profiler "
        "that missed the backward operators."));
  }
  // Q3: batching.
  std::vector<v1::JobResult> ok;
  for (const DeviceGroup& g : f.groups)
    ok.insert(ok.end(), g.results.begin(), g.results.end());
  std::vector<double> speedups;
  std::set<int> batches;
  for (const analysis::ThroughputSeries& series :
       analysis::ThroughputByBatch(ok)) {
    const std::vector<analysis::ScalingPoint> points =
        analysis::ScalingEfficiency(series.points);
    if (points.size() < 2) continue;
    speedups.push_back(points.back().speedup);
    batches.insert(points.front().batch);
    batches.insert(points.back().batch);
  }
  if (!speedups.empty()) {
    std::vector<std::string> b;
    for (int x : batches) b.push_back(absl::StrCat(x));
    out.push_back(absl::StrCat(
        "Batching (batch ", absl::StrJoin(b, ", "), "): throughput at the "
        "largest batch over the smallest, median ",
        FormatSig(Median(speedups)), "x over ", speedups.size(), " series (",
        Range(speedups, "x"), ")."));
  }
  return out;
}

ReportFacts Facts(const ReportInput& input) {
  ReportFacts f;
  f.groups = GroupByDevice(input.results, input.agents);
  f.roofline = BuildRooflineReport(f.groups);
  for (const v1::JobResult& r : input.results) {
    f.models.insert(r.spec().model());
    if (r.status() == v1::JOB_STATUS_OK) {
      ++f.ok;
      if (r.unstable()) ++f.unstable;
    } else {
      ++f.failed;
    }
  }
  for (const v1::RooflineDevice& d : f.roofline.devices())
    for (const v1::RooflinePlacement& p : d.placements())
      if (p.above_roof()) ++f.above_roof;
  f.correlations = CorrelateByDevice(f.groups, CorrelateOptions());
  f.findings = Findings(f);
  return f;
}

std::string SeriesName(const DeviceGroup& g, size_t groups, int batch,
                       v1::Mode mode) {
  return absl::StrCat(groups > 1 ? g.Label() + ", " : "", "batch ", batch,
                      mode == v1::MODE_TRAINING ? " training" : "");
}

}  // namespace

analysis::Report BuildReport(const ReportInput& input) {
  const ReportFacts facts = Facts(input);
  const auto host_name = HostNameFn(HostNames(input.agents));
  const std::vector<DeviceGroup>& groups = facts.groups;
  std::vector<v1::JobResult> ok;
  for (const DeviceGroup& g : groups)
    ok.insert(ok.end(), g.results.begin(), g.results.end());
  std::stable_sort(ok.begin(), ok.end(),
                   [](const v1::JobResult& a, const v1::JobResult& b) {
                     return a.job_id() < b.job_id();
                   });

  analysis::Report report;
  std::vector<std::string> sweep_names;
  for (const v1::SweepStatus& s : input.sweeps) sweep_names.push_back(SweepName(s));
  report.title = absl::StrCat(
      "benchfleet report: ",
      sweep_names.empty() ? "selected results" : absl::StrJoin(sweep_names, ", "));
  report.subtitle = absl::StrCat(
      Count(groups.size(), "device"), ", ", Count(facts.models.size(), "model"),
      ", ", Count(facts.ok + facts.failed, "result"), " (", facts.failed,
      " failed, ", facts.unstable, " unstable), ",
      Count(facts.above_roof, "point"), " above the roof");

  // Overview.
  {
    analysis::Section& s = report.sections.emplace_back();
    s.title = "Overview";
    s.blocks.push_back(Paragraph(
        "The course study behind benchfleet, run for real: device roofs "
        "(measured by the agent, and from datasheets where catalogued), model "
        "FLOPs, parameters and memory traffic from the agent's cost model, "
        "each result placed on its device's roofline, what predicts latency "
        "(Spearman correlations), throughput against batch size, "
        "forward:backward ratios and where the FLOPs go by layer kind."));
    analysis::Table t;
    t.caption = "Sweeps";
    t.header = {"sweep", "name", "schedule", "state", "created (UTC)", "jobs",
                "done", "failed"};
    for (const v1::SweepStatus& sw : input.sweeps) {
      t.rows.push_back({absl::StrCat(sw.sweep_id()), sw.name(),
                        sw.schedule().empty() ? "-" : sw.schedule(),
                        SweepStateName(sw.state()), Time(sw.created_unix_ms()),
                        absl::StrCat(sw.jobs_total()),
                        absl::StrCat(sw.jobs_done()),
                        absl::StrCat(sw.jobs_failed())});
      t.row_classes.push_back(sw.jobs_failed() > 0 ? "warn" : "");
    }
    if (!t.rows.empty()) s.blocks.push_back(TableBlock(t));
    for (const std::string& finding : facts.findings)
      s.blocks.push_back(Paragraph(finding));
  }

  // Fleet.
  {
    analysis::Section& s = report.sections.emplace_back();
    s.title = "Fleet";
    s.blocks.push_back(TableBlock(analysis::FleetTable(Hosts(groups))));
    for (const DeviceGroup& g : groups) {
      if (!g.has_hardware)
        s.blocks.push_back(Warning(absl::StrCat(
            "no hardware report from host ", g.host,
            " (its agent is unknown to the coordinator): no roofs for ",
            g.device_name)));
    }
  }

  // Roofline.
  {
    analysis::Section& s = report.sections.emplace_back();
    s.title = "Roofline";
    s.blocks.push_back(Paragraph(
        "Attainable performance is min(peak FLOP/s, bandwidth x intensity) "
        "(Williams, Waterman & Patterson 2009). Solid: the measured roof "
        "(highest measured compute peak, highest measured DRAM bandwidth); "
        "dashed: the datasheet roof; dotted: cache bandwidths. Intensity is "
        "forward FLOPs per byte of main-memory traffic (FLOP/byte; the seed "
        "labelled this axis Bytes/Op). Training points count forward and "
        "backward FLOPs against the forward intensity, so their placement is "
        "approximate. Points above their roof are ringed, never hidden."));
    for (size_t i = 0; i < groups.size(); ++i) {
      const DeviceGroup& g = groups[i];
      s.blocks.push_back(
          SvgBlock(RooflineChart({g}, absl::StrCat("Roofline: ", g.Label()))));
      for (const std::string& note : facts.roofline.devices(i).notes())
        s.blocks.push_back(Paragraph(absl::StrCat(g.Label(), ": ", note)));
    }
    if (groups.size() > 1) {
      s.blocks.push_back(
          SvgBlock(RooflineChart(groups, "Roofline: the whole fleet")));
    } else if (groups.size() == 1) {
      s.blocks.push_back(Paragraph(
          "One device: the fleet-wide chart (every device's roofs and points "
          "on one plot) would repeat the chart above."));
    }
    std::vector<analysis::LabeledPlacement> placements;
    for (const DeviceGroup& g : groups) {
      for (const v1::JobResult& r : g.results) {
        std::string label = ResultLabel(r, groups.size() > 1 ? g.Label() : "");
        placements.push_back({label, analysis::PlaceResult(g.roofline, r)});
      }
    }
    std::stable_sort(placements.begin(), placements.end(),
                     [](const analysis::LabeledPlacement& a,
                        const analysis::LabeledPlacement& b) {
                       return a.label < b.label;
                     });
    s.blocks.push_back(TableBlock(analysis::PlacementTable(placements)));
    if (facts.above_roof > 0)
      s.blocks.push_back(Warning(absl::StrCat(
          facts.above_roof,
          " points are above their roof: see their likely causes above (the "
          "seed study saw the same with vgg19 and alexnet on a GPU that was "
          "not the one its roof was drawn for).")));
  }

  // Latency against FLOPs and parameters (inference, like the seed's Q3).
  {
    analysis::Section& s = report.sections.emplace_back();
    s.title = "Latency";
    std::vector<analysis::LatencyPoint> by_flops, by_params;
    for (const DeviceGroup& g : groups) {
      for (const v1::JobResult& r : g.results) {
        if (r.spec().mode() == v1::MODE_TRAINING) continue;
        const std::string series = SeriesName(g, groups.size(),
                                              r.spec().batch_size(),
                                              r.spec().mode());
        by_flops.push_back({ObservationKey(r), series, r.cost().forward_flops(),
                            r.step().median_ms()});
        by_params.push_back({ObservationKey(r), series,
                             static_cast<double>(r.cost().params()),
                             r.step().median_ms()});
      }
    }
    auto by_series = [](const analysis::LatencyPoint& a,
                        const analysis::LatencyPoint& b) {
      return a.series < b.series;
    };
    std::stable_sort(by_flops.begin(), by_flops.end(), by_series);
    std::stable_sort(by_params.begin(), by_params.end(), by_series);
    s.blocks.push_back(Paragraph(
        "Median step latency of inference against the step's forward FLOPs "
        "and against the model's parameter count, per device and batch "
        "(the seed's figures 6 and 7)."));
    s.blocks.push_back(SvgBlock(analysis::LatencyVsPlot(
        by_flops, analysis::LatencyAxis::kFlops, "Latency vs FLOPs")));
    s.blocks.push_back(SvgBlock(analysis::LatencyVsPlot(
        by_params, analysis::LatencyAxis::kParams, "Latency vs parameters")));
  }

  // Statistics.
  {
    analysis::Section& s = report.sections.emplace_back();
    s.title = "Statistics";
    const CorrelateOptions options;  // Spearman, 2000 resamples, seed 42
    const std::vector<CorrelationGroup>& correlations = facts.correlations;
    s.blocks.push_back(Paragraph(absl::StrCat(
        "Spearman's rho between FLOPs of one step, parameters, main-memory "
        "traffic, intensity, median latency and throughput, one observation "
        "per model, per device, batch and mode (the seed's figure 8 found "
        "rho = 0.83 between FLOPs and CPU latency). p-values are two-sided; "
        "intervals are 95% percentile bootstraps with ",
        options.bootstrap.resamples, " resamples and a fixed seed (",
        options.bootstrap.seed,
        "), so a rerun on the same data gives the same bounds.")));
    if (correlations.empty())
      s.blocks.push_back(Paragraph(
          "No device has three or more models at one batch and mode: no "
          "correlation is defined."));
    for (const CorrelationGroup& g : correlations) {
      const std::string title = absl::StrCat("Spearman: ", g.device, ", batch ",
                                             g.batch, ", ", ModeName(g.mode));
      s.blocks.push_back(
          SvgBlock(analysis::CorrelationHeatmap(g.matrix, title)));
      analysis::Table t;
      t.caption = absl::StrCat(title, " (", g.models.size(), " models: ",
                               absl::StrJoin(g.models, ", "), ")");
      t.header = {"variable", "with", "rho", "95% CI", "p", "n"};
      for (size_t i = 0; i < g.matrix.names.size(); ++i) {
        for (size_t j = i + 1; j < g.matrix.names.size(); ++j) {
          const analysis::CorrelationResult& c = g.matrix.cells[i][j];
          t.rows.push_back({g.matrix.names[i], g.matrix.names[j],
                            Estimate2(c.estimate),
                            IntervalText(g.ci[i][j].lower, g.ci[i][j].upper),
                            FormatSig(c.p_value), absl::StrCat(c.n)});
        }
      }
      s.blocks.push_back(TableBlock(t));
    }
    const std::vector<DeviceAgreement> agreement =
        CrossDeviceAgreement(groups, options);
    if (agreement.empty()) {
      s.blocks.push_back(Paragraph(
          "Cross-device agreement (do two devices rank the models' latencies "
          "alike?) needs results from two or more devices."));
    } else {
      analysis::Table t;
      t.caption = "Cross-device agreement: Spearman of model latencies";
      t.header = {"device", "with", "batch", "mode", "rho", "95% CI", "p", "n"};
      for (const DeviceAgreement& a : agreement) {
        t.rows.push_back({a.device_a, a.device_b, absl::StrCat(a.batch),
                          ModeName(a.mode), Estimate2(a.result.estimate),
                          IntervalText(a.ci.lower, a.ci.upper),
                          FormatSig(a.result.p_value),
                          absl::StrCat(a.result.n)});
      }
      s.blocks.push_back(TableBlock(t));
    }
  }

  // Scaling.
  {
    analysis::Section& s = report.sections.emplace_back();
    s.title = "Scaling";
    const std::vector<analysis::ThroughputSeries> series =
        analysis::ThroughputByBatch(WithHostNames(ok, host_name));
    s.blocks.push_back(Paragraph(
        "Throughput (items/s = batch / median step time) against batch size "
        "(the seed's figure 9). Efficiency 1 means a batch of b costs no more "
        "time than the smallest batch; the saturation batch is the smallest "
        "reaching 90% of the best throughput."));
    s.blocks.push_back(SvgBlock(
        analysis::ThroughputVsBatch(series, "Throughput vs batch size")));
    s.blocks.push_back(TableBlock(analysis::ScalingTable(series)));
  }

  // Training: forward:backward and the FLOP breakdown.
  {
    analysis::Section& s = report.sections.emplace_back();
    s.title = "Training";
    s.blocks.push_back(Paragraph(
        "Forward and backward phases of a training step, timed separately, "
        "next to the cost model's FLOP ratio. The backward pass of a "
        "convolution or linear layer costs about twice its forward (input "
        "and weight gradients), so both ratios should be near 1:2. The seed "
        "study's FLOP ratios of up to 3866:1 came from a profiler that missed "
        "the backward operators, not from the models."));
    const analysis::Table fb = analysis::ForwardBackwardTable(ok);
    if (fb.rows.empty()) {
      s.blocks.push_back(Paragraph("No training results."));
    } else {
      s.blocks.push_back(TableBlock(fb));
    }
    // One breakdown per model: a training cost when there is one (it has
    // both passes), at the smallest batch.
    std::map<std::string, const v1::JobResult*> pick;
    for (const v1::JobResult& r : ok) {
      if (r.cost().by_kind().empty()) continue;
      const std::string key = ObservationKey(r);
      const v1::JobResult*& best = pick[key];
      const auto rank = [](const v1::JobResult* x) {
        return std::make_tuple(x->spec().mode() == v1::MODE_TRAINING ? 0 : 1,
                               x->spec().batch_size(), x->job_id());
      };
      if (best == nullptr || rank(&r) < rank(best)) best = &r;
    }
    s.blocks.push_back(Paragraph(
        "Share of each pass's FLOPs by layer kind, from the agent's cost "
        "model (the seed's Q5 pie charts, as bars)."));
    for (const auto& [key, r] : pick) {
      s.blocks.push_back(SvgBlock(analysis::FlopBreakdownBars(
          r->cost(), absl::StrCat("FLOPs by layer kind: ", key, ", batch ",
                                  r->spec().batch_size(), " ",
                                  ModeName(r->spec().mode())))));
    }
  }

  // Regressions.
  {
    analysis::Section& s = report.sections.emplace_back();
    s.title = "Regressions";
    if (!input.has_comparison) {
      s.blocks.push_back(Paragraph(
          "No earlier sweep of the same name or schedule: nothing to compare "
          "with yet. Run the same sweep again and this section compares the "
          "two runs benchmark by benchmark."));
    } else {
      std::vector<std::string> base;
      for (const v1::SweepStatus& b : input.baseline_sweeps)
        base.push_back(SweepName(b));
      s.blocks.push_back(Paragraph(absl::StrCat(
          "Against the previous run of each sweep: ", absl::StrJoin(base, ", "),
          ". Per-iteration step times compared with the Mann-Whitney U test "
          "and a Hodges-Lehmann interval for the ratio of medians; a change "
          "counts when p < ", FormatSig(input.comparison.alpha()),
          " and it is at least ", Percent(input.comparison.min_effect()),
          ". ", ComparisonSummary(input.comparison), ".")));
      std::vector<analysis::LabeledVerdict> rows;
      for (const v1::ResultComparison& c : input.comparison.comparisons()) {
        analysis::RegressionVerdict v;
        v.ratio = Opt(c.has_ratio(), c.ratio());
        v.ci.lower = Opt(c.has_ci_lower(), c.ci_lower());
        v.ci.upper = Opt(c.has_ci_upper(), c.ci_upper());
        v.ci.level = c.ci_level();
        v.p_value = Opt(c.has_p_value(), c.p_value());
        v.n_baseline = c.n_baseline();
        v.n_candidate = c.n_candidate();
        v.verdict = VerdictFromName(c.verdict());
        v.reason = c.reason();
        rows.push_back({c.label(), v});
      }
      if (rows.empty()) {
        std::vector<std::string> keys(input.comparison.only_in_baseline().begin(),
                                      input.comparison.only_in_baseline().end());
        if (keys.size() > 10) keys.resize(10);
        s.blocks.push_back(Warning(absl::StrCat(
            "No benchmark of this run matches one of the previous run: a "
            "match needs the same model, input, batch, mode, precision, "
            "device, host id, threads, layout and scenario. The previous "
            "run's keys",
            input.comparison.only_in_baseline_size() > 10 ? " (first 10)" : "",
            ": ", absl::StrJoin(keys, "; "))));
      } else {
        s.blocks.push_back(TableBlock(analysis::RegressionTable(rows)));
      }
      if (input.comparison.regressions() > 0) {
        const int busy = BusyRegressions(input.comparison);
        std::string text = absl::StrCat(
            Count(input.comparison.regressions(), "benchmark"),
            " regressed against the previous run.");
        if (busy > 0)
          absl::StrAppend(&text, " ", busy, " of them were timed while other "
                          "processes took more than 10% of the CPU: rerun on "
                          "a quiet machine before believing them.");
        s.blocks.push_back(Warning(text));
      }
    }
  }

  // Warnings.
  {
    analysis::Section& s = report.sections.emplace_back();
    s.title = "Warnings";
    std::vector<std::string> warnings;
    std::set<std::string> seen_hosts;
    for (const DeviceGroup& g : groups) {
      if (!g.has_hardware || !seen_hosts.insert(g.host).second) continue;
      const v1::HardwareReport& hw = g.hardware;
      const std::string host = g.hostname.empty() ? g.host : g.hostname;
      if (hw.simulated())
        warnings.push_back(absl::StrCat(
            host, " is a simulated agent: its timings are synthetic"));
      const std::string blas = hw.software().blas_vendor();
      if (blas == "reference")
        warnings.push_back(absl::StrCat(
            host,
            " runs the reference BLAS: GEMMs are about 30x slower than with "
            "OpenBLAS (install libopenblas0-openmp)"));
      else if (blas.empty() || blas == "unknown")
        warnings.push_back(absl::StrCat(host, ": BLAS library unknown"));
      for (const std::string& w : hw.warnings())
        warnings.push_back(absl::StrCat(host, ": ", w));
    }
    for (const DeviceGroup& g : groups) {
      if (!g.roofline.MeasuredRoof())
        warnings.push_back(absl::StrCat(
            g.Label(), ": no measured roof; run `agent calibrate` there"));
    }
    std::vector<std::string> unstable;
    for (const v1::JobResult& r : ok)
      if (r.unstable())
        unstable.push_back(ResultLabel(r, host_name(HostOf(r))));
    if (!unstable.empty())
      warnings.push_back(absl::StrCat(
          unstable.size(),
          " results are unstable (IQR above 10% of the median); their "
          "medians are less certain: ",
          absl::StrJoin(unstable, ", ")));
    for (const v1::JobResult& r : input.results) {
      if (r.status() != v1::JOB_STATUS_OK)
        warnings.push_back(absl::StrCat(
            "job ", r.job_id(), " failed: ",
            ResultLabel(r, host_name(HostOf(r))), ": ", r.error()));
    }
    // Result warnings, e.g. other processes' load while timing.
    constexpr size_t kMaxResultWarnings = 40;
    size_t shown = 0, hidden = 0;
    for (const v1::JobResult& r : ok) {
      for (const std::string& w : r.warnings()) {
        if (absl::StartsWith(w, "unstable")) continue;  // counted above
        if (shown < kMaxResultWarnings) {
          warnings.push_back(absl::StrCat(
              ResultLabel(r, host_name(HostOf(r))), ": ", w));
          ++shown;
        } else {
          ++hidden;
        }
      }
    }
    if (hidden > 0)
      warnings.push_back(absl::StrCat("... and ", hidden,
                                      " more result warnings (fleetctl "
                                      "results lists them all)"));
    if (warnings.empty()) {
      s.blocks.push_back(Paragraph("None."));
    } else {
      for (const std::string& w : warnings) s.blocks.push_back(Warning(w));
    }
  }
  return report;
}

std::string ReportSummary(const ReportInput& input) {
  const ReportFacts facts = Facts(input);
  std::vector<std::string> sweeps;
  for (const v1::SweepStatus& s : input.sweeps) sweeps.push_back(SweepName(s));
  std::vector<std::string> devices;
  for (const DeviceGroup& g : facts.groups) devices.push_back(g.Label());
  std::string out = absl::StrCat(
      sweeps.empty() ? "selected results" : absl::StrJoin(sweeps, ", "), ": ",
      Count(facts.groups.size(), "device"),
      devices.empty() ? "" : absl::StrCat(" (", absl::StrJoin(devices, "; "), ")"),
      ", ", Count(facts.models.size(), "model"), ", ",
      Count(facts.ok + facts.failed, "result"), " (", facts.failed,
      " failed, ", facts.unstable, " unstable), ",
      Count(facts.above_roof, "point"), " above the roof\n");
  for (const std::string& finding : facts.findings)
    absl::StrAppend(&out, "- ", finding, "\n");
  if (input.has_comparison) {
    std::vector<std::string> base;
    for (const v1::SweepStatus& b : input.baseline_sweeps)
      base.push_back(absl::StrCat(b.sweep_id()));
    absl::StrAppend(&out, "against sweep(s) ", absl::StrJoin(base, ","), ": ",
                    ComparisonSummary(input.comparison), "\n");
    if (const int busy = BusyRegressions(input.comparison); busy > 0)
      absl::StrAppend(&out, "  ", busy, " of the regressions were timed while "
                      "other processes took more than 10% of the CPU\n");
  } else {
    out += "no earlier sweep of the same name or schedule to compare with\n";
  }
  return out;
}

// ---------------------------------------------------------------------------
// Commands
// ---------------------------------------------------------------------------

namespace {

absl::StatusOr<std::vector<v1::AgentInfo>> FetchAgents(Stub& stub) {
  grpc::ClientContext context;
  SetDeadline(context);
  v1::ListAgentsResponse response;
  grpc::Status rpc =
      stub.ListAgents(&context, v1::ListAgentsRequest(), &response);
  if (!rpc.ok()) return FromGrpcStatus(rpc);
  return std::vector<v1::AgentInfo>(response.agents().begin(),
                                    response.agents().end());
}

absl::StatusOr<std::vector<v1::JobResult>> FetchResults(
    Stub& stub, const v1::ListResultsRequest& request) {
  grpc::ClientContext context;
  SetDeadline(context);
  v1::ListResultsResponse response;
  grpc::Status rpc = stub.ListResults(&context, request, &response);
  if (!rpc.ok()) return FromGrpcStatus(rpc);
  return std::vector<v1::JobResult>(response.results().begin(),
                                    response.results().end());
}

absl::StatusOr<v1::SweepStatus> FetchSweep(Stub& stub, int64_t id) {
  grpc::ClientContext context;
  SetDeadline(context);
  v1::GetSweepRequest request;
  request.set_sweep_id(id);
  v1::SweepStatus sweep;
  grpc::Status rpc = stub.GetSweep(&context, request, &sweep);
  if (!rpc.ok()) return FromGrpcStatus(rpc);
  sweep.clear_jobs();  // only the summary is used
  return sweep;
}

// Most recent first.
absl::StatusOr<std::vector<v1::SweepStatus>> FetchSweeps(Stub& stub,
                                                          int limit) {
  grpc::ClientContext context;
  SetDeadline(context);
  v1::ListSweepsRequest request;
  request.set_limit(limit);
  v1::ListSweepsResponse response;
  grpc::Status rpc = stub.ListSweeps(&context, request, &response);
  if (!rpc.ok()) return FromGrpcStatus(rpc);
  std::vector<v1::SweepStatus> sweeps(response.sweeps().begin(),
                                      response.sweeps().end());
  std::stable_sort(sweeps.begin(), sweeps.end(),
                   [](const v1::SweepStatus& a, const v1::SweepStatus& b) {
                     return a.sweep_id() > b.sweep_id();
                   });
  return sweeps;
}

constexpr int kMaxSweepsListed = 10000;  // the coordinator's cap

absl::StatusOr<std::vector<double>> FetchSteps(Stub& stub, int64_t job_id) {
  grpc::ClientContext context;
  SetDeadline(context);
  v1::ListSamplesRequest request;
  request.set_job_id(job_id);
  v1::ListSamplesResponse response;
  grpc::Status rpc = stub.ListSamples(&context, request, &response);
  if (!rpc.ok()) return FromGrpcStatus(rpc);
  return StepMillis(std::vector<v1::Sample>(response.samples().begin(),
                                            response.samples().end()));
}

// The finished runs of `schedule`, most recent first.
absl::StatusOr<std::vector<v1::SweepStatus>> ScheduleRuns(
    Stub& stub, const std::string& schedule, bool finished_only) {
  ASSIGN_OR_RETURN(std::vector<v1::SweepStatus> sweeps,
                   FetchSweeps(stub, kMaxSweepsListed));
  std::vector<v1::SweepStatus> runs;
  for (v1::SweepStatus& s : sweeps) {
    if (s.schedule() != schedule) continue;
    if (finished_only && s.state() == v1::SWEEP_STATE_RUNNING) continue;
    runs.push_back(std::move(s));
  }
  return runs;
}

// The most recent of `sweeps` (most recent first) that is no longer
// running, else the most recent.
int64_t LatestFinished(const std::vector<v1::SweepStatus>& sweeps) {
  for (const v1::SweepStatus& s : sweeps)
    if (s.state() != v1::SWEEP_STATE_RUNNING) return s.sweep_id();
  return sweeps.front().sweep_id();
}

struct Selected {
  std::vector<v1::SweepStatus> sweeps;
  std::vector<v1::JobResult> results;
};

absl::StatusOr<Selected> FetchSelection(Stub& stub,
                                        const ResultSelection& selection) {
  Selected out;
  v1::ListResultsRequest filter = selection.filter;
  filter.clear_sweep_id();
  std::vector<int64_t> ids = selection.sweep_ids;
  if (ids.empty() && !filter.schedule().empty()) {
    // A schedule's results span all its runs; its latest run is the one to
    // look at (compare and history look across runs).
    ASSIGN_OR_RETURN(std::vector<v1::SweepStatus> runs,
                     ScheduleRuns(stub, filter.schedule(), false));
    if (runs.empty())
      return absl::NotFoundError(absl::StrCat(
          "schedule ", filter.schedule(), " has not run yet"));
    ids.push_back(LatestFinished(runs));
    filter.clear_schedule();
  }
  if (ids.empty() && filter.ByteSizeLong() == 0) {
    ASSIGN_OR_RETURN(std::vector<v1::SweepStatus> recent,
                     FetchSweeps(stub, 50));
    if (recent.empty())
      return absl::NotFoundError("no sweeps stored yet: submit one first");
    ids.push_back(LatestFinished(recent));
  }
  if (ids.empty()) {
    ASSIGN_OR_RETURN(out.results, FetchResults(stub, filter));
    return out;
  }
  for (int64_t id : ids) {
    ASSIGN_OR_RETURN(v1::SweepStatus sweep, FetchSweep(stub, id));
    out.sweeps.push_back(std::move(sweep));
    v1::ListResultsRequest request = filter;
    request.set_sweep_id(id);
    ASSIGN_OR_RETURN(std::vector<v1::JobResult> results,
                     FetchResults(stub, request));
    out.results.insert(out.results.end(), results.begin(), results.end());
  }
  return out;
}

absl::Status WriteFile(const std::string& path, const std::string& contents) {
  std::ofstream file(path, std::ios::binary | std::ios::trunc);
  if (!file)
    return absl::ErrnoToStatus(errno, absl::StrCat("cannot write ", path));
  file << contents;
  file.close();
  if (!file)
    return absl::ErrnoToStatus(errno, absl::StrCat("cannot write ", path));
  return absl::OkStatus();
}

}  // namespace

absl::Status RooflineCommand(Stub& stub, const ResultSelection& selection,
                             Format format, const std::string& svg_path,
                             std::ostream& out) {
  ASSIGN_OR_RETURN(Selected selected, FetchSelection(stub, selection));
  ASSIGN_OR_RETURN(std::vector<v1::AgentInfo> agents, FetchAgents(stub));
  const std::vector<DeviceGroup> groups =
      GroupByDevice(selected.results, agents);
  const v1::RooflineReport report = BuildRooflineReport(groups);
  switch (format) {
    case Format::kJson:
    case Format::kJsonLines:
      out << ToJson(report);
      break;
    case Format::kCsv:
      out << RenderRooflineCsv(report);
      break;
    case Format::kTable:
      out << RenderRooflineTable(report);
      break;
  }
  if (!svg_path.empty()) {
    RETURN_IF_ERROR(WriteFile(svg_path, RooflineChart(groups, "Roofline")));
    if (format == Format::kTable) out << "wrote " << svg_path << "\n";
  }
  return absl::OkStatus();
}

absl::Status CorrelateCommand(Stub& stub, const ResultSelection& selection,
                              const CorrelateOptions& options, Format format,
                              std::ostream& out) {
  if (format != Format::kTable && format != Format::kCsv)
    return absl::InvalidArgumentError("correlate: use --format=table or csv");
  ASSIGN_OR_RETURN(Selected selected, FetchSelection(stub, selection));
  ASSIGN_OR_RETURN(std::vector<v1::AgentInfo> agents, FetchAgents(stub));
  const std::vector<DeviceGroup> groups =
      GroupByDevice(selected.results, agents);
  out << RenderCorrelations(CorrelateByDevice(groups, options),
                            CrossDeviceAgreement(groups, options), options,
                            format == Format::kCsv);
  return absl::OkStatus();
}

absl::Status CompareCommand(Stub& stub, const CompareSelection& selection,
                            const analysis::RegressionOptions& options,
                            Format format, std::ostream& out,
                            int* regressions) {
  std::vector<int64_t> baseline = selection.baseline;
  std::vector<int64_t> candidate = selection.candidate;
  if (!selection.schedule.empty()) {
    if (!baseline.empty() || !candidate.empty())
      return absl::InvalidArgumentError(
          "compare: give either --schedule or --baseline and --candidate");
    ASSIGN_OR_RETURN(std::vector<v1::SweepStatus> runs,
                     ScheduleRuns(stub, selection.schedule, true));
    if (runs.size() < 2)
      return absl::FailedPreconditionError(absl::StrCat(
          "schedule ", selection.schedule, " has ", runs.size(),
          " finished runs; compare needs two"));
    candidate = {runs[0].sweep_id()};
    baseline = {runs[1].sweep_id()};
  }
  if (baseline.empty() || candidate.empty())
    return absl::InvalidArgumentError(
        "compare: give --baseline=SWEEP[,SWEEP] and --candidate=SWEEP[,SWEEP], "
        "or --schedule=NAME");
  std::vector<v1::JobResult> base_results, cand_results;
  for (int64_t id : baseline) {
    v1::ListResultsRequest request;
    request.set_sweep_id(id);
    ASSIGN_OR_RETURN(std::vector<v1::JobResult> r, FetchResults(stub, request));
    base_results.insert(base_results.end(), r.begin(), r.end());
  }
  for (int64_t id : candidate) {
    v1::ListResultsRequest request;
    request.set_sweep_id(id);
    ASSIGN_OR_RETURN(std::vector<v1::JobResult> r, FetchResults(stub, request));
    cand_results.insert(cand_results.end(), r.begin(), r.end());
  }
  ASSIGN_OR_RETURN(std::vector<v1::AgentInfo> agents, FetchAgents(stub));
  const Matching matching = MatchResults(base_results, cand_results);
  ASSIGN_OR_RETURN(
      v1::ComparisonReport report,
      CompareMatched(
          matching, [&stub](int64_t job) { return FetchSteps(stub, job); },
          options, HostNameFn(HostNames(agents))));
  for (int64_t id : baseline) report.add_baseline_sweep_ids(id);
  for (int64_t id : candidate) report.add_candidate_sweep_ids(id);
  switch (format) {
    case Format::kJson:
    case Format::kJsonLines:
      out << ToJson(report);
      break;
    case Format::kCsv:
      out << RenderComparison(report, true);
      break;
    case Format::kTable:
      out << RenderComparison(report, false);
      break;
  }
  if (regressions) *regressions = report.regressions();
  return absl::OkStatus();
}

absl::Status HistoryCommand(Stub& stub, const std::string& schedule,
                            const std::string& model, int batch,
                            std::ostream& out) {
  if (schedule.empty())
    return absl::InvalidArgumentError("history: give --schedule=NAME");
  ASSIGN_OR_RETURN(std::vector<v1::SweepStatus> sweeps,
                   ScheduleRuns(stub, schedule, false));
  if (sweeps.empty())
    return absl::NotFoundError(
        absl::StrCat("schedule ", schedule, " has not run yet"));
  std::vector<ScheduleRun> runs;
  for (v1::SweepStatus& sweep : sweeps) {
    v1::ListResultsRequest request;
    request.set_sweep_id(sweep.sweep_id());
    request.set_model(model);
    request.set_batch_size(batch);
    ASSIGN_OR_RETURN(std::vector<v1::JobResult> results,
                     FetchResults(stub, request));
    runs.push_back({std::move(sweep), std::move(results)});
  }
  ASSIGN_OR_RETURN(std::vector<v1::AgentInfo> agents, FetchAgents(stub));
  out << RenderHistory(BuildHistory(std::move(runs), HostNameFn(HostNames(agents))),
                       schedule);
  return absl::OkStatus();
}

absl::Status ReportCommand(Stub& stub, const ResultSelection& selection,
                           const std::string& path, std::ostream& out) {
  if (path.empty())
    return absl::InvalidArgumentError("report: give -o FILE.html");
  ASSIGN_OR_RETURN(Selected selected, FetchSelection(stub, selection));
  ReportInput input;
  input.sweeps = selected.sweeps;
  input.results = selected.results;
  ASSIGN_OR_RETURN(input.agents, FetchAgents(stub));

  // The previous run of each sweep: same schedule if it has one, else same
  // name; older, not running, and not itself in the report.
  if (!selected.sweeps.empty()) {
    ASSIGN_OR_RETURN(std::vector<v1::SweepStatus> all,
                     FetchSweeps(stub, kMaxSweepsListed));
    std::set<int64_t> in_report;
    for (const v1::SweepStatus& s : selected.sweeps) in_report.insert(s.sweep_id());
    std::vector<v1::JobResult> baseline;
    for (const v1::SweepStatus& s : selected.sweeps) {
      for (const v1::SweepStatus& earlier : all) {  // most recent first
        if (earlier.sweep_id() >= s.sweep_id() ||
            in_report.count(earlier.sweep_id()) ||
            earlier.state() == v1::SWEEP_STATE_RUNNING)
          continue;
        const bool same = s.schedule().empty()
                              ? earlier.schedule().empty() &&
                                    earlier.name() == s.name()
                              : earlier.schedule() == s.schedule();
        if (!same) continue;
        input.baseline_sweeps.push_back(earlier);
        v1::ListResultsRequest request;
        request.set_sweep_id(earlier.sweep_id());
        ASSIGN_OR_RETURN(std::vector<v1::JobResult> r,
                         FetchResults(stub, request));
        baseline.insert(baseline.end(), r.begin(), r.end());
        break;
      }
    }
    if (!input.baseline_sweeps.empty()) {
      const Matching matching = MatchResults(baseline, selected.results);
      ASSIGN_OR_RETURN(
          input.comparison,
          CompareMatched(
              matching, [&stub](int64_t job) { return FetchSteps(stub, job); },
              analysis::RegressionOptions(),
              HostNameFn(HostNames(input.agents))));
      for (const v1::SweepStatus& b : input.baseline_sweeps)
        input.comparison.add_baseline_sweep_ids(b.sweep_id());
      for (const v1::SweepStatus& s : selected.sweeps)
        input.comparison.add_candidate_sweep_ids(s.sweep_id());
      input.has_comparison = true;
    }
  }
  const std::string html = analysis::RenderHtmlReport(BuildReport(input));
  RETURN_IF_ERROR(WriteFile(path, html));
  out << "wrote " << path << " (" << (html.size() + 1023) / 1024 << " KiB)\n"
      << ReportSummary(input);
  return absl::OkStatus();
}

}  // namespace benchfleet::cli
