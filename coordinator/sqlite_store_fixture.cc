#include "coordinator/sqlite_store_fixture.h"

#include <cstdio>
#include <cstdlib>
#include <utility>

namespace benchfleet::coordinator::sqlite_test {

v1::Hello HelloFrom(const std::string& agent_id, const v1::HardwareReport& hw) {
  v1::Hello hello;
  hello.set_agent_id(agent_id);
  *hello.mutable_hardware() = hw;
  return hello;
}

std::string TestDbPath() {
  const char* tmp = std::getenv("TEST_TMPDIR");
  const std::string dir = tmp ? tmp : "/tmp";
  const std::string path =
      dir + "/" +
      ::testing::UnitTest::GetInstance()->current_test_info()->name() + ".db";
  for (const char* suffix : {"", "-wal", "-shm"})
    std::remove((path + suffix).c_str());
  return path;
}

std::unique_ptr<SqliteStore> OpenOrDie(const std::string& path) {
  absl::StatusOr<std::unique_ptr<SqliteStore>> store = SqliteStore::Open(path);
  EXPECT_TRUE(store.ok()) << store.status();
  return store.ok() ? std::move(store).value() : nullptr;
}

v1::BenchmarkSpec Spec(const std::string& model, int batch) {
  v1::BenchmarkSpec spec;
  spec.set_model(model);
  spec.set_batch_size(batch);
  return spec;
}

v1::SweepSpec Sweep(const std::string& name) {
  v1::SweepSpec spec;
  spec.set_name(name);
  return spec;
}

v1::Sample MakeSample(int64_t job, int32_t attempt, int64_t sequence,
                      int64_t duration_ns) {
  v1::Sample s;
  s.set_job_id(job);
  s.set_attempt(attempt);
  s.set_sequence(sequence);
  s.set_phase(v1::PHASE_STEP);
  s.set_duration_ns(duration_ns);
  return s;
}

v1::JobResult Result(int64_t job, int32_t attempt,
                     v1::JobStatus status) {
  v1::JobResult r;
  r.set_job_id(job);
  r.set_attempt(attempt);
  r.set_status(status);
  r.mutable_step()->set_median_ms(12.5);
  return r;
}

std::vector<int64_t> Durations(const std::vector<v1::Sample>& samples) {
  std::vector<int64_t> out;
  for (const auto& s : samples) out.push_back(s.duration_ns());
  return out;
}

}  // namespace benchfleet::coordinator::sqlite_test
