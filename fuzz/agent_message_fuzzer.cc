// libFuzzer target for the coordinator's handling of agent messages, end to
// end: each input is one agent session (see agent_message_framing.h for the
// byte format) sent over a real AgentService.Connect stream to a real
// in-process coordinator (Coordinator::Start on 127.0.0.1:0, SQLite file in
// a temporary directory), started once per process and shared by every
// input. After each session the coordinator must still answer
// FleetService.ListAgents.
//
// So that fuzzed samples and results get past the lease check, the
// coordinator holds a sweep whose selector is {fuzz: lease} (refilled as
// jobs are used up). When the session's hello carries that label and can run
// a CPU job, the harness waits for the Lease that follows the Welcome and
// then binds the session to it: in every later Sample and JobResult a
// job_id of 0 becomes the lease's job id and an attempt of 0 the lease's
// attempt. Everything else reaches the coordinator exactly as decoded.
//
// A finding is a crash, leak or UB (sanitizers), a session that ends with
// UNKNOWN, INTERNAL, DATA_LOSS or UNIMPLEMENTED (a handler that threw, or a
// store error valid input must not cause), a session that stalls past its
// deadline, or a coordinator that no longer answers.
//
// Built twice from this file: //fuzz:agent_message_fuzzer (clang, libFuzzer,
// ASan+UBSan; `./fleet fuzz`) and //fuzz:agent_message_corpus_test (gcc,
// replays fuzz/corpus/agent_message in `bazel test //...`).
#include <grpcpp/grpcpp.h>
#include <stdlib.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "coordinator/coordinator.h"
#include "fuzz/agent_message_framing.h"
#include "proto/agent_service.grpc.pb.h"
#include "proto/fleet_service.grpc.pb.h"

