// An injectable wall clock, so tests can control time (leases, schedules).
#ifndef BENCHFLEET_BASE_CLOCK_H_
#define BENCHFLEET_BASE_CLOCK_H_

#include "absl/time/time.h"

namespace benchfleet {

// Thread-safe source of the current time.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual absl::Time Now() const = 0;

  // The process-wide real clock; never null, never deleted.
  static Clock* Real();
};

}  // namespace benchfleet

#endif  // BENCHFLEET_BASE_CLOCK_H_
