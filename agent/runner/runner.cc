#include "agent/runner/runner.h"

#include <malloc.h>
#include <torch/torch.h>

#include <algorithm>
#include <fstream>
#include <optional>
#include <string>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "agent/hw/load_monitor.h"
#include "agent/models/zoo.h"
#include "agent/runner/adaptive_stop.h"
#include "agent/runner/cost_check.h"
#include "agent/runner/cuda_util.h"
#include "agent/runner/job_resources.h"
#include "agent/runner/placement.h"
#include "agent/runner/recorder.h"
#include "agent/runner/summarise.h"
#include "agent/runner/timing_loop.h"
#include "proto/names.h"
#include "spec/spec_check.h"

namespace benchfleet::runner {

// By default glibc adapts its mmap threshold to the sizes freed so far and
// trims the top of the heap when enough is free there; depending on what the
// process did before, a model's activations can then go back to the kernel
// after every forward and be faulted in again on the next one. Measured here:
// MobileNetV3-Large, batch 1, one thread, 18.9 ms with ~3200 page faults per
// forward in one process state against 12.5 ms with none, same process, same
// module. With the threshold fixed (at its ceiling, 32 MiB on 64-bit) and
// trimming off, the memory freed by one iteration stays for the next and the
// steady state has no page faults whatever ran before. Allocations above 32 MiB
// are still mapped and unmapped each time, as in any LibTorch process. The
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

// Hands freed heap memory back to the kernel, then resets the process's
// peak RSS to its current RSS (Linux >= 4.0), so that VmHWM afterwards is the
// high-water mark of this job alone. Without the trim, a job that reuses
// pages an earlier job freed (glibc keeps them) would show no growth.
void ResetPeakRss() {
  malloc_trim(0);
  std::ofstream("/proc/self/clear_refs") << "5";
}

std::string Describe(const v1::BenchmarkSpec& spec) {
  return absl::StrCat("model ", spec.model(), " batch ", spec.batch_size(),
                      " input ", InputName(spec.input()));
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

// True when a LibTorch error message is an allocation failure.
bool IsOutOfMemory(absl::string_view message) {
  return absl::StrContains(message, "not enough memory") ||
         absl::StrContains(message, "out of memory") ||
         absl::StrContains(message, "Out of memory");
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

  const Placement placement = PlacementFor(spec);

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
