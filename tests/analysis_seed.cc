#include "tests/analysis_seed.h"

#include <algorithm>
#include <cmath>
#include <random>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "analysis/summary_stats.h"
#include "base/status_macros.h"

namespace benchfleet::testing {
namespace {

// Published per-item figures at 3x224x224 (torchvision): forward GFLOPs
// (a multiply-add = 2), parameters, activation bytes written by one forward,
// and how well the model uses the hardware (share of the attainable roof).
struct ModelFigures {
  const char* name;
  double gflops;
  double params_millions;
  double activation_mb;
  double efficiency;
};
constexpr ModelFigures kModels[] = {
    {"resnet18", 3.64, 11.69, 25, 0.55},
    {"resnet50", 8.21, 25.56, 100, 0.50},
    {"mobilenet_v2", 0.60, 3.50, 75, 0.20},
    {"vgg16", 30.9, 138.36, 60, 0.65},
    {"densenet121", 5.74, 7.98, 120, 0.30},
    {"efficientnet_b0", 0.78, 5.29, 85, 0.18},
    {"squeezenet1_0", 1.64, 1.25, 30, 0.35},
    {"alexnet", 1.43, 61.10, 5, 0.45},
    {"googlenet", 3.00, 6.62, 35, 0.40},
    {"shufflenet_v2_x1_0", 0.30, 2.28, 30, 0.15},
};
constexpr int kMaxModels = sizeof(kModels) / sizeof(kModels[0]);

// One CPU model per host (cycled) and one GPU per GPU host (cycled): the
// measured FP32 FMA peak and DRAM bandwidth of the whole host, the
// datasheet figures, sockets and cores.
struct CpuFigures {
  const char* model;
  double fma_flops;
  double dram_bytes;
  double datasheet_flops;  // per socket
  double datasheet_bytes;  // per socket
  int sockets;
  int cores;
};
constexpr CpuFigures kCpus[] = {
    {"AMD EPYC 7B13 64-Core Processor", 2.9e12, 1.3e11, 1.6e12, 2.05e11, 2, 128},
    {"Intel(R) Xeon(R) Platinum 8481C", 4.1e12, 1.9e11, 2.5e12, 3.07e11, 2, 112},
    {"AMD EPYC 9B14 96-Core Processor", 5.6e12, 3.1e11, 3.4e12, 4.6e11, 2, 192},
    {"Intel(R) Xeon(R) CPU @ 2.20GHz", 0.21e12, 1.4e10, 0.14e12, 2.2e10, 1, 4},
    {"Neoverse-N1", 0.9e12, 1.1e11, 0.5e12, 2.0e11, 1, 64},
};
struct GpuFigures {
  const char* name;
  double sgemm_flops;
  double copy_bytes;
  double datasheet_flops;
  double datasheet_bytes;
};
constexpr GpuFigures kGpus[] = {
    {"NVIDIA A100-SXM4-40GB", 18.1e12, 1.31e12, 19.5e12, 1.555e12},
    {"NVIDIA L4", 24.0e12, 2.4e11, 30.3e12, 3.0e11},
    {"NVIDIA H100 80GB HBM3", 51.0e12, 2.75e12, 67.0e12, 3.35e12},
};

v1::MeasuredPeak Peak(const std::string& name, double value, const char* unit,
                      int threads) {
  v1::MeasuredPeak peak;
  peak.set_name(name);
  peak.set_value(value);
  peak.set_unit(unit);
  peak.set_method(absl::StrCat("seeded: ", name));
  peak.set_threads(threads);
  return peak;
}

struct Host {
  std::string agent_id;
  std::string host_id;
  v1::DeviceKind device = v1::DEVICE_KIND_CPU;
  std::string device_name;
  int threads = 0;
  double peak_flops = 0;   // the best measured compute roof of the device
  double peak_bytes = 0;   // its measured DRAM bandwidth
  v1::Hello hello;
};

Host MakeHost(int index, bool gpu) {
  const CpuFigures& cpu = kCpus[index % (sizeof(kCpus) / sizeof(kCpus[0]))];
  Host host;
  host.host_id = absl::StrFormat("%016x", 0x5eed0000ull + index);
  const std::string hostname = absl::StrCat("node-", index);
  host.agent_id = absl::StrCat(hostname, "-agent");
  host.threads = cpu.cores;
  v1::HardwareReport& hw = *host.hello.mutable_hardware();
  hw.set_host_id(host.host_id);
  hw.set_hostname(hostname);
  hw.mutable_cpu()->set_model_name(cpu.model);
  hw.mutable_cpu()->set_sockets(cpu.sockets);
  hw.mutable_cpu()->set_cores(cpu.cores);
  hw.mutable_cpu()->set_threads(cpu.cores * 2);
  const int64_t cache_bytes[] = {48 << 10, 1 << 20, 32 << 20};
  for (int level = 1; level <= 3; ++level) {
    v1::CacheLevel* cache = hw.mutable_cpu()->add_caches();
    cache->set_level(level);
    cache->set_type(level == 1 ? "Data" : "Unified");
    cache->set_size_bytes(cache_bytes[level - 1]);
    cache->set_source("sysfs");
  }
  *hw.add_measured_peaks() = Peak("fp32_fma", cpu.fma_flops, "FLOP/s", cpu.cores);
  *hw.add_measured_peaks() = Peak("sgemm", cpu.fma_flops * 0.82, "FLOP/s", cpu.cores);
  *hw.add_measured_peaks() = Peak("l1", cpu.dram_bytes * 40, "B/s", cpu.cores);
  *hw.add_measured_peaks() = Peak("l2", cpu.dram_bytes * 12, "B/s", cpu.cores);
  *hw.add_measured_peaks() = Peak("l3", cpu.dram_bytes * 4, "B/s", cpu.cores);
  *hw.add_measured_peaks() = Peak("dram", cpu.dram_bytes, "B/s", cpu.cores);
  *hw.add_measured_peaks() = Peak("stream_triad", cpu.dram_bytes * 0.93, "B/s", cpu.cores);
  v1::DatasheetPeak* sheet = hw.add_datasheet_peaks();
  sheet->set_device(cpu.model);
  sheet->set_devices(cpu.sockets);
  sheet->set_fp32_flops(cpu.datasheet_flops);
  sheet->set_memory_bytes_per_second(cpu.datasheet_bytes);
  sheet->set_basis(index % 2 == 0 ? "datasheet" : "theoretical");
  sheet->set_source("seeded");
  host.device_name = cpu.model;
  host.peak_flops = cpu.fma_flops;
  host.peak_bytes = cpu.dram_bytes;
  if (gpu) {
    const GpuFigures& g = kGpus[index % (sizeof(kGpus) / sizeof(kGpus[0]))];
    v1::AcceleratorInfo* accelerator = hw.add_accelerators();
    accelerator->set_name(g.name);
    accelerator->set_index(0);
    accelerator->set_vendor("NVIDIA");
    *hw.add_measured_peaks() = Peak("cuda0_sgemm", g.sgemm_flops, "FLOP/s", 1);
    *hw.add_measured_peaks() = Peak("cuda0_d2d_copy", g.copy_bytes, "B/s", 1);
    v1::DatasheetPeak* gpu_sheet = hw.add_datasheet_peaks();
    gpu_sheet->set_device(g.name);
    gpu_sheet->set_devices(1);
    gpu_sheet->set_fp32_flops(g.datasheet_flops);
    gpu_sheet->set_memory_bytes_per_second(g.datasheet_bytes);
    gpu_sheet->set_basis("datasheet");
    gpu_sheet->set_source("seeded");
    host.device = v1::DEVICE_KIND_CUDA;
    host.device_name = g.name;
    host.peak_flops = g.sgemm_flops;
    host.peak_bytes = g.copy_bytes;
    host.hello.add_devices(v1::DEVICE_KIND_CUDA);
  }
  host.hello.set_agent_id(host.agent_id);
  host.hello.set_agent_version("seeded");
  host.hello.add_devices(v1::DEVICE_KIND_CPU);
  (*host.hello.mutable_labels())["seeded"] = "true";
  return host;
}

v1::CostFigures Cost(const ModelFigures& m, int batch, v1::Mode mode) {
  v1::CostFigures cost;
  const double forward = m.gflops * 1e9 * batch;
  cost.set_forward_flops(forward);
  if (mode == v1::MODE_TRAINING) cost.set_backward_flops(2 * forward);
  const auto params = static_cast<int64_t>(m.params_millions * 1e6);
  cost.set_params(params);
  cost.set_param_bytes(4 * params);
  const auto activations = static_cast<int64_t>(m.activation_mb * 1e6 * batch);
  cost.set_activation_bytes(activations);
  const int64_t input_bytes = int64_t{3 * 224 * 224 * 4} * batch;
  cost.set_traffic_bytes(4 * params + input_bytes + 2 * activations);
  cost.set_footprint_bytes(4 * params + input_bytes + 3 * activations);
  cost.set_intensity(forward / cost.traffic_bytes());
  return cost;
}

// The median step time of `m` on `host`: the step's FLOPs at the model's
// share of the roof, lower for small batches, plus a fixed launch cost.
double MedianStepNs(const ModelFigures& m, const v1::CostFigures& cost,
                    const Host& host, int batch, v1::Mode mode) {
  const double step_flops = cost.forward_flops() + cost.backward_flops();
  const double roof = std::min(host.peak_flops, host.peak_bytes * cost.intensity());
  const double share = m.efficiency * batch / (batch + 1.0);
  const double overhead_ns = host.device == v1::DEVICE_KIND_CUDA ? 2e5 : 2e4;
  return step_flops / (roof * share) * 1e9 * (mode == v1::MODE_TRAINING ? 1.1 : 1.0) +
         overhead_ns;
}

}  // namespace

absl::StatusOr<SeededFleet> SeedFleet(coordinator::Store& store,
                                      const FleetSeedOptions& o) {
  if (o.hosts < 1 || o.gpu_hosts < 0 || o.gpu_hosts > o.hosts)
    return absl::InvalidArgumentError(
        absl::StrCat("hosts=", o.hosts, " gpu_hosts=", o.gpu_hosts,
                     ": need 1 <= hosts and 0 <= gpu_hosts <= hosts"));
  if (o.models < 1 || o.models > kMaxModels)
    return absl::InvalidArgumentError(
        absl::StrCat("models=", o.models, ": between 1 and ", kMaxModels));
  if (o.sweeps < 1 || o.batches.empty())
    return absl::InvalidArgumentError("sweeps and batches must not be empty");
  const int slow_from = o.sweeps / 2;  // the first run with the slowdown
  const bool has_pair = o.compare_samples_per_job > 0 && slow_from >= 1;
  const int specs_per_sweep =
      o.models * static_cast<int>(o.batches.size()) * (o.training ? 2 : 1);
  const int jobs_per_sweep = specs_per_sweep * o.hosts;
  const int64_t jobs = int64_t{jobs_per_sweep} * o.sweeps;
  const int64_t pair_jobs = has_pair ? 2 * jobs_per_sweep : 0;
  const int64_t rest = o.total_samples - pair_jobs * o.compare_samples_per_job;
  if (rest < jobs - pair_jobs)
    return absl::InvalidArgumentError(absl::StrCat(
        "total_samples=", o.total_samples, ": too few for ", jobs, " jobs"));

  std::vector<Host> hosts;
  SeededFleet seeded;
  for (int i = 0; i < o.hosts; ++i) {
    hosts.push_back(MakeHost(i, i < o.gpu_hosts));
    RETURN_IF_ERROR(store.UpsertAgent(hosts.back().hello, o.start));
    seeded.agent_ids.push_back(hosts.back().agent_id);
  }
  const int baseline_index = has_pair ? slow_from - 1 : -1;
  const int candidate_index = has_pair ? o.sweeps - 1 : -1;

  std::mt19937_64 rng(o.seed);
  std::normal_distribution<double> gauss(0.0, 1.0);
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  int64_t rest_jobs_seen = 0;  // jobs outside the pair, for an even spread
  const int64_t rest_jobs = jobs - pair_jobs;
  v1::SweepSpec spec;
  spec.set_name(o.schedule);
  for (int m = 0; m < o.models; ++m) spec.add_models(kModels[m].name);
  for (int b : o.batches) spec.add_batch_sizes(b);
  spec.add_modes(v1::MODE_INFERENCE);
  if (o.training) spec.add_modes(v1::MODE_TRAINING);
  (*spec.mutable_selector())["seeded"] = "true";

  for (int s = 0; s < o.sweeps; ++s) {
    const absl::Time created = o.start + absl::Hours(24) * s;
    const bool slow_run = s >= slow_from;
    std::vector<v1::BenchmarkSpec> specs;
    std::vector<const Host*> placed;
    std::vector<int> model_of;
    for (int m = 0; m < o.models; ++m)
      for (int b : o.batches)
        for (int mode = 0; mode < (o.training ? 2 : 1); ++mode)
          for (const Host& host : hosts) {
            v1::BenchmarkSpec job;
            job.set_model(kModels[m].name);
            job.set_batch_size(b);
            job.set_mode(mode == 0 ? v1::MODE_INFERENCE : v1::MODE_TRAINING);
            job.set_device(host.device);
            specs.push_back(job);
            placed.push_back(&host);
            model_of.push_back(m);
          }
    ASSIGN_OR_RETURN(int64_t sweep_id, store.CreateSweep(spec, specs, created, o.schedule));
    seeded.sweep_ids.push_back(sweep_id);
    if (s == baseline_index) seeded.compare_baseline_sweep = sweep_id;
    if (s == candidate_index) seeded.compare_candidate_sweep = sweep_id;
    ASSIGN_OR_RETURN(v1::SweepStatus sweep, store.GetSweep(sweep_id));
    for (int j = 0; j < sweep.jobs_size(); ++j) {
      const v1::JobInfo& info = sweep.jobs(j);
      const Host& host = *placed[j];
      const ModelFigures& model = kModels[model_of[j]];
      const v1::BenchmarkSpec& job = info.spec();
      int64_t n;
      if (s == baseline_index || s == candidate_index) {
        n = o.compare_samples_per_job;
      } else {
        n = (rest * (rest_jobs_seen + 1)) / rest_jobs - (rest * rest_jobs_seen) / rest_jobs;
        ++rest_jobs_seen;
      }
      const absl::Time leased = created + absl::Seconds(30 * j);
      RETURN_IF_ERROR(store.RecordLease(info.job_id(), 1, host.agent_id, leased));

      v1::JobResult result;
      *result.mutable_cost() = Cost(model, job.batch_size(), job.mode());
      double median_ns = MedianStepNs(model, result.cost(), host, job.batch_size(), job.mode());
      if (slow_run && model_of[j] % 5 == 1) median_ns *= 1.2;  // resnet50, efficientnet_b0
      median_ns *= std::exp(0.01 * gauss(rng));  // run-to-run variation
      // Models with little work per step are noisier; a few jobs are unstable.
      const double spread = (model.gflops < 1 ? 0.04 : 0.015) * (uniform(rng) < 0.03 ? 6 : 1);
      std::vector<v1::Sample> samples;
      std::vector<int64_t> durations;
      samples.reserve(n);
      durations.reserve(n);
      for (int64_t k = 0; k < n; ++k) {
        const auto ns = static_cast<int64_t>(median_ns * std::exp(spread * gauss(rng)));
        v1::Sample sample;
        sample.set_job_id(info.job_id());
        sample.set_attempt(1);
        sample.set_sequence(k);
        sample.set_phase(v1::PHASE_STEP);
        sample.set_duration_ns(std::max<int64_t>(ns, 1));
        durations.push_back(sample.duration_ns());
        samples.push_back(std::move(sample));
      }
      RETURN_IF_ERROR(store.AddSamples(host.agent_id, samples));

      result.set_job_id(info.job_id());
      result.set_attempt(1);
      result.set_agent_id(host.agent_id);
      *result.mutable_spec() = job;
      result.set_status(v1::JOB_STATUS_OK);
      *result.mutable_step() = analysis::Summarize(durations);
      const double median_s = result.step().median_ms() / 1e3;
      result.set_items_per_second(job.batch_size() / median_s);
      result.set_achieved_flops_per_second(
          (result.cost().forward_flops() + result.cost().backward_flops()) / median_s);
      if (job.mode() == v1::MODE_TRAINING) {
        // The phases' shares of a step, as a training step splits.
        auto scaled = [&](double share) {
          std::vector<int64_t> part;
          part.reserve(durations.size());
          for (int64_t d : durations) part.push_back(static_cast<int64_t>(d * share));
          return analysis::Summarize(part);
        };
        *result.mutable_forward() = scaled(0.34);
        *result.mutable_backward() = scaled(0.61);
        *result.mutable_optimizer() = scaled(0.05);
        result.set_forward_backward_latency_ratio(0.34 / 0.61);
        result.set_forward_backward_flop_ratio(0.5);
      }
      result.set_intra_op_threads(host.threads);
      result.set_inter_op_threads(1);
      result.set_device_name(host.device_name);
      result.set_host_id(host.host_id);
      result.set_unstable(analysis::IsUnstable(result.step()));
      result.set_stop_reason(v1::STOP_REASON_STABLE);
      result.set_iterations_per_sample(1);
      result.set_other_cpu_load(0.02 * uniform(rng));
      result.set_warmup_ns(static_cast<int64_t>(2 * median_ns));
      const absl::Time started = leased + absl::Seconds(1);
      result.set_started_unix_ms(absl::ToUnixMillis(started));
      result.set_finished_unix_ms(
          absl::ToUnixMillis(started + absl::Nanoseconds(median_ns * n)));
      result.mutable_provenance()->set_agent_version("seeded");
      result.mutable_provenance()->set_libtorch_version("1.13.1");
      result.mutable_provenance()->set_blas_vendor("openblas");
      ASSIGN_OR_RETURN(bool stored, store.StoreResult(host.agent_id, result, started));
      if (!stored)
        return absl::InternalError(absl::StrCat("job ", info.job_id(), " already had a result"));
      ++seeded.results;
      seeded.samples += n;
    }
  }
  if (!o.schedule.empty()) {
    // A yearly slot that has just run: the coordinator starts nothing new.
    v1::Schedule schedule;
    schedule.set_name(o.schedule);
    schedule.set_cron("0 3 1 1 *");
    schedule.set_time_zone("UTC");
    *schedule.mutable_spec() = spec;
    schedule.set_created_unix_ms(absl::ToUnixMillis(o.start));
    RETURN_IF_ERROR(store.AddSchedule(schedule));
    RETURN_IF_ERROR(store.MarkScheduleRun(o.schedule, absl::Now(), seeded.sweep_ids.back()));
  }
  return seeded;
}

}  // namespace benchfleet::testing
