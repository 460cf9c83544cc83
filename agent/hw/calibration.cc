#include "agent/hw/calibration.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "agent/hw/cache_sweep.h"
#include "agent/hw/cuda_peaks.h"
#include "agent/hw/fma_peak.h"
#include "agent/hw/gemm_peak.h"
#include "agent/hw/kernels.h"
#include "agent/hw/load_monitor.h"
#include "agent/hw/parallel.h"
#include "agent/hw/stream.h"

namespace benchfleet::hw {
namespace {

namespace fs = std::filesystem;

// Bump when the measurements change meaning, so old caches are not reused.
constexpr int kCalibrationVersion = 1;

// Above this share of the machine taken by others, figures are suspect.
constexpr double kOtherLoadWarning = 0.10;

// Assumed last-level cache per socket when no source gives a trusted one.
constexpr int64_t kAssumedLlcBytes = 64LL << 20;

std::string Mib(int64_t bytes) {
  return absl::StrFormat("%.4g MiB", bytes / 1048576.0);
}

v1::MeasuredPeak Peak(const std::string& name, double value,
                      const std::string& unit, const std::string& method,
                      int threads, int64_t working_set) {
  v1::MeasuredPeak p;
  p.set_name(name);
  p.set_value(value);
  p.set_unit(unit);
  p.set_method(method);
  p.set_threads(threads);
  p.set_working_set_bytes(working_set);
  return p;
}

// Trusted data caches of the report, with sharing filled in: private L1/L2
// per core, L3 per socket, when the source did not say.
std::vector<CacheGeometry> Geometry(const v1::CpuInfo& cpu) {
  const int threads = std::max(1, cpu.threads());
  const int per_core = std::max(1, threads / std::max(1, cpu.cores()));
  const int per_socket = std::max(1, threads / std::max(1, cpu.sockets()));
  std::vector<CacheGeometry> caches;
  for (const v1::CacheLevel& c : cpu.caches()) {
    if (c.implausible() || c.type() == "Instruction" || c.level() < 1 ||
        c.level() > 3)
      continue;
    CacheGeometry g;
    g.level = c.level();
    g.size_bytes = c.size_bytes();
    g.shared_by_threads = c.shared_by_threads() > 0 ? c.shared_by_threads()
                          : c.level() <= 2          ? per_core
                                                    : per_socket;
    caches.push_back(g);
  }
  return caches;
}

// All last-level cache of the machine: STREAM sizes its arrays from this.
int64_t TotalLlc(const v1::CpuInfo& cpu, const std::vector<CacheGeometry>& g,
                 bool* assumed) {
  *assumed = g.empty() || g.back().level < 3;
  if (*assumed) return kAssumedLlcBytes * std::max(1, cpu.sockets());
  const CacheGeometry& llc = g.back();
  return llc.size_bytes *
         std::max(1, std::max(1, cpu.threads()) / llc.shared_by_threads);
}

}  // namespace

CalibrationOptions CalibrationOptions::Quick() {
  CalibrationOptions o;
  o.fma_seconds = 0.01;
  o.fma_repetitions = 2;
  o.gemm_seconds = 0.01;
  o.gemm_repetitions = 2;
  o.gemm_max_n = 128;
  o.stream_ntimes = 3;
  o.stream_array_bytes = 1 << 20;
  o.sweep_seconds_per_point = 0.001;
  o.sweep_repetitions = 1;
  o.sweep_points_per_octave = 1;
  o.sweep_max_bytes = 4 << 20;
  o.cuda_seconds = 0.01;
  return o;
}

absl::StatusOr<v1::Calibration> Calibrate(const v1::HardwareReport& report,
                                          const CalibrationOptions& options) {
  const auto started = std::chrono::steady_clock::now();
  const int threads = options.threads > 0 ? options.threads : AvailableCpus();
  const kernels::KernelSet* k = kernels::BestKernels();
  LoadMonitor load(options.proc_root);
  load.Start();

  v1::Calibration cal;
  cal.set_host_id(report.host_id());
  cal.set_key(CalibrationKey(report, threads));
  cal.set_threads(threads);

  // FP32 FMA peak, one thread and all threads.
  for (int t : {1, threads}) {
    FmaPeakOptions fo;
    fo.threads = t;
    fo.min_seconds = options.fma_seconds;
    fo.repetitions = options.fma_repetitions;
    const FmaPeakResult r = MeasureFmaPeak(fo);
    *cal.add_peaks() = Peak(
        t == 1 ? "fp32_fma_1thread" : "fp32_fma", r.flops_per_second, "FLOP/s",
        absl::StrFormat("%s: %d independent %d-byte FMA accumulators in "
                        "registers, %d thread(s), best of %d x %.2g s",
                        r.isa, r.accumulators, r.vector_bytes, t,
                        options.fma_repetitions, options.fma_seconds),
        t, 0);
    if (threads == 1) {
      *cal.add_peaks() = cal.peaks(0);
      cal.mutable_peaks(1)->set_name("fp32_fma");
      break;
    }
  }
  const double fma_all = cal.peaks(1).value();

  // LibTorch sgemm.
  GemmPeakOptions go;
  go.threads = threads;
  go.max_n = options.gemm_max_n;
  go.min_seconds = options.gemm_seconds;
  go.repetitions = options.gemm_repetitions;
  absl::StatusOr<GemmPeakResult> gemm = MeasureGemmPeak(go);
  if (!gemm.ok()) return gemm.status();
  *cal.add_peaks() = Peak(
      "sgemm", gemm->flops_per_second, "FLOP/s",
      absl::StrFormat("LibTorch torch::mm float32 %dx%dx%d, %d intra-op "
                      "thread(s), %s BLAS, best of %d runs of %d product(s)",
                      gemm->n, gemm->n, gemm->n, gemm->threads,
                      report.software().blas_vendor().empty()
                          ? "unknown"
                          : report.software().blas_vendor(),
                      options.gemm_repetitions, gemm->products),
      gemm->threads, 3LL * gemm->n * gemm->n * 4);

  // LibTorch's OpenMP workers keep spinning for a while after the GEMM
  // (GOMP_SPINCOUNT) and would take a core from the next measurement.
  std::this_thread::sleep_for(std::chrono::milliseconds(100));

  // STREAM with arrays of 4x the last-level caches, bounded by free memory.
  const std::vector<CacheGeometry> geometry = Geometry(report.cpu());
  bool llc_assumed = false;
  const int64_t llc = TotalLlc(report.cpu(), geometry, &llc_assumed);
  int64_t array_bytes =
      options.stream_array_bytes > 0 ? options.stream_array_bytes : 4 * llc;
  // Calibration runs on this machine whatever tree the report came from:
  // bound the arrays by what is free here too.
  int64_t available = report.memory().available_bytes();
  const long pages = sysconf(_SC_AVPHYS_PAGES);
  const long page_size = sysconf(_SC_PAGESIZE);
  if (pages > 0 && page_size > 0) {
    const int64_t live = static_cast<int64_t>(pages) * page_size;
    available = available > 0 ? std::min(available, live) : live;
  }
  bool memory_bound = false;
  if (options.stream_array_bytes == 0 && available > 0 &&
      array_bytes > available / 6) {
    array_bytes = available / 6;
    memory_bound = true;
  }
  StreamOptions so;
  so.threads = threads;
  so.array_elements = std::max<int64_t>(1024, array_bytes / 8);
  so.ntimes = options.stream_ntimes;
  absl::StatusOr<StreamResult> stream = RunStream(so);
  if (!stream.ok()) return stream.status();
  const std::string stream_method = absl::StrFormat(
      ": 3 arrays of %d doubles (%s each%s), %d thread(s), %s, best of %d "
      "excluding the first, validated; bytes counted as STREAM does",
      so.array_elements, Mib(so.array_elements * 8),
      options.stream_array_bytes > 0 ? ", fixed"
      : memory_bound                 ? ", bounded by free memory"
      : llc_assumed                  ? ", 4x an assumed 64 MiB LLC per socket"
                                     : ", 4x the last-level caches",
      threads, stream->isa, so.ntimes - 1);
  const int64_t stream_ws = 3 * so.array_elements * 8;
  const std::pair<const char*, double> stream_figures[] = {
      {"copy", stream->copy},
      {"scale", stream->scale},
      {"add", stream->add},
      {"triad", stream->triad}};
  for (const auto& [name, value] : stream_figures) {
    *cal.add_peaks() =
        Peak(absl::StrCat("stream_", name), value, "B/s",
             absl::StrCat("STREAM ", name, stream_method), threads, stream_ws);
  }

  // Working-set sweep for the per-level bandwidths.
  int64_t capacity = kAssumedLlcBytes;
  if (!geometry.empty())
    capacity = UsableCapacity(geometry.back(), threads, report.cpu().threads());
  SweepOptions sw;
  sw.threads = threads;
  sw.max_bytes_total = options.sweep_max_bytes > 0
                           ? options.sweep_max_bytes
                           : std::max<int64_t>(64LL << 20, 8 * capacity);
  if (options.sweep_max_bytes == 0 && available > 0)
    sw.max_bytes_total = std::min(sw.max_bytes_total, available / 4);
  sw.points_per_octave = options.sweep_points_per_octave;
  sw.min_seconds_per_point = options.sweep_seconds_per_point;
  sw.repetitions = options.sweep_repetitions;
  const std::vector<v1::SweepPoint> points = RunCacheSweep(sw);
  for (const v1::SweepPoint& p : points) *cal.add_sweep() = p;
  for (const v1::LevelBandwidth& level :
       DeriveLevels(points, geometry, threads, report.cpu().threads())) {
    *cal.add_levels() = level;
    std::string name = level.level();
    for (char& c : name) c = static_cast<char>(std::tolower(c));
    *cal.add_peaks() =
        Peak(name, level.bytes_per_second(), "B/s",
             absl::StrFormat("ERT-style in-place x = 0.5x + 0.5 (%s), load + "
                             "store bytes; %s",
                             k->isa, level.method()),
             threads, level.max_working_set_bytes());
  }

  // GPUs, when LibTorch can use them.
  if (options.cuda) {
    CudaPeakOptions co;
    co.min_seconds = options.cuda_seconds;
    absl::StatusOr<std::vector<v1::MeasuredPeak>> cuda = MeasureCudaPeaks(co);
    if (cuda.ok()) {
      for (const v1::MeasuredPeak& p : *cuda) *cal.add_peaks() = p;
    } else if (!absl::IsUnavailable(cuda.status())) {
      cal.add_warnings(
          absl::StrCat("GPU calibration failed: ", cuda.status().message()));
    }
  }

  // Warnings: figures that cannot be trusted, and why.
  if (report.software().blas_vendor() == "reference") {
    cal.add_warnings(absl::StrFormat(
        "sgemm measured with the reference BLAS (%s): %.3g GFLOP/s is not "
        "what an optimised BLAS gives; install libopenblas0-openmp",
        report.software().blas_library(), gemm->flops_per_second / 1e9));
  }
  if (gemm->flops_per_second < 0.5 * fma_all) {
    cal.add_warnings(absl::StrFormat(
        "sgemm reaches %.0f%% of the FP32 FMA peak (%.3g of %.3g GFLOP/s); "
        "an optimised BLAS reaches 70-90%%: check the BLAS and its threads",
        100 * gemm->flops_per_second / fma_all, gemm->flops_per_second / 1e9,
        fma_all / 1e9));
  }
  if (report.cpu().frequency_scaling()) {
    cal.add_warnings(absl::StrFormat(
        "CPU frequency scaling is on (governor \"%s\"): peaks depend on the "
        "clock at the time; set the performance governor",
        report.cpu().governor()));
  }
  const double other = load.OtherLoad();
  cal.set_other_load(std::max(0.0, other));
  if (other > kOtherLoadWarning) {
    cal.add_warnings(absl::StrFormat(
        "other processes (and steal) used %.0f%% of the machine's CPU time "
        "during calibration: peaks are likely low; recalibrate on an idle "
        "machine",
        100 * other));
  }
  cal.set_duration_seconds(
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started)
          .count());
  cal.set_finished_unix_seconds(absl::ToUnixSeconds(absl::Now()));
  return cal;
}

