#include "agent/hw/system_probe.h"

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "agent/hw/microarch.h"

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

// Records where `field` came from, replacing an earlier source of it.
void AddSource(v1::CpuInfo* cpu, const std::string& field,
               const std::string& source) {
  for (v1::FigureSource& s : *cpu->mutable_sources()) {
    if (s.field() == field) {
      s.set_source(source);
      return;
    }
  }
  v1::FigureSource* s = cpu->add_sources();
  s->set_field(field);
  s->set_source(source);
}

// ISA features that decide a CPU's peak FLOP/s.
const std::set<std::string>& PeakIsaFlags() {
  static const auto* flags = new std::set<std::string>{
      "sse2",        "sse4_2",   "avx",      "avx2",        "fma",
      "avx512f",     "avx512bw", "avx512vl", "avx512_bf16", "avx512_vnni",
      "avx512_fp16", "amx_tile", "amx_bf16", "amx_int8",    "avx_vnni",
      "asimd",       "asimdhp",  "asimddp",  "sve",         "sve2",
      "bf16",        "i8mm",     "sme"};
  return *flags;
}

int ParseIntAnyBase(absl::string_view text) {
  // /proc/cpuinfo on Arm writes "0x41", "0xd0c" and plain "8".
  const std::string s(absl::StripAsciiWhitespace(text));
  char* end = nullptr;
  const long value = std::strtol(s.c_str(), &end, 0);
  return end != s.c_str() ? static_cast<int>(value) : 0;
}

