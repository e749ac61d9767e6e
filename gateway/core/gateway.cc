// Request handling of the gateway; see gateway.h.
#include "gateway/core/gateway.h"

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>

#include <mutex>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/log.h"
#include "common/operators/grpc_caller.h"
#include "common/trace.h"
#include "gateway/core/console_session.h"
#include "gateway/core/share_page.h"
#include "gateway/core/status_map.h"
#include "gateway/core/stream_formats.h"
#include "gateway/core/text.h"
#include "gateway/core/transcoder.h"

namespace bkk::gateway {

using google::protobuf::Message;
using Clock = std::chrono::steady_clock;

namespace {

constexpr char kJsonType[] = "application/json; charset=utf-8";

// A sign-in answer's session token, moved out of the body into the cookie.
std::string TakeSessionCookie(Message* response, bool https) {
  const auto* descriptor = response->GetDescriptor();
  const auto* token_field = descriptor->FindFieldByName("session_token");
  const auto* expires_field = descriptor->FindFieldByName("expires_at");
  const auto* reflection = response->GetReflection();
  std::string token = reflection->GetString(*response, token_field);
  reflection->ClearField(response, token_field);
  if (token.empty()) return "";
  int64_t max_age = 3600;
  if (expires_field != nullptr && expires_field->cpp_type() == google::protobuf::FieldDescriptor::CPPTYPE_INT64) {
    max_age =
        reflection->GetInt64(*response, expires_field) -
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  }
  return SessionCookie(token, max_age, https);
}

bool StartsWith(absl::string_view s, absl::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

bool IsPrintableAscii(absl::string_view s) {
  for (char c : s) {
    if (c < 0x20 || c > 0x7E) return false;
  }
  return true;
}

// application/json, optionally with parameters (charset).
bool IsJsonContentType(absl::string_view type) {
  std::string lower = AsciiLower(type.substr(0, type.find(';')));
  while (!lower.empty() && lower.back() == ' ') lower.pop_back();
  return lower == "application/json";
}

std::string DeterministicBytes(const Message& message) {
  std::string out;
  {
    google::protobuf::io::StringOutputStream stream(&out);
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    message.SerializeToCodedStream(&coded);
  }
  return out;
}

HttpResponse JsonResponse(int status, std::string body, absl::string_view cache_control) {
  HttpResponse r;
  r.status = status;
  r.body = std::move(body);
  r.headers.push_back({"Content-Type", kJsonType});
  r.headers.push_back({"Cache-Control", std::string(cache_control)});
  return r;
}

// The head of a streamed answer: CSV download or server-sent events.
HttpResponse StreamHead(const Route& route) {
  HttpResponse head;
  head.status = 200;
  if (route.kind == ResponseKind::kCsv) {
    head.SetHeader("Content-Type", "text/csv; charset=utf-8");
    head.SetHeader("Content-Disposition", absl::StrCat("attachment; filename=\"", route.csv_filename, "\""));
  } else {
    head.SetHeader("Content-Type", "text/event-stream; charset=utf-8");
    // Proxies such as nginx must pass events on as they come.
    head.SetHeader("X-Accel-Buffering", "no");
  }
  head.SetHeader("Cache-Control", "no-store");
  return head;
}

}  // namespace

// One request's answer path: adds the common headers, records the metrics
// exactly once, and keeps the in-flight gauge honest. If it is dropped
// without an answer (a bug), it answers 500 rather than leaving the client
// hanging.
class Gateway::Exchange final {
 public:
  Exchange(Gateway* gateway, std::shared_ptr<ResponseWriter> writer, std::string origin, int series)
      : gateway_(gateway),
        writer_(std::move(writer)),
        origin_(std::move(origin)),
        series_(series),
        start_(Clock::now()) {
    gateway_->metrics_.AddInFlight(1);
  }
  ~Exchange() {
    if (!finished_.load()) {
      HttpResponse r = ErrorResponse(500, "INTERNAL", "the gateway dropped this request");
      Send(std::move(r));
    }
  }

  void set_series(int series) { series_ = series; }
  const std::string& origin() const { return origin_; }
  // API requests carry a trace (the client's traceparent or a new one): error
  // bodies name it, and changes and server errors get an http_request log
  // line with it (spectators' reads are not logged: they are the flood).
  void set_trace(const TraceParent& trace, absl::string_view method, absl::string_view path) {
    trace_id_ = trace.trace_id;
    traceparent_ = FormatTraceParent(trace);
    method_ = std::string(method);
    path_ = std::string(path.substr(0, 200));
  }
  // What the backend call carries as its traceparent metadata.
  const std::string& traceparent() const { return traceparent_; }

  void Send(HttpResponse response) {
    if (response.status >= 400) AddTraceIdToError(&response, trace_id_);
    if (!Finish(response.status)) return;
    gateway_->AddCommonHeaders(&response, origin_);
    writer_->Send(std::move(response));
  }
  void StartStream(HttpResponse head, StreamOptions options) {
    stream_status_ = head.status;
    gateway_->AddCommonHeaders(&head, origin_);
    writer_->StartStream(std::move(head), std::move(options));
  }
  void WriteChunk(std::string data, std::function<void(bool)> done) {
    writer_->WriteChunk(std::move(data), std::move(done));
  }
  void Offer(std::shared_ptr<const std::string> event) { writer_->Offer(std::move(event)); }
  void EndStream() {
    if (Finish(stream_status_)) writer_->EndStream();
  }
  void AbortStream() {
    if (Finish(stream_status_)) writer_->AbortStream();
  }
  void OnCancel(std::function<void(bool)> cancel) { writer_->OnCancel(std::move(cancel)); }

