// Measures how much CPU time other processes (and the hypervisor, as steal
// time) took while this process was measuring: /proc/stat's machine-wide
// busy time minus this process's own (/proc/self/stat).
#ifndef BENCHFLEET_AGENT_HW_LOAD_MONITOR_H_
#define BENCHFLEET_AGENT_HW_LOAD_MONITOR_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"

namespace benchfleet::hw {

// Machine-wide CPU time in clock ticks, all CPUs.
struct CpuTicks {
  uint64_t busy = 0;   // user nice system irq softirq steal
  uint64_t total = 0;  // busy + idle + iowait
};

// Parses the aggregate "cpu" line of /proc/stat. InvalidArgument if absent.
absl::StatusOr<CpuTicks> ParseProcStat(const std::string& text);

// utime + stime of /proc/<pid>/stat text, in clock ticks (all threads).
// InvalidArgument if malformed.
absl::StatusOr<uint64_t> ParseSelfStat(const std::string& text);

// Usage: LoadMonitor m("/"); m.Start(); ...measure...; m.OtherLoad().
// Thread-compatible.
class LoadMonitor {
 public:
  explicit LoadMonitor(std::string root = "/") : root_(std::move(root)) {}

  // Takes the first snapshot.
  void Start();

  // Share of all CPU time since Start() used by other processes and steal,
  // 0..1; -1 when /proc cannot be read.
  double OtherLoad() const;

 private:
  bool Snapshot(CpuTicks* machine, uint64_t* self) const;

  std::string root_;
  CpuTicks start_machine_;
  uint64_t start_self_ = 0;
  bool started_ = false;
};

}  // namespace benchfleet::hw

#endif  // BENCHFLEET_AGENT_HW_LOAD_MONITOR_H_
