// Voter token encoding, signing and verification.
#include "services/voting/core/voter_token.h"

#include "absl/status/status.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "common/crypto.h"
#include "common/error_reason.h"

namespace bkk::voting {
namespace {

constexpr uint8_t kTokenVersion = 1;
// Fixed bytes around the round id: version, kind, expiry, length, voter key.
constexpr size_t kFixedPayloadBytes = 1 + 1 + 8 + 1 + kSha256Bytes;
// Prefix of the signed message, so a MAC made with this secret for any other
// purpose can never pass as a token signature.
constexpr absl::string_view kSignDomain = "bkk-voter-token:";

absl::Status Malformed(absl::string_view why) {
  return WithReason(absl::UnauthenticatedError(absl::StrCat("voter token is malformed: ", why)), "VOTER_TOKEN_INVALID");
}

// Strict base64url: only the canonical unpadded encoding is accepted, so each
// payload has exactly one token spelling.
bool DecodeBase64Url(absl::string_view text, std::string* out) {
  if (!absl::WebSafeBase64Unescape(text, out)) return false;
  return absl::WebSafeBase64Escape(*out) == text;
}

std::string FormatUnix(int64_t seconds) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", absl::FromUnixSeconds(seconds), absl::UTCTimeZone());
}

}  // namespace

absl::string_view VoterKindName(VoterKind kind) {
  switch (kind) {
    case VoterKind::kVerified:
      return "verified";
    case VoterKind::kAnonymous:
      return "anonymous";
  }
  return "unknown";
}

absl::StatusOr<VoterTokenSigner> VoterTokenSigner::Create(absl::string_view secret) {
  if (secret.size() < kMinSecretBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("voter token secret must be at least ", kMinSecretBytes, " bytes, got ", secret.size()));
  }
  return VoterTokenSigner(std::string(secret));
}

std::string VoterTokenSigner::Sign(absl::string_view payload) const {
  return HmacSha256(secret_, absl::StrCat(kSignDomain, payload));
}

absl::StatusOr<std::string> VoterTokenSigner::Issue(const VoterClaims& claims) const {
  if (claims.round_id.empty() || claims.round_id.size() > kMaxRoundIdBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("round_id must be 1 to ", kMaxRoundIdBytes, " bytes, got ", claims.round_id.size()));
  }
  std::string key;
  if (claims.voter_hash.size() != 2 * kSha256Bytes || !DecodeLowerHex(claims.voter_hash, &key)) {
    return absl::InvalidArgumentError(
        "voter_hash must be 64 lower-case hex characters (a VoterKeyHasher "
        "key)");
  }
  if (claims.expires_at_unix <= 0) {
    return absl::InvalidArgumentError("expires_at_unix must be a positive unix time");
  }
  if (claims.kind != VoterKind::kVerified && claims.kind != VoterKind::kAnonymous) {
    return absl::InvalidArgumentError("kind must be VERIFIED or ANONYMOUS");
  }

  std::string payload;
  payload.reserve(kFixedPayloadBytes + claims.round_id.size());
  payload.push_back(static_cast<char>(kTokenVersion));
  payload.push_back(static_cast<char>(claims.kind));
  const uint64_t expiry = static_cast<uint64_t>(claims.expires_at_unix);
  for (int shift = 56; shift >= 0; shift -= 8) {
    payload.push_back(static_cast<char>((expiry >> shift) & 0xff));
  }
  payload.push_back(static_cast<char>(claims.round_id.size()));
  payload.append(claims.round_id);
  payload.append(key);
  return absl::StrCat(absl::WebSafeBase64Escape(payload), ".", absl::WebSafeBase64Escape(Sign(payload)));
}

absl::StatusOr<std::string> VoterTokenSigner::IssueFor(absl::string_view round_id, absl::string_view voter_hash,
                                                       VoterKind kind, absl::Time now, absl::Duration ttl) const {
  VoterClaims claims;
  claims.round_id = std::string(round_id);
  claims.voter_hash = std::string(voter_hash);
  claims.kind = kind;
  claims.expires_at_unix = absl::ToUnixSeconds(now + ttl);
  return Issue(claims);
}

absl::StatusOr<VoterClaims> VoterTokenSigner::Verify(absl::string_view token, absl::Time now) const {
  if (token.empty()) return Malformed("the token is empty");
  if (token.size() > kMaxVoterTokenChars) {
    return Malformed(absl::StrCat("longer than ", kMaxVoterTokenChars, " characters"));
  }
  const size_t dot = token.find('.');
  if (dot == absl::string_view::npos || token.find('.', dot + 1) != absl::string_view::npos) {
    return Malformed("expected <payload>.<signature>");
  }
  std::string payload;
  std::string signature;
  if (!DecodeBase64Url(token.substr(0, dot), &payload) || !DecodeBase64Url(token.substr(dot + 1), &signature)) {
    return Malformed("not valid unpadded base64url");
  }
  if (!ConstantTimeEquals(signature, Sign(payload))) {
    return WithReason(absl::UnauthenticatedError("voter token signature does not match: the token was altered or "
                                                 "signed with another key"),
                      "VOTER_TOKEN_INVALID");
  }

  // Signed by us, so the layout is ours; still check every length so a
  // future format bug cannot read out of bounds.
  if (payload.size() < kFixedPayloadBytes) {
    return Malformed("payload too short");
  }
  const auto byte = [&payload](size_t i) { return static_cast<uint8_t>(payload[i]); };
  if (byte(0) != kTokenVersion) {
    return WithReason(absl::UnauthenticatedError(absl::StrCat("voter token version ", byte(0),
                                                              " is not supported (expected ", kTokenVersion, ")")),
                      "VOTER_TOKEN_INVALID");
  }
  VoterClaims claims;
  if (byte(1) != static_cast<uint8_t>(VoterKind::kVerified) && byte(1) != static_cast<uint8_t>(VoterKind::kAnonymous)) {
    return Malformed(absl::StrCat("unknown voter kind ", byte(1)));
  }
  claims.kind = static_cast<VoterKind>(byte(1));
  uint64_t expiry = 0;
  for (size_t i = 2; i < 10; ++i) expiry = (expiry << 8) | byte(i);
  claims.expires_at_unix = static_cast<int64_t>(expiry);
  const size_t round_len = byte(10);
  if (round_len == 0 || round_len > kMaxRoundIdBytes || payload.size() != kFixedPayloadBytes + round_len) {
    return Malformed("payload length does not match its round id length");
  }
  claims.round_id = payload.substr(11, round_len);
  claims.voter_hash = LowerHex(absl::string_view(payload).substr(11 + round_len));

  const int64_t now_unix = absl::ToUnixSeconds(now);
  if (now_unix >= claims.expires_at_unix) {
    return WithReason(
        absl::UnauthenticatedError(absl::StrCat("voter token expired at ", FormatUnix(claims.expires_at_unix), " (now ",
                                                FormatUnix(now_unix), "); sign in again")),
        "VOTER_TOKEN_EXPIRED");
  }
  return claims;
}

}  // namespace bkk::voting
