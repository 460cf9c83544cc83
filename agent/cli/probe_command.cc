#include <iostream>

#include "absl/strings/str_join.h"
#include "agent/cli/commands.h"
#include "agent/cli/common.h"

namespace benchfleet::agent_cli {

int ProbeCommand(const Args&) {
  const bool json = JsonFormat();
  const v1::HardwareReport report = ProbeMachine();
  if (json) {
    std::cout << ToJson(report);
    return 0;
  }
  const auto& cpu = report.cpu();
  const auto& sw = report.software();
  std::cout << "host        " << report.hostname() << " (" << report.host_id()
            << ")\n"
            << "cpu         " << cpu.model_name() << ", " << cpu.sockets()
            << " socket(s), " << cpu.cores() << " cores, " << cpu.threads()
            << " threads\n"
            << "isa         " << absl::StrJoin(cpu.isa_flags(), " ") << "\n"
            << "memory      " << report.memory().total_bytes() / (1 << 20)
            << " MiB, " << report.memory().numa_nodes() << " NUMA node(s)\n"
            << "os          " << sw.os() << ", kernel " << sw.kernel() << "\n"
            << "libtorch    " << sw.libtorch_version() << " ("
            << sw.libtorch_build() << ")\n"
            << "blas        " << sw.blas_vendor() << " (" << sw.blas_library()
            << ")\n"
            << "threads     " << sw.intra_op_threads() << " intra-op, "
            << sw.inter_op_threads() << " inter-op\n";
  for (const auto& warning : report.warnings())
    std::cout << "warning     " << warning << "\n";
  return 0;
}

}  // namespace benchfleet::agent_cli
