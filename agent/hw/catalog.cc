#include "agent/hw/catalog.h"

#include <set>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "google/protobuf/io/tokenizer.h"
#include "google/protobuf/text_format.h"

namespace benchfleet::hw {

// Generated from devices.textproto by the devices_textproto_cc genrule.
extern const char kDeviceCatalogText[];

namespace {

// Collects the first text-format error with its position.
class FirstError : public google::protobuf::io::ErrorCollector {
 public:
  void AddError(int line, int column, const std::string& message) override {
    if (message_.empty())
      message_ = absl::StrCat("line ", line + 1, ", column ", column + 1, ": ",
                              message);
  }
  const std::string& message() const { return message_; }

 private:
  std::string message_;
};

absl::Status CheckEntry(const v1::CatalogDevice& d,
                        std::set<std::string>* ids) {
  const std::string where = absl::StrCat("device \"", d.id(), "\"");
  if (d.id().empty()) return absl::InvalidArgumentError("a device has no id");
  if (!ids->insert(d.id()).second)
    return absl::InvalidArgumentError(absl::StrCat(where, ": duplicate id"));
  if (d.match().empty())
    return absl::InvalidArgumentError(absl::StrCat(where, ": no match"));
  for (const std::string& m : d.match()) {
    if (NameTokens(m).empty())
      return absl::InvalidArgumentError(
          absl::StrCat(where, ": empty match \"", m, "\""));
  }
  if (d.source().empty())
    return absl::InvalidArgumentError(absl::StrCat(where, ": no source"));
  for (double v : {d.fp32_gflops(), d.fp16_gflops(), d.bf16_gflops(),
                   d.fp64_gflops(), d.memory_gbps()}) {
    if (v < 0)
      return absl::InvalidArgumentError(
          absl::StrCat(where, ": negative figure"));
  }
  if (d.fp32_gflops() == 0 && d.bf16_gflops() == 0 && d.fp16_gflops() == 0)
    return absl::InvalidArgumentError(absl::StrCat(where, ": no FLOP/s peak"));
  if (d.memory_gbps() == 0)
    return absl::InvalidArgumentError(absl::StrCat(where, ": no bandwidth"));
  return absl::OkStatus();
}

bool Contains(const std::set<std::string>& tokens, absl::string_view phrase,
              size_t* count) {
  const std::vector<std::string> wanted = NameTokens(phrase);
  for (const std::string& t : wanted)
    if (!tokens.count(t)) return false;
  *count = wanted.size();
  return true;
}

}  // namespace

absl::StatusOr<v1::DeviceCatalog> ParseCatalog(absl::string_view text) {
  v1::DeviceCatalog catalog;
  google::protobuf::TextFormat::Parser parser;
  FirstError errors;
  parser.RecordErrorsTo(&errors);
  if (!parser.ParseFromString(std::string(text), &catalog))
    return absl::InvalidArgumentError(
        absl::StrCat("device catalog: ", errors.message()));
  std::set<std::string> ids;
  for (const v1::CatalogDevice& d : catalog.devices()) {
    absl::Status status = CheckEntry(d, &ids);
    if (!status.ok())
      return absl::InvalidArgumentError(
          absl::StrCat("device catalog: ", status.message()));
  }
  return catalog;
}

absl::StatusOr<const v1::DeviceCatalog*> EmbeddedCatalog() {
  static const auto* parsed =
      new absl::StatusOr<v1::DeviceCatalog>(ParseCatalog(kDeviceCatalogText));
  if (!parsed->ok()) return parsed->status();
  return &parsed->value();
}

std::vector<std::string> NameTokens(absl::string_view name) {
  std::string text = absl::AsciiStrToLower(name);
  text = absl::StrReplaceAll(text, {{"(r)", " "}, {"(tm)", " "}});
  const size_t at = text.find('@');
  if (at != std::string::npos) text.resize(at);
  std::vector<std::string> tokens;
  std::string current;
  for (char c : text) {
    if (absl::ascii_isalnum(c) || c == '+') {
      current += c;
    } else if (!current.empty()) {
      tokens.push_back(current);
      current.clear();
    }
  }
  if (!current.empty()) tokens.push_back(current);
  return tokens;
}

const v1::CatalogDevice* MatchDevice(const v1::DeviceCatalog& catalog,
                                     absl::string_view probed_name) {
  const std::vector<std::string> list = NameTokens(probed_name);
  const std::set<std::string> tokens(list.begin(), list.end());
  const v1::CatalogDevice* best = nullptr;
  size_t best_count = 0;
  for (const v1::CatalogDevice& d : catalog.devices()) {
    bool excluded = false;
    for (const std::string& e : d.exclude()) {
      size_t unused;
      if (Contains(tokens, e, &unused)) excluded = true;
    }
    if (excluded) continue;
    for (const std::string& m : d.match()) {
      size_t count = 0;
      if (Contains(tokens, m, &count) && count > best_count) {
        best = &d;
        best_count = count;
      }
    }
  }
  return best;
}

v1::DatasheetPeak DatasheetPeakFromEntry(const v1::CatalogDevice& entry,
                                         const std::string& probed_name,
                                         int devices) {
  v1::DatasheetPeak peak;
  peak.set_device(probed_name);
  peak.set_catalog_id(entry.id());
  peak.set_catalog_name(entry.name());
  peak.set_devices(devices);
  peak.set_fp32_flops(entry.fp32_gflops() * 1e9);
  peak.set_fp16_flops(entry.fp16_gflops() * 1e9);
  peak.set_bf16_flops(entry.bf16_gflops() * 1e9);
  peak.set_fp64_flops(entry.fp64_gflops() * 1e9);
  peak.set_memory_bytes_per_second(entry.memory_gbps() * 1e9);
  peak.set_basis("datasheet");
  peak.set_source(entry.source());
  peak.set_estimate(entry.estimate());
  return peak;
}

}  // namespace benchfleet::hw