 private:
  bool Finish(int status) {
    if (finished_.exchange(true)) return false;
    const auto elapsed = Clock::now() - start_;
    gateway_->metrics_.Record(series_, status, elapsed);
    gateway_->metrics_.AddInFlight(-1);
    if (!trace_id_.empty() && (status >= 500 || (method_ != "GET" && method_ != "HEAD"))) {
      const std::string ms =
          std::to_string(std::chrono::duration_cast<std::chrono::microseconds>(elapsed).count() / 1000.0);
      Log(status >= 500 ? LogLevel::kWarning : LogLevel::kInfo, "http_request",
          {{"method", method_},
           {"path", path_},
           {"status", std::to_string(status)},
           {"ms", ms},
           {"trace_id", trace_id_}});
    }
    return true;
  }

  Gateway* const gateway_;
  const std::shared_ptr<ResponseWriter> writer_;
  const std::string origin_;
  int series_;
  const Clock::time_point start_;
  int stream_status_ = 200;
  std::atomic<bool> finished_{false};
  std::string trace_id_, traceparent_, method_, path_;
};

// One SSE client as the fan-out drives it, over the request's Exchange.
class Gateway::SseExchange final : public SseClient {
 public:
  SseExchange(std::shared_ptr<Exchange> ex, const Route& route, StreamOptions options)
      : ex_(std::move(ex)), route_(route), options_(std::move(options)) {}

  void Start(std::string preamble) override {
    started_ = true;
    ex_->StartStream(StreamHead(route_), options_);
    ex_->WriteChunk(std::move(preamble), nullptr);
  }
  void Offer(std::shared_ptr<const std::string> event) override { ex_->Offer(std::move(event)); }
  void End() override { ex_->EndStream(); }
  void Fail(const grpc::Status& status) override {
    if (!started_) return ex_->Send(ErrorResponseForGrpc(status));
    // The client learns why; the page decides whether to retry.
    ex_->WriteChunk(SseEvent(ErrorJson(GrpcCodeName(status.error_code()), HttpStatusForGrpcCode(status.error_code()),
                                       status.error_message()),
                             "error"),
                    nullptr);
    ex_->EndStream();
  }

