// Thai citizen ID (เลขประจำตัวประชาชน) validation and the keyed hash that turns
// an ID, or an anonymous browser id, into the voter key the voting service
// stores. The raw ID is never stored or logged: only VoterKeyHasher's output.
#ifndef SERVICES_VOTING_CORE_CITIZEN_ID_H_
#define SERVICES_VOTING_CORE_CITIZEN_ID_H_

#include <cstddef>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace bkk::voting {

inline constexpr int kCitizenIdDigits = 13;

// Check digit of a Thai citizen ID from its first 12 digits:
// (11 - (sum_{i=0..11} d_i * (13 - i)) mod 11) mod 10.
// Precondition: `first12` is exactly 12 ASCII digits (returns -1 otherwise).
int CitizenIdCheckDigit(absl::string_view first12);

// Accepts "1234567890123" or the printed form "1-2345-67890-12-3" (dashes and
// spaces anywhere are dropped) and returns the 13 digits. Errors are
// INVALID_ARGUMENT naming `citizen_id` and saying which check failed
// (non-digit character, length, or check digit). Messages never echo the ID.
absl::StatusOr<std::string> NormalizeCitizenId(absl::string_view raw);

// Same checks as NormalizeCitizenId, without the result.
absl::Status ValidateCitizenId(absl::string_view raw);

// Turns identities into stable, non-reversible voter keys:
// hex(HMAC-SHA256(server secret, domain || identity)). The domain prefix keeps
// citizen and browser keys in separate spaces, so they can never collide.
// Anyone without the secret cannot test a guessed ID against a stored key,
// which a plain hash of a 13-digit number would allow in seconds.
class VoterKeyHasher final {
 public:
  // Length of every key this class returns (64 lower-case hex chars).
  static constexpr size_t kKeyHexChars = 64;

  // INVALID_ARGUMENT if `secret` is shorter than kMinSecretBytes.
  static absl::StatusOr<VoterKeyHasher> Create(absl::string_view secret);

  // Validates and normalises the ID first (see NormalizeCitizenId), so
  // "1-2345-..." and "12345..." give the same key.
  absl::StatusOr<std::string> HashCitizenId(absl::string_view raw_id) const;

  // Key for an anonymous browser voter. `browser_id` is the random id the
  // browser keeps (see NewBrowserId); 16 to 128 chars of [A-Za-z0-9_-],
  // INVALID_ARGUMENT naming `browser_id` otherwise.
  absl::StatusOr<std::string> HashBrowserId(absl::string_view browser_id) const;

  // A fresh random browser id: 128 bits as 32 lower-case hex chars.
  static absl::StatusOr<std::string> NewBrowserId();

 private:
  explicit VoterKeyHasher(std::string secret) : secret_(std::move(secret)) {}

  std::string secret_;
};

}  // namespace bkk::voting

#endif  // SERVICES_VOTING_CORE_CITIZEN_ID_H_
