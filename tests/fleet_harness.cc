#include "tests/fleet_harness.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <netinet/in.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <regex>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

namespace benchfleet::testing {

int FreePort() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(addr);
  int port = 0;
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0)
    port = ntohs(addr.sin_port);
  close(fd);
  return port;
}

void FleetTest::SetUp() {
  dir_ = absl::StrCat(
      std::getenv("TEST_TMPDIR"), "/",
      ::testing::UnitTest::GetInstance()->current_test_info()->name());
  mkdir(dir_.c_str(), 0755);
  db_ = dir_ + "/fleet.db";
  for (const char* suffix : {"", "-wal", "-shm"})
    unlink((db_ + suffix).c_str());
}

void FleetTest::TearDown() {
  agents_.clear();
  coordinator_.reset();
  std::vector<std::string> logs = {coordinator_log()};
  for (const auto& [id, dir] : spool_dirs_) logs.push_back(agent_log(id));
  const char* outputs = std::getenv("TEST_UNDECLARED_OUTPUTS_DIR");
  const std::string name =
      ::testing::UnitTest::GetInstance()->current_test_info()->name();
  for (const std::string& log : logs) {
    const std::string text = ReadFile(log);
    if (outputs) {
      const std::string base = log.substr(log.rfind('/') + 1);
      std::ofstream(absl::StrCat(outputs, "/", name, ".", base)) << text;
    }
    if (HasFailure()) {
      std::cout << "---- " << log << " (last 4000 bytes)\n"
                << text.substr(text.size() > 4000 ? text.size() - 4000 : 0)
                << "\n";
    }
  }
}

void FleetTest::StartCoordinator(const CoordinatorFlags& flags) {
  ++restarts_;
  const std::string port_file = absl::StrCat(dir_, "/port-", restarts_);
  std::vector<std::string> argv = {
      Runfile("benchfleet/coordinator/coordinator"),
      absl::StrCat("--listen=127.0.0.1:", flags.port),
      "--db=" + db_,
      "--port_file=" + port_file,
      absl::StrCat("--lease_ttl_s=", flags.lease_ttl_s),
      absl::StrCat("--heartbeat_s=", flags.heartbeat_s),
      absl::StrCat("--max_attempts=", flags.max_attempts)};
  argv.insert(argv.end(), flags.extra.begin(), flags.extra.end());
  coordinator_ = std::make_unique<Subprocess>();
  ASSERT_TRUE(coordinator_->Start(argv, coordinator_log()).ok());
  absl::StatusOr<int> port = WaitForPortFile(port_file, absl::Seconds(30));
  ASSERT_TRUE(port.ok()) << port.status() << "\n"
                         << ReadFile(coordinator_log());
  port_ = *port;
  stub_ = v1::FleetService::NewStub(grpc::CreateChannel(
      coordinator_target(), grpc::InsecureChannelCredentials()));
}

void FleetTest::KillCoordinator() {
  coordinator_->Signal(SIGKILL);
  absl::StatusOr<int> exit = coordinator_->Wait(absl::Seconds(10));
  ASSERT_TRUE(exit.ok()) << exit.status();
}

std::string FleetTest::coordinator_target() const {
  return absl::StrCat("127.0.0.1:", port_);
}

std::string FleetTest::agent_log(const std::string& id) const {
  return absl::StrCat(dir_, "/agent-", id, ".log");
}

std::string FleetTest::spool_dir(const std::string& id) const {
  auto it = spool_dirs_.find(id);
  return it == spool_dirs_.end() ? absl::StrCat(dir_, "/spool-", id)
                                 : it->second;
}

void FleetTest::StartAgent(const std::string& id, const AgentFlags& flags) {
  spool_dirs_[id] = flags.spool_dir.empty() ? spool_dir(id) : flags.spool_dir;
  std::vector<std::string> argv = {
      Runfile("benchfleet/agent/agent"),
      "serve",
      "--simulate",
      "--agent_id=" + id,
      "--coordinator=" + (flags.coordinator.empty() ? coordinator_target()
                                                    : flags.coordinator),
      absl::StrCat("--simulate_samples=", flags.samples),
      absl::StrCat("--simulate_sample_ms=", flags.sample_ms),
      absl::StrCat("--max_backoff_ms=", flags.max_backoff_ms),
      absl::StrCat("--drain_timeout_s=", flags.drain_timeout_s),
      "--spool_dir=" + spool_dirs_[id],
      "--threads=1"};
  argv.insert(argv.end(), flags.extra.begin(), flags.extra.end());
  auto process = std::make_unique<Subprocess>();
  ASSERT_TRUE(process->Start(argv, agent_log(id)).ok());
  agents_[id] = std::move(process);
}

