#include <ctime>
#include <chrono>
#include <iostream>
#include "agent/models/catalog.h"
#include "agent/models/cost_model.h"
#include "agent/models/zoo.h"
#include "google/protobuf/util/message_differencer.h"
using namespace benchfleet;
double Cpu() { timespec t; clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t); return t.tv_sec + 1e-9 * t.tv_nsec; }
double Wall() { return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count(); }
int main(int argc, char** argv) {
  torch::set_num_threads(2);
  bool compare = argc > 1 && std::string(argv[1]) == "compare";
  double total_cpu = 0, total_wall = 0;
  int mismatches = 0;
  for (const auto& e : models::Catalog()) {
    double c0 = Cpu(), w0 = Wall();
    auto m = models::BuildModel(e.name);
    double c1 = Cpu();
    models::CostOptions o; o.shape_only = true;
    auto meta = models::ComputeModelCost(e.name, m->module, e.default_input, 1, o);
    double c2 = Cpu(), w2 = Wall();
    total_cpu += c2 - c0; total_wall += w2 - w0;
    std::cout << e.name << " build " << c1 - c0 << " meta-cost " << c2 - c1 << " ok=" << meta.ok();
    if (!meta.ok()) { std::string m(meta.status().message()); std::cout << " " << m.substr(0, m.find('\n')); }
    if (compare) {
      auto m2 = models::BuildModel(e.name);
      auto cpu = models::ComputeModelCost(e.name, m2->module, e.default_input, 1);
      bool same = cpu.ok() && meta.ok() && google::protobuf::util::MessageDifferencer::Equals(*cpu, *meta);
      if (!same) ++mismatches;
      std::cout << " same-as-cpu=" << same << " gflops=" << cpu->inference().forward_flops() / 1e9;
      if (!same && cpu.ok() && meta.ok()) {
        google::protobuf::util::MessageDifferencer d; std::string diff; d.ReportDifferencesToString(&diff); d.Compare(*cpu, *meta); std::cout << "\n" << diff.substr(0, 2000);
      }
    }
    std::cout << std::endl;
  }
  std::cout << "total cpu " << total_cpu << " wall " << total_wall << " mismatches " << mismatches << std::endl;
}
