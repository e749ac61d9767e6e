// Exact decimal amounts: parsing at a scale, choosing a file's scale, and
// printing back what was read.
#include "services/voting/core/money.h"

#include <cstdint>

#include "common/testing/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace bkk::voting {
namespace {

using ::bkk::testing::StatusIs;
using ::testing::HasSubstr;

TEST(MoneyTest, ParsesAtTheElectionsScale) {
  EXPECT_EQ(ParseAmount("102533.36", 2).value(), 10253336);
  EXPECT_EQ(ParseAmount("7", 2).value(), 700);
  EXPECT_EQ(ParseAmount(" 42. ", 0).value(), 42);
  EXPECT_EQ(ParseAmount("0.5", 1).value(), 5);
  EXPECT_EQ(ParseAmount("9223372036854775807", 0).value(), INT64_MAX);
  EXPECT_THAT(ParseAmount("1000.50", 1), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("2 decimal places")));
  EXPECT_THAT(ParseAmount("92233720368547758.08", 2),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("too large")));
  EXPECT_THAT(ParseAmount("922337203685477581", 2),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("too large")));
  for (const char* bad : {"", "-5", "+5", "1e6", "12a", ".5", "1,000", "1.2.3"}) {
    EXPECT_THAT(ParseAmount(bad, 4), StatusIs(absl::StatusCode::kInvalidArgument)) << bad;
  }
}

TEST(MoneyTest, DecimalPlacesChooseTheScale) {
  EXPECT_EQ(DecimalPlaces("102533.36"), 2);
  EXPECT_EQ(DecimalPlaces("1000000.00"), 2);
  EXPECT_EQ(DecimalPlaces("7"), 0);
  EXPECT_EQ(DecimalPlaces("x"), -1);
}

TEST(MoneyTest, FormatsExactlyWhatWasRead) {
  EXPECT_EQ(FormatAmount(10253336, 2), "102533.36");
  EXPECT_EQ(FormatAmount(5, 2), "0.05");
  EXPECT_EQ(FormatAmount(0, 2), "0.00");
  EXPECT_EQ(FormatAmount(-150, 2), "-1.50");
  EXPECT_EQ(FormatAmount(42, 0), "42");
  EXPECT_EQ(FormatAmount(INT64_MIN, 0), "-9223372036854775808");
  for (int64_t v : {int64_t{0}, int64_t{1}, int64_t{99}, int64_t{10253336}, INT64_MAX}) {
    for (int scale = 0; scale <= kMaxMoneyScale; ++scale) {
      EXPECT_EQ(ParseAmount(FormatAmount(v, scale), scale).value(), v) << v << " at " << scale;
    }
  }
}

}  // namespace
}  // namespace bkk::voting