// Parses /proc/cpuinfo: vendor, model, signature, sockets, cores, threads,
// flags. x86 blocks carry "vendor_id"/"model name"/"flags"; Arm blocks carry
// "CPU implementer"/"CPU part"/"Features" and usually no model name.
void ParseCpuinfo(const std::string& text, v1::CpuInfo* cpu) {
  std::set<std::string> packages;
  std::set<std::pair<std::string, std::string>> cores;
  int threads = 0;
  int arm_implementer = -1, arm_part = -1;
  bool arm = false;
  double cpuinfo_mhz = 0;
  for (absl::string_view block : absl::StrSplit(text, "\n\n")) {
    bool has_processor = false;
    std::string core_id;
    std::string package = "0";
    for (absl::string_view line : absl::StrSplit(block, '\n')) {
      std::pair<std::string, std::string> kv =
          absl::StrSplit(line, absl::MaxSplits(':', 1));
      const std::string key(absl::StripAsciiWhitespace(kv.first));
      const std::string value(absl::StripAsciiWhitespace(kv.second));
      if (key == "processor") has_processor = true;
      if (key == "vendor_id") {
        if (cpu->vendor().empty()) cpu->set_vendor(value);
      } else if (key == "CPU implementer") {
        arm = true;
        if (arm_implementer < 0) arm_implementer = ParseIntAnyBase(value);
      } else if (key == "CPU part") {
        if (arm_part < 0) arm_part = ParseIntAnyBase(value);
      } else if (key == "CPU architecture") {
        if (cpu->family() == 0) cpu->set_family(ParseIntAnyBase(value));
      } else if (key == "CPU revision") {
        if (cpu->stepping() == 0) cpu->set_stepping(ParseIntAnyBase(value));
      } else if (key == "cpu family") {
        if (cpu->family() == 0) cpu->set_family(ParseIntAnyBase(value));
      } else if (key == "model") {
        if (cpu->model() == 0) cpu->set_model(ParseIntAnyBase(value));
      } else if (key == "stepping") {
        if (cpu->stepping() == 0) cpu->set_stepping(ParseIntAnyBase(value));
      } else if (key == "model name" || key == "Model") {
        if (cpu->model_name().empty()) cpu->set_model_name(value);
      } else if (key == "physical id") {
        package = value;
      } else if (key == "core id") {
        core_id = value;
      } else if (key == "cpu MHz") {
        double mhz;
        if (absl::SimpleAtod(value, &mhz) && cpuinfo_mhz == 0)
          cpuinfo_mhz = mhz;
      } else if ((key == "flags" || key == "Features") &&
                 cpu->isa_flags().empty()) {
        for (absl::string_view flag : absl::StrSplit(value, ' ')) {
          if (PeakIsaFlags().count(std::string(flag)))
            cpu->add_isa_flags(std::string(flag));
          if (flag == "hypervisor") cpu->set_hypervisor(true);
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
  if (threads > 0) {
    AddSource(cpu, "cores", "/proc/cpuinfo");
    AddSource(cpu, "isa_flags", "/proc/cpuinfo");
  }
  if (cpuinfo_mhz > 0) {
    // The current clock of cpu0: the nominal one on VMs, which pin it to the
    // TSC; only a fallback on bare metal (see ProbeFrequency).
    cpu->set_base_mhz(cpuinfo_mhz);
    AddSource(cpu, "base_mhz", "/proc/cpuinfo (cpu MHz)");
  }
  if (arm) {
    cpu->set_architecture("aarch64");
    cpu->set_model(arm_part > 0 ? arm_part : 0);
    cpu->set_vendor(ArmImplementerName(arm_implementer));
    cpu->set_microarchitecture(ArmCoreName(arm_implementer, arm_part));
    if (cpu->model_name().empty()) {
      cpu->set_model_name(
          absl::StrCat(cpu->vendor(), " ",
                       cpu->microarchitecture().empty()
                           ? absl::StrFormat("part 0x%03x", arm_part)
                           : cpu->microarchitecture()));
    }
  } else if (threads > 0) {
    cpu->set_architecture("x86_64");
    cpu->set_microarchitecture(X86Microarchitecture(
        cpu->vendor(), cpu->family(), cpu->model(), cpu->stepping()));
  }
}

// Fills what /proc/cpuinfo lacked from CPUID (live machine only).
void MergeCpuid(const CpuidInfo& id, v1::CpuInfo* cpu) {
  if (!id.valid) return;
  if (cpu->vendor().empty()) cpu->set_vendor(id.vendor);
  if (cpu->model_name().empty()) {
    cpu->set_model_name(id.brand);
    AddSource(cpu, "model_name", "cpuid");
  }
  if (cpu->family() == 0) {
    cpu->set_family(id.family);
    cpu->set_model(id.model);
    cpu->set_stepping(id.stepping);
    AddSource(cpu, "family", "cpuid");
  }
  if (cpu->isa_flags().empty()) {
    for (const std::string& flag : id.flags) cpu->add_isa_flags(flag);
    AddSource(cpu, "isa_flags", "cpuid");
  }
  if (id.hypervisor) cpu->set_hypervisor(true);
  if (cpu->architecture().empty()) cpu->set_architecture("x86_64");
  if (cpu->microarchitecture().empty())
    cpu->set_microarchitecture(X86Microarchitecture(
        cpu->vendor(), cpu->family(), cpu->model(), cpu->stepping()));
}

// "Intel(R) Xeon(R) Gold 6248 CPU @ 2.50GHz" -> 2500; 0 when absent.
double MhzFromModelName(const std::string& name) {
  const size_t at = name.rfind('@');
  if (at == std::string::npos) return 0;
  absl::string_view rest =
      absl::StripAsciiWhitespace(absl::string_view(name).substr(at + 1));
  double ghz = 0;
  if (absl::ConsumeSuffix(&rest, "GHz") &&
      absl::SimpleAtod(absl::StripAsciiWhitespace(rest), &ghz))
    return ghz * 1000;
  return 0;
}

// Base and maximum clocks and the frequency governor. Order of trust for the
// base clock: sysfs base_frequency (intel_pstate), the "@ 2.50GHz" of the
// model name, then /proc/cpuinfo's current "cpu MHz".
void ProbeFrequency(const fs::path& root, v1::CpuInfo* cpu) {
  const fs::path freq = root / "sys/devices/system/cpu/cpu0/cpufreq";
  int64_t khz = 0;
  if (absl::SimpleAtoi(ReadTrimmed(freq / "cpuinfo_max_freq"), &khz) &&
      khz > 0) {
    cpu->set_max_mhz(khz / 1000.0);
    AddSource(cpu, "max_mhz", "sysfs");
  }
  const double named_mhz = MhzFromModelName(cpu->model_name());
  if (absl::SimpleAtoi(ReadTrimmed(freq / "base_frequency"), &khz) && khz > 0) {
    cpu->set_base_mhz(khz / 1000.0);
    AddSource(cpu, "base_mhz", "sysfs");
  } else if (named_mhz > 0) {
    cpu->set_base_mhz(named_mhz);
    AddSource(cpu, "base_mhz", "model name");
  }
  cpu->set_governor(ReadTrimmed(freq / "scaling_governor"));
  if (!cpu->governor().empty()) {
    AddSource(cpu, "governor", "sysfs");
    // Only "performance" holds the clock at its top (google/benchmark's
    // CPU-scaling check uses the same rule).
    cpu->set_frequency_scaling(cpu->governor() != "performance");
  }
}

v1::CacheLevel CacheFromSysfs(const fs::path& index) {
  v1::CacheLevel cache;
  int level = 0;
  absl::SimpleAtoi(ReadTrimmed(index / "level"), &level);
  cache.set_level(level);
  cache.set_type(ReadTrimmed(index / "type"));
  // sysfs writes "32K", "1024K", "32768K" or "16M".
  const std::string size_text = ReadTrimmed(index / "size");
  absl::string_view text(size_text);
  int64_t multiplier = 1;
  if (absl::ConsumeSuffix(&text, "K")) {
    multiplier = 1024;
  } else if (absl::ConsumeSuffix(&text, "M")) {
    multiplier = 1024 * 1024;
  }
  int64_t value = 0;
  cache.set_size_bytes(absl::SimpleAtoi(text, &value) ? value * multiplier : 0);
  cache.set_shared_by_threads(
      CountCpuList(ReadTrimmed(index / "shared_cpu_list")));
  cache.set_source("sysfs");
  return cache;
}

std::vector<v1::CacheLevel> SysfsCaches(const fs::path& root) {
  const fs::path dir = root / "sys/devices/system/cpu/cpu0/cache";
  std::map<std::string, v1::CacheLevel> by_name;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    if (entry.path().filename().string().rfind("index", 0) != 0) continue;
    v1::CacheLevel cache = CacheFromSysfs(entry.path());
    if (cache.type() == "Instruction") continue;  // peaks need data caches
    by_name[entry.path().filename().string()] = cache;
  }
  std::vector<v1::CacheLevel> caches;
  for (const auto& [name, cache] : by_name) caches.push_back(cache);
  return caches;
}

std::vector<v1::CacheLevel> LiveGetconfCaches() {
  std::vector<v1::CacheLevel> caches;
#if defined(_SC_LEVEL1_DCACHE_SIZE)
  const std::pair<int, int> names[] = {{1, _SC_LEVEL1_DCACHE_SIZE},
                                       {2, _SC_LEVEL2_CACHE_SIZE},
                                       {3, _SC_LEVEL3_CACHE_SIZE},
                                       {4, _SC_LEVEL4_CACHE_SIZE}};
  for (const auto& [level, name] : names) {
    const long size = sysconf(name);
    if (size <= 0) continue;
    v1::CacheLevel cache;
    cache.set_level(level);
    cache.set_type(level == 1 ? "Data" : "Unified");
    cache.set_size_bytes(size);
    cache.set_source("getconf");
    caches.push_back(cache);
  }
#endif
  return caches;
}

std::string CacheKey(const v1::CacheLevel& c) {
  return absl::StrCat(c.level(), c.type() == "Instruction" ? "i" : "d");
}

std::string CacheName(const v1::CacheLevel& c) {
  return absl::StrCat("L", c.level(), c.type() == "Data" ? "d" : "");
}

bool Plausible(const v1::CacheLevel& c, int online_threads) {
  return IsPlausibleCacheSize(c.level(), c.size_bytes(), c.shared_by_threads(),
                              online_threads);
}

// Picks one figure per cache level from the sources in order of trust.
// A source's implausible figure is reported and skipped; if no source has a
// plausible one, the first figure is kept, flagged implausible.
void ProbeCaches(const fs::path& root, const SystemProbeOptions& options,
                 const CpuidInfo& cpuid, v1::HardwareReport* report) {
  const int online = report->cpu().threads();
  std::vector<std::vector<v1::CacheLevel>> sources;
  sources.push_back(SysfsCaches(root));
  sources.push_back(cpuid.caches);
  if (options.getconf_caches) sources.push_back(options.getconf_caches());

  std::map<std::string, v1::CacheLevel> chosen;
  std::map<std::string, v1::CacheLevel> rejected;
  for (const auto& source : sources) {
    for (const v1::CacheLevel& cache : source) {
      const std::string key = CacheKey(cache);
      if (chosen.count(key)) {
        // A later source disagreeing wildly is worth a warning too.
        const v1::CacheLevel& kept = chosen[key];
        if (!kept.implausible() && !Plausible(cache, online)) {
          report->add_warnings(absl::StrFormat(
              "%s cache: %s reports %d bytes, implausible for %d thread(s); "
              "ignored, using %s's %d bytes",
              CacheName(cache), cache.source(), cache.size_bytes(), online,
              kept.source(), kept.size_bytes()));
        }
        continue;
      }
      if (Plausible(cache, online)) {
        chosen[key] = cache;
      } else if (!rejected.count(key)) {
        rejected[key] = cache;
      }
    }
  }
  for (auto& [key, cache] : rejected) {
    if (chosen.count(key)) {
      report->add_warnings(absl::StrFormat(
          "%s cache: %s reports %d bytes, implausible for %d thread(s); "
          "ignored, using %s's %d bytes",
          CacheName(cache), cache.source(), cache.size_bytes(), online,
          chosen[key].source(), chosen[key].size_bytes()));
      continue;
    }
    cache.set_implausible(true);
    report->add_warnings(
        absl::StrFormat("%s cache of %d bytes (%s) is implausible; not trusted",
                        CacheName(cache), cache.size_bytes(), cache.source()));
    chosen[key] = cache;
  }
  if (chosen.empty()) {
    report->add_warnings(
        "cache sizes unknown: sys/devices/system/cpu/cpu0/cache is absent");
    return;
  }
  std::set<std::string> used;
  for (const auto& [key, cache] : chosen) {
    *report->mutable_cpu()->add_caches() = cache;
    used.insert(cache.source());
  }
  for (const std::string& source : used)
    AddSource(report->mutable_cpu(), "caches", source);
}

void ProbeMemory(const fs::path& root, v1::HardwareReport* report) {
  std::string meminfo;
  if (ReadFile(root / "proc/meminfo", &meminfo)) {
    for (absl::string_view line : absl::StrSplit(meminfo, '\n')) {
      int64_t kb = 0;
      if (absl::ConsumePrefix(&line, "MemTotal:")) {
        absl::ConsumeSuffix(&line, "kB");
        if (absl::SimpleAtoi(absl::StripAsciiWhitespace(line), &kb))
          report->mutable_memory()->set_total_bytes(kb * 1024);
      } else if (absl::ConsumePrefix(&line, "MemAvailable:")) {
        absl::ConsumeSuffix(&line, "kB");
        if (absl::SimpleAtoi(absl::StripAsciiWhitespace(line), &kb))
          report->mutable_memory()->set_available_bytes(kb * 1024);
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
      return std::string(
          absl::StripSuffix(absl::StripPrefix(line, "\""), "\""));
    }
  }
  return "";
}

}  // namespace

bool IsPlausibleCacheSize(int level, int64_t size_bytes, int shared_by_threads,
                          int online_threads) {
  if (size_bytes <= 0 || level < 1 || level > 4) return false;
  int sharing = shared_by_threads;
  if (sharing <= 0) sharing = level <= 2 ? 1 : std::max(1, online_threads);
  return size_bytes / sharing <= kMaxCacheBytesPerThread[level];
}

int CountCpuList(const std::string& list) {
  int count = 0;
  for (absl::string_view range : absl::StrSplit(list, ',', absl::SkipEmpty())) {
    std::pair<absl::string_view, absl::string_view> ends =
        absl::StrSplit(range, absl::MaxSplits('-', 1));
    int first = 0, last = 0;
    if (!absl::SimpleAtoi(ends.first, &first)) return 0;
    if (ends.second.empty()) {
      last = first;
    } else if (!absl::SimpleAtoi(ends.second, &last)) {
      return 0;
    }
    if (last < first) return 0;
    count += last - first + 1;
  }
  return count;
}

std::string Fingerprint(const std::string& text) {
  uint64_t hash = 14695981039346656037ULL;  // FNV-1a offset basis
  for (unsigned char c : text) {
    hash ^= c;
    hash *= 1099511628211ULL;  // FNV prime
  }
  return absl::StrFormat("%016x", hash);
}

SystemProbeOptions DefaultProbeOptions(const std::string& root) {
  SystemProbeOptions options;
  options.root = root;
  if (fs::path(root) == fs::path("/")) {
    options.cpuid = ReadCpuid;
    options.getconf_caches = LiveGetconfCaches;
  }
  return options;
}

v1::HardwareReport ProbeSystem(const std::string& root) {
  return ProbeSystem(DefaultProbeOptions(root));
}

v1::HardwareReport ProbeSystem(const SystemProbeOptions& options) {
  const fs::path root(options.root);
  v1::HardwareReport report;
  std::string cpuinfo;
  if (ReadFile(root / "proc/cpuinfo", &cpuinfo)) {
    ParseCpuinfo(cpuinfo, report.mutable_cpu());
  } else {
    report.add_warnings("CPU unknown: proc/cpuinfo is absent");
  }
  const CpuidInfo cpuid = options.cpuid ? options.cpuid() : CpuidInfo();
  MergeCpuid(cpuid, report.mutable_cpu());
  ProbeFrequency(root, report.mutable_cpu());
  ProbeCaches(root, options, cpuid, &report);
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
  report.set_host_id(Fingerprint(machine_id + "|" + report.cpu().model_name()));
  return report;
}

}  // namespace benchfleet::hw
