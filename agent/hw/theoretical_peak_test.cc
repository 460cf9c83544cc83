#include "agent/hw/theoretical_peak.h"

#include "agent/hw/microarch.h"
#include "gtest/gtest.h"

namespace benchfleet::hw {
namespace {

v1::CpuInfo Cpu(const std::string& name, const std::string& uarch, int sockets,
                int cores, double base_mhz, double max_mhz,
                std::vector<std::string> flags) {
  v1::CpuInfo cpu;
  cpu.set_model_name(name);
  cpu.set_microarchitecture(uarch);
  cpu.set_sockets(sockets);
  cpu.set_cores(cores);
  cpu.set_threads(cores);
  cpu.set_base_mhz(base_mhz);
  cpu.set_max_mhz(max_mhz);
  for (const auto& f : flags) cpu.add_isa_flags(f);
  return cpu;
}

TEST(TheoreticalPeakTest, NamesMicroarchitectures) {
  EXPECT_EQ(X86Microarchitecture("AuthenticAMD", 25, 17, 1), "Zen 4");
  EXPECT_EQ(X86Microarchitecture("AuthenticAMD", 23, 113, 0), "Zen 2");
  EXPECT_EQ(X86Microarchitecture("AuthenticAMD", 25, 1, 1), "Zen 3");
  EXPECT_EQ(X86Microarchitecture("AuthenticAMD", 26, 2, 0), "Zen 5");
  EXPECT_EQ(X86Microarchitecture("GenuineIntel", 6, 143, 8), "Sapphire Rapids");
  EXPECT_EQ(X86Microarchitecture("GenuineIntel", 6, 85, 7), "Cascade Lake");
  EXPECT_EQ(X86Microarchitecture("GenuineIntel", 6, 26, 5), "Nehalem");
  EXPECT_EQ(X86Microarchitecture("GenuineIntel", 6, 1, 0), "");
  EXPECT_EQ(ArmCoreName(0x41, 0xd0c), "Neoverse-N1");
  EXPECT_EQ(ArmImplementerName(0x41), "ARM");
  EXPECT_EQ(ArmImplementerName(0x99), "0x99");
}

TEST(TheoreticalPeakTest, CpuArithmetic) {
  // This VM: 2 Zen 4 cores at 2.596 GHz, 2 x 256-bit FMA = 32 FLOP/cycle.
  const v1::DatasheetPeak vm = TheoreticalCpuPeak(
      Cpu("AMD EPYC", "Zen 4", 1, 2, 2596.13, 0, {"avx2", "fma", "avx512f"}));
  EXPECT_EQ(vm.basis(), "theoretical");
  EXPECT_EQ(vm.devices(), 1);
  EXPECT_NEAR(vm.fp32_flops(), 2 * 2.59613e9 * 32, 1e3);
  EXPECT_NEAR(vm.fp64_flops(), 2 * 2.59613e9 * 16, 1e3);
  EXPECT_NE(vm.source().find("computed, not a datasheet"), std::string::npos);
  EXPECT_EQ(vm.memory_bytes_per_second(), 0);

  // 2-socket Xeon Platinum 8480+: per socket 56 x 2.0 GHz x 64 = 7168
  // GFLOP/s (the datasheet figure), AMX BF16 56 x 2.0 x 1024.
  const v1::DatasheetPeak spr = TheoreticalCpuPeak(
      Cpu("Intel(R) Xeon(R) Platinum 8480+", "Sapphire Rapids", 2, 112, 2000,
          3800, {"avx512f", "fma", "amx_bf16", "avx512_bf16"}));
  EXPECT_EQ(spr.devices(), 2);
  EXPECT_DOUBLE_EQ(spr.fp32_flops(), 7168e9);
  EXPECT_DOUBLE_EQ(spr.bf16_flops(), 56 * 2.0 * 1024 * 1e9);

  // Arm Neoverse-N1 with no base clock: the max clock is used.
  const v1::DatasheetPeak n1 = TheoreticalCpuPeak(
      Cpu("ARM Neoverse-N1", "Neoverse-N1", 1, 80, 0, 3000, {"asimd"}));
  EXPECT_DOUBLE_EQ(n1.fp32_flops(), 80 * 3.0 * 16 * 1e9);
  EXPECT_NE(n1.source().find("max clock"), std::string::npos);

  // Unknown microarchitecture: the ISA decides.
  EXPECT_EQ(CpuFlopsPerCycle(Cpu("x", "", 1, 1, 1000, 0, {"avx2", "fma"})).fp32,
            32);
  EXPECT_EQ(CpuFlopsPerCycle(Cpu("x", "", 1, 1, 1000, 0, {"avx"})).fp32, 16);
  EXPECT_EQ(CpuFlopsPerCycle(Cpu("x", "", 1, 1, 1000, 0, {"sse2"})).fp32, 8);
  EXPECT_EQ(CpuFlopsPerCycle(Cpu("x", "", 1, 1, 1000, 0, {"avx512f"})).fp32,
            64);
  // Nehalem i7-920: 4 x 2.66 x 8 = 85.12, the catalogue's figure.
  EXPECT_NEAR(
      TheoreticalCpuPeak(Cpu("i7 920", "Nehalem", 1, 4, 2660, 0, {"sse2"}))
          .fp32_flops(),
      85.12e9, 1e6);
  // Unknown clock: no figure rather than a wrong one.
  EXPECT_EQ(TheoreticalCpuPeak(Cpu("x", "", 1, 4, 0, 0, {"sse2"})).fp32_flops(),
            0);
}

TEST(TheoreticalPeakTest, GpuArithmetic) {
  EXPECT_EQ(Fp32LanesPerSm(9, 0), 128);
  EXPECT_EQ(Fp32LanesPerSm(8, 0), 64);
  EXPECT_EQ(Fp32LanesPerSm(8, 6), 128);
  EXPECT_EQ(Fp32LanesPerSm(3, 7), 192);
  EXPECT_EQ(Fp32LanesPerSm(1, 0), 0);
  // H100 SXM: 132 SMs x 128 x 2 x 1980 MHz = 66.9 TFLOP/s (datasheet 67);
  // HBM3 2619 MHz x 2 x 5120 bits = 3.35 TB/s.
  v1::AcceleratorInfo h100;
  h100.set_name("NVIDIA H100 80GB HBM3");
  h100.set_multiprocessors(132);
  h100.set_compute_capability("9.0");
  h100.set_clock_mhz(1980);
  h100.set_memory_clock_mhz(2619);
  h100.set_memory_bus_width_bits(5120);
  const v1::DatasheetPeak p = TheoreticalGpuPeak(h100);
  EXPECT_EQ(p.basis(), "theoretical");
  EXPECT_DOUBLE_EQ(p.fp32_flops(), 132.0 * 128 * 2 * 1980e6);
  EXPECT_DOUBLE_EQ(p.memory_bytes_per_second(), 2619e6 * 2 * 5120 / 8);
}

}  // namespace
}  // namespace benchfleet::hw
