// A fixture for fault-injection tests: a real coordinator and simulated
// agents as processes on loopback, helpers to submit sweeps and to query
// what the coordinator stored, and the checks every fault test ends with
// (one result per job, the winning attempt's samples only, complete and
// without duplicates).
//
// Every process is killed when the fixture ends, so a failing test leaves
// nothing behind. Each test starts its own processes in its own directory.
#ifndef BENCHFLEET_TESTS_FLEET_HARNESS_H_
#define BENCHFLEET_TESTS_FLEET_HARNESS_H_

#include <grpcpp/grpcpp.h>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "proto/fleet_service.grpc.pb.h"
#include "tests/subprocess.h"

namespace benchfleet::testing {

struct CoordinatorFlags {
  int port = 0;                    // 0 = any free port
  int lease_ttl_s = 15;            // --lease_ttl_s
  int heartbeat_s = 1;             // --heartbeat_s
  int max_attempts = 3;            // --max_attempts
  std::vector<std::string> extra;  // more flags
};

struct AgentFlags {
  std::string coordinator;  // host:port; default the coordinator's
  int samples = 20;         // --simulate_samples
  int sample_ms = 50;       // --simulate_sample_ms: a job lasts samples x this
  int max_backoff_ms = 1000;  // --max_backoff_ms
  int drain_timeout_s = 30;   // --drain_timeout_s
  std::string spool_dir;      // default <test dir>/spool-<id>
  std::vector<std::string> extra;
};

// (job id, attempt)
using Attempt = std::pair<int64_t, int32_t>;

class FleetTest : public ::testing::Test {
 protected:
  void SetUp() override;
  // Kills every process; on failure prints the tail of each log. The logs
  // are also copied to $TEST_UNDECLARED_OUTPUTS_DIR (bazel's outputs.zip).
  void TearDown() override;

  // Starts (or restarts, on the same database) the coordinator and waits
  // until it serves. Fails the test when it does not come up in 30 s.
  void StartCoordinator(const CoordinatorFlags& flags);
  // SIGKILLs the coordinator and reaps it.
  void KillCoordinator();
  int coordinator_port() const { return port_; }
  std::string coordinator_target() const;
  Subprocess& coordinator() { return *coordinator_; }
  std::string coordinator_log() const { return dir_ + "/coordinator.log"; }

  // Starts `serve --simulate` as agent `id`.
  void StartAgent(const std::string& id, const AgentFlags& flags);
  Subprocess& agent(const std::string& id) { return *agents_.at(id); }
  std::string agent_log(const std::string& id) const;
  std::string spool_dir(const std::string& id) const;

  // Submits a sweep of `jobs` simulated jobs (selector simulated=true).
  int64_t SubmitSimulatedSweep(const std::string& name, int jobs);
  // The sweep now; fails the test on an RPC error.
  v1::SweepStatus GetSweep(int64_t sweep_id);
  std::vector<v1::JobResult> Results(int64_t sweep_id);
  std::vector<v1::Sample> Samples(int64_t job_id);
  std::vector<v1::AgentInfo> Agents();

  // Polls `done` every 20 ms until it holds or `timeout` passes; returns
  // whether it held.
  static bool WaitFor(const std::function<bool()>& done,
                      absl::Duration timeout);
  // Waits until the sweep is no longer running; fails the test otherwise.
  v1::SweepStatus WaitForSweepDone(int64_t sweep_id, absl::Duration timeout);
  // Waits until `job_id` is leased to one of `agent_ids` (any agent when
  // empty); returns the job as GetSweep shows it.
  std::optional<v1::JobInfo> WaitForLease(
      int64_t sweep_id, const std::set<std::string>& agent_ids,
      absl::Duration timeout);
  // Waits until the agent's log shows it connected `times` times.
  bool WaitForConnected(const std::string& id, int times,
                        absl::Duration timeout);
  // Number of samples of (job, attempt) the coordinator has stored.
  int StoredSampleCount(int64_t job_id, int32_t attempt);

  // The results the agent's log says were acknowledged.
  std::set<Attempt> AcknowledgedResults(const std::string& id) const;
  // When (`job_id`, `attempt`) was leased, from the coordinator's database.
  std::optional<absl::Time> LeasedAt(int64_t job_id, int32_t attempt);
  // The files in the agent's spool ("job-*.spool" only).
  std::vector<std::string> SpoolFiles(const std::string& id) const;
  // Runs `sql` on the coordinator's database from the test's own connection
  // and returns the first column of the first row ("" when none).
  std::string QueryDb(const std::string& sql);

  // The closing check of every fault test: the sweep is done, every job has
  // exactly one OK result, and its samples are exactly those of the
  // winning attempt, sequences 0..samples-1, none duplicated. Also checks
  // that every result an agent saw acknowledged is stored as that attempt.
  void ExpectCompleteAndExact(int64_t sweep_id, int samples_per_job);

  static std::string ReadFile(const std::string& path);

  std::string dir_;
  std::string db_;

 private:
  int port_ = 0;
  int restarts_ = 0;
  std::unique_ptr<Subprocess> coordinator_;
  std::map<std::string, std::unique_ptr<Subprocess>> agents_;
  std::map<std::string, std::string> spool_dirs_;
  std::unique_ptr<v1::FleetService::Stub> stub_;
};

// A free TCP port on 127.0.0.1 (bound and released; for a coordinator that
// must come back on the same port after a restart).
int FreePort();

}  // namespace benchfleet::testing

#endif  // BENCHFLEET_TESTS_FLEET_HARNESS_H_
