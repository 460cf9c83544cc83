#include "analysis/device_groups.h"

#include <algorithm>
#include <cmath>
#include <tuple>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "proto/names.h"

namespace benchfleet::analysis {
namespace {

bool Positive(double v) { return std::isfinite(v) && v > 0; }

// Agents ordered by preference: connected first, then most recently seen.
std::vector<const v1::AgentInfo*> ByPreference(
    const std::vector<v1::AgentInfo>& agents) {
  std::vector<const v1::AgentInfo*> out;
  for (const v1::AgentInfo& a : agents) out.push_back(&a);
  std::stable_sort(out.begin(), out.end(),
                   [](const v1::AgentInfo* a, const v1::AgentInfo* b) {
                     if (a->connected() != b->connected())
                       return a->connected();
                     return a->last_seen_unix_ms() > b->last_seen_unix_ms();
                   });
  return out;
}

// The hardware report describing the host a result ran on, or nullptr.
const v1::HardwareReport* HardwareOf(
    const v1::JobResult& r, const std::vector<const v1::AgentInfo*>& agents) {
  if (!r.host_id().empty()) {
    for (const v1::AgentInfo* a : agents)
      if (a->hardware().host_id() == r.host_id()) return &a->hardware();
  }
  for (const v1::AgentInfo* a : agents)
    if (a->agent_id() == r.agent_id()) return &a->hardware();
  return nullptr;
}


}  // namespace

std::string HostOf(const v1::JobResult& result) {
  return result.host_id().empty() ? result.agent_id() : result.host_id();
}

v1::DeviceKind DeviceKindOf(const v1::JobResult& r) {
  return r.spec().device() == v1::DEVICE_KIND_CUDA ? v1::DEVICE_KIND_CUDA
                                                   : v1::DEVICE_KIND_CPU;
}

std::string DeviceNameOf(const v1::JobResult& r) {
  return r.device_name().empty() ? DeviceKindName(DeviceKindOf(r))
                                 : r.device_name();
}

double StepFlops(const v1::JobResult& r) {
  double flops = r.cost().forward_flops();
  if (r.spec().mode() == v1::MODE_TRAINING) flops += r.cost().backward_flops();
  return flops;
}

std::string ObservationKey(const v1::JobResult& r) {
  std::string key = r.spec().model();
  if (!IsDefaultInput(r.spec().input()))
    absl::StrAppend(&key, " ", InputName(r.spec().input()));
  if (r.spec().precision() != v1::PRECISION_UNSPECIFIED &&
      r.spec().precision() != v1::PRECISION_FP32)
    absl::StrAppend(&key, " ", PrecisionName(r.spec().precision()));
  return key;
}

HostNamer HostNamesOf(const std::vector<v1::AgentInfo>& agents) {
  std::map<std::string, std::string> names;
  for (const v1::AgentInfo* a : ByPreference(agents)) {
    const v1::HardwareReport& hw = a->hardware();
    if (!hw.host_id().empty() && !hw.hostname().empty())
      names.emplace(hw.host_id(), hw.hostname());
    names.emplace(a->agent_id(), hw.hostname().empty() ? a->agent_id()
                                                       : hw.hostname());
  }
  return [names = std::move(names)](const std::string& host) {
    auto it = names.find(host);
    return it == names.end() ? host : it->second;
  };
}

v1::HardwareReport HardwareForDevice(const v1::HardwareReport& hw,
                                     v1::DeviceKind kind,
                                     const std::string& device_name) {
  v1::HardwareReport out = hw;
  out.clear_measured_peaks();
  if (kind != v1::DEVICE_KIND_CUDA) {
    for (const v1::MeasuredPeak& p : hw.measured_peaks()) {
      if (!absl::StartsWith(p.name(), "cuda")) *out.add_measured_peaks() = p;
    }
    return out;
  }
  int index = hw.accelerators_size() > 0 ? hw.accelerators(0).index() : 0;
  std::string name = hw.accelerators_size() > 0 ? hw.accelerators(0).name()
                                                : device_name;
  for (const v1::AcceleratorInfo& a : hw.accelerators()) {
    if (a.name() == device_name) {
      index = a.index();
      name = a.name();
      break;
    }
  }
  const std::string prefix = absl::StrCat("cuda", index, "_");
  for (const v1::MeasuredPeak& p : hw.measured_peaks()) {
    if (!absl::StartsWith(p.name(), prefix)) continue;
    v1::MeasuredPeak* copy = out.add_measured_peaks();
    *copy = p;
    copy->set_name(p.name().substr(prefix.size()));
  }
  out.mutable_cpu()->clear_caches();
  out.mutable_cpu()->set_model_name(name);
  return out;
}

void DatasheetCeilings(const v1::HardwareReport& hw, v1::DeviceKind kind,
                       const std::string& device_name,
                       std::vector<ComputeCeiling>* compute,
                       std::vector<MemoryCeiling>* memory) {
  auto names_accelerator = [&hw](const std::string& device) {
    for (const v1::AcceleratorInfo& a : hw.accelerators())
      if (a.name() == device) return true;
    return false;
  };
  std::string gpu_name = device_name;
  if (kind == v1::DEVICE_KIND_CUDA && !names_accelerator(device_name) &&
      hw.accelerators_size() > 0) {
    gpu_name = hw.accelerators(0).name();
  }
  for (const v1::DatasheetPeak& p : hw.datasheet_peaks()) {
    const bool match = kind == v1::DEVICE_KIND_CUDA
                           ? p.device() == gpu_name
                           : p.device() == hw.cpu().model_name() ||
                                 p.device() == device_name ||
                                 !names_accelerator(p.device());
    if (!match) continue;
    const bool theoretical = p.basis() == "theoretical";
    const std::string prefix = theoretical ? "theoretical" : "datasheet";
    // A CPU job uses the whole host: every socket. A GPU job uses one GPU.
    const int count =
        kind == v1::DEVICE_KIND_CUDA ? 1 : std::max(1, p.devices());
    std::string method = p.source();
    if (!p.catalog_name().empty())
      method = absl::StrCat(p.catalog_name(), ": ", method);
    if (p.estimate()) absl::StrAppend(&method, " (third-party estimate)");
    if (count > 1) absl::StrAppend(&method, "; x", count, " sockets");
    if (Positive(p.fp32_flops())) {
      compute->push_back({absl::StrCat(prefix, " fp32"),
                          p.fp32_flops() * count,
                          RoofSource::kDatasheet, method});
    }
    if (Positive(p.memory_bytes_per_second())) {
      MemoryCeiling m;
      m.name = absl::StrCat(prefix, " memory");
      m.level = "DRAM";
      m.bytes_per_s = p.memory_bytes_per_second() * count;
      m.source = RoofSource::kDatasheet;
      m.method = method;
      memory->push_back(m);
    }
  }
}

std::string DeviceGroup::Label() const {
  return absl::StrCat(device_name, " @ ", hostname.empty() ? host : hostname,
                      hardware.simulated() ? " (simulated)" : "");
}

std::vector<DeviceGroup> GroupByDevice(
    const std::vector<v1::JobResult>& results,
    const std::vector<v1::AgentInfo>& agents) {
  const std::vector<const v1::AgentInfo*> preferred = ByPreference(agents);
  std::map<std::tuple<std::string, int, std::string>, DeviceGroup> groups;
  for (const v1::JobResult& r : results) {
    if (r.status() != v1::JOB_STATUS_OK) continue;
    const v1::DeviceKind kind = DeviceKindOf(r);
    const std::string device = DeviceNameOf(r);
    auto [it, inserted] =
        groups.try_emplace({HostOf(r), static_cast<int>(kind), device});
    DeviceGroup& g = it->second;
    if (inserted) {
      g.host = HostOf(r);
      g.device_name = device;
      g.kind = kind;
      const v1::HardwareReport* hw = HardwareOf(r, preferred);
      if (hw != nullptr) {
        g.has_hardware = true;
        g.hardware = *hw;
        g.hostname = hw->hostname();
        std::vector<ComputeCeiling> compute;
        std::vector<MemoryCeiling> memory;
        DatasheetCeilings(*hw, kind, device, &compute, &memory);
        g.roofline = RooflineFromHardware(
            HardwareForDevice(*hw, kind, device), compute, memory);
      } else {
        g.roofline.device = device;
      }
    }
    g.results.push_back(r);
  }
  std::vector<DeviceGroup> out;
  for (auto& [key, g] : groups) {
    std::stable_sort(g.results.begin(), g.results.end(),
                     [](const v1::JobResult& a, const v1::JobResult& b) {
                       return a.job_id() < b.job_id();
                     });
    out.push_back(std::move(g));
  }
  return out;
}

}  // namespace benchfleet::analysis
