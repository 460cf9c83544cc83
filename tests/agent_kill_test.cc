// Fault: an agent is killed (SIGKILL) in the middle of a job. The
// coordinator sees the stream break (or, failing that, the lease expire),
// leases the job again as a new attempt to another agent, and the sweep
// completes with exactly one result per job whose samples are those of the
// winning attempt only.
//
// Prints "agent death to re-lease: <ms>" for the reliability report; run it
// many times with --runs_per_test=20.
#include <signal.h>

#include <iostream>

#include "absl/time/clock.h"
#include "tests/fleet_harness.h"

namespace benchfleet::testing {
namespace {

constexpr int kSamples = 30;   // per job
constexpr int kSampleMs = 50;  // a job lasts 1.5 s
constexpr int kLeaseTtlS = 3;

class AgentKillTest : public FleetTest {};

TEST_F(AgentKillTest, KilledAgentsJobRunsAgainElsewhereWithoutItsSamples) {
  CoordinatorFlags coordinator;
  coordinator.lease_ttl_s = kLeaseTtlS;
  ASSERT_NO_FATAL_FAILURE(StartCoordinator(coordinator));
  AgentFlags flags;
  flags.samples = kSamples;
  flags.sample_ms = kSampleMs;
  // Three agents, two jobs: one agent is idle when the victim dies.
  for (const char* id : {"a", "b", "c"})
    ASSERT_NO_FATAL_FAILURE(StartAgent(id, flags));
  for (const char* id : {"a", "b", "c"})
    ASSERT_TRUE(WaitForConnected(id, 1, absl::Seconds(30)))
        << ReadFile(agent_log(id));

  const int64_t sweep = SubmitSimulatedSweep("agent-kill", 2);
  std::optional<v1::JobInfo> victim =
      WaitForLease(sweep, {}, absl::Seconds(10));
  ASSERT_TRUE(victim.has_value());
  const int64_t job = victim->job_id();
  const std::string dead = victim->agent_id();
  ASSERT_EQ(victim->attempt(), 1);
  // Mid-job: some samples of the doomed attempt are stored.
  ASSERT_TRUE(WaitFor([&] { return StoredSampleCount(job, 1) >= 5; },
                      absl::Seconds(10)));

  const absl::Time killed = absl::Now();
  agent(dead).Signal(SIGKILL);
  ASSERT_TRUE(agent(dead).Wait(absl::Seconds(10)).ok());

  std::optional<absl::Time> released;
  ASSERT_TRUE(WaitFor([&] { return (released = LeasedAt(job, 2)).has_value(); },
                      absl::Seconds(kLeaseTtlS + 5)))
      << "job " << job << " was not leased again\n"
      << ReadFile(coordinator_log());
  // Lease times are stored in whole milliseconds.
  const absl::Duration to_release =
      std::max(absl::ZeroDuration(), *released - killed);
  std::cout << "agent death to re-lease: "
            << absl::ToInt64Milliseconds(to_release) << " ms\n";
  EXPECT_LT(to_release, absl::Seconds(kLeaseTtlS + 1));

  const v1::SweepStatus done = WaitForSweepDone(sweep, absl::Seconds(30));
  ExpectCompleteAndExact(sweep, kSamples);
  for (const v1::JobInfo& info : done.jobs()) {
    if (info.job_id() != job) continue;
    EXPECT_EQ(info.attempt(), 2);
    EXPECT_NE(info.agent_id(), dead);
  }
  // The dead attempt's samples were stored, and are not part of the result.
  EXPECT_GE(StoredSampleCount(job, 1), 5);
  for (const v1::Sample& s : Samples(job)) EXPECT_EQ(s.attempt(), 2);
}

}  // namespace
}  // namespace benchfleet::testing
