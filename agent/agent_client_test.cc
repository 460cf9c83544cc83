// AgentClient against an in-process coordinator on loopback: draining,
// handing back, and the spool carrying an unacknowledged result across a
// coordinator restart into a new client.
#include "agent/agent_client.h"

#include <grpcpp/grpcpp.h>

#include <cstdlib>
#include <thread>

#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "agent/simulated_executor.h"
#include "agent/spool.h"
#include "coordinator/coordinator.h"
#include "gtest/gtest.h"
#include "proto/fleet_service.grpc.pb.h"

namespace benchfleet::agent {
namespace {

constexpr absl::Duration kMustHappen = absl::Seconds(20);

bool WaitFor(const std::function<bool()>& done, absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  while (!done()) {
    if (absl::Now() > deadline) return false;
    absl::SleepFor(absl::Milliseconds(10));
  }
  return true;
}

// Runs a client on its own thread.
class RunningClient {
 public:
  RunningClient(AgentClientOptions options, JobExecutor* executor)
      : client_(std::move(options), Hardware(), executor), thread_([this] {
          status_ = client_.Run();
          done_.Notify();
        }) {}
  ~RunningClient() {
    client_.Stop();
    thread_.join();
  }
  AgentClient& client() { return client_; }
  bool EndedWithin(absl::Duration timeout) {
    return done_.WaitForNotificationWithTimeout(timeout);
  }
  const absl::Status& status() const { return status_; }

 private:
  static v1::HardwareReport Hardware() {
    v1::HardwareReport hardware;
    hardware.set_host_id("host");
    hardware.set_simulated(true);
    return hardware;
  }
  AgentClient client_;
  absl::Status status_;
  absl::Notification done_;
  std::thread thread_;  // last: starts once the members above exist
};

class AgentClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::string(std::getenv("TEST_TMPDIR")) + "/" +
           ::testing::UnitTest::GetInstance()->current_test_info()->name();
    options_.db_path = dir_ + ".db";
    options_.max_attempts =
        1;  // a hand-back counted as lost would fail the job
    absl::StatusOr<std::unique_ptr<Spool>> spool = Spool::Open(dir_ + "/spool");
    ASSERT_TRUE(spool.ok()) << spool.status();
    spool_ = std::move(*spool);
    StartCoordinator();
  }

  void StartCoordinator() {
    absl::StatusOr<std::unique_ptr<coordinator::Coordinator>> started =
        coordinator::Coordinator::Start(options_);
    ASSERT_TRUE(started.ok()) << started.status();
    coordinator_ = std::move(*started);
    // Restarts come back on the same port, as a real coordinator would.
    options_.listen = "127.0.0.1:" + std::to_string(coordinator_->port());
    fleet_ = v1::FleetService::NewStub(grpc::CreateChannel(
        options_.listen, grpc::InsecureChannelCredentials()));
  }

  AgentClientOptions ClientOptions() {
    AgentClientOptions options;
    options.coordinator = options_.listen;
    options.agent_id = "a";
    options.labels["simulated"] = "true";
    options.initial_backoff = absl::Milliseconds(20);
    options.max_backoff = absl::Milliseconds(200);
    options.flush_interval = absl::Milliseconds(20);
    options.spool = spool_.get();
    options.goodbye_linger = absl::Milliseconds(500);
    return options;
  }

  int64_t Submit(int jobs) {
    v1::SubmitSweepRequest request;
    request.mutable_spec()->set_name("s");
    request.mutable_spec()->add_models("resnet18");
    request.mutable_spec()->add_batch_sizes(1);
    request.mutable_spec()->set_repeat(jobs);
    (*request.mutable_spec()->mutable_selector())["simulated"] = "true";
    v1::SubmitSweepResponse response;
    grpc::ClientContext context;
    EXPECT_TRUE(fleet_->SubmitSweep(&context, request, &response).ok());
    return response.sweep_id();
  }

  v1::SweepStatus Sweep(int64_t id) {
    v1::GetSweepRequest request;
    request.set_sweep_id(id);
    v1::SweepStatus sweep;
    grpc::ClientContext context;
    EXPECT_TRUE(fleet_->GetSweep(&context, request, &sweep).ok());
    return sweep;
  }

  std::string dir_;
  coordinator::CoordinatorOptions options_;
  std::unique_ptr<Spool> spool_;
  std::unique_ptr<coordinator::Coordinator> coordinator_;
  std::unique_ptr<v1::FleetService::Stub> fleet_;
};

