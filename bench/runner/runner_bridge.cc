// A C entry point to the runner for pytorch_eager.py --runner_lib: loaded
// with ctypes into the Python process that times PyTorch eager, it lets the
// two alternate forward by forward (or round by round) in one process, on
// one LibTorch and one OpenMP pool, so that load from other processes and
// the machine's own drift fall on both alike.
// Benchmark-only; not part of the agent.
#include <algorithm>
#include <cstring>
#include <string>

#include "agent/runner/runner.h"

extern "C" {

// Runs `model` (zoo name) as one inference job of `batch` items of shape
// channels x height x width: `warmup` untimed forwards, then exactly
// `iterations` timed ones (no adaptive stop), with `threads` intra-op and
// `inter_op_threads` inter-op threads, through runner::RunJob. Writes each
// forward's duration in ms to `samples_ms` (room for `iterations`) and
// returns how many; on failure returns -1 and copies the runner's error into
// `error` (room for `error_len` bytes, NUL-terminated). `after_each`, when
// not null, is called after every timed forward, outside the runner's timed
// region: the caller times its own forward there, so each runner sample has
// a neighbour measured under the same conditions.
int benchfleet_runner_forward_ms(const char* model, int batch, int channels,
                                 int height, int width, int threads,
                                 int inter_op_threads, int warmup,
                                 int iterations, double* samples_ms,
                                 char* error, int error_len,
                                 void (*after_each)(void)) {
  benchfleet::v1::BenchmarkSpec spec;
  spec.set_model(model);
  spec.set_batch_size(batch);
  spec.mutable_input()->set_channels(channels);
  spec.mutable_input()->set_height(height);
  spec.mutable_input()->set_width(width);
  spec.set_mode(benchfleet::v1::MODE_INFERENCE);
  spec.set_threads(threads);
  spec.set_inter_op_threads(inter_op_threads);
  auto* budget = spec.mutable_budget();
  budget->set_warmup_iterations(warmup);
  budget->set_min_iterations(iterations);
  budget->set_max_iterations(iterations);
  budget->set_min_seconds(1e-6);
  budget->set_max_seconds(86400);
  int n = 0;
  const benchfleet::v1::JobResult result = benchfleet::runner::RunJob(
      spec, 0, 1,
      [&](const benchfleet::v1::Sample& s) {
        if (n < iterations) samples_ms[n++] = s.duration_ns() * 1e-6;
        if (after_each != nullptr) after_each();
      },
      nullptr);
  if (result.status() != benchfleet::v1::JOB_STATUS_OK) {
    if (error_len > 0) {
      const size_t len = std::min<size_t>(result.error().size(), error_len - 1);
      std::memcpy(error, result.error().data(), len);
      error[len] = '\0';
    }
    return -1;
  }
  return n;
}

}  // extern "C"
