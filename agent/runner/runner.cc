#include "agent/runner/runner.h"

#include <malloc.h>
#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <fstream>
#include <limits>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "agent/hw/load_monitor.h"
#include "agent/models/cost_model.h"
#include "agent/models/zoo.h"
#include "agent/runner/adaptive_stop.h"
#include "agent/runner/cuda_util.h"
#include "agent/runner/job_resources.h"
#include "agent/runner/level_shift.h"
#include "analysis/summary_stats.h"
#include "spec/model_catalog.h"
#include "spec/spec_check.h"

namespace benchfleet::runner {
namespace {

using SteadyClock = std::chrono::steady_clock;

int64_t Nanos(SteadyClock::duration d) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(d).count();
}

double Seconds(SteadyClock::duration d) {
  return std::chrono::duration<double>(d).count();
}

// Reads a "VmHWM:   1234 kB" style field of /proc/self/status, in bytes.
int64_t ProcStatusBytes(const std::string& field) {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind(field + ":", 0) == 0) {
      return std::stoll(line.substr(field.size() + 1)) * 1024;
    }
  }
  return 0;
}

}  // namespace

// By default glibc adapts its
// mmap threshold to the sizes freed so far and trims the top of the heap
// when enough is free there; depending on what the process did before, a
// model's activations can then go back to the kernel after every forward and
// be faulted in again on the next one. Measured here: MobileNetV3-Large,
// batch 1, one thread, 18.9 ms with ~3200 page faults per forward in one
// process state against 12.5 ms with none, same process, same module. With
// the threshold fixed (at its ceiling, 32 MiB on 64-bit) and trimming off,
// the memory freed by one iteration stays for the next and the steady state
// has no page faults whatever ran before. Allocations above 32 MiB are
// still mapped and unmapped each time, as in any LibTorch process. The
// memory is handed back between jobs with malloc_trim(0).
void PinMallocPolicy() {
  static const bool pinned = [] {
    mallopt(M_MMAP_THRESHOLD, 32 << 20);
    mallopt(M_TRIM_THRESHOLD, -1);
    return true;
  }();
  (void)pinned;
}

namespace {

// Hands freed heap memory back to the kernel, then resets the process's
// peak RSS to its current RSS (Linux >= 4.0), so that VmHWM afterwards is the
// high-water mark of this job alone. Without the trim, a job that reuses
// pages an earlier job freed (glibc keeps them) would show no growth.
void ResetPeakRss() {
  malloc_trim(0);
  std::ofstream("/proc/self/clear_refs") << "5";
}

std::string ShapeName(const v1::InputShape& in) {
  return absl::StrCat(in.channels(), "x", in.height(), "x", in.width());
}

std::string Describe(const v1::BenchmarkSpec& spec) {
  return absl::StrCat("model ", spec.model(), " batch ", spec.batch_size(),
                      " input ", ShapeName(spec.input()));
}

const char* PrecisionName(v1::Precision p) {
  switch (p) {
    case v1::PRECISION_BF16:
      return "BF16";
    case v1::PRECISION_FP16:
      return "FP16";
    default:
      return "FP32";
  }
}

torch::Dtype DtypeOf(v1::Precision p) {
  switch (p) {
    case v1::PRECISION_BF16:
      return torch::kBFloat16;
    case v1::PRECISION_FP16:
      return torch::kHalf;
    default:
      return torch::kFloat;
  }
}

// Thrown inside the timing loops when the job is cancelled; caught in RunJob.
struct Cancelled {};

void CheckCancelled(const std::atomic<bool>* cancelled) {
  if (cancelled && cancelled->load(std::memory_order_relaxed))
    throw Cancelled();
}

// Streams samples and keeps each phase's durations for the summary.
class Recorder {
 public:
  Recorder(int64_t job_id, int32_t attempt, const SampleCallback& on_sample)
      : job_id_(job_id), attempt_(attempt), on_sample_(on_sample) {}

  void Record(v1::Phase phase, int64_t duration_ns, int64_t iterations = 1) {
    if (on_sample_) {
      v1::Sample sample;
      sample.set_job_id(job_id_);
      sample.set_attempt(attempt_);
      sample.set_sequence(sequence_);
      sample.set_phase(phase);
      sample.set_duration_ns(duration_ns);
      if (iterations > 1)
        sample.set_iterations(static_cast<int32_t>(iterations));
      on_sample_(sample);
    }
    ++sequence_;
    Durations(phase).push_back(duration_ns);
  }

