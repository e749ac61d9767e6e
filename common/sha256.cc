// SHA-256 via OpenSSL's EVP interface; see sha256.h.
#include "common/sha256.h"

#include <openssl/evp.h>

#include "absl/strings/escaping.h"

namespace bkk {

std::string Sha256Hex(absl::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), digest, &len, EVP_sha256(), nullptr);
  return absl::BytesToHexString(absl::string_view(reinterpret_cast<char*>(digest), len));
}

}  // namespace bkk
