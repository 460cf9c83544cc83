#include "coordinator/cron.h"

#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace benchfleet::coordinator {
namespace {

struct FieldSpec {
  const char* name;
  int min;
  int max;
  std::vector<std::string> names;  // names[i] stands for min + i
};

const FieldSpec kFields[] = {
    {"minute", 0, 59, {}},
    {"hour", 0, 23, {}},
    {"day-of-month", 1, 31, {}},
    {"month", 1, 12,
     {"JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT",
      "NOV", "DEC"}},
    {"day-of-week", 0, 7, {"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"}},
};

bool ParseValue(const FieldSpec& field, absl::string_view text, int* value) {
  const std::string upper = absl::AsciiStrToUpper(text);
  for (size_t i = 0; i < field.names.size(); ++i) {
    if (upper == field.names[i]) {
      *value = field.min + static_cast<int>(i);
      return true;
    }
  }
  return absl::SimpleAtoi(text, value) && *value >= field.min &&
         *value <= field.max;
}

// Sets the bits of one field; returns false on bad syntax or range.
bool ParseField(const FieldSpec& field, absl::string_view text,
                std::vector<bool>& bits, bool* restricted) {
  *restricted = text != "*";
  for (absl::string_view part : absl::StrSplit(text, ',')) {
    int step = 1;
    std::vector<absl::string_view> range_step = absl::StrSplit(part, '/');
    if (range_step.size() > 2) return false;
    if (range_step.size() == 2 &&
        (!absl::SimpleAtoi(range_step[1], &step) || step < 1))
      return false;
    int low = field.min, high = field.max;
    if (range_step[0] != "*") {
      std::vector<absl::string_view> bounds = absl::StrSplit(range_step[0], '-');
      if (bounds.size() > 2 || !ParseValue(field, bounds[0], &low)) return false;
      high = low;
      if (bounds.size() == 2 && !ParseValue(field, bounds[1], &high)) return false;
      // "a/s" means from a to the end, as in Vixie cron.
      if (bounds.size() == 1 && range_step.size() == 2) high = field.max;
      if (high < low) return false;
    }
    for (int v = low; v <= high; v += step) bits[v] = true;
  }
  return true;
}

}  // namespace

absl::StatusOr<CronExpression> CronExpression::Parse(absl::string_view text) {
  std::vector<absl::string_view> parts =
      absl::StrSplit(absl::StripAsciiWhitespace(text), ' ', absl::SkipEmpty());
  if (parts.size() != 5) {
    return absl::InvalidArgumentError(absl::StrCat(
        "cron = \"", text, "\": needs 5 fields (minute hour day-of-month month "
        "day-of-week), got ", parts.size()));
  }
  CronExpression cron;
  cron.text_ = std::string(text);
  for (int f = 0; f < 5; ++f) {
    const FieldSpec& field = kFields[f];
    std::vector<bool> bits(field.max + 1, false);
    bool restricted = false;
    if (!ParseField(field, parts[f], bits, &restricted)) {
      return absl::InvalidArgumentError(
          absl::StrCat("cron = \"", text, "\": bad ", field.name, " field \"",
                       parts[f], "\" (allowed ", field.min, "-", field.max, ")"));
    }
    for (int v = field.min; v <= field.max; ++v) {
      if (!bits[v]) continue;
      switch (f) {
        case 0: cron.minutes_.set(v); break;
        case 1: cron.hours_.set(v); break;
        case 2: cron.days_.set(v); break;
        case 3: cron.months_.set(v); break;
        case 4: cron.weekdays_.set(v % 7); break;
      }
    }
    if (f == 2) cron.days_restricted_ = restricted;
    if (f == 4) cron.weekdays_restricted_ = restricted;
  }
  return cron;
}

bool CronExpression::DayMatches(const absl::CivilDay& day) const {
  const bool dom = days_[day.day()];
  const int weekday = (static_cast<int>(absl::GetWeekday(day)) + 1) % 7;  // Sunday = 0
  const bool dow = weekdays_[weekday];
  if (days_restricted_ && weekdays_restricted_) return dom || dow;
  return dom && dow;
}

std::optional<absl::Time> CronExpression::Next(absl::Time after,
                                               absl::TimeZone zone) const {
  absl::CivilMinute t = absl::ToCivilMinute(after, zone) + 1;
  const int64_t last_year = t.year() + 5;
  while (t.year() <= last_year) {
    if (!months_[t.month()]) {
      t = absl::CivilMinute(absl::CivilMonth(t) + 1);
    } else if (!DayMatches(absl::CivilDay(t))) {
      t = absl::CivilMinute(absl::CivilDay(t) + 1);
    } else if (!hours_[t.hour()]) {
      t = absl::CivilMinute(absl::CivilHour(t) + 1);
    } else if (!minutes_[t.minute()]) {
      t += 1;
    } else {
      // A minute skipped by a DST jump maps to the jump; a repeated one maps to
      // its first occurrence, which may not be after `after`.
      const absl::Time time = absl::FromCivil(t, zone);
      if (time > after) return time;
      t += 1;
    }
  }
  return std::nullopt;
}

}  // namespace benchfleet::coordinator
