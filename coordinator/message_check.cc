#include "coordinator/message_check.h"

#include <cmath>
#include <cstdint>
#include <limits>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"

namespace benchfleet::coordinator {
namespace {

template <typename Value>
absl::Status Bad(absl::string_view field, const Value& value,
                 absl::string_view why) {
  return absl::InvalidArgumentError(absl::StrCat(field, " = ", value, ": ", why));
}

bool FiniteNonNegative(double v) { return std::isfinite(v) && v >= 0; }

}  // namespace

namespace {

bool IsIdChar(char c) {
  return absl::ascii_isalnum(c) || c == '-' || c == '_' || c == '.' || c == ':';
}

absl::Status CheckLabel(const std::string& key, const std::string& value) {
  const std::string shown = absl::StrCat("\"", key.substr(0, 40), "\"");
  if (key.empty() || key.size() > kMaxLabelLength || value.size() > kMaxLabelLength)
    return Bad("hello.labels", shown,
               absl::StrCat("keys need 1 to ", kMaxLabelLength,
                            " characters, values at most ", kMaxLabelLength));
  for (char c : key + value)
    if (!IsIdChar(c) && c != '/')
      return Bad("hello.labels", shown, "may hold only letters, digits and - _ . : /");
  return absl::OkStatus();
}

}  // namespace

absl::Status CheckHello(const v1::Hello& hello) {
  if (hello.labels_size() > kMaxLabels)
    return Bad("hello.labels.size", hello.labels_size(),
               absl::StrCat("at most ", kMaxLabels));
  for (const auto& [key, value] : hello.labels()) {
    absl::Status ok = CheckLabel(key, value);
    if (!ok.ok()) return ok;
  }
  for (int device : hello.devices())
    if (!v1::DeviceKind_IsValid(device) || device == v1::DEVICE_KIND_UNSPECIFIED)
      return Bad("hello.devices", device, "unknown device kind");
  for (int precision : hello.precisions())
    if (!v1::Precision_IsValid(precision) ||
        precision == v1::PRECISION_UNSPECIFIED)
      return Bad("hello.precisions", precision, "unknown precision");
  const std::string& id = hello.agent_id();
  if (id.empty() || id.size() > kMaxAgentIdLength)
    return Bad("hello.agent_id", absl::StrCat("\"", id.substr(0, 40), "\""),
               absl::StrCat("must have 1 to ", kMaxAgentIdLength, " characters"));
  for (char c : id) {
    if (!IsIdChar(c))
      return Bad("hello.agent_id", absl::StrCat("\"", id.substr(0, 40), "\""),
                 "may hold only letters, digits and - _ . :");
  }
  return absl::OkStatus();
}

absl::Status CheckSamples(const v1::SampleBatch& batch, int max_samples) {
  if (batch.samples_size() > max_samples)
    return Bad("samples.size", batch.samples_size(),
               absl::StrCat("at most ", max_samples, " per batch"));
  for (const v1::Sample& s : batch.samples()) {
    if (s.job_id() <= 0) return Bad("sample.job_id", s.job_id(), "must be > 0");
    if (s.attempt() <= 0) return Bad("sample.attempt", s.attempt(), "must be > 0");
    // The ack says samples_through = sequence + 1, which must fit in an
    // int64 (regression input:
    // fuzz/corpus/agent_message/samples_last_sequence.bin).
    if (s.sequence() < 0 ||
        s.sequence() == std::numeric_limits<int64_t>::max())
      return Bad("sample.sequence", s.sequence(), "must be in [0, 2^63 - 1)");
    if (s.duration_ns() < 0)
      return Bad("sample.duration_ns", s.duration_ns(), "must be >= 0");
    if (s.iterations() < 0)
      return Bad("sample.iterations", s.iterations(), "must be >= 0");
    if (!v1::Phase_IsValid(s.phase()) || s.phase() == v1::PHASE_UNSPECIFIED)
      return Bad("sample.phase", s.phase(), "unknown phase");
  }
  return absl::OkStatus();
}

absl::Status CheckResult(const v1::JobResult& r) {
  if (r.job_id() <= 0) return Bad("result.job_id", r.job_id(), "must be > 0");
  if (r.attempt() <= 0) return Bad("result.attempt", r.attempt(), "must be > 0");
  if (r.status() != v1::JOB_STATUS_OK && r.status() != v1::JOB_STATUS_FAILED)
    return Bad("result.status", r.status(), "must be OK or FAILED");
  if (r.error().size() > kMaxErrorLength)
    return Bad("result.error.size", r.error().size(),
               absl::StrCat("at most ", kMaxErrorLength, " bytes"));
  const v1::DurationStats& s = r.step();
  if (s.n() < 0) return Bad("result.step.n", s.n(), "must be >= 0");
  if (r.status() == v1::JOB_STATUS_OK && s.n() == 0)
    return Bad("result.step.n", s.n(),
               "an OK result needs at least one timed iteration");
  // The coordinator derives throughput and FLOP/s from these.
  if (r.status() == v1::JOB_STATUS_OK && r.spec().batch_size() < 1)
    return Bad("result.spec.batch_size", r.spec().batch_size(),
               "an OK result ran at least one item");
  const v1::Provenance& p = r.provenance();
  for (auto [field, value] :
       {std::pair{"result.provenance.agent_version", &p.agent_version()},
        std::pair{"result.provenance.source_revision", &p.source_revision()},
        std::pair{"result.provenance.libtorch_version", &p.libtorch_version()},
        std::pair{"result.provenance.blas_vendor", &p.blas_vendor()},
        std::pair{"result.provenance.blas_library", &p.blas_library()},
        std::pair{"result.provenance.compiler", &p.compiler()}}) {
    if (value->size() > kMaxProvenanceLength)
      return Bad(absl::StrCat(field, ".size"), value->size(),
                 absl::StrCat("at most ", kMaxProvenanceLength, " bytes"));
    for (char c : *value)
      if (absl::ascii_iscntrl(c))
        return Bad(field, absl::StrCat("\"", absl::CHexEscape(value->substr(0, 40)), "\""),
                   "may not hold control characters");
  }
  for (auto [field, value] :
       {std::pair{"result.step.median_ms", s.median_ms()},
        std::pair{"result.step.mean_ms", s.mean_ms()},
        std::pair{"result.step.min_ms", s.min_ms()},
        std::pair{"result.step.p90_ms", s.p90_ms()},
        std::pair{"result.step.p99_ms", s.p99_ms()},
        std::pair{"result.step.iqr_ms", s.iqr_ms()},
        std::pair{"result.step.stddev_ms", s.stddev_ms()},
        std::pair{"result.step.cv", s.cv()},
        std::pair{"result.items_per_second", r.items_per_second()},
        std::pair{"result.offline_items_per_second",
                  r.offline_items_per_second()},
        std::pair{"result.cost.forward_flops", r.cost().forward_flops()},
        std::pair{"result.cost.backward_flops", r.cost().backward_flops()}}) {
    if (!FiniteNonNegative(value))
      return Bad(field, value, "must be a finite number >= 0");
  }
  return absl::OkStatus();
}

}  // namespace benchfleet::coordinator