  std::vector<int64_t>& Durations(v1::Phase phase) {
    switch (phase) {
      case v1::PHASE_FORWARD:
        return forward_;
      case v1::PHASE_BACKWARD:
        return backward_;
      case v1::PHASE_OPTIMIZER:
        return optimizer_;
      default:
        return step_;
    }
  }

  void Reserve(size_t n) {
    step_.reserve(n);
    forward_.reserve(n);
    backward_.reserve(n);
    optimizer_.reserve(n);
  }

 private:
  int64_t job_id_;
  int32_t attempt_;
  const SampleCallback& on_sample_;
  int64_t sequence_ = 0;
  std::vector<int64_t> step_, forward_, backward_, optimizer_;
};

// Where and how the job runs.
struct Placement {
  torch::Device device = torch::kCPU;
  torch::Dtype dtype = torch::kFloat;
  bool channels_last = false;
  bool cuda() const { return device.is_cuda(); }
  void Sync() const {
    if (cuda()) CudaSynchronize();
  }
};

// Moves `module` to the placement as Python's module.to(device, dtype,
// memory_format=...) does: floating parameters and buffers take the dtype
// (integer buffers such as batch norm's num_batches_tracked keep theirs;
// LibTorch's Module::to(dtype) would convert them too); 4-d ones take the
// channels_last layout.
void Place(torch::nn::Module& module, const Placement& placement) {
  module.to(placement.device);
  torch::NoGradGuard no_grad;
  auto convert = [&placement](torch::Tensor& t) {
    torch::Tensor v = t;
    if (v.is_floating_point() && v.scalar_type() != placement.dtype)
      v = v.to(placement.dtype);
    if (placement.channels_last && v.dim() == 4)
      v = v.contiguous(torch::MemoryFormat::ChannelsLast);
    if (!v.is_same(t)) t.set_data(v);
  };
  for (torch::Tensor& p : module.parameters()) convert(p);
  for (torch::Tensor& b : module.buffers()) convert(b);
}

torch::Tensor MakeInput(const v1::BenchmarkSpec& spec,
                        const Placement& placement) {
  const auto& in = spec.input();
  torch::Tensor x =
      torch::randn({spec.batch_size(), in.channels(), in.height(), in.width()});
  x = x.to(placement.device, placement.dtype);
  if (placement.channels_last)
    x = x.contiguous(torch::MemoryFormat::ChannelsLast);
  return x;
}

// What the timing loops leave behind besides the samples.
struct LoopOutcome {
  int64_t warmup_ns = 0;
  int64_t block = 1;
  int64_t iterations = 0;
  double timed_seconds = 0;  // start of the first to end of the last sample
  v1::StopReason stop_reason = v1::STOP_REASON_UNSPECIFIED;
  double last_ci = std::numeric_limits<double>::infinity();
};

// Inference: eval() + InferenceMode. One forward per sample unless a forward
// is shorter than kMinBlockNs, measured on the fastest warm-up iteration.
LoopOutcome TimeInference(torch::nn::AnyModule& module,
                          const torch::Tensor& input,
                          const v1::BenchmarkSpec& spec,
                          const Placement& placement, AdaptiveStop& stop,
                          Recorder& recorder,
                          const std::atomic<bool>* cancelled) {
  LoopOutcome out;
  module.ptr()->eval();
  c10::InferenceMode inference_mode;
  const v1::Budget& budget = spec.budget();

  int64_t fastest_warmup = std::numeric_limits<int64_t>::max();
  const auto warmup_start = SteadyClock::now();
  for (int i = 0; i < budget.warmup_iterations(); ++i) {
    CheckCancelled(cancelled);
    placement.Sync();
    const auto t0 = SteadyClock::now();
    module.forward(input);
    placement.Sync();
    fastest_warmup = std::min(fastest_warmup, Nanos(SteadyClock::now() - t0));
  }
  out.warmup_ns = Nanos(SteadyClock::now() - warmup_start);
  if (budget.warmup_iterations() > 0)
    out.block =
        std::min<int64_t>(BlockSize(static_cast<double>(fastest_warmup)),
                          budget.max_iterations());

  const auto start = SteadyClock::now();
  auto t1 = start;
  while (true) {
    CheckCancelled(cancelled);
    const int64_t block = std::min<int64_t>(
        out.block, budget.max_iterations() - stop.iterations());
    placement.Sync();
    const auto t0 = SteadyClock::now();
    for (int64_t b = 0; b < block; ++b) module.forward(input);
    placement.Sync();
    t1 = SteadyClock::now();
    const int64_t per_iteration = Nanos(t1 - t0) / block;
    recorder.Record(v1::PHASE_STEP, per_iteration, block);
    if (stop.Add(static_cast<double>(per_iteration), block,
                 Seconds(t1 - start)))
      break;
  }
  out.timed_seconds = Seconds(t1 - start);
  return out;
}

// Training: forward + cross-entropy loss, backward, SGD step + zero_grad,
// each timed, and the whole step.
LoopOutcome TimeTraining(torch::nn::AnyModule& module,
                         const torch::Tensor& input,
                         const v1::BenchmarkSpec& spec,
                         const Placement& placement, AdaptiveStop& stop,
                         Recorder& recorder,
                         const std::atomic<bool>* cancelled) {
  LoopOutcome out;
  torch::nn::Module& root = *module.ptr();
  root.train();
  torch::optim::SGD optimizer(root.parameters(),
                              torch::optim::SGDOptions(0.01).momentum(0.9));
  torch::Tensor target;  // labels, made once the number of classes is known

  struct PhaseTimes {
    int64_t forward, backward, optimizer, step;
  };
  auto step = [&]() {
    placement.Sync();
    const auto t0 = SteadyClock::now();
    torch::Tensor logits = module.forward(input);
    if (!target.defined()) {
      target = torch::randint(
          0, logits.size(1), {logits.size(0)},
          torch::TensorOptions(torch::kLong).device(placement.device));
    }
    torch::Tensor loss = torch::nn::functional::cross_entropy(logits, target);
    placement.Sync();
    const auto t1 = SteadyClock::now();
    loss.backward();
    placement.Sync();
    const auto t2 = SteadyClock::now();
    optimizer.step();
    optimizer.zero_grad();
    placement.Sync();
    const auto t3 = SteadyClock::now();
    return PhaseTimes{Nanos(t1 - t0), Nanos(t2 - t1), Nanos(t3 - t2),
                      Nanos(t3 - t0)};
  };

  const auto warmup_start = SteadyClock::now();
  for (int i = 0; i < spec.budget().warmup_iterations(); ++i) {
    CheckCancelled(cancelled);
    step();
  }
  out.warmup_ns = Nanos(SteadyClock::now() - warmup_start);

  const auto start = SteadyClock::now();
  while (true) {
    CheckCancelled(cancelled);
    const PhaseTimes t = step();
    const auto now = SteadyClock::now();
    recorder.Record(v1::PHASE_FORWARD, t.forward);
    recorder.Record(v1::PHASE_BACKWARD, t.backward);
    recorder.Record(v1::PHASE_OPTIMIZER, t.optimizer);
    recorder.Record(v1::PHASE_STEP, t.step);
    if (stop.Add(static_cast<double>(t.step), 1, Seconds(now - start))) {
      out.timed_seconds = Seconds(now - start);
      break;
    }
  }
  return out;
}

// Sets the inter-op thread count asked for, once per process; returns a
// warning when LibTorch already runs with another count.
std::optional<std::string> SetInterOpThreads(int wanted) {
  if (wanted <= 0 || at::get_num_interop_threads() == wanted)
    return std::nullopt;
  try {
    at::set_num_interop_threads(wanted);
    return std::nullopt;
  } catch (const c10::Error&) {
    return absl::StrCat("inter_op_threads ", wanted,
                        " not applied: LibTorch fixes the inter-op pool once "
                        "per process and it already has ",
                        at::get_num_interop_threads(), " (recorded)");
  }
}

// The shape the cost model runs on for the memory estimate: the job's own
// when it is no larger than the model's default, else the default (with the
// job's channels), so that the estimate itself never needs much memory.
v1::InputShape ReferenceShape(const v1::BenchmarkSpec& spec) {
  const spec::CatalogEntry* entry = spec::FindModel(spec.model());
  const v1::InputShape& in = spec.input();
  if (entry == nullptr) return in;
  const v1::InputShape& def = entry->default_input;
  if (static_cast<int64_t>(in.height()) * in.width() <=
      static_cast<int64_t>(def.height()) * def.width())
    return in;
  v1::InputShape shape = def;
  shape.set_channels(in.channels());
  return shape;
}

bool SameShape(const v1::InputShape& a, const v1::InputShape& b) {
  return a.channels() == b.channels() && a.height() == b.height() &&
         a.width() == b.width();
}

// Fills result.cost and refuses jobs that would not fit. Returns a failure
// cause (without the model/batch prefix) or nullopt to go on.
std::optional<std::string> CostAndMemory(models::ZooModel& model,
                                         const v1::BenchmarkSpec& spec,
                                         const RunnerOptions& options,
                                         v1::JobResult& result) {
  const bool cuda = spec.device() == v1::DEVICE_KIND_CUDA;
  const v1::InputShape reference_shape = ReferenceShape(spec);
  absl::StatusOr<v1::CostFigures> reference = models::ComputeCost(
      spec.model(), model.module, reference_shape, 1, spec.mode());
  if (!reference.ok()) {
    result.add_warnings(absl::StrCat("no cost figures or memory estimate: ",
                                     reference.status().message()));
    return std::nullopt;
  }

  if (!cuda) {
    const int64_t need =
        EstimateMemoryNeedBytes(*reference, reference_shape, 1, spec);
    absl::StatusOr<int64_t> available = ReadMemAvailable(options.host_root);
    if (!available.ok()) {
      result.add_warnings(absl::StrCat("memory need not checked: ",
                                       available.status().message()));
    } else if (need > *available) {
      return absl::StrCat(
          "out of memory, refused before running: needs about ",
          HumanBytes(static_cast<double>(need)), " (",
          spec.mode() == v1::MODE_TRAINING ? "training" : "inference",
          "; cost model at batch 1 and ", ShapeName(reference_shape),
          ": parameters ",
          HumanBytes(static_cast<double>(reference->param_bytes())),
          ", activations ",
          HumanBytes(static_cast<double>(reference->activation_bytes())),
          ") but MemAvailable is ",
          HumanBytes(static_cast<double>(*available)));
    }
  }

  const bool reference_is_job = SameShape(reference_shape, spec.input());
  if (reference_is_job && spec.batch_size() == 1) {
    *result.mutable_cost() = *std::move(reference);
    return std::nullopt;
  }
  if (cuda) {
    // A CPU forward at a GPU job's batch could take longer than the job.
    absl::StatusOr<v1::CostFigures> one =
        reference_is_job ? reference
                         : models::ComputeCost(spec.model(), model.module,
                                               spec.input(), 1, spec.mode());
    if (!one.ok()) {
      result.add_warnings(
          absl::StrCat("no cost figures: ", one.status().message()));
      return std::nullopt;
    }
    *result.mutable_cost() = ScaleCostToBatch(*one, 1, spec.batch_size());
    result.add_warnings(
        absl::StrCat("cost figures scaled linearly from batch 1 to batch ",
                     spec.batch_size()));
    return std::nullopt;
  }
  absl::StatusOr<v1::CostFigures> job = models::ComputeCost(
      spec.model(), model.module, spec.input(), spec.batch_size(), spec.mode());
  if (!job.ok()) {
    result.add_warnings(
        absl::StrCat("no cost figures: ", job.status().message()));
    return std::nullopt;
  }
  *result.mutable_cost() = *std::move(job);
  return std::nullopt;
}

// True when a LibTorch error message is an allocation failure.
bool IsOutOfMemory(absl::string_view message) {
  return absl::StrContains(message, "not enough memory") ||
         absl::StrContains(message, "out of memory") ||
         absl::StrContains(message, "Out of memory");
}

// Statistics, derived figures and warnings once timing is done.
void Summarise(const v1::BenchmarkSpec& spec, Recorder& recorder,
               const LoopOutcome& loop, v1::JobResult& result) {
  *result.mutable_step() =
      analysis::Summarize(recorder.Durations(v1::PHASE_STEP));
  const v1::DurationStats& step = result.step();
  const bool training = spec.mode() == v1::MODE_TRAINING;
  if (training) {
    *result.mutable_forward() =
        analysis::Summarize(recorder.Durations(v1::PHASE_FORWARD));
    *result.mutable_backward() =
        analysis::Summarize(recorder.Durations(v1::PHASE_BACKWARD));
    *result.mutable_optimizer() =
        analysis::Summarize(recorder.Durations(v1::PHASE_OPTIMIZER));
    if (result.backward().median_ms() > 0)
      result.set_forward_backward_latency_ratio(result.forward().median_ms() /
                                                result.backward().median_ms());
  }
  result.set_unstable(analysis::IsUnstable(step));
  if (step.median_ms() > 0)
    result.set_items_per_second(spec.batch_size() * 1e3 / step.median_ms());
  if (spec.scenario() == v1::SCENARIO_OFFLINE && loop.timed_seconds > 0)
    result.set_offline_items_per_second(static_cast<double>(spec.batch_size()) *
                                        static_cast<double>(loop.iterations) /
                                        loop.timed_seconds);

  const v1::CostFigures& cost = result.cost();
  if (cost.forward_flops() > 0) {
    const double flops =
        cost.forward_flops() + (training ? cost.backward_flops() : 0.0);
    if (step.median_ms() > 0)
      result.set_achieved_flops_per_second(flops / (step.median_ms() * 1e-3));
    if (training && cost.backward_flops() > 0)
      result.set_forward_backward_flop_ratio(cost.forward_flops() /
                                             cost.backward_flops());
  }
  if (spec.precision() != v1::PRECISION_FP32 && result.has_cost())
    result.add_warnings(
        absl::StrCat("cost model bytes are FP32 figures; the job ran in ",
                     PrecisionName(spec.precision())));

  result.set_stop_reason(loop.stop_reason);
  result.set_iterations_per_sample(static_cast<int32_t>(loop.block));
  result.set_warmup_ns(loop.warmup_ns);
  if (result.unstable())
    result.add_warnings(
        absl::StrFormat("unstable: IQR is %.1f%% of the median (over 10%%)",
                        100.0 * step.iqr_ms() / step.median_ms()));
  if (auto shift = LevelShiftWarning(recorder.Durations(v1::PHASE_STEP)))
    result.add_warnings(*shift);
  // No warning when the budget asked for a fixed count (min == max) or for
  // no stability check (stable_ci >= 1).
  const v1::Budget& budget = spec.budget();
  if (budget.stable_ci() < 1 &&
      (loop.stop_reason == v1::STOP_REASON_MAX_SECONDS ||
       (loop.stop_reason == v1::STOP_REASON_MAX_ITERATIONS &&
        budget.max_iterations() > budget.min_iterations()))) {
    const std::string ci =
        std::isfinite(loop.last_ci)
            ? absl::StrFormat("+/-%.1f%%", 100 * loop.last_ci)
            : std::string("not yet computable");
    result.add_warnings(absl::StrFormat(
        "stopped at the budget's maximum before the %s was stable: its 95%% CI "
        "is %s, target +/-%.1f%%",
        spec.scenario() == v1::SCENARIO_SINGLE_STREAM ? "p90" : "median", ci,
        100 * budget.stable_ci()));
  }
  if (result.other_cpu_load() > 0.10)
    result.add_warnings(absl::StrFormat(
        "other processes took %.0f%% of the machine's CPU time while timing; "
        "figures may be slow",
        100 * result.other_cpu_load()));
}

}  // namespace

