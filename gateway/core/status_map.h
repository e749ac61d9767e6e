// gRPC status -> HTTP status, in one exhaustive switch, and the JSON error
// body every error answer carries:
//   {"error":{"code":"NOT_FOUND","http_status":404,"message":"…"}}
// plus "reason" and "metadata" when the backend named a stable reason.
// `code` is the gRPC code name when a backend answered (or when the error
// is one a backend could have given, e.g. INVALID_ARGUMENT for a bad query
// parameter); errors only HTTP has (405, 408, 413, 415, 431) use the HTTP
// reason in the same UPPER_SNAKE spelling.
#ifndef BKK_GATEWAY_CORE_STATUS_MAP_H_
#define BKK_GATEWAY_CORE_STATUS_MAP_H_

#include <grpcpp/support/status.h>

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "common/error_reason.h"
#include "gateway/core/http_types.h"

namespace bkk::gateway {

// The HTTP status for a gRPC code. FAILED_PRECONDITION is 400 (as in
// google.rpc.Code): the request cannot succeed in the current state and the
// message says why; 412 is reserved for HTTP conditional headers.
// CANCELLED is 499 (client closed request), as Envoy and nginx log it.
int HttpStatusForGrpcCode(grpc::StatusCode code);

// "NOT_FOUND", "INVALID_ARGUMENT", …
absl::string_view GrpcCodeName(grpc::StatusCode code);

// The reason phrase for the status line ("Not Found").
absl::string_view HttpReason(int http_status);

// With a reason, the body adds "reason" and "metadata" (see common/error_reason.h).
std::string ErrorJson(absl::string_view code, int http_status, absl::string_view message,
                      const ErrorReason* reason = nullptr);

// A complete JSON error response (content type, no-store).
HttpResponse ErrorResponse(int http_status, absl::string_view code, absl::string_view message,
                           const ErrorReason* reason = nullptr);

// The answer for a backend's (or the transcoder's) non-OK status.
HttpResponse ErrorResponseForGrpc(const grpc::Status& status);
// Names the request's trace inside an ErrorJson body ({"error":{…,"trace_id":…}}),
// so a reported error leads to its log lines; other bodies are left alone.
void AddTraceIdToError(HttpResponse* response, absl::string_view trace_id);
HttpResponse ErrorResponseForStatus(const absl::Status& status);

}  // namespace bkk::gateway

#endif  // BKK_GATEWAY_CORE_STATUS_MAP_H_
