#include "agent/hw/cache_sweep.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "agent/hw/parallel.h"

namespace benchfleet::hw {
namespace {

struct FreeDeleter {
  void operator()(double* p) const { std::free(p); }
};

// Bytes counted per element per pass: one 8-byte load and one store.
constexpr int64_t kBytesPerElement = 16;

std::string Mib(int64_t bytes) {
  if (bytes < (1 << 20)) return absl::StrFormat("%d KiB", bytes >> 10);
  return absl::StrFormat("%.4g MiB", bytes / 1048576.0);
}

v1::LevelBandwidth BestIn(const std::vector<v1::SweepPoint>& points,
                          int64_t low, int64_t high) {
  v1::LevelBandwidth level;
  for (const v1::SweepPoint& p : points) {
    if (p.working_set_bytes() < low || p.working_set_bytes() > high) continue;
    if (level.min_working_set_bytes() == 0)
      level.set_min_working_set_bytes(p.working_set_bytes());
    level.set_max_working_set_bytes(p.working_set_bytes());
    level.set_bytes_per_second(
        std::max(level.bytes_per_second(), p.bytes_per_second()));
  }
  return level;
}

std::vector<v1::LevelBandwidth> Plateaus(
    const std::vector<v1::SweepPoint>& points) {
  std::vector<std::vector<v1::SweepPoint>> groups;
  double reference = 0;
  for (const v1::SweepPoint& p : points) {
    if (groups.empty() || p.bytes_per_second() < 0.7 * reference) {
      groups.emplace_back();
      reference = p.bytes_per_second();
    }
    groups.back().push_back(p);
    reference = std::max(reference, p.bytes_per_second());
  }
  // A lone point between plateaus is a transition, not a level.
  std::vector<std::vector<v1::SweepPoint>> kept;
  for (size_t i = 0; i < groups.size(); ++i) {
    if (groups[i].size() >= 2 || i + 1 == groups.size())
      kept.push_back(groups[i]);
  }
  std::vector<v1::LevelBandwidth> levels;
  for (size_t i = 0; i < kept.size(); ++i) {
    v1::LevelBandwidth level =
        BestIn(kept[i], 0, kept[i].back().working_set_bytes());
    const bool dram = i + 1 == kept.size() && i > 0 &&
                      kept[i].back().working_set_bytes() >= (64 << 20);
    level.set_level(dram ? "DRAM" : absl::StrCat("L", i + 1));
    level.set_method(
        "plateau of the sweep (cache sizes unknown): bandwidth within 30% "
        "of the plateau's best");
    levels.push_back(level);
  }
  return levels;
}

}  // namespace

std::vector<v1::SweepPoint> RunCacheSweep(const SweepOptions& options) {
  const kernels::KernelSet* k =
      options.kernels != nullptr ? options.kernels : kernels::BestKernels();
  const int threads = std::max(1, options.threads);
  const int64_t max_per_thread = std::max<int64_t>(
      options.min_bytes_per_thread, options.max_bytes_total / threads);
  const int64_t max_elements = max_per_thread / 8;

  std::vector<std::unique_ptr<double[], FreeDeleter>> buffers(threads);
  for (auto& b : buffers) {
    const size_t bytes =
        (static_cast<size_t>(max_elements) * 8 + 4095) / 4096 * 4096;
    b.reset(static_cast<double*>(std::aligned_alloc(4096, bytes)));
    if (!b) return {};
  }
  // One team for the whole sweep; each member touches its own buffer first
  // (NUMA placement).
  ThreadTeam team(threads);
  team.Run([&](int i) {
    std::fill(buffers[i].get(), buffers[i].get() + max_elements, 1.0);
  });

  std::vector<v1::SweepPoint> points;
  const double step =
      std::pow(2.0, 1.0 / std::max(1, options.points_per_octave));
  int64_t last = 0;
  for (double bytes = options.min_bytes_per_thread;
       bytes <= max_per_thread * 1.0001; bytes *= step) {
    // Whole cache lines, and never the same size twice.
    const int64_t n =
        std::max<int64_t>(8, static_cast<int64_t>(bytes) / 64 * 8);
    if (n == last || n > max_elements) continue;
    last = n;
    auto run = [&](int64_t passes) {
      return team.Run([&](int i) { k->rmw(buffers[i].get(), n, passes); });
    };
    // Grow the pass count to a tenth of the target, then scale to it.
    int64_t passes = 1;
    double seconds = run(passes);
    const double probe = std::max(1e-4, options.min_seconds_per_point / 10);
    while (seconds < probe && passes < (int64_t{1} << 40)) {
      passes *= 4;
      seconds = run(passes);
    }
    passes = std::max<int64_t>(
        1, static_cast<int64_t>(passes * options.min_seconds_per_point /
                                std::max(seconds, 1e-9)));
    double best = 0;
    for (int r = 0; r < std::max(1, options.repetitions); ++r)
      best = std::max(best, threads * kBytesPerElement * n *
                                static_cast<double>(passes) / run(passes));
    v1::SweepPoint point;
    point.set_working_set_bytes(threads * n * 8);
    point.set_bytes_per_second(best);
    points.push_back(point);
  }
  return points;
}

int64_t UsableCapacity(const CacheGeometry& cache, int threads,
                       int total_threads) {
  const int sharing = std::max(1, cache.shared_by_threads);
  const int64_t instances =
      std::max<int64_t>(1, std::max(1, total_threads) / sharing);
  // Threads spread over instances first; each instance serves up to
  // `sharing` of them.
  const int64_t used = std::min<int64_t>(instances, std::max(1, threads));
  return cache.size_bytes * std::max<int64_t>(1, used);
}

std::vector<v1::LevelBandwidth> DeriveLevels(
    const std::vector<v1::SweepPoint>& points,
    const std::vector<CacheGeometry>& caches, int threads, int total_threads) {
  if (points.empty()) return {};
  if (caches.empty()) return Plateaus(points);
  std::vector<CacheGeometry> sorted = caches;
  std::sort(sorted.begin(), sorted.end(),
            [](const CacheGeometry& a, const CacheGeometry& b) {
              return a.level < b.level;
            });
  std::vector<v1::LevelBandwidth> levels;
  int64_t previous = 0;
  for (const CacheGeometry& cache : sorted) {
    const int64_t capacity = UsableCapacity(cache, threads, total_threads);
    v1::LevelBandwidth level = BestIn(points, 2 * previous, capacity / 2);
    std::string band =
        absl::StrFormat("[%s, %s]", Mib(2 * previous), Mib(capacity / 2));
    if (level.bytes_per_second() == 0) {
      level = BestIn(points, previous + 1, capacity);
      band = absl::StrFormat("(%s, %s]", Mib(previous), Mib(capacity));
    }
    if (level.bytes_per_second() > 0) {
      level.set_level(absl::StrCat("L", cache.level));
      level.set_method(absl::StrFormat(
          "best sweep point with working set in %s: %d thread(s) on %s of "
          "L%d",
          band, threads, Mib(capacity), cache.level));
      levels.push_back(level);
    }
    previous = capacity;
  }
  v1::LevelBandwidth dram =
      BestIn(points, 4 * previous, std::numeric_limits<int64_t>::max());
  if (dram.bytes_per_second() > 0) {
    dram.set_level("DRAM");
    dram.set_method(absl::StrFormat(
        "best sweep point with working set >= %s (4x the last cache level)",
        Mib(4 * previous)));
    levels.push_back(dram);
  }
  return levels;
}

}  // namespace benchfleet::hw
