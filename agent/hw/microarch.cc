#include "agent/hw/microarch.h"

#include "absl/strings/str_format.h"

namespace benchfleet::hw {

std::string X86Microarchitecture(const std::string& vendor, int family,
                                 int model, int stepping) {
  if (vendor == "AuthenticAMD" || vendor == "HygonGenuine") {
    // AMD family 17h/19h/1Ah model ranges (AMD processor programming
    // references; Linux arch/x86 names).
    if (family == 0x17) return model >= 0x30 ? "Zen 2" : "Zen";
    if (family == 0x19) {
      if ((model >= 0x10 && model <= 0x1F) || (model >= 0x60 && model <= 0x7F))
        return "Zen 4";
      if (model >= 0xA0 && model <= 0xAF) return "Zen 4c";
      return "Zen 3";
    }
    if (family == 0x1A) return "Zen 5";
    if (family == 0x15) return "Bulldozer";
    return "";
  }
  if (vendor != "GenuineIntel" || family != 6) return "";
  switch (model) {
    case 0x1A:
    case 0x1E:
    case 0x1F:
    case 0x2E:
      return "Nehalem";
    case 0x25:
    case 0x2C:
    case 0x2F:
      return "Westmere";
    case 0x2A:
    case 0x2D:
      return "Sandy Bridge";
    case 0x3A:
    case 0x3E:
      return "Ivy Bridge";
    case 0x3C:
    case 0x3F:
    case 0x45:
    case 0x46:
      return "Haswell";
    case 0x3D:
    case 0x47:
    case 0x4F:
    case 0x56:
      return "Broadwell";
    case 0x4E:
    case 0x5E:
    case 0x8E:
    case 0x9E:
    case 0xA5:
    case 0xA6:
      return "Skylake";  // client Skylake and its Kaby/Coffee/Comet Lake kin
    case 0x55:
      // Stepping tells Skylake-SP (<=4), Cascade Lake (5-7), Cooper Lake (11).
      return stepping >= 10  ? "Cooper Lake"
             : stepping >= 5 ? "Cascade Lake"
                             : "Skylake-SP";
    case 0x6A:
    case 0x6C:
      return "Ice Lake-SP";
    case 0x7D:
    case 0x7E:
      return "Ice Lake";
    case 0x8C:
    case 0x8D:
      return "Tiger Lake";
    case 0xA7:
      return "Rocket Lake";
    case 0x97:
    case 0x9A:
      return "Alder Lake";
    case 0xB7:
    case 0xBA:
    case 0xBF:
      return "Raptor Lake";
    case 0x8F:
      return "Sapphire Rapids";
    case 0xCF:
      return "Emerald Rapids";
    case 0xAD:
    case 0xAE:
      return "Granite Rapids";
    default:
      return "";
  }
}

std::string ArmImplementerName(int implementer) {
  switch (implementer) {
    case 0x41:
      return "ARM";
    case 0x42:
      return "Broadcom";
    case 0x46:
      return "Fujitsu";
    case 0x48:
      return "HiSilicon";
    case 0x4E:
      return "NVIDIA";
    case 0x51:
      return "Qualcomm";
    case 0x61:
      return "Apple";
    case 0xC0:
      return "Ampere";
    default:
      return absl::StrFormat("0x%02x", implementer);
  }
}

std::string ArmCoreName(int implementer, int part) {
  if (implementer == 0x41) {
    switch (part) {
      case 0xD03:
        return "Cortex-A53";
      case 0xD05:
        return "Cortex-A55";
      case 0xD07:
        return "Cortex-A57";
      case 0xD08:
        return "Cortex-A72";
      case 0xD0B:
        return "Cortex-A76";
      case 0xD0C:
        return "Neoverse-N1";
      case 0xD40:
        return "Neoverse-V1";
      case 0xD49:
        return "Neoverse-N2";
      case 0xD4F:
        return "Neoverse-V2";
      case 0xD84:
        return "Neoverse-V3";
      case 0xD8E:
        return "Neoverse-N3";
      default:
        return "";
    }
  }
  if (implementer == 0xC0 && part == 0xAC3) return "AmpereOne";
  if (implementer == 0x46 && part == 0x001) return "A64FX";
  return "";
}

}  // namespace benchfleet::hw
