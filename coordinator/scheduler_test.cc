#include "coordinator/scheduler.h"

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "base/clock.h"
#include "coordinator/sqlite_store.h"
#include "base/fake_clock.h"
#include "gtest/gtest.h"

namespace benchfleet::coordinator {
namespace {

// "Has not returned yet" is checked after this long; it never decides
// whether something is correct, only that a call is still blocked.
constexpr absl::Duration kStillBlocked = absl::Milliseconds(100);
// Generous bound for a call that must return: it only guards against hangs.
constexpr absl::Duration kMustReturn = absl::Seconds(10);

v1::Hello HelloFrom(const std::string& agent_id) {
  v1::Hello hello;
  hello.set_agent_id(agent_id);
  return hello;
}

// The lease in the scheduler's next message, nullopt when there is none.
std::optional<v1::Lease> NextLease(Scheduler& scheduler,
                                   Scheduler::Session* session) {
  std::optional<v1::CoordinatorMessage> message = scheduler.NextMessage(session);
  if (!message || !message->has_lease()) return std::nullopt;
  return message->lease();
}

// Runs NextLease on its own thread, so a test can see whether it blocks.
class AsyncLease {
 public:
  AsyncLease(Scheduler* scheduler, Scheduler::Session* session)
      : scheduler_(scheduler), thread_([this, session] {
          lease_ = NextLease(*scheduler_, session);
          done_.Notify();
        }) {}
  // If a failed test left the call blocked, wake it rather than hang.
  ~AsyncLease() {
    if (!done_.HasBeenNotified()) scheduler_->Shutdown();
    thread_.join();
  }

  bool ReturnedWithin(absl::Duration timeout) {
    return done_.WaitForNotificationWithTimeout(timeout);
  }
  // Only after ReturnedWithin() said true.
  const std::optional<v1::Lease>& lease() const { return lease_; }

 private:
  Scheduler* const scheduler_;
  std::optional<v1::Lease> lease_;
  absl::Notification done_;
  std::thread thread_;  // last: starts once the members above exist
};

class SchedulerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* tmp = std::getenv("TEST_TMPDIR");
    path_ = std::string(tmp ? tmp : "/tmp") + "/" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name() +
            ".db";
    for (const char* suffix : {"", "-wal", "-shm"})
      std::remove((path_ + suffix).c_str());
    Start();
  }

  void TearDown() override {
    if (scheduler_) scheduler_->Shutdown();
  }

  // (Re)starts the coordinator's state as a process start would: open the
  // store, make a scheduler, recover.
  void Start() {
    absl::StatusOr<std::unique_ptr<SqliteStore>> store = SqliteStore::Open(path_);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = std::move(store).value();
    scheduler_ = std::make_unique<Scheduler>(store_.get(), &clock_, options_);
    ASSERT_TRUE(scheduler_->Recover().ok());
  }

  // Simulates a crash: everything in memory is lost, the file stays.
  void Restart() {
    scheduler_.reset();
    store_.reset();
    Start();
  }

  // Stores a sweep of `n` jobs (batch sizes 1..n), queues it and returns the
  // job ids in order.
  std::vector<int64_t> AddSweep(int n) {
    v1::SweepSpec sweep;
    sweep.set_name("s");
    std::vector<v1::BenchmarkSpec> specs;
    for (int i = 0; i < n; ++i) {
      v1::BenchmarkSpec spec;
      spec.set_model("resnet18");
      spec.set_batch_size(i + 1);
      specs.push_back(spec);
    }
    absl::StatusOr<int64_t> id = store_->CreateSweep(sweep, specs, clock_.Now(), "");
    EXPECT_TRUE(id.ok()) << id.status();
    absl::StatusOr<v1::SweepStatus> status = store_->GetSweep(id.value_or(0));
    EXPECT_TRUE(status.ok()) << status.status();
    if (!status.ok()) return {};
    scheduler_->AddJobs(*status);
    std::vector<int64_t> ids;
    for (const auto& job : status->jobs()) ids.push_back(job.job_id());
    return ids;
  }

