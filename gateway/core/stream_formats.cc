// SSE and CSV framing; see stream_formats.h.
#include "gateway/core/stream_formats.h"

#include "absl/strings/str_cat.h"
#include "common/csv.h"
#include "gateway/core/text.h"

namespace bkk::gateway {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;

std::string SseEvent(absl::string_view data, absl::string_view event) {
  std::string out;
  if (!event.empty()) absl::StrAppend(&out, "event: ", event, "\n");
  size_t start = 0;
  while (true) {
    size_t nl = data.find('\n', start);
    out += "data: ";
    absl::StrAppend(&out, data.substr(start, nl == absl::string_view::npos ? data.size() - start : nl - start));
    out += '\n';
    if (nl == absl::string_view::npos) break;
    start = nl + 1;
  }
  out += '\n';
  return out;
}

std::string CsvPreamble(const Route& route) {
  std::string out = "\xEF\xBB\xBF";
  for (size_t i = 0; i < route.csv_columns.size(); ++i) {
    if (i) out += ',';
    out += CsvField(route.csv_columns[i]);
  }
  out += "\r\n";
  return out;
}

namespace {

std::string CellText(const Message& row, const FieldDescriptor* f) {
  const auto* r = row.GetReflection();
  switch (f->cpp_type()) {
    case FieldDescriptor::CPPTYPE_INT32:
      return std::to_string(r->GetInt32(row, f));
    case FieldDescriptor::CPPTYPE_INT64:
      return std::to_string(r->GetInt64(row, f));
    case FieldDescriptor::CPPTYPE_UINT32:
      return std::to_string(r->GetUInt32(row, f));
    case FieldDescriptor::CPPTYPE_UINT64:
      return std::to_string(r->GetUInt64(row, f));
    case FieldDescriptor::CPPTYPE_DOUBLE:
      return absl::StrCat(r->GetDouble(row, f));
    case FieldDescriptor::CPPTYPE_FLOAT:
      return absl::StrCat(r->GetFloat(row, f));
    case FieldDescriptor::CPPTYPE_BOOL:
      return r->GetBool(row, f) ? "true" : "false";
    case FieldDescriptor::CPPTYPE_ENUM:
      return r->GetEnum(row, f)->name();
    case FieldDescriptor::CPPTYPE_STRING:
      return CsvField(r->GetString(row, f));
    case FieldDescriptor::CPPTYPE_MESSAGE:
      return "";
  }
  return "";
}

}  // namespace

std::string CsvRows(const Route& route, const Message& response) {
  std::string out;
  const auto* rows_field = response.GetDescriptor()->FindFieldByName(route.csv_rows_field);
  if (rows_field == nullptr) return out;
  const auto* r = response.GetReflection();
  const int n = r->FieldSize(response, rows_field);
  if (n == 0) return out;
  const auto* row_type = rows_field->message_type();
  std::vector<const FieldDescriptor*> columns;
  for (const auto& name : route.csv_columns) columns.push_back(row_type->FindFieldByName(name));
  for (int i = 0; i < n; ++i) {
    const Message& row = r->GetRepeatedMessage(response, rows_field, i);
    for (size_t c = 0; c < columns.size(); ++c) {
      if (c) out += ',';
      if (columns[c] != nullptr) out += CellText(row, columns[c]);
    }
    out += "\r\n";
  }
  return out;
}

}  // namespace bkk::gateway