 private:
  const std::shared_ptr<Exchange> ex_;
  const Route& route_;
  const StreamOptions options_;
  bool started_ = false;  // only the fan-out calls, under its lock
};

Gateway::Gateway(GatewayOptions options, std::shared_ptr<const RouteTable> routes, Backend* backend)
    : options_(std::move(options)),
      routes_(std::move(routes)),
      backend_(backend),
      limiter_(options_.limits.rate_limit_rps, options_.limits.rate_limit_burst),
      release_cache_(options_.cache_max_bytes),
      tally_cache_(options_.cache_max_bytes / 8),
      static_files_(options_.web_root),
      source_files_(options_.sources_root),
      fanout_(std::make_unique<SseFanout>(backend, options_.sse)) {
  for (const auto& route : routes_->routes()) {
    series_of_[route.get()] = metrics_.AddSeries(route->path.text(), route->http_method);
  }
  series_share_ = metrics_.AddSeries("share page", "GET");
  series_static_ = metrics_.AddSeries("static", "GET");
  series_health_ = metrics_.AddSeries("/healthz", "GET");
  series_ready_ = metrics_.AddSeries("/readyz", "GET");
  series_options_ = metrics_.AddSeries("preflight", "OPTIONS");
  series_unmatched_ = metrics_.AddSeries("unmatched", "");
  series_protocol_ = metrics_.AddSeries("protocol_error", "");
  using prometheus::MetricType;
  using Samples = std::vector<Metrics::Sample>;
  metrics_.AddCollector("bkk_gateway_rate_limited_total", "Requests refused by the per-client rate limit",
                        MetricType::Counter, [this] {
                          return Samples{{{}, static_cast<double>(rate_limited_.load(std::memory_order_relaxed))}};
                        });
  metrics_.AddCollector("bkk_gateway_cache_hits_total", "Answers served from a response cache", MetricType::Counter,
                        [this] {
                          return Samples{{{{"cache", "release"}}, static_cast<double>(release_cache_.hits())},
                                         {{{"cache", "tally"}}, static_cast<double>(tally_cache_.hits())}};
                        });
  metrics_.AddCollector("bkk_gateway_cache_misses_total", "Cacheable answers asked of a backend", MetricType::Counter,
                        [this] {
                          return Samples{{{{"cache", "release"}}, static_cast<double>(release_cache_.misses())},
                                         {{{"cache", "tally"}}, static_cast<double>(tally_cache_.misses())}};
                        });
  metrics_.AddCollector("bkk_gateway_release_info", "The dataset release the gateway serves (value 1)",
                        MetricType::Gauge, [this] {
                          return Samples{{{{"version", release_.Get()}}, 1}};
                        });
  metrics_.AddCollector("bkk_gateway_sse_clients", "Live-tally (SSE) clients connected", MetricType::Gauge, [this] {
    return Samples{{{}, static_cast<double>(fanout_->stats().clients)}};
  });
  metrics_.AddCollector("bkk_gateway_sse_upstreams", "Backend streams shared by the SSE clients", MetricType::Gauge,
                        [this] {
                          return Samples{{{}, static_cast<double>(fanout_->stats().upstreams)}};
                        });
  metrics_.AddCollector("bkk_gateway_sse_upstream_restarts_total", "Backend streams started again after ending",
                        MetricType::Counter, [this] {
                          return Samples{{{}, static_cast<double>(fanout_->stats().upstream_restarts)}};
                        });
  metrics_.AddCollector("bkk_gateway_sse_refused_total", "SSE clients refused at the client limit", MetricType::Counter,
                        [this] {
                          return Samples{{{}, static_cast<double>(fanout_->stats().refused)}};
                        });
  metrics_.AddCollector("bkk_gateway_sse_events_total", "Events passed to SSE clients", MetricType::Counter, [this] {
    return Samples{{{}, static_cast<double>(fanout_->stats().events)}};
  });
  csp_ =
      "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'; "
      "base-uri 'self'; form-action 'self'";
}

int Gateway::SeriesOf(const Route* route) const {
  auto it = series_of_.find(route);
  return it == series_of_.end() ? -1 : it->second;
}

uint64_t Gateway::BodyLimitFor(absl::string_view target) const {
  return StartsWith(target, "/v1/admin/") ? options_.limits.max_admin_body_bytes : options_.limits.max_body_bytes;
}

bool Gateway::IsLiveView(absl::string_view method, absl::string_view target) const {
  if (method != "GET" || !StartsWith(target, "/v1/")) return false;
  const RouteTable::MatchResult match = routes_->Match(method, target.substr(0, target.find('?')));
  return match.outcome == RouteTable::Outcome::kMatched && match.route->kind == ResponseKind::kSse;
}

void Gateway::SetRelease(std::string version) {
  if (release_.Set(std::move(version))) {
    // Old keys can never match again; free their memory now.
    release_cache_.Clear();
    LogInfo("release_changed", {{"version", release_.Get()}});
  }
}

bool Gateway::OriginAllowed(absl::string_view origin) const {
  for (const auto& allowed : options_.cors_origins) {
    if (allowed == "*" || allowed == origin) return true;
  }
  return false;
}

void Gateway::AddCommonHeaders(HttpResponse* response, absl::string_view origin) const {
  response->SetHeader("Content-Security-Policy", csp_);
  response->SetHeader("X-Content-Type-Options", "nosniff");
  response->SetHeader("Referrer-Policy", "strict-origin-when-cross-origin");
  response->SetHeader("X-Frame-Options", "DENY");
  if (options_.cors_origins.empty()) return;
  std::string vary(response->Header("Vary"));
  response->SetHeader("Vary", vary.empty() ? "Origin" : vary + ", Origin");
  if (!origin.empty() && OriginAllowed(origin)) {
    response->SetHeader("Access-Control-Allow-Origin", std::string(origin));
    response->SetHeader("Access-Control-Expose-Headers", "ETag, Retry-After, Content-Disposition");
  }
}

HttpResponse Gateway::ProtocolError(int http_status, absl::string_view code, absl::string_view message) {
  HttpResponse r = ErrorResponse(http_status, code, message);
  AddCommonHeaders(&r, {});
  metrics_.Record(series_protocol_, http_status, std::chrono::nanoseconds(0));
  return r;
}

bool Gateway::ServedOverHttps(const HttpRequest& request) const {
  if (StartsWith(options_.public_url, "https://")) return true;
  return options_.trust_forwarded_for && request.Header("x-forwarded-proto") == "https";
}

std::string Gateway::ClientAddress(const HttpRequest& request) const {
  if (options_.trust_forwarded_for) {
    absl::string_view xff = request.Header("x-forwarded-for");
    size_t comma = xff.rfind(',');
    absl::string_view last = comma == absl::string_view::npos ? xff : xff.substr(comma + 1);
    while (!last.empty() && last.front() == ' ') last.remove_prefix(1);
    while (!last.empty() && last.back() == ' ') last.remove_suffix(1);
    bool ok = !last.empty() && last.size() <= 64;
    for (char c : last) {
      if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || c == '.' || c == ':')) {
        ok = false;
      }
    }
    if (ok) return std::string(last);
  }
  return request.peer_address;
}

bool Gateway::CheckRate(const std::shared_ptr<Exchange>& ex, const HttpRequest& request) {
  int retry_after = 1;
  if (limiter_.Allow(ClientAddress(request), Clock::now(), &retry_after)) return true;
  rate_limited_.fetch_add(1, std::memory_order_relaxed);
  HttpResponse r = ErrorResponse(
      429, "RESOURCE_EXHAUSTED",
      absl::StrCat("too many requests from this address (limit ", options_.limits.rate_limit_rps, " per second, burst ",
                   options_.limits.rate_limit_burst, "); retry in ", retry_after, " s"));
  r.SetHeader("Retry-After", std::to_string(retry_after));
  ex->Send(std::move(r));
  return false;
}

