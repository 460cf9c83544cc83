// libFuzzer target for the pure layer under the coordinator's agent
// sessions: message validation (CheckHello, CheckSamples, CheckResult), the
// recomputation of OK results from their samples (RecomputeSummary), and
// the store's ingest (SqliteStore::UpsertAgent, AddSamples, StoreResult) on
// an in-memory SQLite database, with no gRPC in between.
//
// It takes the same inputs as agent_message_fuzzer (agent_message_framing.h;
// both replay fuzz/corpus/agent_message) and walks them the way
// AgentServiceImpl::Connect does, at some 20x its speed: a valid hello
// registers the agent and leases it a fresh job (as attempt 1); job_id 0
// and attempt 0 in later samples and results are bound to that lease; the
// session stops at the first message the service would refuse.
// agent_message_fuzzer covers the service itself; this one covers the
// validation and SQL below it with far more inputs per second.
//
// A finding is a crash, leak or UB, or a broken contract: a check failing
// with another code than INVALID_ARGUMENT, a store call on valid input
// failing other than PERMISSION_DENIED (someone else's lease), or a stored
// result whose samples cannot be read back.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "absl/time/clock.h"
#include "coordinator/message_check.h"
#include "coordinator/result_summary.h"
#include "coordinator/sqlite_store.h"
#include "coordinator/sweep_spec.h"
#include "fuzz/agent_message_framing.h"