v1::JobResult RunJob(v1::BenchmarkSpec spec, int64_t job_id, int32_t attempt,
                     const SampleCallback& on_sample,
                     const std::atomic<bool>* cancelled,
                     const RunnerOptions& options) {
  spec::ApplyDefaults(spec);
  v1::JobResult result;
  result.set_job_id(job_id);
  result.set_attempt(attempt);
  *result.mutable_spec() = spec;
  result.set_memory_format(spec.memory_format());
  result.set_started_unix_ms(absl::ToUnixMillis(absl::Now()));
  auto fail = [&](absl::string_view cause) {
    result.set_status(v1::JOB_STATUS_FAILED);
    result.set_error(absl::StrCat(Describe(spec), ": ", cause));
    result.set_finished_unix_ms(absl::ToUnixMillis(absl::Now()));
    return result;
  };

  if (absl::Status valid = spec::ValidateSpec(spec); !valid.ok())
    return fail(valid.message());
  const bool cuda = spec.device() == v1::DEVICE_KIND_CUDA;
  if (cuda && !CudaAvailable())
    return fail(absl::StrCat("device CUDA: ", CudaUnavailableReason()));
  if (spec.precision() == v1::PRECISION_BF16 && !cuda &&
      !HostHasBf16(options.host_root))
    return fail(
        "precision BF16 not supported: this CPU has no native bfloat16 "
        "(neither avx512_bf16 nor amx_bf16 among its /proc/cpuinfo flags)");
  if (spec.precision() == v1::PRECISION_FP16 && !cuda)
    return fail(
        "precision FP16 not supported on CPU by this agent (use FP32, "
        "or BF16 on a CPU with avx512_bf16/amx_bf16)");

  const int threads =
      spec.threads() > 0
          ? spec.threads()
          : static_cast<int>(std::thread::hardware_concurrency());
  torch::set_num_threads(threads);
  result.set_intra_op_threads(torch::get_num_threads());
  if (auto warning = SetInterOpThreads(spec.inter_op_threads()))
    result.add_warnings(*warning);
  result.set_inter_op_threads(at::get_num_interop_threads());

  Placement placement;
  placement.device =
      cuda ? torch::Device(torch::kCUDA) : torch::Device(torch::kCPU);
  placement.dtype = DtypeOf(spec.precision());
  placement.channels_last =
      spec.memory_format() == v1::MEMORY_FORMAT_CHANNELS_LAST;

  PinMallocPolicy();
  Recorder recorder(job_id, attempt, on_sample);
  const int64_t rss_before = [] {
    ResetPeakRss();
    return ProcStatusBytes("VmRSS");
  }();
  if (cuda) CudaResetPeakMemory();
  LoopOutcome loop;
  try {
    absl::StatusOr<models::ZooModel> model =
        options.prebuilt
            ? *options.prebuilt
            : models::BuildModel(spec.model(), {spec.aux_logits()});
    if (!model.ok()) return fail(model.status().message());
    result.set_model_digest(model->digest);
    torch::manual_seed(0);
    if (auto refused = CostAndMemory(*model, spec, options, result))
      return fail(*refused);
    Place(*model->module.ptr(), placement);
    const torch::Tensor input = MakeInput(spec, placement);

    const double quantile =
        spec.scenario() == v1::SCENARIO_SINGLE_STREAM ? 0.9 : 0.5;
    AdaptiveStop stop(spec.budget(), quantile);
    recorder.Reserve(
        static_cast<size_t>(std::min(spec.budget().max_iterations(), 100000)));
    hw::LoadMonitor load(options.host_root);
    load.Start();
    if (spec.mode() == v1::MODE_TRAINING) {
      loop = TimeTraining(model->module, input, spec, placement, stop, recorder,
                          cancelled);
    } else {
      loop = TimeInference(model->module, input, spec, placement, stop,
                           recorder, cancelled);
    }
    result.set_other_cpu_load(load.OtherLoad());
    loop.iterations = stop.iterations();
    loop.stop_reason = stop.reason();
    loop.last_ci = stop.last_ci();
  } catch (const Cancelled&) {
    return fail("cancelled by the coordinator");
  } catch (const c10::OutOfMemoryError& e) {
    return fail(absl::StrCat("out of memory: ", e.what_without_backtrace()));
  } catch (const c10::Error& e) {
    const std::string message = e.what_without_backtrace();
    return fail(IsOutOfMemory(message)
                    ? absl::StrCat("out of memory: ", message)
                    : message);
  } catch (const std::bad_alloc&) {
    return fail("out of memory (std::bad_alloc)");
  } catch (const std::exception& e) {
    return fail(e.what());
  }

  result.set_status(v1::JOB_STATUS_OK);
  Summarise(spec, recorder, loop, result);
  if (cuda) {
    if (CudaMemoryStatsAvailable()) {
      result.set_peak_memory_bytes(CudaPeakAllocatedBytes());
    } else {
      result.add_warnings(
          "CUDA peak memory not measured: built without "
          "--define=torch_cuda=true");
    }
  } else {
    result.set_peak_memory_bytes(
        std::max<int64_t>(0, ProcStatusBytes("VmHWM") - rss_before));
  }
  malloc_trim(0);  // the agent keeps no memory of this job while it waits
  result.set_finished_unix_ms(absl::ToUnixMillis(absl::Now()));
  return result;
}

}  // namespace benchfleet::runner
