// Bearer-token checks for admin RPCs. The gateway passes `authorization`
// through untouched; the services alone decide who is an operator.
#ifndef BKK_SERVICES_COMMON_AUTH_H_
#define BKK_SERVICES_COMMON_AUTH_H_

#include <grpcpp/server_context.h>

#include <string>

#include "absl/status/status.h"

namespace bkk {

// UNAUTHENTICATED when no bearer token is sent, PERMISSION_DENIED when it is
// not `admin_token`. The compare takes the same time wherever it differs.
absl::Status CheckAdminToken(const grpc::ServerContext& context, const std::string& admin_token);

// Same check on a raw header value ("Bearer abc").
absl::Status CheckBearer(const std::string& header_value, const std::string& admin_token);

// Equal strings, compared in constant time for equal lengths.
bool ConstantTimeEquals(const std::string& a, const std::string& b);

}  // namespace bkk

#endif  // BKK_SERVICES_COMMON_AUTH_H_
