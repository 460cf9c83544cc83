#include "analysis/csv.h"

#include "gtest/gtest.h"

namespace benchfleet::analysis {
namespace {

TEST(CsvTest, QuotesOnlyWhatNeedsIt) {
  EXPECT_EQ(CsvField("resnet50"), "resnet50");
  EXPECT_EQ(CsvField("a,b"), "\"a,b\"");
  EXPECT_EQ(CsvField("say \"hi\""), "\"say \"\"hi\"\"\"");
  EXPECT_EQ(CsvField("line\nbreak"), "\"line\nbreak\"");
  EXPECT_EQ(CsvField("carriage\rreturn"), "\"carriage\rreturn\"");
  EXPECT_EQ(CsvField(""), "");
}

TEST(CsvTest, OneRecordPerLine) {
  EXPECT_EQ(CsvLine({"job", "error"}), "job,error\n");
  EXPECT_EQ(CsvLine({"7", "out of memory: 12 GiB, have 8"}),
            "7,\"out of memory: 12 GiB, have 8\"\n");
  EXPECT_EQ(CsvLine({}), "\n");
}

}  // namespace
}  // namespace benchfleet::analysis
