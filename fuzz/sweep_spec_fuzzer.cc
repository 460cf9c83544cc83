// libFuzzer target for sweep specs, the one input users write by hand and
// fleetctl / SubmitSweep pass straight to the coordinator.
//
// Each input is tried twice:
//   1. as protobuf text (the sweep file path): ParseSweepText, then
//      ExpandSweep on what it accepted;
//   2. as a binary SweepSpec (the SubmitSweep path): ExpandSweep, and when it
//      expands, the same spec printed as text must parse back to itself.
// Beyond "no crash, no leak, no UB" it checks the contracts in
// coordinator/sweep_spec.h; a broken contract aborts, so it counts as a
// crash. Built twice from this file: //fuzz:sweep_spec_fuzzer (clang,
// libFuzzer, ASan+UBSan; `./fleet fuzz`) and //fuzz:sweep_spec_corpus_test
// (gcc, replays fuzz/corpus/sweep_spec in `bazel test //...`).
#include <google/protobuf/stubs/logging.h>
#include <google/protobuf/text_format.h>
#include <google/protobuf/util/message_differencer.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "absl/strings/match.h"
#include "coordinator/sweep_spec.h"

namespace benchfleet::coordinator {
namespace {

constexpr char kFilename[] = "fuzz.textproto";

[[noreturn]] void Fail(const std::string& what, const std::string& detail) {
  std::fprintf(stderr, "sweep_spec_fuzzer: %s\n%s\n", what.c_str(),
               detail.c_str());
  std::abort();
}

// Runs ExpandSweep and checks its contract: INVALID_ARGUMENT, or 1 to
// kMaxJobsPerSweep jobs. Returns whether it expanded.
bool CheckExpanded(const v1::SweepSpec& spec, const char* path) {
  absl::StatusOr<std::vector<v1::BenchmarkSpec>> jobs = ExpandSweep(spec);
  if (!jobs.ok()) {
    if (jobs.status().code() != absl::StatusCode::kInvalidArgument)
      Fail(std::string(path) +
               ": ExpandSweep failed with a code other than "
               "INVALID_ARGUMENT",
           jobs.status().ToString());
    return false;
  }
  if (jobs->empty() || jobs->size() > static_cast<size_t>(kMaxJobsPerSweep))
    Fail(std::string(path) + ": ExpandSweep returned " +
             std::to_string(jobs->size()) + " jobs",
         spec.DebugString());
  return true;
}

void TryText(const std::string& text) {
  absl::StatusOr<v1::SweepSpec> spec = ParseSweepText(text, kFilename);
  if (!spec.ok()) {
    // Every error is INVALID_ARGUMENT and names the file.
    if (spec.status().code() != absl::StatusCode::kInvalidArgument ||
        !absl::StartsWith(spec.status().message(),
                          std::string(kFilename) + ": "))
      Fail("ParseSweepText broke its error contract", spec.status().ToString());
    return;
  }
  // ParseSweepText accepts only specs that expand.
  if (!CheckExpanded(*spec, "text"))
    Fail("ParseSweepText accepted a spec ExpandSweep rejects", text);
}

void TryBinary(const std::string& bytes) {
  v1::SweepSpec spec;
  if (!spec.ParseFromString(bytes)) return;
  if (!CheckExpanded(spec, "binary")) return;
  // A spec the coordinator accepts over gRPC must survive the text format
  // that `fleetctl sweep show` prints and sweep files use.
  spec.DiscardUnknownFields();
  std::string text;
  if (!google::protobuf::TextFormat::PrintToString(spec, &text))
    Fail("cannot print an accepted spec as text", spec.ShortDebugString());
  absl::StatusOr<v1::SweepSpec> reparsed = ParseSweepText(text, kFilename);
  if (!reparsed.ok())
    Fail("printed spec does not parse: " + reparsed.status().ToString(), text);
  if (!google::protobuf::util::MessageDifferencer::Equals(spec, *reparsed))
    Fail("printed spec parses to a different spec",
         text + "\n---\n" + reparsed->DebugString());
}

}  // namespace
}  // namespace benchfleet::coordinator

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // protobuf logs an ERROR for every binary input with a string that is not
  // UTF-8; FUZZ_VERBOSE keeps the log. Fatal errors still throw.
  static const bool quiet = [] {
    if (std::getenv("FUZZ_VERBOSE") == nullptr)
      google::protobuf::SetLogHandler(nullptr);
    return true;
  }();
  (void)quiet;
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  benchfleet::coordinator::TryText(bytes);
  benchfleet::coordinator::TryBinary(bytes);
  return 0;
}
