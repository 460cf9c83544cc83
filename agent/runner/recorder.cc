#include "agent/runner/recorder.h"

namespace benchfleet::runner {

void Recorder::Record(v1::Phase phase, int64_t duration_ns, int64_t iterations) {
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

std::vector<int64_t>& Recorder::Durations(v1::Phase phase) {
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

void Recorder::Reserve(size_t n) {
  step_.reserve(n);
  forward_.reserve(n);
  backward_.reserve(n);
  optimizer_.reserve(n);
}

}  // namespace benchfleet::runner
