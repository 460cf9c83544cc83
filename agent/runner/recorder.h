// Streams a job's samples as they are timed and keeps each phase's
// durations for the summary.
#ifndef BENCHFLEET_AGENT_RUNNER_RECORDER_H_
#define BENCHFLEET_AGENT_RUNNER_RECORDER_H_

#include <cstddef>
#include <cstdint>
#include <vector>

#include "agent/runner/runner.h"
#include "proto/benchmark.pb.h"

namespace benchfleet::runner {

class Recorder {
 public:
  // `on_sample` (may be empty) must outlive the recorder.
  Recorder(int64_t job_id, int32_t attempt, const SampleCallback& on_sample)
      : job_id_(job_id), attempt_(attempt), on_sample_(on_sample) {}

  // One sample: `duration_ns` per iteration over a block of `iterations`.
  void Record(v1::Phase phase, int64_t duration_ns, int64_t iterations = 1);
  // The durations recorded for `phase` (STEP for any phase not timed apart).
  std::vector<int64_t>& Durations(v1::Phase phase);
  // Room for `n` samples per phase, so the timed loop does not reallocate.
  void Reserve(size_t n);

 private:
  int64_t job_id_;
  int32_t attempt_;
  const SampleCallback& on_sample_;
  int64_t sequence_ = 0;
  std::vector<int64_t> step_, forward_, backward_, optimizer_;
};

}  // namespace benchfleet::runner

#endif  // BENCHFLEET_AGENT_RUNNER_RECORDER_H_
