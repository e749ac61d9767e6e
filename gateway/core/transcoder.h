// HTTP request -> gRPC request message, and gRPC response -> JSON, driven by
// the descriptors alone (reflection), following the proto3 JSON mapping:
//  - path variables and query parameters set fields by (dotted) name, proto
//    or JSON spelling: `filter.fiscal_year=2566`, `filter.fiscalYear=2566`;
//    repeated fields by repeating the parameter; enums by name or number;
//    int64 as decimal text; bools as true/false/1/0; bytes as base64.
//  - `body: "*"` parses the whole JSON body into the request, `body: "f"`
//    into field f; unknown JSON fields are refused (naming the field).
//  - responses print lowerCamelCase JSON names (the proto3 JSON mapping's
//    canonical form), every primitive field even when zero/empty (so clients
//    never guess defaults), enums as names, int64 as strings, map keys sorted
//    (so equal answers are equal bytes, and ETags agree across replicas).
// Every refusal is INVALID_ARGUMENT with a message naming the parameter.
#ifndef BKK_GATEWAY_CORE_TRANSCODER_H_
#define BKK_GATEWAY_CORE_TRANSCODER_H_

#include <google/protobuf/message.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "gateway/core/route_table.h"

namespace bkk::gateway {

struct QueryParam {
  std::string name;   // decoded
  std::string value;  // decoded
};

// Parses "a=1&b=x%20y" ('+' is a space). Refuses malformed escapes, invalid
// UTF-8 and more than `max_params` parameters.
absl::StatusOr<std::vector<QueryParam>> ParseQueryString(absl::string_view query, size_t max_params = 256);

// Sets the field at `path` (resolved by ResolveFieldPath) from text; repeated
// fields get one more element. `what` names the source in errors, e.g.
// "query parameter `limit`".
absl::Status SetFieldFromText(google::protobuf::Message* message,
                              const std::vector<const google::protobuf::FieldDescriptor*>& path,
                              absl::string_view value, absl::string_view what);

// Builds the request message of `route` from the matched path bindings, the
// raw query string (without '?') and the body.
absl::StatusOr<std::unique_ptr<google::protobuf::Message>> BuildGrpcRequest(const Route& route,
                                                                            const std::vector<Binding>& bindings,
                                                                            absl::string_view query,
                                                                            absl::string_view body);

// The response message as compact JSON (see the file comment for the form).
absl::StatusOr<std::string> MessageToJson(const google::protobuf::Message& message);

// The same through protobuf's own printer (the reference), and the direct
// reflection printer MessageToJson uses first; the latter returns false for
// what it leaves to the reference (well-known types, floating point, oneofs,
// non-string map keys, invalid UTF-8). Exposed for differential tests.
absl::StatusOr<std::string> MessageToJsonReference(const google::protobuf::Message& message);
bool MessageToJsonFast(const google::protobuf::Message& message, std::string* out);

}  // namespace bkk::gateway

#endif  // BKK_GATEWAY_CORE_TRANSCODER_H_
