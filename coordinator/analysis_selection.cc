#include "coordinator/analysis_selection.h"

#include <algorithm>
#include <map>
#include <set>

#include "absl/strings/str_cat.h"
#include "base/status_macros.h"

namespace benchfleet::coordinator {
namespace {

constexpr size_t kMaxText = 4096;

// The selection's filters as ListResults takes them.
v1::ListResultsRequest FilterOf(const v1::Selection& s) {
  v1::ListResultsRequest f;
  f.set_model(s.model());
  f.set_batch_size(s.batch_size());
  f.set_device(s.device());
  f.set_agent_id(s.agent_id());
  f.set_since_unix_ms(s.since_unix_ms());
  f.set_until_unix_ms(s.until_unix_ms());
  return f;
}

bool HasFilter(const v1::Selection& s) {
  return FilterOf(s).ByteSizeLong() > 0;
}

}  // namespace

absl::Status CheckSelection(const v1::Selection& s, const std::string& field) {
  if (s.sweep_ids_size() > kMaxSelectedSweeps)
    return absl::InvalidArgumentError(
        absl::StrCat(field, ".sweep_ids: ", s.sweep_ids_size(),
                     " ids; at most ", kMaxSelectedSweeps));
  std::set<int64_t> seen;
  for (int i = 0; i < s.sweep_ids_size(); ++i) {
    const int64_t id = s.sweep_ids(i);
    if (id <= 0)
      return absl::InvalidArgumentError(absl::StrCat(
          field, ".sweep_ids[", i, "]: ", id, " is not a sweep id (ids are > 0)"));
    if (!seen.insert(id).second)
      return absl::InvalidArgumentError(absl::StrCat(
          field, ".sweep_ids[", i, "]: sweep ", id, " is named twice"));
  }
  if (s.batch_size() < 0)
    return absl::InvalidArgumentError(absl::StrCat(
        field, ".batch_size: ", s.batch_size(), " is negative (0 = any batch)"));
  if (!v1::DeviceKind_IsValid(s.device()))
    return absl::InvalidArgumentError(absl::StrCat(
        field, ".device: ", s.device(), " is not a DeviceKind"));
  if (s.since_unix_ms() < 0)
    return absl::InvalidArgumentError(absl::StrCat(
        field, ".since_unix_ms: ", s.since_unix_ms(), " is negative"));
  if (s.until_unix_ms() < 0)
    return absl::InvalidArgumentError(absl::StrCat(
        field, ".until_unix_ms: ", s.until_unix_ms(), " is negative"));
  if (s.since_unix_ms() > 0 && s.until_unix_ms() > 0 &&
      s.since_unix_ms() >= s.until_unix_ms())
    return absl::InvalidArgumentError(absl::StrCat(
        field, ".until_unix_ms: ", s.until_unix_ms(),
        " is not after since_unix_ms ", s.since_unix_ms()));
  for (const auto& [name, text] :
       {std::pair<const char*, const std::string*>{"schedule", &s.schedule()},
        {"model", &s.model()},
        {"agent_id", &s.agent_id()}}) {
    if (text->size() > kMaxText)
      return absl::InvalidArgumentError(absl::StrCat(
          field, ".", name, ": ", text->size(), " bytes; at most ", kMaxText));
  }
  return absl::OkStatus();
}

absl::StatusOr<Selected> ResolveSelection(Store& store, const v1::Selection& s,
                                          const std::string& field) {
  RETURN_IF_ERROR(CheckSelection(s, field));
  Selected out;
  if (s.sweep_ids_size() > 0) {
    SweepQuery query;
    query.sweep_ids.assign(s.sweep_ids().begin(), s.sweep_ids().end());
    ASSIGN_OR_RETURN(std::vector<v1::SweepStatus> found,
                     store.ListSweepsWhere(query));
    std::map<int64_t, v1::SweepStatus> by_id;
    for (v1::SweepStatus& sweep : found) by_id[sweep.sweep_id()] = std::move(sweep);
    for (int i = 0; i < s.sweep_ids_size(); ++i) {
      auto it = by_id.find(s.sweep_ids(i));
      if (it == by_id.end())
        return absl::NotFoundError(absl::StrCat(field, ".sweep_ids[", i,
                                                "]: no sweep ", s.sweep_ids(i)));
      out.sweeps.push_back(it->second);
    }
  } else if (!s.schedule().empty()) {
    // A schedule's results span all its runs; its latest run is the one to
    // look at (compare and history look across runs).
    SweepQuery runs;
    runs.match_schedule = true;
    runs.schedule = s.schedule();
    runs.finished_only = true;
    absl::StatusOr<v1::SweepStatus> latest = store.LatestSweep(runs);
    if (absl::IsNotFound(latest.status())) {
      runs.finished_only = false;
      latest = store.LatestSweep(runs);
    }
    if (absl::IsNotFound(latest.status()))
      return absl::NotFoundError(absl::StrCat(
          field, ".schedule: no run of a schedule named \"", s.schedule(),
          "\" is stored"));
    if (!latest.ok()) return latest.status();
    out.sweeps.push_back(*std::move(latest));
  } else if (HasFilter(s)) {
    ASSIGN_OR_RETURN(out.results, store.ListResults(FilterOf(s)));
    return out;
  } else {
    SweepQuery recent;
    recent.finished_only = true;
    absl::StatusOr<v1::SweepStatus> latest = store.LatestSweep(recent);
    if (absl::IsNotFound(latest.status())) latest = store.LatestSweep(SweepQuery());
    if (absl::IsNotFound(latest.status()))
      return absl::FailedPreconditionError(
          absl::StrCat(field, ": no sweeps stored yet: submit one first"));
    if (!latest.ok()) return latest.status();
    out.sweeps.push_back(*std::move(latest));
  }
  ASSIGN_OR_RETURN(out.results, ResultsOf(store, out.sweeps, s));
  return out;
}

absl::StatusOr<std::vector<v1::JobResult>> ResultsOf(
    Store& store, const std::vector<v1::SweepStatus>& sweeps,
    const v1::Selection& s) {
  std::vector<int64_t> ids;
  for (const v1::SweepStatus& sweep : sweeps) {
    // With sweep ids, a schedule filters too: only the sweeps it started.
    if (!s.schedule().empty() && sweep.schedule() != s.schedule()) continue;
    ids.push_back(sweep.sweep_id());
  }
  return store.ListResultsOfSweeps(ids, FilterOf(s));
}

absl::StatusOr<std::vector<v1::SweepStatus>> PreviousRuns(
    Store& store, const std::vector<v1::SweepStatus>& sweeps) {
  std::set<int64_t> selected;
  for (const v1::SweepStatus& s : sweeps) selected.insert(s.sweep_id());
  std::map<int64_t, v1::SweepStatus> out;
  for (const v1::SweepStatus& s : sweeps) {
    SweepQuery query;
    query.match_schedule = true;
    query.schedule = s.schedule();
    query.match_name = s.schedule().empty();
    query.name = s.name();
    query.before_sweep_id = s.sweep_id();
    query.finished_only = true;
    query.limit = static_cast<int>(sweeps.size()) + 1;  // past selected ones
    ASSIGN_OR_RETURN(std::vector<v1::SweepStatus> earlier,
                     store.ListSweepsWhere(query));
    for (v1::SweepStatus& e : earlier) {
      if (selected.count(e.sweep_id())) continue;
      out.emplace(e.sweep_id(), std::move(e));
      break;
    }
  }
  std::vector<v1::SweepStatus> runs;
  for (auto& [id, sweep] : out) runs.push_back(std::move(sweep));
  return runs;
}

v1::SelectedSweeps SelectedMessage(const Selected& selected) {
  v1::SelectedSweeps out;
  for (const v1::SweepStatus& s : selected.sweeps) *out.add_sweeps() = s;
  out.set_results(static_cast<int32_t>(selected.results.size()));
  return out;
}

}  // namespace benchfleet::coordinator
