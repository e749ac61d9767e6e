// Dotted field paths ("filter.fiscal_year") resolved against a message type,
// shared by the route table (checked once at start) and the transcoder.
#ifndef BKK_GATEWAY_CORE_FIELD_PATH_H_
#define BKK_GATEWAY_CORE_FIELD_PATH_H_

#include <google/protobuf/descriptor.h>

#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace bkk::gateway {

// Each segment may use the proto name (fiscal_year) or the JSON name
// (fiscalYear). Every segment but the last must be a singular message field.
// NOT_FOUND / INVALID_ARGUMENT messages name the offending segment.
absl::StatusOr<std::vector<const google::protobuf::FieldDescriptor*>> ResolveFieldPath(
    const google::protobuf::Descriptor* type, absl::string_view path);

// True for fields a path variable or query parameter can set: scalars,
// enums, strings and bytes, singular or repeated (not maps or messages).
bool IsSettableFromText(const google::protobuf::FieldDescriptor* field);

}  // namespace bkk::gateway

#endif  // BKK_GATEWAY_CORE_FIELD_PATH_H_