int64_t FleetTest::SubmitSimulatedSweep(const std::string& name, int jobs) {
  v1::SubmitSweepRequest request;
  v1::SweepSpec& spec = *request.mutable_spec();
  spec.set_name(name);
  spec.add_models("resnet18");
  spec.add_batch_sizes(1);
  spec.set_repeat(jobs);
  (*spec.mutable_selector())["simulated"] = "true";
  v1::SubmitSweepResponse response;
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() +
                       std::chrono::seconds(10));
  grpc::Status status = stub_->SubmitSweep(&context, request, &response);
  EXPECT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(response.jobs(), jobs);
  return response.sweep_id();
}

v1::SweepStatus FleetTest::GetSweep(int64_t sweep_id) {
  v1::GetSweepRequest request;
  request.set_sweep_id(sweep_id);
  v1::SweepStatus sweep;
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() +
                       std::chrono::seconds(10));
  grpc::Status status = stub_->GetSweep(&context, request, &sweep);
  EXPECT_TRUE(status.ok()) << status.error_message();
  return sweep;
}

std::vector<v1::JobResult> FleetTest::Results(int64_t sweep_id) {
  v1::ListResultsRequest request;
  request.set_sweep_id(sweep_id);
  v1::ListResultsResponse response;
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() +
                       std::chrono::seconds(10));
  grpc::Status status = stub_->ListResults(&context, request, &response);
  EXPECT_TRUE(status.ok()) << status.error_message();
  return {response.results().begin(), response.results().end()};
}

std::vector<v1::Sample> FleetTest::Samples(int64_t job_id) {
  v1::ListSamplesRequest request;
  request.set_job_id(job_id);
  v1::ListSamplesResponse response;
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() +
                       std::chrono::seconds(10));
  grpc::Status status = stub_->ListSamples(&context, request, &response);
  EXPECT_TRUE(status.ok()) << status.error_message();
  return {response.samples().begin(), response.samples().end()};
}

std::vector<v1::AgentInfo> FleetTest::Agents() {
  v1::ListAgentsResponse response;
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() +
                       std::chrono::seconds(10));
  grpc::Status status =
      stub_->ListAgents(&context, v1::ListAgentsRequest(), &response);
  EXPECT_TRUE(status.ok()) << status.error_message();
  return {response.agents().begin(), response.agents().end()};
}

bool FleetTest::WaitFor(const std::function<bool()>& done,
                        absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  while (true) {
    if (done()) return true;
    if (absl::Now() > deadline) return false;
    absl::SleepFor(absl::Milliseconds(20));
  }
}

v1::SweepStatus FleetTest::WaitForSweepDone(int64_t sweep_id,
                                            absl::Duration timeout) {
  v1::SweepStatus sweep;
  const bool done = WaitFor(
      [&] {
        sweep = GetSweep(sweep_id);
        return sweep.state() != v1::SWEEP_STATE_RUNNING &&
               sweep.state() != v1::SWEEP_STATE_UNSPECIFIED;
      },
      timeout);
  EXPECT_TRUE(done) << "sweep " << sweep_id << " still running after "
                    << timeout << ":\n"
                    << sweep.DebugString();
  return sweep;
}

std::optional<v1::JobInfo> FleetTest::WaitForLease(
    int64_t sweep_id, const std::set<std::string>& agent_ids,
    absl::Duration timeout) {
  std::optional<v1::JobInfo> found;
  WaitFor(
      [&] {
        const v1::SweepStatus sweep = GetSweep(sweep_id);
        for (const v1::JobInfo& job : sweep.jobs()) {
          if (job.state() == v1::JOB_STATE_LEASED &&
              (agent_ids.empty() || agent_ids.count(job.agent_id()))) {
            found = job;
            return true;
          }
        }
        return false;
      },
      timeout);
  return found;
}

bool FleetTest::WaitForConnected(const std::string& id, int times,
                                 absl::Duration timeout) {
  return WaitFor(
      [&] {
        const std::string log = ReadFile(agent_log(id));
        int count = 0;
        for (size_t at = log.find("agent: connected to");
             at != std::string::npos;
             at = log.find("agent: connected to", at + 1))
          ++count;
        return count >= times;
      },
      timeout);
}

int FleetTest::StoredSampleCount(int64_t job_id, int32_t attempt) {
  const std::string count = QueryDb(
      absl::StrCat("SELECT COUNT(*) FROM samples WHERE job_id = ", job_id,
                   " AND attempt = ", attempt));
  return count.empty() ? 0 : std::stoi(count);
}

std::set<Attempt> FleetTest::AcknowledgedResults(const std::string& id) const {
  static const std::regex kAck(
      "result acknowledged: job ([0-9]+) attempt ([0-9]+)");
  std::set<Attempt> acked;
  std::istringstream log(ReadFile(agent_log(id)));
  std::string line;
  std::smatch match;
  while (std::getline(log, line)) {
    if (std::regex_search(line, match, kAck))
      acked.insert({std::stoll(match[1]), std::stoi(match[2])});
  }
  return acked;
}

