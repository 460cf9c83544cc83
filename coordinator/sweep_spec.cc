#include "coordinator/sweep_spec.h"

#include <google/protobuf/io/tokenizer.h>
#include <google/protobuf/text_format.h>

#include <fstream>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "base/status_macros.h"
#include "spec/spec_check.h"

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

namespace {

// Line (1-based) of the field path `path` ("batch_sizes[1]", "budget.min_seconds",
// "inputs[0].height") in a parsed text file; 0 when it cannot be found.
int LineOf(const google::protobuf::Message& message,
           const google::protobuf::TextFormat::ParseInfoTree& tree,
           absl::string_view path) {
  const google::protobuf::Descriptor* descriptor = message.GetDescriptor();
  const google::protobuf::TextFormat::ParseInfoTree* node = &tree;
  std::vector<absl::string_view> parts = absl::StrSplit(path, '.');
  for (size_t i = 0; i < parts.size(); ++i) {
    absl::string_view name = parts[i];
    int index = -1;
    if (size_t bracket = name.find('['); bracket != absl::string_view::npos) {
      if (!absl::SimpleAtoi(name.substr(bracket + 1, name.size() - bracket - 2),
                            &index) ||
          index < 0)
        return 0;
      name = name.substr(0, bracket);
    }
    const google::protobuf::FieldDescriptor* field =
        descriptor->FindFieldByName(std::string(name));
    if (field == nullptr) return 0;
    // ParseInfoTree wants an index for a repeated field (a map such as
    // "selector = ..." is one; its first entry stands for it) and none for a
    // singular one: libprotobuf throws a FatalException otherwise
    // (regression input: fuzz/corpus/sweep_spec/selector_error_line.textproto).
    if (field->is_repeated() && index < 0) index = 0;
    if (!field->is_repeated() && index >= 0) return 0;
    if (i + 1 == parts.size() || field->message_type() == nullptr) {
      auto location = node->GetLocation(field, index);
      // Elements of a "[a, b]" list have no location of their own: use the
      // list's.
      if (location.line < 0 && index > 0) location = node->GetLocation(field, 0);
      return location.line >= 0 ? location.line + 1 : 0;
    }
    node = node->GetTreeForNested(field, index);
    if (node == nullptr) return 0;
    descriptor = field->message_type();
  }
  return 0;
}

}  // namespace

