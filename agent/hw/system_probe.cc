#include "agent/hw/system_probe.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace benchfleet::hw {
namespace {

namespace fs = std::filesystem;

bool ReadFile(const fs::path& path, std::string* out) {
  std::ifstream in(path);
  if (!in) return false;
  std::stringstream buffer;
  buffer << in.rdbuf();
  *out = buffer.str();
  return true;
}

std::string ReadTrimmed(const fs::path& path) {
  std::string text;
  if (!ReadFile(path, &text)) return "";
  return std::string(absl::StripAsciiWhitespace(text));
}

// ISA features that decide a CPU's peak FLOP/s.
const std::set<std::string>& PeakIsaFlags() {
  static const auto* flags = new std::set<std::string>{
      "sse2",        "sse4_2",      "avx",         "avx2",       "fma",
      "avx512f",     "avx512bw",    "avx512vl",    "avx512_bf16", "avx512_vnni",
      "avx512_fp16", "amx_tile",    "amx_bf16",    "amx_int8",   "avx_vnni",
      "asimd",       "sve",         "sve2",        "bf16"};
  return *flags;
}

// Parses /proc/cpuinfo: model, vendor, sockets, cores, threads, flags.
void ParseCpuinfo(const std::string& text, v1::CpuInfo* cpu) {
  std::set<std::string> packages;
  std::set<std::pair<std::string, std::string>> cores;
  int threads = 0;
  std::string package = "0";
  for (absl::string_view block : absl::StrSplit(text, "\n\n")) {
    bool has_processor = false;
    std::string core_id;
    for (absl::string_view line : absl::StrSplit(block, '\n')) {
      std::pair<std::string, std::string> kv =
          absl::StrSplit(line, absl::MaxSplits(':', 1));
      const std::string key(absl::StripAsciiWhitespace(kv.first));
      const std::string value(absl::StripAsciiWhitespace(kv.second));
      if (key == "processor") has_processor = true;
      if (key == "vendor_id" || key == "CPU implementer") {
        if (cpu->vendor().empty()) cpu->set_vendor(value);
      } else if (key == "model name" || key == "Model") {
        if (cpu->model_name().empty()) cpu->set_model_name(value);
      } else if (key == "physical id") {
        package = value;
      } else if (key == "core id") {
        core_id = value;
      } else if (key == "cpu MHz") {
        double mhz;
        if (absl::SimpleAtod(value, &mhz) && cpu->base_mhz() == 0)
          cpu->set_base_mhz(mhz);
      } else if ((key == "flags" || key == "Features") &&
                 cpu->isa_flags().empty()) {
        for (absl::string_view flag : absl::StrSplit(value, ' ')) {
          if (PeakIsaFlags().count(std::string(flag)))
            cpu->add_isa_flags(std::string(flag));
        }
      }
    }
    if (!has_processor) continue;
    ++threads;
    packages.insert(package);
    cores.insert({package, core_id.empty() ? absl::StrCat(threads) : core_id});
  }
  cpu->set_threads(threads);
  cpu->set_sockets(static_cast<int32_t>(packages.size()));
  cpu->set_cores(static_cast<int32_t>(cores.size()));
}

int64_t ParseCacheSize(absl::string_view text) {
  // sysfs writes "32K", "1024K", "32768K" or "16M".
  int64_t multiplier = 1;
  if (absl::ConsumeSuffix(&text, "K")) multiplier = 1024;
  else if (absl::ConsumeSuffix(&text, "M")) multiplier = 1024 * 1024;
  int64_t value = 0;
  return absl::SimpleAtoi(text, &value) ? value * multiplier : 0;
}

void ProbeCaches(const fs::path& root, v1::HardwareReport* report) {
  const fs::path dir = root / "sys/devices/system/cpu/cpu0/cache";
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    report->add_warnings(
        "cache sizes unknown: sys/devices/system/cpu/cpu0/cache is absent");
    return;
  }
  std::map<std::string, v1::CacheLevel> by_name;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    if (entry.path().filename().string().rfind("index", 0) != 0) continue;
    v1::CacheLevel cache;
    int level = 0;
    absl::SimpleAtoi(ReadTrimmed(entry.path() / "level"), &level);
    cache.set_level(level);
    cache.set_type(ReadTrimmed(entry.path() / "type"));
    cache.set_size_bytes(ParseCacheSize(ReadTrimmed(entry.path() / "size")));
    cache.set_source("sysfs");
    if (level >= 1 && level <= 3 &&
        cache.size_bytes() > kMaxPlausibleCacheBytes[level]) {
      cache.set_implausible(true);
      report->add_warnings(absl::StrFormat(
          "L%d cache of %d bytes is implausible; not trusted", level,
          cache.size_bytes()));
    }
    by_name[entry.path().filename().string()] = cache;
  }
  for (const auto& [name, cache] : by_name) *report->mutable_cpu()->add_caches() = cache;
}

