// A timed job's statistics, derived figures and warnings.
#ifndef BENCHFLEET_AGENT_RUNNER_SUMMARISE_H_
#define BENCHFLEET_AGENT_RUNNER_SUMMARISE_H_

#include "agent/runner/recorder.h"
#include "agent/runner/timing_loop.h"
#include "proto/benchmark.pb.h"

namespace benchfleet::runner {

// Fills `result` from the recorded durations and the loop's outcome:
// per-phase statistics, throughput, achieved FLOP/s and the ratios, stop
// reason, and the warnings (unstable, level shift, budget reached before
// stable, other CPU load). Reads result.cost and result.other_cpu_load.
void Summarise(const v1::BenchmarkSpec& spec, Recorder& recorder,
               const LoopOutcome& loop, v1::JobResult& result);

}  // namespace benchfleet::runner

#endif  // BENCHFLEET_AGENT_RUNNER_SUMMARISE_H_
