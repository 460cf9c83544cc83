#include "agent/runner/runner.h"

#include <torch/torch.h>

#include <chrono>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "agent/models/zoo.h"
#include "agent/runner/spec_check.h"
#include "analysis/summary_stats.h"

namespace benchfleet::runner {
namespace {

using SteadyClock = std::chrono::steady_clock;

int64_t NanosSince(SteadyClock::time_point start) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             SteadyClock::now() - start)
      .count();
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

// Resets the process's peak RSS to its current RSS (Linux >= 4.0), so that
// VmHWM afterwards is the high-water mark of this job alone.
void ResetPeakRss() { std::ofstream("/proc/self/clear_refs") << "5"; }

std::string Describe(const v1::BenchmarkSpec& spec) {
  const auto& in = spec.input();
  return absl::StrCat("model ", spec.model(), " batch ", spec.batch_size(),
                      " input ", in.channels(), "x", in.height(), "x",
                      in.width());
}

// Thrown inside the timing loops when the job is cancelled; caught in RunJob.
struct Cancelled {};

// Decides when the timed loop ends, per the spec's budget.
class Budget {
 public:
  Budget(const v1::Budget& b, const std::atomic<bool>* cancelled)
      : budget_(b), cancelled_(cancelled) {}
  bool Done(int64_t iterations, SteadyClock::time_point start) const {
    if (cancelled_ && cancelled_->load(std::memory_order_relaxed)) throw Cancelled();
    const double elapsed_s = NanosSince(start) * 1e-9;
    if (iterations >= budget_.max_iterations()) return true;
    if (elapsed_s >= budget_.max_seconds() && iterations >= 1) return true;
    return iterations >= budget_.min_iterations() &&
           elapsed_s >= budget_.min_seconds();
  }

 private:
  v1::Budget budget_;
  const std::atomic<bool>* cancelled_;
};

class Timer {
 public:
  Timer(int64_t job_id, int32_t attempt, const SampleCallback& on_sample)
      : job_id_(job_id), attempt_(attempt), on_sample_(on_sample) {}

  // Records one sample of `phase`; returns its duration.
  int64_t Record(v1::Phase phase, int64_t duration_ns) {
    v1::Sample sample;
    sample.set_job_id(job_id_);
    sample.set_attempt(attempt_);
    sample.set_sequence(sequence_++);
    sample.set_phase(phase);
    sample.set_duration_ns(duration_ns);
    if (on_sample_) on_sample_(sample);
    if (phase == v1::PHASE_STEP) steps_.push_back(duration_ns);
    return duration_ns;
  }
  const std::vector<int64_t>& steps() const { return steps_; }

 private:
  int64_t job_id_;
  int32_t attempt_;
  const SampleCallback& on_sample_;
  int64_t sequence_ = 0;
  std::vector<int64_t> steps_;
};

void RunInference(models::ZooModel& model, const torch::Tensor& input,
                  const Budget& stop, const v1::Budget& budget, Timer& timer) {
  model.module.ptr()->eval();
  c10::InferenceMode inference_mode;
  for (int i = 0; i < budget.warmup_iterations(); ++i)
    model.module.forward(input);
  const auto start = SteadyClock::now();
  for (int64_t n = 0; !stop.Done(n, start); ++n) {
    const auto t0 = SteadyClock::now();
    model.module.forward(input);
    timer.Record(v1::PHASE_STEP, NanosSince(t0));
  }
}

void RunTraining(models::ZooModel& model, const torch::Tensor& input,
                 const Budget& stop, const v1::Budget& budget, Timer& timer) {
  auto& module = *model.module.ptr();
  module.train();
  torch::optim::SGD optimizer(module.parameters(),
                              torch::optim::SGDOptions(0.01).momentum(0.9));
  const torch::Tensor target =
      torch::randint(0, 1000, {input.size(0)}, torch::kLong);
  auto step = [&](bool timed) {
    const auto t0 = SteadyClock::now();
    optimizer.zero_grad();
    torch::Tensor loss =
        torch::nn::functional::cross_entropy(model.module.forward(input), target);
    const int64_t forward_ns = NanosSince(t0);
    const auto t1 = SteadyClock::now();
    loss.backward();
    const int64_t backward_ns = NanosSince(t1);
    const auto t2 = SteadyClock::now();
    optimizer.step();
    const int64_t optimizer_ns = NanosSince(t2);
    if (!timed) return;
    timer.Record(v1::PHASE_FORWARD, forward_ns);
    timer.Record(v1::PHASE_BACKWARD, backward_ns);
    timer.Record(v1::PHASE_OPTIMIZER, optimizer_ns);
    timer.Record(v1::PHASE_STEP, NanosSince(t0));
  };
  for (int i = 0; i < budget.warmup_iterations(); ++i) step(false);
  const auto start = SteadyClock::now();
  for (int64_t n = 0; !stop.Done(n, start); ++n) step(true);
}

}  // namespace