void Gateway::Handle(const HttpRequest& request, std::shared_ptr<ResponseWriter> writer) {
  auto ex =
      std::make_shared<Exchange>(this, std::move(writer), std::string(request.Header("origin")), series_unmatched_);
  absl::string_view target = request.target;
  // Absolute-form targets (proxies may send them) are reduced to the path.
  if (StartsWith(target, "http://") || StartsWith(target, "https://")) {
    size_t slash = target.find('/', target.find("//") + 2);
    target = slash == absl::string_view::npos ? absl::string_view("/") : target.substr(slash);
  }
  if (target.empty() || target[0] != '/') {
    ex->Send(ErrorResponse(400, "INVALID_ARGUMENT", "the request target must be a path starting with '/'"));
    return;
  }
  size_t question = target.find('?');
  absl::string_view path = target.substr(0, question);
  absl::string_view query = question == absl::string_view::npos ? absl::string_view() : target.substr(question + 1);
  const std::string& method = request.method;

  if (method == "OPTIONS") return HandleOptions(ex, request, path);
  if (path == "/v1" || StartsWith(path, "/v1/")) return HandleApi(ex, request, path, query);
  if (StartsWith(path, "/p/") || StartsWith(path, "/r/")) return HandleSharePage(ex, request, path);

  const bool get = method == "GET" || method == "HEAD";
  auto not_allowed = [&] {
    HttpResponse r = ErrorResponse(405, "METHOD_NOT_ALLOWED",
                                   absl::StrCat(QuoteForMessage(method), " is not allowed here; use GET"));
    r.SetHeader("Allow", "GET, HEAD, OPTIONS");
    ex->Send(std::move(r));
  };
  if (path == "/healthz") {
    ex->set_series(series_health_);
    if (!get) return not_allowed();
    return ex->Send(JsonResponse(200, "{\"status\":\"ok\"}", "no-store"));
  }
  if (path == "/readyz") {
    ex->set_series(series_ready_);
    if (!get) return not_allowed();
    return HandleReady(ex);
  }
  ex->set_series(series_static_);
  if (!get) return not_allowed();
  HandleStatic(ex, request, path);
}

void Gateway::HandleStatic(const std::shared_ptr<Exchange>& ex, const HttpRequest& request, absl::string_view path) {
  auto response = static_files_.Serve(path, request.Header("accept-encoding"), request.Header("if-none-match"));
  if (!response && StartsWith(path, "/sources/")) {
    response = source_files_.Serve(path.substr(absl::string_view("/sources").size()), request.Header("accept-encoding"),
                                   request.Header("if-none-match"));
  }
  if (!response) {
    ex->set_series(series_unmatched_);
    return ex->Send(ErrorResponse(404, "NOT_FOUND", absl::StrCat("no such page: ", QuoteForMessage(path, 200))));
  }
  ex->Send(std::move(*response));
}

void Gateway::HandleOptions(const std::shared_ptr<Exchange>& ex, const HttpRequest& request, absl::string_view path) {
  ex->set_series(series_options_);
  absl::string_view origin = request.Header("origin");
  const bool preflight = !origin.empty() && request.HasHeader("access-control-request-method");
  if (preflight && !OriginAllowed(origin)) {
    return ex->Send(ErrorResponse(403, "PERMISSION_DENIED",
                                  absl::StrCat("origin ", QuoteForMessage(origin),
                                               " may not call this API from a browser (see BKK_CORS_ORIGINS)")));
  }
  HttpResponse r;
  r.status = 204;
  r.SetHeader("Allow", "GET, HEAD, POST, OPTIONS");
  if (preflight) {
    r.SetHeader("Access-Control-Allow-Methods", "GET, HEAD, POST, OPTIONS");
    r.SetHeader("Access-Control-Allow-Headers",
                "Authorization, Content-Type, If-None-Match, grpc-timeout, X-Request-Id, X-CSRF-Token");
    r.SetHeader("Access-Control-Max-Age", "600");
  }
  ex->Send(std::move(r));
}

