// The cost pass before timing: the job's cost-model figures, and the memory
// check that refuses a CPU job which would not fit.
#ifndef BENCHFLEET_AGENT_RUNNER_COST_CHECK_H_
#define BENCHFLEET_AGENT_RUNNER_COST_CHECK_H_

#include <optional>
#include <string>

#include "agent/models/zoo.h"
#include "agent/runner/runner.h"
#include "proto/benchmark.pb.h"

namespace benchfleet::runner {

// Fills result.cost and refuses jobs that would not fit. Returns a failure
// cause (without the model/batch prefix) or nullopt to go on.
std::optional<std::string> CostAndMemory(models::ZooModel& model,
                                         const v1::BenchmarkSpec& spec,
                                         const RunnerOptions& options,
                                         v1::JobResult& result);

}  // namespace benchfleet::runner

#endif  // BENCHFLEET_AGENT_RUNNER_COST_CHECK_H_
