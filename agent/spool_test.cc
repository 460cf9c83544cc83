#include "agent/spool.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>

#include "gtest/gtest.h"

namespace benchfleet::agent {
namespace {

v1::SpooledJob Job(int64_t job_id, int32_t attempt, int samples) {
  v1::SpooledJob job;
  job.mutable_lease()->set_job_id(job_id);
  job.mutable_lease()->set_attempt(attempt);
  job.mutable_lease()->mutable_spec()->set_model("resnet18");
  for (int i = 0; i < samples; ++i) {
    v1::Sample* s = job.add_samples();
    s->set_job_id(job_id);
    s->set_attempt(attempt);
    s->set_sequence(i);
    s->set_duration_ns(1000 + i);
  }
  job.mutable_result()->set_job_id(job_id);
  job.mutable_result()->set_attempt(attempt);
  job.mutable_result()->set_status(v1::JOB_STATUS_OK);
  job.set_agent_id("a1");
  return job;
}

bool Exists(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0;
}

class SpoolTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::string(std::getenv("TEST_TMPDIR")) + "/" +
           ::testing::UnitTest::GetInstance()->current_test_info()->name() +
           "/nested/spool";
  }
  std::string dir_;
};

TEST_F(SpoolTest, SavedJobsLoadBackInOrderAfterReopening) {
  {
    absl::StatusOr<std::unique_ptr<Spool>> spool = Spool::Open(dir_);
    ASSERT_TRUE(spool.ok()) << spool.status();
    ASSERT_TRUE((*spool)->Save(Job(9, 2, 3)).ok());
    ASSERT_TRUE((*spool)->Save(Job(4, 1, 5)).ok());
    ASSERT_TRUE((*spool)->Save(Job(9, 1, 1)).ok());
  }
  absl::StatusOr<std::unique_ptr<Spool>> spool = Spool::Open(dir_);
  ASSERT_TRUE(spool.ok()) << spool.status();
  std::vector<std::string> warnings;
  absl::StatusOr<std::vector<v1::SpooledJob>> jobs = (*spool)->Load(&warnings);
  ASSERT_TRUE(jobs.ok()) << jobs.status();
  EXPECT_TRUE(warnings.empty());
  ASSERT_EQ(jobs->size(), 3u);
  EXPECT_EQ((*jobs)[0].SerializeAsString(), Job(4, 1, 5).SerializeAsString());
  EXPECT_EQ((*jobs)[1].SerializeAsString(), Job(9, 1, 1).SerializeAsString());
  EXPECT_EQ((*jobs)[2].SerializeAsString(), Job(9, 2, 3).SerializeAsString());
}

TEST_F(SpoolTest, SaveReplacesAndRemoveDeletes) {
  absl::StatusOr<std::unique_ptr<Spool>> spool = Spool::Open(dir_);
  ASSERT_TRUE(spool.ok()) << spool.status();
  ASSERT_TRUE((*spool)->Save(Job(1, 1, 2)).ok());
  ASSERT_TRUE((*spool)->Save(Job(1, 1, 7)).ok());
  absl::StatusOr<std::vector<v1::SpooledJob>> jobs = (*spool)->Load(nullptr);
  ASSERT_TRUE(jobs.ok());
  ASSERT_EQ(jobs->size(), 1u);
  EXPECT_EQ((*jobs)[0].samples_size(), 7);

  ASSERT_TRUE((*spool)->Remove(1, 1).ok());
  EXPECT_FALSE(Exists((*spool)->PathOf(1, 1)));
  EXPECT_TRUE((*spool)->Remove(1, 1).ok()) << "removing twice is fine";
  jobs = (*spool)->Load(nullptr);
  ASSERT_TRUE(jobs.ok());
  EXPECT_TRUE(jobs->empty());
}

TEST_F(SpoolTest, RejectMovesTheFileAside) {
  absl::StatusOr<std::unique_ptr<Spool>> spool = Spool::Open(dir_);
  ASSERT_TRUE(spool.ok());
  ASSERT_TRUE((*spool)->Save(Job(3, 1, 1)).ok());
  ASSERT_TRUE((*spool)->Reject(3, 1).ok());
  EXPECT_TRUE(Exists((*spool)->PathOf(3, 1) + ".rejected"));
  absl::StatusOr<std::vector<v1::SpooledJob>> jobs = (*spool)->Load(nullptr);
  ASSERT_TRUE(jobs.ok());
  EXPECT_TRUE(jobs->empty());
}

TEST_F(SpoolTest, CorruptFilesAreSetAsideAndTempFilesDeleted) {
  absl::StatusOr<std::unique_ptr<Spool>> spool = Spool::Open(dir_);
  ASSERT_TRUE(spool.ok());
  ASSERT_TRUE((*spool)->Save(Job(5, 1, 1)).ok());
  // A file of another job under this name, garbage, and a torn temp file.
  {
    std::ofstream(dir_ + "/job-6-1.spool") << Job(7, 1, 1).SerializeAsString();
    std::ofstream(dir_ + "/job-8-1.spool") << "\xff\xff\xff not a proto";
    std::ofstream(dir_ + "/.tmp-job-9-1.spool") << "torn";
  }
  spool->reset();  // releases the directory
  spool = Spool::Open(dir_);
  ASSERT_TRUE(spool.ok());
  EXPECT_FALSE(Exists(dir_ + "/.tmp-job-9-1.spool"));
  std::vector<std::string> warnings;
  absl::StatusOr<std::vector<v1::SpooledJob>> jobs = (*spool)->Load(&warnings);
  ASSERT_TRUE(jobs.ok()) << jobs.status();
  ASSERT_EQ(jobs->size(), 1u);
  EXPECT_EQ((*jobs)[0].lease().job_id(), 5);
  EXPECT_EQ(warnings.size(), 2u);
  EXPECT_TRUE(Exists(dir_ + "/job-6-1.spool.corrupt"));
  EXPECT_TRUE(Exists(dir_ + "/job-8-1.spool.corrupt"));
}

TEST_F(SpoolTest, OpenFailsClearlyWhenTheDirectoryCannotBeMade) {
  const std::string file =
      std::string(std::getenv("TEST_TMPDIR")) + "/plain-file";
  std::ofstream(file) << "x";
  absl::StatusOr<std::unique_ptr<Spool>> spool = Spool::Open(file + "/spool");
  ASSERT_FALSE(spool.ok());
  EXPECT_EQ(spool.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_NE(spool.status().message().find(file), std::string::npos)
      << spool.status();
}

TEST_F(SpoolTest, OnlyOneSpoolMayUseADirectory) {
  absl::StatusOr<std::unique_ptr<Spool>> first = Spool::Open(dir_);
  ASSERT_TRUE(first.ok()) << first.status();
  absl::StatusOr<std::unique_ptr<Spool>> second = Spool::Open(dir_);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), absl::StatusCode::kFailedPrecondition);
  first->reset();
  EXPECT_TRUE(Spool::Open(dir_).ok());
}

TEST(DefaultSpoolDirTest, FollowsXdgStateHomeThenHome) {
  setenv("XDG_STATE_HOME", "/state", 1);
  setenv("HOME", "/home/u", 1);
  EXPECT_EQ(DefaultSpoolDir("a1"), "/state/benchfleet/spool-a1");
  unsetenv("XDG_STATE_HOME");
  EXPECT_EQ(DefaultSpoolDir("a1"), "/home/u/.local/state/benchfleet/spool-a1");
  unsetenv("HOME");
  EXPECT_EQ(DefaultSpoolDir("a1"), "");
}

}  // namespace
}  // namespace benchfleet::agent