void Gateway::HandleReady(std::shared_ptr<Exchange> ex) {
  if (draining_.load()) {
    return ex->Send(ErrorResponse(503, "UNAVAILABLE", "draining: the gateway is shutting down"));
  }
  // Until the dataset release is known, budget answers cannot carry their
  // release ETag or be cached: not ready yet.
  if (release().empty()) {
    return ex->Send(ErrorResponse(503, "UNAVAILABLE", "not ready: the dataset release is not known yet"));
  }
  // Probes come often (kubelet, load balancers, ./bkk run): a verdict is
  // reused for a second instead of asking every backend each time.
  const auto now = std::chrono::steady_clock::now();
  {
    std::lock_guard<std::mutex> lock(ready_mu_);
    if (now < ready_cached_until_) {
      return ex->Send(ready_cached_ok_ ? JsonResponse(200, "{\"status\":\"ready\"}", "no-store")
                                       : ErrorResponse(503, "UNAVAILABLE", ready_cached_problem_));
    }
  }
  struct ReadyState {
    std::shared_ptr<Exchange> ex;
    std::atomic<int> pending{3};
    std::mutex mu;
    std::vector<std::string> problems;
  };
  auto state = std::make_shared<ReadyState>();
  state->ex = std::move(ex);
  const auto deadline = std::chrono::system_clock::now() + std::chrono::seconds(2);
  for (const char* service : {kBudgetService, kKeywordService, kVotingService}) {
    backend_->CheckHealth(service, deadline, [this, state, service](bool serving, const std::string& detail) {
      if (!serving) {
        std::lock_guard<std::mutex> lock(state->mu);
        state->problems.push_back(absl::StrCat(service, ": ", detail));
      }
      if (state->pending.fetch_sub(1) != 1) return;
      std::lock_guard<std::mutex> lock(state->mu);
      const bool ready = state->problems.empty();
      const std::string problem =
          ready ? std::string() : absl::StrCat("not ready: ", absl::StrJoin(state->problems, "; "));
      {
        std::lock_guard<std::mutex> cache_lock(ready_mu_);
        ready_cached_until_ = std::chrono::steady_clock::now() + options_.ready_cache_ttl;
        ready_cached_ok_ = ready;
        ready_cached_problem_ = problem;
      }
      state->ex->Send(ready ? JsonResponse(200, "{\"status\":\"ready\"}", "no-store")
                            : ErrorResponse(503, "UNAVAILABLE", problem));
    });
  }
}

CachePolicy Gateway::PolicyFor(const Route& route, const HttpRequest& request) const {
  if ((request.method != "GET" && request.method != "HEAD") || route.kind != ResponseKind::kJson) {
    return CachePolicy::kNone;
  }
  // Answers to an authorized caller might depend on who it is: never shared.
  if (request.HasHeader("authorization") || route.admin) return CachePolicy::kNone;
  if (route.cache == CachePolicy::kTtl && options_.tally_cache_ttl.count() <= 0) return CachePolicy::kNone;
  return route.cache;
}

void Gateway::HandleApi(const std::shared_ptr<Exchange>& ex, const HttpRequest& request, absl::string_view path,
                        absl::string_view query) {
  // The client's trace goes on (as our child span), else one starts here.
  std::optional<TraceParent> incoming = ParseTraceParent(request.Header(kTraceParentKey));
  ex->set_trace(incoming ? ChildSpan(*incoming) : NewTrace(), request.method, path);
  // HEAD is GET without the body (the server drops it), for JSON routes.
  const bool head = request.method == "HEAD";
  RouteTable::MatchResult match = routes_->Match(head ? absl::string_view("GET") : request.method, path);
  if (head && match.outcome == RouteTable::Outcome::kMatched && match.route->kind != ResponseKind::kJson) {
    match.outcome = RouteTable::Outcome::kMethodNotAllowed;
    match.allowed_methods = "GET";
  }
  switch (match.outcome) {
    case RouteTable::Outcome::kBadPath:
      return ex->Send(ErrorResponse(400, "INVALID_ARGUMENT", match.error));
    case RouteTable::Outcome::kNotFound:
      return ex->Send(
          ErrorResponse(404, "NOT_FOUND", absl::StrCat("no API route matches ", QuoteForMessage(path, 200))));
    case RouteTable::Outcome::kMethodNotAllowed: {
      HttpResponse r = ErrorResponse(405, "METHOD_NOT_ALLOWED",
                                     absl::StrCat(QuoteForMessage(request.method), " is not allowed on ",
                                                  QuoteForMessage(path, 200), "; allowed: ", match.allowed_methods));
      r.SetHeader("Allow", absl::StrCat(match.allowed_methods, ", OPTIONS"));
      return ex->Send(std::move(r));
    }
    case RouteTable::Outcome::kMatched:
      break;
  }
  const Route& route = *match.route;
  ex->set_series(SeriesOf(&route));
  if (!CheckRate(ex, request)) return;

  if (!request.body.empty()) {
    absl::string_view type = request.Header("content-type");
    if (!type.empty() && !IsJsonContentType(type)) {
      return ex->Send(ErrorResponse(
          415, "UNSUPPORTED_MEDIA_TYPE",
          absl::StrCat("Content-Type ", QuoteForMessage(type), " is not accepted; send application/json")));
    }
  }
  auto message = BuildGrpcRequest(route, match.bindings, query, request.body);
  if (!message.ok()) return ex->Send(ErrorResponseForStatus(message.status()));

  CallOptions call;
  std::chrono::milliseconds timeout = route.kind == ResponseKind::kJson  ? options_.limits.request_timeout
                                      : route.kind == ResponseKind::kCsv ? options_.limits.csv_timeout
                                                                         : options_.limits.sse_max_duration;
  absl::string_view grpc_timeout = request.Header("grpc-timeout");
  if (!grpc_timeout.empty() && route.kind != ResponseKind::kSse) {
    auto parsed = ParseGrpcTimeout(grpc_timeout);
    if (!parsed) {
      return ex->Send(ErrorResponse(400, "INVALID_ARGUMENT",
                                    absl::StrCat("header grpc-timeout: ", QuoteForMessage(grpc_timeout),
                                                 " is not a timeout such as 500m or 5S")));
    }
    timeout = std::min(timeout, *parsed);
  }
  call.deadline = std::chrono::system_clock::now() + timeout;
  absl::string_view authorization = request.Header("authorization");
  if (!authorization.empty()) {
    // gRPC refuses non-printable metadata; say so here instead of a 500 later.
    if (!IsPrintableAscii(authorization) || authorization.size() > 8192) {
      return ex->Send(ErrorResponse(400, "INVALID_ARGUMENT", "header Authorization: must be printable ASCII"));
    }
    call.metadata.emplace_back("authorization", std::string(authorization));
  }
  call.metadata.emplace_back("x-client-address", ClientAddress(request));
  call.metadata.emplace_back(kTraceParentKey, ex->traceparent());
  const Language language = NegotiateLanguage(request.Header("accept-language"));
  call.metadata.emplace_back(kLanguageMetadata, std::string(LanguageTag(language)));
  absl::string_view request_id = request.Header("x-request-id");
  if (!request_id.empty() && request_id.size() <= 128 && IsPrintableAscii(request_id)) {
    call.metadata.emplace_back("x-request-id", std::string(request_id));
  }
  if (route.admin) {
    // The console's session reaches only operators' routes. A change made
    // with the cookie must carry the anti-CSRF header too (another site can
    // make the browser send the cookie, never the header); voting checks
    // that it is this session's.
    std::string session = SessionTokenFrom(request.Header("cookie"));
    absl::string_view csrf = request.Header(kCsrfHeader);
    if (!session.empty()) {
      const bool change = request.method != "GET" && request.method != "HEAD";
      if (change && route.session != SessionEffect::kSignIn && csrf.empty()) {
        return ex->Send(ErrorResponse(403, "PERMISSION_DENIED",
                                      "this console action needs the X-CSRF-Token header of your session; reload "
                                      "the console and try again"));
      }
      call.metadata.emplace_back(operators::kSessionMetadata, std::move(session));
    }
    if (!csrf.empty()) {
      if (!IsPrintableAscii(csrf) || csrf.size() > 256) {
        return ex->Send(ErrorResponse(400, "INVALID_ARGUMENT", "header X-CSRF-Token: must be printable ASCII"));
      }
      call.metadata.emplace_back(operators::kCsrfMetadata, std::string(csrf));
    }
  }
  if (route.kind == ResponseKind::kJson) {
    CallUnary(ex, route, request, std::move(*message), call, language);
  } else if (route.kind == ResponseKind::kCsv && !route.method->server_streaming()) {
    CallUnaryCsv(ex, route, std::move(*message), call);
  } else if (route.kind == ResponseKind::kSse) {
    JoinSse(ex, route, **message);
  } else {
    CallStream(ex, route, std::move(*message), call);
  }
}

