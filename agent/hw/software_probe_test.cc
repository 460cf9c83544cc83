#include "agent/hw/software_probe.h"

#include <torch/torch.h>

#include "agent/hw/build_info.h"
#include "gtest/gtest.h"

namespace benchfleet::hw {
namespace {

TEST(SoftwareProbeTest, ClassifiesBlasPaths) {
  EXPECT_EQ(BlasVendorFromPath(
                "/usr/lib/x86_64-linux-gnu/openblas-openmp/libblas.so.3"),
            "openblas");
  EXPECT_EQ(BlasVendorFromPath("/usr/lib/x86_64-linux-gnu/blas/libblas.so.3"),
            "reference");
  EXPECT_EQ(BlasVendorFromPath("/opt/intel/lib/libmkl_rt.so.2"), "mkl");
  EXPECT_EQ(BlasVendorFromPath(""), "unknown");
}

TEST(SoftwareProbeTest, FindsOneDnnVersion) {
  EXPECT_EQ(
      OneDnnVersionFromConfig(
          "PyTorch built with:\n  - GCC 12.2\n  - Intel(R) MKL-DNN v2.6.3 "
          "(Git Hash N/A)\n  - OpenMP 201511\n"),
      "2.6.3");
  EXPECT_EQ(OneDnnVersionFromConfig(
                "  - Intel(R) oneAPI Deep Neural Network Library (oneDNN) "
                "v3.1.1 (Git Hash 64f6bcbcbab628e96f33a62c3e975f8535a7bde4)"),
            "3.1.1");
  EXPECT_EQ(OneDnnVersionFromConfig("  - GCC 12.2\n"), "");
}

TEST(SoftwareProbeTest, ProvenanceCarriesTheBuildAndTheStack) {
  v1::SoftwareInfo software;
  software.set_libtorch_version("1.13.1");
  software.set_blas_vendor("openblas");
  software.set_blas_library("/usr/lib/x86_64-linux-gnu/libopenblas.so.0");
  software.set_compiler("gcc 12.2.0");
  software.set_os("Debian GNU/Linux 12 (bookworm)");  // not provenance
  const v1::Provenance p = ProvenanceOf(software);
  EXPECT_EQ(p.agent_version(), kAgentVersion);
  EXPECT_EQ(p.source_revision(), SourceRevision());
  EXPECT_EQ(p.libtorch_version(), "1.13.1");
  EXPECT_EQ(p.blas_vendor(), "openblas");
  EXPECT_EQ(p.blas_library(), "/usr/lib/x86_64-linux-gnu/libopenblas.so.0");
  EXPECT_EQ(p.compiler(), "gcc 12.2.0");
}

TEST(SoftwareProbeTest, ReportsLibTorchAndLoadedBlas) {
  // Run a GEMM first so the BLAS is certainly mapped.
  torch::mm(torch::ones({64, 64}), torch::ones({64, 64}));
  v1::HardwareReport report;
  ProbeSoftware(&report);
  EXPECT_EQ(report.software().libtorch_version().rfind("1.", 0), 0u)
      << report.software().libtorch_version();
  EXPECT_FALSE(report.software().blas_library().empty());
  EXPECT_NE(report.software().blas_vendor(), "unknown");
  EXPECT_GE(report.software().intra_op_threads(), 1);
  if (report.software().blas_vendor() == "openblas") {
    EXPECT_NE(report.software().blas_config().find("OpenBLAS"),
              std::string::npos)
        << report.software().blas_config();
    EXPECT_GE(report.software().blas_threads(), 1);
  }
}

}  // namespace
}  // namespace benchfleet::hw
