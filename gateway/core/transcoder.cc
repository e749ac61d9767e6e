// Descriptor-driven HTTP <-> gRPC message conversion; see transcoder.h.
#include "gateway/core/transcoder.h"

#include <google/protobuf/util/json_util.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <set>

#include "absl/status/status.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "gateway/core/field_path.h"
#include "gateway/core/text.h"

namespace bkk::gateway {

using google::protobuf::EnumDescriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

namespace {

absl::Status Invalid(absl::string_view what, absl::string_view why) {
  return absl::InvalidArgumentError(absl::StrCat(std::string(what), ": ", std::string(why)));
}

// Strict decimal integers: optional '-', digits, no spaces or '+'.
template <typename T>
bool ParseInteger(absl::string_view s, T* out) {
  if (s.empty() || s.size() > 32) return false;
  bool negative = s[0] == '-';
  size_t i = negative ? 1 : 0;
  if (i == s.size()) return false;
  if (negative && !std::numeric_limits<T>::is_signed) return false;
  // Accumulate in the negative range for signed types so INT64_MIN parses.
  using Wide = std::conditional_t<std::numeric_limits<T>::is_signed, long long, unsigned long long>;
  Wide value = 0;
  const Wide max = static_cast<Wide>(std::numeric_limits<T>::max());
  const Wide min = static_cast<Wide>(std::numeric_limits<T>::min());
  for (; i < s.size(); ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    int d = s[i] - '0';
    if (negative) {
      if (value < (min + d) / 10) return false;
      value = value * 10 - d;
    } else {
      if (value > (max - d) / 10) return false;
      value = value * 10 + d;
    }
  }
  *out = static_cast<T>(value);
  return true;
}

bool LooksLikeInteger(absl::string_view s) {
  if (!s.empty() && s[0] == '-') s.remove_prefix(1);
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

template <typename T>
absl::Status ParseIntegerField(absl::string_view value, absl::string_view what, absl::string_view type_name, T* out) {
  if (ParseInteger(value, out)) return absl::OkStatus();
  if (LooksLikeInteger(value) && !(value[0] == '-' && !std::numeric_limits<T>::is_signed)) {
    return Invalid(what, absl::StrCat(QuoteForMessage(value), " is out of range for ", std::string(type_name)));
  }
  return Invalid(what, absl::StrCat(QuoteForMessage(value), " is not ",
                                    std::numeric_limits<T>::is_signed ? "an integer" : "a non-negative integer"));
}

absl::Status ParseDouble(absl::string_view value, absl::string_view what, double* out) {
  if (value == "NaN") return *out = std::numeric_limits<double>::quiet_NaN(), absl::OkStatus();
  if (value == "Infinity") return *out = std::numeric_limits<double>::infinity(), absl::OkStatus();
  if (value == "-Infinity") return *out = -std::numeric_limits<double>::infinity(), absl::OkStatus();
  std::string text(value);
  bool plain = !text.empty() && text.size() <= 64;
  for (char c : text) {
    if (!((c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E')) plain = false;
  }
  if (plain) {
    char* end = nullptr;
    errno = 0;
    double d = std::strtod(text.c_str(), &end);
    if (end == text.c_str() + text.size() && errno != ERANGE && std::isfinite(d)) {
      *out = d;
      return absl::OkStatus();
    }
  }
  return Invalid(what, absl::StrCat(QuoteForMessage(value), " is not a number"));
}

std::string EnumChoices(const EnumDescriptor* e) {
  std::string out;
  const int shown = std::min(e->value_count(), 12);
  for (int i = 0; i < shown; ++i) absl::StrAppend(&out, i ? ", " : "", e->value(i)->name());
  if (shown < e->value_count()) absl::StrAppend(&out, ", …");
  return out;
}

// "query parameter `name`", escaped and shortened for hostile names.
std::string ParamLabel(absl::string_view name) {
  std::string quoted = QuoteForMessage(name);
  return absl::StrCat("query parameter `", quoted.substr(1, quoted.size() - 2), "`");
}

std::string ShortTypeName(const FieldDescriptor* f) {
  switch (f->cpp_type()) {
    case FieldDescriptor::CPPTYPE_INT32:
      return "int32";
    case FieldDescriptor::CPPTYPE_INT64:
      return "int64";
    case FieldDescriptor::CPPTYPE_UINT32:
      return "uint32";
    case FieldDescriptor::CPPTYPE_UINT64:
      return "uint64";
    default:
      return f->cpp_type_name();
  }
}

}  // namespace

absl::StatusOr<std::vector<QueryParam>> ParseQueryString(absl::string_view query, size_t max_params) {
  std::vector<QueryParam> params;
  size_t start = 0;
  while (start <= query.size()) {
    size_t amp = query.find('&', start);
    absl::string_view pair = query.substr(start, amp == absl::string_view::npos ? query.size() - start : amp - start);
    start = amp == absl::string_view::npos ? query.size() + 1 : amp + 1;
    if (pair.empty()) continue;  // "a=1&&b=2" and a trailing '&' are harmless
    if (params.size() >= max_params) {
      return absl::InvalidArgumentError(absl::StrCat("more than ", max_params, " query parameters"));
    }
    size_t eq = pair.find('=');
    absl::string_view raw_name = pair.substr(0, eq);
    absl::string_view raw_value = eq == absl::string_view::npos ? absl::string_view() : pair.substr(eq + 1);
    auto name = PercentDecode(raw_name, true);
    if (!name) {
      return absl::InvalidArgumentError(
          absl::StrCat("query parameter ", QuoteForMessage(raw_name), ": malformed percent-encoding in its name"));
    }
    if (!IsValidUtf8(*name)) return absl::InvalidArgumentError("a query parameter name is not valid UTF-8");
    auto value = PercentDecode(raw_value, true);
    if (!value) {
      return absl::InvalidArgumentError(absl::StrCat(ParamLabel(*name), ": malformed percent-encoding in its value"));
    }
    if (!IsValidUtf8(*value)) {
      return absl::InvalidArgumentError(absl::StrCat(ParamLabel(*name), ": the value is not valid UTF-8"));
    }
    if (name->empty()) return absl::InvalidArgumentError("a query parameter has an empty name");
    params.push_back({std::move(*name), std::move(*value)});
  }
  return params;
}

absl::Status SetFieldFromText(Message* message, const std::vector<const FieldDescriptor*>& path,
                              absl::string_view value, absl::string_view what) {
  Message* target = message;
  for (size_t i = 0; i + 1 < path.size(); ++i) {
    target = target->GetReflection()->MutableMessage(target, path[i]);
  }
  const FieldDescriptor* field = path.back();
  const Reflection* r = target->GetReflection();
  const bool repeated = field->is_repeated();
  if (!IsSettableFromText(field)) {
    if (field->is_map()) return Invalid(what, "a map field cannot be set from a URL");
    return Invalid(
        what,
        absl::StrCat("`", field->name(), "` is a message; set its fields instead (e.g. `", field->name(), ".",
                     field->message_type()->field_count() > 0 ? field->message_type()->field(0)->name() : "…", "`)"));
  }
  const std::string type_name = ShortTypeName(field);
  switch (field->cpp_type()) {
    case FieldDescriptor::CPPTYPE_INT32: {
      int32_t v = 0;
      if (auto s = ParseIntegerField(value, what, type_name, &v); !s.ok()) return s;
      repeated ? r->AddInt32(target, field, v) : r->SetInt32(target, field, v);
      break;
    }
    case FieldDescriptor::CPPTYPE_INT64: {
      int64_t v = 0;
      if (auto s = ParseIntegerField(value, what, type_name, &v); !s.ok()) return s;
      repeated ? r->AddInt64(target, field, v) : r->SetInt64(target, field, v);
      break;
    }
    case FieldDescriptor::CPPTYPE_UINT32: {
      uint32_t v = 0;
      if (auto s = ParseIntegerField(value, what, type_name, &v); !s.ok()) return s;
      repeated ? r->AddUInt32(target, field, v) : r->SetUInt32(target, field, v);
      break;
    }
    case FieldDescriptor::CPPTYPE_UINT64: {
      uint64_t v = 0;
      if (auto s = ParseIntegerField(value, what, type_name, &v); !s.ok()) return s;
      repeated ? r->AddUInt64(target, field, v) : r->SetUInt64(target, field, v);
      break;
    }
    case FieldDescriptor::CPPTYPE_DOUBLE:
    case FieldDescriptor::CPPTYPE_FLOAT: {
      double v = 0;
      if (auto s = ParseDouble(value, what, &v); !s.ok()) return s;
      if (field->cpp_type() == FieldDescriptor::CPPTYPE_FLOAT) {
        if (std::isfinite(v) && std::fabs(v) > std::numeric_limits<float>::max()) {
          return Invalid(what, absl::StrCat(QuoteForMessage(value), " is out of range for float"));
        }
        repeated ? r->AddFloat(target, field, static_cast<float>(v))
                 : r->SetFloat(target, field, static_cast<float>(v));
      } else {
        repeated ? r->AddDouble(target, field, v) : r->SetDouble(target, field, v);
      }
      break;
    }
    case FieldDescriptor::CPPTYPE_BOOL: {
      bool v = false;
      if (value == "true" || value == "1") {
        v = true;
      } else if (value == "false" || value == "0") {
        v = false;
      } else {
        return Invalid(what, absl::StrCat(QuoteForMessage(value), " is not a boolean (true or false)"));
      }
      repeated ? r->AddBool(target, field, v) : r->SetBool(target, field, v);
      break;
    }
    case FieldDescriptor::CPPTYPE_ENUM: {
      const EnumDescriptor* e = field->enum_type();
      const auto* ev = e->FindValueByName(std::string(value));
      if (ev == nullptr) {
        int32_t number;
        if (ParseInteger(value, &number)) ev = e->FindValueByNumber(number);
      }
      if (ev == nullptr) {
        return Invalid(what,
                       absl::StrCat(QuoteForMessage(value), " is not a ", e->name(), " (one of ", EnumChoices(e), ")"));
      }
      repeated ? r->AddEnumValue(target, field, ev->number()) : r->SetEnumValue(target, field, ev->number());
      break;
    }
    case FieldDescriptor::CPPTYPE_STRING: {
      std::string v;
      if (field->type() == FieldDescriptor::TYPE_BYTES) {
        if (!absl::Base64Unescape(value, &v) && !absl::WebSafeBase64Unescape(value, &v)) {
          return Invalid(what, "not valid base64");
        }
      } else {
        v = std::string(value);
      }
      repeated ? r->AddString(target, field, std::move(v)) : r->SetString(target, field, std::move(v));
      break;
    }
    case FieldDescriptor::CPPTYPE_MESSAGE:
      break;  // refused above
  }
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<Message>> BuildGrpcRequest(const Route& route, const std::vector<Binding>& bindings,
                                                          absl::string_view query, absl::string_view body) {
  const auto* input = route.method->input_type();
  std::unique_ptr<Message> message(google::protobuf::MessageFactory::generated_factory()->GetPrototype(input)->New());

  bool body_blank = body.find_first_not_of(" \t\r\n") == absl::string_view::npos;
  if (route.body.empty() && !body.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(route.http_method, " ", route.path.text(), " takes no request body"));
  }
  if (!route.body.empty()) {
    if (body_blank) {
      return absl::InvalidArgumentError(absl::StrCat("a JSON request body is required (", input->name(),
                                                     route.body == "*" ? "" : absl::StrCat(" field `", route.body, "`"),
                                                     ")"));
    }
    if (!IsValidUtf8(body)) return absl::InvalidArgumentError("the request body is not valid UTF-8");
    Message* target = message.get();
    if (route.body != "*") {
      auto fields = ResolveFieldPath(input, route.body);
      if (!fields.ok()) return absl::InternalError("body field vanished");  // checked at build
      target = message->GetReflection()->MutableMessage(message.get(), fields->back());
    }
    google::protobuf::util::JsonParseOptions options;
    options.ignore_unknown_fields = false;
    auto status = google::protobuf::util::JsonStringToMessage(google::protobuf::StringPiece(body.data(), body.size()),
                                                              target, options);
    if (!status.ok()) {
      std::string why(status.message().data(), status.message().size());
      if (why.empty()) why = "malformed JSON";
      return absl::InvalidArgumentError(absl::StrCat("request body: ", why));
    }
  }

  // Singular fields set so far from the URL, to refuse a second value.
  std::set<std::string> seen;
  for (const Binding& b : bindings) {
    auto fields = ResolveFieldPath(input, b.field_path);
    if (!fields.ok()) return absl::InternalError("path variable vanished");  // checked at build
    std::string what = absl::StrCat("path variable `", b.field_path, "`");
    // Path variables win over the same field in a body: the URL names the resource.
    if (auto s = SetFieldFromText(message.get(), *fields, b.value, what); !s.ok()) return s;
    seen.insert(b.field_path);
  }

  auto params = ParseQueryString(query);
  if (!params.ok()) return params.status();
  for (const QueryParam& p : *params) {
    std::string what = ParamLabel(p.name);
    if (route.body == "*") {
      return absl::InvalidArgumentError(absl::StrCat(what, " is not accepted: ", route.http_method, " ",
                                                     route.path.text(), " takes its fields from the JSON body"));
    }
    auto fields = ResolveFieldPath(input, p.name);
    if (!fields.ok() && !route.query_fallback_prefix.empty()) {
      auto fallback = ResolveFieldPath(input, absl::StrCat(route.query_fallback_prefix, ".", p.name));
      if (fallback.ok()) fields = std::move(fallback);
    }
    if (!fields.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("unknown ", what, " (", std::string(fields.status().message()), ")"));
    }
    if (!route.body.empty() && (*fields)[0]->name() == route.body) {
      return absl::InvalidArgumentError(absl::StrCat(what, " sets a field the JSON body carries"));
    }
    std::string canonical;
    for (const auto* f : *fields) absl::StrAppend(&canonical, canonical.empty() ? "" : ".", f->name());
    if (!fields->back()->is_repeated()) {
      if (!seen.insert(canonical).second) {
        return absl::InvalidArgumentError(absl::StrCat(what, " is given more than once (or is also in the path)"));
      }
    }
    if (auto s = SetFieldFromText(message.get(), *fields, p.value, what); !s.ok()) return s;
  }
  return message;
}

absl::StatusOr<std::string> MessageToJsonReference(const Message& message) {
  google::protobuf::util::JsonPrintOptions options;
  options.add_whitespace = false;
  options.always_print_primitive_fields = true;
  options.always_print_enums_as_ints = false;
  options.preserve_proto_field_names = false;
  std::string out;
  auto status = google::protobuf::util::MessageToJsonString(message, &out, options);
  if (!status.ok()) {
    return absl::InternalError(
        absl::StrCat("response to JSON: ", std::string(status.message().data(), status.message().size())));
  }
  return out;
}

namespace {

// Code points protobuf's printer writes as \\u escapes besides the ASCII
// controls: C1 controls and Unicode format characters (found by running every
// code point through protobuf 3.21; the differential test keeps it honest).
bool ProtobufEscapes(uint32_t cp) {
  return (cp >= 0x80 && cp <= 0x9F) || cp == 0xAD || (cp >= 0x600 && cp <= 0x603) || cp == 0x6DD || cp == 0x70F ||
         (cp >= 0x17B4 && cp <= 0x17B5) || (cp >= 0x200B && cp <= 0x200F) || (cp >= 0x2028 && cp <= 0x202E) ||
         (cp >= 0x2060 && cp <= 0x2064) || (cp >= 0x206A && cp <= 0x206F) || cp == 0xFEFF ||
         (cp >= 0xFFF9 && cp <= 0xFFFB) || (cp >= 0x1D173 && cp <= 0x1D17A) || cp == 0xE0001 ||
         (cp >= 0xE0020 && cp <= 0xE007F);
}

void AppendUnicodeEscape(uint32_t unit, std::string* out) {
  static constexpr char kHex[] = "0123456789abcdef";
  out->append("\\u");
  for (int shift = 12; shift >= 0; shift -= 4) out->push_back(kHex[(unit >> shift) & 0xF]);
}

// protobuf's JSON string escaping, byte for byte: short escapes for \b \t \n
// \f \r, \u00xx for other controls and DEL, '<' and '>' escaped, '"' and
// '\\' escaped, the code points above as \u escapes (surrogate pairs beyond
// the BMP), other UTF-8 passed through. Returns false on invalid UTF-8 (the
// reference printer drops such bytes; the caller falls back to it).
bool AppendJsonString(absl::string_view s, std::string* out) {
  if (!IsValidUtf8(s)) return false;
  out->reserve(out->size() + s.size() + 2);
  out->push_back('"');
  size_t i = 0;
  while (i < s.size()) {
    // Copy the longest run that needs no escaping in one go.
    const size_t run = i;
    uint32_t cp = 0;
    size_t n = 1;
    while (i < s.size()) {
      const unsigned char c = static_cast<unsigned char>(s[i]);
      if (c < 0x80) {
        if (c < 0x20 || c == '"' || c == '\\' || c == '<' || c == '>' || c == 0x7F) break;
        ++i;
        continue;
      }
      // Valid UTF-8 (checked above): decode one code point.
      n = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
      cp = c & (n == 4 ? 0x07 : n == 3 ? 0x0F : 0x1F);
      for (size_t k = 1; k < n; ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
      if (ProtobufEscapes(cp)) break;
      i += n;
    }
    out->append(s.data() + run, i - run);
    if (i >= s.size()) break;
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x80) {
      if (cp < 0x10000) {
        AppendUnicodeEscape(cp, out);
      } else {
        AppendUnicodeEscape(0xD800 + ((cp - 0x10000) >> 10), out);
        AppendUnicodeEscape(0xDC00 + ((cp - 0x10000) & 0x3FF), out);
      }
      i += n;
      continue;
    }
    switch (c) {
      case '"':
        out->append("\\\"");
        break;
      case '\\':
        out->append("\\\\");
        break;
      case '\b':
        out->append("\\b");
        break;
      case '\t':
        out->append("\\t");
        break;
      case '\n':
        out->append("\\n");
        break;
      case '\f':
        out->append("\\f");
        break;
      case '\r':
        out->append("\\r");
        break;
      case '<':
        out->append("\\u003c");
        break;
      case '>':
        out->append("\\u003e");
        break;
      default:
        AppendUnicodeEscape(c, out);  // other controls and DEL
    }
    ++i;
  }
  out->push_back('"');
  return true;
}

bool AppendMessageJson(const Message& message, std::string* out);

// One value of `field` (element `index` when repeated, -1 when singular).
bool AppendFieldValue(const Message& message, const FieldDescriptor* field, int index, std::string* out) {
  const Reflection* r = message.GetReflection();
  const bool rep = index >= 0;
  switch (field->cpp_type()) {
    case FieldDescriptor::CPPTYPE_INT32:
      absl::StrAppend(out, rep ? r->GetRepeatedInt32(message, field, index) : r->GetInt32(message, field));
      return true;
    case FieldDescriptor::CPPTYPE_UINT32:
      absl::StrAppend(out, rep ? r->GetRepeatedUInt32(message, field, index) : r->GetUInt32(message, field));
      return true;
    case FieldDescriptor::CPPTYPE_INT64:
      absl::StrAppend(out, "\"", rep ? r->GetRepeatedInt64(message, field, index) : r->GetInt64(message, field), "\"");
      return true;
    case FieldDescriptor::CPPTYPE_UINT64:
      absl::StrAppend(out, "\"", rep ? r->GetRepeatedUInt64(message, field, index) : r->GetUInt64(message, field),
                      "\"");
      return true;
    case FieldDescriptor::CPPTYPE_BOOL:
      out->append((rep ? r->GetRepeatedBool(message, field, index) : r->GetBool(message, field)) ? "true" : "false");
      return true;
    case FieldDescriptor::CPPTYPE_ENUM: {
      const int number = rep ? r->GetRepeatedEnumValue(message, field, index) : r->GetEnumValue(message, field);
      const auto* value = field->enum_type()->FindValueByNumber(number);
      if (value == nullptr) {
        absl::StrAppend(out, number);  // an enum value this build does not know
        return true;
      }
      return AppendJsonString(value->name(), out);
    }
    case FieldDescriptor::CPPTYPE_STRING: {
      std::string scratch;
      const std::string& v = rep ? r->GetRepeatedStringReference(message, field, index, &scratch)
                                 : r->GetStringReference(message, field, &scratch);
      if (field->type() == FieldDescriptor::TYPE_BYTES) {
        absl::StrAppend(out, "\"", absl::Base64Escape(v), "\"");
        return true;
      }
      return AppendJsonString(v, out);
    }
    case FieldDescriptor::CPPTYPE_MESSAGE:
      return AppendMessageJson(rep ? r->GetRepeatedMessage(message, field, index) : r->GetMessage(message, field), out);
    case FieldDescriptor::CPPTYPE_DOUBLE:
    case FieldDescriptor::CPPTYPE_FLOAT:
      return false;  // number formatting is the reference printer's business
  }
  return false;
}

// A map field as a JSON object, keys in order (as the reference prints them).
bool AppendMapJson(const Message& message, const FieldDescriptor* field, std::string* out) {
  const Reflection* r = message.GetReflection();
  const auto* key_field = field->message_type()->map_key();
  const auto* value_field = field->message_type()->map_value();
  if (key_field->cpp_type() != FieldDescriptor::CPPTYPE_STRING) return false;
  std::vector<std::pair<std::string, const Message*>> entries;
  for (int i = 0; i < r->FieldSize(message, field); ++i) {
    const Message& entry = r->GetRepeatedMessage(message, field, i);
    entries.emplace_back(entry.GetReflection()->GetString(entry, key_field), &entry);
  }
  // Sorted; of repeated keys the last entry wins, as in the map itself.
  std::stable_sort(entries.begin(), entries.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  out->push_back('{');
  bool first = true;
  for (size_t i = 0; i < entries.size(); ++i) {
    if (i + 1 < entries.size() && entries[i + 1].first == entries[i].first) continue;
    if (!first) out->push_back(',');
    first = false;
    if (!AppendJsonString(entries[i].first, out)) return false;
    out->push_back(':');
    if (!AppendFieldValue(*entries[i].second, value_field, -1, out)) return false;
  }
  out->push_back('}');
  return true;
}

bool AppendMessageJson(const Message& message, std::string* out) {
  const auto* type = message.GetDescriptor();
  // Well-known types have their own JSON forms.
  if (type->file()->name().rfind("google/protobuf/", 0) == 0) return false;
  const Reflection* r = message.GetReflection();
  out->push_back('{');
  bool first = true;
  // protobuf prints the fields of (synthetic) oneofs after the others.
  for (const bool in_oneof : {false, true}) {
    for (int i = 0; i < type->field_count(); ++i) {
      const FieldDescriptor* field = type->field(i);
      if (field->real_containing_oneof() != nullptr) return false;  // presence rules: leave to protobuf
      if ((field->containing_oneof() != nullptr) != in_oneof) continue;
      // Unset messages and proto3 `optional` scalars are omitted; every
      // other primitive is printed.
      if (!field->is_repeated() && field->has_presence() && !r->HasField(message, field)) continue;
      if (!first) out->push_back(',');
      first = false;
      out->push_back('"');
      out->append(field->json_name());
      out->append("\":");
      if (field->is_map()) {
        if (!AppendMapJson(message, field, out)) return false;
      } else if (field->is_repeated()) {
        out->push_back('[');
        const int n = r->FieldSize(message, field);
        for (int k = 0; k < n; ++k) {
          if (k) out->push_back(',');
          if (!AppendFieldValue(message, field, k, out)) return false;
        }
        out->push_back(']');
      } else if (!AppendFieldValue(message, field, -1, out)) {
        return false;
      }
    }
  }
  out->push_back('}');
  return true;
}

}  // namespace

bool MessageToJsonFast(const Message& message, std::string* out) {
  out->clear();
  return AppendMessageJson(message, out);
}

absl::StatusOr<std::string> MessageToJson(const Message& message) {
  // protobuf 3.21's printer goes through a generic converter and costs far
  // more than the rest of a request; the direct printer produces the same
  // bytes for what our protos use and hands anything else to protobuf.
  std::string out;
  if (MessageToJsonFast(message, &out)) return out;
  return MessageToJsonReference(message);
}

}  // namespace bkk::gateway
