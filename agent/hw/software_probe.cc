#include "agent/hw/software_probe.h"

#include <dlfcn.h>
#include <link.h>
#include <torch/torch.h>

#include <climits>
#include <cstdlib>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "agent/hw/build_info.h"

namespace benchfleet::hw {
namespace {

// Paths of every shared object mapped into this process.
std::vector<std::string> LoadedObjects() {
  std::vector<std::string> paths;
  dl_iterate_phdr(
      [](dl_phdr_info* info, size_t, void* data) {
        if (info->dlpi_name && info->dlpi_name[0] != '\0')
          static_cast<std::vector<std::string>*>(data)->push_back(
              info->dlpi_name);
        return 0;
      },
      &paths);
  return paths;
}

std::string RealPath(const std::string& path) {
  char resolved[PATH_MAX];
  return realpath(path.c_str(), resolved) ? std::string(resolved) : path;
}

// The BLAS that serves LibTorch's GEMMs: Debian's LibTorch links
// libblas.so.3, which the alternatives system points at a concrete library;
// resolve the link so reference BLAS and OpenBLAS can be told apart.
std::string LoadedBlas() {
  for (const std::string& path : LoadedObjects()) {
    const std::string real = RealPath(path);
    if (absl::StrContains(real, "openblas") || absl::StrContains(real, "mkl") ||
        absl::StrContains(real, "blis") ||
        absl::StrContains(real, "libblas.so")) {
      return real;
    }
  }
  return "";
}

// What the loaded BLAS says about itself, through its own query functions
// found with dlsym (never linked): OpenBLAS's build config and kernel core,
// MKL's version string.
void DescribeBlas(v1::SoftwareInfo* sw) {
  using GetString = char* (*)();
  using GetInt = int (*)();
  auto config =
      reinterpret_cast<GetString>(dlsym(RTLD_DEFAULT, "openblas_get_config"));
  auto corename =
      reinterpret_cast<GetString>(dlsym(RTLD_DEFAULT, "openblas_get_corename"));
  auto threads =
      reinterpret_cast<GetInt>(dlsym(RTLD_DEFAULT, "openblas_get_num_threads"));
  if (config != nullptr) {
    std::string text = config();
    if (corename != nullptr) absl::StrAppend(&text, "; core ", corename());
    sw->set_blas_config(text);
    if (threads != nullptr) sw->set_blas_threads(threads());
    return;
  }
  using MklVersion = void (*)(char*, int);
  auto mkl = reinterpret_cast<MklVersion>(
      dlsym(RTLD_DEFAULT, "mkl_get_version_string"));
  if (mkl != nullptr) {
    char buffer[256] = {};
    mkl(buffer, sizeof(buffer));
    sw->set_blas_config(buffer);
    auto mkl_threads =
        reinterpret_cast<GetInt>(dlsym(RTLD_DEFAULT, "mkl_get_max_threads"));
    if (mkl_threads != nullptr) sw->set_blas_threads(mkl_threads());
  }
}

}  // namespace

std::string OneDnnVersionFromConfig(const std::string& config) {
  // at::show_config() writes "Intel(R) MKL-DNN v2.6.3 (Git Hash ...)" or
  // "Intel(R) oneAPI Deep Neural Network Library (oneDNN) v3.1.1 (...)".
  for (absl::string_view line : absl::StrSplit(config, '\n')) {
    if (!absl::StrContains(line, "MKL-DNN") &&
        !absl::StrContains(line, "oneDNN"))
      continue;
    const size_t v = line.find(" v");
    if (v == absl::string_view::npos) continue;
    absl::string_view rest = line.substr(v + 2);
    const size_t end = rest.find(' ');
    return std::string(rest.substr(0, end));
  }
  return "";
}

std::string BlasVendorFromPath(const std::string& path) {
  if (path.empty()) return "unknown";
  if (absl::StrContains(path, "openblas")) return "openblas";
  if (absl::StrContains(path, "mkl")) return "mkl";
  if (absl::StrContains(path, "blis")) return "blis";
  if (absl::StrContains(path, "libblas.so")) return "reference";
  return "unknown";
}

void ProbeSoftware(v1::HardwareReport* report) {
  v1::SoftwareInfo* sw = report->mutable_software();
  sw->set_libtorch_version(absl::StrCat(
      TORCH_VERSION_MAJOR, ".", TORCH_VERSION_MINOR, ".", TORCH_VERSION_PATCH));
  sw->set_blas_library(LoadedBlas());
  sw->set_blas_vendor(BlasVendorFromPath(sw->blas_library()));
  DescribeBlas(sw);
  sw->set_onednn_version(OneDnnVersionFromConfig(at::show_config()));
  sw->set_intra_op_threads(at::get_num_threads());
  sw->set_inter_op_threads(at::get_num_interop_threads());
  sw->set_cuda_available(torch::cuda::is_available());
#if defined(__clang__)
  sw->set_compiler(absl::StrCat("clang ", __clang_version__));
#elif defined(__GNUC__)
  sw->set_compiler(absl::StrCat("gcc ", __VERSION__));
#endif
  // The first lines of at::show_config() name the compiler, the CPU
  // capability and the math libraries LibTorch was built with.
  // The build-settings line also lists every compiler flag; keep only the
  // settings that change speed.
  std::vector<std::string> config_lines;
  for (absl::string_view line : absl::StrSplit(at::show_config(), '\n')) {
    line = absl::StripLeadingAsciiWhitespace(line);
    absl::ConsumePrefix(&line, "- ");
    if (absl::ConsumePrefix(&line, "Build settings: ")) {
      for (absl::string_view setting : absl::StrSplit(line, ", ")) {
        if (absl::StartsWith(setting, "BLAS_INFO=") ||
            absl::StartsWith(setting, "USE_CUDA=") ||
            absl::StartsWith(setting, "USE_MKLDNN=") ||
            absl::StartsWith(setting, "USE_OPENMP="))
          config_lines.push_back(std::string(setting));
      }
    } else if (absl::StrContains(line, "CPU capability") ||
               absl::StrContains(line, "MKL-DNN") ||
               absl::StartsWith(line, "OpenMP")) {
      config_lines.push_back(std::string(absl::StripAsciiWhitespace(line)));
    }
  }
  sw->set_libtorch_build(absl::StrJoin(config_lines, "; "));
  if (sw->blas_vendor() == "reference") {
    report->add_warnings(absl::StrCat(
        "BLAS is the reference implementation (", sw->blas_library(),
        "): GEMM runs about 30x slower than with OpenBLAS; install "
        "libopenblas0-openmp"));
  }
}

v1::Provenance ProvenanceOf(const v1::SoftwareInfo& software) {
  v1::Provenance provenance;
  provenance.set_agent_version(kAgentVersion);
  provenance.set_source_revision(SourceRevision());
  provenance.set_libtorch_version(software.libtorch_version());
  provenance.set_blas_vendor(software.blas_vendor());
  provenance.set_blas_library(software.blas_library());
  provenance.set_compiler(software.compiler());
  return provenance;
}

}  // namespace benchfleet::hw
