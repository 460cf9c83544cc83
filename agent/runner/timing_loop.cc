#include "agent/runner/timing_loop.h"

#include <algorithm>
#include <chrono>

namespace benchfleet::runner {
namespace {

using SteadyClock = std::chrono::steady_clock;

int64_t Nanos(SteadyClock::duration d) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(d).count();
}

double Seconds(SteadyClock::duration d) {
  return std::chrono::duration<double>(d).count();
}

void CheckCancelled(const std::atomic<bool>* cancelled) {
  if (cancelled && cancelled->load(std::memory_order_relaxed))
    throw Cancelled();
}

}  // namespace

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

}  // namespace benchfleet::runner
