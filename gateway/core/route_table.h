// The gateway's routes, read once at start from the `google.api.http` rules
// in the compiled descriptors: an RPC with a rule is served without any
// gateway change. Path templates follow google/api/http.proto:
//   Template = "/" Segments [ ":" Verb ]
//   Segment  = "*" | "**" | LITERAL | "{" FieldPath [ "=" Segments ] "}"
// Matching works on whole segments; among routes that match, literal
// segments beat variables (left to right) and a matching verb wins.
#ifndef BKK_GATEWAY_CORE_ROUTE_TABLE_H_
#define BKK_GATEWAY_CORE_ROUTE_TABLE_H_

#include <google/protobuf/descriptor.h>

#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace bkk::gateway {

// A field path ("filter.fiscal_year") and the decoded text bound to it.
struct Binding {
  std::string field_path;
  std::string value;
};

// Splits a raw request path into decoded segments and the raw ":verb" of
// the last segment. Returns an error message for a malformed path.
struct SplitPath {
  std::vector<std::string> segments;               // fully decoded, last one including any ":verb"
  std::vector<std::string> segments_without_verb;  // last one with the verb cut off
  std::string verb;                                // raw text after the last ':' of the last segment
  std::string error;
};
SplitPath SplitRequestPath(absl::string_view path);

class PathTemplate final {
 public:
  // Parses a template; INVALID_ARGUMENT says what is wrong where.
  static absl::StatusOr<PathTemplate> Parse(absl::string_view text);

  const std::string& text() const { return text_; }
  const std::string& verb() const { return verb_; }
  // One rank per segment: 0 literal, 1 single-segment wildcard, 2 "**".
  // Lower compares as more specific.
  const std::vector<int>& ranks() const { return ranks_; }
  // Field paths of the variables, in order.
  std::vector<std::string> VariableNames() const;

  // Matches a split request path; appends the bindings on success.
  bool Match(const SplitPath& path, std::vector<Binding>* bindings) const;

 private:
  struct Segment {
    enum class Kind { kLiteral, kSingle, kMulti };
    Kind kind = Kind::kLiteral;
    std::string literal;
  };
  struct Variable {
    std::string field_path;
    size_t first = 0;  // first segment index
    size_t last = 0;   // one past the last segment index
  };

  std::string text_;
  std::vector<Segment> segments_;
  std::vector<Variable> variables_;
  std::vector<int> ranks_;
  std::string verb_;
  bool ends_with_multi_ = false;
};

// What the gateway answers a route with.
enum class ResponseKind {
  kJson,  // unary RPC: the response message as JSON
  kSse,   // server streaming: one server-sent event per message
  kCsv,   // server streaming of rows: CSV, streamed chunk by chunk
};

// Whether a GET answer may be reused for other callers. Declared per
// service or method in the route table options (default_routes.cc), so no
// method name is special-cased in the request path.
enum class CachePolicy {
  kNone,     // every request reaches the backend
  kRelease,  // reused until budget-data publishes a new release (ETag = release)
  kTtl,      // reused for GatewayOptions::tally_cache_ttl (live tallies)
};

// What a route does to the operator console's session cookie. Declared by
// method in the route table options, like cache policies.
enum class SessionEffect {
  kNone,
  kSignIn,   // the response's session_token becomes the HttpOnly cookie
  kSignOut,  // the cookie is cleared
};

// Paths under this prefix are operators' routes: only they receive the
// console's session cookie and anti-CSRF header as metadata.
inline constexpr absl::string_view kAdminPathPrefix = "/v1/admin/";