namespace benchfleet::fuzz {
namespace {

// Messages of one input sent at most; more only slow the fuzzer down.
constexpr size_t kMaxMessages = 64;
// A session or query slower than this is reported as a stall.
constexpr auto kDeadline = std::chrono::seconds(10);
// The label that makes an agent eligible for the fuzz sweep's jobs.
constexpr char kLeaseLabel[] = "fuzz";
constexpr char kLeaseValue[] = "lease";
// The fuzz sweep: 10 batch sizes x 100 repeats of one model.
constexpr int kJobsPerSweep = 1000;
// Another sweep is submitted when fewer jobs than this are pending.
constexpr int kMinPendingJobs = 300;
// How many inputs run between two checks of the pending count.
constexpr int kRefillEvery = 64;

[[noreturn]] void Fail(const std::string& what) {
  std::fprintf(stderr, "agent_message_fuzzer: %s\n", what.c_str());
  std::fflush(stderr);
  std::abort();
}

std::chrono::system_clock::time_point Deadline() {
  return std::chrono::system_clock::now() + kDeadline;
}

// The coordinator and the stubs every input talks through. Created on first
// use and deliberately never destroyed: libFuzzer exits without unwinding,
// and a reachable object is not a leak.
struct Fleet {
  std::filesystem::path dir;
  std::unique_ptr<coordinator::Coordinator> coordinator;
  std::unique_ptr<v1::AgentService::Stub> agents;
  std::unique_ptr<v1::FleetService::Stub> fleet;
  int inputs = 0;
};

void SubmitLeaseSweep(Fleet& fleet) {
  v1::SubmitSweepRequest request;
  v1::SweepSpec& spec = *request.mutable_spec();
  spec.set_name("fuzz-leases");
  spec.add_models("resnet18");
  for (int batch = 1; batch <= kJobsPerSweep / 100; ++batch)
    spec.add_batch_sizes(batch);
  spec.set_repeat(100);
  (*spec.mutable_selector())[kLeaseLabel] = kLeaseValue;
  v1::SubmitSweepResponse response;
  grpc::ClientContext context;
  context.set_deadline(Deadline());
  grpc::Status status = fleet.fleet->SubmitSweep(&context, request, &response);
  if (!status.ok())
    Fail("cannot submit the fuzz sweep: " + status.error_message());
}

// Keeps jobs queued for lease-bound sessions; cheap (one small query) and
// run every kRefillEvery inputs, so at most that many leases are taken
// between checks.
void RefillLeases(Fleet& fleet) {
  v1::ListSweepsRequest request;
  v1::ListSweepsResponse response;
  grpc::ClientContext context;
  context.set_deadline(Deadline());
  grpc::Status status = fleet.fleet->ListSweeps(&context, request, &response);
  if (!status.ok()) Fail("ListSweeps failed: " + status.error_message());
  int pending = 0;
  for (const v1::SweepStatus& sweep : response.sweeps())
    pending += sweep.jobs_pending();
  if (pending < kMinPendingJobs) SubmitLeaseSweep(fleet);
}

// Under $TEST_TMPDIR (bazel test), else $TMPDIR (./fleet fuzz points it at
// tmpfs), else /tmp.
std::filesystem::path MakeTempDir() {
  std::string base = "/tmp";
  for (const char* name : {"TEST_TMPDIR", "TMPDIR"}) {
    const char* value = std::getenv(name);
    if (value != nullptr && *value != '\0') {
      base = value;
      break;
    }
  }
  std::string pattern = base + "/agent_message_fuzzer.XXXXXX";
  if (mkdtemp(pattern.data()) == nullptr) Fail("mkdtemp failed under " + base);
  return pattern;
}

Fleet* StartFleet() {
  auto* fleet = new Fleet;
  fleet->dir = MakeTempDir();
  // Removes the database when the fuzzer exits (the files stay usable while
  // the process lives, which is all the coordinator needs).
  static std::filesystem::path* dir = &fleet->dir;
  std::atexit([] {
    std::error_code ignored;
    std::filesystem::remove_all(*dir, ignored);
  });
  QuietLogs();

  coordinator::CoordinatorOptions options;
  options.listen = "127.0.0.1:0";
  options.db_path = (fleet->dir / "fleet.db").string();
  // No session is silent for long; nothing should be cancelled by timers.
  options.lease_ttl = absl::Hours(1);
  options.schedule_period = absl::Hours(1);
  absl::StatusOr<std::unique_ptr<coordinator::Coordinator>> started =
      coordinator::Coordinator::Start(options);
  if (!started.ok())
    Fail("cannot start the coordinator: " + started.status().ToString());
  fleet->coordinator = std::move(*started);
  auto channel = grpc::CreateChannel(
      "127.0.0.1:" + std::to_string(fleet->coordinator->port()),
      grpc::InsecureChannelCredentials());
  fleet->agents = v1::AgentService::NewStub(channel);
  fleet->fleet = v1::FleetService::NewStub(channel);
  SubmitLeaseSweep(*fleet);
  return fleet;
}

Fleet& GetFleet() {
  static Fleet* fleet = StartFleet();
  return *fleet;
}

// Whether the scheduler will lease a fuzz-sweep job (CPU, FP32, selector
// {fuzz: lease}) to the agent that sent `hello` (see Scheduler::CanRun).
bool ExpectsLease(const v1::Hello& hello) {
  auto label = hello.labels().find(kLeaseLabel);
  if (label == hello.labels().end() || label->second != kLeaseValue)
    return false;
  if (hello.hardware().simulated()) return false;
  if (hello.devices().empty()) return true;
  for (int device : hello.devices())
    if (device == v1::DEVICE_KIND_CPU) return true;
  return false;
}

// Points job id 0 / attempt 0 in `message` at `lease`.
void BindToLease(const v1::Lease& lease, v1::AgentMessage& message) {
  auto bind = [&](auto& item) {
    if (item.job_id() == 0) item.set_job_id(lease.job_id());
    if (item.attempt() == 0) item.set_attempt(lease.attempt());
  };
  if (message.has_samples())
    for (v1::Sample& sample : *message.mutable_samples()->mutable_samples())
      bind(sample);
  if (message.has_result()) bind(*message.mutable_result());
}

bool IsFinding(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::UNKNOWN:  // a handler threw
    case grpc::StatusCode::INTERNAL:
    case grpc::StatusCode::DATA_LOSS:
    case grpc::StatusCode::UNIMPLEMENTED:
    case grpc::StatusCode::DEADLINE_EXCEEDED:  // the session stalled
      return true;
    default:
      return false;
  }
}

void RunSession(Fleet& fleet, std::vector<v1::AgentMessage> messages) {
  grpc::ClientContext context;
  context.set_deadline(Deadline());
  std::unique_ptr<
      grpc::ClientReaderWriter<v1::AgentMessage, v1::CoordinatorMessage>>
      stream = fleet.agents->Connect(&context);
  v1::CoordinatorMessage in;
  v1::Lease lease;
  for (size_t i = 0; i < messages.size(); ++i) {
    if (lease.job_id() != 0) BindToLease(lease, messages[i]);
    if (!stream->Write(messages[i]))
      break;  // the coordinator ended the session
    if (i != 0 || !messages[i].has_hello()) continue;
    // After the hello: a Welcome, or the end of the stream when refused.
    if (!stream->Read(&in)) break;
    if (!in.has_welcome()) Fail("the first reply to a hello is not a welcome");
    if (ExpectsLease(messages[i].hello())) {
      if (!stream->Read(&in)) break;
      if (!in.has_lease()) Fail("an idle eligible agent got no lease first");
      lease = in.lease();
    }
  }
  stream->WritesDone();
  while (stream->Read(&in)) {
  }
  const grpc::Status status = stream->Finish();
  if (IsFinding(status.error_code()))
    Fail("the session ended with code " + std::to_string(status.error_code()) +
         ": " + status.error_message());
}

void CheckStillAnswers(Fleet& fleet) {
  v1::ListAgentsRequest request;
  v1::ListAgentsResponse response;
  grpc::ClientContext context;
  context.set_deadline(Deadline());
  const grpc::Status status =
      fleet.fleet->ListAgents(&context, request, &response);
  if (!status.ok())
    Fail("the coordinator no longer answers ListAgents: code " +
         std::to_string(status.error_code()) + ": " + status.error_message());
  for (const v1::AgentInfo& agent : response.agents())
    if (agent.connected())
      Fail("agent \"" + agent.agent_id() +
           "\" is still connected after its session");
}

}  // namespace
}  // namespace benchfleet::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace benchfleet::fuzz;
  Fleet& fleet = GetFleet();
  if (++fleet.inputs % kRefillEvery == 0) RefillLeases(fleet);
  RunSession(fleet,
             DecodeAgentMessages(
                 absl::string_view(reinterpret_cast<const char*>(data), size),
                 kMaxMessages));
  CheckStillAnswers(fleet);
  return 0;
}
