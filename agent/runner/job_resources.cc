#include "agent/runner/job_resources.h"

#include <fstream>
#include <sstream>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace benchfleet::runner {
namespace {

absl::StatusOr<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return absl::UnavailableError(absl::StrCat("cannot read ", path));
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

void ScaleLayer(v1::LayerCost& layer, double ratio) {
  layer.set_forward_flops(layer.forward_flops() * ratio);
  layer.set_backward_flops(layer.backward_flops() * ratio);
  layer.set_activation_bytes(static_cast<int64_t>(
      static_cast<double>(layer.activation_bytes()) * ratio));
}

}  // namespace

absl::StatusOr<int64_t> ParseMemAvailable(absl::string_view meminfo) {
  for (absl::string_view line : absl::StrSplit(meminfo, '\n')) {
    if (!absl::ConsumePrefix(&line, "MemAvailable:")) continue;
    std::vector<absl::string_view> words =
        absl::StrSplit(line, ' ', absl::SkipEmpty());
    int64_t kib = 0;
    if (words.size() == 2 && words[1] == "kB" &&
        absl::SimpleAtoi(words[0], &kib) && kib >= 0)
      return kib * 1024;
    return absl::InvalidArgumentError(
        absl::StrCat("malformed MemAvailable line: \"", line, "\""));
  }
  return absl::InvalidArgumentError("no MemAvailable line in meminfo");
}

absl::StatusOr<int64_t> ReadMemAvailable(const std::string& root) {
  absl::StatusOr<std::string> text = ReadFile(root + "/proc/meminfo");
  if (!text.ok()) return text.status();
  return ParseMemAvailable(*text);
}

bool CpuInfoHasBf16(absl::string_view cpuinfo) {
  for (absl::string_view line : absl::StrSplit(cpuinfo, '\n')) {
    const bool x86 = absl::StartsWith(line, "flags");
    const bool arm = absl::StartsWith(line, "Features");
    if (!x86 && !arm) continue;
    const size_t colon = line.find(':');
    if (colon == absl::string_view::npos) continue;
    for (absl::string_view flag :
         absl::StrSplit(line.substr(colon + 1), ' ', absl::SkipEmpty())) {
      flag = absl::StripAsciiWhitespace(flag);
      if (x86 && (flag == "avx512_bf16" || flag == "amx_bf16")) return true;
      if (arm && flag == "bf16") return true;
    }
  }
  return false;
}

bool HostHasBf16(const std::string& root) {
  absl::StatusOr<std::string> text = ReadFile(root + "/proc/cpuinfo");
  return text.ok() && CpuInfoHasBf16(*text);
}

int64_t ElementBytes(v1::Precision precision) {
  switch (precision) {
    case v1::PRECISION_BF16:
    case v1::PRECISION_FP16:
      return 2;
    default:
      return 4;
  }
}

int64_t EstimateMemoryNeedBytes(const v1::CostFigures& reference,
                                const v1::InputShape& reference_shape,
                                int reference_batch,
                                const v1::BenchmarkSpec& spec) {
  const v1::InputShape& in = spec.input();
  const double reference_pixels = static_cast<double>(reference_batch) *
                                  reference_shape.height() *
                                  reference_shape.width();
  const double pixels =
      static_cast<double>(spec.batch_size()) * in.height() * in.width();
  const double scale = reference_pixels > 0 ? pixels / reference_pixels : 1.0;
  const double activations =
      static_cast<double>(reference.activation_bytes()) * scale;
  const double params = static_cast<double>(reference.param_bytes());
  const double input = static_cast<double>(spec.batch_size()) * in.channels() *
                       in.height() * in.width() * 4.0;
  const double need = spec.mode() == v1::MODE_TRAINING
                          ? 3 * params + input + 2 * activations
                          : params + input + activations;
  // Saturate rather than overflow for absurd shapes; anything this large is
  // refused anyway.
  return need >= 9e18 ? static_cast<int64_t>(9e18) : static_cast<int64_t>(need);
}

v1::CostFigures ScaleCostToBatch(const v1::CostFigures& cost, int from_batch,
                                 int to_batch) {
  if (from_batch <= 0 || from_batch == to_batch) return cost;
  const double ratio = static_cast<double>(to_batch) / from_batch;
  v1::CostFigures out = cost;
  const int64_t input_bytes =
      cost.traffic_bytes() - cost.param_bytes() - 2 * cost.activation_bytes();
  out.set_forward_flops(cost.forward_flops() * ratio);
  out.set_backward_flops(cost.backward_flops() * ratio);
  out.set_activation_bytes(static_cast<int64_t>(
      static_cast<double>(cost.activation_bytes()) * ratio));
  const int64_t scaled_input =
      static_cast<int64_t>(static_cast<double>(input_bytes) * ratio);
  out.set_traffic_bytes(cost.param_bytes() + scaled_input +
                        2 * out.activation_bytes());
  const int64_t footprint_input =
      cost.footprint_bytes() - cost.param_bytes() - 2 * cost.activation_bytes();
  out.set_footprint_bytes(
      cost.param_bytes() +
      static_cast<int64_t>(static_cast<double>(footprint_input) * ratio) +
      2 * out.activation_bytes());
  out.set_intensity(out.traffic_bytes() > 0
                        ? out.forward_flops() /
                              static_cast<double>(out.traffic_bytes())
                        : 0.0);
  for (auto& layer : *out.mutable_by_kind()) ScaleLayer(layer, ratio);
  for (auto& layer : *out.mutable_by_module()) ScaleLayer(layer, ratio);
  return out;
}

std::string HumanBytes(double bytes) {
  if (bytes >= 1024.0 * 1024 * 1024)
    return absl::StrFormat("%.2f GiB", bytes / (1024.0 * 1024 * 1024));
  if (bytes >= 1024.0 * 1024)
    return absl::StrFormat("%.1f MiB", bytes / (1024.0 * 1024));
  if (bytes >= 1024.0) return absl::StrFormat("%.1f KiB", bytes / 1024.0);
  return absl::StrFormat("%.0f B", bytes);
}

}  // namespace benchfleet::runner
