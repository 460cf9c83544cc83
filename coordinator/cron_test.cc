#include "coordinator/cron.h"

#include "gtest/gtest.h"

namespace benchfleet::coordinator {
namespace {

absl::Time Utc(int y, int mo, int d, int h, int mi) {
  return absl::FromCivil(absl::CivilMinute(y, mo, d, h, mi), absl::UTCTimeZone());
}

absl::Time NextUtc(const std::string& expr, absl::Time after) {
  auto cron = CronExpression::Parse(expr);
  EXPECT_TRUE(cron.ok()) << cron.status();
  return cron->Next(after, absl::UTCTimeZone()).value();
}

TEST(CronTest, Nightly) {
  EXPECT_EQ(NextUtc("0 2 * * *", Utc(2026, 11, 25, 1, 59)), Utc(2026, 11, 25, 2, 0));
  // Strictly after: at 02:00 the next slot is tomorrow's.
  EXPECT_EQ(NextUtc("0 2 * * *", Utc(2026, 11, 25, 2, 0)), Utc(2026, 11, 26, 2, 0));
}

TEST(CronTest, StepsRangesListsAndNames) {
  EXPECT_EQ(NextUtc("*/15 * * * *", Utc(2026, 1, 1, 0, 16)), Utc(2026, 1, 1, 0, 30));
  EXPECT_EQ(NextUtc("0 9-17/4 * * MON-FRI", Utc(2026, 11, 27, 18, 0)),  // Friday
            Utc(2026, 11, 30, 9, 0));                                    // Monday
  EXPECT_EQ(NextUtc("30 4 1,15 * *", Utc(2026, 2, 2, 0, 0)), Utc(2026, 2, 15, 4, 30));
  EXPECT_EQ(NextUtc("0 0 1 jan *", Utc(2026, 6, 1, 0, 0)), Utc(2027, 1, 1, 0, 0));
  EXPECT_EQ(NextUtc("0 0 * * 7", Utc(2026, 11, 25, 0, 0)),  // Sunday as 7
            Utc(2026, 11, 29, 0, 0));
}

TEST(CronTest, BothDayFieldsRestrictedMeansEither) {
  // The 13th or any Friday: Friday 2026-11-27 comes before 2026-12-13.
  EXPECT_EQ(NextUtc("0 0 13 * FRI", Utc(2026, 11, 25, 0, 0)), Utc(2026, 11, 27, 0, 0));
}

TEST(CronTest, TimeZone) {
  absl::TimeZone paris;
  ASSERT_TRUE(absl::LoadTimeZone("Europe/Paris", &paris));
  auto cron = CronExpression::Parse("0 2 * * *");
  // 02:00 in Paris in winter is 01:00 UTC.
  EXPECT_EQ(*cron->Next(Utc(2026, 11, 25, 0, 0), paris), Utc(2026, 11, 25, 1, 0));
  // 2026-03-29 02:30 does not exist in Paris (clocks jump 02:00 -> 03:00):
  // the run happens at the jump, 03:00 CEST = 01:00 UTC.
  auto skipped = CronExpression::Parse("30 2 29 3 *");
  EXPECT_EQ(*skipped->Next(Utc(2026, 3, 28, 0, 0), paris), Utc(2026, 3, 29, 1, 0));
}

TEST(CronTest, ImpossibleDateHasNoNextRun) {
  auto cron = CronExpression::Parse("0 0 30 2 *");
  ASSERT_TRUE(cron.ok());
  EXPECT_FALSE(cron->Next(Utc(2026, 1, 1, 0, 0), absl::UTCTimeZone()).has_value());
}

TEST(CronTest, ErrorsNameTheField) {
  for (const auto& [expr, needle] :
       std::vector<std::pair<std::string, std::string>>{
           {"0 2 * *", "needs 5 fields"},
           {"60 * * * *", "bad minute field \"60\""},
           {"* 24 * * *", "bad hour field"},
           {"* * 0 * *", "bad day-of-month field"},
           {"* * * 13 *", "bad month field"},
           {"* * * * 8", "bad day-of-week field"},
           {"*/0 * * * *", "bad minute field"},
           {"5-1 * * * *", "bad minute field"},
           {"x * * * *", "bad minute field"}}) {
    auto cron = CronExpression::Parse(expr);
    ASSERT_FALSE(cron.ok()) << expr;
    EXPECT_EQ(cron.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_NE(cron.status().message().find(needle), std::string::npos)
        << cron.status().message();
  }
}

}  // namespace
}  // namespace benchfleet::coordinator
