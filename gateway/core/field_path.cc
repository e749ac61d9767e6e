// Field path resolution; see field_path.h.
#include "gateway/core/field_path.h"

#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace bkk::gateway {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;

namespace {

const FieldDescriptor* FindField(const Descriptor* type, absl::string_view name) {
  std::string key(name);
  if (const FieldDescriptor* f = type->FindFieldByName(key)) return f;
  for (int i = 0; i < type->field_count(); ++i) {
    if (type->field(i)->json_name() == key) return type->field(i);
  }
  return nullptr;
}

}  // namespace

absl::StatusOr<std::vector<const FieldDescriptor*>> ResolveFieldPath(const Descriptor* type, absl::string_view path) {
  std::vector<const FieldDescriptor*> fields;
  if (path.empty()) return absl::InvalidArgumentError("empty field name");
  size_t start = 0;
  while (true) {
    size_t dot = path.find('.', start);
    absl::string_view name = path.substr(start, dot == absl::string_view::npos ? path.size() - start : dot - start);
    if (name.empty()) {
      return absl::InvalidArgumentError(absl::StrCat("empty segment in field name `", std::string(path), "`"));
    }
    if (type == nullptr) {
      return absl::InvalidArgumentError(absl::StrCat("`", std::string(path.substr(0, start - 1)), "` has no fields"));
    }
    const FieldDescriptor* field = FindField(type, name);
    if (field == nullptr) {
      return absl::NotFoundError(absl::StrCat("no field `", std::string(name), "` in ", type->full_name()));
    }
    fields.push_back(field);
    if (dot == absl::string_view::npos) break;
    if (field->cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE || field->is_repeated()) {
      return absl::InvalidArgumentError(
          absl::StrCat("`", field->name(), "` is not a message field, so `", std::string(path), "` names nothing"));
    }
    type = field->message_type();
    start = dot + 1;
  }
  return fields;
}

bool IsSettableFromText(const FieldDescriptor* field) {
  return field->cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE && !field->is_map();
}

}  // namespace bkk::gateway
