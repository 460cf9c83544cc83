// Bandwidth per level of the memory hierarchy from a working-set sweep, in
// the style of the Empirical Roofline Toolkit (Lo et al., "Roofline Model
// Toolkit", PMBS 2014): every thread repeatedly updates its own buffer in
// place (x = x * a + b; one load and one store per element) for working
// sets from a few KiB to well past the last-level cache. The plateaus of
// bandwidth against working set are the L1, L2, L3 and DRAM roofs of a
// hierarchical roofline.
#ifndef BENCHFLEET_AGENT_HW_CACHE_SWEEP_H_
#define BENCHFLEET_AGENT_HW_CACHE_SWEEP_H_

#include <cstdint>
#include <vector>

#include "agent/hw/kernels.h"
#include "proto/hardware.pb.h"

namespace benchfleet::hw {

struct SweepOptions {
  int threads = 1;                      // threads, each with its own buffer
  int64_t min_bytes_per_thread = 4096;  // smallest working set per thread
  int64_t max_bytes_total = 64 << 20;   // largest working set, all threads
  int points_per_octave = 2;            // working sets grow by 2^(1/this)
  double min_seconds_per_point = 0.01;  // length of one timed run, seconds
  int repetitions = 3;                  // timed runs per point; best counts
  // Kernel set to use; null = the widest this CPU supports.
  const kernels::KernelSet* kernels = nullptr;
};

// Runs the sweep: one point per working set, bandwidth = threads x 16 bytes
// x elements x passes / seconds (bytes loaded plus bytes stored, as ERT
// counts them). Points ascend by working set. Empty if a buffer cannot be
// allocated.
std::vector<v1::SweepPoint> RunCacheSweep(const SweepOptions& options);

// What the probe knows about one cache level (trusted figures only).
struct CacheGeometry {
  int level = 0;              // 1, 2, 3
  int64_t size_bytes = 0;     // one instance
  int shared_by_threads = 0;  // logical CPUs per instance; 0 unknown
};

// Total capacity of a level the sweep's `threads` threads can use,
// assuming they spread over instances: size x min(threads / sharing,
// instances), at least one instance. `total_threads` is the machine's.
int64_t UsableCapacity(const CacheGeometry& cache, int threads,
                       int total_threads);

// Turns a sweep into per-level bandwidths. With cache sizes known, level k
// takes the best point whose working set is within [2 x capacity(k-1),
// capacity(k) / 2] (widened to the whole interval when that band is empty)
// and DRAM the best at or beyond 4 x the last level's capacity. With none
// known, the sweep is cut into plateaus where bandwidth drops by more than
// 30%, labelled L1, L2, ... and DRAM for the last one if it extends past
// 64 MiB. Pure function.
std::vector<v1::LevelBandwidth> DeriveLevels(
    const std::vector<v1::SweepPoint>& points,
    const std::vector<CacheGeometry>& caches, int threads, int total_threads);

}  // namespace benchfleet::hw

#endif  // BENCHFLEET_AGENT_HW_CACHE_SWEEP_H_