  // The job's row as the store has it.
  JobRecord StoredJob(int64_t job_id) {
    absl::StatusOr<std::vector<JobRecord>> open = store_->LoadOpenJobs();
    EXPECT_TRUE(open.ok()) << open.status();
    if (open.ok())
      for (const JobRecord& job : *open)
        if (job.job_id == job_id) return job;
    // Finished jobs are not open; find them through their sweep.
    for (int64_t sweep_id = 1; sweep_id < 100; ++sweep_id) {
      absl::StatusOr<v1::SweepStatus> sweep = store_->GetSweep(sweep_id);
      if (!sweep.ok()) break;
      for (const v1::JobInfo& info : sweep->jobs()) {
        if (info.job_id() != job_id) continue;
        JobRecord job;
        job.job_id = info.job_id();
        job.sweep_id = sweep_id;
        job.spec = info.spec();
        job.state = info.state();
        job.attempt = info.attempt();
        job.agent_id = info.agent_id();
        job.error = info.error();
        return job;
      }
    }
    ADD_FAILURE() << "no job " << job_id;
    return {};
  }

  // A lease that must be available now.
  v1::Lease LeaseNow(Scheduler::Session* session) {
    AsyncLease next(scheduler_.get(), session);
    EXPECT_TRUE(next.ReturnedWithin(kMustReturn));
    EXPECT_TRUE(next.lease().has_value());
    return next.lease().value_or(v1::Lease());
  }

  // Stores an OK result for `lease` as `agent_id` and tells the scheduler.
  void Finish(Scheduler::Session* session, const v1::Lease& lease) {
    v1::JobResult result;
    result.set_job_id(lease.job_id());
    result.set_attempt(lease.attempt());
    result.set_status(v1::JOB_STATUS_OK);
    absl::StatusOr<bool> stored =
        store_->StoreResult(session->agent_id, result, clock_.Now());
    ASSERT_TRUE(stored.ok()) << stored.status();
    EXPECT_TRUE(*stored);
    scheduler_->JobEnded(session, lease.job_id());
  }

  std::string path_;
  FakeClock clock_;
  SchedulerOptions options_;
  std::unique_ptr<SqliteStore> store_;
  std::unique_ptr<Scheduler> scheduler_;
};

// Oldest first within a sweep; concurrent sweeps take turns, so a long
// sweep does not starve a short one submitted after it.
TEST_F(SchedulerTest, LeasesOldestFirstWithinASweepAndSweepsInTurn) {
  const std::vector<int64_t> first = AddSweep(2);
  const std::vector<int64_t> second = AddSweep(1);
  std::vector<int64_t> leased;
  for (const char* agent : {"a", "b", "c"}) {
    auto session = scheduler_->Open(HelloFrom(agent));
    const v1::Lease lease = LeaseNow(session.get());
    EXPECT_EQ(lease.attempt(), 1);
    leased.push_back(lease.job_id());
    // The lease carries the stored spec, and the store knows the holder.
    EXPECT_EQ(StoredJob(lease.job_id()).spec.batch_size(),
              lease.spec().batch_size());
    EXPECT_EQ(StoredJob(lease.job_id()).state, v1::JOB_STATE_LEASED);
    EXPECT_EQ(StoredJob(lease.job_id()).agent_id, agent);
  }
  EXPECT_EQ(leased, std::vector<int64_t>({first[0], second[0], first[1]}));
}

