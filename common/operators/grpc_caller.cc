// Caller from gRPC metadata; see grpc_caller.h.
#include "common/operators/grpc_caller.h"

#include "absl/strings/match.h"
#include "absl/strings/string_view.h"
#include "common/trace.h"

namespace bkk::operators {

Caller CallerOf(const grpc::ServerContextBase& context) {
  const auto& md = context.client_metadata();
  auto get = [&md](const char* key) {
    auto it = md.find(key);
    return it == md.end() ? std::string() : std::string(it->second.data(), it->second.size());
  };
  Caller c;
  const std::string authorization = get("authorization");
  constexpr absl::string_view kBearer = "Bearer ";
  // Anything but a bearer credential counts as none: the refusal then says
  // how to send one.
  if (absl::StartsWithIgnoreCase(authorization, kBearer)) c.bearer = authorization.substr(kBearer.size());
  c.session = get(kSessionMetadata);
  c.csrf = get(kCsrfMetadata);
  // The caller's own request id, else the trace (audit events then link to
  // the log lines of the same request).
  c.request_id = get("x-request-id");
  if (c.request_id.empty()) c.request_id = CurrentTraceId();
  return c;
}

}  // namespace bkk::operators