absl::StatusOr<v1::SweepSpec> ParseSweepText(const std::string& text,
                                             const std::string& filename) {
  v1::SweepSpec spec;
  FirstError errors;
  google::protobuf::TextFormat::Parser parser;
  parser.RecordErrorsTo(&errors);
  google::protobuf::TextFormat::ParseInfoTree tree;
  parser.WriteLocationsTo(&tree);
  if (!parser.ParseFromString(text, &spec)) {
    return absl::InvalidArgumentError(
        absl::StrCat(filename, ": ", errors.message()));
  }
  // Semantic errors name a field path; point at its line too.
  absl::StatusOr<std::vector<v1::BenchmarkSpec>> jobs = ExpandSweep(spec);
  if (!jobs.ok()) {
    const absl::string_view message = jobs.status().message();
    const int line = LineOf(spec, tree, message.substr(0, message.find(' ')));
    return absl::InvalidArgumentError(
        line > 0 ? absl::StrCat(filename, ": line ", line, ": ", message)
                 : absl::StrCat(filename, ": ", message));
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
  auto bad = [](const std::string& field, const auto& value, absl::string_view why) {
    return absl::InvalidArgumentError(absl::StrCat(field, " = ", value, ": ", why));
  };
  if (spec.name().empty() || spec.name().size() > 200)
    return bad("name", absl::StrCat("\"", spec.name().substr(0, 40), "\""),
               "must be set and at most 200 characters");
  if (spec.models().empty())
    return absl::InvalidArgumentError("models: empty; name at least one model");
  if (spec.batch_sizes().empty())
    return absl::InvalidArgumentError(
        "batch_sizes: empty; name at least one batch size");
  if (spec.repeat() < 0 || spec.repeat() > 100)
    return bad("repeat", spec.repeat(), "must be in [0, 100]");

  // Each list element is checked on its own first, so errors name it.
  v1::BenchmarkSpec probe;
  probe.set_model(spec.models(0));
  probe.set_batch_size(1);
  *probe.mutable_budget() = spec.budget();
  spec::ApplyDefaults(probe);
  auto check = [&](const std::string& field, const v1::BenchmarkSpec& candidate,
                   absl::string_view spec_field) -> absl::Status {
    absl::Status valid = spec::ValidateSpec(candidate);
    if (valid.ok()) return valid;
    // ValidateSpec names BenchmarkSpec's field; name the sweep's instead.
    std::string message(valid.message());
    if (!spec_field.empty() && absl::StartsWith(message, spec_field))
      message = absl::StrCat(field, message.substr(spec_field.size()));
    return absl::InvalidArgumentError(message);
  };
  for (int i = 0; i < spec.models_size(); ++i) {
    v1::BenchmarkSpec c = probe;
    c.set_model(spec.models(i));
    c.clear_input();
    spec::ApplyDefaults(c);
    RETURN_IF_ERROR(check(absl::StrCat("models[", i, "]"), c, "model"));
  }
  for (int i = 0; i < spec.batch_sizes_size(); ++i) {
    v1::BenchmarkSpec c = probe;
    c.set_batch_size(spec.batch_sizes(i));
    RETURN_IF_ERROR(check(absl::StrCat("batch_sizes[", i, "]"), c, "batch_size"));
  }
  for (int i = 0; i < spec.inputs_size(); ++i) {
    v1::BenchmarkSpec c = probe;
    *c.mutable_input() = spec.inputs(i);
    RETURN_IF_ERROR(check(absl::StrCat("inputs[", i, "]"), c, "input"));
  }
  for (int i = 0; i < spec.modes_size(); ++i) {
    v1::BenchmarkSpec c = probe;
    c.set_mode(static_cast<v1::Mode>(spec.modes(i)));
    RETURN_IF_ERROR(check(absl::StrCat("modes[", i, "]"), c, "mode"));
  }
  for (int i = 0; i < spec.precisions_size(); ++i) {
    v1::BenchmarkSpec c = probe;
    c.set_precision(static_cast<v1::Precision>(spec.precisions(i)));
    RETURN_IF_ERROR(check(absl::StrCat("precisions[", i, "]"), c, "precision"));
  }
  for (int i = 0; i < spec.devices_size(); ++i) {
    v1::BenchmarkSpec c = probe;
    c.set_device(static_cast<v1::DeviceKind>(spec.devices(i)));
    RETURN_IF_ERROR(check(absl::StrCat("devices[", i, "]"), c, "device"));
  }
  for (int i = 0; i < spec.thread_counts_size(); ++i) {
    v1::BenchmarkSpec c = probe;
    c.set_threads(spec.thread_counts(i));
    RETURN_IF_ERROR(check(absl::StrCat("thread_counts[", i, "]"), c, "threads"));
  }
  RETURN_IF_ERROR(check("budget", probe, ""));
  for (const auto& [key, value] : spec.selector()) {
    if (key.empty() || key.size() > 63 || value.size() > 63)
      return bad("selector", absl::StrCat("\"", key.substr(0, 40), "\""),
                 "keys need 1 to 63 characters, values at most 63");
  }

  // Repeated enums arrive as ints; each was validated above.
  std::vector<v1::Mode> modes;
  for (int mode : spec.modes()) modes.push_back(static_cast<v1::Mode>(mode));
  if (modes.empty()) modes.push_back(v1::MODE_INFERENCE);
  std::vector<v1::Precision> precisions;
  for (int p : spec.precisions()) precisions.push_back(static_cast<v1::Precision>(p));
  if (precisions.empty()) precisions.push_back(v1::PRECISION_FP32);
  std::vector<v1::DeviceKind> devices;
  for (int d : spec.devices()) devices.push_back(static_cast<v1::DeviceKind>(d));
  if (devices.empty()) devices.push_back(v1::DEVICE_KIND_CPU);
  std::vector<int32_t> thread_counts(spec.thread_counts().begin(),
                                     spec.thread_counts().end());
  if (thread_counts.empty()) thread_counts.push_back(0);
  std::vector<const v1::InputShape*> inputs;
  for (const auto& input : spec.inputs()) inputs.push_back(&input);
  if (inputs.empty()) inputs.push_back(nullptr);  // the model's default
  const int repeat = std::max(1, spec.repeat());

  // Each list may be long (a packed enum costs one byte per entry), so the
  // product of eight lengths can pass 2^63: multiply with overflow checks,
  // or a wrapped count passes the limit below (regression input:
  // fuzz/corpus/sweep_spec/job_count_overflow.binpb).
  int64_t total = 1;
  bool overflow = false;
  for (const size_t factor :
       {static_cast<size_t>(spec.models_size()),
        static_cast<size_t>(spec.batch_sizes_size()), modes.size(),
        precisions.size(), inputs.size(), devices.size(), thread_counts.size(),
        static_cast<size_t>(repeat)}) {
    overflow = overflow || __builtin_mul_overflow(total, factor, &total);
  }
  if (overflow || total > kMaxJobsPerSweep) {
    return absl::InvalidArgumentError(absl::StrCat(
        "sweep expands to ",
        overflow ? std::string("more than 2^63") : absl::StrCat(total),
        " jobs; at most ", kMaxJobsPerSweep, " are allowed"));
  }

  std::vector<v1::BenchmarkSpec> jobs;
  jobs.reserve(total);
  for (const std::string& model : spec.models())
    for (const v1::InputShape* input : inputs)
      for (int32_t batch : spec.batch_sizes())
        for (v1::Mode mode : modes)
          for (v1::Precision precision : precisions)
            for (v1::DeviceKind device : devices)
              for (int32_t threads : thread_counts)
                for (int r = 0; r < repeat; ++r) {
                  v1::BenchmarkSpec job;
                  job.set_model(model);
                  if (input) *job.mutable_input() = *input;
                  job.set_batch_size(batch);
                  job.set_mode(mode);
                  job.set_precision(precision);
                  job.set_device(device);
                  job.set_threads(threads);
                  *job.mutable_budget() = spec.budget();
                  spec::ApplyDefaults(job);
                  RETURN_IF_ERROR(spec::ValidateSpec(job));
                  jobs.push_back(std::move(job));
                }
  return jobs;
}

}  // namespace benchfleet::coordinator
