// Writes the generated part of the committed seed corpus:
//   fuzz/corpus/agent_message/*.bin  agent sessions (agent_message_framing.h)
//   fuzz/corpus/sweep_spec/*.binpb   binary SweepSpecs (the SubmitSweep path)
// The hand-written text sweep specs beside them are not generated.
//
//   bazel run //fuzz:make_seed_corpus -- "$PWD/fuzz/corpus"
//
// Run it again after changing the protos or adding a seed, and commit the
// output; the corpus tests replay whatever is committed.
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <limits>
#include <string>
#include <vector>

#include "analysis/summary_stats.h"
#include "fuzz/agent_message_framing.h"
#include "proto/agent_service.pb.h"
#include "proto/sweep.pb.h"

namespace benchfleet::fuzz {
namespace {

using Session = std::vector<v1::AgentMessage>;

void Write(const std::filesystem::path& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << bytes;
  if (!out) {
    std::fprintf(stderr, "cannot write %s\n", path.c_str());
    std::exit(1);
  }
  std::printf("%s (%zu bytes)\n", path.c_str(), bytes.size());
}

v1::AgentMessage Hello(const std::string& id, bool lease_bound) {
  v1::AgentMessage m;
  v1::Hello& hello = *m.mutable_hello();
  hello.set_agent_id(id);
  hello.set_agent_version("fuzz-seed");
  hello.mutable_hardware()->set_host_id("host-" + id);
  // The label that makes the fuzz harness bind the session to a lease.
  if (lease_bound) (*hello.mutable_labels())["fuzz"] = "lease";
  return m;
}

v1::AgentMessage Heartbeat() {
  v1::AgentMessage m;
  m.mutable_heartbeat()->set_running_job_id(0);
  return m;
}

// Samples [from, to) of job 0 / attempt 0: the leased job once bound.
v1::AgentMessage Samples(int from, int to, int64_t job = 0,
                         int32_t attempt = 0) {
  v1::AgentMessage m;
  for (int i = from; i < to; ++i) {
    v1::Sample* s = m.mutable_samples()->add_samples();
    s->set_job_id(job);
    s->set_attempt(attempt);
    s->set_sequence(i);
    s->set_phase(v1::PHASE_STEP);
    s->set_duration_ns(1'000'000 + i);
  }
  return m;
}

// The result of samples [0, n) of Samples(), with the figures an honest
// agent computes from them.
v1::AgentMessage Result(v1::JobStatus status = v1::JOB_STATUS_OK, int n = 5) {
  v1::AgentMessage m;
  v1::JobResult& r = *m.mutable_result();
  r.set_status(status);
  r.mutable_spec()->set_model("resnet18");
  r.mutable_spec()->set_batch_size(1);
  std::vector<int64_t> durations;
  for (int i = 0; i < n; ++i) durations.push_back(1'000'000 + i);
  *r.mutable_step() = analysis::Summarize(durations);
  r.set_items_per_second(1e3 / r.step().median_ms());
  r.set_iterations_per_sample(1);
  r.mutable_provenance()->set_agent_version("0.1");
  r.mutable_provenance()->set_libtorch_version("1.13.1");
  if (status == v1::JOB_STATUS_FAILED) r.set_error("out of memory");
  return m;
}

v1::AgentMessage Goodbye() {
  v1::AgentMessage m;
  m.mutable_goodbye()->set_reason("SIGTERM");
  return m;
}

void WriteSessions(const std::filesystem::path& dir) {
  std::filesystem::create_directories(dir);
  auto write = [&](const std::string& name, const Session& session) {
    Write(dir / (name + ".bin"), EncodeAgentMessages(session));
  };
  write("empty", {});
  write("hello_only", {Hello("seed-a", false)});
  write("hello_heartbeats", {Hello("seed-a", false), Heartbeat(), Heartbeat()});
  write("leased_job_done", {Hello("seed-b", true), Samples(0, 3), Samples(3, 5),
                            Heartbeat(), Result()});
  write("leased_job_failed",
        {Hello("seed-b", true), Samples(0, 1), Result(v1::JOB_STATUS_FAILED)});
  write("leased_replay", {Hello("seed-b", true), Samples(0, 3), Samples(0, 3),
                          Result(v1::JOB_STATUS_OK, 3),
                          Result(v1::JOB_STATUS_OK, 3)});
  write("leased_goodbye", {Hello("seed-b", true), Samples(0, 2), Goodbye()});
  write("leased_lost", {Hello("seed-b", true), Samples(0, 2)});

  // Refusals: each must end the session cleanly, not the coordinator.
  write("first_not_hello", {Heartbeat(), Hello("seed-a", false)});
  write("second_hello", {Hello("seed-a", false), Hello("seed-a", false)});
  {
    v1::AgentMessage bad = Hello("bad id with spaces", false);
    write("hello_bad_id", {bad});
    bad = Hello("seed-c", false);
    for (int i = 0; i < 40; ++i)
      (*bad.mutable_hello()->mutable_labels())["k" + std::to_string(i)] = "v";
    write("hello_too_many_labels", {bad});
    bad = Hello("seed-c", true);
    bad.mutable_hello()->add_devices(static_cast<v1::DeviceKind>(99));
    write("hello_unknown_device", {bad, Samples(0, 1)});
    bad = Hello("seed-c", true);
    bad.mutable_hello()->add_devices(v1::DEVICE_KIND_CUDA);
    write("hello_cuda_only", {bad, Samples(0, 1)});
    bad = Hello("seed-c", true);
    bad.mutable_hello()->mutable_hardware()->set_simulated(true);
    write("hello_simulated", {bad, Samples(0, 1)});
  }
  {
    v1::AgentMessage bad = Samples(0, 2);
    bad.mutable_samples()->mutable_samples(1)->set_duration_ns(-1);
    write("samples_negative_duration", {Hello("seed-b", true), bad});
    bad = Samples(0, 1);
    bad.mutable_samples()->mutable_samples(0)->set_phase(
        static_cast<v1::Phase>(42));
    write("samples_unknown_phase", {Hello("seed-b", true), bad});
    bad = Samples(0, 1);
    bad.mutable_samples()->mutable_samples(0)->set_sequence(
        std::numeric_limits<int64_t>::max());
    write("samples_last_sequence", {Hello("seed-b", true), bad});
    write("samples_not_leased",
          {Hello("seed-a", false), Samples(0, 2, 999999, 1)});
    write("samples_negative_job",
          {Hello("seed-a", false), Samples(0, 2, -5, 1)});
  }
  {
    v1::AgentMessage bad = Result();
    bad.mutable_result()->mutable_step()->set_median_ms(std::nan(""));
    write("result_nan", {Hello("seed-b", true), bad});
    bad = Result(v1::JOB_STATUS_UNSPECIFIED);
    write("result_no_status", {Hello("seed-b", true), bad});
    bad = Result(v1::JOB_STATUS_FAILED);
    bad.mutable_result()->set_error(std::string(5000, 'x'));
    write("result_long_error", {Hello("seed-b", true), bad});
    bad = Result();
    bad.mutable_result()->set_job_id(999999);
    bad.mutable_result()->set_attempt(1);
    write("result_not_leased", {Hello("seed-a", false), bad});
  }
  // The coordinator recomputes OK results from their samples.
  {
    // Stored, with the samples' 1 ms median and a warning.
    v1::AgentMessage lying = Result();
    lying.mutable_result()->mutable_step()->set_median_ms(0.001);
    lying.mutable_result()->set_items_per_second(1e6);
    lying.mutable_result()->set_unstable(true);
    write("result_median_disagrees", {Hello("seed-b", true), Samples(0, 5), lying});
    lying = Result();
    lying.mutable_result()->mutable_spec()->set_scenario(v1::SCENARIO_OFFLINE);
    lying.mutable_result()->set_offline_items_per_second(1e9);
    write("result_offline_beyond_samples", {Hello("seed-b", true), Samples(0, 5), lying});
    v1::AgentMessage training = Result(v1::JOB_STATUS_OK, 3);  // 3 step samples
    training.mutable_result()->mutable_spec()->set_mode(v1::MODE_TRAINING);
    training.mutable_result()->mutable_forward()->set_n(2);
    v1::AgentMessage phases = Samples(0, 5);
    for (int i : {0, 1}) {
      phases.mutable_samples()->mutable_samples(i)->set_phase(v1::PHASE_FORWARD);
      phases.mutable_samples()->mutable_samples(i)->set_iterations(4);
    }
    write("result_training_phases", {Hello("seed-b", true), phases, training});
    // Refused, naming the field.
    v1::AgentMessage bad = Result();
    bad.mutable_result()->clear_step();
    write("result_no_timed_iteration", {Hello("seed-b", true), Samples(0, 5), bad});
    write("result_no_samples", {Hello("seed-b", true), Result()});
    bad = Result();
    bad.mutable_result()->mutable_step()->set_n(10);
    write("result_more_than_stored", {Hello("seed-b", true), Samples(0, 3), bad});
    write("result_sample_gap",
          {Hello("seed-b", true), Samples(0, 2), Samples(4, 7), Result()});
    training.mutable_result()->mutable_forward()->set_n(3);
    write("result_phase_more_than_stored", {Hello("seed-b", true), phases, training});
    bad = Result();
    bad.mutable_result()->mutable_provenance()->set_blas_library(
        std::string(600, 'l'));
    write("result_provenance_too_long", {Hello("seed-b", true), Samples(0, 5), bad});
    bad = Result();
    bad.mutable_result()->mutable_provenance()->set_compiler("gcc\x1b[2J");
    write("result_provenance_control", {Hello("seed-b", true), Samples(0, 5), bad});
    v1::AgentMessage negative = Samples(0, 1);
    negative.mutable_samples()->mutable_samples(0)->set_iterations(-8);
    write("samples_negative_iterations", {Hello("seed-b", true), negative});
  }
}

void WriteSweepSpecs(const std::filesystem::path& dir) {
  std::filesystem::create_directories(dir);
  v1::SweepSpec spec;
  spec.set_name("binary");
  spec.add_models("resnet18");
  spec.add_batch_sizes(1);
  spec.add_batch_sizes(8);
  spec.add_modes(v1::MODE_INFERENCE);
  spec.add_modes(v1::MODE_TRAINING);
  spec.add_precisions(v1::PRECISION_FP32);
  spec.add_devices(v1::DEVICE_KIND_CPU);
  spec.add_thread_counts(1);
  spec.mutable_budget()->set_min_seconds(0.25);
  spec.mutable_budget()->set_max_iterations(50);
  (*spec.mutable_selector())["rack"] = "a3";
  spec.set_repeat(2);
  v1::InputShape* input = spec.add_inputs();
  input->set_channels(3);
  input->set_height(64);
  input->set_width(64);
  Write(dir / "valid.binpb", spec.SerializeAsString());

  // Lists whose product of lengths (256^6 x 512 x 100 repeats) passes 2^63:
  // the job count must not wrap around (each list is valid on its own).
  v1::SweepSpec huge;
  huge.set_name("huge");
  for (int i = 0; i < 256; ++i) {
    huge.add_models("resnet18");
    huge.add_batch_sizes(1);
    huge.add_modes(v1::MODE_INFERENCE);
    huge.add_precisions(v1::PRECISION_FP32);
    huge.add_devices(v1::DEVICE_KIND_CPU);
    huge.add_thread_counts(0);
  }
  for (int i = 0; i < 512; ++i) {
    v1::InputShape* shape = huge.add_inputs();
    shape->set_channels(1);
    shape->set_height(1);
    shape->set_width(1);
  }
  huge.set_repeat(100);
  Write(dir / "job_count_overflow.binpb", huge.SerializeAsString());

  // 1024^6 x 16 = 2^64 jobs: a count that wraps around to exactly 0.
  v1::SweepSpec wraps;
  wraps.set_name("wraps");
  for (int i = 0; i < 1024; ++i) {
    wraps.add_models("resnet18");
    wraps.add_batch_sizes(1);
    wraps.add_modes(v1::MODE_INFERENCE);
    wraps.add_precisions(v1::PRECISION_FP32);
    wraps.add_devices(v1::DEVICE_KIND_CPU);
    wraps.add_thread_counts(0);
  }
  for (int i = 0; i < 16; ++i) *wraps.add_inputs() = huge.inputs(0);
  Write(dir / "job_count_wraps_to_zero.binpb", wraps.SerializeAsString());
}

}  // namespace
}  // namespace benchfleet::fuzz

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(
        stderr, "usage: make_seed_corpus CORPUS_DIR (e.g. $PWD/fuzz/corpus)\n");
    return 2;
  }
  const std::filesystem::path root = argv[1];
  benchfleet::fuzz::WriteSessions(root / "agent_message");
  benchfleet::fuzz::WriteSweepSpecs(root / "sweep_spec");
  return 0;
}