TEST_F(SchedulerTest, SessionHoldsOneJobAtATime) {
  const std::vector<int64_t> jobs = AddSweep(2);
  auto session = scheduler_->Open(HelloFrom("a"));
  const v1::Lease first = LeaseNow(session.get());
  EXPECT_EQ(first.job_id(), jobs[0]);

  // A job is pending, but the session is busy: NextLease must wait.
  AsyncLease next(scheduler_.get(), session.get());
  EXPECT_FALSE(next.ReturnedWithin(kStillBlocked));
  EXPECT_EQ(scheduler_->RunningJob("a"), jobs[0]);

  Finish(session.get(), first);
  ASSERT_TRUE(next.ReturnedWithin(kMustReturn));
  ASSERT_TRUE(next.lease().has_value());
  EXPECT_EQ(next.lease()->job_id(), jobs[1]);
  EXPECT_EQ(next.lease()->attempt(), 1);
  EXPECT_EQ(scheduler_->RunningJob("a"), jobs[1]);
}

// Agents replay unacknowledged results after a reconnect; a replay for an
// earlier job must not make a busy session take a second job.
TEST_F(SchedulerTest, ReplayedResultOfEarlierJobDoesNotFreeTheSession) {
  const std::vector<int64_t> jobs = AddSweep(3);
  auto session = scheduler_->Open(HelloFrom("a"));
  const v1::Lease first = LeaseNow(session.get());
  Finish(session.get(), first);
  ASSERT_EQ(LeaseNow(session.get()).job_id(), jobs[1]);

  AsyncLease next(scheduler_.get(), session.get());
  v1::JobResult replay;
  replay.set_job_id(first.job_id());
  replay.set_attempt(first.attempt());
  replay.set_status(v1::JOB_STATUS_OK);
  EXPECT_FALSE(store_->StoreResult("a", replay, clock_.Now()).value());
  scheduler_->JobEnded(session.get(), first.job_id());
  EXPECT_FALSE(next.ReturnedWithin(kStillBlocked));
  EXPECT_EQ(scheduler_->RunningJob("a"), jobs[1]);

  scheduler_->JobEnded(session.get(), jobs[1]);
  ASSERT_TRUE(next.ReturnedWithin(kMustReturn));
  ASSERT_TRUE(next.lease().has_value());
  EXPECT_EQ(next.lease()->job_id(), jobs[2]);
}

TEST_F(SchedulerTest, IdleSessionWaitsForNewJobs) {
  auto session = scheduler_->Open(HelloFrom("a"));
  AsyncLease next(scheduler_.get(), session.get());
  EXPECT_FALSE(next.ReturnedWithin(kStillBlocked));
  const std::vector<int64_t> jobs = AddSweep(1);
  ASSERT_TRUE(next.ReturnedWithin(kMustReturn));
  ASSERT_TRUE(next.lease().has_value());
  EXPECT_EQ(next.lease()->job_id(), jobs[0]);
}

TEST_F(SchedulerTest, CloseRequeuesLeasedJobFirstAsNextAttempt) {
  const std::vector<int64_t> jobs = AddSweep(2);
  auto a = scheduler_->Open(HelloFrom("a"));
  EXPECT_EQ(LeaseNow(a.get()).job_id(), jobs[0]);

  clock_.Advance(absl::Seconds(30));
  scheduler_->Close(a.get(), "missed heartbeats");
  EXPECT_FALSE(scheduler_->IsConnected("a"));
  EXPECT_EQ(StoredJob(jobs[0]).state, v1::JOB_STATE_PENDING);
  EXPECT_EQ(StoredJob(jobs[0]).attempt, 1);
  // A closed session gets no more work.
  EXPECT_FALSE(NextLease(*scheduler_, a.get()).has_value());

  // The lost job waited longest, so it goes before the never-leased one.
  auto b = scheduler_->Open(HelloFrom("b"));
  const v1::Lease retry = LeaseNow(b.get());
  EXPECT_EQ(retry.job_id(), jobs[0]);
  EXPECT_EQ(retry.attempt(), 2);
  EXPECT_EQ(StoredJob(jobs[0]).state, v1::JOB_STATE_LEASED);
  EXPECT_EQ(StoredJob(jobs[0]).attempt, 2);
  EXPECT_EQ(StoredJob(jobs[0]).agent_id, "b");
}