std::string CalibrationKey(const v1::HardwareReport& report, int threads) {
  return absl::StrCat("v", kCalibrationVersion, ";host=", report.host_id(),
                      ";threads=", threads,
                      ";libtorch=", report.software().libtorch_version(),
                      ";blas=", report.software().blas_library(),
                      ";isa=", kernels::BestKernels()->isa);
}

std::string DefaultCacheDir() {
  const char* xdg = std::getenv("XDG_CACHE_HOME");
  if (xdg != nullptr && xdg[0] == '/') return std::string(xdg) + "/benchfleet";
  const char* home = std::getenv("HOME");
  if (home != nullptr && home[0] != '\0')
    return std::string(home) + "/.cache/benchfleet";
  return "";
}

std::string CachePath(const std::string& dir, const std::string& host_id) {
  return absl::StrCat(dir, "/calibration-", host_id, ".binpb");
}

absl::StatusOr<v1::Calibration> LoadCalibration(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return absl::NotFoundError(absl::StrCat(path, ": no cached calibration"));
  v1::Calibration cal;
  if (!cal.ParseFromIstream(&in))
    return absl::DataLossError(absl::StrCat(path, ": unreadable calibration"));
  return cal;
}

absl::Status SaveCalibration(const std::string& path,
                             const v1::Calibration& calibration) {
  std::error_code ec;
  fs::create_directories(fs::path(path).parent_path(), ec);
  const std::string tmp = absl::StrCat(path, ".tmp.", getpid());
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out || !calibration.SerializeToOstream(&out))
      return absl::UnavailableError(absl::StrCat(tmp, ": cannot write"));
  }
  fs::rename(tmp, path, ec);
  if (ec) {
    fs::remove(tmp, ec);
    return absl::UnavailableError(
        absl::StrCat(path, ": cannot rename: ", ec.message()));
  }
  return absl::OkStatus();
}

