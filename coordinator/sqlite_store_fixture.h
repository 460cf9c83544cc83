// What the SqliteStore tests share: a fresh database per test, the specs,
// samples and results they write, and a fixture with an open store.
#ifndef BENCHFLEET_COORDINATOR_SQLITE_STORE_FIXTURE_H_
#define BENCHFLEET_COORDINATOR_SQLITE_STORE_FIXTURE_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "coordinator/sqlite_store.h"
#include "gtest/gtest.h"

namespace benchfleet::coordinator::sqlite_test {

inline const absl::Time kNow = absl::FromUnixMillis(1700000000000);

v1::Hello HelloFrom(const std::string& agent_id, const v1::HardwareReport& hw);

// A fresh database file per test, under the test's private temp directory.
std::string TestDbPath();

// The store at `path`, or null after a test failure saying why.
std::unique_ptr<SqliteStore> OpenOrDie(const std::string& path);

v1::BenchmarkSpec Spec(const std::string& model, int batch);
v1::SweepSpec Sweep(const std::string& name);
// A step sample of one iteration.
v1::Sample MakeSample(int64_t job, int32_t attempt, int64_t sequence,
                      int64_t duration_ns);
// A result with a step median of 12.5 ms.
v1::JobResult Result(int64_t job, int32_t attempt,
                     v1::JobStatus status = v1::JOB_STATUS_OK);
std::vector<int64_t> Durations(const std::vector<v1::Sample>& samples);

class SqliteStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = TestDbPath();
    store_ = OpenOrDie(path_);
    ASSERT_NE(store_, nullptr);
  }

  // Creates a sweep of `n` resnet50 jobs; returns its id and job ids.
  int64_t CreateSweep(const std::string& name, int n,
                      std::vector<int64_t>* job_ids = nullptr) {
    std::vector<v1::BenchmarkSpec> jobs;
    for (int i = 0; i < n; ++i) jobs.push_back(Spec("resnet50", i + 1));
    absl::StatusOr<int64_t> id = store_->CreateSweep(Sweep(name), jobs, kNow, "");
    EXPECT_TRUE(id.ok()) << id.status();
    if (!id.ok()) return 0;
    if (job_ids) {
      absl::StatusOr<v1::SweepStatus> status = store_->GetSweep(*id);
      EXPECT_TRUE(status.ok()) << status.status();
      job_ids->clear();
      for (const auto& job : status->jobs()) job_ids->push_back(job.job_id());
    }
    return *id;
  }

  v1::JobInfo Job(int64_t sweep_id, int index) {
    absl::StatusOr<v1::SweepStatus> status = store_->GetSweep(sweep_id);
    EXPECT_TRUE(status.ok()) << status.status();
    return status->jobs(index);
  }

  std::string path_;
  std::unique_ptr<SqliteStore> store_;
};

}  // namespace benchfleet::coordinator::sqlite_test

#endif  // BENCHFLEET_COORDINATOR_SQLITE_STORE_FIXTURE_H_
