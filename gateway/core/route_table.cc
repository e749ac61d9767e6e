// Path templates and the route table built from `google.api.http` rules;
// see route_table.h.
#include "gateway/core/route_table.h"

#include <algorithm>
#include <set>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "gateway/core/field_path.h"
#include "gateway/core/text.h"
#include "google/api/annotations.pb.h"

namespace bkk::gateway {

using google::protobuf::FieldDescriptor;
using google::protobuf::MethodDescriptor;

namespace {

bool IsIdentStart(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool IsIdentChar(char c) { return IsIdentStart(c) || (c >= '0' && c <= '9'); }

// Characters a literal segment or verb may hold: RFC 3986 pchar minus the
// template's own syntax ("{}*:/" and '%', which a literal never needs).
bool IsLiteralChar(char c) {
  if (IsIdentChar(c)) return true;
  switch (c) {
    case '-':
    case '.':
    case '~':
    case '!':
    case '$':
    case '&':
    case '\'':
    case '(':
    case ')':
    case '+':
    case ',':
    case ';':
    case '=':
    case '@':
      return true;
    default:
      return false;
  }
}

absl::Status TemplateError(absl::string_view text, size_t pos, absl::string_view what) {
  return absl::InvalidArgumentError(
      absl::StrCat("path template \"", std::string(text), "\" at offset ", pos, ": ", std::string(what)));
}

}  // namespace

SplitPath SplitRequestPath(absl::string_view path) {
  SplitPath out;
  if (path.empty() || path[0] != '/') {
    out.error = "the path must start with '/'";
    return out;
  }
  std::vector<absl::string_view> raw;
  size_t start = 1;
  while (true) {
    size_t slash = path.find('/', start);
    if (slash == absl::string_view::npos) {
      raw.push_back(path.substr(start));
      break;
    }
    raw.push_back(path.substr(start, slash - start));
    start = slash + 1;
  }
  out.segments.reserve(raw.size());
  for (absl::string_view segment : raw) {
    auto decoded = PercentDecode(segment, /*plus_as_space=*/false);
    if (!decoded) {
      out.error = absl::StrCat("malformed percent-encoding in path segment ", QuoteForMessage(segment));
      return out;
    }
    if (!IsValidUtf8(*decoded)) {
      out.error = "the path is not valid UTF-8 once percent-decoded";
      return out;
    }
    out.segments.push_back(std::move(*decoded));
  }
  out.segments_without_verb = out.segments;
  absl::string_view last = raw.back();
  size_t colon = last.rfind(':');
  if (colon != absl::string_view::npos) {
    out.verb = std::string(last.substr(colon + 1));
    // The prefix decodes cleanly: it is a prefix of a segment that did.
    out.segments_without_verb.back() = *PercentDecode(last.substr(0, colon), false);
  }
  return out;
}

absl::StatusOr<PathTemplate> PathTemplate::Parse(absl::string_view text) {
  PathTemplate t;
  t.text_ = std::string(text);
  if (text.empty() || text[0] != '/') return TemplateError(text, 0, "must start with '/'");
  size_t pos = 1;
  const auto at = [&](size_t p) { return p < text.size() ? text[p] : '\0'; };

  // Parses one plain segment ("*", "**" or a literal) at `pos`.
  auto parse_plain = [&]() -> absl::Status {
    Segment seg;
    if (at(pos) == '*' && at(pos + 1) == '*') {
      seg.kind = Segment::Kind::kMulti;
      pos += 2;
    } else if (at(pos) == '*') {
      seg.kind = Segment::Kind::kSingle;
      pos += 1;
    } else {
      size_t begin = pos;
      while (pos < text.size() && IsLiteralChar(text[pos])) ++pos;
      if (pos == begin) return TemplateError(text, pos, "expected a segment");
      seg.literal = std::string(text.substr(begin, pos - begin));
    }
    if (seg.kind == Segment::Kind::kMulti) {
      if (t.ends_with_multi_) return TemplateError(text, pos, "only one \"**\" is allowed");
      t.ends_with_multi_ = true;
    } else if (t.ends_with_multi_) {
      return TemplateError(text, pos, "\"**\" must be the last segment");
    }
    t.segments_.push_back(std::move(seg));
    return absl::OkStatus();
  };

  while (true) {
    if (at(pos) == '{') {
      ++pos;
      size_t begin = pos;
      while (pos < text.size() && (IsIdentChar(text[pos]) || text[pos] == '.')) ++pos;
      std::string field(text.substr(begin, pos - begin));
      if (field.empty() || !IsIdentStart(field[0]) || field.back() == '.' || field.find("..") != std::string::npos) {
        return TemplateError(text, begin, "expected a field path inside {}");
      }
      Variable var{field, t.segments_.size(), 0};
      if (at(pos) == '=') {
        ++pos;
        while (true) {
          if (auto s = parse_plain(); !s.ok()) return s;
          if (at(pos) != '/') break;
          ++pos;
        }
      } else {
        t.segments_.push_back(Segment{Segment::Kind::kSingle, ""});
      }
      if (at(pos) != '}') return TemplateError(text, pos, "expected '}'");
      ++pos;
      var.last = t.segments_.size();
      for (const auto& v : t.variables_) {
        if (v.field_path == var.field_path) return TemplateError(text, begin, "variable bound twice");
      }
      t.variables_.push_back(std::move(var));
    } else {
      if (auto s = parse_plain(); !s.ok()) return s;
    }
    if (at(pos) == '/') {
      ++pos;
      continue;
    }
    if (at(pos) == ':') {
      size_t begin = ++pos;
      while (pos < text.size() && IsLiteralChar(text[pos])) ++pos;
      if (pos == begin || pos != text.size()) return TemplateError(text, begin, "malformed verb");
      t.verb_ = std::string(text.substr(begin));
      break;
    }
    if (pos == text.size()) break;
    return TemplateError(text, pos, "unexpected character");
  }
  for (const auto& seg : t.segments_) {
    t.ranks_.push_back(seg.kind == Segment::Kind::kLiteral ? 0 : seg.kind == Segment::Kind::kSingle ? 1 : 2);
  }
  return t;
}

std::vector<std::string> PathTemplate::VariableNames() const {
  std::vector<std::string> names;
  for (const auto& v : variables_) names.push_back(v.field_path);
  return names;
}

bool PathTemplate::Match(const SplitPath& path, std::vector<Binding>* bindings) const {
  if (!verb_.empty() && path.verb != verb_) return false;
  const std::vector<std::string>& segs = verb_.empty() ? path.segments : path.segments_without_verb;
  const size_t m = segments_.size();
  const size_t n = segs.size();
  if (ends_with_multi_ ? n + 1 < m : n != m) return false;
  const size_t fixed = ends_with_multi_ ? m - 1 : m;
  for (size_t i = 0; i < fixed; ++i) {
    const Segment& seg = segments_[i];
    if (seg.kind == Segment::Kind::kLiteral) {
      if (segs[i] != seg.literal) return false;
    } else if (segs[i].empty()) {
      // An empty variable ("/v1/rounds//turnout") is no match, not a zero.
      return false;
    }
  }
  for (const Variable& v : variables_) {
    size_t last = v.last == m && ends_with_multi_ ? n : v.last;
    std::string value;
    for (size_t i = v.first; i < last; ++i) {
      if (i > v.first) value += '/';
      value += segs[i];
    }
    bindings->push_back({v.field_path, std::move(value)});
  }
  return true;
}

namespace {

// Checks that a path variable names a field a URL segment can set.
absl::Status CheckVariable(const MethodDescriptor* md, const std::string& field_path) {
  auto fields = ResolveFieldPath(md->input_type(), field_path);
  if (!fields.ok()) return fields.status();
  const FieldDescriptor* leaf = fields->back();
  if (!IsSettableFromText(leaf) || leaf->is_repeated()) {
    return absl::InvalidArgumentError(
        absl::StrCat("path variable `", field_path, "` must name a singular scalar field"));
  }
  return absl::OkStatus();
}

class Builder final {
 public:
  explicit Builder(const RouteTableOptions& options) : options_(options) {}

