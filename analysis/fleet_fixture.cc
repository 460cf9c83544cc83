#include "analysis/fleet_fixture.h"

namespace benchfleet::analysis::fixture {
namespace {

void AddPeak(v1::HardwareReport* hw, const std::string& name, double value,
             const std::string& unit) {
  v1::MeasuredPeak* p = hw->add_measured_peaks();
  p->set_name(name);
  p->set_value(value);
  p->set_unit(unit);
}

}  // namespace

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


}  // namespace benchfleet::analysis::fixture
