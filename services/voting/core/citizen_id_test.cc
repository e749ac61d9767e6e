// Tests for Thai citizen ID validation and voter-key hashing.
#include "services/voting/core/citizen_id.h"

#include <string>

#include "common/testing/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace bkk::voting {
namespace {

using ::bkk::testing::StatusIs;

using ::testing::HasSubstr;
using ::testing::Not;

constexpr absl::string_view kSecret = "0123456789abcdef0123456789abcdef";
constexpr absl::string_view kOtherSecret = "fedcba9876543210fedcba9876543210";

TEST(CitizenIdCheckDigitTest, MatchesHandComputedValues) {
  // 1*13+2*12+...+2*2 = 352, 352 mod 11 = 0, (11 - 0) mod 10 = 1.
  EXPECT_EQ(CitizenIdCheckDigit("123456789012"), 1);
  // 1*13 + 1*2 = 15, 15 mod 11 = 4, 11 - 4 = 7.
  EXPECT_EQ(CitizenIdCheckDigit("100000000001"), 7);
  // 5*13 = 65, 65 mod 11 = 10, (11 - 10) mod 10 = 1.
  EXPECT_EQ(CitizenIdCheckDigit("500000000000"), 1);
  EXPECT_EQ(CitizenIdCheckDigit("12345"), -1);
  EXPECT_EQ(CitizenIdCheckDigit("12345678901a"), -1);
}

TEST(CitizenIdTest, AcceptsValidIds) {
  for (absl::string_view id : {"1101700230708", "3100100123451", "1234567890121", "3709900045333"}) {
    absl::StatusOr<std::string> got = NormalizeCitizenId(id);
    ASSERT_TRUE(got.ok()) << id << ": " << got.status();
    EXPECT_EQ(*got, id);
  }
}

TEST(CitizenIdTest, StripsDashesAndSpacesOfThePrintedForm) {
  EXPECT_EQ(NormalizeCitizenId("1-1017-00230-70-8").value(), "1101700230708");
  EXPECT_EQ(NormalizeCitizenId("1 1017 00230 70 8").value(), "1101700230708");
  EXPECT_EQ(NormalizeCitizenId(" 3-7099-00045-33-3 ").value(), "3709900045333");
}

TEST(CitizenIdTest, RejectsBadChecksum) {
  const absl::Status s = ValidateCitizenId("1101700230709");
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("citizen_id"));
  EXPECT_THAT(s.message(), HasSubstr("checksum"));
  // One swapped pair of digits is caught too.
  EXPECT_THAT(ValidateCitizenId("1011700230708"), StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(CitizenIdTest, RejectsWrongLength) {
  for (absl::string_view id : {"", "110170023070", "11017002307081", "1-1017-00230-70"}) {
    const absl::Status s = ValidateCitizenId(id);
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << id;
    EXPECT_THAT(s.message(), HasSubstr("citizen_id must have exactly 13"));
  }
  EXPECT_THAT(ValidateCitizenId("110170023070").message(), HasSubstr("got 12"));
}

TEST(CitizenIdTest, RejectsLettersWithoutEchoingTheId) {
  const absl::Status s = ValidateCitizenId("11017OO230708");
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("citizen_id must contain only digits"));
  EXPECT_THAT(s.message(), HasSubstr("position 6"));
  EXPECT_THAT(s.message(), Not(HasSubstr("11017")));
  // Thai digits are not ASCII digits.
  EXPECT_FALSE(ValidateCitizenId("\xE0\xB9\x91"
                                 "101700230708")
                   .ok());
}

TEST(VoterKeyHasherTest, RefusesShortSecrets) {
  EXPECT_EQ(VoterKeyHasher::Create("short").status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(VoterKeyHasherTest, IsDeterministicAndIgnoresFormatting) {
  const VoterKeyHasher hasher = VoterKeyHasher::Create(kSecret).value();
  const std::string a = hasher.HashCitizenId("1101700230708").value();
  const std::string b = hasher.HashCitizenId("1-1017-00230-70-8").value();
  EXPECT_EQ(a, b);
  EXPECT_EQ(a.size(), VoterKeyHasher::kKeyHexChars);
  EXPECT_EQ(a.find_first_not_of("0123456789abcdef"), std::string::npos);
  EXPECT_THAT(a, Not(HasSubstr("1101700230708")));
  EXPECT_NE(a, hasher.HashCitizenId("3709900045333").value());
}

TEST(VoterKeyHasherTest, DependsOnTheSecret) {
  const VoterKeyHasher one = VoterKeyHasher::Create(kSecret).value();
  const VoterKeyHasher two = VoterKeyHasher::Create(kOtherSecret).value();
  EXPECT_NE(one.HashCitizenId("1101700230708").value(), two.HashCitizenId("1101700230708").value());
}

TEST(VoterKeyHasherTest, RejectsInvalidIdsBeforeHashing) {
  const VoterKeyHasher hasher = VoterKeyHasher::Create(kSecret).value();
  EXPECT_EQ(hasher.HashCitizenId("1101700230709").status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(VoterKeyHasherTest, BrowserKeysAreSeparateFromCitizenKeys) {
  const VoterKeyHasher hasher = VoterKeyHasher::Create(kSecret).value();
  const std::string browser = VoterKeyHasher::NewBrowserId().value();
  EXPECT_EQ(browser.size(), 32u);
  EXPECT_NE(browser, VoterKeyHasher::NewBrowserId().value());
  const std::string key = hasher.HashBrowserId(browser).value();
  EXPECT_EQ(key, hasher.HashBrowserId(browser).value());
  EXPECT_EQ(key.size(), VoterKeyHasher::kKeyHexChars);
  // Same characters through both domains give different keys.
  EXPECT_NE(hasher.HashBrowserId("1101700230708000").value(), hasher.HashCitizenId("1101700230708").value());
}

TEST(VoterKeyHasherTest, RejectsMalformedBrowserIds) {
  const VoterKeyHasher hasher = VoterKeyHasher::Create(kSecret).value();
  EXPECT_THAT(hasher.HashBrowserId("short").status().message(), HasSubstr("browser_id must be 16 to 128"));
  EXPECT_THAT(hasher.HashBrowserId("abcdefghijklmnop;").status().message(), HasSubstr("browser_id may contain only"));
  EXPECT_EQ(hasher.HashBrowserId(std::string(129, 'a')).status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace bkk::voting
