// AnalysisService against the client-side analysis fleetctl used to do,
// side by side in one run, on a real coordinator process over loopback.
//
// The store is seeded straight through coordinator::SqliteStore
// (tests/analysis_seed.h): 10,000 results and 5,000,000 samples over 50
// sweeps of one schedule, each 10 models x batches 1 and 16 x inference and
// training on each of 5 hosts (2 run on their GPU). Then, N calls each:
//   roofline   GetRoofline over all 10,000 results, selected by their 50
//              sweep ids and by a filter (since_unix_ms=1)
//              vs one ListResults + ListAgents + the roofline on the client
//   correlate  Correlate (Spearman, 2,000 bootstrap resamples) over all,
//              selected both ways
//              vs one ListResults + ListAgents + the matrices on the client
//   compare    Compare of 100 against 100 jobs of 1,000 samples each (the
//              batch-1 jobs of two sweeps)
//              vs 2 ListResults + ListAgents + 200 ListSamples + the test
// Each pair is checked to agree before it is timed.
//
//   bazel run -c opt //bench/analysis_service -- --runs=20
#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <iostream>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "analysis/summary_stats.h"
#include "base/channel.h"
#include "base/grpc_status.h"
#include "bench/analysis_service/client_side.h"
#include "coordinator/sqlite_store.h"
#include "google/protobuf/util/message_differencer.h"
#include "proto/analysis_service.grpc.pb.h"
#include "proto/fleet_service.grpc.pb.h"
#include "tests/analysis_seed.h"
#include "tests/subprocess.h"

ABSL_FLAG(int, runs, 20, "timed calls of each case and path (after one untimed)");
ABSL_FLAG(std::string, workdir, "/dev/shm/benchfleet-analysis-bench",
          "database and coordinator log (tmpfs: seeding fsyncs 30,000 times)");
