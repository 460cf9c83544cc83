#include "coordinator/cli/analysis_commands.h"

#include <cmath>
#include <map>
#include <string>
#include <vector>

#include "analysis/golden.h"
#include "analysis/xml_check.h"
#include "google/protobuf/util/json_util.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

// The pure half of fleetctl's analysis commands on fixtures: no server.
// Goldens: coordinator/cli/testdata/, compared byte for byte. After an
// intended change: BENCHFLEET_UPDATE_GOLDENS=1 bazel run
// //coordinator/cli:analysis_commands_test, then review the diff.

namespace benchfleet::cli {
namespace {

using ::testing::HasSubstr;

constexpr char kHost[] = "host-a-id";
constexpr char kCpu[] = "Example CPU 8C";
constexpr char kGpu[] = "NVIDIA T4";

void AddPeak(v1::HardwareReport* hw, const std::string& name, double value,
             const std::string& unit) {
  v1::MeasuredPeak* p = hw->add_measured_peaks();
  p->set_name(name);
  p->set_value(value);
  p->set_unit(unit);
}

// One host with a CPU (two sockets) and a GPU, measured and datasheet peaks.
v1::HardwareReport Hardware() {
  v1::HardwareReport hw;
  hw.set_host_id(kHost);
  hw.set_hostname("bench-01");
  hw.mutable_cpu()->set_model_name(kCpu);
  hw.mutable_cpu()->set_cores(8);
  hw.mutable_cpu()->set_threads(16);
  v1::CacheLevel* l2 = hw.mutable_cpu()->add_caches();
  l2->set_level(2);
  l2->set_type("Unified");
  l2->set_size_bytes(1 << 20);
  hw.mutable_memory()->set_total_bytes(int64_t{32} << 30);
  hw.mutable_software()->set_blas_vendor("openblas");
  hw.mutable_software()->set_intra_op_threads(8);
  AddPeak(&hw, "fp32_fma", 100e9, "FLOP/s");
  AddPeak(&hw, "sgemm", 80e9, "FLOP/s");
  AddPeak(&hw, "stream_triad", 20e9, "B/s");
  AddPeak(&hw, "l2", 200e9, "B/s");
  AddPeak(&hw, "cuda0_sgemm", 7e12, "FLOP/s");
  AddPeak(&hw, "cuda0_d2d_copy", 250e9, "B/s");
  v1::AcceleratorInfo* gpu = hw.add_accelerators();
  gpu->set_name(kGpu);
  gpu->set_index(0);
  v1::DatasheetPeak* cpu_sheet = hw.add_datasheet_peaks();
  cpu_sheet->set_device(kCpu);
  cpu_sheet->set_devices(2);
  cpu_sheet->set_fp32_flops(75e9);
  cpu_sheet->set_basis("theoretical");
  cpu_sheet->set_source("4 cores x 2.3 GHz x 8");
  v1::DatasheetPeak* gpu_sheet = hw.add_datasheet_peaks();
  gpu_sheet->set_device(kGpu);
  gpu_sheet->set_devices(1);
  gpu_sheet->set_fp32_flops(8.1e12);
  gpu_sheet->set_memory_bytes_per_second(320e9);
  gpu_sheet->set_basis("datasheet");
  gpu_sheet->set_catalog_name("NVIDIA T4");
  hw.add_warnings("L3 cache: getconf reports 512 MiB, implausible");
  return hw;
}

v1::AgentInfo Agent(const std::string& id, const v1::HardwareReport& hw,
                    bool connected, int64_t last_seen) {
  v1::AgentInfo a;
  a.set_agent_id(id);
  *a.mutable_hardware() = hw;
  a.set_connected(connected);
  a.set_last_seen_unix_ms(last_seen);
  return a;
}

struct Model {
  std::string name;
  double gflops;   // forward, batch 1
  int64_t params;
  double traffic_mb;
};

const std::vector<Model>& Models() {
  static const auto* models = new std::vector<Model>{
      {"resnet50", 8.2, 25557032, 384.6},
      {"alexnet", 1.43, 61100840, 241.9},
      {"vgg19", 39.3, 143667240, 787.3},
      {"squeezenet1_0", 1.65, 1248424, 96.5},
      {"mobilenet_v3_large", 0.45, 5483032, 125.7},
  };
  return *models;
}

// A successful result; latency grows with FLOPs on `speed` GFLOP/s.
v1::JobResult Result(int64_t job, const Model& m, int batch, v1::Mode mode,
                     v1::DeviceKind device, double speed_gflops) {
  v1::JobResult r;
  r.set_job_id(job);
  r.set_agent_id("agent-a");
  r.set_host_id(kHost);
  r.set_status(v1::JOB_STATUS_OK);
  r.set_device_name(device == v1::DEVICE_KIND_CUDA ? kGpu : kCpu);
  v1::BenchmarkSpec* s = r.mutable_spec();
  s->set_model(m.name);
  s->mutable_input()->set_channels(3);
  s->mutable_input()->set_height(224);
  s->mutable_input()->set_width(224);
  s->set_batch_size(batch);
  s->set_mode(mode);
  s->set_device(device);
  v1::CostFigures* c = r.mutable_cost();
  c->set_forward_flops(m.gflops * 1e9 * batch);
  c->set_backward_flops(2 * m.gflops * 1e9 * batch);
  c->set_params(m.params);
  c->set_param_bytes(4 * m.params);
  c->set_traffic_bytes(static_cast<int64_t>(m.traffic_mb * 1e6 * batch));
  c->set_intensity(c->forward_flops() / c->traffic_bytes());
  v1::LayerCost* conv = c->add_by_kind();
  conv->set_name("convolution");
  conv->set_kind("convolution");
  conv->set_forward_flops(0.9 * c->forward_flops());
  conv->set_backward_flops(0.9 * c->backward_flops());
  v1::LayerCost* linear = c->add_by_kind();
  linear->set_name("linear");
  linear->set_kind("linear");
  linear->set_forward_flops(0.1 * c->forward_flops());
  linear->set_backward_flops(0.1 * c->backward_flops());
  const double step_flops = mode == v1::MODE_TRAINING
                                ? c->forward_flops() + c->backward_flops()
                                : c->forward_flops();
  const double ms = step_flops / (speed_gflops * 1e9) * 1e3;
  r.mutable_step()->set_median_ms(ms);
  r.mutable_step()->set_n(10);
  r.set_items_per_second(batch / (ms / 1e3));
  r.set_achieved_flops_per_second(step_flops / (ms / 1e3));
  if (mode == v1::MODE_TRAINING) {
    r.mutable_forward()->set_median_ms(ms / 3);
    r.mutable_forward()->set_n(10);
    r.mutable_backward()->set_median_ms(2 * ms / 3);
    r.mutable_backward()->set_n(10);
    r.set_forward_backward_latency_ratio(0.5);
    r.set_forward_backward_flop_ratio(0.5);
  }
  return r;
}

// Every model at batch 1 and 4 on the CPU (inference), batch 1 training,
// batch 1 on the GPU, and one failed job.
std::vector<v1::JobResult> FleetResults() {
  std::vector<v1::JobResult> results;
  int64_t job = 1;
  for (const Model& m : Models()) {
    results.push_back(
        Result(job++, m, 1, v1::MODE_INFERENCE, v1::DEVICE_KIND_CPU, 40));
    results.push_back(
        Result(job++, m, 4, v1::MODE_INFERENCE, v1::DEVICE_KIND_CPU, 60));
    results.push_back(
        Result(job++, m, 1, v1::MODE_TRAINING, v1::DEVICE_KIND_CPU, 30));
    results.push_back(
        Result(job++, m, 1, v1::MODE_INFERENCE, v1::DEVICE_KIND_CUDA, 2000));
  }
  v1::JobResult failed = Result(job++, Models()[0], 64, v1::MODE_INFERENCE,
                                v1::DEVICE_KIND_CPU, 40);
  failed.set_status(v1::JOB_STATUS_FAILED);
  failed.set_error("out of memory at batch 64");
  results.push_back(failed);
  return results;
}

std::string NoName(const std::string& host) { return host; }

TEST(ParseSweepIdsTest, OneOrSeveral) {
  EXPECT_EQ(*ParseSweepIds("7"), std::vector<int64_t>({7}));
  EXPECT_EQ(*ParseSweepIds("3, 4,3"), std::vector<int64_t>({3, 4}));
  EXPECT_TRUE(ParseSweepIds("")->empty());
  EXPECT_EQ(ParseSweepIds("3,x").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseSweepIds("0").status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(ParseCorrelationMethodTest, ThreeMethods) {
  analysis::CorrelationMethod method;
  ASSERT_TRUE(ParseCorrelationMethod("kendall", &method).ok());
  EXPECT_EQ(method, analysis::CorrelationMethod::kKendallTauB);
  ASSERT_TRUE(ParseCorrelationMethod("pearson", &method).ok());
  EXPECT_EQ(method, analysis::CorrelationMethod::kPearson);
  EXPECT_EQ(ParseCorrelationMethod("spearmann", &method).code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(HardwareForDeviceTest, CpuDropsGpuPeaks) {
  const v1::HardwareReport cpu =
      HardwareForDevice(Hardware(), v1::DEVICE_KIND_CPU, kCpu);
  std::vector<std::string> names;
  for (const auto& p : cpu.measured_peaks()) names.push_back(p.name());
  EXPECT_EQ(names, std::vector<std::string>(
                       {"fp32_fma", "sgemm", "stream_triad", "l2"}));
  EXPECT_EQ(cpu.cpu().model_name(), kCpu);
}

TEST(HardwareForDeviceTest, GpuKeepsItsOwnPeaksWithoutPrefix) {
  const v1::HardwareReport gpu =
      HardwareForDevice(Hardware(), v1::DEVICE_KIND_CUDA, kGpu);
  std::vector<std::string> names;
  for (const auto& p : gpu.measured_peaks()) names.push_back(p.name());
  EXPECT_EQ(names, std::vector<std::string>({"sgemm", "d2d_copy"}));
  EXPECT_EQ(gpu.cpu().model_name(), kGpu);
  EXPECT_EQ(gpu.cpu().caches_size(), 0);
  // The roofline built from it is the GPU's, not the CPU's.
  const analysis::DeviceRoofline roof = analysis::RooflineFromHardware(gpu);
  ASSERT_TRUE(roof.MeasuredRoof().has_value());
  EXPECT_DOUBLE_EQ(roof.MeasuredRoof()->peak_flops_per_s, 7e12);
  EXPECT_DOUBLE_EQ(roof.MeasuredRoof()->bandwidth_bytes_per_s, 250e9);
}

TEST(DatasheetCeilingsTest, CpuPerHostGpuPerDevice) {
  std::vector<analysis::ComputeCeiling> compute;
  std::vector<analysis::MemoryCeiling> memory;
  DatasheetCeilings(Hardware(), v1::DEVICE_KIND_CPU, kCpu, &compute, &memory);
  ASSERT_EQ(compute.size(), 1u);
  EXPECT_EQ(compute[0].name, "theoretical fp32");  // never called a datasheet
  EXPECT_DOUBLE_EQ(compute[0].flops_per_s, 150e9);  // x2 sockets
  EXPECT_TRUE(memory.empty());

  compute.clear();
  DatasheetCeilings(Hardware(), v1::DEVICE_KIND_CUDA, kGpu, &compute, &memory);
  ASSERT_EQ(compute.size(), 1u);
  EXPECT_EQ(compute[0].name, "datasheet fp32");
  EXPECT_DOUBLE_EQ(compute[0].flops_per_s, 8.1e12);
  ASSERT_EQ(memory.size(), 1u);
  EXPECT_EQ(memory[0].level, "DRAM");
  EXPECT_DOUBLE_EQ(memory[0].bytes_per_s, 320e9);
}

TEST(GroupByDeviceTest, GroupsByHostAndDeviceAndSkipsFailures) {
  const std::vector<DeviceGroup> groups = GroupByDevice(
      FleetResults(), {Agent("agent-a", Hardware(), true, 100)});
  ASSERT_EQ(groups.size(), 2u);
  EXPECT_EQ(groups[0].device_name, kCpu);
  EXPECT_EQ(groups[0].kind, v1::DEVICE_KIND_CPU);
  EXPECT_EQ(groups[0].results.size(), 15u);  // failed job left out
  EXPECT_EQ(groups[1].device_name, kGpu);
  EXPECT_EQ(groups[1].results.size(), 5u);
  EXPECT_EQ(groups[0].Label(), "Example CPU 8C @ bench-01");
  EXPECT_TRUE(groups[0].has_hardware);
  // Ordered by job id within a group.
  for (const DeviceGroup& g : groups)
    for (size_t i = 1; i < g.results.size(); ++i)
      EXPECT_LT(g.results[i - 1].job_id(), g.results[i].job_id());
}

TEST(GroupByDeviceTest, PrefersTheConnectedAgentOfAHost) {
  v1::HardwareReport stale = Hardware();
  stale.clear_measured_peaks();
  AddPeak(&stale, "fp32_fma", 1e9, "FLOP/s");
  AddPeak(&stale, "stream_triad", 1e9, "B/s");
  const std::vector<DeviceGroup> groups = GroupByDevice(
      {Result(1, Models()[0], 1, v1::MODE_INFERENCE, v1::DEVICE_KIND_CPU, 40)},
      {Agent("old", stale, false, 500), Agent("new", Hardware(), true, 100)});
  ASSERT_EQ(groups.size(), 1u);
  ASSERT_TRUE(groups[0].roofline.MeasuredRoof().has_value());
  EXPECT_DOUBLE_EQ(groups[0].roofline.MeasuredRoof()->peak_flops_per_s, 100e9);
}

TEST(GroupByDeviceTest, UnknownHostHasNoRoofs) {
  v1::JobResult r =
      Result(1, Models()[0], 1, v1::MODE_INFERENCE, v1::DEVICE_KIND_CPU, 40);
  r.set_host_id("elsewhere");
  r.set_agent_id("gone");
  const std::vector<DeviceGroup> groups =
      GroupByDevice({r}, {Agent("agent-a", Hardware(), true, 1)});
  ASSERT_EQ(groups.size(), 1u);
  EXPECT_FALSE(groups[0].has_hardware);
  const v1::RooflineReport report = BuildRooflineReport(groups);
  EXPECT_FALSE(report.devices(0).has_measured_roof());
  EXPECT_EQ(report.devices(0).placements(0).bound(), "unknown");
  EXPECT_THAT(report.devices(0).notes(0), HasSubstr("no hardware report"));
}

TEST(BuildRooflineReportTest, PlacesEachResultOnItsDevicesRoofs) {
  const v1::RooflineReport report = BuildRooflineReport(GroupByDevice(
      FleetResults(), {Agent("agent-a", Hardware(), true, 1)}));
  ASSERT_EQ(report.devices_size(), 2);
  const v1::RooflineDevice& cpu = report.devices(0);
  ASSERT_TRUE(cpu.has_measured_roof());
  EXPECT_DOUBLE_EQ(cpu.measured_roof().peak_flops_per_second(), 100e9);
  EXPECT_DOUBLE_EQ(cpu.measured_roof().bandwidth_bytes_per_second(), 20e9);
  EXPECT_DOUBLE_EQ(cpu.measured_roof().ridge_point(), 5);
  // A theoretical compute peak without a bandwidth makes no datasheet roof.
  EXPECT_FALSE(cpu.has_datasheet_roof());
  bool said_so = false;
  for (const std::string& note : cpu.notes())
    said_so |= note.find("no datasheet roof") != std::string::npos;
  EXPECT_TRUE(said_so);
  ASSERT_EQ(cpu.placements_size(), 15);
  for (const v1::RooflinePlacement& p : cpu.placements()) {
    ASSERT_TRUE(p.has_attainable_measured()) << p.model();
    const double attainable = std::min(100e9, 20e9 * p.intensity());
    EXPECT_NEAR(p.attainable_measured(), attainable, 1) << p.model();
    EXPECT_NEAR(p.efficiency_measured(),
                p.achieved_flops_per_second() / attainable, 1e-9);
    EXPECT_FALSE(p.has_efficiency_datasheet());
    ASSERT_TRUE(p.has_fraction_of_datasheet_peak());
    EXPECT_NEAR(p.fraction_of_datasheet_peak(),
                p.achieved_flops_per_second() / 150e9, 1e-9);
    EXPECT_EQ(p.bound(), p.intensity() < 5 ? "memory" : "compute");
  }
  const v1::RooflineDevice& gpu = report.devices(1);
  ASSERT_TRUE(gpu.has_datasheet_roof());
  EXPECT_DOUBLE_EQ(gpu.datasheet_roof().peak_flops_per_second(), 8.1e12);
  EXPECT_DOUBLE_EQ(gpu.measured_roof().peak_flops_per_second(), 7e12);
  for (const v1::RooflinePlacement& p : gpu.placements())
    EXPECT_TRUE(p.has_efficiency_datasheet());
}

TEST(BuildRooflineReportTest, SaysWhenTheMeasuredPeakOutrunsTheTheoreticalOne) {
  auto turbo_note = [](const v1::HardwareReport& hw) {
    const v1::RooflineReport report = BuildRooflineReport(
        GroupByDevice(FleetResults(), {Agent("agent-a", hw, true, 1)}));
    for (const std::string& note : report.devices(0).notes())
      if (note.find("run above the clock") != std::string::npos) return note;
    return std::string();
  };
  // Measured 100 GFLOP/s under the theoretical 2 x 75: nothing to say.
  EXPECT_EQ(turbo_note(Hardware()), "");
  // A VM at its nominal clock: measured 210 GFLOP/s is 1.40x the 150.
  v1::HardwareReport vm = Hardware();
  for (v1::MeasuredPeak& p : *vm.mutable_measured_peaks())
    if (p.name() == "fp32_fma") p.set_value(210e9);
  EXPECT_THAT(turbo_note(vm), HasSubstr("is 1.40x theoretical fp32"));
}

TEST(BuildRooflineReportTest, FlagsPointsAboveTheRoof) {
  // 40 GFLOP/s at intensity 1 is twice the 20 GB/s DRAM slope.
  v1::JobResult r =
      Result(1, Models()[0], 1, v1::MODE_INFERENCE, v1::DEVICE_KIND_CPU, 40);
  r.mutable_cost()->set_intensity(1);
  const v1::RooflineReport report = BuildRooflineReport(
      GroupByDevice({r}, {Agent("agent-a", Hardware(), true, 1)}));
  const v1::RooflinePlacement& p = report.devices(0).placements(0);
  EXPECT_TRUE(p.above_roof());
  EXPECT_EQ(p.bound(), "memory");
  EXPECT_FALSE(p.likely_causes().empty());
  EXPECT_THAT(RenderRooflineTable(report), HasSubstr("YES"));
}

TEST(RenderRooflineTest, TableAndCsvHaveOneRowPerPlacement) {
  const v1::RooflineReport report = BuildRooflineReport(GroupByDevice(
      FleetResults(), {Agent("agent-a", Hardware(), true, 1)}));
  const std::string table = RenderRooflineTable(report);
  EXPECT_THAT(table, HasSubstr("Example CPU 8C @ bench-01"));
  EXPECT_THAT(table, HasSubstr("measured roof:  100 GFLOP/s x 20 GB/s"));
  EXPECT_THAT(table, HasSubstr("note: theoretical peak"));
  const std::string csv = RenderRooflineCsv(report);
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 1 + 20);
  EXPECT_EQ(csv.substr(0, csv.find('\n')),
            "host_id,hostname,device_name,device,job_id,model,input,batch,mode,"
            "precision,median_ms,intensity_flop_per_byte,achieved_flop_per_s,"
            "attainable_measured_flop_per_s,efficiency_measured,"
            "attainable_datasheet_flop_per_s,efficiency_datasheet,"
            "fraction_of_datasheet_peak,bound,above_roof,above_datasheet,"
            "unstable,likely_causes");
}

TEST(CorrelateTest, OneMatrixPerDeviceBatchAndMode) {
  const std::vector<DeviceGroup> groups = GroupByDevice(
      FleetResults(), {Agent("agent-a", Hardware(), true, 1)});
  const std::vector<CorrelationGroup> correlations =
      CorrelateByDevice(groups, CorrelateOptions());
  // CPU: b1 inference, b1 training, b4 inference; GPU: b1 inference.
  ASSERT_EQ(correlations.size(), 4u);
  const CorrelationGroup& g = correlations[0];
  EXPECT_EQ(g.batch, 1);
  EXPECT_EQ(g.mode, v1::MODE_INFERENCE);
  EXPECT_EQ(g.models.size(), 5u);
  ASSERT_EQ(g.matrix.names, CorrelationVariables());
  // Latency is FLOPs / constant speed in the fixture: rho = 1.
  EXPECT_NEAR(g.matrix.cells[0][4].estimate, 1.0, 1e-12);
  EXPECT_NEAR(g.matrix.cells[4][5].estimate, -1.0, 1e-12);
  EXPECT_FALSE(std::isnan(g.ci[0][1].lower));
  // Seeded bootstrap: the same bounds every time.
  const std::vector<CorrelationGroup> again =
      CorrelateByDevice(groups, CorrelateOptions());
  EXPECT_EQ(again[0].ci[0][1].lower, g.ci[0][1].lower);
  EXPECT_EQ(again[0].ci[0][1].upper, g.ci[0][1].upper);

  const std::vector<DeviceAgreement> agreement =
      CrossDeviceAgreement(groups, CorrelateOptions());
  ASSERT_EQ(agreement.size(), 1u);  // only b1 inference ran on both
  EXPECT_EQ(agreement[0].models.size(), 5u);
  EXPECT_NEAR(agreement[0].result.estimate, 1.0, 1e-12);
  const std::string text = RenderCorrelations(correlations, agreement,
                                              CorrelateOptions(), false);
  EXPECT_THAT(text, HasSubstr("seed 42"));
  EXPECT_THAT(text, HasSubstr("cross-device agreement"));
}

TEST(MatchResultsTest, MatchesByKeyAndPoolsRepeats) {
  const Model& m = Models()[0];
  std::vector<v1::JobResult> base = {
      Result(1, m, 1, v1::MODE_INFERENCE, v1::DEVICE_KIND_CPU, 40),
      Result(2, m, 8, v1::MODE_INFERENCE, v1::DEVICE_KIND_CPU, 40)};
  std::vector<v1::JobResult> cand = {
      Result(11, m, 1, v1::MODE_INFERENCE, v1::DEVICE_KIND_CPU, 40),
      Result(12, m, 1, v1::MODE_INFERENCE, v1::DEVICE_KIND_CPU, 40),
      Result(13, m, 1, v1::MODE_TRAINING, v1::DEVICE_KIND_CPU, 40)};
  v1::JobResult other_host =
      Result(14, m, 1, v1::MODE_INFERENCE, v1::DEVICE_KIND_CPU, 40);
  other_host.set_host_id("host-b");
  cand.push_back(other_host);
  v1::JobResult failed =
      Result(15, m, 8, v1::MODE_INFERENCE, v1::DEVICE_KIND_CPU, 40);
  failed.set_status(v1::JOB_STATUS_FAILED);
  cand.push_back(failed);

  const Matching matching = MatchResults(base, cand);
  ASSERT_EQ(matching.matched.size(), 1u);
  EXPECT_EQ(matching.matched[0].baseline.size(), 1u);
  ASSERT_EQ(matching.matched[0].candidate.size(), 2u);  // repeats pooled
  EXPECT_EQ(matching.matched[0].candidate[0].job_id(), 11);
  EXPECT_EQ(matching.only_baseline.size(), 1u);   // batch 8 (failed there)
  EXPECT_EQ(matching.only_candidate.size(), 2u);  // training, host-b
}

TEST(MatchKeyTest, DefaultsAreNormalised) {
  v1::JobResult a =
      Result(1, Models()[0], 1, v1::MODE_INFERENCE, v1::DEVICE_KIND_CPU, 40);
  v1::JobResult b = a;
  b.mutable_spec()->set_device(v1::DEVICE_KIND_UNSPECIFIED);
  b.mutable_spec()->set_precision(v1::PRECISION_FP32);
  EXPECT_EQ(MatchKey(a), MatchKey(b));
  b.mutable_spec()->set_threads(4);
  EXPECT_NE(MatchKey(a), MatchKey(b));
  // Threads are in the key, not in the label...
  EXPECT_EQ(ResultLabel(b, "bench-01"), "resnet50 b1 inference @ bench-01");
  // ... unless two compared benchmarks would otherwise share a label.
  absl::StatusOr<v1::ComparisonReport> report = CompareMatched(
      MatchResults({a, b}, {a, b}),
      [](int64_t) -> absl::StatusOr<std::vector<double>> {
        return std::vector<double>{1, 2, 3};
      },
      analysis::RegressionOptions(), NoName);
  ASSERT_TRUE(report.ok());
  ASSERT_EQ(report->comparisons_size(), 2);
  EXPECT_NE(report->comparisons(0).label(), report->comparisons(1).label());
  EXPECT_THAT(report->comparisons(1).label(), HasSubstr(" t4"));
}

TEST(StepMillisTest, StepPhaseOnlyInSequenceOrder) {
  std::vector<v1::Sample> samples;
  for (int i : {2, 0, 1}) {
    v1::Sample s;
    s.set_sequence(i);
    s.set_phase(v1::PHASE_STEP);
    s.set_duration_ns((i + 1) * 1000000);
    samples.push_back(s);
    s.set_phase(v1::PHASE_FORWARD);
    samples.push_back(s);
  }
  EXPECT_EQ(StepMillis(samples), std::vector<double>({1, 2, 3}));
}

TEST(CompareMatchedTest, RegressionsFirstWithCounts) {
  std::vector<v1::JobResult> base, cand;
  int64_t job = 1;
  for (const Model& m : Models()) {
    base.push_back(Result(job++, m, 1, v1::MODE_INFERENCE, v1::DEVICE_KIND_CPU, 40));
    cand.push_back(Result(job++, m, 1, v1::MODE_INFERENCE, v1::DEVICE_KIND_CPU, 40));
  }
  // Step times: baseline jobs (odd) ~10 ms; candidate jobs (even) the same,
  // except vgg19's (job 6) 20% slower and squeezenet's (job 8) 20% faster.
  const StepSource steps =
      [](int64_t job_id) -> absl::StatusOr<std::vector<double>> {
    double scale = 1;
    if (job_id == 6) scale = 1.2;
    if (job_id == 8) scale = 0.8;
    std::vector<double> ms;
    for (int i = 0; i < 20; ++i) ms.push_back(scale * (10 + 0.01 * i));
    return ms;
  };
  cand[2].set_other_cpu_load(0.55);  // vgg19's candidate ran on a busy machine
  absl::StatusOr<v1::ComparisonReport> report =
      CompareMatched(MatchResults(base, cand), steps,
                     analysis::RegressionOptions(), NoName);
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->regressions(), 1);
  EXPECT_EQ(report->improvements(), 1);
  EXPECT_EQ(report->unchanged(), 3);
  ASSERT_EQ(report->comparisons_size(), 5);
  EXPECT_EQ(report->comparisons(0).verdict(), "regression");
  EXPECT_EQ(report->comparisons(0).model(), "vgg19");
  EXPECT_NEAR(report->comparisons(0).ratio(), 1.2, 1e-9);
  EXPECT_DOUBLE_EQ(report->comparisons(0).candidate_other_load(), 0.55);
  EXPECT_THAT(report->comparisons(0).reason(),
              HasSubstr("other processes took 55% (candidate) of the CPU"));
  EXPECT_EQ(report->comparisons(1).verdict(), "improvement");
  EXPECT_EQ(report->comparisons(0).n_baseline(), 20);
  const std::string text = RenderComparison(*report, false);
  EXPECT_THAT(text, HasSubstr("1 regression, 1 improvement, 3 unchanged"));

  // Options out of range are the caller's mistake, not "insufficient data".
  analysis::RegressionOptions bad;
  bad.alpha = 1.5;
  EXPECT_EQ(CompareMatched(MatchResults(base, cand), steps, bad, NoName)
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);

  // A source that fails stops the comparison with its error.
  const StepSource broken = [](int64_t) -> absl::StatusOr<std::vector<double>> {
    return absl::UnavailableError("coordinator gone");
  };
  EXPECT_EQ(CompareMatched(MatchResults(base, cand), broken,
                           analysis::RegressionOptions(), NoName)
                .status()
                .code(),
            absl::StatusCode::kUnavailable);
}

TEST(BuildHistoryTest, FindsAStepInTheRunMedians) {
  std::vector<ScheduleRun> runs;
  for (int night = 0; night < 12; ++night) {
    ScheduleRun run;
    run.sweep.set_sweep_id(100 - night);  // out of order on purpose
    const int order = 11 - night;         // position by sweep id
    const double speed = order < 6 ? 40 : 30;  // slower from the 7th run on
    run.results.push_back(Result(night + 1, Models()[0], 1,
                                 v1::MODE_INFERENCE, v1::DEVICE_KIND_CPU,
                                 speed * (1 + 0.001 * (night % 3))));
    runs.push_back(run);
  }
  const std::vector<HistorySeries> series = BuildHistory(runs, NoName);
  ASSERT_EQ(series.size(), 1u);
  EXPECT_EQ(series[0].sweep_ids.front(), 89);
  EXPECT_EQ(series[0].median_ms.size(), 12u);
  ASSERT_EQ(series[0].changes.size(), 1u);
  EXPECT_EQ(series[0].changes[0].index, 6u);
  EXPECT_GT(series[0].changes[0].relative, 0.3);
  EXPECT_THAT(RenderHistory(series, "nightly"), HasSubstr("+33"));
}

ReportInput FixtureInput() {
  ReportInput input;
  v1::SweepStatus sweep;
  sweep.set_sweep_id(7);
  sweep.set_name("demo");
  sweep.set_state(v1::SWEEP_STATE_DONE);
  sweep.set_jobs_total(21);
  sweep.set_jobs_done(20);
  sweep.set_jobs_failed(1);
  input.sweeps.push_back(sweep);
  input.results = FleetResults();
  input.results[0].set_unstable(true);
  input.results[1].add_warnings("other processes took 40% of the CPU");
  input.results[1].set_other_cpu_load(0.4);
  v1::HardwareReport reference = Hardware();
  reference.mutable_software()->set_blas_vendor("reference");
  input.agents.push_back(Agent("agent-a", reference, true, 1));
  return input;
}

TEST(BuildReportTest, HasEverySection) {
  ReportInput input = FixtureInput();
  input.has_comparison = true;
  v1::SweepStatus previous;
  previous.set_sweep_id(3);
  previous.set_name("demo");
  input.baseline_sweeps.push_back(previous);
  v1::ResultComparison* c = input.comparison.add_comparisons();
  c->set_label("vgg19 b1 inference @ bench-01");
  c->set_verdict("regression");
  c->set_ratio(1.2);
  c->set_ci_lower(1.15);
  c->set_ci_upper(1.25);
  c->set_ci_level(0.95);
  c->set_p_value(1e-6);
  c->set_n_baseline(20);
  c->set_n_candidate(20);
  input.comparison.set_regressions(1);
  input.comparison.set_alpha(0.05);
  input.comparison.set_min_effect(0.05);

  const analysis::Report report = BuildReport(input);
  std::vector<std::string> titles;
  for (const analysis::Section& s : report.sections) titles.push_back(s.title);
  EXPECT_EQ(titles, std::vector<std::string>(
                        {"Overview", "Fleet", "Roofline", "Latency",
                         "Statistics", "Scaling", "Training", "Regressions",
                         "Warnings"}));
  const std::string html = analysis::RenderHtmlReport(report);
  EXPECT_EQ(analysis::XmlProblems(html, true), "");
  for (const char* needle : {
           "benchfleet report: sweep 7 (demo)",
           // fleet
           "bench-01", "measured peaks",
           // rooflines: one per device, then the whole fleet, placements
           "Roofline: Example CPU 8C @ bench-01", "Roofline: NVIDIA T4 @ bench-01",
           "Roofline: the whole fleet", "Roofline placement",
           // latency, statistics
           "Latency vs FLOPs", "Latency vs parameters",
           "Spearman: Example CPU 8C @ bench-01, batch 1, inference",
           "Cross-device agreement", "95% CI",
           // scaling, training
           "Throughput vs batch size", "Throughput against batch size",
           "Forward : backward", "3866:1",
           "FLOPs by layer kind: vgg19, batch 1 training",
           // regressions and warnings
           "vgg19 b1 inference @ bench-01", "against the previous run",
           "reference BLAS", "unstable", "out of memory at batch 64",
           "other processes took 40%", "implausible"}) {
    EXPECT_NE(html.find(needle), std::string::npos) << "missing: " << needle;
  }
  // Self-contained: no scripts, no external URLs.
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("src=\"http"), std::string::npos);

  const std::string summary = ReportSummary(input);
  EXPECT_THAT(summary, HasSubstr("2 devices"));
  EXPECT_THAT(summary, HasSubstr("1 regression,"));
  // The seed's questions answered in a line each.
  EXPECT_THAT(summary, HasSubstr("Spearman rho(FLOPs, latency) = 1.00"));
  EXPECT_THAT(summary, HasSubstr("Forward:backward over 5 training results"));
  EXPECT_THAT(summary, HasSubstr("compute bound on the measured roof"));
  EXPECT_THAT(summary, HasSubstr("Batching (batch 1, 4)"));
  EXPECT_THAT(summary, HasSubstr("Machine load: other processes took more "
                                 "than 10% of the CPU while 1 of 20 results"));
}

TEST(BuildReportTest, SaysWhenThereIsNothingToCompare) {
  const ReportInput input = FixtureInput();
  const std::string html =
      analysis::RenderHtmlReport(BuildReport(input));
  EXPECT_NE(html.find("No earlier sweep of the same name"), std::string::npos);
  EXPECT_THAT(ReportSummary(input), HasSubstr("no earlier sweep"));
}

constexpr char kGoldens[] = "coordinator/cli/testdata";

std::string Json(const google::protobuf::Message& message) {
  google::protobuf::util::JsonPrintOptions options;
  options.add_whitespace = true;
  options.always_print_primitive_fields = true;
  std::string json;
  EXPECT_TRUE(
      google::protobuf::util::MessageToJsonString(message, &json, options).ok());
  return json;
}

// Every output format of every command, on the fixture fleet.
TEST(GoldenTest, EveryOutputFormat) {
  const std::vector<DeviceGroup> groups = GroupByDevice(
      FleetResults(), {Agent("agent-a", Hardware(), true, 1)});
  const v1::RooflineReport roofline = BuildRooflineReport(groups);
  EXPECT_TRUE(analysis::MatchesGoldenIn(kGoldens, "roofline.txt",
                                        RenderRooflineTable(roofline)));
  EXPECT_TRUE(analysis::MatchesGoldenIn(kGoldens, "roofline.csv",
                                        RenderRooflineCsv(roofline)));
  EXPECT_TRUE(
      analysis::MatchesGoldenIn(kGoldens, "roofline.json", Json(roofline)));

  const CorrelateOptions options;
  const std::vector<CorrelationGroup> correlations =
      CorrelateByDevice(groups, options);
  const std::vector<DeviceAgreement> agreement =
      CrossDeviceAgreement(groups, options);
  EXPECT_TRUE(analysis::MatchesGoldenIn(
      kGoldens, "correlate.txt",
      RenderCorrelations(correlations, agreement, options, false)));
  EXPECT_TRUE(analysis::MatchesGoldenIn(
      kGoldens, "correlate.csv",
      RenderCorrelations(correlations, agreement, options, true)));

  std::vector<v1::JobResult> base, cand;
  int64_t job = 100;
  for (const Model& m : Models()) {
    base.push_back(
        Result(job++, m, 1, v1::MODE_INFERENCE, v1::DEVICE_KIND_CPU, 40));
    cand.push_back(
        Result(job++, m, 1, v1::MODE_INFERENCE, v1::DEVICE_KIND_CPU, 40));
  }
  base.push_back(
      Result(job++, Models()[0], 8, v1::MODE_INFERENCE, v1::DEVICE_KIND_CPU, 40));
  const StepSource steps =
      [](int64_t job_id) -> absl::StatusOr<std::vector<double>> {
    std::vector<double> ms;
    const double scale = job_id == 105 ? 1.3 : job_id == 107 ? 0.7 : 1;
    for (int i = 0; i < 12; ++i) ms.push_back(scale * (20 + (i * 7) % 5));
    return ms;
  };
  absl::StatusOr<v1::ComparisonReport> comparison = CompareMatched(
      MatchResults(base, cand), steps, analysis::RegressionOptions(),
      [](const std::string&) { return std::string("bench-01"); });
  ASSERT_TRUE(comparison.ok()) << comparison.status();
  comparison->add_baseline_sweep_ids(1);
  comparison->add_candidate_sweep_ids(2);
  EXPECT_TRUE(analysis::MatchesGoldenIn(kGoldens, "compare.txt",
                                        RenderComparison(*comparison, false)));
  EXPECT_TRUE(analysis::MatchesGoldenIn(kGoldens, "compare.csv",
                                        RenderComparison(*comparison, true)));
  EXPECT_TRUE(
      analysis::MatchesGoldenIn(kGoldens, "compare.json", Json(*comparison)));

  std::vector<ScheduleRun> runs;
  for (int night = 0; night < 10; ++night) {
    ScheduleRun run;
    run.sweep.set_sweep_id(night + 1);
    run.sweep.set_created_unix_ms(int64_t{1795000000000} + night * 86400000);
    run.results.push_back(Result(night + 1, Models()[0], 1, v1::MODE_INFERENCE,
                                 v1::DEVICE_KIND_CPU,
                                 (night < 5 ? 40 : 34) * (1 + 0.002 * (night % 2))));
    runs.push_back(run);
  }
  EXPECT_TRUE(analysis::MatchesGoldenIn(
      kGoldens, "history.txt",
      RenderHistory(BuildHistory(runs, [](const std::string&) {
                      return std::string("bench-01");
                    }),
                    "nightly")));
}

}  // namespace
}  // namespace benchfleet::cli
