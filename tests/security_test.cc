// Security end to end: a real coordinator process with TLS (and mutual TLS)
// and hashed tokens; real agents and clients over loopback.
#include <grpcpp/grpcpp.h>
#include <signal.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "absl/time/clock.h"
#include "base/channel.h"
#include "coordinator/auth.h"
#include "gtest/gtest.h"
#include "proto/agent_service.grpc.pb.h"
#include "proto/fleet_service.grpc.pb.h"
#include "tests/subprocess.h"

namespace benchfleet {
namespace {

using coordinator::Role;
using coordinator::TokenRegistry;
using testing::Runfile;
using testing::Subprocess;

std::string Tls(const std::string& file) {
  return Runfile("benchfleet/tests/testdata/tls/" + file);
}

class SecurityTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::string(std::getenv("TEST_TMPDIR")) + "/" +
           ::testing::UnitTest::GetInstance()->current_test_info()->name();
    std::filesystem::create_directories(dir_);
    admin_ = TokenRegistry::NewToken();
    reader_ = TokenRegistry::NewToken();
    agent_ = TokenRegistry::NewToken();
    std::ofstream(dir_ + "/tokens")
        << TokenRegistry::Line(Role::kAdmin, "alice", admin_) << "\n"
        << TokenRegistry::Line(Role::kReader, "dashboards", reader_) << "\n"
        << TokenRegistry::Line(Role::kAgent, "sim-*", agent_) << "\n";
  }

  void StartCoordinator(bool mutual_tls) {
    std::vector<std::string> argv = {
        Runfile("benchfleet/coordinator/coordinator"), "--listen=127.0.0.1:0",
        "--db=" + dir_ + "/fleet.db", "--port_file=" + dir_ + "/port",
        "--tokens_file=" + dir_ + "/tokens", "--tls_cert=" + Tls("server.pem"),
        "--tls_key=" + Tls("server.key")};
    if (mutual_tls) argv.push_back("--tls_client_ca=" + Tls("ca.pem"));
    ASSERT_TRUE(coordinator_.Start(argv, dir_ + "/coordinator.log").ok());
    auto port = testing::WaitForPortFile(dir_ + "/port", absl::Seconds(30));
    ASSERT_TRUE(port.ok());
    target_ = "localhost:" + std::to_string(*port);
  }

  std::unique_ptr<v1::FleetService::Stub> Fleet(const std::string& token,
                                               bool tls = true, bool client_cert = false) {
    ChannelOptions options;
    options.target = target_;
    options.token = token;
    if (tls) options.tls_ca_file = Tls("ca.pem");
    if (client_cert) {
      options.tls_cert_file = Tls("client.pem");
      options.tls_key_file = Tls("client.key");
    }
    return v1::FleetService::NewStub(MakeChannel(options).value());
  }

  static grpc::StatusCode ListAgents(v1::FleetService::Stub& stub) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    v1::ListAgentsResponse response;
    return stub.ListAgents(&context, {}, &response).error_code();
  }

  static grpc::Status Submit(v1::FleetService::Stub& stub, v1::SubmitSweepResponse* out) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    v1::SubmitSweepRequest request;
    request.mutable_spec()->set_name("secure");
    request.mutable_spec()->add_models("resnet18");
    request.mutable_spec()->add_batch_sizes(1);
    request.mutable_spec()->add_batch_sizes(2);
    (*request.mutable_spec()->mutable_selector())["simulated"] = "true";
    return stub.SubmitSweep(&context, request, out);
  }

  std::string dir_, target_, admin_, reader_, agent_;
  Subprocess coordinator_;
};

TEST_F(SecurityTest, TokensAndRolesAreCheckedOnEveryCall) {
  StartCoordinator(/*mutual_tls=*/false);
  EXPECT_EQ(ListAgents(*Fleet("")), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(ListAgents(*Fleet("wrong")), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(ListAgents(*Fleet(reader_)), grpc::StatusCode::OK);
  // Agents cannot read fleet data.
  EXPECT_EQ(ListAgents(*Fleet(agent_)), grpc::StatusCode::PERMISSION_DENIED);
  v1::SubmitSweepResponse submitted;
  EXPECT_EQ(Submit(*Fleet(reader_), &submitted).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  ASSERT_TRUE(Submit(*Fleet(admin_), &submitted).ok());
  // Plaintext to a TLS port never gets through.
  EXPECT_EQ(ListAgents(*Fleet(reader_, /*tls=*/false)), grpc::StatusCode::UNAVAILABLE);

  // A real agent with its token, file-based, over TLS, runs the sweep.
  std::ofstream(dir_ + "/agent.token") << agent_ << "\n";
  Subprocess agent;
  ASSERT_TRUE(agent
                  .Start({Runfile("benchfleet/agent/agent"), "serve", "--simulate",
                          "--simulate_samples=20", "--coordinator=" + target_,
                          "--agent_id=sim-1", "--token_file=" + dir_ + "/agent.token",
                          "--tls_ca=" + Tls("ca.pem")},
                         dir_ + "/agent.log")
                  .ok());
  auto reader = Fleet(reader_);
  v1::SweepStatus status;
  for (int i = 0; i < 600 && status.state() != v1::SWEEP_STATE_DONE; ++i) {
    absl::SleepFor(absl::Milliseconds(100));
    grpc::ClientContext context;
    v1::GetSweepRequest request;
    request.set_sweep_id(submitted.sweep_id());
    reader->GetSweep(&context, request, &status);
  }
  EXPECT_EQ(status.state(), v1::SWEEP_STATE_DONE);
  EXPECT_EQ(status.jobs_done(), 2);

  // An agent token cannot act as an agent id its name does not cover.
  ChannelOptions options;
  options.target = target_;
  options.token = agent_;
  options.tls_ca_file = Tls("ca.pem");
  auto stub = v1::AgentService::NewStub(MakeChannel(options).value());
  grpc::ClientContext context;
  auto stream = stub->Connect(&context);
  v1::AgentMessage hello;
  hello.mutable_hello()->set_agent_id("gpu-node-7");
  stream->Write(hello);
  stream->WritesDone();
  v1::CoordinatorMessage ignored;
  while (stream->Read(&ignored)) {
  }
  EXPECT_EQ(stream->Finish().error_code(), grpc::StatusCode::PERMISSION_DENIED);
  agent.Signal(SIGTERM);
  EXPECT_TRUE(agent.Wait(absl::Seconds(30)).ok());
}

TEST_F(SecurityTest, MutualTlsRequiresAClientCertificate) {
  StartCoordinator(/*mutual_tls=*/true);
  EXPECT_EQ(ListAgents(*Fleet(reader_, true, /*client_cert=*/false)),
            grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(ListAgents(*Fleet(reader_, true, /*client_cert=*/true)),
            grpc::StatusCode::OK);
}

}  // namespace
}  // namespace benchfleet
