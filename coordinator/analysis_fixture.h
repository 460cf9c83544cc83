// A store seeded for the tests of the AnalysisService and of fleetctl's
// analysis commands: the fleet of analysis/fleet_fixture.h (agent-a on
// bench-01, a CPU and a T4) with per-iteration samples behind every result.
//
//   sweep 1     "demo", by hand: the fixture's 21 results (one failed)
//   sweeps 2-9  schedule "nightly": resnet50 and vgg19 at batch 1 on the
//               CPU; vgg19 25% slower from run 5 on (a change point),
//               resnet50 30% slower in run 8 only, which also ran LibTorch
//               2.1.0 instead of 1.13.1 (a regression on new software)
//   sweep 10    "demo" again, the same figures as sweep 1
// Every time is fixed, so answers are the same on every run.
#ifndef BENCHFLEET_COORDINATOR_ANALYSIS_FIXTURE_H_
#define BENCHFLEET_COORDINATOR_ANALYSIS_FIXTURE_H_

#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"

namespace benchfleet::coordinator {

// When sweep 1 was created; each later sweep one day after the one before.
inline const absl::Time kFixtureStart = absl::FromUnixMillis(1795000000000);

// Creates the database at `db_path` (it must not exist) and seeds it.
absl::Status SeedAnalysisStore(const std::string& db_path);

}  // namespace benchfleet::coordinator

#endif  // BENCHFLEET_COORDINATOR_ANALYSIS_FIXTURE_H_