// An agent whose stream broke reconnects and delivers the result of the
// attempt that was requeued meanwhile: the job is done and must not run again.
TEST_F(SchedulerTest, LateResultOfRequeuedJobIsNotLeasedAgain) {
  const std::vector<int64_t> jobs = AddSweep(1);
  auto a = scheduler_->Open(HelloFrom("a"));
  const v1::Lease lost = LeaseNow(a.get());
  scheduler_->Close(a.get(), "stream broken");
  ASSERT_EQ(StoredJob(jobs[0]).state, v1::JOB_STATE_PENDING);

  auto a_again = scheduler_->Open(HelloFrom("a"));
  Finish(a_again.get(), lost);
  EXPECT_EQ(StoredJob(jobs[0]).state, v1::JOB_STATE_DONE);

  auto b = scheduler_->Open(HelloFrom("b"));
  AsyncLease next(scheduler_.get(), b.get());
  EXPECT_FALSE(next.ReturnedWithin(kStillBlocked));
  scheduler_->Shutdown();
  ASSERT_TRUE(next.ReturnedWithin(kMustReturn));
  EXPECT_FALSE(next.lease().has_value());
  EXPECT_EQ(StoredJob(jobs[0]).state, v1::JOB_STATE_DONE);
}

TEST_F(SchedulerTest, JobFailsAfterMaxAttemptsLost) {
  options_.max_attempts = 2;
  Restart();
  const std::vector<int64_t> jobs = AddSweep(2);

  auto a = scheduler_->Open(HelloFrom("agent-a"));
  ASSERT_EQ(LeaseNow(a.get()).attempt(), 1);
  scheduler_->Close(a.get(), "stream broken");
  EXPECT_EQ(StoredJob(jobs[0]).state, v1::JOB_STATE_PENDING);

  auto b = scheduler_->Open(HelloFrom("agent-b"));
  const v1::Lease second = LeaseNow(b.get());
  ASSERT_EQ(second.job_id(), jobs[0]);
  ASSERT_EQ(second.attempt(), 2);
  scheduler_->Close(b.get(), "missed heartbeats");

  const JobRecord failed = StoredJob(jobs[0]);
  EXPECT_EQ(failed.state, v1::JOB_STATE_FAILED);
  // The reason says which agent lost the last attempt, and why.
  EXPECT_NE(failed.error.find("agent-b"), std::string::npos) << failed.error;
  EXPECT_NE(failed.error.find("missed heartbeats"), std::string::npos)
      << failed.error;

  // The failed job is not leased again; the next one is.
  auto c = scheduler_->Open(HelloFrom("agent-c"));
  const v1::Lease next = LeaseNow(c.get());
  EXPECT_EQ(next.job_id(), jobs[1]);
  EXPECT_EQ(next.attempt(), 1);
}

// An agent stopped with SIGTERM hands its job back: it is leased again at
// once, and the hand-back is not a lost attempt (max_attempts = 1 would
// otherwise fail the job).
TEST_F(SchedulerTest, HandedBackJobIsRequeuedFirstWithoutCountingAsLost) {
  options_.max_attempts = 1;
  Restart();
  const std::vector<int64_t> jobs = AddSweep(2);
  auto a = scheduler_->Open(HelloFrom("agent-a"));
  ASSERT_EQ(LeaseNow(a.get()).job_id(), jobs[0]);
  scheduler_->HandBack(a.get(), "said goodbye");
  EXPECT_FALSE(scheduler_->IsConnected("agent-a"));
  EXPECT_EQ(StoredJob(jobs[0]).state, v1::JOB_STATE_PENDING);

  auto b = scheduler_->Open(HelloFrom("agent-b"));
  const v1::Lease again = LeaseNow(b.get());
  EXPECT_EQ(again.job_id(), jobs[0]);
  EXPECT_EQ(again.attempt(), 2);
  Finish(b.get(), again);
  EXPECT_EQ(StoredJob(jobs[0]).state, v1::JOB_STATE_DONE);
}

