#include "coordinator/sweep_spec.h"

#include <fstream>
#include <sstream>

#include <google/protobuf/io/tokenizer.h>
#include <google/protobuf/text_format.h>

#include "absl/strings/str_cat.h"
#include "agent/runner/spec_check.h"

namespace benchfleet::coordinator {
namespace {

// Keeps the first parser error with its position.
class FirstError : public google::protobuf::io::ErrorCollector {
 public:
  void AddError(int line, google::protobuf::io::ColumnNumber column,
                const std::string& message) override {
    if (!message_.empty()) return;
    // The parser counts from 0; editors count from 1.
    message_ = absl::StrCat("line ", line + 1, ", column ", column + 1, ": ",
                            message);
  }
  const std::string& message() const { return message_; }

 private:
  std::string message_;
};

}  // namespace

absl::StatusOr<v1::SweepSpec> ParseSweepText(const std::string& text,
                                             const std::string& filename) {
  v1::SweepSpec spec;
  FirstError errors;
  google::protobuf::TextFormat::Parser parser;
  parser.RecordErrorsTo(&errors);
  if (!parser.ParseFromString(text, &spec)) {
    return absl::InvalidArgumentError(
        absl::StrCat(filename, ": ", errors.message()));
  }
  return spec;
}

absl::StatusOr<v1::SweepSpec> ReadSweepFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read sweep file ", path));
  std::stringstream text;
  text << in.rdbuf();
  return ParseSweepText(text.str(), path);
}

absl::StatusOr<std::vector<v1::BenchmarkSpec>> ExpandSweep(
    const v1::SweepSpec& spec) {
  if (spec.name().empty() || spec.name().size() > 200)
    return absl::InvalidArgumentError(
        "name: must be set and at most 200 characters");
  if (spec.models().empty())
    return absl::InvalidArgumentError("models: empty; name at least one model");
  if (spec.batch_sizes().empty())
    return absl::InvalidArgumentError(
        "batch_sizes: empty; name at least one batch size");

  // Repeated enums arrive as ints; unknown values are rejected by
  // ValidateSpec below.
  std::vector<v1::Mode> modes;
  for (int mode : spec.modes()) modes.push_back(static_cast<v1::Mode>(mode));
  if (modes.empty()) modes.push_back(v1::MODE_INFERENCE);
  std::vector<v1::Precision> precisions;
  for (int p : spec.precisions()) precisions.push_back(static_cast<v1::Precision>(p));
  if (precisions.empty()) precisions.push_back(v1::PRECISION_FP32);
  std::vector<const v1::InputShape*> inputs;
  for (const auto& input : spec.inputs()) inputs.push_back(&input);
  if (inputs.empty()) inputs.push_back(nullptr);  // the model's default

  const int64_t total = static_cast<int64_t>(spec.models_size()) *
                        spec.batch_sizes_size() * modes.size() *
                        precisions.size() * inputs.size();
  if (total > kMaxJobsPerSweep) {
    return absl::InvalidArgumentError(absl::StrCat(
        "sweep expands to ", total, " jobs; at most ", kMaxJobsPerSweep,
        " are allowed"));
  }

  std::vector<v1::BenchmarkSpec> jobs;
  for (const std::string& model : spec.models()) {
    for (const v1::InputShape* input : inputs) {
      for (int32_t batch : spec.batch_sizes()) {
        for (v1::Mode mode : modes) {
          for (v1::Precision precision : precisions) {
            v1::BenchmarkSpec job;
            job.set_model(model);
            if (input) *job.mutable_input() = *input;
            job.set_batch_size(batch);
            job.set_mode(mode);
            job.set_precision(precision);
            job.set_device(spec.device());
            job.set_threads(spec.threads());
            *job.mutable_budget() = spec.budget();
            runner::ApplyDefaults(job);
            if (absl::Status valid = runner::ValidateSpec(job); !valid.ok()) {
              // Field names of BenchmarkSpec map onto the sweep's repeated
              // fields; say which.
              return absl::InvalidArgumentError(
                  absl::StrCat("sweep \"", spec.name(), "\": ", valid.message()));
            }
            jobs.push_back(std::move(job));
          }
        }
      }
    }
  }
  return jobs;
}

}  // namespace benchfleet::coordinator