void Gateway::JoinSse(const std::shared_ptr<Exchange>& ex, const Route& route, const Message& message) {
  StreamOptions stream_options;
  stream_options.heartbeat_interval = options_.limits.sse_heartbeat;
  stream_options.heartbeat_chunk = std::string(kSseHeartbeat);
  stream_options.watch_for_close = true;
  auto client = std::make_shared<SseExchange>(ex, route, stream_options);
  auto id = fanout_->Join(route, message, std::move(client));
  if (!id) {
    HttpResponse r =
        ErrorResponse(503, "UNAVAILABLE",
                      absl::StrCat("this gateway is serving its limit of ", options_.sse.max_clients,
                                   " live streams; retry shortly, or reload the page to see the latest counts"));
    r.SetHeader("Retry-After", "10");
    return ex->Send(std::move(r));
  }
  SseFanout* fanout = fanout_.get();
  ex->OnCancel([fanout, id = *id](bool client_gone) { fanout->Leave(id, client_gone); });
}

void Gateway::CallUnary(const std::shared_ptr<Exchange>& ex, const Route& route, const HttpRequest& request,
                        std::unique_ptr<Message> message, const CallOptions& call, Language language) {
  CachePolicy policy = PolicyFor(route, request);
  std::string key;
  std::string release;
  if (policy == CachePolicy::kRelease) {
    release = release_.Get();
    if (release.empty()) policy = CachePolicy::kNone;  // budget-data not seen yet
  }
  if (policy != CachePolicy::kNone) {
    key = absl::StrCat(policy == CachePolicy::kRelease ? release : "ttl", "\x1f", LanguageTag(language), "\x1f",
                       route.grpc_path, "\x1f", DeterministicBytes(*message));
  }
  const std::string if_none_match(request.Header("if-none-match"));
  // The answer for a (cached or fresh) OK response.
  auto answer = [policy, if_none_match, language](const std::shared_ptr<const CachedResponse>& entry) {
    const char* cache_control = policy == CachePolicy::kRelease ? "public, max-age=60"
                                : policy == CachePolicy::kTtl   ? "no-cache"
                                                                : "no-store";
    HttpResponse r = JsonResponse(200, "", cache_control);
    // Texts the services write follow Accept-Language: shared caches must key on it.
    r.SetHeader("Content-Language", std::string(LanguageTag(language)));
    r.SetHeader("Vary", "Accept-Language");
    if (!entry->etag.empty()) {
      r.SetHeader("ETag", entry->etag);
      if (IfNoneMatchMatches(if_none_match, entry->etag)) {
        r.status = 304;
        return r;
      }
    }
    r.shared_body = std::shared_ptr<const std::string>(entry, &entry->body);  // shares, no copy
    return r;
  };
  ResponseCache* cache = policy == CachePolicy::kRelease ? &release_cache_
                         : policy == CachePolicy::kTtl   ? &tally_cache_
                                                         : nullptr;
  if (cache != nullptr) {
    if (auto hit = cache->Get(key, Clock::now())) return ex->Send(answer(hit));
  }
  const Route* route_ptr = &route;
  const auto ttl = options_.tally_cache_ttl;
  const bool https = ServedOverHttps(request);
  backend_->CallUnary(route.method, call, std::move(message),
                      [ex, route_ptr, policy, cache, key = std::move(key), release = std::move(release), answer, ttl,
                       https](const grpc::Status& status, std::unique_ptr<Message> response) {
                        if (!status.ok()) {
                          const int http = HttpStatusForGrpcCode(status.error_code());
                          if (http == 500) {
                            LogWarning("backend_error", {{"rpc", route_ptr->name},
                                                         {"code", std::string(GrpcCodeName(status.error_code()))},
                                                         {"message", status.error_message()}});
                          }
                          return ex->Send(ErrorResponseForGrpc(status));
                        }
                        std::string set_cookie;
                        if (route_ptr->session == SessionEffect::kSignIn) {
                          set_cookie = TakeSessionCookie(response.get(), https);
                        } else if (route_ptr->session == SessionEffect::kSignOut) {
                          set_cookie = ClearedSessionCookie(https);
                        }
                        auto json = MessageToJson(*response);
                        if (!json.ok()) return ex->Send(ErrorResponseForStatus(json.status()));
                        auto entry = std::make_shared<CachedResponse>();
                        entry->body = std::move(*json);
                        if (policy == CachePolicy::kRelease) {
                          entry->etag = MakeEtag(release, entry->body);
                          // An answer that names another release than the key would serve
                          // stale data under the new release: answer it, do not keep it.
                          bool same_release = true;
                          const auto* field = response->GetDescriptor()->FindFieldByName("release_version");
                          if (field != nullptr && field->type() == google::protobuf::FieldDescriptor::TYPE_STRING &&
                              !field->is_repeated()) {
                            std::string version = response->GetReflection()->GetString(*response, field);
                            same_release = version.empty() || version == release;
                          }
                          if (same_release) cache->Put(key, entry);
                        } else if (policy == CachePolicy::kTtl) {
                          entry->expires = Clock::now() + ttl;
                          cache->Put(key, entry);
                        }
                        HttpResponse r = answer(entry);
                        if (!set_cookie.empty()) r.SetHeader("Set-Cookie", std::move(set_cookie));
                        ex->Send(std::move(r));
                      });
}