// A simulated executor that says when a job has started producing samples.
class StartedExecutor : public JobExecutor {
 public:
  explicit StartedExecutor(SimulatedExecutorOptions options)
      : inner_(options) {}
  v1::JobResult Execute(const v1::Lease& lease, const SampleCallback& on_sample,
                        const std::atomic<bool>& cancelled) override {
    return inner_.Execute(
        lease,
        [&](const v1::Sample& s) {
          on_sample(s);
          if (!started_.HasBeenNotified()) started_.Notify();
        },
        cancelled);
  }
  bool StartedWithin(absl::Duration timeout) {
    return started_.WaitForNotificationWithTimeout(timeout);
  }

 private:
  SimulatedExecutor inner_;
  absl::Notification started_;
};

SimulatedExecutorOptions Paced(int samples, absl::Duration each) {
  SimulatedExecutorOptions options;
  options.samples_per_job = samples;
  options.sample_duration = each;
  options.pace = true;
  return options;
}

TEST_F(AgentClientTest, DrainFinishesTheRunningJobThenSaysGoodbye) {
  StartedExecutor executor(Paced(30, absl::Milliseconds(10)));
  const int64_t sweep = Submit(2);
  RunningClient running(ClientOptions(), &executor);
  ASSERT_TRUE(executor.StartedWithin(kMustHappen));

  EXPECT_TRUE(running.client().Drain(kMustHappen));
  ASSERT_TRUE(running.EndedWithin(kMustHappen));
  EXPECT_TRUE(running.status().ok()) << running.status();
  const v1::SweepStatus after = Sweep(sweep);
  EXPECT_EQ(after.jobs(0).state(), v1::JOB_STATE_DONE);
  EXPECT_EQ(after.jobs(0).attempt(), 1);
  // Not started; a lease that crossed the Goodbye was handed back.
  EXPECT_EQ(after.jobs(1).state(), v1::JOB_STATE_PENDING);
  std::vector<v1::SpooledJob> spooled = spool_->Load(nullptr).value();
  EXPECT_TRUE(spooled.empty());
}

TEST_F(AgentClientTest, StopHandsTheRunningJobBackWithoutSpoolingIt) {
  StartedExecutor executor(Paced(100000, absl::Milliseconds(1)));
  const int64_t sweep = Submit(1);
  RunningClient running(ClientOptions(), &executor);
  ASSERT_TRUE(executor.StartedWithin(kMustHappen));

  running.client().Stop();
  ASSERT_TRUE(running.EndedWithin(kMustHappen));
  EXPECT_TRUE(running.status().ok()) << running.status();
  // Requeued at once, and not failed although max_attempts is 1.
  EXPECT_TRUE(WaitFor(
      [&] { return Sweep(sweep).jobs(0).state() == v1::JOB_STATE_PENDING; },
      kMustHappen));
  EXPECT_EQ(Sweep(sweep).jobs(0).attempt(), 1);
  EXPECT_TRUE(spool_->Load(nullptr).value().empty());
}

TEST_F(AgentClientTest,
       UnacknowledgedResultSurvivesInTheSpoolForTheNextClient) {
  // 4 s: longer than the 2 s in which a shutting-down coordinator still
  // serves open streams.
  StartedExecutor executor(Paced(50, absl::Milliseconds(80)));
  const int64_t sweep = Submit(1);
  {
    RunningClient running(ClientOptions(), &executor);
    ASSERT_TRUE(executor.StartedWithin(kMustHappen));
    // The coordinator goes away mid-job; the agent finishes and spools.
    coordinator_->Shutdown();
    coordinator_.reset();
    ASSERT_TRUE(
        WaitFor([&] { return spool_->Load(nullptr).value().size() == 1; },
                kMustHappen));
  }  // this client stops; the spool stays
  std::vector<v1::SpooledJob> spooled = spool_->Load(nullptr).value();
  ASSERT_EQ(spooled.size(), 1u);
  EXPECT_EQ(spooled[0].samples_size(), 50);
  EXPECT_EQ(spooled[0].result().status(), v1::JOB_STATUS_OK);

  StartCoordinator();
  RunningClient next(ClientOptions(), &executor);
  ASSERT_TRUE(WaitFor(
      [&] { return Sweep(sweep).jobs(0).state() == v1::JOB_STATE_DONE; },
      kMustHappen));
  EXPECT_EQ(Sweep(sweep).jobs(0).attempt(), 1)
      << "the spooled attempt is the result";
  EXPECT_TRUE(WaitFor([&] { return spool_->Load(nullptr).value().empty(); },
                      kMustHappen));
}

}  // namespace
}  // namespace benchfleet::agent
