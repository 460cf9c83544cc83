// Reads the machine's CPU, memory and OS description from /proc, /sys and
// /etc below a root directory, so tests can hand it a fake tree.
#ifndef BENCHFLEET_AGENT_HW_SYSTEM_PROBE_H_
#define BENCHFLEET_AGENT_HW_SYSTEM_PROBE_H_

#include <string>

#include "proto/hardware.pb.h"

namespace benchfleet::hw {

// Largest cache size per level that is believable for one instance; above
// it a figure is flagged implausible (a VM reported a 512 MiB L3).
inline constexpr int64_t kMaxPlausibleCacheBytes[] = {0, 4LL << 20, 64LL << 20,
                                                      384LL << 20};

// Fills cpu, memory, hostname, host_id and software.os/kernel of a report
// from the files below `root` ("/" on a real machine). Missing files leave
// fields empty and add a warning; nothing here fails.
v1::HardwareReport ProbeSystem(const std::string& root);

}  // namespace benchfleet::hw

#endif  // BENCHFLEET_AGENT_HW_SYSTEM_PROBE_H_
