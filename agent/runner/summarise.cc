#include "agent/runner/summarise.h"

#include <cmath>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "agent/runner/level_shift.h"
#include "analysis/summary_stats.h"
#include "proto/names.h"

namespace benchfleet::runner {

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
  }
  const analysis::DerivedFigures derived = analysis::Derive(result);
  result.set_forward_backward_latency_ratio(
      derived.forward_backward_latency_ratio);
  result.set_unstable(derived.unstable);
  result.set_items_per_second(derived.items_per_second);
  if (spec.scenario() == v1::SCENARIO_OFFLINE && loop.timed_seconds > 0)
    result.set_offline_items_per_second(static_cast<double>(spec.batch_size()) *
                                        static_cast<double>(loop.iterations) /
                                        loop.timed_seconds);

  result.set_achieved_flops_per_second(derived.achieved_flops_per_second);
  result.set_forward_backward_flop_ratio(derived.forward_backward_flop_ratio);
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

}  // namespace benchfleet::runner
