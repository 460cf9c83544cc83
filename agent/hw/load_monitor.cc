#include "agent/hw/load_monitor.h"

#include <algorithm>
#include <fstream>
#include <sstream>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"

namespace benchfleet::hw {
namespace {

bool ReadFile(const std::string& path, std::string* out) {
  std::ifstream in(path);
  if (!in) return false;
  std::stringstream buffer;
  buffer << in.rdbuf();
  *out = buffer.str();
  return true;
}

}  // namespace

absl::StatusOr<CpuTicks> ParseProcStat(const std::string& text) {
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    std::vector<absl::string_view> f =
        absl::StrSplit(line, ' ', absl::SkipEmpty());
    if (f.empty() || f[0] != "cpu") continue;
    // cpu user nice system idle iowait irq softirq steal guest guest_nice;
    // guest time is already inside user.
    uint64_t v[8] = {};
    for (size_t i = 1; i < f.size() && i <= 8; ++i) {
      if (!absl::SimpleAtoi(f[i], &v[i - 1]))
        return absl::InvalidArgumentError("malformed /proc/stat cpu line");
    }
    CpuTicks t;
    t.busy = v[0] + v[1] + v[2] + v[5] + v[6] + v[7];
    t.total = t.busy + v[3] + v[4];
    return t;
  }
  return absl::InvalidArgumentError("/proc/stat has no cpu line");
}

absl::StatusOr<uint64_t> ParseSelfStat(const std::string& text) {
  // The command name may hold spaces and parentheses: fields start after
  // the last ')'. utime and stime are fields 14 and 15 (1-based), i.e. the
  // 12th and 13th after the name.
  const size_t paren = text.rfind(')');
  if (paren == std::string::npos)
    return absl::InvalidArgumentError("malformed /proc/self/stat");
  std::vector<absl::string_view> f = absl::StrSplit(
      absl::string_view(text).substr(paren + 1), ' ', absl::SkipEmpty());
  uint64_t utime = 0, stime = 0;
  if (f.size() < 13 || !absl::SimpleAtoi(f[11], &utime) ||
      !absl::SimpleAtoi(f[12], &stime))
    return absl::InvalidArgumentError("malformed /proc/self/stat");
  return utime + stime;
}

bool LoadMonitor::Snapshot(CpuTicks* machine, uint64_t* self) const {
  std::string stat, self_stat;
  if (!ReadFile(root_ + "/proc/stat", &stat) ||
      !ReadFile(root_ + "/proc/self/stat", &self_stat))
    return false;
  absl::StatusOr<CpuTicks> m = ParseProcStat(stat);
  absl::StatusOr<uint64_t> s = ParseSelfStat(self_stat);
  if (!m.ok() || !s.ok()) return false;
  *machine = *m;
  *self = *s;
  return true;
}

void LoadMonitor::Start() {
  started_ = Snapshot(&start_machine_, &start_self_);
}

double LoadMonitor::OtherLoad() const {
  CpuTicks machine;
  uint64_t self = 0;
  if (!started_ || !Snapshot(&machine, &self)) return -1;
  const double total =
      static_cast<double>(machine.total - start_machine_.total);
  if (total <= 0) return 0;
  const double busy = static_cast<double>(machine.busy - start_machine_.busy);
  const double mine = static_cast<double>(self - start_self_);
  return std::clamp((busy - mine) / total, 0.0, 1.0);
}

}  // namespace benchfleet::hw