namespace benchfleet::fuzz {
namespace {

constexpr size_t kMaxMessages = 64;
constexpr int kMaxSamplesPerBatch = 10000;  // AgentServiceOptions' default

[[noreturn]] void Fail(const std::string& what, const absl::Status& status) {
  std::fprintf(stderr, "message_store_fuzzer: %s: %s\n", what.c_str(),
               status.ToString().c_str());
  std::fflush(stderr);
  std::abort();
}

void ExpectInvalidArgument(const absl::Status& status, const char* check) {
  if (status.code() != absl::StatusCode::kInvalidArgument)
    Fail(std::string(check) + " failed with a code other than INVALID_ARGUMENT",
         status);
}

// The store and a pool of pending jobs, one per session. Never destroyed.
struct World {
  std::unique_ptr<coordinator::SqliteStore> store;
  std::deque<int64_t> fresh_jobs;
};

World* MakeWorld() {
  QuietLogs();
  auto* world = new World;
  absl::StatusOr<std::unique_ptr<coordinator::SqliteStore>> store =
      coordinator::SqliteStore::Open(":memory:");
  if (!store.ok()) Fail("cannot open an in-memory store", store.status());
  world->store = std::move(*store);
  return world;
}

// A job id no session has leased yet; stores another 1000-job sweep when the
// pool is empty.
int64_t FreshJob(World& world) {
  if (world.fresh_jobs.empty()) {
    v1::SweepSpec spec;
    spec.set_name("fuzz");
    spec.add_models("resnet18");
    for (int batch = 1; batch <= 10; ++batch) spec.add_batch_sizes(batch);
    spec.set_repeat(100);
    absl::StatusOr<std::vector<v1::BenchmarkSpec>> jobs =
        coordinator::ExpandSweep(spec);
    if (!jobs.ok()) Fail("cannot expand the fuzz sweep", jobs.status());
    absl::StatusOr<int64_t> sweep =
        world.store->CreateSweep(spec, *jobs, absl::Now(), /*schedule=*/"");
    if (!sweep.ok()) Fail("cannot store the fuzz sweep", sweep.status());
    absl::StatusOr<v1::SweepStatus> status = world.store->GetSweep(*sweep);
    if (!status.ok()) Fail("cannot read the fuzz sweep back", status.status());
    for (const v1::JobInfo& job : status->jobs())
      world.fresh_jobs.push_back(job.job_id());
    if (world.fresh_jobs.empty())
      Fail("the fuzz sweep has no jobs", absl::OkStatus());
  }
  const int64_t job = world.fresh_jobs.front();
  world.fresh_jobs.pop_front();
  return job;
}

// Store errors allowed on input that passed validation: only someone else's
// (or no) lease.
void ExpectStored(const absl::Status& status, const char* call) {
  if (!status.ok() && status.code() != absl::StatusCode::kPermissionDenied)
    Fail(std::string(call) + " failed on validated input", status);
}

void RunSession(World& world, std::vector<v1::AgentMessage> messages) {
  if (messages.empty() || !messages[0].has_hello()) return;
  const v1::Hello& hello = messages[0].hello();
  if (absl::Status ok = coordinator::CheckHello(hello); !ok.ok()) {
    ExpectInvalidArgument(ok, "CheckHello");
    return;
  }
  const std::string& agent_id = hello.agent_id();
  coordinator::Store& store = *world.store;
  if (absl::Status ok = store.UpsertAgent(hello, absl::Now()); !ok.ok())
    Fail("UpsertAgent failed on a valid hello", ok);
  const int64_t job_id = FreshJob(world);
  constexpr int32_t kAttempt = 1;
  if (absl::Status ok =
          store.RecordLease(job_id, kAttempt, agent_id, absl::Now());
      !ok.ok())
    Fail("RecordLease failed for a fresh job", ok);

  bool job_ended = false;
  for (size_t i = 1; i < messages.size(); ++i) {
    v1::AgentMessage& message = messages[i];
    if (message.has_samples()) {
      v1::SampleBatch& batch = *message.mutable_samples();
      for (v1::Sample& s : *batch.mutable_samples()) {
        if (s.job_id() == 0) s.set_job_id(job_id);
        if (s.attempt() == 0) s.set_attempt(kAttempt);
      }
      if (absl::Status ok =
              coordinator::CheckSamples(batch, kMaxSamplesPerBatch);
          !ok.ok()) {
        ExpectInvalidArgument(ok, "CheckSamples");
        break;
      }
      if (batch.samples().empty()) continue;
      const absl::Status added = store.AddSamples(
          agent_id, {batch.samples().begin(), batch.samples().end()});
      ExpectStored(added, "AddSamples");
      if (!added.ok()) break;
    } else if (message.has_result()) {
      v1::JobResult result = message.result();
      if (result.job_id() == 0) result.set_job_id(job_id);
      if (result.attempt() == 0) result.set_attempt(kAttempt);
      if (absl::Status ok = coordinator::CheckResult(result); !ok.ok()) {
        ExpectInvalidArgument(ok, "CheckResult");
        break;
      }
      if (result.status() == v1::JOB_STATUS_OK) {
        absl::StatusOr<std::vector<v1::Sample>> samples =
            store.AttemptSamples(agent_id, result.job_id(), result.attempt());
        ExpectStored(samples.status(), "AttemptSamples");
        if (!samples.ok()) break;
        if (absl::Status ok = coordinator::RecomputeSummary(*samples, result);
            !ok.ok()) {
          ExpectInvalidArgument(ok, "RecomputeSummary");
          break;
        }
      }
      result.set_agent_id(agent_id);
      absl::StatusOr<bool> stored =
          store.StoreResult(agent_id, result, absl::Now());
      ExpectStored(stored.status(), "StoreResult");
      if (!stored.ok()) break;
      if (result.job_id() == job_id) job_ended = true;
      // A stored result's samples must read back, all of its attempt.
      absl::StatusOr<std::vector<v1::Sample>> samples =
          store.ResultSamples(result.job_id());
      if (!samples.ok())
        Fail("ResultSamples failed for a stored result", samples.status());
      for (const v1::Sample& s : *samples)
        if (s.job_id() != result.job_id() || s.attempt() != result.attempt())
          Fail("ResultSamples returned another attempt's sample",
               absl::InternalError(s.ShortDebugString()));
    } else if (!message.has_heartbeat()) {
      break;  // goodbye, a second hello, or an empty message ends the session
    }
  }
  if (!job_ended) {
    // What the scheduler does for a lost agent.
    if (absl::Status ok = store.ReturnToPending(job_id, "fuzz session ended");
        !ok.ok())
      Fail("ReturnToPending failed for a leased job", ok);
  }
}

}  // namespace
}  // namespace benchfleet::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace benchfleet::fuzz;
  static World* world = MakeWorld();
  RunSession(*world,
             DecodeAgentMessages(
                 absl::string_view(reinterpret_cast<const char*>(data), size),
                 kMaxMessages));
  return 0;
}