  absl::Status AddRule(const MethodDescriptor* md, const google::api::HttpRule& rule, bool extra,
                       const std::string& query_fallback_prefix = "", const CsvFormat* unary_csv = nullptr) {
    if (md->client_streaming()) {
      skipped_.push_back(md->full_name());
      return absl::OkStatus();
    }
    std::string http_method;
    std::string path;
    switch (rule.pattern_case()) {
      case google::api::HttpRule::kGet:
        http_method = "GET", path = rule.get();
        break;
      case google::api::HttpRule::kPut:
        http_method = "PUT", path = rule.put();
        break;
      case google::api::HttpRule::kPost:
        http_method = "POST", path = rule.post();
        break;
      case google::api::HttpRule::kDelete:
        http_method = "DELETE", path = rule.delete_();
        break;
      case google::api::HttpRule::kPatch:
        http_method = "PATCH", path = rule.patch();
        break;
      case google::api::HttpRule::kCustom:
        http_method = rule.custom().kind(), path = rule.custom().path();
        break;
      case google::api::HttpRule::PATTERN_NOT_SET:
        return Fail(md, "the rule has no HTTP method and path");
    }
    auto tmpl = PathTemplate::Parse(path);
    if (!tmpl.ok()) return Fail(md, tmpl.status().message());
    for (const auto& var : tmpl->VariableNames()) {
      if (auto s = CheckVariable(md, var); !s.ok()) return Fail(md, s.message());
    }
    if (!rule.response_body().empty()) return Fail(md, "response_body is not supported by the gateway");
    if (!rule.body().empty() && rule.body() != "*") {
      auto fields = ResolveFieldPath(md->input_type(), rule.body());
      if (!fields.ok()) return Fail(md, fields.status().message());
      if (fields->size() != 1 || fields->back()->cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE ||
          fields->back()->is_repeated()) {
        return Fail(md, "body must be \"*\" or a top-level singular message field");
      }
    }
    auto route = std::make_unique<Route>();
    route->http_method = http_method;
    route->path = std::move(*tmpl);
    route->body = rule.body();
    route->method = md;
    route->grpc_path = absl::StrCat("/", md->service()->full_name(), "/", md->name());
    route->name = absl::StrCat(md->service()->name(), ".", md->name());
    route->extra = extra;
    if (!query_fallback_prefix.empty()) {
      auto fields = ResolveFieldPath(md->input_type(), query_fallback_prefix);
      if (!fields.ok() || fields->back()->cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE) {
        return Fail(md, "the query fallback prefix must name a message field");
      }
      route->query_fallback_prefix = query_fallback_prefix;
    }
    route->cache = CacheFor(md);
    route->admin = absl::StartsWith(route->path.text(), kAdminPathPrefix);
    for (const auto& [name, effect] : options_.session_methods) {
      if (name != md->full_name()) continue;
      if (effect == SessionEffect::kSignIn && md->output_type()->FindFieldByName("session_token") == nullptr) {
        return Fail(md, "a sign-in method's response needs a session_token field");
      }
      if (!route->admin) return Fail(md, "session methods must be under /v1/admin/");
      route->session = effect;
    }
    if (md->server_streaming()) {
      route->cache = CachePolicy::kNone;
      route->kind = ResponseKind::kSse;
      for (const auto& [name, format] : options_.csv_methods) {
        if (name != md->full_name()) continue;
        route->kind = ResponseKind::kCsv;
        route->csv_rows_field = format.rows_field;
        route->csv_columns = format.columns;
        route->csv_filename = format.filename;
        if (auto s = CheckCsv(md, format); !s.ok()) return Fail(md, s.message());
      }
    } else if (unary_csv != nullptr) {
      route->cache = CachePolicy::kNone;
      route->kind = ResponseKind::kCsv;
      route->csv_rows_field = unary_csv->rows_field;
      route->csv_columns = unary_csv->columns;
      route->csv_filename = unary_csv->filename;
      if (auto s = CheckCsv(md, *unary_csv); !s.ok()) return Fail(md, s.message());
    }
    for (const auto& existing : routes_) {
      if (existing->http_method == route->http_method && existing->path.text() == route->path.text()) {
        return Fail(md, absl::StrCat(route->http_method, " ", route->path.text(), " is already bound to ",
                                     existing->method->full_name()));
      }
    }
    routes_.push_back(std::move(route));
    return absl::OkStatus();
  }

