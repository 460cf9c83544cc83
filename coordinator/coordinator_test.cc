// The coordinator in-process on loopback, driven through real stubs: agents
// are raw Connect streams, so the test controls exactly what crosses the
// wire.
#include "coordinator/coordinator.h"

#include <grpcpp/grpcpp.h>

#include <cstdlib>
#include <map>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "analysis/summary_stats.h"

#include "gtest/gtest.h"
#include "proto/agent_service.grpc.pb.h"
#include "proto/fleet_service.grpc.pb.h"

namespace benchfleet::coordinator {
namespace {

using Stream = grpc::ClientReaderWriter<v1::AgentMessage, v1::CoordinatorMessage>;

class FakeAgent {
 public:
  FakeAgent(v1::AgentService::Stub* stub, const std::string& id,
            std::map<std::string, std::string> labels = {},
            std::vector<v1::DeviceKind> devices = {}, bool simulated = false) {
    stream_ = stub->Connect(&context_);
    v1::AgentMessage hello;
    hello.mutable_hello()->set_agent_id(id);
    hello.mutable_hello()->mutable_hardware()->set_host_id("host-" + id);
    hello.mutable_hello()->mutable_hardware()->set_simulated(simulated);
    hello.mutable_hello()->mutable_labels()->insert(labels.begin(), labels.end());
    for (auto d : devices) hello.mutable_hello()->add_devices(d);
    stream_->Write(hello);
  }
  v1::CoordinatorMessage Read() {
    v1::CoordinatorMessage message;
    EXPECT_TRUE(stream_->Read(&message));
    return message;
  }
  bool Send(const v1::AgentMessage& message) { return stream_->Write(message); }
  grpc::Status Finish() {
    stream_->WritesDone();
    v1::CoordinatorMessage ignored;
    while (stream_->Read(&ignored)) {
    }
    return stream_->Finish();
  }
  void Cancel() { context_.TryCancel(); }

 private:
  grpc::ClientContext context_;
  std::unique_ptr<Stream> stream_;
};

// Step samples [from, to) of one attempt; sample i takes 1 ms + i ns.
int64_t SampleNs(int i) { return 1'000'000 + i; }

v1::AgentMessage Samples(int64_t job, int32_t attempt, int from, int to) {
  v1::AgentMessage message;
  for (int i = from; i < to; ++i) {
    v1::Sample* s = message.mutable_samples()->add_samples();
    s->set_job_id(job);
    s->set_attempt(attempt);
    s->set_sequence(i);
    s->set_phase(v1::PHASE_STEP);
    s->set_duration_ns(SampleNs(i));
  }
  return message;
}

// The result an honest agent sends after samples [0, n) of Samples().
v1::AgentMessage Result(const v1::Lease& lease, int n = 3) {
  v1::AgentMessage message;
  v1::JobResult* r = message.mutable_result();
  r->set_job_id(lease.job_id());
  r->set_attempt(lease.attempt());
  *r->mutable_spec() = lease.spec();
  r->set_status(v1::JOB_STATUS_OK);
  std::vector<int64_t> durations;
  for (int i = 0; i < n; ++i) durations.push_back(SampleNs(i));
  *r->mutable_step() = analysis::Summarize(durations);
  r->set_items_per_second(lease.spec().batch_size() * 1e3 / r->step().median_ms());
  r->set_iterations_per_sample(1);
  r->set_agent_id("forged");  // the coordinator must overwrite this
  return message;
}

class CoordinatorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    CoordinatorOptions options;
    options.db_path = std::string(std::getenv("TEST_TMPDIR")) + "/" +
                      ::testing::UnitTest::GetInstance()->current_test_info()->name() +
                      ".db";
    options.max_attempts = 2;
    auto started = Coordinator::Start(options);
    ASSERT_TRUE(started.ok()) << started.status();
    coordinator_ = std::move(*started);
    auto channel = grpc::CreateChannel(
        "127.0.0.1:" + std::to_string(coordinator_->port()),
        grpc::InsecureChannelCredentials());
    agents_ = v1::AgentService::NewStub(channel);
    fleet_ = v1::FleetService::NewStub(channel);
  }
  void TearDown() override { coordinator_->Shutdown(); }