v1::JobResult RunJob(v1::BenchmarkSpec spec, int64_t job_id, int32_t attempt,
                     const SampleCallback& on_sample,
                     const std::atomic<bool>* cancelled) {
  ApplyDefaults(spec);
  v1::JobResult result;
  result.set_job_id(job_id);
  result.set_attempt(attempt);
  *result.mutable_spec() = spec;
  result.set_started_unix_ms(absl::ToUnixMillis(absl::Now()));
  auto fail = [&](absl::string_view cause) {
    result.set_status(v1::JOB_STATUS_FAILED);
    result.set_error(absl::StrCat(Describe(spec), ": ", cause));
    result.set_finished_unix_ms(absl::ToUnixMillis(absl::Now()));
    return result;
  };

  if (absl::Status valid = ValidateSpec(spec); !valid.ok())
    return fail(valid.message());
  if (spec.device() != v1::DEVICE_KIND_CPU)
    return fail("device not supported by this agent (CPU-only LibTorch)");
  if (spec.precision() != v1::PRECISION_FP32)
    return fail("only FP32 is supported by this agent so far");

  const int threads = spec.threads() > 0
                          ? spec.threads()
                          : static_cast<int>(std::thread::hardware_concurrency());
  torch::set_num_threads(threads);
  result.set_intra_op_threads(torch::get_num_threads());

  Timer timer(job_id, attempt, on_sample);
  const int64_t rss_before = ProcStatusBytes("VmRSS");
  ResetPeakRss();
  try {
    auto model = models::BuildModel(spec.model());
    if (!model.ok()) return fail(model.status().message());
    torch::manual_seed(0);
    const auto& in = spec.input();
    const torch::Tensor input =
        torch::randn({spec.batch_size(), in.channels(), in.height(), in.width()});
    const Budget stop(spec.budget(), cancelled);
    if (spec.mode() == v1::MODE_TRAINING) {
      RunTraining(*model, input, stop, spec.budget(), timer);
    } else {
      RunInference(*model, input, stop, spec.budget(), timer);
    }
  } catch (const Cancelled&) {
    return fail("cancelled by the coordinator");
  } catch (const c10::Error& e) {
    return fail(e.what_without_backtrace());
  } catch (const std::bad_alloc&) {
    return fail("out of memory");
  } catch (const std::exception& e) {
    return fail(e.what());
  }

  result.set_status(v1::JOB_STATUS_OK);
  *result.mutable_step() = analysis::Summarize(timer.steps());
  result.set_unstable(analysis::IsUnstable(result.step()));
  if (result.step().median_ms() > 0)
    result.set_items_per_second(spec.batch_size() * 1e3 /
                                result.step().median_ms());
  result.set_peak_memory_bytes(
      std::max<int64_t>(0, ProcStatusBytes("VmHWM") - rss_before));
  result.set_finished_unix_ms(absl::ToUnixMillis(absl::Now()));
  return result;
}

}  // namespace benchfleet::runner
