// Short-lived signed voter tokens. After a voter is verified (citizen ID) or
// recognised (anonymous browser id), the service issues a token naming the
// round and the voter key; ballot calls present it instead of the identity.
//
// Wire form: base64url(payload) "." base64url(HMAC-SHA256(secret, payload)),
// no padding. Payload (binary, big-endian):
//   [0]      version = 1
//   [1]      kind: 1 = VERIFIED, 2 = ANONYMOUS
//   [2..9]   expiry, unix seconds (int64)
//   [10]     round_id length L (1..kMaxRoundIdBytes)
//   [11..]   round_id bytes, then the voter key as 32 raw bytes
// A typical token is about 110 characters.
#ifndef SERVICES_VOTING_CORE_VOTER_TOKEN_H_
#define SERVICES_VOTING_CORE_VOTER_TOKEN_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace bkk::voting {

enum class VoterKind : uint8_t {
  kVerified = 1,   // identity checked with a citizen ID
  kAnonymous = 2,  // browser id only: one ballot per browser
};

// "verified" / "anonymous".
absl::string_view VoterKindName(VoterKind kind);

inline constexpr size_t kMaxRoundIdBytes = 64;
// Tokens longer than this are rejected before any decoding work.
inline constexpr size_t kMaxVoterTokenChars = 512;

struct VoterClaims {
  std::string round_id;         // 1..kMaxRoundIdBytes bytes
  std::string voter_hash;       // VoterKeyHasher output: 64 lower-case hex
  int64_t expires_at_unix = 0;  // valid while now < expires_at_unix
  VoterKind kind = VoterKind::kVerified;

  friend bool operator==(const VoterClaims& a, const VoterClaims& b) {
    return a.round_id == b.round_id && a.voter_hash == b.voter_hash && a.expires_at_unix == b.expires_at_unix &&
           a.kind == b.kind;
  }
  friend bool operator!=(const VoterClaims& a, const VoterClaims& b) { return !(a == b); }
};

class VoterTokenSigner final {
 public:
  // INVALID_ARGUMENT if `secret` is shorter than kMinSecretBytes. Use a secret
  // different from the VoterKeyHasher one.
  static absl::StatusOr<VoterTokenSigner> Create(absl::string_view secret);

  // INVALID_ARGUMENT if a claim cannot be encoded (empty or long round_id,
  // voter_hash not 64 lower-case hex, expiry <= 0).
  absl::StatusOr<std::string> Issue(const VoterClaims& claims) const;

  // Convenience: expiry = now + ttl (rounded down to whole seconds).
  absl::StatusOr<std::string> IssueFor(absl::string_view round_id, absl::string_view voter_hash, VoterKind kind,
                                       absl::Time now, absl::Duration ttl) const;

  // UNAUTHENTICATED, with a message saying why, if the token is malformed,
  // its signature does not match, its version is unknown, or it has expired
  // (now >= expiry). The signature is checked before the payload is trusted.
  absl::StatusOr<VoterClaims> Verify(absl::string_view token, absl::Time now) const;

 private:
  explicit VoterTokenSigner(std::string secret) : secret_(std::move(secret)) {}

  std::string Sign(absl::string_view payload) const;

  std::string secret_;
};

}  // namespace bkk::voting

#endif  // SERVICES_VOTING_CORE_VOTER_TOKEN_H_
