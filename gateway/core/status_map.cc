// The one gRPC -> HTTP status table and the JSON error body; see status_map.h.
#include "gateway/core/status_map.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/grpc_status.h"
#include "gateway/core/text.h"

namespace bkk::gateway {

int HttpStatusForGrpcCode(grpc::StatusCode code) {
  // No default: -Wswitch flags a code added to gRPC and not mapped here.
  switch (code) {
    case grpc::StatusCode::OK:
      return 200;
    case grpc::StatusCode::CANCELLED:
      return 499;
    case grpc::StatusCode::UNKNOWN:
      return 500;
    case grpc::StatusCode::INVALID_ARGUMENT:
      return 400;
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      return 504;
    case grpc::StatusCode::NOT_FOUND:
      return 404;
    case grpc::StatusCode::ALREADY_EXISTS:
      return 409;
    case grpc::StatusCode::PERMISSION_DENIED:
      return 403;
    case grpc::StatusCode::RESOURCE_EXHAUSTED:
      return 429;
    case grpc::StatusCode::FAILED_PRECONDITION:
      return 400;
    case grpc::StatusCode::ABORTED:
      return 409;
    case grpc::StatusCode::OUT_OF_RANGE:
      return 400;
    case grpc::StatusCode::UNIMPLEMENTED:
      return 501;
    case grpc::StatusCode::INTERNAL:
      return 500;
    case grpc::StatusCode::UNAVAILABLE:
      return 503;
    case grpc::StatusCode::DATA_LOSS:
      return 500;
    case grpc::StatusCode::UNAUTHENTICATED:
      return 401;
    case grpc::StatusCode::DO_NOT_USE:
      return 500;
  }
  return 500;  // a value outside the enum
}

absl::string_view GrpcCodeName(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::OK:
      return "OK";
    case grpc::StatusCode::CANCELLED:
      return "CANCELLED";
    case grpc::StatusCode::UNKNOWN:
      return "UNKNOWN";
    case grpc::StatusCode::INVALID_ARGUMENT:
      return "INVALID_ARGUMENT";
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      return "DEADLINE_EXCEEDED";
    case grpc::StatusCode::NOT_FOUND:
      return "NOT_FOUND";
    case grpc::StatusCode::ALREADY_EXISTS:
      return "ALREADY_EXISTS";
    case grpc::StatusCode::PERMISSION_DENIED:
      return "PERMISSION_DENIED";
    case grpc::StatusCode::RESOURCE_EXHAUSTED:
      return "RESOURCE_EXHAUSTED";
    case grpc::StatusCode::FAILED_PRECONDITION:
      return "FAILED_PRECONDITION";
    case grpc::StatusCode::ABORTED:
      return "ABORTED";
    case grpc::StatusCode::OUT_OF_RANGE:
      return "OUT_OF_RANGE";
    case grpc::StatusCode::UNIMPLEMENTED:
      return "UNIMPLEMENTED";
    case grpc::StatusCode::INTERNAL:
      return "INTERNAL";
    case grpc::StatusCode::UNAVAILABLE:
      return "UNAVAILABLE";
    case grpc::StatusCode::DATA_LOSS:
      return "DATA_LOSS";
    case grpc::StatusCode::UNAUTHENTICATED:
      return "UNAUTHENTICATED";
    case grpc::StatusCode::DO_NOT_USE:
      return "UNKNOWN";
  }
  return "UNKNOWN";
}

absl::string_view HttpReason(int http_status) {
  switch (http_status) {
    case 200:
      return "OK";
    case 204:
      return "No Content";
    case 301:
      return "Moved Permanently";
    case 302:
      return "Found";
    case 304:
      return "Not Modified";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 408:
      return "Request Timeout";
    case 409:
      return "Conflict";
    case 413:
      return "Payload Too Large";
    case 415:
      return "Unsupported Media Type";
    case 429:
      return "Too Many Requests";
    case 431:
      return "Request Header Fields Too Large";
    case 499:
      return "Client Closed Request";
    case 500:
      return "Internal Server Error";
    case 501:
      return "Not Implemented";
    case 503:
      return "Service Unavailable";
    case 504:
      return "Gateway Timeout";
    default:
      return "Unknown";
  }
}

std::string ErrorJson(absl::string_view code, int http_status, absl::string_view message, const ErrorReason* reason) {
  std::string json = absl::StrCat("{\"error\":{\"code\":", JsonQuote(code), ",\"http_status\":", http_status,
                                  ",\"message\":", JsonQuote(message));
  if (reason != nullptr) {
    absl::StrAppend(&json, ",\"reason\":", JsonQuote(reason->reason), ",\"metadata\":{");
    const char* comma = "";
    for (const auto& [key, value] : reason->metadata) {
      absl::StrAppend(&json, comma, JsonQuote(key), ":", JsonQuote(value));
      comma = ",";
    }
    json += "}";
  }
  return json + "}}";
}

HttpResponse ErrorResponse(int http_status, absl::string_view code, absl::string_view message,
                           const ErrorReason* reason) {
  HttpResponse response;
  response.status = http_status;
  response.body = ErrorJson(code, http_status, message, reason);
  response.headers.push_back({"Content-Type", "application/json; charset=utf-8"});
  response.headers.push_back({"Cache-Control", "no-store"});
  return response;
}

void AddTraceIdToError(HttpResponse* response, absl::string_view trace_id) {
  std::string& body = response->body;
  if (trace_id.empty() || !absl::StartsWith(body, "{\"error\":{") || !absl::EndsWith(body, "}}")) return;
  body.insert(body.size() - 2, absl::StrCat(",\"trace_id\":", JsonQuote(trace_id)));
}

HttpResponse ErrorResponseForGrpc(const grpc::Status& status) {
  const grpc::StatusCode code = status.error_code();
  std::string message = status.error_message();
  if (message.empty()) message = std::string(GrpcCodeName(code));
  // A backend's stable reason (google.rpc.ErrorInfo) lets the web app word
  // the refusal in its reader's language.
  const auto reason = ReasonOf(bkk::FromGrpcStatus(status));
  return ErrorResponse(HttpStatusForGrpcCode(code), GrpcCodeName(code), message,
                       reason.has_value() ? &*reason : nullptr);
}

HttpResponse ErrorResponseForStatus(const absl::Status& status) {
  return ErrorResponseForGrpc(bkk::ToGrpcStatus(status));
}

}  // namespace bkk::gateway