void Gateway::CallUnaryCsv(const std::shared_ptr<Exchange>& ex, const Route& route, std::unique_ptr<Message> message,
                           const CallOptions& call) {
  const Route* route_ptr = &route;
  backend_->CallUnary(route.method, call, std::move(message),
                      [ex, route_ptr](const grpc::Status& status, std::unique_ptr<Message> response) {
                        if (!status.ok()) return ex->Send(ErrorResponseForGrpc(status));
                        HttpResponse r = StreamHead(*route_ptr);
                        r.body = CsvPreamble(*route_ptr) + CsvRows(*route_ptr, *response);
                        ex->Send(std::move(r));
                      });
}

namespace {

// Shared by the callbacks of one streamed answer.
struct StreamState {
  const Route* route = nullptr;
  std::mutex mu;
  std::shared_ptr<BackendStream> stream;  // reset when the call is done
  bool started = false;

  void Next() {
    std::shared_ptr<BackendStream> s;
    {
      std::lock_guard<std::mutex> lock(mu);
      s = stream;
    }
    if (s) s->RequestNext();
  }
  void Cancel() {
    std::shared_ptr<BackendStream> s;
    {
      std::lock_guard<std::mutex> lock(mu);
      s = stream;
    }
    if (s) s->Cancel();
  }
};

}  // namespace

