#include "analysis/fleet_roofline.h"

#include <algorithm>
#include <cmath>
#include <optional>
#include <set>
#include <tuple>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "analysis/plots.h"
#include "analysis/svg_plot.h"
#include "proto/names.h"

namespace benchfleet::analysis {
namespace {

bool Positive(double v) { return std::isfinite(v) && v > 0; }

void SetIfFinite(double value, void (v1::RooflinePlacement::*setter)(double),
                 v1::RooflinePlacement* p) {
  if (std::isfinite(value)) (p->*setter)(value);
}

RoofSource SourceFromName(const std::string& name) {
  return name == RoofSourceName(RoofSource::kDatasheet) ? RoofSource::kDatasheet
                                                        : RoofSource::kMeasured;
}

// The ceilings of one device as the plots take them.
DeviceRoofline CeilingsOf(const v1::RooflineDevice& d, std::string name) {
  DeviceRoofline out;
  out.device = std::move(name);
  for (const v1::RoofCeiling& c : d.ceilings()) {
    if (c.kind() == "compute") {
      out.compute.push_back(
          {c.name(), c.value(), SourceFromName(c.source()), c.method()});
    } else {
      MemoryCeiling m;
      m.name = c.name();
      m.level = c.level();
      m.bytes_per_s = c.value();
      m.source = SourceFromName(c.source());
      m.method = c.method();
      out.memory.push_back(m);
    }
  }
  return out;
}

void FillRoof(const Roof& roof, v1::RoofFigure* f) {
  f->set_name(roof.name);
  f->set_peak_flops_per_second(roof.peak_flops_per_s);
  f->set_bandwidth_bytes_per_second(roof.bandwidth_bytes_per_s);
  f->set_ridge_point(roof.RidgePoint());
}

}  // namespace

v1::RooflineReport BuildRooflineReport(const std::vector<DeviceGroup>& groups) {
  v1::RooflineReport report;
  for (const DeviceGroup& g : groups) {
    v1::RooflineDevice* d = report.add_devices();
    d->set_host_id(g.host);
    d->set_hostname(g.hostname);
    d->set_device_name(g.device_name);
    d->set_device(g.kind);
    d->set_simulated(g.hardware.simulated());
    const std::optional<Roof> measured = g.roofline.MeasuredRoof();
    const std::optional<Roof> datasheet = g.roofline.DatasheetRoof();
    if (measured) FillRoof(*measured, d->mutable_measured_roof());
    if (datasheet) FillRoof(*datasheet, d->mutable_datasheet_roof());
    double datasheet_peak = 0;
    std::string datasheet_peak_name;
    for (const ComputeCeiling& c : g.roofline.compute) {
      v1::RoofCeiling* out = d->add_ceilings();
      out->set_name(c.name);
      out->set_kind("compute");
      out->set_value(c.flops_per_s);
      out->set_source(RoofSourceName(c.source));
      out->set_method(c.method);
      if (c.source == RoofSource::kDatasheet &&
          c.flops_per_s > datasheet_peak) {
        datasheet_peak = c.flops_per_s;
        datasheet_peak_name = c.name;
      }
    }
    for (const MemoryCeiling& m : g.roofline.memory) {
      v1::RoofCeiling* out = d->add_ceilings();
      out->set_name(m.name);
      out->set_kind("memory");
      out->set_level(m.level);
      out->set_value(m.bytes_per_s);
      out->set_source(RoofSourceName(m.source));
      out->set_method(m.method);
    }
    // Notes: why a roof is missing, and what makes the roofs doubtful.
    if (!g.has_hardware) {
      d->add_notes(absl::StrCat("no hardware report from host ", g.host,
                                ": no roofs to place its results on"));
    } else {
      if (g.hardware.simulated())
        d->add_notes(
            "simulated agent: its timings are synthetic, so its placements "
            "mean nothing");
      if (!measured)
        d->add_notes(
            "no measured roof (needs a measured FLOP/s peak and DRAM "
            "bandwidth): run `agent calibrate` on the host; `agent serve` "
            "calibrates at start unless --calibrate_on_start=false");
      if (!datasheet && datasheet_peak > 0) {
        d->add_notes(absl::StrCat(
            "no datasheet roof: ", datasheet_peak_name, " (",
            FormatSi(datasheet_peak, "FLOP/s"),
            ") comes without a memory bandwidth; eff_ds_peak compares each "
            "point with that compute peak instead"));
      } else if (!datasheet) {
        d->add_notes("no datasheet or theoretical peak for this device");
      }
      if (absl::StartsWith(datasheet_peak_name, "theoretical"))
        d->add_notes(
            "theoretical peak: cores x clock x FLOP/cycle, computed by the "
            "agent, not a published figure");
      // A peak below a measured rate is a clock the cores outrun (turbo
      // above a base clock; a VM reports its host's nominal clock): the
      // reader must know before trusting eff_ds_peak.
      if (measured && datasheet_peak > 0 &&
          measured->peak_flops_per_s > 1.02 * datasheet_peak)
        d->add_notes(absl::StrFormat(
            "the measured compute peak (%s) is %.2fx %s (%s): the cores run "
            "above the clock that figure assumes (turbo), so eff_ds_peak can "
            "exceed 100%%",
            FormatSi(measured->peak_flops_per_s, "FLOP/s"),
            measured->peak_flops_per_s / datasheet_peak, datasheet_peak_name,
            FormatSi(datasheet_peak, "FLOP/s")));
      // The measured roofs hold for the thread count they were measured
      // with; a job on fewer threads has lower roofs.
      const int calibrated = g.hardware.calibration().threads();
      if (calibrated > 0) {
        std::set<int> others;
        for (const v1::JobResult& r : g.results)
          if (r.intra_op_threads() > 0 && r.intra_op_threads() != calibrated)
            others.insert(r.intra_op_threads());
        if (!others.empty())
          d->add_notes(absl::StrCat(
              "the roofs were measured with ", calibrated,
              " threads; results on ", absl::StrJoin(others, ", "),
              " threads are judged against roofs they could not reach"));
      }
      for (const std::string& w : g.hardware.warnings())
        d->add_notes(absl::StrCat("hardware report: ", w));
    }
    // Placements ordered for reading: model, input, mode, batch.
    std::vector<const v1::JobResult*> ordered;
    for (const v1::JobResult& r : g.results) ordered.push_back(&r);
    std::stable_sort(ordered.begin(), ordered.end(),
                     [](const v1::JobResult* a, const v1::JobResult* b) {
                       const auto key = [](const v1::JobResult* r) {
                         return std::make_tuple(
                             r->spec().model(), InputName(r->spec().input()),
                             static_cast<int>(r->spec().mode()),
                             r->spec().batch_size());
                       };
                       return key(a) < key(b);
                     });
    for (const v1::JobResult* r : ordered) {
      const Placement p = PlaceResult(g.roofline, *r);
      v1::RooflinePlacement* out = d->add_placements();
      out->set_job_id(r->job_id());
      out->set_model(r->spec().model());
      *out->mutable_input() = r->spec().input();
      out->set_batch_size(r->spec().batch_size());
      out->set_mode(r->spec().mode());
      out->set_precision(r->spec().precision());
      out->set_median_ms(r->step().median_ms());
      out->set_intensity(r->cost().intensity());
      out->set_achieved_flops_per_second(r->achieved_flops_per_second());
      SetIfFinite(p.attainable_measured,
                  &v1::RooflinePlacement::set_attainable_measured, out);
      SetIfFinite(p.efficiency_measured,
                  &v1::RooflinePlacement::set_efficiency_measured, out);
      SetIfFinite(p.attainable_datasheet,
                  &v1::RooflinePlacement::set_attainable_datasheet, out);
      SetIfFinite(p.efficiency_datasheet,
                  &v1::RooflinePlacement::set_efficiency_datasheet, out);
      if (datasheet_peak > 0 && Positive(r->achieved_flops_per_second()))
        out->set_fraction_of_datasheet_peak(r->achieved_flops_per_second() /
                                            datasheet_peak);
      out->set_bound(BoundName(p.bound));
      out->set_above_roof(p.above_roof);
      out->set_above_datasheet(p.above_datasheet);
      for (const std::string& c : p.likely_causes) out->add_likely_causes(c);
      out->set_unstable(r->unstable());
    }
  }
  return report;
}

v1::FleetRoofline BuildFleetRoofline(const std::vector<DeviceGroup>& groups) {
  v1::FleetRoofline fleet;
  for (const DeviceGroup& g : groups) {
    v1::FleetRoof* roof = fleet.add_roofs();
    roof->set_device(g.Label());
    if (const std::optional<Roof> m = g.roofline.MeasuredRoof())
      FillRoof(*m, roof->mutable_measured_roof());
    if (const std::optional<Roof> d = g.roofline.DatasheetRoof())
      FillRoof(*d, roof->mutable_datasheet_roof());
    for (const v1::JobResult& r : g.results) {  // by job id
      const Placement p = PlaceResult(g.roofline, r);
      v1::FleetPoint* point = fleet.add_points();
      point->set_device(g.Label());
      point->set_job_id(r.job_id());
      point->set_label(ObservationKey(r));
      point->set_batch_size(r.spec().batch_size());
      point->set_mode(r.spec().mode());
      point->set_intensity(r.cost().intensity());
      point->set_achieved_flops_per_second(r.achieved_flops_per_second());
      point->set_above_roof(p.above_roof);
    }
  }
  return fleet;
}

std::string RooflineChart(const v1::RooflineReport& report,
                          const v1::FleetRoofline& fleet,
                          const std::string& title) {
  const bool several = report.devices_size() > 1;
  std::vector<DeviceRoofline> devices;
  std::vector<RooflinePoint> points;
  for (int i = 0; i < report.devices_size(); ++i) {
    const std::string name =
        i < fleet.roofs_size() ? fleet.roofs(i).device() : "";
    devices.push_back(CeilingsOf(report.devices(i), name));
    const std::string prefix = several ? name + ": " : "";
    std::vector<RooflinePoint> mine;
    for (const v1::FleetPoint& p : fleet.points()) {
      if (p.device() != name) continue;
      mine.push_back({p.label(),
                      absl::StrCat(prefix, "b", p.batch_size(), " ",
                                   ModeName(p.mode())),
                      p.intensity(), p.achieved_flops_per_second(),
                      p.above_roof()});
    }
    // Series in a stable, readable order: by mode, then batch.
    std::stable_sort(mine.begin(), mine.end(),
                     [](const RooflinePoint& a, const RooflinePoint& b) {
                       return a.series < b.series;
                     });
    points.insert(points.end(), mine.begin(), mine.end());
  }
  return RooflinePlot(devices, points, title);
}

std::string DeviceRooflineChart(const v1::RooflineReport& report,
                                const v1::FleetRoofline& fleet, int index,
                                const std::string& title) {
  v1::RooflineReport one;
  *one.add_devices() = report.devices(index);
  v1::FleetRoofline mine;
  *mine.add_roofs() = fleet.roofs(index);
  for (const v1::FleetPoint& p : fleet.points())
    if (p.device() == fleet.roofs(index).device()) *mine.add_points() = p;
  return RooflineChart(one, mine, title);
}

}  // namespace benchfleet::analysis
