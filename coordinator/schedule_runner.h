// Starts the sweeps of cron schedules. A coordinator that was down over one
// or more of a schedule's slots runs it once when it comes back, not once per
// missed slot.
#ifndef BENCHFLEET_COORDINATOR_SCHEDULE_RUNNER_H_
#define BENCHFLEET_COORDINATOR_SCHEDULE_RUNNER_H_

#include <thread>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "base/clock.h"
#include "coordinator/scheduler.h"
#include "coordinator/store.h"

namespace benchfleet::coordinator {

// Validates a schedule (name, cron, time zone, sweep spec); INVALID_ARGUMENT
// names the field.
absl::Status ValidateSchedule(const v1::Schedule& schedule);

// The schedule's next slot after its last run (or its creation); 0 when it
// has none.
int64_t NextRunUnixMs(const v1::Schedule& schedule);

class ScheduleRunner {
 public:
  ScheduleRunner(Store* store, Scheduler* scheduler, Clock* clock);
  ~ScheduleRunner();

  // Starts every schedule with a slot at or before now that has not run
  // since; returns how many sweeps were started.
  absl::StatusOr<int> RunDue();

  // Calls RunDue() every `period` on a thread until Stop().
  void Start(absl::Duration period);
  void Stop();

 private:
  Store* const store_;
  Scheduler* const scheduler_;
  Clock* const clock_;
  absl::Mutex mu_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace benchfleet::coordinator

#endif  // BENCHFLEET_COORDINATOR_SCHEDULE_RUNNER_H_
