// Admin bearer-token checks; see auth.h.
#include "common/auth.h"

#include <openssl/crypto.h>

#include "absl/strings/match.h"

namespace bkk {

bool ConstantTimeEquals(const std::string& a, const std::string& b) {
  if (a.size() != b.size()) return false;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

absl::Status CheckBearer(const std::string& header_value, const std::string& admin_token) {
  if (header_value.empty()) {
    return absl::UnauthenticatedError("this is an operator action: send `authorization: Bearer <admin token>`");
  }
  constexpr absl::string_view kPrefix = "Bearer ";
  if (!absl::StartsWithIgnoreCase(header_value, kPrefix)) {
    return absl::UnauthenticatedError("authorization must be `Bearer <admin token>`");
  }
  if (admin_token.empty() || !ConstantTimeEquals(header_value.substr(kPrefix.size()), admin_token)) {
    return absl::PermissionDeniedError("the bearer token is not an operator token");
  }
  return absl::OkStatus();
}

absl::Status CheckAdminToken(const grpc::ServerContext& context, const std::string& admin_token) {
  const auto& md = context.client_metadata();
  auto it = md.find("authorization");
  std::string value = it == md.end() ? "" : std::string(it->second.data(), it->second.size());
  return CheckBearer(value, admin_token);
}

}  // namespace bkk