void Gateway::CallStream(const std::shared_ptr<Exchange>& ex, const Route& route, std::unique_ptr<Message> message,
                         const CallOptions& call) {
  auto state = std::make_shared<StreamState>();
  state->route = &route;
  // Whether the head went out (first message or the end) is decided under
  // the state's lock; the writes themselves happen outside it.
  auto take_start = [state]() {
    std::lock_guard<std::mutex> lock(state->mu);
    bool first = !state->started;
    state->started = true;
    return first;
  };
  BackendStream::Handlers handlers;
  handlers.on_message = [ex, state, take_start](std::unique_ptr<Message> response) {
    const Route& r = *state->route;
    const bool first = take_start();
    std::string chunk;
    if (first) chunk = CsvPreamble(r);
    chunk += CsvRows(r, *response);
    if (first) ex->StartStream(StreamHead(r), {});
    ex->WriteChunk(std::move(chunk), [state](bool ok) {
      if (ok) {
        state->Next();
      } else {
        state->Cancel();
      }
    });
  };
  handlers.on_done = [ex, state, take_start](const grpc::Status& status) {
    {
      std::lock_guard<std::mutex> lock(state->mu);
      state->stream.reset();  // breaks the state -> stream -> handlers cycle
    }
    const Route& r = *state->route;
    if (take_start()) {
      if (!status.ok()) return ex->Send(ErrorResponseForGrpc(status));
      ex->StartStream(StreamHead(r), {});
      ex->WriteChunk(CsvPreamble(r), [](bool) {});
      return ex->EndStream();
    }
    if (status.ok()) return ex->EndStream();
    // A CSV cut short must look cut short: no last chunk.
    ex->AbortStream();
  };
  auto stream = backend_->PrepareServerStream(route.method, call, std::move(message), std::move(handlers));
  {
    std::lock_guard<std::mutex> lock(state->mu);
    state->stream = stream;
  }
  std::weak_ptr<StreamState> weak = state;
  ex->OnCancel([weak](bool) {
    if (auto s = weak.lock()) s->Cancel();
  });
  stream->Start();
}

namespace {

// A positive decimal id of a share path ("/p/12"), or 0.
int64_t ShareId(absl::string_view id) {
  if (id.empty() || id.size() > 18) return 0;
  int64_t out = 0;
  for (char c : id) {
    if (c < '0' || c > '9') return 0;
    out = out * 10 + (c - '0');
  }
  return out;
}

HttpResponse SharePageResponse(std::string html) {
  HttpResponse r;
  r.body = std::move(html);
  r.SetHeader("Content-Type", "text/html; charset=utf-8");
  r.SetHeader("Cache-Control", "public, max-age=60");
  return r;
}

}  // namespace

std::string Gateway::PublicBase(const HttpRequest& request) const {
  if (!options_.public_url.empty()) return options_.public_url;
  absl::string_view host = request.Header("host");
  bool ok = !host.empty() && host.size() <= 255;
  for (char c : host) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == ':' || c == '[' || c == ']')) {
      ok = false;
    }
  }
  return ok ? absl::StrCat(ServedOverHttps(request) ? "https" : "http", "://", host) : "";
}

void Gateway::HandleSharePage(const std::shared_ptr<Exchange>& ex, const HttpRequest& request, absl::string_view path) {
  ex->set_series(series_share_);
  if (request.method != "GET" && request.method != "HEAD") {
    HttpResponse r = ErrorResponse(405, "METHOD_NOT_ALLOWED",
                                   absl::StrCat(QuoteForMessage(request.method), " is not allowed here; use GET"));
    r.SetHeader("Allow", "GET, HEAD, OPTIONS");
    return ex->Send(std::move(r));
  }
  // "/p/{proposal_id}" or "/r/{round_id}/{district_id}".
  const bool results = StartsWith(path, "/r/");
  absl::string_view rest = path.substr(3);
  const size_t slash = rest.find('/');
  const int64_t first = ShareId(results ? rest.substr(0, slash) : rest);
  const int64_t district = results && slash != absl::string_view::npos ? ShareId(rest.substr(slash + 1)) : 0;
  if (first <= 0 || (results && (district <= 0 || district > 50))) {
    return ex->Send(ErrorResponse(404, "NOT_FOUND",
                                  absl::StrCat(results ? "no published result " : "no proposal ", QuoteForMessage(rest),
                                               results ? "; use /r/ROUND/DISTRICT" : "")));
  }
  if (!CheckRate(ex, request)) return;
  CallOptions call;
  call.deadline = std::chrono::system_clock::now() + options_.limits.request_timeout;
  call.metadata.emplace_back("x-client-address", ClientAddress(request));
  const std::string base = PublicBase(request);
  const std::string image = options_.og_image_path;
  if (results) {
    bkkbudget::voting::v1::ComputeOutcomeRequest outcome_request;
    outcome_request.set_round_id(first);
    outcome_request.set_district_id(static_cast<int32_t>(district));
    return backend_->ComputeOutcome(
        outcome_request, call,
        [ex, base, image, first, district](const grpc::Status& status,
                                           const bkkbudget::voting::v1::ComputeOutcomeResponse& response) {
          if (!status.ok()) return ex->Send(ErrorResponseForGrpc(status));
          ex->Send(
              SharePageResponse(RenderResultsSharePage(response, first, static_cast<int32_t>(district), base, image)));
        });
  }
  bkkbudget::voting::v1::GetProposalRequest proposal_request;
  proposal_request.set_proposal_id(first);
  backend_->GetProposal(
      proposal_request, call,
      [ex, base, image](const grpc::Status& status, const bkkbudget::voting::v1::GetProposalResponse& response) {
        if (!status.ok()) return ex->Send(ErrorResponseForGrpc(status));
        ex->Send(SharePageResponse(RenderSharePage(response, base, image)));
      });
}

}  // namespace bkk::gateway
