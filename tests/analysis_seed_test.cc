// The seeded fleet is what its header promises: exact counts, every result's
// statistics computed from its stored samples, the same database from the
// same seed, and the slowdown where it is said to be.
#include "tests/analysis_seed.h"

#include <cstdio>
#include <cstdlib>

#include "analysis/summary_stats.h"
#include "coordinator/sqlite_store.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"

namespace benchfleet::testing {
namespace {

FleetSeedOptions SmallFleet() {
  FleetSeedOptions o;
  o.hosts = 3;
  o.gpu_hosts = 1;
  o.sweeps = 6;
  o.models = 5;
  o.batches = {1, 4};
  o.total_samples = 8400;  // 120 pair jobs x 50, 240 others x 10
  o.compare_samples_per_job = 50;
  return o;
}

std::unique_ptr<coordinator::SqliteStore> Open(const std::string& name) {
  const std::string path = std::string(std::getenv("TEST_TMPDIR")) + "/" + name;
  std::remove(path.c_str());
  auto store = coordinator::SqliteStore::Open(path);
  EXPECT_TRUE(store.ok()) << store.status();
  return std::move(*store);
}

TEST(AnalysisSeedTest, CountsAndStatisticsComeFromTheStoredSamples) {
  auto store = Open("a.db");
  absl::StatusOr<SeededFleet> seeded = SeedFleet(*store, SmallFleet());
  ASSERT_TRUE(seeded.ok()) << seeded.status();
  EXPECT_EQ(seeded->sweep_ids.size(), 6u);
  EXPECT_EQ(seeded->results, 6 * 5 * 2 * 2 * 3);
  EXPECT_EQ(seeded->samples, 8400);
  // The pair: the run before the slowdown (run 3 of 6) and the last.
  EXPECT_EQ(seeded->compare_baseline_sweep, seeded->sweep_ids[2]);
  EXPECT_EQ(seeded->compare_candidate_sweep, seeded->sweep_ids[5]);

  auto results = store->ListResults(int64_t{0});
  ASSERT_TRUE(results.ok());
  ASSERT_EQ(results->size(), 360u);
  int64_t samples = 0;
  for (const v1::JobResult& r : *results) {
    auto stored = store->ResultSamples(r.job_id());
    ASSERT_TRUE(stored.ok());
    std::vector<int64_t> ns;
    for (const v1::Sample& s : *stored) ns.push_back(s.duration_ns());
    samples += static_cast<int64_t>(ns.size());
    EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(
        r.step(), analysis::Summarize(ns)))
        << "job " << r.job_id();
    EXPECT_EQ(r.status(), v1::JOB_STATUS_OK);
    EXPECT_GT(r.cost().intensity(), 0);
  }
  EXPECT_EQ(samples, 8400);
  auto pair = store->ResultSamples((*store->ListResults(seeded->compare_candidate_sweep))[0].job_id());
  EXPECT_EQ(pair->size(), 50u);

  auto agents = store->ListAgents();
  ASSERT_TRUE(agents.ok());
  ASSERT_EQ(agents->size(), 3u);
  for (const coordinator::AgentRecord& a : *agents)
    EXPECT_GE(a.hello.hardware().measured_peaks_size(), 7) << a.agent_id;
}

TEST(AnalysisSeedTest, SameSeedSameResultsAndTheSlowdownIsWhereItIsSaid) {
  auto a = Open("b.db");
  auto b = Open("c.db");
  ASSERT_TRUE(SeedFleet(*a, SmallFleet()).ok());
  ASSERT_TRUE(SeedFleet(*b, SmallFleet()).ok());
  auto ra = a->ListResults(int64_t{0});
  auto rb = b->ListResults(int64_t{0});
  ASSERT_TRUE(ra.ok() && rb.ok());
  ASSERT_EQ(ra->size(), rb->size());
  for (size_t i = 0; i < ra->size(); ++i)
    EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals((*ra)[i], (*rb)[i]))
        << "result " << i;

  // Median step time per (model, sweep) summed over hosts, batches, modes:
  // resnet50 gains about 20% from the middle run on, resnet18 does not.
  auto sweeps = a->ListSweeps(10);
  ASSERT_TRUE(sweeps.ok());
  const int64_t oldest = sweeps->back().sweep_id(), newest = sweeps->front().sweep_id();
  auto total = [&](int64_t sweep, const std::string& model) {
    double ms = 0;
    const std::vector<v1::JobResult> results = *a->ListResults(sweep);
    for (const v1::JobResult& r : results)
      if (r.spec().model() == model) ms += r.step().median_ms();
    return ms;
  };
  EXPECT_NEAR(total(newest, "resnet50") / total(oldest, "resnet50"), 1.2, 0.05);
  EXPECT_NEAR(total(newest, "resnet18") / total(oldest, "resnet18"), 1.0, 0.05);
}

TEST(AnalysisSeedTest, OptionsOutOfRangeAreRefused) {
  auto store = Open("d.db");
  FleetSeedOptions o = SmallFleet();
  o.models = 11;
  EXPECT_EQ(SeedFleet(*store, o).status().code(), absl::StatusCode::kInvalidArgument);
  o = SmallFleet();
  o.total_samples = 10;
  absl::Status status = SeedFleet(*store, o).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(status.message().find("total_samples=10"), std::string::npos) << status;
}

}  // namespace
}  // namespace benchfleet::testing
