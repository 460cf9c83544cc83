// Names a CPU's microarchitecture from its vendor and CPUID signature (x86)
// or its MIDR implementer and part number (Arm, /proc/cpuinfo "CPU
// implementer" and "CPU part"). The theoretical peak keys its FLOP/cycle
// table on these names.
#ifndef BENCHFLEET_AGENT_HW_MICROARCH_H_
#define BENCHFLEET_AGENT_HW_MICROARCH_H_

#include <string>

namespace benchfleet::hw {

// E.g. ("AuthenticAMD", 25, 17, 1) -> "Zen 4"; ("GenuineIntel", 6, 143, 8)
// -> "Sapphire Rapids". "" when the signature is not in the table.
std::string X86Microarchitecture(const std::string& vendor, int family,
                                 int model, int stepping);

// Arm implementer code (0x41) -> vendor name ("ARM"); the hex text when
// unknown.
std::string ArmImplementerName(int implementer);

// (0x41, 0xd0c) -> "Neoverse-N1"; "" when unknown.
std::string ArmCoreName(int implementer, int part);

}  // namespace benchfleet::hw

#endif  // BENCHFLEET_AGENT_HW_MICROARCH_H_
