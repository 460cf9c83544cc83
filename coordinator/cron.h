// Standard five-field cron expressions (minute hour day-of-month month
// day-of-week), evaluated in a time zone.
//
//   auto nightly = CronExpression::Parse("0 2 * * *");
//   absl::Time next = *nightly->Next(absl::Now(), absl::UTCTimeZone());
//
// Fields accept "*", numbers, ranges "a-b", steps "*/s" and "a-b/s", and
// comma-separated lists; months accept JAN-DEC and weekdays SUN-SAT (0 and 7
// are Sunday). As in Vixie cron, when both day fields are restricted a day
// matches if either does.
#ifndef BENCHFLEET_COORDINATOR_CRON_H_
#define BENCHFLEET_COORDINATOR_CRON_H_

#include <bitset>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace benchfleet::coordinator {

class CronExpression {
 public:
  // INVALID_ARGUMENT naming the field and the bad text.
  static absl::StatusOr<CronExpression> Parse(absl::string_view text);

  // The first matching minute strictly after `after`, in `zone`; nullopt when
  // none falls within the next five years (e.g. "0 0 30 2 *").
  std::optional<absl::Time> Next(absl::Time after, absl::TimeZone zone) const;

  const std::string& text() const { return text_; }

 private:
  bool DayMatches(const absl::CivilDay& day) const;

  std::string text_;
  std::bitset<60> minutes_;
  std::bitset<24> hours_;
  std::bitset<32> days_;    // 1..31
  std::bitset<13> months_;  // 1..12
  std::bitset<7> weekdays_; // 0 = Sunday
  bool days_restricted_ = false;
  bool weekdays_restricted_ = false;
};

}  // namespace benchfleet::coordinator

#endif  // BENCHFLEET_COORDINATOR_CRON_H_
