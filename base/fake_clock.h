// A clock for tests: it stands still until told to move. Thread-safe.
//
//   FakeClock clock;                 // 2023-11-14 22:13:20 UTC
//   clock.Advance(absl::Minutes(5));
//   clock.Set(absl::FromUnixSeconds(1800000000));
#ifndef BENCHFLEET_BASE_FAKE_CLOCK_H_
#define BENCHFLEET_BASE_FAKE_CLOCK_H_

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "base/clock.h"

namespace benchfleet {

class FakeClock : public Clock {
 public:
  explicit FakeClock(absl::Time start = absl::FromUnixSeconds(1700000000))
      : now_(start) {}

  absl::Time Now() const override {
    absl::MutexLock lock(&mu_);
    return now_;
  }
  void Advance(absl::Duration d) {
    absl::MutexLock lock(&mu_);
    now_ += d;
  }
  void Set(absl::Time t) {
    absl::MutexLock lock(&mu_);
    now_ = t;
  }

 private:
  mutable absl::Mutex mu_;
  absl::Time now_;
};

}  // namespace benchfleet

#endif  // BENCHFLEET_BASE_FAKE_CLOCK_H_