// A replayed result of attempt 1 arrives while attempt 2 runs elsewhere:
// the job is done, and the agent running attempt 2 is told to abandon it.
TEST_F(SchedulerTest, StoredResultCancelsTheAttemptRunningElsewhere) {
  const std::vector<int64_t> jobs = AddSweep(1);
  auto a = scheduler_->Open(HelloFrom("a"));
  const v1::Lease first = LeaseNow(a.get());
  scheduler_->Close(a.get(), "stream broken");
  auto b = scheduler_->Open(HelloFrom("b"));
  const v1::Lease second = LeaseNow(b.get());
  ASSERT_EQ(second.attempt(), 2);

  auto a_again = scheduler_->Open(HelloFrom("a"));
  Finish(a_again.get(), first);
  std::optional<v1::CoordinatorMessage> message = scheduler_->NextMessage(b.get());
  ASSERT_TRUE(message.has_value());
  ASSERT_TRUE(message->has_cancel()) << message->DebugString();
  EXPECT_EQ(message->cancel().job_id(), jobs[0]);

  // b's cancelled attempt ends without failing or reopening the job.
  scheduler_->Close(b.get(), "disconnected");
  EXPECT_EQ(StoredJob(jobs[0]).state, v1::JOB_STATE_DONE);
  EXPECT_EQ(StoredJob(jobs[0]).attempt, 1);
}

TEST_F(SchedulerTest, OpenWithSameAgentIdClosesOlderIdleSession) {
  auto old_session = scheduler_->Open(HelloFrom("a"));
  AsyncLease waiting(scheduler_.get(), old_session.get());
  EXPECT_FALSE(waiting.ReturnedWithin(kStillBlocked));

  auto new_session = scheduler_->Open(HelloFrom("a"));
  ASSERT_TRUE(waiting.ReturnedWithin(kMustReturn));
  EXPECT_FALSE(waiting.lease().has_value());
  EXPECT_TRUE(old_session->closed);
  EXPECT_FALSE(new_session->closed);
  EXPECT_TRUE(scheduler_->IsConnected("a"));
}

TEST_F(SchedulerTest, OpenWithSameAgentIdRequeuesOlderSessionsJob) {
  const std::vector<int64_t> jobs = AddSweep(1);
  auto old_session = scheduler_->Open(HelloFrom("a"));
  ASSERT_EQ(LeaseNow(old_session.get()).job_id(), jobs[0]);

  auto new_session = scheduler_->Open(HelloFrom("a"));
  EXPECT_FALSE(NextLease(*scheduler_, old_session.get()).has_value());
  const v1::Lease retry = LeaseNow(new_session.get());
  EXPECT_EQ(retry.job_id(), jobs[0]);
  EXPECT_EQ(retry.attempt(), 2);

  // The old connection's handler closes its session late; that must not
  // disconnect the new session or take its job.
  scheduler_->Close(old_session.get(), "stream ended");
  EXPECT_TRUE(scheduler_->IsConnected("a"));
  EXPECT_EQ(scheduler_->RunningJob("a"), jobs[0]);
  EXPECT_EQ(StoredJob(jobs[0]).state, v1::JOB_STATE_LEASED);
  EXPECT_EQ(StoredJob(jobs[0]).attempt, 2);
}

