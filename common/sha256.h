// SHA-256 of bytes as lower-case hex: dataset checksums and release versions.
#ifndef BKK_SERVICES_COMMON_SHA256_H_
#define BKK_SERVICES_COMMON_SHA256_H_

#include <string>

#include "absl/strings/string_view.h"

namespace bkk {

std::string Sha256Hex(absl::string_view data);

}  // namespace bkk

#endif  // BKK_SERVICES_COMMON_SHA256_H_
