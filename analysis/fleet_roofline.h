// The fleet's rooflines: every device's measured and datasheet roofs with
// its results placed on them, the fleet-wide view of all of them together,
// and the chart of either.
//
// Example:
//   std::vector<DeviceGroup> groups = GroupByDevice(results, agents);
//   v1::RooflineReport report = BuildRooflineReport(groups);
//   v1::FleetRoofline fleet = BuildFleetRoofline(groups);
//   std::string svg = RooflineChart(report, fleet, "Roofline");
#ifndef BENCHFLEET_ANALYSIS_FLEET_ROOFLINE_H_
#define BENCHFLEET_ANALYSIS_FLEET_ROOFLINE_H_

#include <string>
#include <vector>

#include "analysis/device_groups.h"
#include "proto/analysis.pb.h"

namespace benchfleet::analysis {

// Every group's roofs and every result's placement (PlaceResult),
// with notes on missing or untrustworthy roofs.
v1::RooflineReport BuildRooflineReport(const std::vector<DeviceGroup>& groups);

// Every group's roofs (labelled DeviceGroup::Label()) and every result as a
// point, by device then job id.
v1::FleetRoofline BuildFleetRoofline(const std::vector<DeviceGroup>& groups);

// One roofline chart (an <svg> element) of `report`'s devices (their
// ceilings; `fleet.roofs` names them) and `fleet`'s points: series by batch
// and mode, points labelled by model; with two or more devices, legend
// entries and series carry the device's name.
std::string RooflineChart(const v1::RooflineReport& report,
                          const v1::FleetRoofline& fleet,
                          const std::string& title);

// The chart of device `index` of `report` alone, as if it were the only
// one.
std::string DeviceRooflineChart(const v1::RooflineReport& report,
                                const v1::FleetRoofline& fleet, int index,
                                const std::string& title);

}  // namespace benchfleet::analysis

#endif  // BENCHFLEET_ANALYSIS_FLEET_ROOFLINE_H_
