// Small cryptographic helpers shared by the voter-identity code of the voting
// core: HMAC-SHA256, constant-time comparison, hex encoding and secure random
// bytes. Thin wrappers over OpenSSL so the rest of the core never touches it.
#ifndef SERVICES_VOTING_CORE_CRYPTO_H_
#define SERVICES_VOTING_CORE_CRYPTO_H_

#include <cstddef>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace bkk::voting {

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

}  // namespace bkk::voting

#endif  // SERVICES_VOTING_CORE_CRYPTO_H_
