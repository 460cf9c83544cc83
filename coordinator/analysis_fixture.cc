#include "coordinator/analysis_fixture.h"

#include <cmath>
#include <memory>
#include <vector>

#include "analysis/fleet_fixture.h"
#include "base/status_macros.h"
#include "coordinator/sqlite_store.h"

namespace benchfleet::coordinator {
namespace {

using analysis::fixture::Models;
using analysis::fixture::Result;

constexpr int kSteps = 20;

// Stores `results` as one sweep started at `when`: each job leased to
// agent-a, its step samples spread +-0.4% around the result's median, and
// its result.
absl::Status AddSweep(SqliteStore& store, const std::string& name,
                      const std::string& schedule, absl::Time when,
                      std::vector<v1::JobResult> results) {
  v1::SweepSpec spec;
  spec.set_name(name);
  std::vector<v1::BenchmarkSpec> jobs;
  for (const v1::JobResult& r : results) jobs.push_back(r.spec());
  ASSIGN_OR_RETURN(int64_t sweep_id, store.CreateSweep(spec, jobs, when, schedule));
  ASSIGN_OR_RETURN(v1::SweepStatus sweep, store.GetSweep(sweep_id));
  for (size_t i = 0; i < results.size(); ++i) {
    v1::JobResult& r = results[i];
    const int64_t job = sweep.jobs(static_cast<int>(i)).job_id();
    r.set_job_id(job);
    r.set_attempt(1);
    r.set_started_unix_ms(absl::ToUnixMillis(when));
    r.set_finished_unix_ms(absl::ToUnixMillis(when + absl::Minutes(1)));
    RETURN_IF_ERROR(store.RecordLease(job, 1, "agent-a", when));
    if (r.status() == v1::JOB_STATUS_OK) {
      std::vector<v1::Sample> samples;
      for (int k = 0; k < kSteps; ++k) {
        v1::Sample s;
        s.set_job_id(job);
        s.set_attempt(1);
        s.set_sequence(k);
        s.set_phase(v1::PHASE_STEP);
        const double ms = r.step().median_ms() * (1 + 0.002 * ((k * 7) % 5 - 2));
        s.set_duration_ns(static_cast<int64_t>(std::llround(ms * 1e6)));
        samples.push_back(s);
      }
      RETURN_IF_ERROR(store.AddSamples("agent-a", samples));
    }
    ASSIGN_OR_RETURN(bool stored, store.StoreResult("agent-a", r, when));
    if (!stored) return absl::InternalError("fixture result stored twice");
  }
  return absl::OkStatus();
}

std::vector<v1::JobResult> Demo() {
  std::vector<v1::JobResult> results = analysis::fixture::FleetResults();
  for (v1::JobResult& r : results)
    r.mutable_provenance()->set_libtorch_version("1.13.1");
  return results;
}

std::vector<v1::JobResult> Nightly(int run) {
  const double jitter = 1 + 0.002 * (run % 3);  // run-to-run noise
  const double vgg19 = (run >= 5 ? 32 : 40) * jitter;  // GFLOP/s
  const double resnet50 = (run == 8 ? 30.8 : 40) * jitter;
  std::vector<v1::JobResult> results = {
      Result(0, Models()[0], 1, v1::MODE_INFERENCE, v1::DEVICE_KIND_CPU, resnet50),
      Result(0, Models()[2], 1, v1::MODE_INFERENCE, v1::DEVICE_KIND_CPU, vgg19)};
  for (v1::JobResult& r : results)
    r.mutable_provenance()->set_libtorch_version(run == 8 ? "2.1.0" : "1.13.1");
  return results;
}

}  // namespace

absl::Status SeedAnalysisStore(const std::string& db_path) {
  ASSIGN_OR_RETURN(std::unique_ptr<SqliteStore> store, SqliteStore::Open(db_path));
  v1::Hello hello;
  hello.set_agent_id("agent-a");
  *hello.mutable_hardware() = analysis::fixture::Hardware();
  RETURN_IF_ERROR(store->UpsertAgent(hello, kFixtureStart));
  absl::Time when = kFixtureStart;
  RETURN_IF_ERROR(AddSweep(*store, "demo", "", when, Demo()));
  for (int run = 1; run <= 8; ++run) {
    when += absl::Hours(24);
    RETURN_IF_ERROR(AddSweep(*store, "nightly", "nightly", when, Nightly(run)));
  }
  when += absl::Hours(24);
  return AddSweep(*store, "demo", "", when, Demo());
}

}  // namespace benchfleet::coordinator
