// Tests for signed voter tokens: issue, verify, expiry and tampering.
#include "services/voting/core/voter_token.h"

#include <string>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/voting/core/citizen_id.h"

namespace bkk::voting {
namespace {

using ::testing::HasSubstr;

constexpr absl::string_view kTokenSecret = "token-secret-token-secret-token-secret";
constexpr absl::string_view kHashSecret = "hash-secret-hash-secret-hash-secret!";

class VoterTokenTest : public ::testing::Test {
 protected:
  VoterTokenTest()
      : signer_(VoterTokenSigner::Create(kTokenSecret).value()),
        hasher_(VoterKeyHasher::Create(kHashSecret).value()),
        now_(absl::FromUnixSeconds(1'700'000'000)) {}

  VoterClaims Claims() const {
    VoterClaims claims;
    claims.round_id = "2567-bangrak";
    claims.voter_hash = hasher_.HashCitizenId("1101700230708").value();
    claims.expires_at_unix = absl::ToUnixSeconds(now_) + 900;
    claims.kind = VoterKind::kVerified;
    return claims;
  }

  VoterTokenSigner signer_;
  VoterKeyHasher hasher_;
  absl::Time now_;
};

TEST_F(VoterTokenTest, RoundTripsVerifiedClaims) {
  const VoterClaims claims = Claims();
  const std::string token = signer_.Issue(claims).value();
  EXPECT_LT(token.size(), 128u);
  EXPECT_EQ(token.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                    "0123456789-_."),
            std::string::npos);
  absl::StatusOr<VoterClaims> got = signer_.Verify(token, now_);
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(*got, claims);
}

TEST_F(VoterTokenTest, RoundTripsAnonymousBrowserClaims) {
  const std::string browser_id = VoterKeyHasher::NewBrowserId().value();
  const std::string token =
      signer_.IssueFor("r1", hasher_.HashBrowserId(browser_id).value(), VoterKind::kAnonymous, now_, absl::Minutes(30))
          .value();
  const VoterClaims got = signer_.Verify(token, now_).value();
  EXPECT_EQ(got.kind, VoterKind::kAnonymous);
  EXPECT_EQ(got.round_id, "r1");
  EXPECT_EQ(got.voter_hash, hasher_.HashBrowserId(browser_id).value());
  EXPECT_EQ(got.expires_at_unix, absl::ToUnixSeconds(now_) + 1800);
  EXPECT_EQ(VoterKindName(got.kind), "anonymous");
}

TEST_F(VoterTokenTest, ExpiresAtTheExpirySecond) {
  const std::string token = signer_.Issue(Claims()).value();
  EXPECT_TRUE(signer_.Verify(token, now_ + absl::Seconds(899)).ok());
  const absl::Status s = signer_.Verify(token, now_ + absl::Seconds(900)).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kUnauthenticated);
  EXPECT_THAT(s.message(), HasSubstr("expired at 2023-11-14T22:28:20Z"));
}

TEST_F(VoterTokenTest, RejectsEveryTamperedCharacter) {
  const std::string token = signer_.Issue(Claims()).value();
  for (size_t i = 0; i < token.size(); ++i) {
    if (token[i] == '.') continue;
    std::string bad = token;
    bad[i] = bad[i] == 'A' ? 'B' : 'A';
    const absl::Status s = signer_.Verify(bad, now_).status();
    EXPECT_EQ(s.code(), absl::StatusCode::kUnauthenticated) << "index " << i;
  }
}

TEST_F(VoterTokenTest, RejectsAlteredPayloadWithClearMessage) {
  // Re-encode a payload with a later expiry but keep the old signature.
  const std::string token = signer_.Issue(Claims()).value();
  const size_t dot = token.find('.');
  std::string payload;
  ASSERT_TRUE(absl::WebSafeBase64Unescape(token.substr(0, dot), &payload));
  payload[9] = static_cast<char>(payload[9] + 1);
  const std::string forged = absl::StrCat(absl::WebSafeBase64Escape(payload), token.substr(dot));
  EXPECT_THAT(signer_.Verify(forged, now_).status().message(), HasSubstr("signature does not match"));
}

TEST_F(VoterTokenTest, RejectsTokensFromAnotherKey) {
  const VoterTokenSigner other = VoterTokenSigner::Create("another-secret-another-secret-another").value();
  const std::string token = other.Issue(Claims()).value();
  const absl::Status s = signer_.Verify(token, now_).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kUnauthenticated);
  EXPECT_THAT(s.message(), HasSubstr("signature does not match"));
}

TEST_F(VoterTokenTest, RejectsMalformedTokens) {
  for (absl::string_view bad : {"", "no-dot", "a.b.c", "!!!.???", ".", "abc.", "AAAA.AAAA"}) {
    const absl::Status s = signer_.Verify(bad, now_).status();
    EXPECT_EQ(s.code(), absl::StatusCode::kUnauthenticated) << bad;
  }
  EXPECT_THAT(signer_.Verify("no-dot", now_).status().message(), HasSubstr("malformed"));
  EXPECT_THAT(signer_.Verify(std::string(600, 'A'), now_).status().message(), HasSubstr("longer than"));
}

TEST_F(VoterTokenTest, IssueValidatesClaims) {
  VoterClaims claims = Claims();
  claims.round_id = "";
  EXPECT_EQ(signer_.Issue(claims).status().code(), absl::StatusCode::kInvalidArgument);
  claims = Claims();
  claims.round_id = std::string(kMaxRoundIdBytes + 1, 'r');
  EXPECT_EQ(signer_.Issue(claims).status().code(), absl::StatusCode::kInvalidArgument);
  claims = Claims();
  claims.voter_hash = "1101700230708";  // a raw ID must never go in a token
  EXPECT_THAT(signer_.Issue(claims).status().message(), HasSubstr("voter_hash must be 64"));
  claims = Claims();
  claims.expires_at_unix = 0;
  EXPECT_EQ(signer_.Issue(claims).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(VoterTokenSigner::Create("short").status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace bkk::voting
