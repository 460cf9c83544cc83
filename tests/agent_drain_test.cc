// Fault: an agent is stopped with SIGTERM. It finishes the running job when
// that fits in its drain period (--drain_timeout_s), else hands the job
// back; either way it says Goodbye, and the coordinator requeues a handed-
// back job at once without counting a lost attempt (the coordinator runs
// with --max_attempts=1, so a counted loss would fail the job).
#include <signal.h>

#include <iostream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "tests/fleet_harness.h"

namespace benchfleet::testing {
namespace {

class AgentDrainTest : public FleetTest {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(FleetTest::SetUp());
    CoordinatorFlags coordinator;
    coordinator.max_attempts = 1;
    ASSERT_NO_FATAL_FAILURE(StartCoordinator(coordinator));
  }
};

TEST_F(AgentDrainTest, SigtermLetsTheRunningJobFinish) {
  constexpr int kSamples = 40;  // 2 s per job
  AgentFlags flags;
  flags.samples = kSamples;
  flags.sample_ms = 50;
  flags.drain_timeout_s = 30;
  ASSERT_NO_FATAL_FAILURE(StartAgent("a", flags));
  ASSERT_TRUE(WaitForConnected("a", 1, absl::Seconds(30)))
      << ReadFile(agent_log("a"));
  const int64_t sweep = SubmitSimulatedSweep("drain", 2);
  std::optional<v1::JobInfo> job =
      WaitForLease(sweep, {"a"}, absl::Seconds(10));
  ASSERT_TRUE(job.has_value());
  ASSERT_TRUE(WaitFor([&] { return StoredSampleCount(job->job_id(), 1) >= 5; },
                      absl::Seconds(10)));

  const absl::Time term = absl::Now();
  agent("a").Signal(SIGTERM);
  absl::StatusOr<int> exit = agent("a").Wait(absl::Seconds(15));
  ASSERT_TRUE(exit.ok()) << exit.status() << "\n" << ReadFile(agent_log("a"));
  EXPECT_EQ(*exit, 0);
  std::cout << "SIGTERM to exit (job finished): "
            << absl::ToInt64Milliseconds(absl::Now() - term) << " ms\n";

  // The running job finished and was stored as attempt 1, by a.
  const v1::SweepStatus after = GetSweep(sweep);
  for (const v1::JobInfo& info : after.jobs()) {
    if (info.job_id() == job->job_id()) {
      EXPECT_EQ(info.state(), v1::JOB_STATE_DONE);
      EXPECT_EQ(info.attempt(), 1);
      EXPECT_EQ(info.agent_id(), "a");
    } else {
      // The next job was not run; if its lease crossed the Goodbye it was
      // handed back, not lost (max_attempts = 1 would have failed it).
      EXPECT_EQ(info.state(), v1::JOB_STATE_PENDING) << info.DebugString();
    }
  }
  EXPECT_TRUE(absl::StrContains(ReadFile(coordinator_log()),
                                "agent a said goodbye (drained)"))
      << ReadFile(coordinator_log());
  EXPECT_TRUE(SpoolFiles("a").empty());

  // Another agent finishes the sweep.
  ASSERT_NO_FATAL_FAILURE(StartAgent("b", flags));
  WaitForSweepDone(sweep, absl::Seconds(30));
  ExpectCompleteAndExact(sweep, kSamples);
}

TEST_F(AgentDrainTest, SigtermHandsBackAJobThatOutlastsTheDrainPeriod) {
  AgentFlags slow;
  slow.samples = 400;  // 20 s: far beyond the drain period
  slow.sample_ms = 50;
  slow.drain_timeout_s = 1;
  ASSERT_NO_FATAL_FAILURE(StartAgent("a", slow));
  ASSERT_TRUE(WaitForConnected("a", 1, absl::Seconds(30)))
      << ReadFile(agent_log("a"));
  const int64_t sweep = SubmitSimulatedSweep("hand-back", 1);
  std::optional<v1::JobInfo> job =
      WaitForLease(sweep, {"a"}, absl::Seconds(10));
  ASSERT_TRUE(job.has_value());
  // A second agent waits, idle, to take the job handed back.
  AgentFlags fast;
  fast.samples = 20;
  fast.sample_ms = 50;
  ASSERT_NO_FATAL_FAILURE(StartAgent("b", fast));
  ASSERT_TRUE(WaitForConnected("b", 1, absl::Seconds(30)))
      << ReadFile(agent_log("b"));
  ASSERT_TRUE(WaitFor([&] { return StoredSampleCount(job->job_id(), 1) >= 5; },
                      absl::Seconds(10)));

  const absl::Time term = absl::Now();
  agent("a").Signal(SIGTERM);
  absl::StatusOr<int> exit = agent("a").Wait(absl::Seconds(10));
  ASSERT_TRUE(exit.ok()) << exit.status() << "\n" << ReadFile(agent_log("a"));
  EXPECT_EQ(*exit, 0);
  std::optional<absl::Time> released;
  ASSERT_TRUE(WaitFor(
      [&] { return (released = LeasedAt(job->job_id(), 2)).has_value(); },
      absl::Seconds(10)))
      << ReadFile(coordinator_log());
  const absl::Duration to_release = *released - term;
  std::cout << "SIGTERM to re-lease (drain period 1 s): "
            << absl::ToInt64Milliseconds(to_release) << " ms\n";
  EXPECT_LT(to_release, absl::Seconds(4));
  EXPECT_TRUE(absl::StrContains(
      ReadFile(coordinator_log()),
      absl::StrCat("agent a said goodbye (stopped; handing back job ",
                   job->job_id())))
      << ReadFile(coordinator_log());
  // The abandoned attempt is not a result, so nothing was spooled for it.
  EXPECT_TRUE(SpoolFiles("a").empty());

  WaitForSweepDone(sweep, absl::Seconds(30));
  ExpectCompleteAndExact(sweep, fast.samples);
  const v1::SweepStatus done = GetSweep(sweep);
  EXPECT_EQ(done.jobs(0).attempt(), 2);
  EXPECT_EQ(done.jobs(0).agent_id(), "b");
}

}  // namespace
}  // namespace benchfleet::testing