absl::StatusOr<v1::Calibration> CalibrateOrLoad(
    const v1::HardwareReport& report, const CalibrationOptions& options,
    const std::string& cache_dir, bool recalibrate) {
  const int threads = options.threads > 0 ? options.threads : AvailableCpus();
  const std::string path =
      cache_dir.empty() ? "" : CachePath(cache_dir, report.host_id());
  if (!recalibrate && !path.empty()) {
    absl::StatusOr<v1::Calibration> cached = LoadCalibration(path);
    if (cached.ok() && cached->key() == CalibrationKey(report, threads)) {
      cached->set_from_cache(true);
      cached->set_cache_path(path);
      return cached;
    }
  }
  absl::StatusOr<v1::Calibration> cal = Calibrate(report, options);
  if (!cal.ok()) return cal;
  if (!path.empty() && cal->other_load() > options.max_other_load_to_cache) {
    // Roofs measured on a busy machine would stand for this host until a
    // --recalibrate; leave the cache alone so the next start tries again.
    cal->add_warnings(
        "calibration not cached: the machine was busy; the next start "
        "calibrates again");
  } else if (!path.empty()) {
    absl::Status saved = SaveCalibration(path, *cal);
    if (saved.ok()) {
      cal->set_cache_path(path);
    } else {
      cal->add_warnings(
          absl::StrCat("calibration not cached: ", saved.message()));
    }
  }
  return cal;
}

void ApplyCalibration(const v1::Calibration& calibration,
                      v1::HardwareReport* report) {
  report->clear_measured_peaks();
  for (const v1::MeasuredPeak& p : calibration.peaks())
    *report->add_measured_peaks() = p;
  *report->mutable_calibration() = calibration;
  for (const std::string& w : calibration.warnings()) {
    if (std::find(report->warnings().begin(), report->warnings().end(), w) ==
        report->warnings().end())
      report->add_warnings(w);
  }
}

}  // namespace benchfleet::hw
