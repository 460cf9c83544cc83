// The selection rules of the AnalysisService (proto/analysis_service.proto,
// message Selection): which stored sweeps and results an analysis looks at,
// resolved with store queries, and the run each sweep is compared against.
//
// Example:
//   ASSIGN_OR_RETURN(Selected s, ResolveSelection(store, request.selection(),
//                                                 "selection"));
//   ASSIGN_OR_RETURN(std::vector<v1::SweepStatus> before,
//                    PreviousRuns(store, s.sweeps));
#ifndef BENCHFLEET_COORDINATOR_ANALYSIS_SELECTION_H_
#define BENCHFLEET_COORDINATOR_ANALYSIS_SELECTION_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "coordinator/store.h"
#include "proto/analysis_service.pb.h"

namespace benchfleet::coordinator {

// Most sweep ids one selection may name.
inline constexpr int kMaxSelectedSweeps = 100;

struct Selected {
  std::vector<v1::SweepStatus> sweeps;  // without jobs, in the order named
  std::vector<v1::JobResult> results;   // failed ones too, by sweep then job
};

// INVALID_ARGUMENT naming "<field>.<member>" and the value for a malformed
// selection: a sweep id <= 0 or repeated, more than kMaxSelectedSweeps ids,
// a negative batch size or time, since after until, a device that is no
// DeviceKind, a text field over 4096 bytes.
absl::Status CheckSelection(const v1::Selection& selection,
                            const std::string& field);

// CheckSelection, then the rules of message Selection. NOT_FOUND naming the
// field for an unknown sweep id or schedule; FAILED_PRECONDITION when the
// store holds no sweep and nothing was named.
absl::StatusOr<Selected> ResolveSelection(Store& store,
                                          const v1::Selection& selection,
                                          const std::string& field);

// For each of `sweeps`: the newest older sweep, no longer running and not
// itself in `sweeps`, of the same schedule (for a sweep started by hand: of
// the same name, started by hand too). Each baseline once, by sweep id;
// empty when there are none.
absl::StatusOr<std::vector<v1::SweepStatus>> PreviousRuns(
    Store& store, const std::vector<v1::SweepStatus>& sweeps);

// The results of `sweeps`, filtered by `selection`'s filters (and by its
// schedule: a sweep another schedule started contributes none).
absl::StatusOr<std::vector<v1::JobResult>> ResultsOf(
    Store& store, const std::vector<v1::SweepStatus>& sweeps,
    const v1::Selection& selection);

// The SelectedSweeps message of `selected`.
v1::SelectedSweeps SelectedMessage(const Selected& selected);

}  // namespace benchfleet::coordinator

#endif  // BENCHFLEET_COORDINATOR_ANALYSIS_SELECTION_H_
