#include "coordinator/schedule_runner.h"

#include <iostream>

#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "coordinator/cron.h"
#include "coordinator/sweep_spec.h"

namespace benchfleet::coordinator {
namespace {

absl::TimeZone ZoneOf(const v1::Schedule& schedule) {
  absl::TimeZone zone = absl::UTCTimeZone();
  if (!schedule.time_zone().empty())
    absl::LoadTimeZone(schedule.time_zone(), &zone);
  return zone;
}

}  // namespace

absl::Status ValidateSchedule(const v1::Schedule& schedule) {
  if (schedule.name().empty() || schedule.name().size() > 100)
    return absl::InvalidArgumentError(
        absl::StrCat("schedule.name = \"", schedule.name().substr(0, 40),
                     "\": needs 1 to 100 characters"));
  RETURN_IF_ERROR(CronExpression::Parse(schedule.cron()).status());
  absl::TimeZone zone;
  if (!schedule.time_zone().empty() &&
      !absl::LoadTimeZone(schedule.time_zone(), &zone))
    return absl::InvalidArgumentError(absl::StrCat(
        "schedule.time_zone = \"", schedule.time_zone(),
        "\": unknown time zone (use an IANA name such as Europe/Paris)"));
  return ExpandSweep(schedule.spec()).status();
}

int64_t NextRunUnixMs(const v1::Schedule& schedule) {
  absl::StatusOr<CronExpression> cron = CronExpression::Parse(schedule.cron());
  if (!cron.ok()) return 0;
  const int64_t since = std::max(schedule.last_run_unix_ms(), schedule.created_unix_ms());
  std::optional<absl::Time> next =
      cron->Next(absl::FromUnixMillis(since), ZoneOf(schedule));
  return next ? absl::ToUnixMillis(*next) : 0;
}

ScheduleRunner::ScheduleRunner(Store* store, Scheduler* scheduler, Clock* clock)
    : store_(store), scheduler_(scheduler), clock_(clock) {}

ScheduleRunner::~ScheduleRunner() { Stop(); }

absl::StatusOr<int> ScheduleRunner::RunDue() {
  ASSIGN_OR_RETURN(std::vector<v1::Schedule> schedules, store_->ListSchedules());
  const absl::Time now = clock_->Now();
  int started = 0;
  for (const v1::Schedule& schedule : schedules) {
    const int64_t next = NextRunUnixMs(schedule);
    if (next == 0 || absl::FromUnixMillis(next) > now) continue;
    absl::StatusOr<std::vector<v1::BenchmarkSpec>> jobs = ExpandSweep(schedule.spec());
    if (!jobs.ok()) {
      std::cerr << "coordinator: schedule " << schedule.name() << ": "
                << jobs.status() << "\n";
      continue;
    }
    ASSIGN_OR_RETURN(int64_t sweep_id,
                     store_->CreateSweep(schedule.spec(), *jobs, now, schedule.name()));
    // Marking the run at `now` covers every missed slot up to now.
    RETURN_IF_ERROR(store_->MarkScheduleRun(schedule.name(), now, sweep_id));
    ASSIGN_OR_RETURN(v1::SweepStatus sweep, store_->GetSweep(sweep_id));
    scheduler_->AddJobs(sweep);
    std::cerr << "coordinator: schedule " << schedule.name() << " started sweep "
              << sweep_id << "\n";
    ++started;
  }
  return started;
}

void ScheduleRunner::Start(absl::Duration period) {
  thread_ = std::thread([this, period] {
    absl::MutexLock lock(&mu_);
    do {
      mu_.Unlock();
      absl::StatusOr<int> ran = RunDue();
      if (!ran.ok()) std::cerr << "coordinator: schedules: " << ran.status() << "\n";
      mu_.Lock();
    } while (!mu_.AwaitWithTimeout(absl::Condition(&stopping_), period));
  });
}

void ScheduleRunner::Stop() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  if (thread_.joinable()) thread_.join();
}

}  // namespace benchfleet::coordinator
