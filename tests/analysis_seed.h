// A fleet's worth of stored results for the analysis tests and benchmarks,
// written straight into a coordinator::Store: hosts with hardware reports
// (measured and datasheet peaks), finished sweeps of one schedule, and for
// every job its leased attempt, per-iteration samples and a result whose
// statistics are computed from those samples.
//
// Deterministic: the same options give the same database (a seeded RNG, a
// fixed clock). Every sweep runs every spec (model x batch x mode) on every
// host, so any two sweeps match job for job in a comparison and every
// benchmark has one point per run in the history. resnet50 and
// efficientnet_b0 slow down by 20% from the middle run on, so a comparison
// across it finds regressions and the history a change point.
#ifndef BENCHFLEET_TESTS_ANALYSIS_SEED_H_
#define BENCHFLEET_TESTS_ANALYSIS_SEED_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "coordinator/store.h"

namespace benchfleet::testing {

struct FleetSeedOptions {
  int hosts = 5;             // the first gpu_hosts run their jobs on a GPU
  int gpu_hosts = 2;
  int sweeps = 50;           // runs of the schedule, one day apart
  int models = 10;           // from a fixed list of zoo models (at most 10)
  std::vector<int> batches = {1, 16};
  bool training = true;      // each spec in inference and in training mode
  // Samples of all jobs together, spread evenly over the jobs that are not
  // in the comparison pair...
  int64_t total_samples = 5'000'000;
  // ...which gets exactly this many per job: the last run before the
  // slowdown and the last run (0: no pair; the total is spread over every
  // job).
  int compare_samples_per_job = 1000;
  uint64_t seed = 12;
  std::string schedule = "nightly";
  // The first sweep's creation time; sweep s is created s days later.
  absl::Time start = absl::FromUnixSeconds(1764547200);  // 2025-12-01 UTC
};

struct SeededFleet {
  std::vector<int64_t> sweep_ids;  // in creation order
  std::vector<std::string> agent_ids;
  int64_t results = 0;
  int64_t samples = 0;
  // The comparison pair: the run before the slowdown and the last (0 when
  // none).
  int64_t compare_baseline_sweep = 0;
  int64_t compare_candidate_sweep = 0;
};

// Seeds an empty store. INVALID_ARGUMENT for options out of range.
absl::StatusOr<SeededFleet> SeedFleet(coordinator::Store& store,
                                      const FleetSeedOptions& options);

}  // namespace benchfleet::testing

#endif  // BENCHFLEET_TESTS_ANALYSIS_SEED_H_