  std::vector<std::unique_ptr<Route>> TakeRoutes() { return std::move(routes_); }
  std::vector<std::string> TakeSkipped() { return std::move(skipped_); }

 private:
  CachePolicy CacheFor(const MethodDescriptor* md) const {
    CachePolicy policy = CachePolicy::kNone;
    for (const auto& [name, rule] : options_.cache_policies) {
      if (name == md->full_name()) return rule;
      if (name == md->service()->full_name()) policy = rule;
    }
    return policy;
  }

  static absl::Status Fail(const MethodDescriptor* md, absl::string_view why) {
    return absl::InvalidArgumentError(absl::StrCat("google.api.http rule of ", md->full_name(), ": ", why));
  }

  static absl::Status CheckCsv(const MethodDescriptor* md, const CsvFormat& format) {
    const auto* rows = md->output_type()->FindFieldByName(format.rows_field);
    if (rows == nullptr || !rows->is_repeated() || rows->cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE) {
      return absl::InvalidArgumentError(
          absl::StrCat("CSV rows field `", format.rows_field, "` is not a repeated message field of the response"));
    }
    for (const auto& column : format.columns) {
      const auto* f = rows->message_type()->FindFieldByName(column);
      if (f == nullptr || !IsSettableFromText(f) || f->is_repeated()) {
        return absl::InvalidArgumentError(
            absl::StrCat("CSV column `", column, "` is not a scalar field of ", rows->message_type()->full_name()));
      }
    }
    return absl::OkStatus();
  }

