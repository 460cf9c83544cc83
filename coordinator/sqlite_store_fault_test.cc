// SqliteStore under faults: a database locked by another process, and a
// full disk.
#include "coordinator/sqlite_store.h"

#include <signal.h>
#include <sqlite3.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "coordinator/sqlite_store_fixture.h"
#include "gtest/gtest.h"

namespace benchfleet::coordinator::sqlite_test {
namespace {

// Another process holds the write lock: a write waits for the configured
// busy timeout, then fails with UNAVAILABLE and stores nothing.
TEST(SqliteStoreFaultTest, WriteWhileLockedWaitsBusyTimeoutThenIsUnavailable) {
  const std::string path = TestDbPath();
  absl::StatusOr<std::unique_ptr<SqliteStore>> store =
      SqliteStore::Open(path, absl::Milliseconds(200));
  ASSERT_TRUE(store.ok()) << store.status();
  absl::StatusOr<int64_t> sweep =
      (*store)->CreateSweep(Sweep("s"), {Spec("resnet50", 1)}, kNow, "");
  ASSERT_TRUE(sweep.ok());
  absl::StatusOr<v1::SweepStatus> status = (*store)->GetSweep(*sweep);
  ASSERT_TRUE(status.ok());
  const int64_t job = status->jobs(0).job_id();
  ASSERT_TRUE((*store)->RecordLease(job, 1, "a", kNow).ok());

  sqlite3* other = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &other), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(other, "BEGIN EXCLUSIVE", nullptr, nullptr, nullptr), SQLITE_OK);
  const absl::Time start = absl::Now();
  absl::Status added = (*store)->AddSamples("a", {MakeSample(job, 1, 0, 10)});
  const absl::Duration waited = absl::Now() - start;
  EXPECT_EQ(added.code(), absl::StatusCode::kUnavailable) << added;
  EXPECT_NE(added.message().find("database is locked"), absl::string_view::npos) << added;
  EXPECT_GE(waited, absl::Milliseconds(150));
  EXPECT_LT(waited, absl::Seconds(3));
  ASSERT_EQ(sqlite3_exec(other, "ROLLBACK", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(other);

  // Released: the retry is stored once.
  ASSERT_TRUE((*store)->AddSamples("a", {MakeSample(job, 1, 0, 10)}).ok());
  ASSERT_TRUE((*store)->StoreResult("a", Result(job, 1), kNow).value());
  absl::StatusOr<std::vector<v1::Sample>> samples = (*store)->ResultSamples(job);
  ASSERT_TRUE(samples.ok());
  EXPECT_EQ(samples->size(), 1u);
}

// Writes past the file size limit fail (EFBIG, which SQLite reports as an
// I/O error): UNAVAILABLE, "database or disk is full", nothing half-stored,
// and writes succeed again once there is room.
TEST(SqliteStoreFaultTest, WriteWithoutRoomSaysDiskFullAndRecovers) {
  const std::string path = TestDbPath();
  std::unique_ptr<SqliteStore> store = OpenOrDie(path);
  ASSERT_NE(store, nullptr);
  std::vector<v1::BenchmarkSpec> specs(20, Spec("resnet50", 1));
  absl::StatusOr<int64_t> sweep = store->CreateSweep(Sweep("s"), specs, kNow, "");
  ASSERT_TRUE(sweep.ok());
  absl::StatusOr<v1::SweepStatus> status = store->GetSweep(*sweep);
  ASSERT_TRUE(status.ok());
  const int64_t job = status->jobs(0).job_id();
  ASSERT_TRUE(store->RecordLease(job, 1, "a", kNow).ok());

  struct stat wal;
  ASSERT_EQ(stat((path + "-wal").c_str(), &wal), 0);
  signal(SIGXFSZ, SIG_IGN);
  rlimit saved;
  ASSERT_EQ(getrlimit(RLIMIT_FSIZE, &saved), 0);
  rlimit full{static_cast<rlim_t>(wal.st_size), saved.rlim_max};
  ASSERT_EQ(setrlimit(RLIMIT_FSIZE, &full), 0);
  std::vector<v1::Sample> batch;
  for (int i = 0; i < 500; ++i) batch.push_back(MakeSample(job, 1, i, 10 + i));
  absl::Status added = store->AddSamples("a", batch);
  ASSERT_EQ(setrlimit(RLIMIT_FSIZE, &saved), 0);
  EXPECT_EQ(added.code(), absl::StatusCode::kUnavailable) << added;
  EXPECT_NE(added.message().find("database or disk is full"), absl::string_view::npos)
      << added;

  ASSERT_TRUE(store->StoreResult("a", Result(job, 1), kNow).value());
  absl::StatusOr<std::vector<v1::Sample>> samples = store->ResultSamples(job);
  ASSERT_TRUE(samples.ok()) << samples.status();
  EXPECT_TRUE(samples->empty()) << "the failed batch was rolled back";
  ASSERT_TRUE(store->AddSamples("a", batch).ok());
  samples = store->ResultSamples(job);
  ASSERT_TRUE(samples.ok());
  EXPECT_EQ(samples->size(), batch.size());
}

}  // namespace
}  // namespace benchfleet::coordinator::sqlite_test
