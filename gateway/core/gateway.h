// The gateway's request handling, independent of sockets: routes a complete
// HTTP request to the API (one gRPC call through Backend), the CSV and SSE
// streams, share pages, health, readiness, metrics or the static web app,
// and answers through a ResponseWriter. It adds the security and CORS
// headers, enforces the per-client rate limit and the deadlines, keeps the
// response caches and records the metrics. Thread-safe: io threads call
// Handle concurrently, and backend completions finish requests on gRPC's
// threads.
#ifndef BKK_GATEWAY_CORE_GATEWAY_H_
#define BKK_GATEWAY_CORE_GATEWAY_H_

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "absl/strings/string_view.h"
#include "gateway/core/backend.h"
#include "gateway/core/default_routes.h"
#include "gateway/core/http_types.h"
#include "gateway/core/language.h"
#include "gateway/core/limits.h"
#include "gateway/core/metrics.h"
#include "gateway/core/response_cache.h"
#include "gateway/core/route_table.h"
#include "gateway/core/sse_fanout.h"
#include "gateway/core/static_files.h"

namespace bkk::gateway {

struct GatewayOptions {
  Limits limits;
  // Directory of the built web app; empty serves no static files.
  std::string web_root;
  // Directory of the source PDFs (data/sources/), served at /sources/ when
  // the web app does not hold the file: the district books (48 MB) stay out
  // of the web app and its image. Empty: only what the web app holds.
  std::string sources_root;
  // Origins allowed to call the API from a browser ("*" allows any).
  std::vector<std::string> cors_origins;
  // How long GetTopProposals / GetTurnout answers are reused; 0 disables.
  std::chrono::milliseconds tally_cache_ttl{500};
  size_t cache_max_bytes = 64 << 20;
  // Use the last X-Forwarded-For hop as the client address (only behind a
  // proxy that sets it, e.g. the ingress); otherwise the socket peer.
  bool trust_forwarded_for = false;
  // Public origin for share page links ("https://…"); empty derives it from Host.
  std::string public_url;
  std::string og_image_path = "/og.png";
  // How long a /readyz verdict (every channel of every backend asked) is
  // reused; probes then cost the backends nothing. 0 asks every time.
  std::chrono::milliseconds ready_cache_ttl{1000};
  // Server-sent events: one upstream per stream shared by its clients.
  SseFanoutOptions sse;
};

class Gateway final {
 public:
  Gateway(GatewayOptions options, std::shared_ptr<const RouteTable> routes, Backend* backend);
  Gateway(const Gateway&) = delete;
  Gateway& operator=(const Gateway&) = delete;

  // Handles one complete request; answers through `writer`, now or later.
  void Handle(const HttpRequest& request, std::shared_ptr<ResponseWriter> writer);

  // An error the server found before a request was complete (malformed
  // HTTP, oversize headers or body, read timeout), as a full JSON response
  // with the common headers; counted in the metrics.
  HttpResponse ProtocolError(int http_status, absl::string_view code, absl::string_view message);

  // The body limit of a request target (admin imports get a larger one).
  uint64_t BodyLimitFor(absl::string_view target) const;
  // Whether the request opens a live view (a server-sent event stream), so
  // the server can serve it apart from requests a voter waits for.
  bool IsLiveView(absl::string_view method, absl::string_view target) const;
  const Limits& limits() const { return options_.limits; }

  // A new dataset release seen by the poller: drops the release cache.
  void SetRelease(std::string version);
  std::string release() const { return release_.Get(); }

  // While draining, /readyz answers 503 so load balancers stop sending.
  void SetDraining(bool draining) { draining_.store(draining); }

  Metrics& metrics() { return metrics_; }
  SseFanout::Stats sse_stats() const { return fanout_->stats(); }
  ResponseCache& release_cache() { return release_cache_; }
  const RouteTable& routes() const { return *routes_; }
  // The metrics series of a route (for tests).
  int SeriesOf(const Route* route) const;

 private:
  class Exchange;
  class SseExchange;

  void HandleApi(const std::shared_ptr<Exchange>& ex, const HttpRequest& request, absl::string_view path,
                 absl::string_view query);
  void CallUnary(const std::shared_ptr<Exchange>& ex, const Route& route, const HttpRequest& request,
                 std::unique_ptr<google::protobuf::Message> message, const CallOptions& call, Language language);
  // A unary answer as one CSV download (RouteTableOptions' unary CSV routes).
  void CallUnaryCsv(const std::shared_ptr<Exchange>& ex, const Route& route,
                    std::unique_ptr<google::protobuf::Message> message, const CallOptions& call);
  // CSV routes: one backend stream per download, paced by the client.
  void CallStream(const std::shared_ptr<Exchange>& ex, const Route& route,
                  std::unique_ptr<google::protobuf::Message> message, const CallOptions& call);
  // SSE routes: the client joins the route's shared upstream (SseFanout).
  void JoinSse(const std::shared_ptr<Exchange>& ex, const Route& route, const google::protobuf::Message& message);
  // Link previews: `/p/{proposal_id}` and `/r/{round_id}/{district_id}`.
  void HandleSharePage(const std::shared_ptr<Exchange>& ex, const HttpRequest& request, absl::string_view path);
  // The public origin for absolute links: the configured one, else the
  // request's Host ("" when it is not a plausible host name).
  std::string PublicBase(const HttpRequest& request) const;
  void HandleReady(std::shared_ptr<Exchange> ex);
  void HandleOptions(const std::shared_ptr<Exchange>& ex, const HttpRequest& request, absl::string_view path);
  void HandleStatic(const std::shared_ptr<Exchange>& ex, const HttpRequest& request, absl::string_view path);

  CachePolicy PolicyFor(const Route& route, const HttpRequest& request) const;
  std::string ClientAddress(const HttpRequest& request) const;
  // Whether the client reached us over https (public URL, or a trusted proxy's word).
  bool ServedOverHttps(const HttpRequest& request) const;
  bool OriginAllowed(absl::string_view origin) const;
  void AddCommonHeaders(HttpResponse* response, absl::string_view origin) const;
  // Checks the per-client rate; answers 429 itself and returns false when over.
  bool CheckRate(const std::shared_ptr<Exchange>& ex, const HttpRequest& request);

  const GatewayOptions options_;
  const std::shared_ptr<const RouteTable> routes_;
  Backend* const backend_;
  RateLimiter limiter_;
  ResponseCache release_cache_;
  ResponseCache tally_cache_;
  ReleaseTracker release_;
  StaticFiles static_files_;
  StaticFiles source_files_;
  Metrics metrics_;
  std::unordered_map<const Route*, int> series_of_;
  int series_static_, series_share_, series_health_, series_ready_, series_unmatched_, series_protocol_,
      series_options_;
  std::atomic<bool> draining_{false};
  // The last readiness verdict, reused for options_.ready_cache_ttl.
  std::mutex ready_mu_;
  std::chrono::steady_clock::time_point ready_cached_until_;
  bool ready_cached_ok_ = false;
  std::string ready_cached_problem_;
  std::atomic<uint64_t> rate_limited_{0};
  // Declared last, destroyed first: its upstreams are cancelled while what
  // their callbacks use still exists.
  std::unique_ptr<SseFanout> fanout_;
  std::string csp_;
};

}  // namespace bkk::gateway

#endif  // BKK_GATEWAY_CORE_GATEWAY_H_