  int64_t Submit(int batches, v1::SweepSpec spec = v1::SweepSpec(),
                 v1::SubmitSweepResponse* out = nullptr) {
    v1::SubmitSweepRequest request;
    spec.set_name("t");
    spec.add_models("resnet18");
    for (int b = 1; b <= batches; ++b) spec.add_batch_sizes(b);
    *request.mutable_spec() = spec;
    v1::SubmitSweepResponse response;
    grpc::ClientContext context;
    EXPECT_TRUE(fleet_->SubmitSweep(&context, request, &response).ok());
    if (out) *out = response;
    return response.sweep_id();
  }
  // Polls until the sweep's first job has a waiting reason containing `text`.
  bool WaitsBecause(int64_t sweep, const std::string& text) {
    for (int i = 0; i < 200; ++i) {
      const v1::SweepStatus status = Sweep(sweep);
      if (status.jobs_size() > 0 &&
          status.jobs(0).waiting().find(text) != std::string::npos)
        return true;
      absl::SleepFor(absl::Milliseconds(10));
    }
    return false;
  }
  v1::SweepStatus Sweep(int64_t id) {
    v1::GetSweepRequest request;
    request.set_sweep_id(id);
    v1::SweepStatus status;
    grpc::ClientContext context;
    EXPECT_TRUE(fleet_->GetSweep(&context, request, &status).ok());
    return status;
  }
  std::vector<v1::JobResult> Results(int64_t id) {
    v1::ListResultsRequest request;
    request.set_sweep_id(id);
    v1::ListResultsResponse response;
    grpc::ClientContext context;
    EXPECT_TRUE(fleet_->ListResults(&context, request, &response).ok());
    return {response.results().begin(), response.results().end()};
  }

  std::unique_ptr<Coordinator> coordinator_;
  std::unique_ptr<v1::AgentService::Stub> agents_;
  std::unique_ptr<v1::FleetService::Stub> fleet_;
};

TEST_F(CoordinatorTest, LeasesJobsOneAtATimeAndStoresResultsOnce) {
  const int64_t sweep = Submit(2);
  FakeAgent agent(agents_.get(), "a1");
  ASSERT_TRUE(agent.Read().has_welcome());
  const v1::Lease first = agent.Read().lease();
  EXPECT_EQ(first.attempt(), 1);
  EXPECT_EQ(first.spec().batch_size(), 1);

  ASSERT_TRUE(agent.Send(Samples(first.job_id(), 1, 0, 3)));
  EXPECT_EQ(agent.Read().ack().samples_through(), 3);
  ASSERT_TRUE(agent.Send(Result(first)));
  v1::CoordinatorMessage ack = agent.Read();
  // The next lease may come before or after the ack; both are fine.
  v1::Lease second;
  if (ack.has_lease()) {
    second = ack.lease();
    ack = agent.Read();
  } else {
    second = agent.Read().lease();
  }
  EXPECT_TRUE(ack.ack().result_stored());
  EXPECT_EQ(second.spec().batch_size(), 2);

  // A replay of the first result is acknowledged but stored once.
  ASSERT_TRUE(agent.Send(Result(first)));
  EXPECT_TRUE(agent.Read().ack().result_stored());
  ASSERT_TRUE(agent.Send(Samples(second.job_id(), 1, 0, 3)));
  EXPECT_EQ(agent.Read().ack().samples_through(), 3);
  ASSERT_TRUE(agent.Send(Result(second)));
  EXPECT_TRUE(agent.Read().ack().result_stored());

  const auto results = Results(sweep);
  ASSERT_EQ(results.size(), 2u);
  EXPECT_EQ(results[0].agent_id(), "a1");
  EXPECT_EQ(results[0].host_id(), "host-a1");
  EXPECT_EQ(Sweep(sweep).state(), v1::SWEEP_STATE_DONE);
  EXPECT_TRUE(agent.Finish().ok());
}

TEST_F(CoordinatorTest, LostAgentsJobIsLeasedAgainAsNewAttempt) {
  const int64_t sweep = Submit(1);
  auto lost = std::make_unique<FakeAgent>(agents_.get(), "lost");
  ASSERT_TRUE(lost->Read().has_welcome());
  const v1::Lease lease = lost->Read().lease();
  ASSERT_TRUE(lost->Send(Samples(lease.job_id(), 1, 0, 2)));
  lost->Read();
  lost->Cancel();
  lost.reset();

  FakeAgent rescuer(agents_.get(), "rescuer");
  ASSERT_TRUE(rescuer.Read().has_welcome());
  const v1::Lease retry = rescuer.Read().lease();
  EXPECT_EQ(retry.job_id(), lease.job_id());
  EXPECT_EQ(retry.attempt(), 2);
  ASSERT_TRUE(rescuer.Send(Samples(retry.job_id(), 2, 0, 3)));
  rescuer.Read();
  ASSERT_TRUE(rescuer.Send(Result(retry)));
  EXPECT_TRUE(rescuer.Read().ack().result_stored());
  const auto results = Results(sweep);
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0].attempt(), 2);
  EXPECT_EQ(results[0].agent_id(), "rescuer");
}

