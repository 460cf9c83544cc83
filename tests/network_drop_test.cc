// Fault: the network between an agent and the coordinator drops for longer
// than the lease TTL. A TCP proxy (tests/tcp_proxy.h) stands in for the
// network. The agent keeps its finished job in the spool and replays it
// when the network is back (also after the agent itself restarted); the
// coordinator meanwhile leases the job again, or the replay comes first:
// either way one result per job and no duplicate samples. A connection that
// goes silent without breaking is ended by the coordinator's lease watchdog.
#include <signal.h>

#include <algorithm>
#include <iostream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "tests/fleet_harness.h"
#include "tests/tcp_proxy.h"

namespace benchfleet::testing {
namespace {

constexpr int kLeaseTtlS = 2;
constexpr int kSamples = 40;   // per job
constexpr int kSampleMs = 50;  // a job lasts 2 s

class NetworkDropTest : public FleetTest {
 protected:
  void StartWithProxy() {
    CoordinatorFlags coordinator;
    coordinator.lease_ttl_s = kLeaseTtlS;
    coordinator.heartbeat_s = 1;
    ASSERT_NO_FATAL_FAILURE(StartCoordinator(coordinator));
    absl::StatusOr<std::unique_ptr<TcpProxy>> proxy =
        TcpProxy::Start(coordinator_port());
    ASSERT_TRUE(proxy.ok()) << proxy.status();
    proxy_ = std::move(*proxy);
  }

  AgentFlags ViaProxy() const {
    AgentFlags flags;
    flags.coordinator = absl::StrCat("127.0.0.1:", proxy_->port());
    flags.samples = kSamples;
    flags.sample_ms = kSampleMs;
    return flags;
  }

  // Waits for a job leased to `agent_id` with some samples stored.
  int64_t JobRunningOn(int64_t sweep, const std::string& agent_id) {
    std::optional<v1::JobInfo> job =
        WaitForLease(sweep, {agent_id}, absl::Seconds(20));
    EXPECT_TRUE(job.has_value()) << ReadFile(agent_log(agent_id));
    if (!job) return 0;
    EXPECT_TRUE(WaitFor(
        [&] { return StoredSampleCount(job->job_id(), job->attempt()) >= 5; },
        absl::Seconds(10)));
    return job->job_id();
  }

  // The agent that holds (or held) the lease of (job, attempt).
  std::string LeaseHolder(int64_t job, int attempt) {
    return QueryDb(absl::StrCat("SELECT agent_id FROM leases WHERE job_id = ",
                                job, " AND attempt = ", attempt));
  }

  std::string SpoolName(int64_t job, int attempt) const {
    return absl::StrCat("job-", job, "-", attempt, ".spool");
  }

