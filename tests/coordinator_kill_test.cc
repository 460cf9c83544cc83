// Fault: the coordinator is killed (SIGKILL) in the middle of a sweep while
// agents stream samples. Restarted on the same port and database, it still
// has every result it acknowledged; the agents reconnect by themselves
// (exponential backoff with full jitter), replay what was not acknowledged,
// and the sweep completes with no manual action.
//
// Prints the acknowledged/present counts and the time the agents took to
// come back, for the reliability report (--runs_per_test=20).
#include <signal.h>

#include <iostream>

#include "absl/time/clock.h"
#include "tests/fleet_harness.h"

namespace benchfleet::testing {
namespace {

constexpr int kJobs = 9;
constexpr int kSamples = 20;   // per job
constexpr int kSampleMs = 50;  // a job lasts 1 s

class CoordinatorKillTest : public FleetTest {};

TEST_F(CoordinatorKillTest, AcknowledgedResultsSurviveAndSweepCompletes) {
  CoordinatorFlags coordinator;
  coordinator.port = FreePort();
  ASSERT_GT(coordinator.port, 0);
  coordinator.lease_ttl_s = 5;
  ASSERT_NO_FATAL_FAILURE(StartCoordinator(coordinator));
  AgentFlags flags;
  flags.samples = kSamples;
  flags.sample_ms = kSampleMs;
  const std::vector<std::string> ids = {"a", "b", "c"};
  for (const std::string& id : ids)
    ASSERT_NO_FATAL_FAILURE(StartAgent(id, flags));
  for (const std::string& id : ids)
    ASSERT_TRUE(WaitForConnected(id, 1, absl::Seconds(30)))
        << ReadFile(agent_log(id));

  const int64_t sweep = SubmitSimulatedSweep("coordinator-kill", kJobs);
  auto acknowledged = [&] {
    std::set<Attempt> all;
    for (const std::string& id : ids) {
      std::set<Attempt> acked = AcknowledgedResults(id);
      all.insert(acked.begin(), acked.end());
    }
    return all;
  };
  // Mid-sweep: some results acknowledged, some jobs running.
  ASSERT_TRUE(
      WaitFor([&] { return acknowledged().size() >= 2; }, absl::Seconds(30)));
  ASSERT_TRUE(WaitForLease(sweep, {}, absl::Seconds(10)).has_value());

  KillCoordinator();
  // Nothing more can be acknowledged now: this is the set that must survive.
  const std::set<Attempt> acked_before = acknowledged();
  absl::SleepFor(absl::Seconds(1));  // the agents see the break and back off

  ASSERT_NO_FATAL_FAILURE(StartCoordinator(coordinator));
  const absl::Time restarted = absl::Now();
  std::map<int64_t, int32_t> stored;
  for (const v1::JobResult& r : Results(sweep))
    stored[r.job_id()] = r.attempt();
  int present = 0;
  for (const Attempt& acked : acked_before) {
    auto it = stored.find(acked.first);
    if (it != stored.end() && it->second == acked.second) {
      ++present;
    } else {
      ADD_FAILURE() << "job " << acked.first << " attempt " << acked.second
                    << " was acknowledged before the crash but is not stored";
    }
  }
  std::cout << "acknowledged before the kill: " << acked_before.size()
            << ", present after restart: " << present << "\n";

  // Every agent comes back by itself.
  for (const std::string& id : ids)
    EXPECT_TRUE(WaitForConnected(id, 2, absl::Seconds(20)))
        << ReadFile(agent_log(id));
  std::cout << "coordinator restart to all agents reconnected: "
            << absl::ToInt64Milliseconds(absl::Now() - restarted) << " ms\n";

  WaitForSweepDone(sweep, absl::Seconds(40));
  ExpectCompleteAndExact(sweep, kSamples);
  for (const std::string& id : ids)
    EXPECT_TRUE(
        WaitFor([&] { return SpoolFiles(id).empty(); }, absl::Seconds(10)))
        << "agent " << id << " still spools a result";
}

}  // namespace
}  // namespace benchfleet::testing
