#include "agent/hw/report_format.h"

#include <iostream>

#include "google/protobuf/text_format.h"
#include "gtest/gtest.h"

namespace benchfleet::hw {
namespace {

v1::HardwareReport Report() {
  v1::HardwareReport r;
  google::protobuf::TextFormat::ParseFromString(
      R"pb(
        host_id: "0123456789abcdef"
        hostname: "bm1"
        cpu {
          vendor: "GenuineIntel"
          model_name: "Intel(R) Xeon(R) Platinum 8480+"
          sockets: 2
          cores: 112
          threads: 224
          base_mhz: 2000
          max_mhz: 3800
          isa_flags: "avx512f"
          isa_flags: "amx_bf16"
          caches {
            level: 1
            type: "Data"
            size_bytes: 49152
            source: "sysfs"
            shared_by_threads: 2
          }
          caches {
            level: 3
            type: "Unified"
            size_bytes: 536870912
            source: "getconf"
            implausible: true
          }
          family: 6
          model: 143
          stepping: 8
          architecture: "x86_64"
          microarchitecture: "Sapphire Rapids"
          governor: "powersave"
          frequency_scaling: true
          sources { field: "base_mhz" source: "sysfs" }
          sources { field: "isa_flags" source: "/proc/cpuinfo" }
        }
        memory {
          total_bytes: 1081821544448
          numa_nodes: 2
          available_bytes: 1054720000000
        }
        accelerators {
          name: "NVIDIA H100 80GB HBM3"
          memory_bytes: 85520809984
          multiprocessors: 132
          compute_capability: "9.0"
          driver_version: "550.54.15"
          index: 0
          vendor: "NVIDIA"
          clock_mhz: 1980
          memory_clock_mhz: 2619
          memory_bus_width_bits: 5120
          power_limit_watts: 700
          cuda_driver_version: "12.4"
          sources { field: "properties" source: "cuda-driver" }
          sources { field: "power_limit_watts" source: "nvml" }
        }
        software {
          os: "Ubuntu 22.04.3 LTS"
          kernel: "5.15.0"
          compiler: "gcc 12.2.0"
          libtorch_version: "1.13.1"
          blas_library: "/usr/lib/openblas/libblas.so.3"
          blas_vendor: "openblas"
          intra_op_threads: 224
          inter_op_threads: 112
          libtorch_build: "CPU capability usage: AVX2"
          onednn_version: "2.6.3"
          blas_config: "OpenBLAS 0.3.21; core SapphireRapids"
          blas_threads: 224
        }
        datasheet_peaks {
          device: "Intel(R) Xeon(R) Platinum 8480+"
          catalog_id: "intel-xeon-platinum-8480plus"
          catalog_name: "Intel Xeon Platinum 8480+"
          devices: 2
          fp32_flops: 7.168e12
          bf16_flops: 1.14688e14
          fp64_flops: 3.584e12
          memory_bytes_per_second: 3.072e11
          basis: "datasheet"
          source: "Intel ARK"
        }
        datasheet_peaks {
          device: "NVIDIA H100 80GB HBM3"
          catalog_id: "nvidia-h100-sxm"
          catalog_name: "NVIDIA H100 SXM5 80GB"
          devices: 1
          fp32_flops: 6.7e13
          memory_bytes_per_second: 3.35e12
          basis: "datasheet"
          source: "NVIDIA"
        }
        measured_peaks {
          name: "fp32_fma"
          value: 1.2e13
          unit: "FLOP/s"
          method: "avx512"
          threads: 224
        }
        measured_peaks {
          name: "stream_triad"
          value: 4.8e11
          unit: "B/s"
          method: "STREAM"
          threads: 224
          working_set_bytes: 2705326080
        }
        calibration {
          host_id: "0123456789abcdef"
          finished_unix_seconds: 1700000000
          duration_seconds: 41.25
          threads: 224
          from_cache: true
          cache_path: "/root/.cache/benchfleet/calibration-0123456789abcdef.binpb"
          other_load: 0.02
          levels {
            level: "L1"
            bytes_per_second: 2.4e13
            min_working_set_bytes: 1835008
            max_working_set_bytes: 5505024
          }
          levels {
            level: "DRAM"
            bytes_per_second: 4.6e11
            min_working_set_bytes: 880803840
            max_working_set_bytes: 1761607680
          }
        }
        warnings: "L3 cache of 536870912 bytes (getconf) is implausible; not trusted"
      )pb",
      &r);
  return r;
}

TEST(ReportFormatTest, Units) {
  EXPECT_EQ(FormatFlops(1.659e11), "165.9 GFLOP/s");
  EXPECT_EQ(FormatFlops(6.7e13), "67.00 TFLOP/s");
  EXPECT_EQ(FormatFlops(0), "-");
  EXPECT_EQ(FormatBandwidth(2.13e10), "21.3 GB/s");
  EXPECT_EQ(FormatBandwidth(3.35e12), "3.35 TB/s");
  EXPECT_EQ(FormatBytes(49152), "48 KiB");
  EXPECT_EQ(FormatBytes(110100480), "105 MiB");
  EXPECT_EQ(FormatBytes(512), "512 B");
}

TEST(ReportFormatTest, ProbeTableGolden) {
  const std::string golden =
      R"(host          bm1 (0123456789abcdef)
cpu           Intel(R) Xeon(R) Platinum 8480+; GenuineIntel x86_64, Sapphire Rapids family 6 model 143 stepping 8
topology      2 socket(s), 112 cores, 224 threads
clock         base 2000 MHz [sysfs], max 3800 MHz
governor      powersave (frequency scaling on)
isa           avx512f amx_bf16 [/proc/cpuinfo]
cache L1d     48 KiB, shared by 2 thread(s) [sysfs]
cache L3      512 MiB [getconf] IMPLAUSIBLE, not trusted
memory        1007.5 GiB total, 982.3 GiB available, 2 NUMA node(s)
os            Ubuntu 22.04.3 LTS, kernel 5.15.0
compiler      gcc 12.2.0
libtorch      1.13.1 (CPU capability usage: AVX2)
onednn        2.6.3
blas          openblas (/usr/lib/openblas/libblas.so.3); OpenBLAS 0.3.21; core SapphireRapids; 224 thread(s)
threads       224 intra-op, 112 inter-op
cuda          not available to LibTorch
gpu 0         NVIDIA H100 80GB HBM3, 79.6 GiB, 132 SMs, compute capability 9.0, 1980 MHz SM, 2619 MHz memory x 5120 bits, driver 550.54.15, CUDA 12.4, power limit 700 W [cuda-driver, nvml]
peak          Intel(R) Xeon(R) Platinum 8480+ x2: matches Intel Xeon Platinum 8480+ (datasheet); per device FP32 7.17 TFLOP/s, BF16 114.69 TFLOP/s, FP64 3.58 TFLOP/s, memory 307.2 GB/s; Intel ARK
peak          NVIDIA H100 80GB HBM3 x1: matches NVIDIA H100 SXM5 80GB (datasheet); per device FP32 67.00 TFLOP/s, memory 3.35 TB/s; NVIDIA
measured      fp32_fma 12.00 TFLOP/s, stream_triad 480.0 GB/s (calibrated 2023-11-14 22:13:20 UTC; `agent calibrate` for methods)
warning       L3 cache of 536870912 bytes (getconf) is implausible; not trusted
)";
  const std::string table = RenderProbeTable(Report());
  EXPECT_EQ(table, golden);
  if (table != golden) std::cout << table;
}

