// A machine that changes speed in the middle of a job: a lasting step in the
// job's per-sample durations (a VM whose host got busier, a CPU that left
// its boost clock, a neighbour on the memory bus). Such a job's median sits
// between two levels and repeats badly; the runner says so in its warnings
// instead of letting the figure pass as one level. Found with the change
// point search of analysis/change_point.h.
#ifndef BENCHFLEET_AGENT_RUNNER_LEVEL_SHIFT_H_
#define BENCHFLEET_AGENT_RUNNER_LEVEL_SHIFT_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace benchfleet::runner {

// The largest lasting step in `durations_ns` (samples in timing order) of
// at least 10% of the level before it (the `unstable` threshold), with at
// least max(5, n/10) samples on each side, as a warning naming both levels,
// the step and where it came;
// nullopt when there is none or fewer than 10 samples. Series longer than
// 1000 samples are searched as medians of consecutive blocks (a level shift
// survives that; isolated outliers do not). Pure.
std::optional<std::string> LevelShiftWarning(
    const std::vector<int64_t>& durations_ns);

}  // namespace benchfleet::runner

#endif  // BENCHFLEET_AGENT_RUNNER_LEVEL_SHIFT_H_