ABSL_FLAG(int64_t, results, 10'000, "results to seed (200 per sweep)");
ABSL_FLAG(int64_t, samples, 5'000'000, "samples to seed, all jobs together");

namespace {

using namespace benchfleet;  // NOLINT: a benchmark's main
using google::protobuf::util::MessageDifferencer;

template <typename T>
T OrDie(absl::StatusOr<T> value, const std::string& what) {
  if (!value.ok()) {
    std::cerr << what << ": " << value.status() << "\n";
    std::exit(1);
  }
  return *std::move(value);
}

void OrDie(const absl::Status& status, const std::string& what) {
  if (!status.ok()) {
    std::cerr << what << ": " << status << "\n";
    std::exit(1);
  }
}

template <typename Request, typename Response, typename Method>
absl::StatusOr<Response> Call(v1::AnalysisService::Stub& stub, Method method,
                              const Request& request) {
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(120));
  Response response;
  grpc::Status status = (stub.*method)(&context, request, &response);
  if (!status.ok()) return FromGrpcStatus(status);
  return response;
}

struct Timing {
  double p50 = 0, p99 = 0, min = 0;
};

Timing Time(int runs, const std::function<void()>& call) {
  call();  // warm: connection, page cache, allocator
  std::vector<double> ms;
  for (int i = 0; i < runs; ++i) {
    const absl::Time start = absl::Now();
    call();
    ms.push_back(absl::ToDoubleMilliseconds(absl::Now() - start));
  }
  std::sort(ms.begin(), ms.end());
  return {analysis::Quantile(ms, 0.5), analysis::Quantile(ms, 0.99), ms.front()};
}

}  // namespace

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  std::cout << std::unitbuf;  // each line as it is known: a case can take minutes
  const std::string dir = absl::GetFlag(FLAGS_workdir);
  const int runs = absl::GetFlag(FLAGS_runs);
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  const std::string db = dir + "/fleet.db";

  testing::FleetSeedOptions seed;
  const int jobs_per_sweep = seed.hosts * seed.models * static_cast<int>(seed.batches.size()) * 2;
  seed.sweeps = static_cast<int>(absl::GetFlag(FLAGS_results) / jobs_per_sweep);
  seed.total_samples = absl::GetFlag(FLAGS_samples);
  testing::SeededFleet seeded;
  {
    const absl::Time start = absl::Now();
    auto store = OrDie(coordinator::SqliteStore::Open(db), "open " + db);
    seeded = OrDie(testing::SeedFleet(*store, seed), "seed");
    std::cout << absl::StrFormat(
        "seeded %d results, %d samples, %d sweeps, %d hosts in %.1f s\n", seeded.results,
        seeded.samples, seeded.sweep_ids.size(), seed.hosts,
        absl::ToDoubleSeconds(absl::Now() - start));
  }

  const char* runfiles = std::getenv("RUNFILES_DIR");
  const std::string coordinator_bin =
      runfiles ? absl::StrCat(runfiles, "/benchfleet/coordinator/coordinator")
               : absl::StrCat(argv[0], ".runfiles/benchfleet/coordinator/coordinator");
  testing::Subprocess coordinator;
  OrDie(coordinator.Start({coordinator_bin, "--listen=127.0.0.1:0", "--db=" + db,
                           "--port_file=" + dir + "/port"},
                          dir + "/coordinator.log"),
        "start " + coordinator_bin);
  const int port = OrDie(testing::WaitForPortFile(dir + "/port", absl::Seconds(60)), "port");
  ChannelOptions channel;
  channel.target = absl::StrCat("127.0.0.1:", port);
  auto connection = OrDie(MakeChannel(channel), "channel");
  auto analysis = v1::AnalysisService::NewStub(connection);
  auto fleet = v1::FleetService::NewStub(connection);

  v1::GetRooflineRequest roofline;
  for (int64_t id : seeded.sweep_ids) roofline.mutable_selection()->add_sweep_ids(id);
  // The same 10,000 results selected by a filter instead of 50 sweep ids:
  // one store query instead of one per sweep.
  v1::GetRooflineRequest roofline_by_filter;
  roofline_by_filter.mutable_selection()->set_since_unix_ms(1);
  v1::CorrelateRequest correlate;
  *correlate.mutable_selection() = roofline.selection();
  correlate.set_method(v1::CORRELATION_METHOD_SPEARMAN);
  v1::CorrelateRequest correlate_by_filter = correlate;
  *correlate_by_filter.mutable_selection() = roofline_by_filter.selection();
  v1::CompareRequest compare;
  constexpr int kCompareBatch = 1;  // 100 of each sweep's 200 jobs
  compare.mutable_baseline()->add_sweep_ids(seeded.compare_baseline_sweep);
  compare.mutable_baseline()->set_batch_size(kCompareBatch);
  compare.mutable_candidate()->add_sweep_ids(seeded.compare_candidate_sweep);
  compare.mutable_candidate()->set_batch_size(kCompareBatch);

  // Both paths must give the same figures before their times mean anything.
  auto served_roofline = OrDie(
      Call<v1::GetRooflineRequest, v1::GetRooflineResponse>(
          *analysis, &v1::AnalysisService::Stub::GetRoofline, roofline),
      "GetRoofline");
  auto client_roofline = OrDie(bench::ClientSideRoofline(*fleet, seeded.sweep_ids),
                               "client-side roofline");
  int placements = 0;
  for (const auto& d : served_roofline.report().devices()) placements += d.placements_size();
  served_roofline.clear_selected();
  std::cout << "roofline: " << served_roofline.report().devices_size() << " devices, "
            << placements << " placements; same as client-side: "
            << (MessageDifferencer::Equals(served_roofline, client_roofline) ? "yes" : "NO")
            << "\n";
  auto served_correlate = OrDie(
      Call<v1::CorrelateRequest, v1::CorrelateResponse>(
          *analysis, &v1::AnalysisService::Stub::Correlate, correlate),
      "Correlate");
  auto client_correlate =
      OrDie(bench::ClientSideCorrelate(*fleet, seeded.sweep_ids), "client-side correlate");
  served_correlate.clear_selected();
  std::cout << "correlate: " << served_correlate.groups_size() << " matrices, "
            << served_correlate.agreement_size() << " device agreements; same as client-side: "
            << (MessageDifferencer::Equals(served_correlate, client_correlate) ? "yes" : "NO")
            << "\n";
  auto served_compare = OrDie(
      Call<v1::CompareRequest, v1::CompareResponse>(
          *analysis, &v1::AnalysisService::Stub::Compare, compare),
      "Compare");
  auto client_compare = OrDie(bench::ClientSideCompare(*fleet, seeded.compare_baseline_sweep,
                                                       seeded.compare_candidate_sweep, kCompareBatch),
                              "client-side compare");
  std::cout << "compare: " << served_compare.report().comparisons_size() << " benchmarks, "
            << served_compare.report().regressions() << " regressions; same as client-side: "
            << (MessageDifferencer::Equals(served_compare.report(), client_compare) ? "yes"
                                                                                   : "NO")
            << "\n";

  struct Case {
    std::string name, path;
    std::function<void()> call;
  };
  const std::vector<Case> cases = {
      {"roofline", "GetRoofline",
       [&] {
         OrDie(Call<v1::GetRooflineRequest, v1::GetRooflineResponse>(
                   *analysis, &v1::AnalysisService::Stub::GetRoofline, roofline),
               "GetRoofline");
       }},
      {"roofline", "GetRoofline, filter",
       [&] {
         OrDie(Call<v1::GetRooflineRequest, v1::GetRooflineResponse>(
                   *analysis, &v1::AnalysisService::Stub::GetRoofline, roofline_by_filter),
               "GetRoofline");
       }},
      {"roofline", "client-side",
       [&] { OrDie(bench::ClientSideRoofline(*fleet, seeded.sweep_ids), "roofline"); }},
      {"correlate", "Correlate",
       [&] {
         OrDie(Call<v1::CorrelateRequest, v1::CorrelateResponse>(
                   *analysis, &v1::AnalysisService::Stub::Correlate, correlate),
               "Correlate");
       }},
      {"correlate", "Correlate, filter",
       [&] {
         OrDie(Call<v1::CorrelateRequest, v1::CorrelateResponse>(
                   *analysis, &v1::AnalysisService::Stub::Correlate, correlate_by_filter),
               "Correlate");
       }},
      {"correlate", "client-side",
       [&] { OrDie(bench::ClientSideCorrelate(*fleet, seeded.sweep_ids), "correlate"); }},
      {"compare", "Compare",
       [&] {
         OrDie(Call<v1::CompareRequest, v1::CompareResponse>(
                   *analysis, &v1::AnalysisService::Stub::Compare, compare),
               "Compare");
       }},
      {"compare", "client-side",
       [&] {
         OrDie(bench::ClientSideCompare(*fleet, seeded.compare_baseline_sweep,
                                        seeded.compare_candidate_sweep, kCompareBatch),
               "compare");
       }},
  };
  std::cout << absl::StrFormat("\n%-10s %-20s %6s %10s %10s %10s\n", "case", "path", "runs",
                               "p50_ms", "p99_ms", "min_ms");
  for (const Case& c : cases) {
    const Timing t = Time(runs, c.call);
    std::cout << absl::StrFormat("%-10s %-20s %6d %10.1f %10.1f %10.1f\n", c.name, c.path,
                                 runs, t.p50, t.p99, t.min);
  }
  return 0;
}
