// End to end: a real coordinator and a real agent as processes on loopback
// run a small sweep; the stored results are complete and sane, and survive
// a restart of the coordinator.
#include <grpcpp/grpcpp.h>
#include <signal.h>

#include <cstdlib>
#include <fstream>

#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "proto/fleet_service.grpc.pb.h"
#include "tests/subprocess.h"

namespace benchfleet {
namespace {

using testing::Runfile;
using testing::Subprocess;
using testing::WaitForPortFile;

class FleetE2eTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::getenv("TEST_TMPDIR");
    db_ = dir_ + "/fleet.db";
  }

  void StartCoordinator(Subprocess& coordinator, const std::string& tag) {
    const std::string port_file = dir_ + "/port-" + tag;
    ASSERT_TRUE(coordinator
                    .Start({Runfile("benchfleet/coordinator/coordinator"),
                            "--listen=127.0.0.1:0", "--db=" + db_,
                            "--port_file=" + port_file},
                           dir_ + "/coordinator.log")
                    .ok());
    absl::StatusOr<int> port = WaitForPortFile(port_file, absl::Seconds(30));
    ASSERT_TRUE(port.ok()) << port.status();
    target_ = "127.0.0.1:" + std::to_string(*port);
    stub_ = v1::FleetService::NewStub(
        grpc::CreateChannel(target_, grpc::InsecureChannelCredentials()));
  }

  v1::SweepStatus GetSweep(int64_t id) {
    grpc::ClientContext context;
    v1::GetSweepRequest request;
    request.set_sweep_id(id);
    v1::SweepStatus status;
    EXPECT_TRUE(stub_->GetSweep(&context, request, &status).ok());
    return status;
  }

  std::vector<v1::JobResult> Results(int64_t sweep_id) {
    grpc::ClientContext context;
    v1::ListResultsRequest request;
    request.set_sweep_id(sweep_id);
    v1::ListResultsResponse response;
    EXPECT_TRUE(stub_->ListResults(&context, request, &response).ok());
    return {response.results().begin(), response.results().end()};
  }

  std::string dir_, db_, target_;
  std::unique_ptr<v1::FleetService::Stub> stub_;
};

TEST_F(FleetE2eTest, SweepRunsOnRealAgentAndSurvivesRestart) {
  Subprocess coordinator;
  StartCoordinator(coordinator, "1");
  Subprocess agent;
  ASSERT_TRUE(agent
                  .Start({Runfile("benchfleet/agent/agent"), "serve",
                          "--coordinator=" + target_, "--agent_id=e2e-agent",
                          "--threads=1", "--spool_dir=" + dir_ + "/spool"},
                         dir_ + "/agent.log")
                  .ok());

  v1::SubmitSweepRequest submit;
  v1::SweepSpec& spec = *submit.mutable_spec();
  spec.set_name("e2e");
  spec.add_models("resnet18");
  // Batch >= 2: training batch norm needs more than one value per channel,
  // and a 32x32 input leaves a 1x1 map at the last stage.
  spec.add_batch_sizes(2);
  spec.add_batch_sizes(3);
  spec.add_modes(v1::MODE_INFERENCE);
  spec.add_modes(v1::MODE_TRAINING);
  auto* input = spec.add_inputs();
  input->set_channels(3);
  input->set_height(32);
  input->set_width(32);
  spec.mutable_budget()->set_warmup_iterations(1);
  spec.mutable_budget()->set_min_iterations(3);
  spec.mutable_budget()->set_max_iterations(5);
  spec.mutable_budget()->set_min_seconds(0.01);
  v1::SubmitSweepResponse submitted;
  {
    grpc::ClientContext context;
    ASSERT_TRUE(stub_->SubmitSweep(&context, submit, &submitted).ok());
  }
  EXPECT_EQ(submitted.jobs(), 4);

  const absl::Time deadline = absl::Now() + absl::Seconds(120);
  v1::SweepStatus status;
  do {
    absl::SleepFor(absl::Milliseconds(200));
    status = GetSweep(submitted.sweep_id());
  } while (status.state() != v1::SWEEP_STATE_DONE && absl::Now() < deadline);
  ASSERT_EQ(status.state(), v1::SWEEP_STATE_DONE);
  EXPECT_EQ(status.jobs_done(), 4);

  const std::vector<v1::JobResult> results = Results(submitted.sweep_id());
  ASSERT_EQ(results.size(), 4u);
  for (const v1::JobResult& r : results) {
    EXPECT_EQ(r.status(), v1::JOB_STATUS_OK) << r.error();
    EXPECT_EQ(r.agent_id(), "e2e-agent");
    EXPECT_EQ(r.attempt(), 1);
    EXPECT_EQ(r.intra_op_threads(), 1);
    EXPECT_GE(r.step().n(), 3);
    EXPECT_LE(r.step().n(), 5);
    EXPECT_GT(r.step().median_ms(), 0);
    EXPECT_LE(r.step().min_ms(), r.step().median_ms());
    EXPECT_LE(r.step().median_ms(), r.step().p90_ms());
    EXPECT_NEAR(r.items_per_second(),
                r.spec().batch_size() * 1e3 / r.step().median_ms(), 1e-6);
    EXPECT_FALSE(r.host_id().empty());
    // The coordinator recomputed these figures from the samples and found
    // the real runner's equal (inference and training).
    for (const std::string& warning : r.warnings())
      EXPECT_EQ(warning.find("recomputed by the coordinator"), std::string::npos)
          << warning;
    EXPECT_EQ(r.provenance().agent_version(), "0.1");
    EXPECT_FALSE(r.provenance().libtorch_version().empty());
    EXPECT_FALSE(r.provenance().compiler().empty());
  }

  // The agent said hello with its hardware report.
  {
    grpc::ClientContext context;
    v1::ListAgentsResponse agents;
    ASSERT_TRUE(stub_->ListAgents(&context, v1::ListAgentsRequest(), &agents).ok());
    ASSERT_EQ(agents.agents_size(), 1);
    EXPECT_TRUE(agents.agents(0).connected());
    EXPECT_GT(agents.agents(0).hardware().cpu().threads(), 0);
    EXPECT_FALSE(agents.agents(0).hardware().software().blas_vendor().empty());
  }

  // Killed without warning, the coordinator keeps everything on restart.
  coordinator.Signal(SIGKILL);
  ASSERT_TRUE(coordinator.Wait(absl::Seconds(10)).ok());
  Subprocess restarted;
  StartCoordinator(restarted, "2");
  const std::vector<v1::JobResult> after = Results(submitted.sweep_id());
  ASSERT_EQ(after.size(), results.size());
  for (size_t i = 0; i < after.size(); ++i)
    EXPECT_EQ(after[i].SerializeAsString(), results[i].SerializeAsString());
  EXPECT_EQ(GetSweep(submitted.sweep_id()).state(), v1::SWEEP_STATE_DONE);

  agent.Signal(SIGTERM);
  absl::StatusOr<int> agent_exit = agent.Wait(absl::Seconds(30));
  ASSERT_TRUE(agent_exit.ok()) << agent_exit.status();
  EXPECT_EQ(*agent_exit, 0);
  restarted.Signal(SIGTERM);
  absl::StatusOr<int> exit = restarted.Wait(absl::Seconds(30));
  ASSERT_TRUE(exit.ok()) << exit.status();
  EXPECT_EQ(*exit, 0);
}

}  // namespace
}  // namespace benchfleet
