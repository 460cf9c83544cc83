// Fault: the coordinator's database is locked by another process, or its
// disk is full. Ingest pauses with a clear error in the coordinator's log,
// nothing is acknowledged that was not stored, agents reconnect and replay,
// and once the fault is gone the sweep completes and the database passes
// PRAGMA integrity_check.
//
// "Locked": the test holds BEGIN EXCLUSIVE on the database for longer than
// the coordinator's busy timeout. "Full": SQLite's max_page_count is a
// per-connection setting, so lowering it from the test's connection does
// not limit the coordinator's; instead the test lowers the coordinator
// process's file size limit (RLIMIT_FSIZE, with prlimit(2)), so its writes
// past the current end of the database files fail as on a full disk, then
// raises it again.
#include <signal.h>
#include <sqlite3.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <iostream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "tests/fleet_harness.h"

namespace benchfleet::testing {
namespace {

constexpr int kJobs = 6;
constexpr int kSamples = 40;   // per job
constexpr int kSampleMs = 50;  // a job lasts 2 s

int64_t FileSize(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0 ? st.st_size : 0;
}

class DbFaultTest : public FleetTest {
 protected:
  void StartFleet(std::vector<std::string> coordinator_flags) {
    CoordinatorFlags coordinator;
    coordinator.extra = std::move(coordinator_flags);
    ASSERT_NO_FATAL_FAILURE(StartCoordinator(coordinator));
    AgentFlags flags;
    flags.samples = kSamples;
    flags.sample_ms = kSampleMs;
    for (const char* id : {"a", "b"})
      ASSERT_NO_FATAL_FAILURE(StartAgent(id, flags));
    for (const char* id : {"a", "b"})
      ASSERT_TRUE(WaitForConnected(id, 1, absl::Seconds(30)))
          << ReadFile(agent_log(id));
    sweep_ = SubmitSimulatedSweep("db-fault", kJobs);
    // Mid-sweep: a result acknowledged and samples streaming.
    ASSERT_TRUE(
        WaitFor([&] { return Acknowledged().size() >= 1; }, absl::Seconds(30)));
    ASSERT_TRUE(WaitForLease(sweep_, {}, absl::Seconds(10)).has_value());
  }

  std::set<Attempt> Acknowledged() const {
    std::set<Attempt> all;
    for (const char* id : {"a", "b"}) {
      std::set<Attempt> acked = AcknowledgedResults(id);
      all.insert(acked.begin(), acked.end());
    }
    return all;
  }

  // (job, attempt) of every stored result, read on `db`.
  static std::set<Attempt> StoredResults(sqlite3* db) {
    std::set<Attempt> stored;
    sqlite3_stmt* stmt = nullptr;
    sqlite3_prepare_v2(db, "SELECT job_id, attempt FROM results", -1, &stmt,
                       nullptr);
    while (sqlite3_step(stmt) == SQLITE_ROW)
      stored.insert(
          {sqlite3_column_int64(stmt, 0), sqlite3_column_int(stmt, 1)});
    sqlite3_finalize(stmt);
    return stored;
  }

  void ExpectAcknowledgedAreStored(const std::set<Attempt>& acked,
                                   const std::set<Attempt>& stored) {
    for (const Attempt& a : acked)
      EXPECT_TRUE(stored.count(a))
          << "job " << a.first << " attempt " << a.second
          << " was acknowledged but is not stored";
  }

  void ExpectIntact() { EXPECT_EQ(QueryDb("PRAGMA integrity_check"), "ok"); }

  // Whether an agent has reconnected since it started.
  bool SomeAgentReconnected() {
    return WaitForConnected("a", 2, absl::ZeroDuration()) ||
           WaitForConnected("b", 2, absl::ZeroDuration());
  }

  int64_t sweep_ = 0;
};

TEST_F(DbFaultTest, LockedDatabasePausesIngestUntilReleased) {
  // The hold outlasts the coordinator's busy timeout (5 s by default).
  ASSERT_NO_FATAL_FAILURE(StartFleet({}));
  constexpr absl::Duration kHold = absl::Seconds(8);

  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open_v2(db_.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr),
            SQLITE_OK);
  sqlite3_busy_timeout(db, 10000);
  ASSERT_EQ(sqlite3_exec(db, "BEGIN EXCLUSIVE", nullptr, nullptr, nullptr),
            SQLITE_OK)
      << sqlite3_errmsg(db);
  const absl::Time locked = absl::Now();
  EXPECT_TRUE(WaitFor(
      [&] {
        const std::string log = ReadFile(coordinator_log());
        return absl::StrContains(log, "ingest paused") &&
               absl::StrContains(log, "database is locked");
      },
      kHold))
      << ReadFile(coordinator_log());
  absl::SleepFor(locked + kHold - absl::Now());
  // Nothing can commit while the lock is held, so every acknowledgement the
  // agents have seen so far is for a result that is stored.
  const std::set<Attempt> acked = Acknowledged();
  const std::set<Attempt> stored = StoredResults(db);
  ExpectAcknowledgedAreStored(acked, stored);
  std::cout << "while locked: acknowledged " << acked.size() << ", stored "
            << stored.size() << "\n";
  ASSERT_EQ(sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(db);

  WaitForSweepDone(sweep_, absl::Seconds(40));
  ExpectCompleteAndExact(sweep_, kSamples);
  EXPECT_TRUE(SomeAgentReconnected());
  ExpectIntact();
}

TEST_F(DbFaultTest, FullDiskPausesIngestUntilThereIsRoom) {
  // The coordinator inherits the disposition: a write past the limit then
  // fails with EFBIG instead of killing the process.
  signal(SIGXFSZ, SIG_IGN);
  ASSERT_NO_FATAL_FAILURE(StartFleet({}));
  const int64_t limit = std::max({FileSize(db_ + "-wal"), FileSize(db_),
                                  FileSize(coordinator_log()) + (64 << 10)});
  rlimit room{};
  ASSERT_EQ(prlimit(coordinator().pid(), RLIMIT_FSIZE, nullptr, &room), 0)
      << strerror(errno);
  rlimit full{static_cast<rlim_t>(limit), room.rlim_max};
  ASSERT_EQ(prlimit(coordinator().pid(), RLIMIT_FSIZE, &full, nullptr), 0)
      << strerror(errno);

  EXPECT_TRUE(WaitFor(
      [&] {
        const std::string log = ReadFile(coordinator_log());
        return absl::StrContains(log, "ingest paused") &&
               absl::StrContains(log, "database or disk is full");
      },
      absl::Seconds(20)))
      << ReadFile(coordinator_log());
  absl::SleepFor(absl::Seconds(2));
  // Read the acknowledgements first: whatever they name was stored before.
  const std::set<Attempt> acked = Acknowledged();
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open_v2(db_.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr),
            SQLITE_OK);
  sqlite3_busy_timeout(db, 10000);
  const std::set<Attempt> stored = StoredResults(db);
  sqlite3_close(db);
  ExpectAcknowledgedAreStored(acked, stored);
  std::cout << "while full: acknowledged " << acked.size() << ", stored "
            << stored.size() << "\n";
  EXPECT_LT(stored.size(), static_cast<size_t>(kJobs))
      << "the fault came too late";

  ASSERT_EQ(prlimit(coordinator().pid(), RLIMIT_FSIZE, &room, nullptr), 0)
      << strerror(errno);
  WaitForSweepDone(sweep_, absl::Seconds(40));
  ExpectCompleteAndExact(sweep_, kSamples);
  EXPECT_TRUE(SomeAgentReconnected());
  ExpectIntact();
}

}  // namespace
}  // namespace benchfleet::testing
