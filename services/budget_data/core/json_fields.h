// Reading fields of the dataset's JSON files through protobuf's JSON parser
// (the dataset's JSON is small and read once per import).
#ifndef BKK_SERVICES_BUDGET_DATA_CORE_JSON_FIELDS_H_
#define BKK_SERVICES_BUDGET_DATA_CORE_JSON_FIELDS_H_

#include <google/protobuf/struct.pb.h>

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace bkk::budget {

absl::StatusOr<google::protobuf::Value> ParseJson(absl::string_view text);

// A string value, or a number as whole digits; "" for other kinds.
std::string JsonStr(const google::protobuf::Value& v);

// The field `key` of an object, or nullptr (also when `obj` is no object).
const google::protobuf::Value* JsonField(const google::protobuf::Value& obj, const std::string& key);

// JsonStr of a field, "" when absent.
std::string JsonFieldStr(const google::protobuf::Value& obj, const std::string& key);

}  // namespace bkk::budget

#endif  // BKK_SERVICES_BUDGET_DATA_CORE_JSON_FIELDS_H_
