#include "coordinator/result_summary.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <tuple>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "analysis/summary_stats.h"

namespace benchfleet::coordinator {
namespace {

struct PhaseSamples {
  std::vector<int64_t> durations_ns;  // one per sample, as the runner keeps them
  double iterations = 0;              // timed iterations (blocks counted whole)
  double timed_ns = 0;                // sum of duration_ns x iterations
  int32_t largest_block = 1;
};

PhaseSamples Collect(const std::vector<v1::Sample>& samples, v1::Phase phase) {
  PhaseSamples out;
  for (const v1::Sample& s : samples) {
    if (s.phase() != phase) continue;
    const int32_t block = std::max(1, s.iterations());
    out.durations_ns.push_back(s.duration_ns());
    out.iterations += block;
    out.timed_ns += static_cast<double>(s.duration_ns()) * block;
    out.largest_block = std::max(out.largest_block, block);
  }
  return out;
}

bool Agree(double agent, double ours, double absolute_tolerance) {
  if (agent == ours) return true;
  const double difference = std::fabs(agent - ours);
  return difference <= absolute_tolerance ||
         difference <= kRelativeTolerance * std::max(std::fabs(agent), std::fabs(ours));
}

// Collects the warnings of one result's recomputation.
class Corrections {
 public:
  explicit Corrections(int64_t samples) : samples_(samples) {}

  void Check(absl::string_view field, double agent, double ours,
             double absolute_tolerance = 0) {
    if (Agree(agent, ours, absolute_tolerance)) return;
    warnings_.push_back(absl::StrFormat(
        "%s recomputed by the coordinator from the %d stored samples: the "
        "agent sent %.9g, stored %.9g",
        field, samples_, agent, ours));
  }

  void CheckStats(absl::string_view name, const v1::DurationStats& agent,
                  const v1::DurationStats& ours) {
    const std::string prefix = absl::StrCat("result.", name, ".");
    Check(prefix + "n", static_cast<double>(agent.n()),
          static_cast<double>(ours.n()));
    Check(prefix + "median_ms", agent.median_ms(), ours.median_ms(), kTimeToleranceMs);
    Check(prefix + "mean_ms", agent.mean_ms(), ours.mean_ms(), kTimeToleranceMs);
    Check(prefix + "min_ms", agent.min_ms(), ours.min_ms(), kTimeToleranceMs);
    Check(prefix + "p90_ms", agent.p90_ms(), ours.p90_ms(), kTimeToleranceMs);
    Check(prefix + "p99_ms", agent.p99_ms(), ours.p99_ms(), kTimeToleranceMs);
    Check(prefix + "iqr_ms", agent.iqr_ms(), ours.iqr_ms(), kTimeToleranceMs);
    Check(prefix + "stddev_ms", agent.stddev_ms(), ours.stddev_ms(), kTimeToleranceMs);
    Check(prefix + "cv", agent.cv(), ours.cv());
  }

  const std::vector<std::string>& warnings() const { return warnings_; }

 private:
  const int64_t samples_;
  std::vector<std::string> warnings_;
};

absl::Status CheckCount(absl::string_view field, int64_t claimed,
                        size_t stored, absl::string_view phase,
                        const v1::JobResult& result) {
  if (claimed <= static_cast<int64_t>(stored)) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat(
      field, " = ", claimed, " but ", stored, " ", phase,
      " samples were stored for job ", result.job_id(), " attempt ",
      result.attempt()));
}

}  // namespace