TEST(ReportFormatTest, CalibrationTableGolden) {
  const std::string golden =
      R"(host          bm1 (0123456789abcdef)
calibration   from cache, 224 thread(s), took 41.2 s, finished 2023-11-14 22:13:20 UTC, read from /root/.cache/benchfleet/calibration-0123456789abcdef.binpb
other load    2% of the machine's CPU time went to other processes during calibration

roof              value          threads  working set  method
fp32_fma          12.00 TFLOP/s      224            -  avx512
stream_triad      480.0 GB/s         224      2.5 GiB  STREAM

hierarchical roofline (ridge = fp32_fma / level bandwidth)
level  bandwidth    working sets             ridge
L1     24.00 TB/s   1.75 MiB - 5.25 MiB      0.50 FLOP/byte
DRAM   460.0 GB/s   840 MiB - 1.6 GiB        26.09 FLOP/byte

vs peak       fp32_fma 12.00 TFLOP/s is 84% of the datasheet 14.34 TFLOP/s
vs peak       stream_triad 480.0 GB/s is 78% of the datasheet 614.4 GB/s

warning       L3 cache of 536870912 bytes (getconf) is implausible; not trusted
)";
  const std::string table = RenderCalibrationTable(Report());
  EXPECT_EQ(table, golden);
  if (table != golden) std::cout << table;
}

}  // namespace
}  // namespace benchfleet::hw
