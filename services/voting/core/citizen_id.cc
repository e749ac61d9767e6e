// Thai citizen ID checks and voter-key hashing.
#include "services/voting/core/citizen_id.h"

#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/crypto.h"
#include "common/error_reason.h"

namespace bkk::voting {
namespace {

// Domain prefixes of the HMAC input; see VoterKeyHasher.
constexpr absl::string_view kCitizenDomain = "bkk-voter/citizen-id/v1:";
constexpr absl::string_view kBrowserDomain = "bkk-voter/browser-id/v1:";

constexpr size_t kMinBrowserIdChars = 16;
constexpr size_t kMaxBrowserIdChars = 128;
constexpr size_t kBrowserIdRandomBytes = 16;

}  // namespace

int CitizenIdCheckDigit(absl::string_view first12) {
  if (first12.size() != kCitizenIdDigits - 1) return -1;
  int sum = 0;
  for (int i = 0; i < kCitizenIdDigits - 1; ++i) {
    const char c = first12[i];
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) return -1;
    sum += (c - '0') * (13 - i);
  }
  return (11 - sum % 11) % 10;
}

absl::StatusOr<std::string> NormalizeCitizenId(absl::string_view raw) {
  std::string digits;
  digits.reserve(kCitizenIdDigits);
  for (size_t i = 0; i < raw.size(); ++i) {
    const char c = raw[i];
    if (c == '-' || c == ' ') continue;
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) {
      // Position is 1-based in the input as typed; the character itself is
      // not echoed (it may be part of someone's ID).
      return WithReason(absl::InvalidArgumentError(absl::StrCat(
                            "citizen_id must contain only digits (dashes and spaces are allowed as separators); "
                            "found a non-digit character at position ",
                            i + 1)),
                        "CITIZEN_ID_NOT_DIGITS", {{"position", absl::StrCat(i + 1)}});
    }
    digits.push_back(c);
  }
  if (digits.size() != kCitizenIdDigits) {
    return WithReason(absl::InvalidArgumentError(absl::StrCat("citizen_id must have exactly ", kCitizenIdDigits,
                                                              " digits, got ", digits.size())),
                      "CITIZEN_ID_LENGTH", {{"digits", absl::StrCat(digits.size())}});
  }
  const int expected = CitizenIdCheckDigit(absl::string_view(digits).substr(0, kCitizenIdDigits - 1));
  if (digits.back() - '0' != expected) {
    return WithReason(absl::InvalidArgumentError("citizen_id checksum failed: the last digit does not match the "
                                                 "first 12 (the ID is probably mistyped)"),
                      "CITIZEN_ID_CHECKSUM");
  }
  return digits;
}

absl::Status ValidateCitizenId(absl::string_view raw) { return NormalizeCitizenId(raw).status(); }

absl::StatusOr<VoterKeyHasher> VoterKeyHasher::Create(absl::string_view secret) {
  if (secret.size() < kMinSecretBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("voter key secret must be at least ", kMinSecretBytes, " bytes, got ", secret.size()));
  }
  return VoterKeyHasher(std::string(secret));
}

absl::StatusOr<std::string> VoterKeyHasher::HashCitizenId(absl::string_view raw_id) const {
  absl::StatusOr<std::string> digits = NormalizeCitizenId(raw_id);
  if (!digits.ok()) return digits.status();
  return LowerHex(HmacSha256(secret_, absl::StrCat(kCitizenDomain, *digits)));
}

absl::StatusOr<std::string> VoterKeyHasher::HashBrowserId(absl::string_view browser_id) const {
  if (browser_id.size() < kMinBrowserIdChars || browser_id.size() > kMaxBrowserIdChars) {
    return absl::InvalidArgumentError(absl::StrCat("browser_id must be ", kMinBrowserIdChars, " to ",
                                                   kMaxBrowserIdChars, " characters long, got ", browser_id.size()));
  }
  for (char c : browser_id) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_') {
      return absl::InvalidArgumentError("browser_id may contain only letters, digits, '-' and '_'");
    }
  }
  return LowerHex(HmacSha256(secret_, absl::StrCat(kBrowserDomain, browser_id)));
}

absl::StatusOr<std::string> VoterKeyHasher::NewBrowserId() {
  absl::StatusOr<std::string> bytes = RandomBytes(kBrowserIdRandomBytes);
  if (!bytes.ok()) return bytes.status();
  return LowerHex(*bytes);
}

}  // namespace bkk::voting
