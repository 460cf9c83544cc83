#include "analysis/comparison.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <tuple>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "analysis/figure_text.h"
#include "analysis/report_tables.h"
#include "analysis/summary_stats.h"
#include "base/status_macros.h"
#include "proto/names.h"

namespace benchfleet::analysis {

Verdict VerdictFromName(const std::string& name) {
  if (name == "regression") return Verdict::kRegression;
  if (name == "improvement") return Verdict::kImprovement;
  if (name == "unchanged") return Verdict::kUnchanged;
  return Verdict::kInsufficientData;
}

namespace {

int VerdictOrder(const std::string& name) {
  if (name == "regression") return 0;
  if (name == "improvement") return 1;
  if (name == "unchanged") return 2;
  return 3;
}

}  // namespace

std::string MatchKey(const v1::JobResult& r) {
  const v1::BenchmarkSpec& s = r.spec();
  const v1::MemoryFormat layout =
      s.memory_format() == v1::MEMORY_FORMAT_CHANNELS_LAST
          ? v1::MEMORY_FORMAT_CHANNELS_LAST
          : v1::MEMORY_FORMAT_CONTIGUOUS;
  return absl::StrCat(s.model(), "|", InputName(s.input()), "|b",
                      s.batch_size(), "|", ModeName(s.mode()), "|",
                      PrecisionName(s.precision()), "|", DeviceKindName(DeviceKindOf(r)),
                      "|", DeviceNameOf(r), "|", HostOf(r), "|t",
                      s.threads(), "|", v1::MemoryFormat_Name(layout), "|",
                      v1::Scenario_Name(s.scenario()));
}

std::string ResultLabel(const v1::JobResult& r, const std::string& host_name) {
  const v1::BenchmarkSpec& s = r.spec();
  std::string label =
      absl::StrCat(s.model(), " b", s.batch_size(), " ", ModeName(s.mode()));
  if (!IsDefaultInput(s.input())) absl::StrAppend(&label, " ", InputName(s.input()));
  if (PrecisionName(s.precision()) != "fp32")
    absl::StrAppend(&label, " ", PrecisionName(s.precision()));
  if (s.memory_format() == v1::MEMORY_FORMAT_CHANNELS_LAST)
    absl::StrAppend(&label, " nhwc");
  if (s.scenario() == v1::SCENARIO_SINGLE_STREAM)
    absl::StrAppend(&label, " single-stream");
  if (s.scenario() == v1::SCENARIO_OFFLINE) absl::StrAppend(&label, " offline");
  if (DeviceKindOf(r) == v1::DEVICE_KIND_CUDA)
    absl::StrAppend(&label, " ", DeviceNameOf(r));
  if (!host_name.empty()) absl::StrAppend(&label, " @ ", host_name);
  return label;
}

void DisambiguateLabels(std::vector<std::string>* labels,
                        const std::vector<const v1::JobResult*>& reps) {
  std::map<std::string, int> count;
  for (const std::string& l : *labels) ++count[l];
  for (size_t i = 0; i < labels->size(); ++i) {
    if (count[(*labels)[i]] > 1)
      absl::StrAppend(&(*labels)[i], " t", reps[i]->spec().threads());
  }
}

std::vector<std::string> SoftwareDifferences(
    const std::vector<v1::JobResult>& baseline,
    const std::vector<v1::JobResult>& candidate) {
  using Field = const std::string& (v1::Provenance::*)() const;
  const std::vector<std::pair<std::string, Field>> fields = {
      {"agent_version", &v1::Provenance::agent_version},
      {"source_revision", &v1::Provenance::source_revision},
      {"libtorch_version", &v1::Provenance::libtorch_version},
      {"blas_vendor", &v1::Provenance::blas_vendor}};
  std::vector<std::string> out;
  for (const auto& [name, field] : fields) {
    const auto values = [field = field](const std::vector<v1::JobResult>& rs) {
      std::set<std::string> v;
      for (const v1::JobResult& r : rs)
        if (!(r.provenance().*field)().empty()) v.insert((r.provenance().*field)());
      return v;
    };
    const std::set<std::string> base = values(baseline);
    const std::set<std::string> cand = values(candidate);
    if (base.empty() || cand.empty() || base == cand) continue;
    out.push_back(absl::StrCat(name, ": ", absl::StrJoin(base, "/"), " -> ",
                               absl::StrJoin(cand, "/")));
  }
  return out;
}

Matching MatchResults(const std::vector<v1::JobResult>& baseline,
                      const std::vector<v1::JobResult>& candidate) {
  std::map<std::string, MatchedResults> by_key;
  for (const auto* side : {&baseline, &candidate}) {
    for (const v1::JobResult& r : *side) {
      if (r.status() != v1::JOB_STATUS_OK) continue;
      MatchedResults& m = by_key[MatchKey(r)];
      m.key = MatchKey(r);
      (side == &baseline ? m.baseline : m.candidate).push_back(r);
    }
  }
  Matching out;
  for (auto& [key, m] : by_key) {
    for (auto* results : {&m.baseline, &m.candidate}) {
      std::stable_sort(results->begin(), results->end(),
                       [](const v1::JobResult& a, const v1::JobResult& b) {
                         return a.job_id() < b.job_id();
                       });
    }
    if (m.baseline.empty()) {
      out.only_candidate.push_back(key);
    } else if (m.candidate.empty()) {
      out.only_baseline.push_back(key);
    } else {
      out.matched.push_back(std::move(m));
    }
  }
  return out;
}

std::vector<double> StepMillis(const std::vector<v1::Sample>& samples) {
  std::vector<const v1::Sample*> steps;
  for (const v1::Sample& s : samples)
    if (s.phase() == v1::PHASE_STEP) steps.push_back(&s);
  std::stable_sort(steps.begin(), steps.end(),
                   [](const v1::Sample* a, const v1::Sample* b) {
                     return a->sequence() < b->sequence();
                   });
  std::vector<double> ms;
  ms.reserve(steps.size());
  for (const v1::Sample* s : steps) ms.push_back(s->duration_ns() / 1e6);
  return ms;
}

absl::StatusOr<v1::ComparisonReport> CompareMatched(
    const Matching& matching, const StepSource& steps,
    const RegressionOptions& options,
    const HostNamer& host_name) {
  if (!(options.min_effect >= 0) || !(options.alpha > 0 && options.alpha < 1))
    return absl::InvalidArgumentError(absl::StrFormat(
        "--min_effect=%g --alpha=%g: min_effect must be >= 0 and alpha in "
        "(0, 1)",
        options.min_effect, options.alpha));
  v1::ComparisonReport report;
  report.set_min_effect(options.min_effect);
  report.set_alpha(options.alpha);
  for (const MatchedResults& m : matching.matched) {
    const v1::JobResult& first = m.candidate.front();
    v1::ResultComparison* c = report.add_comparisons();
    c->set_key(m.key);
    c->set_label(ResultLabel(first, host_name(HostOf(first))));
    c->set_model(first.spec().model());
    *c->mutable_input() = first.spec().input();
    c->set_batch_size(first.spec().batch_size());
    c->set_mode(first.spec().mode());
    c->set_precision(first.spec().precision());
    c->set_device_name(DeviceNameOf(first));
    c->set_host_id(HostOf(first));
    for (const std::string& d : SoftwareDifferences(m.baseline, m.candidate))
      c->add_software_differences(d);
    const std::string software_note =
        c->software_differences().empty()
            ? ""
            : absl::StrCat("; software differs: ",
                           absl::StrJoin(c->software_differences(), ", "));
    std::vector<double> base, cand;
    for (const v1::JobResult& r : m.baseline) {
      c->add_baseline_job_ids(r.job_id());
      ASSIGN_OR_RETURN(std::vector<double> ms, steps(r.job_id()));
      base.insert(base.end(), ms.begin(), ms.end());
    }
    for (const v1::JobResult& r : m.candidate) {
      c->add_candidate_job_ids(r.job_id());
      ASSIGN_OR_RETURN(std::vector<double> ms, steps(r.job_id()));
      cand.insert(cand.end(), ms.begin(), ms.end());
    }
    const auto max_load = [](const std::vector<v1::JobResult>& results) {
      double load = -1;
      for (const v1::JobResult& r : results)
        load = std::max(load, r.other_cpu_load());
      return load;
    };
    c->set_baseline_other_load(max_load(m.baseline));
    c->set_candidate_other_load(max_load(m.candidate));
    c->set_n_baseline(static_cast<int64_t>(base.size()));
    c->set_n_candidate(static_cast<int64_t>(cand.size()));
    if (!base.empty()) c->set_baseline_median_ms(MedianOfNumbers(base));
    if (!cand.empty()) c->set_candidate_median_ms(MedianOfNumbers(cand));
    c->set_ci_level(1 - options.alpha);
    absl::StatusOr<RegressionVerdict> v =
        CompareSamples(base, cand, options);
    if (!v.ok()) {
      // E.g. a zero duration from a simulated agent: this benchmark cannot
      // be judged, the others still can.
      c->set_verdict(VerdictName(Verdict::kInsufficientData));
      c->set_reason(absl::StrCat(v.status().message(), software_note));
      continue;
    }
    c->set_n_baseline(v->n_baseline);
    c->set_n_candidate(v->n_candidate);
    if (std::isfinite(v->ratio)) c->set_ratio(v->ratio);
    if (std::isfinite(v->ci.lower)) c->set_ci_lower(v->ci.lower);
    if (std::isfinite(v->ci.upper)) c->set_ci_upper(v->ci.upper);
    if (std::isfinite(v->p_value)) c->set_p_value(v->p_value);
    c->set_verdict(VerdictName(v->verdict));
    c->set_reason(v->reason);
    // A verdict timed on a busy machine may be the load, not the code.
    std::vector<std::string> busy;
    if (c->baseline_other_load() > kBusyLoad)
      busy.push_back(
          absl::StrCat(Percent(c->baseline_other_load()), " (baseline)"));
    if (c->candidate_other_load() > kBusyLoad)
      busy.push_back(
          absl::StrCat(Percent(c->candidate_other_load()), " (candidate)"));
    if (!busy.empty())
      c->set_reason(absl::StrCat(c->reason(), "; other processes took ",
                                 absl::StrJoin(busy, " and "),
                                 " of the CPU while timing"));
    c->set_reason(absl::StrCat(c->reason(), software_note));
  }
  {
    std::vector<std::string> labels;
    std::vector<const v1::JobResult*> reps;
    for (size_t i = 0; i < matching.matched.size(); ++i) {
      labels.push_back(report.comparisons(i).label());
      reps.push_back(&matching.matched[i].candidate.front());
    }
    DisambiguateLabels(&labels, reps);
    for (size_t i = 0; i < labels.size(); ++i)
      report.mutable_comparisons(i)->set_label(labels[i]);
  }
  std::stable_sort(report.mutable_comparisons()->begin(),
                   report.mutable_comparisons()->end(),
                   [](const v1::ResultComparison& a,
                      const v1::ResultComparison& b) {
                     return std::make_tuple(VerdictOrder(a.verdict()),
                                            a.label()) <
                            std::make_tuple(VerdictOrder(b.verdict()),
                                            b.label());
                   });
  for (const v1::ResultComparison& c : report.comparisons()) {
    switch (VerdictFromName(c.verdict())) {
      case Verdict::kRegression:
        report.set_regressions(report.regressions() + 1);
        break;
      case Verdict::kImprovement:
        report.set_improvements(report.improvements() + 1);
        break;
      case Verdict::kUnchanged:
        report.set_unchanged(report.unchanged() + 1);
        break;
      case Verdict::kInsufficientData:
        report.set_insufficient_data(report.insufficient_data() + 1);
        break;
    }
  }
  for (const std::string& key : matching.only_baseline)
    report.add_only_in_baseline(key);
  for (const std::string& key : matching.only_candidate)
    report.add_only_in_candidate(key);
  return report;
}

std::string ComparisonSummary(const v1::ComparisonReport& r) {
  return absl::StrCat(
      Count(r.regressions(), "regression"), ", ",
      Count(r.improvements(), "improvement"), ", ", r.unchanged(),
      " unchanged, ", r.insufficient_data(),
      " with insufficient data (min effect ", Percent(r.min_effect()),
      ", alpha ", FormatSig(r.alpha()), "); ", r.only_in_baseline_size(),
      " only in the baseline, ", r.only_in_candidate_size(),
      " only in the candidate");
}

// Regressions timed while other processes took more than kBusyLoad.
int BusyRegressions(const v1::ComparisonReport& r) {
  int busy = 0;
  for (const v1::ResultComparison& c : r.comparisons())
    if (c.verdict() == "regression" && (c.baseline_other_load() > kBusyLoad ||
                                        c.candidate_other_load() > kBusyLoad))
      ++busy;
  return busy;
}

}  // namespace benchfleet::analysis