absl::Status RecomputeSummary(const std::vector<v1::Sample>& samples,
                              v1::JobResult& result) {
  if (result.status() != v1::JOB_STATUS_OK) return absl::OkStatus();
  const int64_t job = result.job_id();
  const int32_t attempt = result.attempt();
  if (result.step().n() <= 0)
    return absl::InvalidArgumentError(absl::StrCat(
        "result.step.n = ", result.step().n(),
        ": an OK result needs at least one timed iteration (job ", job,
        " attempt ", attempt, ")"));
  if (samples.empty())
    return absl::InvalidArgumentError(absl::StrCat(
        "result.step.n = ", result.step().n(),
        " but no samples were stored for job ", job, " attempt ", attempt,
        ": an OK result is computed from its samples"));
  // Sequences are 0-based and gap-free per attempt, and come sorted.
  if (samples.back().sequence() + 1 != static_cast<int64_t>(samples.size()))
    return absl::InvalidArgumentError(absl::StrCat(
        "sample.sequence: job ", job, " attempt ", attempt, " stored ",
        samples.size(), " samples but sequences reach ",
        samples.back().sequence(), ": some were never sent"));

  const bool training = result.spec().mode() == v1::MODE_TRAINING;
  const PhaseSamples step = Collect(samples, v1::PHASE_STEP);
  if (absl::Status ok = CheckCount("result.step.n", result.step().n(),
                                   step.durations_ns.size(), "step", result);
      !ok.ok())
    return ok;
  const PhaseSamples forward = Collect(samples, v1::PHASE_FORWARD);
  const PhaseSamples backward = Collect(samples, v1::PHASE_BACKWARD);
  const PhaseSamples optimizer = Collect(samples, v1::PHASE_OPTIMIZER);
  if (training) {
    for (auto [field, claimed, stored, phase] :
         {std::tuple{"result.forward.n", result.forward().n(),
                     forward.durations_ns.size(), "forward"},
          std::tuple{"result.backward.n", result.backward().n(),
                     backward.durations_ns.size(), "backward"},
          std::tuple{"result.optimizer.n", result.optimizer().n(),
                     optimizer.durations_ns.size(), "optimizer"}}) {
      if (absl::Status ok = CheckCount(field, claimed, stored, phase, result);
          !ok.ok())
        return ok;
    }
  }

  // The same statistics and the same formulas as runner::RunJob.
  Corrections corrections(static_cast<int64_t>(samples.size()));
  const v1::DurationStats step_stats = analysis::Summarize(step.durations_ns);
  corrections.CheckStats("step", result.step(), step_stats);
  *result.mutable_step() = step_stats;
  v1::DurationStats phase_stats[3];
  if (training) {
    phase_stats[0] = analysis::Summarize(forward.durations_ns);
    phase_stats[1] = analysis::Summarize(backward.durations_ns);
    phase_stats[2] = analysis::Summarize(optimizer.durations_ns);
  }
  corrections.CheckStats("forward", result.forward(), phase_stats[0]);
  corrections.CheckStats("backward", result.backward(), phase_stats[1]);
  corrections.CheckStats("optimizer", result.optimizer(), phase_stats[2]);
  if (training) {
    *result.mutable_forward() = phase_stats[0];
    *result.mutable_backward() = phase_stats[1];
    *result.mutable_optimizer() = phase_stats[2];
  } else {  // an inference result has no phases
    result.clear_forward();
    result.clear_backward();
    result.clear_optimizer();
  }

  const double batch = result.spec().batch_size();
  const analysis::DerivedFigures derived = analysis::Derive(result);
  // The wall time of the timed run is at least the sum of the samples' times
  // (gaps between them only add), so no honest figure exceeds this bound.
  double offline = 0;
  if (result.spec().scenario() == v1::SCENARIO_OFFLINE) {
    const double bound =
        step.timed_ns > 0 ? batch * step.iterations / (step.timed_ns * 1e-9) : 0.0;
    offline = std::min(result.offline_items_per_second(), bound);
  }

  corrections.Check("result.items_per_second", result.items_per_second(),
                    derived.items_per_second);
  corrections.Check("result.achieved_flops_per_second",
                    result.achieved_flops_per_second(),
                    derived.achieved_flops_per_second);
  corrections.Check("result.forward_backward_latency_ratio",
                    result.forward_backward_latency_ratio(),
                    derived.forward_backward_latency_ratio);
  corrections.Check("result.forward_backward_flop_ratio",
                    result.forward_backward_flop_ratio(),
                    derived.forward_backward_flop_ratio);
  corrections.Check("result.offline_items_per_second",
                    result.offline_items_per_second(), offline);
  corrections.Check("result.unstable", result.unstable() ? 1 : 0, derived.unstable ? 1 : 0);
  corrections.Check("result.iterations_per_sample",
                    std::max(1, result.iterations_per_sample()), step.largest_block);
  result.set_items_per_second(derived.items_per_second);
  result.set_achieved_flops_per_second(derived.achieved_flops_per_second);
  result.set_forward_backward_latency_ratio(
      derived.forward_backward_latency_ratio);
  result.set_forward_backward_flop_ratio(derived.forward_backward_flop_ratio);
  result.set_offline_items_per_second(offline);
  result.set_unstable(derived.unstable);
  result.set_iterations_per_sample(step.largest_block);
  for (const std::string& warning : corrections.warnings())
    result.add_warnings(warning);
  return absl::OkStatus();
}

}  // namespace benchfleet::coordinator