TEST_F(SchedulerTest, RecoverAfterRestartRequeuesLeasedJobs) {
  const std::vector<int64_t> jobs = AddSweep(3);
  auto a = scheduler_->Open(HelloFrom("a"));
  auto b = scheduler_->Open(HelloFrom("b"));
  const v1::Lease a_lease = LeaseNow(a.get());
  const v1::Lease b_lease = LeaseNow(b.get());
  ASSERT_EQ(a_lease.job_id(), jobs[0]);
  ASSERT_EQ(b_lease.job_id(), jobs[1]);
  Finish(b.get(), b_lease);

  // The coordinator dies with job 0 leased; sessions die with it.
  a.reset();
  b.reset();
  Restart();

  EXPECT_EQ(StoredJob(jobs[0]).state, v1::JOB_STATE_PENDING);
  EXPECT_EQ(StoredJob(jobs[0]).attempt, 1);
  EXPECT_EQ(StoredJob(jobs[1]).state, v1::JOB_STATE_DONE);
  EXPECT_FALSE(scheduler_->IsConnected("a"));

  auto a2 = scheduler_->Open(HelloFrom("a"));
  const v1::Lease retry = LeaseNow(a2.get());
  EXPECT_EQ(retry.job_id(), jobs[0]);
  EXPECT_EQ(retry.attempt(), 2);
  EXPECT_EQ(retry.spec().batch_size(), 1);
  auto b2 = scheduler_->Open(HelloFrom("b"));
  const v1::Lease fresh = LeaseNow(b2.get());
  EXPECT_EQ(fresh.job_id(), jobs[2]);
  EXPECT_EQ(fresh.attempt(), 1);

  // The finished job is not queued again.
  auto c2 = scheduler_->Open(HelloFrom("c"));
  AsyncLease none(scheduler_.get(), c2.get());
  EXPECT_FALSE(none.ReturnedWithin(kStillBlocked));
  scheduler_->Shutdown();
  ASSERT_TRUE(none.ReturnedWithin(kMustReturn));
  EXPECT_FALSE(none.lease().has_value());
}

TEST_F(SchedulerTest, ShutdownWakesNextLeaseWithNullopt) {
  AddSweep(1);
  auto busy = scheduler_->Open(HelloFrom("busy"));
  LeaseNow(busy.get());
  auto idle = scheduler_->Open(HelloFrom("idle"));
  // One waits for its job to end, the other for work to arrive.
  AsyncLease busy_waits(scheduler_.get(), busy.get());
  AsyncLease idle_waits(scheduler_.get(), idle.get());
  EXPECT_FALSE(busy_waits.ReturnedWithin(kStillBlocked));
  EXPECT_FALSE(idle_waits.ReturnedWithin(kStillBlocked));

  scheduler_->Shutdown();
  ASSERT_TRUE(busy_waits.ReturnedWithin(kMustReturn));
  ASSERT_TRUE(idle_waits.ReturnedWithin(kMustReturn));
  EXPECT_FALSE(busy_waits.lease().has_value());
  EXPECT_FALSE(idle_waits.lease().has_value());

  // A session opened after shutdown gets nothing, even with work queued.
  AddSweep(1);
  auto late = scheduler_->Open(HelloFrom("late"));
  EXPECT_FALSE(NextLease(*scheduler_, late.get()).has_value());
}

TEST_F(SchedulerTest, IsConnectedAndRunningJobFollowTheSession) {
  EXPECT_FALSE(scheduler_->IsConnected("a"));
  EXPECT_EQ(scheduler_->RunningJob("a"), 0);

  const std::vector<int64_t> jobs = AddSweep(1);
  auto a = scheduler_->Open(HelloFrom("a"));
  EXPECT_TRUE(scheduler_->IsConnected("a"));
  EXPECT_FALSE(scheduler_->IsConnected("b"));
  EXPECT_EQ(scheduler_->RunningJob("a"), 0);

  const v1::Lease lease = LeaseNow(a.get());
  EXPECT_EQ(scheduler_->RunningJob("a"), jobs[0]);
  EXPECT_EQ(a->job_id, jobs[0]);
  EXPECT_EQ(a->attempt, 1);

  Finish(a.get(), lease);
  EXPECT_EQ(scheduler_->RunningJob("a"), 0);
  EXPECT_TRUE(scheduler_->IsConnected("a"));

  scheduler_->Close(a.get(), "bye");
  EXPECT_FALSE(scheduler_->IsConnected("a"));
  EXPECT_EQ(scheduler_->RunningJob("a"), 0);
  // Closing after the result was stored changes nothing in the store.
  EXPECT_EQ(StoredJob(jobs[0]).state, v1::JOB_STATE_DONE);
}

}  // namespace
}  // namespace benchfleet::coordinator
