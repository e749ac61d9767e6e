// Tests of the test-only CSV reader: quoting rules and the real file's shape.

#include "services/keyword_analytics/core/testing/ordinance_csv.h"

#include <numeric>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace bkk::keywords::testing {
namespace {

using ::testing::ElementsAre;

TEST(LoadOrdinanceLinesTest, ReadsEveryRowOfTheRealFile) {
  absl::StatusOr<std::vector<Line>> lines = LoadOrdinanceLines(BKK_DATA_DIR "/budget/bma-ordinance-2566-items.csv");
  ASSERT_TRUE(lines.ok()) << lines.status();
  EXPECT_EQ(lines->size(), 1766u);
  // The grand total of ข้อ 3 of the ordinance (data/README.md).
  const int64_t total = std::accumulate(lines->begin(), lines->end(), int64_t{0},
                                        [](int64_t sum, const Line& line) { return sum + line.amount_baht; });
  EXPECT_EQ(total, 79719012050);
  EXPECT_EQ((*lines)[0].fiscal_year, 2566);
  EXPECT_EQ((*lines)[0].name, "เงินสำรองจ่ายทั่วไป - กรณีฉุกเฉินหรือจำเป็น");
}

}  // namespace
}  // namespace bkk::keywords::testing
