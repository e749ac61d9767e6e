// The caller of an admin RPC, read from gRPC metadata: `authorization:
// Bearer <operator key>` from API clients, or `x-operator-session` and
// `x-csrf-token`, which the gateway sets from the console's cookie and
// header (and which a client could send itself only by holding both).
#ifndef BKK_COMMON_OPERATORS_GRPC_CALLER_H_
#define BKK_COMMON_OPERATORS_GRPC_CALLER_H_

#include <grpcpp/server_context.h>

#include "common/operators/model.h"

namespace bkk::operators {

inline constexpr char kSessionMetadata[] = "x-operator-session";
inline constexpr char kCsrfMetadata[] = "x-csrf-token";

// Works for both the sync and the callback server contexts.
Caller CallerOf(const grpc::ServerContextBase& context);

}  // namespace bkk::operators

#endif  // BKK_COMMON_OPERATORS_GRPC_CALLER_H_
