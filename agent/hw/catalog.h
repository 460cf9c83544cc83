// The device datasheet catalog (agent/hw/devices.textproto, embedded into
// the binary at build time) and the matcher from probed device names to its
// entries.
//
// Example:
//   absl::StatusOr<const v1::DeviceCatalog*> catalog = hw::EmbeddedCatalog();
//   const v1::CatalogDevice* d =
//       hw::MatchDevice(**catalog, "NVIDIA H100 80GB HBM3");  // H100 SXM
#ifndef BENCHFLEET_AGENT_HW_CATALOG_H_
#define BENCHFLEET_AGENT_HW_CATALOG_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "proto/hardware.pb.h"

namespace benchfleet::hw {

// Parses and checks a catalog in protobuf text format. InvalidArgument names
// the line and column of a syntax error, or the entry that breaks a rule:
// ids unique and non-empty, at least one match, a source, some peak, no
// negative figure.
absl::StatusOr<v1::DeviceCatalog> ParseCatalog(absl::string_view text);

// The catalog compiled into this binary, parsed once; thread-safe. An error
// means the embedded file is broken (the catalog test catches that).
absl::StatusOr<const v1::DeviceCatalog*> EmbeddedCatalog();

// Lower-case tokens of a device name: "(R)", "(TM)" and the "@ 2.50GHz"
// clock suffix dropped; split on anything but letters, digits and '+'.
// "Intel(R) Xeon(R) Platinum 8480+" -> {intel, xeon, platinum, 8480+}.
std::vector<std::string> NameTokens(absl::string_view name);

// The entry whose `match` token set is contained in `probed_name`'s tokens
// and none of whose `exclude` tokens appear; the one with most tokens wins,
// then the earlier entry. nullptr when nothing matches. The pointer is into
// `catalog`.
const v1::CatalogDevice* MatchDevice(const v1::DeviceCatalog& catalog,
                                     absl::string_view probed_name);

// The report form of a catalog entry for `devices` devices named
// `probed_name`: GFLOP/s and GB/s turned into FLOP/s and B/s, basis
// "datasheet".
v1::DatasheetPeak DatasheetPeakFromEntry(const v1::CatalogDevice& entry,
                                         const std::string& probed_name,
                                         int devices);

}  // namespace benchfleet::hw

#endif  // BENCHFLEET_AGENT_HW_CATALOG_H_
