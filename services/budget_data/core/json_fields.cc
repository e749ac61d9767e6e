// JSON field access; see json_fields.h.
#include "services/budget_data/core/json_fields.h"

#include <google/protobuf/util/json_util.h>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace bkk::budget {

absl::StatusOr<google::protobuf::Value> ParseJson(absl::string_view text) {
  google::protobuf::Value value;
  auto status = google::protobuf::util::JsonStringToMessage(std::string(text), &value);
  if (!status.ok()) return absl::InvalidArgumentError(std::string(status.message()));
  return value;
}

std::string JsonStr(const google::protobuf::Value& v) {
  if (v.kind_case() == google::protobuf::Value::kStringValue) return v.string_value();
  if (v.kind_case() == google::protobuf::Value::kNumberValue) {
    return absl::StrCat(static_cast<int64_t>(v.number_value()));
  }
  return "";
}

const google::protobuf::Value* JsonField(const google::protobuf::Value& obj, const std::string& key) {
  if (obj.kind_case() != google::protobuf::Value::kStructValue) return nullptr;
  auto it = obj.struct_value().fields().find(key);
  return it == obj.struct_value().fields().end() ? nullptr : &it->second;
}

std::string JsonFieldStr(const google::protobuf::Value& obj, const std::string& key) {
  const auto* f = JsonField(obj, key);
  return f == nullptr ? "" : JsonStr(*f);
}

}  // namespace bkk::budget
