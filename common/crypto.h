// Small cryptographic helpers: HMAC-SHA256, constant-time comparison, hex
// encoding and secure random bytes, for voter identities and operator keys.
// Thin wrappers over OpenSSL so no other code touches it.
#ifndef BKK_COMMON_CRYPTO_H_
#define BKK_COMMON_CRYPTO_H_

#include <cstddef>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace bkk {

// Server secrets shorter than this are refused: an HMAC key should carry at
// least as much entropy as the 256-bit output it protects.
inline constexpr size_t kMinSecretBytes = 32;

// Size of a raw HMAC-SHA256 tag.
inline constexpr size_t kSha256Bytes = 32;

// HMAC-SHA256(key, data) as 32 raw bytes.
std::string HmacSha256(absl::string_view key, absl::string_view data);

// Compares in time independent of where the inputs differ (CRYPTO_memcmp), so
// an attacker cannot learn a valid signature byte by byte. Unequal lengths
// return false immediately: lengths are not secret.
bool ConstantTimeEquals(absl::string_view a, absl::string_view b);

// Lower-case hex of raw bytes.
std::string LowerHex(absl::string_view bytes);

// Decodes lower-case hex; false on odd length or any other character.
bool DecodeLowerHex(absl::string_view hex, std::string* bytes);

// `n` bytes from OpenSSL's CSPRNG; INTERNAL if it fails (unseeded RNG).
absl::StatusOr<std::string> RandomBytes(size_t n);

// `n` random bytes as unpadded base64url: a secret fit for URLs, cookies and
// headers (operator keys, session tokens, proposal authors' links).
absl::StatusOr<std::string> RandomUrlToken(size_t n);

}  // namespace bkk

#endif  // BKK_COMMON_CRYPTO_H_