std::optional<absl::Time> FleetTest::LeasedAt(int64_t job_id, int32_t attempt) {
  const std::string ms = QueryDb(
      absl::StrCat("SELECT leased_ms FROM leases WHERE job_id = ", job_id,
                   " AND attempt = ", attempt));
  if (ms.empty()) return std::nullopt;
  return absl::FromUnixMillis(std::stoll(ms));
}

std::vector<std::string> FleetTest::SpoolFiles(const std::string& id) const {
  std::vector<std::string> files;
  if (DIR* d = opendir(spool_dir(id).c_str())) {
    while (const dirent* entry = readdir(d)) {
      const std::string name = entry->d_name;
      if (absl::StartsWith(name, "job-") && absl::EndsWith(name, ".spool"))
        files.push_back(name);
    }
    closedir(d);
  }
  std::sort(files.begin(), files.end());
  return files;
}

std::string FleetTest::QueryDb(const std::string& sql) {
  sqlite3* db = nullptr;
  std::string value;
  if (sqlite3_open_v2(db_.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr) !=
      SQLITE_OK) {
    ADD_FAILURE() << "cannot open " << db_ << ": " << sqlite3_errmsg(db);
    sqlite3_close(db);
    return value;
  }
  sqlite3_busy_timeout(db, 5000);
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK) {
    ADD_FAILURE() << sql << ": " << sqlite3_errmsg(db);
  } else if (const int rc = sqlite3_step(stmt); rc == SQLITE_ROW) {
    if (const unsigned char* text = sqlite3_column_text(stmt, 0))
      value = reinterpret_cast<const char*>(text);
  } else if (rc != SQLITE_DONE) {
    ADD_FAILURE() << sql << ": " << sqlite3_errmsg(db);
  }
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return value;
}

void FleetTest::ExpectCompleteAndExact(int64_t sweep_id, int samples_per_job) {
  const v1::SweepStatus sweep = GetSweep(sweep_id);
  EXPECT_EQ(sweep.state(), v1::SWEEP_STATE_DONE) << sweep.DebugString();
  EXPECT_EQ(sweep.jobs_done(), sweep.jobs_total()) << sweep.DebugString();

  const std::vector<v1::JobResult> results = Results(sweep_id);
  std::map<int64_t, v1::JobResult> by_job;
  for (const v1::JobResult& r : results) {
    EXPECT_TRUE(by_job.emplace(r.job_id(), r).second)
        << "job " << r.job_id() << " has two results";
    EXPECT_EQ(r.status(), v1::JOB_STATUS_OK) << r.error();
  }
  EXPECT_EQ(by_job.size(), static_cast<size_t>(sweep.jobs_total()));
  int lost = 0;
  for (const v1::JobInfo& job : sweep.jobs())
    lost += by_job.count(job.job_id()) ? 0 : 1;
  std::cout << "results: jobs " << sweep.jobs_total() << ", stored "
            << results.size() << ", duplicated "
            << results.size() - by_job.size() << ", lost " << lost << "\n";
  for (const v1::JobInfo& job : sweep.jobs()) {
    auto result = by_job.find(job.job_id());
    if (result == by_job.end()) {
      ADD_FAILURE() << "job " << job.job_id() << " has no result";
      continue;
    }
    // The stored result and the job agree on the winning attempt.
    EXPECT_EQ(job.attempt(), result->second.attempt()) << job.DebugString();
    EXPECT_EQ(result->second.step().n(), samples_per_job);
    const std::vector<v1::Sample> samples = Samples(job.job_id());
    ASSERT_EQ(samples.size(), static_cast<size_t>(samples_per_job))
        << "job " << job.job_id() << " attempt " << result->second.attempt();
    for (size_t i = 0; i < samples.size(); ++i) {
      EXPECT_EQ(samples[i].sequence(), static_cast<int64_t>(i));
      EXPECT_EQ(samples[i].attempt(), result->second.attempt())
          << "a sample of another attempt is mixed in, job " << job.job_id();
    }
    // The database holds no duplicate either (the primary key says so; this
    // checks the samples of the winning attempt are exactly the set sent).
    EXPECT_EQ(StoredSampleCount(job.job_id(), result->second.attempt()),
              samples_per_job);
  }
  // Acknowledged => stored, as that attempt (a later replay of another
  // attempt of the same job may be acknowledged without being stored).
  for (const auto& [id, process] : agents_) {
    for (const Attempt& acked : AcknowledgedResults(id)) {
      auto result = by_job.find(acked.first);
      EXPECT_NE(result, by_job.end())
          << "agent " << id << " saw job " << acked.first
          << " acknowledged, but it has no result";
    }
  }
}

std::string FleetTest::ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace benchfleet::testing