void ProbeFrequency(const fs::path& root, v1::CpuInfo* cpu) {
  const fs::path freq = root / "sys/devices/system/cpu/cpu0/cpufreq";
  int64_t khz = 0;
  if (absl::SimpleAtoi(ReadTrimmed(freq / "cpuinfo_max_freq"), &khz) && khz > 0)
    cpu->set_max_mhz(khz / 1000.0);
  if (absl::SimpleAtoi(ReadTrimmed(freq / "base_frequency"), &khz) && khz > 0)
    cpu->set_base_mhz(khz / 1000.0);
}

void ProbeMemory(const fs::path& root, v1::HardwareReport* report) {
  std::string meminfo;
  if (ReadFile(root / "proc/meminfo", &meminfo)) {
    for (absl::string_view line : absl::StrSplit(meminfo, '\n')) {
      if (absl::ConsumePrefix(&line, "MemTotal:")) {
        absl::ConsumeSuffix(&line, "kB");
        int64_t kb = 0;
        if (absl::SimpleAtoi(absl::StripAsciiWhitespace(line), &kb))
          report->mutable_memory()->set_total_bytes(kb * 1024);
      }
    }
  } else {
    report->add_warnings("memory size unknown: proc/meminfo is absent");
  }
  int nodes = 0;
  std::error_code ec;
  for (const auto& entry :
       fs::directory_iterator(root / "sys/devices/system/node", ec)) {
    const std::string name = entry.path().filename().string();
    if (name.rfind("node", 0) == 0 && name.size() > 4 &&
        absl::ascii_isdigit(name[4]))
      ++nodes;
  }
  report->mutable_memory()->set_numa_nodes(nodes > 0 ? nodes : 1);
}

std::string OsPrettyName(const fs::path& root) {
  std::string text;
  if (!ReadFile(root / "etc/os-release", &text)) return "";
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    if (absl::ConsumePrefix(&line, "PRETTY_NAME=")) {
      return std::string(absl::StripSuffix(absl::StripPrefix(line, "\""), "\""));
    }
  }
  return "";
}

}  // namespace

v1::HardwareReport ProbeSystem(const std::string& root_dir) {
  const fs::path root(root_dir);
  v1::HardwareReport report;
  std::string cpuinfo;
  if (ReadFile(root / "proc/cpuinfo", &cpuinfo)) {
    ParseCpuinfo(cpuinfo, report.mutable_cpu());
  } else {
    report.add_warnings("CPU unknown: proc/cpuinfo is absent");
  }
  ProbeFrequency(root, report.mutable_cpu());
  ProbeCaches(root, &report);
  ProbeMemory(root, &report);

  report.set_hostname(ReadTrimmed(root / "proc/sys/kernel/hostname"));
  report.mutable_software()->set_os(OsPrettyName(root));
  report.mutable_software()->set_kernel(
      ReadTrimmed(root / "proc/sys/kernel/osrelease"));

  // The host id survives reboots and re-installs of the agent: machine-id
  // when present, else the hostname; mixed with the CPU model so a cloned
  // image on different hardware does not collide.
  std::string machine_id = ReadTrimmed(root / "etc/machine-id");
  if (machine_id.empty()) machine_id = report.hostname();
  report.set_host_id(absl::StrFormat(
      "%016x", std::hash<std::string>{}(machine_id + "|" +
                                        report.cpu().model_name())));
  return report;
}

}  // namespace benchfleet::hw