struct Route {
  std::string http_method;  // "GET", "POST", … (custom verbs upper-case)
  PathTemplate path;
  // "" (no body), "*" (the whole request message) or a field name.
  std::string body;
  const google::protobuf::MethodDescriptor* method = nullptr;
  std::string grpc_path;  // "/bkkbudget.budget.v1.BudgetService/GetOverview"
  std::string name;       // "BudgetService.GetOverview", for metrics and logs
  ResponseKind kind = ResponseKind::kJson;
  // For kJson routes answering GET; never applied to authorized requests.
  CachePolicy cache = CachePolicy::kNone;
  // Under kAdminPathPrefix: gets the console session, needs anti-CSRF for changes.
  bool admin = false;
  SessionEffect session = SessionEffect::kNone;
  // For kCsv: the repeated message field of each response that holds rows,
  // and the row fields to write, in order (both by proto field name).
  std::string csv_rows_field;
  std::vector<std::string> csv_columns;
  std::string csv_filename;
  // Declared by the gateway rather than a proto rule (e.g. the CSV export).
  bool extra = false;
  // A query parameter that names no field of the request is looked up under
  // this message field too: `/v1/export/lines.csv?fiscal_year=2566` sets
  // filter.fiscal_year. Empty for proto rules.
  std::string query_fallback_prefix;
};

struct CsvFormat {
  std::string rows_field;
  std::vector<std::string> columns;
  std::string filename;
};

// A route the gateway adds on top of the proto rules.
struct ExtraRoute {
  std::string method_full_name;  // "bkkbudget.budget.v1.BudgetService.StreamLines"
  std::string http_method;
  std::string path;
  std::string query_fallback_prefix;
  // A unary method's answer as a CSV download instead of JSON (a
  // server-streaming one is CSV when RouteTableOptions::csv_methods says so).
  std::optional<CsvFormat> csv;
};

struct RouteTableOptions {
  // Full service names whose methods are routed.
  std::vector<std::string> services;
  // Server-streaming methods answered as CSV (by method full name); every
  // other server-streaming method is answered as server-sent events.
  std::vector<std::pair<std::string, CsvFormat>> csv_methods;
  std::vector<ExtraRoute> extra_routes;
  // Cache policies by full service name or full method name; a method's
  // own entry wins over its service's. Unnamed methods are kNone.
  std::vector<std::pair<std::string, CachePolicy>> cache_policies;
  // Console session effects by full method name.
  std::vector<std::pair<std::string, SessionEffect>> session_methods;
};

class RouteTable final {
 public:
  // Reads every method of `options.services` from `pool`. Fails (naming the
  // method) on a rule the gateway cannot serve correctly, so a bad proto
  // change stops the gateway at start rather than misrouting requests.
  static absl::StatusOr<std::shared_ptr<const RouteTable>> Build(const google::protobuf::DescriptorPool& pool,
                                                                 const RouteTableOptions& options);

  enum class Outcome { kMatched, kNotFound, kMethodNotAllowed, kBadPath };
  struct MatchResult {
    Outcome outcome = Outcome::kNotFound;
    const Route* route = nullptr;
    std::vector<Binding> bindings;
    // kMethodNotAllowed: the methods the path does accept ("GET, POST").
    std::string allowed_methods;
    // kBadPath: why the path could not be decoded.
    std::string error;
  };

  // `path` is the raw (percent-encoded) path, without the query string.
  MatchResult Match(absl::string_view http_method, absl::string_view path) const;

  const std::vector<std::unique_ptr<Route>>& routes() const { return routes_; }
  // Streaming methods with client streaming, skipped because HTTP/1.1
  // request/response cannot carry them.
  const std::vector<std::string>& skipped() const { return skipped_; }

 private:
  RouteTable() = default;
  std::vector<std::unique_ptr<Route>> routes_;
  std::vector<std::string> skipped_;
  // "GET /v1/budget/overview" -> route, for templates without variables: the
  // hot cached routes skip segment matching. A literal template always wins
  // over a variable one, so the shortcut never changes the answer.
  std::unordered_map<std::string, const Route*> literal_;
};

}  // namespace bkk::gateway

#endif  // BKK_GATEWAY_CORE_ROUTE_TABLE_H_