  std::unique_ptr<TcpProxy> proxy_;
};

TEST_F(NetworkDropTest, AgentSpoolsThroughAnOutageLongerThanTheLease) {
  ASSERT_NO_FATAL_FAILURE(StartWithProxy());
  ASSERT_NO_FATAL_FAILURE(StartAgent("a", ViaProxy()));
  AgentFlags direct = ViaProxy();
  direct.coordinator.clear();
  ASSERT_NO_FATAL_FAILURE(StartAgent("b", direct));
  for (const char* id : {"a", "b"})
    ASSERT_TRUE(WaitForConnected(id, 1, absl::Seconds(30)))
        << ReadFile(agent_log(id));

  const int64_t sweep = SubmitSimulatedSweep("network-drop", 2);
  const int64_t job = JobRunningOn(sweep, "a");
  ASSERT_GT(job, 0);

  const absl::Time cut = absl::Now();
  proxy_->Cut(TcpProxy::Mode::kRefuse);
  // The agent finishes the job offline and spools it before sending.
  ASSERT_TRUE(WaitFor(
      [&] {
        std::vector<std::string> files = SpoolFiles("a");
        return std::find(files.begin(), files.end(), SpoolName(job, 1)) !=
               files.end();
      },
      absl::Seconds(10)))
      << ReadFile(agent_log("a"));
  // Longer than the lease: the coordinator gives up on attempt 1 and leases
  // the job again, while a is still cut off, to b, the only agent it can
  // reach, once b has finished its own job (each lasts 2 s).
  ASSERT_TRUE(WaitFor([&] { return LeasedAt(job, 2).has_value(); },
                      absl::Seconds(2 * kLeaseTtlS + 10)))
      << ReadFile(coordinator_log());
  EXPECT_GT(*LeasedAt(job, 2), cut);
  EXPECT_EQ(LeaseHolder(job, 2), "b");
  absl::SleepFor(cut + absl::Seconds(2 * kLeaseTtlS) - absl::Now());
  proxy_->Restore();

  WaitForSweepDone(sweep, absl::Seconds(30));
  ASSERT_TRUE(
      WaitFor([&] { return SpoolFiles("a").empty(); }, absl::Seconds(15)))
      << ReadFile(agent_log("a"));
  EXPECT_TRUE(
      absl::StrContains(ReadFile(agent_log("a")),
                        absl::StrCat("replaying job ", job, " attempt 1")));
  ExpectCompleteAndExact(sweep, kSamples);
  // The replay resent every sample of attempt 1, some stored before the cut:
  // each is stored once.
  EXPECT_EQ(StoredSampleCount(job, 1), kSamples);
  // Either attempt may win (the replay of 1 or b's run of 2), on the agent
  // that held its lease.
  const v1::SweepStatus done = GetSweep(sweep);
  int seen = 0;
  for (const v1::JobInfo& info : done.jobs()) {
    if (info.job_id() != job) continue;
    ++seen;
    ASSERT_TRUE(info.attempt() == 1 || info.attempt() == 2) << info.attempt();
    EXPECT_EQ(info.agent_id(), info.attempt() == 1 ? "a" : "b");
    std::cout << "the job cut off was won by attempt " << info.attempt()
              << " on " << info.agent_id() << "\n";
  }
  EXPECT_EQ(seen, 1);
}

TEST_F(NetworkDropTest, SpoolSurvivesAnAgentRestartDuringTheOutage) {
  ASSERT_NO_FATAL_FAILURE(StartWithProxy());
  ASSERT_NO_FATAL_FAILURE(StartAgent("a", ViaProxy()));
  ASSERT_TRUE(WaitForConnected("a", 1, absl::Seconds(30)))
      << ReadFile(agent_log("a"));
  const int64_t sweep = SubmitSimulatedSweep("spool-restart", 2);
  const int64_t job = JobRunningOn(sweep, "a");
  ASSERT_GT(job, 0);

  proxy_->Cut(TcpProxy::Mode::kRefuse);
  ASSERT_TRUE(WaitFor(
      [&] {
        std::vector<std::string> files = SpoolFiles("a");
        return std::find(files.begin(), files.end(), SpoolName(job, 1)) !=
               files.end();
      },
      absl::Seconds(10)))
      << ReadFile(agent_log("a"));
  agent("a").Signal(SIGKILL);
  ASSERT_TRUE(agent("a").Wait(absl::Seconds(10)).ok());
  ASSERT_EQ(SpoolFiles("a"), std::vector<std::string>{SpoolName(job, 1)});

  // A new agent process, same id and spool, still cut off.
  ASSERT_NO_FATAL_FAILURE(StartAgent("a", ViaProxy()));
  ASSERT_TRUE(WaitFor(
      [&] {
        return absl::StrContains(ReadFile(agent_log("a")),
                                 absl::StrCat("spooled result of job ", job,
                                              " attempt 1 is unacknowledged"));
      },
      absl::Seconds(30)));
  absl::SleepFor(absl::Seconds(1));
  proxy_->Restore();

  WaitForSweepDone(sweep, absl::Seconds(30));
  ExpectCompleteAndExact(sweep, kSamples);
  // Nobody else could run it: the stored result is the spooled attempt.
  for (const v1::JobResult& r : Results(sweep)) {
    if (r.job_id() == job) {
      EXPECT_EQ(r.attempt(), 1);
    }
  }
  EXPECT_TRUE(
      WaitFor([&] { return SpoolFiles("a").empty(); }, absl::Seconds(10)));
}

// A connection that goes silent without breaking (a stalled network): the
// coordinator's watchdog ends the session within the lease TTL and leases
// the job again; when the network comes back the agent reconnects and
// replays.
TEST_F(NetworkDropTest, SilentAgentIsDetectedWithinTheLeaseTtl) {
  ASSERT_NO_FATAL_FAILURE(StartWithProxy());
  ASSERT_NO_FATAL_FAILURE(StartAgent("a", ViaProxy()));
  ASSERT_TRUE(WaitForConnected("a", 1, absl::Seconds(30)))
      << ReadFile(agent_log("a"));
  const int64_t sweep = SubmitSimulatedSweep("stall", 1);
  const int64_t job = JobRunningOn(sweep, "a");
  ASSERT_GT(job, 0);

  const absl::Time stalled = absl::Now();
  proxy_->Stall();
  bool connected = true;
  ASSERT_TRUE(WaitFor(
      [&] {
        for (const v1::AgentInfo& info : Agents())
          if (info.agent_id() == "a") connected = info.connected();
        return !connected;
      },
      absl::Seconds(kLeaseTtlS + 5)))
      << ReadFile(coordinator_log());
  const absl::Duration detected = absl::Now() - stalled;
  std::cout << "stall to session ended: " << absl::ToInt64Milliseconds(detected)
            << " ms (lease TTL " << kLeaseTtlS << " s)\n";
  // Silence is measured from the last heartbeat (1 s before the stall at
  // most); the watchdog looks every TTL/4.
  EXPECT_LT(detected, absl::Seconds(kLeaseTtlS) + absl::Milliseconds(1500));
  EXPECT_TRUE(
      absl::StrContains(ReadFile(coordinator_log()), "agent a silent for"));
  EXPECT_EQ(GetSweep(sweep).jobs(0).state(), v1::JOB_STATE_PENDING);

  proxy_->Restore();
  WaitForSweepDone(sweep, absl::Seconds(30));
  ExpectCompleteAndExact(sweep, kSamples);
  EXPECT_TRUE(
      WaitFor([&] { return SpoolFiles("a").empty(); }, absl::Seconds(10)));
}

}  // namespace
}  // namespace benchfleet::testing
