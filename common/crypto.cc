// OpenSSL-backed crypto helpers; see crypto.h.
#include "common/crypto.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <algorithm>
#include <limits>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/escaping.h"
#include "common/status_macros.h"

namespace bkk {

std::string HmacSha256(absl::string_view key, absl::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int out_len = 0;
  // HMAC() takes the key length as int; secrets are tiny, so this never trips.
  const int key_len = static_cast<int>(std::min<size_t>(key.size(), std::numeric_limits<int>::max()));
  const unsigned char* result = HMAC(EVP_sha256(), key.data(), key_len,
                                     reinterpret_cast<const unsigned char*>(data.data()), data.size(), out, &out_len);
  if (result == nullptr || out_len != kSha256Bytes) {
    // Only possible if OpenSSL itself is broken; fail closed with a tag that
    // can never verify rather than crash the service.
    return std::string();
  }
  return std::string(reinterpret_cast<const char*>(out), out_len);
}

bool ConstantTimeEquals(absl::string_view a, absl::string_view b) {
  if (a.size() != b.size()) return false;
  if (a.empty()) return true;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string LowerHex(absl::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 0x0f]);
  }
  return out;
}

namespace {

int LowerHexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

}  // namespace

bool DecodeLowerHex(absl::string_view hex, std::string* bytes) {
  if (hex.size() % 2 != 0) return false;
  std::string out;
  out.reserve(hex.size() / 2);
  for (size_t i = 0; i < hex.size(); i += 2) {
    const int hi = LowerHexValue(hex[i]);
    const int lo = LowerHexValue(hex[i + 1]);
    if (hi < 0 || lo < 0) return false;
    out.push_back(static_cast<char>((hi << 4) | lo));
  }
  *bytes = std::move(out);
  return true;
}

absl::StatusOr<std::string> RandomBytes(size_t n) {
  std::string out(n, '\0');
  if (n > 0 && RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(n)) != 1) {
    return absl::InternalError("the system random number generator failed");
  }
  return out;
}

absl::StatusOr<std::string> RandomUrlToken(size_t n) {
  ASSIGN_OR_RETURN(std::string raw, RandomBytes(n));
  return absl::WebSafeBase64Escape(raw);
}

}  // namespace bkk
