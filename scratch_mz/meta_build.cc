#include <ctime>
#include <chrono>
#include <iostream>
#include <c10/core/impl/LocalDispatchKeySet.h>
#include "agent/models/catalog.h"
#include "agent/models/cost_model.h"
#include "agent/models/zoo.h"
#include "google/protobuf/util/message_differencer.h"
using namespace benchfleet;
double Cpu() { timespec t; clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t); return t.tv_sec + 1e-9 * t.tv_nsec; }
int main(int argc, char** argv) {
  torch::set_num_threads(2);
  double total = 0; int mism = 0;
  for (const auto& e : models::Catalog()) {
    double c0 = Cpu();
    absl::StatusOr<models::ZooModel> m = absl::UnknownError("x");
    try {
      c10::impl::IncludeDispatchKeyGuard guard(c10::DispatchKey::Meta);
      m = models::BuildModel(e.name);
    } catch (const c10::Error& err) {
      std::cout << e.name << " meta-build failed: " << std::string(err.what_without_backtrace()).substr(0, 200) << std::endl;
      continue;
    }
    double c1 = Cpu();
    std::cout << "  before cost, first param device: " << m->module.ptr()->parameters()[0].device() << std::endl;
    models::CostOptions o; o.shape_only = true;
    auto meta = models::ComputeModelCost(e.name, m->module, e.default_input, 1, o);
    double c2 = Cpu();
    total += c2 - c0;
    bool same = false;
    if (argc > 1) {
      auto m2 = models::BuildModel(e.name);
      auto ref = models::ComputeModelCost(e.name, m2->module, e.default_input, 1, o);
      same = meta.ok() && ref.ok() && google::protobuf::util::MessageDifferencer::Equals(*meta, *ref);
      if (!same) ++mism;
    }
    bool param_cpu = m->module.ptr()->parameters()[0].is_cpu();
    std::cout << e.name << " build " << c1 - c0 << " cost " << c2 - c1 << " ok=" << meta.ok() << " same=" << same << std::endl;
    std::cout << "  first param device: " << m->module.ptr()->parameters()[0].device() << std::endl;
  }
  std::cout << "total " << total << " mismatches " << mism << std::endl;
}
