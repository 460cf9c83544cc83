// Seeds a coordinator database with a fleet's results (tests/analysis_seed.h)
// and prints what it stored as one JSON object:
//   {"sweep_ids":[1,2],"agent_ids":["node-0-agent"],"results":200,
//    "samples":10000,"compare_baseline_sweep":1,"compare_candidate_sweep":2}
//
//   seed_fleet --db=/tmp/fleet.db --hosts=3 --sweeps=4 --total_samples=8000
#include <iostream>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "coordinator/sqlite_store.h"
#include "tests/analysis_seed.h"

ABSL_FLAG(std::string, db, "", "database to create (must not exist)");
ABSL_FLAG(int, hosts, 5, "hosts, one agent each");
ABSL_FLAG(int, gpu_hosts, 2, "hosts whose jobs run on their GPU");
ABSL_FLAG(int, sweeps, 50, "runs of the schedule");
ABSL_FLAG(int, models, 10, "models per sweep (at most 10)");
ABSL_FLAG(std::string, batches, "1,16", "batch sizes per model");
ABSL_FLAG(bool, training, true, "each spec in training mode too");
ABSL_FLAG(int64_t, total_samples, 5'000'000, "samples of all jobs together");
ABSL_FLAG(int, compare_samples_per_job, 1000, "samples per job of the comparison pair");
ABSL_FLAG(uint64_t, seed, 12, "RNG seed");
ABSL_FLAG(std::string, schedule, "nightly", "the schedule every sweep belongs to");

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  namespace t = benchfleet::testing;
  t::FleetSeedOptions options;
  options.hosts = absl::GetFlag(FLAGS_hosts);
  options.gpu_hosts = absl::GetFlag(FLAGS_gpu_hosts);
  options.sweeps = absl::GetFlag(FLAGS_sweeps);
  options.models = absl::GetFlag(FLAGS_models);
  options.batches.clear();
  for (absl::string_view part : absl::StrSplit(absl::GetFlag(FLAGS_batches), ',')) {
    int batch = 0;
    if (!absl::SimpleAtoi(part, &batch) || batch < 1) {
      std::cerr << "seed_fleet: --batches: bad entry \"" << part << "\"\n";
      return 2;
    }
    options.batches.push_back(batch);
  }
  options.training = absl::GetFlag(FLAGS_training);
  options.total_samples = absl::GetFlag(FLAGS_total_samples);
  options.compare_samples_per_job = absl::GetFlag(FLAGS_compare_samples_per_job);
  options.seed = absl::GetFlag(FLAGS_seed);
  options.schedule = absl::GetFlag(FLAGS_schedule);
  const std::string db = absl::GetFlag(FLAGS_db);
  if (db.empty()) {
    std::cerr << "seed_fleet: --db is required\n";
    return 2;
  }
  auto store = benchfleet::coordinator::SqliteStore::Open(db);
  if (!store.ok()) {
    std::cerr << "seed_fleet: " << store.status() << "\n";
    return 1;
  }
  absl::StatusOr<t::SeededFleet> seeded = t::SeedFleet(**store, options);
  if (!seeded.ok()) {
    std::cerr << "seed_fleet: " << seeded.status() << "\n";
    return 1;
  }
  std::cout << "{\"sweep_ids\":[" << absl::StrJoin(seeded->sweep_ids, ",")
            << "],\"agent_ids\":[\"" << absl::StrJoin(seeded->agent_ids, "\",\"")
            << "\"],\"results\":" << seeded->results << ",\"samples\":" << seeded->samples
            << ",\"compare_baseline_sweep\":" << seeded->compare_baseline_sweep
            << ",\"compare_candidate_sweep\":" << seeded->compare_candidate_sweep << "}\n";
  return 0;
}