TEST_F(CoordinatorTest, ResultsForSomeoneElsesLeaseAreRefused) {
  Submit(1);
  FakeAgent holder(agents_.get(), "holder");
  ASSERT_TRUE(holder.Read().has_welcome());
  const v1::Lease lease = holder.Read().lease();
  FakeAgent thief(agents_.get(), "thief");
  ASSERT_TRUE(thief.Read().has_welcome());
  thief.Send(Result(lease));
  EXPECT_EQ(thief.Finish().error_code(), grpc::StatusCode::PERMISSION_DENIED);
}

TEST_F(CoordinatorTest, BadMessagesEndTheSessionNamingTheField) {
  {
    FakeAgent agent(agents_.get(), "bad id with spaces");
    EXPECT_EQ(agent.Finish().error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  }
  FakeAgent agent(agents_.get(), "ok");
  ASSERT_TRUE(agent.Read().has_welcome());
  v1::AgentMessage bad = Samples(1, 1, 0, 1);
  bad.mutable_samples()->mutable_samples(0)->set_duration_ns(-5);
  agent.Send(bad);
  const grpc::Status status = agent.Finish();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(status.error_message().find("sample.duration_ns = -5"),
            std::string::npos)
      << status.error_message();

  // The coordinator keeps serving.
  grpc::ClientContext context;
  v1::ListAgentsResponse agents;
  EXPECT_TRUE(fleet_->ListAgents(&context, {}, &agents).ok());
}

TEST_F(CoordinatorTest, BadSweepIsRejectedNamingTheField) {
  v1::SubmitSweepRequest request;
  request.mutable_spec()->set_name("bad");
  request.mutable_spec()->add_models("resnet18");
  request.mutable_spec()->add_batch_sizes(0);
  v1::SubmitSweepResponse response;
  grpc::ClientContext context;
  const grpc::Status status = fleet_->SubmitSweep(&context, request, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(status.error_message().find("batch_sizes[0] = 0"), std::string::npos);
}

TEST_F(CoordinatorTest, JobsGoOnlyToAgentsWithTheLabelsAndDevices) {
  v1::SweepSpec spec;
  spec.add_devices(v1::DEVICE_KIND_CUDA);
  (*spec.mutable_selector())["gpu"] = "h100";
  v1::SubmitSweepResponse submitted;
  const int64_t sweep = Submit(1, spec, &submitted);
  ASSERT_EQ(submitted.warnings_size(), 1);  // no agent ever had gpu=h100
  EXPECT_NE(submitted.warnings(0).find("gpu=h100"), std::string::npos);

  FakeAgent plain(agents_.get(), "plain");
  ASSERT_TRUE(plain.Read().has_welcome());
  FakeAgent cpu_h100(agents_.get(), "cpu-h100", {{"gpu", "h100"}});
  ASSERT_TRUE(cpu_h100.Read().has_welcome());
  EXPECT_TRUE(WaitsBecause(sweep, "no connected agent offers device cuda, label gpu=h100"))
      << Sweep(sweep).DebugString();

  FakeAgent gpu(agents_.get(), "gpu", {{"gpu", "h100"}, {"rack", "a3"}},
                {v1::DEVICE_KIND_CPU, v1::DEVICE_KIND_CUDA});
  ASSERT_TRUE(gpu.Read().has_welcome());
  const v1::Lease lease = gpu.Read().lease();
  EXPECT_EQ(lease.spec().device(), v1::DEVICE_KIND_CUDA);
  EXPECT_EQ(Sweep(sweep).jobs(0).agent_id(), "gpu");
}

TEST_F(CoordinatorTest, SimulatedAgentsNeverTakeRealBenchmarks) {
  const int64_t sweep = Submit(1);
  FakeAgent simulated(agents_.get(), "sim", {{"simulated", "true"}}, {}, true);
  ASSERT_TRUE(simulated.Read().has_welcome());
  EXPECT_TRUE(WaitsBecause(sweep, "no connected agent offers"));

  v1::SweepSpec load;
  (*load.mutable_selector())["simulated"] = "true";
  const int64_t load_sweep = Submit(1, load);
  const v1::Lease lease = simulated.Read().lease();
  EXPECT_EQ(lease.job_id(), Sweep(load_sweep).jobs(0).job_id());
}

TEST_F(CoordinatorTest, CancelStopsPendingJobsAndTellsTheRunningAgent) {
  const int64_t sweep = Submit(3);
  FakeAgent agent(agents_.get(), "a1");
  ASSERT_TRUE(agent.Read().has_welcome());
  const v1::Lease lease = agent.Read().lease();

  v1::CancelSweepRequest request;
  request.set_sweep_id(sweep);
  v1::CancelSweepResponse response;
  {
    grpc::ClientContext context;
    ASSERT_TRUE(fleet_->CancelSweep(&context, request, &response).ok());
  }
  EXPECT_EQ(response.jobs_cancelled(), 2);
  EXPECT_EQ(response.jobs_abandoned(), 1);
  EXPECT_EQ(agent.Read().cancel().job_id(), lease.job_id());

  // The agent reports its abandoned job; the sweep ends cancelled.
  v1::AgentMessage failed = Result(lease);
  failed.mutable_result()->set_status(v1::JOB_STATUS_FAILED);
  failed.mutable_result()->set_error("cancelled by the coordinator");
  ASSERT_TRUE(agent.Send(failed));
  EXPECT_TRUE(agent.Read().ack().result_stored());
  const v1::SweepStatus status = Sweep(sweep);
  EXPECT_EQ(status.state(), v1::SWEEP_STATE_CANCELLED);
  EXPECT_EQ(status.jobs_cancelled(), 2);
  EXPECT_EQ(status.jobs_failed(), 1);
}

TEST_F(CoordinatorTest, WatchStreamsProgressUntilTheSweepEnds) {
  const int64_t sweep = Submit(1);
  grpc::ClientContext context;
  v1::GetSweepRequest request;
  request.set_sweep_id(sweep);
  auto reader = fleet_->WatchSweep(&context, request);
  v1::SweepStatus status;
  ASSERT_TRUE(reader->Read(&status));
  EXPECT_EQ(status.state(), v1::SWEEP_STATE_RUNNING);

  FakeAgent agent(agents_.get(), "a1");
  ASSERT_TRUE(agent.Read().has_welcome());
  const v1::Lease lease = agent.Read().lease();
  ASSERT_TRUE(agent.Send(Samples(lease.job_id(), lease.attempt(), 0, 3)));
  ASSERT_TRUE(agent.Send(Result(lease)));
  agent.Read();
  while (reader->Read(&status)) {
  }
  EXPECT_EQ(status.state(), v1::SWEEP_STATE_DONE);
  EXPECT_TRUE(reader->Finish().ok());
}

TEST_F(CoordinatorTest, ResultsFilterByModelBatchAndAgent) {
  const int64_t sweep = Submit(2);
  FakeAgent agent(agents_.get(), "a1");
  ASSERT_TRUE(agent.Read().has_welcome());
  for (int i = 0; i < 2; ++i) {
    v1::CoordinatorMessage message = agent.Read();
    while (!message.has_lease()) message = agent.Read();
    const v1::Lease& lease = message.lease();
    ASSERT_TRUE(agent.Send(Samples(lease.job_id(), lease.attempt(), 0, 3)));
    ASSERT_TRUE(agent.Send(Result(lease)));
  }
  while (Results(sweep).size() < 2) absl::SleepFor(absl::Milliseconds(10));
  v1::ListResultsRequest filter;
  filter.set_batch_size(2);
  filter.set_model("resnet18");
  filter.set_agent_id("a1");
  v1::ListResultsResponse response;
  grpc::ClientContext context;
  ASSERT_TRUE(fleet_->ListResults(&context, filter, &response).ok());
  ASSERT_EQ(response.results_size(), 1);
  EXPECT_EQ(response.results(0).spec().batch_size(), 2);
}

// An independent client's arithmetic is not trusted: the samples are.
TEST_F(CoordinatorTest, StoresTheMedianOfTheSamplesNotTheAgentsWithAWarning) {
  const int64_t sweep = Submit(1);
  FakeAgent agent(agents_.get(), "a1");
  ASSERT_TRUE(agent.Read().has_welcome());
  const v1::Lease lease = agent.Read().lease();
  v1::AgentMessage samples = Samples(lease.job_id(), lease.attempt(), 0, 10);
  for (v1::Sample& s : *samples.mutable_samples()->mutable_samples())
    s.set_duration_ns(5'000'000);
  ASSERT_TRUE(agent.Send(samples));
  EXPECT_EQ(agent.Read().ack().samples_through(), 10);
  v1::AgentMessage result = Result(lease, 10);
  result.mutable_result()->mutable_step()->set_median_ms(0.001);
  ASSERT_TRUE(agent.Send(result));
  EXPECT_TRUE(agent.Read().ack().result_stored());

  const auto results = Results(sweep);
  ASSERT_EQ(results.size(), 1u);
  EXPECT_DOUBLE_EQ(results[0].step().median_ms(), 5.0);
  EXPECT_DOUBLE_EQ(results[0].step().mean_ms(), 5.0);
  EXPECT_DOUBLE_EQ(results[0].items_per_second(), 200.0);  // batch 1 / 5 ms
  bool warned = false;
  for (const std::string& w : results[0].warnings())
    warned |= w.find("result.step.median_ms recomputed by the coordinator from "
                     "the 10 stored samples: the agent sent 0.001, stored 5") !=
              std::string::npos;
  EXPECT_TRUE(warned) << results[0].DebugString();
}

// A refused result ends the session with INVALID_ARGUMENT naming the field;
// its attempt counts as lost, the job is leased again, and after the last
// attempt it fails with the reason of each.
TEST_F(CoordinatorTest, RefusedResultsAreLeasedAgainThenFailWithTheReason) {
  const int64_t sweep = Submit(1);
  std::vector<std::string> refusals;
  for (int attempt = 1; attempt <= 2; ++attempt) {  // max_attempts = 2
    FakeAgent agent(agents_.get(), "a1");
    ASSERT_TRUE(agent.Read().has_welcome());
    const v1::Lease lease = agent.Read().lease();
    EXPECT_EQ(lease.attempt(), attempt);
    v1::AgentMessage result = Result(lease);
    if (attempt == 1) {  // no timed iteration at all
      result.mutable_result()->clear_step();
    } else {  // claims 10 samples, 3 were stored
      ASSERT_TRUE(agent.Send(Samples(lease.job_id(), lease.attempt(), 0, 3)));
      EXPECT_EQ(agent.Read().ack().samples_through(), 3);
      result.mutable_result()->mutable_step()->set_n(10);
    }
    ASSERT_TRUE(agent.Send(result));
    const grpc::Status status = agent.Finish();
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    refusals.push_back(status.error_message());
  }
  EXPECT_NE(refusals[0].find("result.step.n = 0"), std::string::npos) << refusals[0];
  EXPECT_NE(refusals[1].find(absl::StrCat("result.step.n = 10 but 3 step samples "
                                          "were stored for job ",
                                          Sweep(sweep).jobs(0).job_id(),
                                          " attempt 2")),
            std::string::npos)
      << refusals[1];
  const v1::SweepStatus status = Sweep(sweep);
  EXPECT_EQ(status.jobs(0).state(), v1::JOB_STATE_FAILED);
  EXPECT_NE(status.jobs(0).error().find("attempt 1: agent \"a1\" session ended: "
                                        "result.step.n = 0"),
            std::string::npos)
      << status.jobs(0).error();
  EXPECT_NE(status.jobs(0).error().find("result.step.n = 10 but 3"), std::string::npos)
      << status.jobs(0).error();
  EXPECT_TRUE(Results(sweep).empty());
}

TEST_F(CoordinatorTest, AnOkResultWithoutSamplesIsRefused) {
  const int64_t sweep = Submit(1);
  FakeAgent agent(agents_.get(), "a1");
  ASSERT_TRUE(agent.Read().has_welcome());
  const v1::Lease lease = agent.Read().lease();
  ASSERT_TRUE(agent.Send(Result(lease)));
  const grpc::Status status = agent.Finish();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(status.error_message().find("result.step.n = 3 but no samples were stored"),
            std::string::npos)
      << status.error_message();
  EXPECT_TRUE(Results(sweep).empty());
  EXPECT_EQ(Sweep(sweep).jobs(0).state(), v1::JOB_STATE_PENDING);
}

}  // namespace
}  // namespace benchfleet::coordinator
