#include "agent/hw/report_format.h"

#include <algorithm>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"

namespace benchfleet::hw {
namespace {

void Line(std::string* out, const std::string& label, const std::string& text) {
  absl::StrAppend(out, absl::StrFormat("%-13s ", label), text, "\n");
}

std::string SourceOf(const v1::CpuInfo& cpu, const std::string& field) {
  for (const auto& s : cpu.sources())
    if (s.field() == field) return absl::StrCat(" [", s.source(), "]");
  return "";
}

std::string Mhz(double mhz) {
  return mhz > 0 ? absl::StrFormat("%.0f MHz", mhz) : "unknown";
}

std::string CacheLabel(const v1::CacheLevel& c) {
  return absl::StrCat("L", c.level(), c.type() == "Data" ? "d" : "");
}

const v1::MeasuredPeak* FindPeak(const v1::HardwareReport& r,
                                 const std::string& name) {
  for (const auto& p : r.measured_peaks())
    if (p.name() == name) return &p;
  return nullptr;
}

std::string DatasheetLine(const v1::DatasheetPeak& d) {
  std::vector<std::string> figures;
  if (d.fp32_flops() > 0)
    figures.push_back("FP32 " + FormatFlops(d.fp32_flops()));
  if (d.fp16_flops() > 0)
    figures.push_back("FP16 " + FormatFlops(d.fp16_flops()));
  if (d.bf16_flops() > 0)
    figures.push_back("BF16 " + FormatFlops(d.bf16_flops()));
  if (d.fp64_flops() > 0)
    figures.push_back("FP64 " + FormatFlops(d.fp64_flops()));
  figures.push_back("memory " +
                    (d.memory_bytes_per_second() > 0
                         ? FormatBandwidth(d.memory_bytes_per_second())
                         : std::string("unknown")));
  const std::string what =
      d.basis() == "datasheet"
          ? absl::StrCat(
                "matches ", d.catalog_name(),
                d.estimate() ? " (datasheet; estimate)" : " (datasheet)")
          : std::string("THEORETICAL, not a datasheet");
  return absl::StrCat(d.device(), " x", d.devices(), ": ", what,
                      "; per device ", absl::StrJoin(figures, ", "), "; ",
                      d.source());
}

}  // namespace

std::string FormatFlops(double v) {
  if (v <= 0) return "-";
  if (v >= 1e12) return absl::StrFormat("%.2f TFLOP/s", v / 1e12);
  return absl::StrFormat("%.1f GFLOP/s", v / 1e9);
}

std::string FormatBandwidth(double v) {
  if (v <= 0) return "-";
  if (v >= 1e12) return absl::StrFormat("%.2f TB/s", v / 1e12);
  return absl::StrFormat("%.1f GB/s", v / 1e9);
}

std::string FormatBytes(int64_t bytes) {
  if (bytes >= (1LL << 30))
    return absl::StrFormat("%.1f GiB", bytes / 1073741824.0);
  if (bytes >= (1 << 20)) return absl::StrFormat("%.4g MiB", bytes / 1048576.0);
  if (bytes >= 1024) return absl::StrFormat("%.4g KiB", bytes / 1024.0);
  return absl::StrFormat("%d B", bytes);
}

std::string RenderProbeTable(const v1::HardwareReport& r) {
  std::string out;
  const v1::CpuInfo& cpu = r.cpu();
  const v1::SoftwareInfo& sw = r.software();
  Line(&out, "host", absl::StrCat(r.hostname(), " (", r.host_id(), ")"));
  // Arm's "family" is the architecture version and its "model" the MIDR
  // part number, conventionally written in hex.
  const std::string signature =
      cpu.architecture() == "aarch64"
          ? absl::StrFormat("architecture %d part 0x%03x revision %d",
                            cpu.family(), cpu.model(), cpu.stepping())
          : absl::StrFormat("family %d model %d stepping %d", cpu.family(),
                            cpu.model(), cpu.stepping());
  Line(&out, "cpu",
       absl::StrFormat(
           "%s; %s %s, %s %s%s%s", cpu.model_name(), cpu.vendor(),
           cpu.architecture(),
           cpu.microarchitecture().empty() ? "microarchitecture unknown"
                                           : cpu.microarchitecture(),
           signature, cpu.hypervisor() ? ", under a hypervisor" : "",
           SourceOf(cpu, "family")));
  Line(&out, "topology",
       absl::StrFormat("%d socket(s), %d cores, %d threads%s", cpu.sockets(),
                       cpu.cores(), cpu.threads(), SourceOf(cpu, "cores")));
  Line(&out, "clock",
       absl::StrCat("base ", Mhz(cpu.base_mhz()), SourceOf(cpu, "base_mhz"),
                    ", max ", Mhz(cpu.max_mhz()), SourceOf(cpu, "max_mhz")));
  Line(&out, "governor",
       cpu.governor().empty()
           ? std::string("none (no cpufreq: VM or fixed clock)")
           : absl::StrCat(cpu.governor(), cpu.frequency_scaling()
                                              ? " (frequency scaling on)"
                                              : " (fixed at the top clock)"));
  Line(&out, "isa",
       absl::StrCat(absl::StrJoin(cpu.isa_flags(), " "),
                    SourceOf(cpu, "isa_flags")));
  for (const v1::CacheLevel& c : cpu.caches()) {
    Line(&out, "cache " + CacheLabel(c),
         absl::StrCat(FormatBytes(c.size_bytes()),
                      c.shared_by_threads() > 0
                          ? absl::StrFormat(", shared by %d thread(s)",
                                            c.shared_by_threads())
                          : std::string(),
                      " [", c.source(), "]",
                      c.implausible() ? " IMPLAUSIBLE, not trusted" : ""));
  }
  Line(&out, "memory",
       absl::StrCat(
           FormatBytes(r.memory().total_bytes()), " total, ",
           r.memory().available_bytes() > 0
               ? FormatBytes(r.memory().available_bytes()) + " available, "
               : std::string(),
           r.memory().numa_nodes(), " NUMA node(s)"));
  Line(&out, "os", absl::StrCat(sw.os(), ", kernel ", sw.kernel()));
  Line(&out, "compiler", sw.compiler());
  Line(&out, "libtorch",
       absl::StrCat(sw.libtorch_version(), " (", sw.libtorch_build(), ")"));
  Line(&out, "onednn",
       sw.onednn_version().empty() ? "none" : sw.onednn_version());
  Line(&out, "blas",
       absl::StrCat(sw.blas_vendor(), " (", sw.blas_library(), ")",
                    sw.blas_config().empty() ? "" : "; " + sw.blas_config(),
                    sw.blas_threads() > 0
                        ? absl::StrFormat("; %d thread(s)", sw.blas_threads())
                        : std::string()));
  Line(&out, "threads",
       absl::StrFormat("%d intra-op, %d inter-op", sw.intra_op_threads(),
                       sw.inter_op_threads()));
  Line(&out, "cuda",
       sw.cuda_available() ? "available to LibTorch"
                           : "not available to LibTorch");
  for (const v1::AcceleratorInfo& a : r.accelerators()) {
    std::vector<std::string> sources;
    for (const auto& s : a.sources())
      if (std::find(sources.begin(), sources.end(), s.source()) ==
          sources.end())
        sources.push_back(s.source());
    Line(&out, absl::StrCat("gpu ", a.index()),
         absl::StrFormat(
             "%s, %s, %d SMs, compute capability %s, %s SM, %s memory x %d "
             "bits, driver %s, CUDA %s, power limit %.0f W [%s]",
             a.name(), FormatBytes(a.memory_bytes()), a.multiprocessors(),
             a.compute_capability(), Mhz(a.clock_mhz()),
             Mhz(a.memory_clock_mhz()), a.memory_bus_width_bits(),
             a.driver_version().empty() ? "?" : a.driver_version(),
             a.cuda_driver_version().empty() ? "?" : a.cuda_driver_version(),
             a.power_limit_watts(), absl::StrJoin(sources, ", ")));
  }
  for (const v1::DatasheetPeak& d : r.datasheet_peaks())
    Line(&out, "peak", DatasheetLine(d));
  if (r.measured_peaks_size() > 0) {
    std::vector<std::string> roofs;
    for (const v1::MeasuredPeak& p : r.measured_peaks()) {
      roofs.push_back(absl::StrCat(p.name(), " ",
                                   p.unit() == "B/s"
                                       ? FormatBandwidth(p.value())
                                       : FormatFlops(p.value())));
    }
    Line(&out, "measured",
         absl::StrCat(
             absl::StrJoin(roofs, ", "), " (calibrated ",
             absl::FormatTime(
                 "%Y-%m-%d %H:%M:%S UTC",
                 absl::FromUnixSeconds(r.calibration().finished_unix_seconds()),
                 absl::UTCTimeZone()),
             "; `agent calibrate` for methods)"));
  }
  for (const std::string& w : r.warnings()) Line(&out, "warning", w);
  return out;
}

std::string RenderCalibrationTable(const v1::HardwareReport& r) {
  std::string out;
  const v1::Calibration& c = r.calibration();
  const std::string when = absl::FormatTime(
      "%Y-%m-%d %H:%M:%S UTC", absl::FromUnixSeconds(c.finished_unix_seconds()),
      absl::UTCTimeZone());
  Line(&out, "host", absl::StrCat(r.hostname(), " (", r.host_id(), ")"));
  Line(&out, "calibration",
       absl::StrFormat(
           "%s, %d thread(s), took %.1f s, finished %s%s",
           c.from_cache() ? "from cache" : "measured now", c.threads(),
           c.duration_seconds(), when,
           c.cache_path().empty()
               ? std::string(", not cached")
               : absl::StrCat(c.from_cache() ? ", read from " : ", cached at ",
                              c.cache_path())));
  Line(&out, "other load",
       absl::StrFormat("%.0f%% of the machine's CPU time went to other "
                       "processes during calibration",
                       100 * c.other_load()));
  absl::StrAppend(&out, "\n",
                  absl::StrFormat("%-17s %-14s %7s %12s  %s\n", "roof", "value",
                                  "threads", "working set", "method"));
  for (const v1::MeasuredPeak& p : r.measured_peaks()) {
    absl::StrAppend(
        &out, absl::StrFormat("%-17s %-14s %7d %12s  %s\n", p.name(),
                              p.unit() == "B/s" ? FormatBandwidth(p.value())
                                                : FormatFlops(p.value()),
                              p.threads(),
                              p.working_set_bytes() > 0
                                  ? FormatBytes(p.working_set_bytes())
                                  : std::string("-"),
                              p.method()));
  }
  if (c.levels_size() > 0) {
    absl::StrAppend(&out,
                    "\nhierarchical roofline (ridge = fp32_fma / level "
                    "bandwidth)\n");
    absl::StrAppend(
        &out, absl::StrFormat("%-6s %-12s %-24s %s\n", "level", "bandwidth",
                              "working sets", "ridge"));
    const v1::MeasuredPeak* fma = FindPeak(r, "fp32_fma");
    for (const v1::LevelBandwidth& l : c.levels()) {
      absl::StrAppend(
          &out, absl::StrFormat(
                    "%-6s %-12s %-24s %s\n", l.level(),
                    FormatBandwidth(l.bytes_per_second()),
                    absl::StrCat(FormatBytes(l.min_working_set_bytes()), " - ",
                                 FormatBytes(l.max_working_set_bytes())),
                    fma != nullptr && l.bytes_per_second() > 0
                        ? absl::StrFormat("%.2f FLOP/byte",
                                          fma->value() / l.bytes_per_second())
                        : std::string("-")));
    }
  }
  // Measured against the datasheet (or theoretical) peak of the CPU.
  for (const v1::DatasheetPeak& d : r.datasheet_peaks()) {
    if (d.device() != r.cpu().model_name()) continue;
    const double sockets = std::max(1, d.devices());
    const v1::MeasuredPeak* fma = FindPeak(r, "fp32_fma");
    const v1::MeasuredPeak* triad = FindPeak(r, "stream_triad");
    absl::StrAppend(&out, "\n");
    if (fma != nullptr && d.fp32_flops() > 0) {
      const double share = fma->value() / (d.fp32_flops() * sockets);
      Line(&out, "vs peak",
           absl::StrFormat("fp32_fma %s is %.0f%% of the %s %s%s",
                           FormatFlops(fma->value()), 100 * share, d.basis(),
                           FormatFlops(d.fp32_flops() * sockets),
                           share > 1.05
                               ? ": the cores run above the clock the peak "
                                 "assumes (boost)"
                               : ""));
    }
    if (triad != nullptr && d.memory_bytes_per_second() > 0) {
      Line(&out, "vs peak",
           absl::StrFormat(
               "stream_triad %s is %.0f%% of the %s %s",
               FormatBandwidth(triad->value()),
               100 * triad->value() / (d.memory_bytes_per_second() * sockets),
               d.basis(),
               FormatBandwidth(d.memory_bytes_per_second() * sockets)));
    }
  }
  if (!r.warnings().empty()) absl::StrAppend(&out, "\n");
  for (const std::string& w : r.warnings()) Line(&out, "warning", w);
  return out;
}

}  // namespace benchfleet::hw
