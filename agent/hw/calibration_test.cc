#include "agent/hw/calibration.h"

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <set>

#include "agent/hw/software_probe.h"
#include "agent/hw/system_probe.h"
#include "agent/hw/theoretical_peak.h"
#include "gtest/gtest.h"

namespace benchfleet::hw {
namespace {

namespace fs = std::filesystem;

std::string TestData(const std::string& tree) {
  return std::string(std::getenv("TEST_SRCDIR")) +
         "/benchfleet/agent/hw/testdata/" + tree;
}

v1::HardwareReport LiveReport() {
  v1::HardwareReport r = ProbeSystem("/");
  ProbeSoftware(&r);
  return r;
}

const v1::MeasuredPeak* Find(const v1::Calibration& c,
                             const std::string& name) {
  for (const auto& p : c.peaks())
    if (p.name() == name) return &p;
  return nullptr;
}

bool HasWarning(const v1::Calibration& c, const std::string& text) {
  for (const auto& w : c.warnings())
    if (w.find(text) != std::string::npos) return true;
  return false;
}

// The most one thread of `cpu` can compute, FP32 FLOP/s: the theoretical
// FLOP/cycle of a core (agent/hw/theoretical_peak.h: from the probed
// microarchitecture, else the widest ISA) x the fastest clock the probe
// knows, with a margin for turbo. max_mhz (sysfs cpuinfo_max_freq) already
// includes turbo: 10% for rounding. A base or /proc/cpuinfo clock may be
// exceeded by turbo up to about 2x (Core i9-13900K: 3.0 GHz base, 5.8 GHz
// boost): 2x. No clock at all: 6.5 GHz, above any shipping core.
double MaxFlopsPerThread(const v1::CpuInfo& cpu) {
  const double flops_per_cycle = CpuFlopsPerCycle(cpu).fp32;
  double hz = 6.5e9;
  if (cpu.max_mhz() > 0) {
    hz = cpu.max_mhz() * 1e6 * 1.1;
  } else if (cpu.base_mhz() > 0) {
    hz = cpu.base_mhz() * 1e6 * 2.0;
  }
  return flops_per_cycle * hz;
}

// Sanity, not speed: positive, finite, and no FLOP figure above what
// `machine` (the CPU the kernels really ran on) can do with the threads the
// figure used. The FMA kernel, the best of many repetitions, also reaches at
// least a fiftieth of a core's theoretical peak at its nominal clock, even on
// a machine with many runnable threads per core.
void ExpectSane(const v1::Calibration& c, const v1::HardwareReport& machine) {
  const double per_thread = MaxFlopsPerThread(machine.cpu());
  ASSERT_GT(per_thread, 0) << machine.cpu().ShortDebugString();
  const double nominal_hz =
      (machine.cpu().base_mhz() > 0 ? machine.cpu().base_mhz()
                                    : machine.cpu().max_mhz()) * 1e6;
  for (const char* name :
       {"fp32_fma_1thread", "fp32_fma", "sgemm", "stream_copy", "stream_scale",
        "stream_add", "stream_triad"}) {
    const v1::MeasuredPeak* p = Find(c, name);
    ASSERT_NE(p, nullptr) << name;
    EXPECT_GT(p->value(), 1e6) << name;
    EXPECT_TRUE(std::isfinite(p->value())) << name;
    EXPECT_FALSE(p->method().empty()) << name;
    EXPECT_GE(p->threads(), 1) << name;
    const bool bytes = std::string(name).rfind("stream", 0) == 0;
    EXPECT_EQ(p->unit(), bytes ? "B/s" : "FLOP/s");
    if (bytes) {
      // No theoretical memory bandwidth without the DIMMs: only sanity.
      EXPECT_LT(p->value(), 1e13) << name;
    } else {
      EXPECT_LE(p->value(), per_thread * p->threads())
          << name << " on " << p->threads() << " threads; theoretical "
          << per_thread << " FLOP/s a thread";
    }
  }
  if (nominal_hz > 0) {
    const double core = CpuFlopsPerCycle(machine.cpu()).fp32 * nominal_hz;
    EXPECT_GE(Find(c, "fp32_fma_1thread")->value(), core / 50)
        << "theoretical " << core << " FLOP/s a core at the nominal clock";
  }
  std::cout << "FMA 1 thread " << Find(c, "fp32_fma_1thread")->value()
            << " FLOP/s, bound " << per_thread << " a thread ("
            << CpuFlopsPerCycle(machine.cpu()).basis << ", base "
            << machine.cpu().base_mhz() << " MHz, max "
            << machine.cpu().max_mhz() << " MHz)\n";
  ASSERT_GT(c.sweep_size(), 3);
  ASSERT_GT(c.levels_size(), 0);
  for (const auto& l : c.levels()) {
    EXPECT_GT(l.bytes_per_second(), 1e6) << l.level();
    EXPECT_LE(l.min_working_set_bytes(), l.max_working_set_bytes());
  }
  EXPECT_GT(c.duration_seconds(), 0);
  EXPECT_GT(c.finished_unix_seconds(), 1600000000);
  EXPECT_GE(c.other_load(), 0);
  EXPECT_LE(c.other_load(), 1);
}

TEST(CalibrationTest, QuickCalibrationGivesSaneFigures) {
  const v1::HardwareReport report = LiveReport();
  CalibrationOptions o = CalibrationOptions::Quick();
  o.threads = 2;
  absl::StatusOr<v1::Calibration> c = Calibrate(report, o);
  ASSERT_TRUE(c.ok()) << c.status();
  ExpectSane(*c, report);
  EXPECT_EQ(c->threads(), 2);
  EXPECT_EQ(c->host_id(), report.host_id());
  EXPECT_EQ(c->key(), CalibrationKey(report, 2));
  EXPECT_EQ(Find(*c, "fp32_fma")->threads(), 2);
  EXPECT_EQ(Find(*c, "fp32_fma_1thread")->threads(), 1);
  // Each level's roof is also a measured peak, lower-cased.
  for (const auto& l : c->levels()) {
    std::string name = l.level();
    for (char& ch : name) ch = static_cast<char>(std::tolower(ch));
    EXPECT_NE(Find(*c, name), nullptr) << name;
  }
}

TEST(CalibrationTest, UnknownCachesFallBackToPlateaus) {
  // The VM tree has no cache information at all.
  v1::HardwareReport report = ProbeSystem(TestData("vm"));
  ProbeSoftware(&report);
  CalibrationOptions o = CalibrationOptions::Quick();
  o.threads = 1;
  absl::StatusOr<v1::Calibration> c = Calibrate(report, o);
  ASSERT_TRUE(c.ok()) << c.status();
  // The kernels ran on this machine, not the VM tree's CPU.
  ExpectSane(*c, LiveReport());
  EXPECT_NE(c->levels(0).method().find("cache sizes unknown"),
            std::string::npos);
  EXPECT_EQ(Find(*c, "fp32_fma")->value(),
            Find(*c, "fp32_fma_1thread")->value());
}

TEST(CalibrationTest, WarnsAboutUntrustworthyConditions) {
  v1::HardwareReport report = LiveReport();
  report.mutable_software()->set_blas_vendor("reference");
  report.mutable_software()->set_blas_library("/usr/lib/blas/libblas.so.3");
  report.mutable_cpu()->set_governor("powersave");
  report.mutable_cpu()->set_frequency_scaling(true);
  CalibrationOptions o = CalibrationOptions::Quick();
  o.threads = 1;
  absl::StatusOr<v1::Calibration> c = Calibrate(report, o);
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_TRUE(HasWarning(*c, "reference BLAS"));
  EXPECT_TRUE(
      HasWarning(*c, "frequency scaling is on (governor \"powersave\")"));
}

TEST(CalibrationTest, CachesPerHostAndRecalibratesOnRequest) {
  const std::string dir =
      std::string(std::getenv("TEST_TMPDIR")) + "/cache/benchfleet";
  fs::remove_all(dir);
  const v1::HardwareReport report = LiveReport();
  CalibrationOptions o = CalibrationOptions::Quick();
  o.threads = 1;
  o.max_other_load_to_cache = 1;  // cache whatever the load (deterministic)

  absl::StatusOr<v1::Calibration> first =
      CalibrateOrLoad(report, o, dir, false);
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_FALSE(first->from_cache());
  EXPECT_EQ(first->cache_path(), CachePath(dir, report.host_id()));
  EXPECT_TRUE(fs::exists(first->cache_path()));

  absl::StatusOr<v1::Calibration> second =
      CalibrateOrLoad(report, o, dir, false);
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_TRUE(second->from_cache());
  EXPECT_EQ(second->finished_unix_seconds(), first->finished_unix_seconds());
  EXPECT_EQ(second->peaks(0).value(), first->peaks(0).value());

  absl::StatusOr<v1::Calibration> forced =
      CalibrateOrLoad(report, o, dir, true);
  ASSERT_TRUE(forced.ok());
  EXPECT_FALSE(forced->from_cache());

  // Another thread count is another key: the cache is stale.
  o.threads = 2;
  absl::StatusOr<v1::Calibration> other =
      CalibrateOrLoad(report, o, dir, false);
  ASSERT_TRUE(other.ok());
  EXPECT_FALSE(other->from_cache());
  EXPECT_EQ(other->threads(), 2);

  // No directory, no cache.
  absl::StatusOr<v1::Calibration> uncached =
      CalibrateOrLoad(report, o, "", false);
  ASSERT_TRUE(uncached.ok());
  EXPECT_TRUE(uncached->cache_path().empty());
}

TEST(CalibrationTest, BusyMachineIsNotCached) {
  const std::string dir =
      std::string(std::getenv("TEST_TMPDIR")) + "/busy/benchfleet";
  const v1::HardwareReport report = LiveReport();
  CalibrationOptions o = CalibrationOptions::Quick();
  o.threads = 1;
  o.max_other_load_to_cache = -1;  // any load counts as busy
  absl::StatusOr<v1::Calibration> c = CalibrateOrLoad(report, o, dir, false);
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_TRUE(c->cache_path().empty());
  EXPECT_FALSE(fs::exists(CachePath(dir, report.host_id())));
  EXPECT_TRUE(HasWarning(*c, "calibration not cached: the machine was busy"));
}

TEST(CalibrationTest, LoadErrors) {
  const std::string dir = std::string(std::getenv("TEST_TMPDIR"));
  EXPECT_EQ(LoadCalibration(dir + "/absent.binpb").status().code(),
            absl::StatusCode::kNotFound);
  std::ofstream(dir + "/junk.binpb") << "\xff\xff\xff not a protobuf";
  EXPECT_EQ(LoadCalibration(dir + "/junk.binpb").status().code(),
            absl::StatusCode::kDataLoss);
}

TEST(CalibrationTest, CacheDirFollowsXdgThenHome) {
  setenv("XDG_CACHE_HOME", "/tmp/xdg", 1);
  EXPECT_EQ(DefaultCacheDir(), "/tmp/xdg/benchfleet");
  unsetenv("XDG_CACHE_HOME");
  setenv("HOME", "/home/someone", 1);
  EXPECT_EQ(DefaultCacheDir(), "/home/someone/.cache/benchfleet");
  EXPECT_EQ(CachePath("/d", "abc"), "/d/calibration-abc.binpb");
}

TEST(CalibrationTest, ApplyPutsPeaksAndWarningsIntoTheReport) {
  v1::Calibration c;
  v1::MeasuredPeak* p = c.add_peaks();
  p->set_name("fp32_fma");
  p->set_value(1e11);
  c.add_warnings("w1");
  c.add_warnings("w2");
  v1::HardwareReport report;
  report.add_warnings("w1");
  report.add_measured_peaks()->set_name("stale");
  ApplyCalibration(c, &report);
  ASSERT_EQ(report.measured_peaks_size(), 1);
  EXPECT_EQ(report.measured_peaks(0).name(), "fp32_fma");
  EXPECT_EQ(report.calibration().peaks_size(), 1);
  EXPECT_EQ(std::vector<std::string>(report.warnings().begin(),
                                     report.warnings().end()),
            (std::vector<std::string>{"w1", "w2"}));
}

}  // namespace
}  // namespace benchfleet::hw