  const RouteTableOptions& options_;
  std::vector<std::unique_ptr<Route>> routes_;
  std::vector<std::string> skipped_;
};

// True when `a` should win over `b` for a path both match.
bool MoreSpecific(const Route& a, const Route& b) {
  const auto& ra = a.path.ranks();
  const auto& rb = b.path.ranks();
  size_t n = std::min(ra.size(), rb.size());
  for (size_t i = 0; i < n; ++i) {
    if (ra[i] != rb[i]) return ra[i] < rb[i];
  }
  if (ra.size() != rb.size()) return ra.size() > rb.size();
  return !a.path.verb().empty() && b.path.verb().empty();
}

}  // namespace

absl::StatusOr<std::shared_ptr<const RouteTable>> RouteTable::Build(const google::protobuf::DescriptorPool& pool,
                                                                    const RouteTableOptions& options) {
  // A misspelt name would silently cache nothing (or everything): refuse it.
  for (const auto& [name, policy] : options.cache_policies) {
    if (pool.FindServiceByName(name) == nullptr && pool.FindMethodByName(name) == nullptr) {
      return absl::NotFoundError(absl::StrCat("cache policy for ", name, ": no such service or method"));
    }
  }
  for (const auto& [name, effect] : options.session_methods) {
    if (pool.FindMethodByName(name) == nullptr) {
      return absl::NotFoundError(absl::StrCat("session effect for ", name, ": no such method"));
    }
  }
  Builder builder(options);
  for (const auto& service_name : options.services) {
    const auto* sd = pool.FindServiceByName(service_name);
    if (sd == nullptr) {
      return absl::NotFoundError(
          absl::StrCat("service ", service_name, " is not in the descriptor pool (is its proto linked in?)"));
    }
    for (int i = 0; i < sd->method_count(); ++i) {
      const MethodDescriptor* md = sd->method(i);
      if (!md->options().HasExtension(google::api::http)) continue;
      const auto& rule = md->options().GetExtension(google::api::http);
      if (auto s = builder.AddRule(md, rule, false); !s.ok()) return s;
      for (const auto& extra : rule.additional_bindings()) {
        if (auto s = builder.AddRule(md, extra, false); !s.ok()) return s;
      }
    }
  }
  for (const auto& extra : options.extra_routes) {
    const auto* md = pool.FindMethodByName(extra.method_full_name);
    if (md == nullptr) return absl::NotFoundError(absl::StrCat("method ", extra.method_full_name, " not found"));
    google::api::HttpRule rule;
    rule.mutable_custom()->set_kind(extra.http_method);
    rule.mutable_custom()->set_path(extra.path);
    if (auto s = builder.AddRule(md, rule, true, extra.query_fallback_prefix, extra.csv ? &*extra.csv : nullptr);
        !s.ok()) {
      return s;
    }
  }
  auto table = std::shared_ptr<RouteTable>(new RouteTable());
  table->routes_ = builder.TakeRoutes();
  table->skipped_ = builder.TakeSkipped();
  for (const auto& route : table->routes_) {
    if (route->path.VariableNames().empty() &&
        std::all_of(route->path.ranks().begin(), route->path.ranks().end(), [](int r) { return r == 0; })) {
      table->literal_.emplace(absl::StrCat(route->http_method, " ", route->path.text()), route.get());
    }
  }
  return std::shared_ptr<const RouteTable>(std::move(table));
}

RouteTable::MatchResult RouteTable::Match(absl::string_view http_method, absl::string_view path) const {
  MatchResult result;
  if (!literal_.empty() && path.size() < 256) {
    const std::string key = absl::StrCat(http_method, " ", path);
    auto it = literal_.find(key);
    if (it != literal_.end()) {
      result.outcome = Outcome::kMatched;
      result.route = it->second;
      return result;
    }
  }
  SplitPath split = SplitRequestPath(path);
  if (!split.error.empty()) {
    result.outcome = Outcome::kBadPath;
    result.error = std::move(split.error);
    return result;
  }
  std::set<std::string> allowed;
  std::vector<Binding> bindings;
  for (const auto& route : routes_) {
    bindings.clear();
    if (!route->path.Match(split, &bindings)) continue;
    if (route->http_method != http_method) {
      allowed.insert(route->http_method);
      continue;
    }
    if (result.route == nullptr || MoreSpecific(*route, *result.route)) {
      result.route = route.get();
      result.bindings = bindings;
    }
  }
  if (result.route != nullptr) {
    result.outcome = Outcome::kMatched;
  } else if (!allowed.empty()) {
    result.outcome = Outcome::kMethodNotAllowed;
    result.allowed_methods = absl::StrJoin(allowed, ", ");
  }
  return result;
}

}  // namespace bkk::gateway
