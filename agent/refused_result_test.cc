// What a real agent does when the coordinator refuses its result for good
// (INVALID_ARGUMENT: figures its samples do not support): it sets the result
// aside and goes on, and the job is leased again, then fails with the reason
// of each attempt. Neither loops nor loses the job.
#include <grpcpp/grpcpp.h>

#include <sys/stat.h>

#include <atomic>
#include <cstdlib>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "agent/agent_client.h"
#include "agent/simulated_executor.h"
#include "agent/spool.h"
#include "coordinator/coordinator.h"
#include "gtest/gtest.h"
#include "proto/fleet_service.grpc.pb.h"

namespace benchfleet::agent {
namespace {

constexpr absl::Duration kMustHappen = absl::Seconds(20);

// Runs simulated jobs but claims more timed iterations than it streamed.
class OverclaimingExecutor : public JobExecutor {
 public:
  v1::JobResult Execute(const v1::Lease& lease, const SampleCallback& on_sample,
                        const std::atomic<bool>& cancelled) override {
    ++runs;
    v1::JobResult result = inner_.Execute(lease, on_sample, cancelled);
    result.mutable_step()->set_n(result.step().n() + 7);
    return result;
  }
  std::atomic<int> runs{0};

 private:
  SimulatedExecutor inner_{SimulatedExecutorOptions()};
};

bool Exists(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0;
}

TEST(RefusedResultTest, IsSetAsideAndTheJobFailsAfterItsAttemptsWithTheReason) {
  const std::string dir = std::string(std::getenv("TEST_TMPDIR")) + "/refused";
  coordinator::CoordinatorOptions coordinator_options;
  coordinator_options.db_path = dir + ".db";
  coordinator_options.max_attempts = 2;
  auto coordinator = coordinator::Coordinator::Start(coordinator_options);
  ASSERT_TRUE(coordinator.ok()) << coordinator.status();
  const std::string address = "127.0.0.1:" + std::to_string((*coordinator)->port());
  auto fleet = v1::FleetService::NewStub(
      grpc::CreateChannel(address, grpc::InsecureChannelCredentials()));

  v1::SubmitSweepRequest submit;
  submit.mutable_spec()->set_name("s");
  submit.mutable_spec()->add_models("resnet18");
  submit.mutable_spec()->add_batch_sizes(1);
  (*submit.mutable_spec()->mutable_selector())["simulated"] = "true";
  v1::SubmitSweepResponse submitted;
  {
    grpc::ClientContext context;
    ASSERT_TRUE(fleet->SubmitSweep(&context, submit, &submitted).ok());
  }
  auto job_of_sweep = [&] {
    v1::GetSweepRequest request;
    request.set_sweep_id(submitted.sweep_id());
    v1::SweepStatus sweep;
    grpc::ClientContext context;
    EXPECT_TRUE(fleet->GetSweep(&context, request, &sweep).ok());
    return sweep.jobs(0);
  };

  absl::StatusOr<std::unique_ptr<Spool>> spool = Spool::Open(dir + "/spool");
  ASSERT_TRUE(spool.ok()) << spool.status();
  AgentClientOptions options;
  options.coordinator = address;
  options.agent_id = "a";
  options.labels["simulated"] = "true";
  options.initial_backoff = absl::Milliseconds(20);
  options.max_backoff = absl::Milliseconds(200);
  options.spool = spool->get();
  v1::HardwareReport hardware;
  hardware.set_host_id("host");
  hardware.set_simulated(true);
  OverclaimingExecutor executor;
  AgentClient client(options, hardware, &executor);
  std::thread running([&] { client.Run().IgnoreError(); });

  const absl::Time deadline = absl::Now() + kMustHappen;
  while (job_of_sweep().state() != v1::JOB_STATE_FAILED && absl::Now() < deadline)
    absl::SleepFor(absl::Milliseconds(20));
  const v1::JobInfo job = job_of_sweep();
  // The job fails as the coordinator ends the session; the agent sets the
  // result aside once it sees why.
  const std::string second = (*spool)->PathOf(job.job_id(), 2) + ".rejected";
  while (!Exists(second) && absl::Now() < deadline)
    absl::SleepFor(absl::Milliseconds(20));
  client.Stop();
  running.join();

  ASSERT_EQ(job.state(), v1::JOB_STATE_FAILED) << job.DebugString();
  EXPECT_EQ(executor.runs.load(), 2);  // once per attempt, never replayed
  for (int attempt : {1, 2}) {
    const std::string reason = absl::StrCat(
        "attempt ", attempt, ": agent \"a\" session ended: result.step.n = 107 "
        "but 100 step samples were stored for job ", job.job_id(), " attempt ",
        attempt);
    EXPECT_NE(job.error().find(reason), std::string::npos) << job.error();
  }
  // Set aside for an operator, not left to be replayed.
  EXPECT_TRUE((*spool)->Load(nullptr).value().empty());
  EXPECT_TRUE(Exists((*spool)->PathOf(job.job_id(), 1) + ".rejected"));
  EXPECT_TRUE(Exists((*spool)->PathOf(job.job_id(), 2) + ".rejected"));
  (*coordinator)->Shutdown();
}

}  // namespace
}  // namespace benchfleet::agent
