// bkk-gateway: the HTTP/JSON gateway in front of budget-data,
// keyword-analytics and voting. Settings come from the environment (or
// --flags); see --help. SIGTERM stops accepting, lets in-flight requests
// finish (up to BKK_DRAIN_SECONDS), then exits.
#include <google/protobuf/descriptor.h>

#include <iostream>
#include <map>
#include <thread>

#include "absl/strings/ascii.h"
#include "absl/strings/str_split.h"
#include "common/config.h"
#include "common/grpc_server.h"
#include "common/log.h"
#include "common/metrics.h"
#include "common/service_main.h"
#include "gateway/core/gateway.h"
#include "gateway/server/grpc_backend.h"
#include "gateway/server/http_server.h"
#include "gateway/server/release_poller.h"

namespace {

std::vector<bkk::SettingSpec> Specs() {
  return {
      {"BKK_HTTP_LISTEN", "HTTP listen address (host:port)", false, "127.0.0.1:8080"},
      {"BKK_BUDGET_ADDR", "budget-data gRPC address", true, ""},
      {"BKK_KEYWORDS_ADDR", "keyword-analytics gRPC address", true, ""},
      {"BKK_VOTING_ADDR", "voting gRPC address", true, ""},
      {"BKK_WEB_ROOT", "directory of the built web app", false, "gateway/web/dist"},
      {"BKK_SOURCES_ROOT", "directory of the source PDFs served at /sources/ (data/sources; empty: none)", false,
       "data/sources"},
      {"BKK_CORS_ORIGINS", "comma-separated origins allowed to call the API from browsers", false, ""},
      {"BKK_PUBLIC_URL", "public origin for share-page links (https://…); default from Host", false, ""},
      {"BKK_MAX_BODY_BYTES", "largest request body", false, "1048576"},
      {"BKK_MAX_ADMIN_BODY_BYTES", "largest request body under /v1/admin/ (dataset imports)", false, "33554432"},
      {"BKK_MAX_HEADER_BYTES", "largest request header block", false, "16384"},
      {"BKK_REQUEST_TIMEOUT_MS", "deadline of a gRPC call made for a request", false, "10000"},
      {"BKK_CSV_TIMEOUT_MS", "deadline of a CSV export", false, "300000"},
      {"BKK_READ_TIMEOUT_MS", "time allowed to send one request once started", false, "15000"},
      {"BKK_IDLE_TIMEOUT_MS", "keep-alive wait for the next request", false, "60000"},
      {"BKK_RATE_LIMIT_RPS", "requests per second per client address (0 = no limit)", false, "50"},
      {"BKK_RATE_LIMIT_BURST", "burst allowance per client address", false, "100"},
      {"BKK_TRUST_FORWARDED_FOR", "1: client address = last X-Forwarded-For hop (behind a proxy)", false, "0"},
      {"BKK_MAX_CONNECTIONS", "open connection cap (lowered to fit the open-file limit)", false, "30000"},
      {"BKK_MAX_SSE_CLIENTS", "live-tally (SSE) clients per gateway; beyond it 503 + Retry-After", false, "20000"},
      {"BKK_TALLY_CACHE_MS", "how long vote tallies are reused (0 = never)", false, "500"},
      {"BKK_RELEASE_POLL_MS", "how often the dataset release is checked", false, "5000"},
      {"BKK_IO_THREADS", "HTTP io threads", false, "2"},
      {"BKK_LIVE_VIEW_THREADS", "io threads for live views (SSE) only (0 = they share the HTTP io threads)", false,
       "1"},
      {"BKK_LIVE_VIEW_NICE", "nice value of the live-view threads (0-19): voters' requests go first", false, "10"},
      {"BKK_BACKEND_CHANNELS", "gRPC connections per backend", false, "2"},
      {"BKK_DRAIN_SECONDS", "how long SIGTERM waits for in-flight requests", false, "10"},
      bkk::AdminListenSetting(),
  };
}

int Fail(const absl::Status& status) { return bkk::ExitWithError("bkk-gateway", status); }

}  // namespace

int main(int argc, char** argv) {
  bkk::BlockTerminationSignals();
  bkk::SetLogService("bkk-gateway");
  if (bkk::PrintHelpIfAsked(argc, argv, "bkk-gateway", Specs())) return 0;
  auto config = bkk::Config::Load(Specs(), argc, argv);
  if (!config.ok()) return Fail(config.status());

  // Every integer setting, checked together so one run names every mistake.
  std::map<std::string, int64_t> n;
  std::string problems;
  for (const char* key :
       {"BKK_MAX_BODY_BYTES", "BKK_MAX_ADMIN_BODY_BYTES", "BKK_MAX_HEADER_BYTES", "BKK_REQUEST_TIMEOUT_MS",
        "BKK_CSV_TIMEOUT_MS", "BKK_READ_TIMEOUT_MS", "BKK_IDLE_TIMEOUT_MS", "BKK_RATE_LIMIT_RPS",
        "BKK_RATE_LIMIT_BURST", "BKK_TRUST_FORWARDED_FOR", "BKK_MAX_CONNECTIONS", "BKK_MAX_SSE_CLIENTS",
        "BKK_TALLY_CACHE_MS", "BKK_RELEASE_POLL_MS", "BKK_IO_THREADS", "BKK_LIVE_VIEW_THREADS", "BKK_LIVE_VIEW_NICE",
        "BKK_BACKEND_CHANNELS", "BKK_DRAIN_SECONDS"}) {
    auto v = config->GetInt(key);
    if (!v.ok()) {
      problems += std::string(v.status().message()) + "; ";
    } else if (*v < 0) {
      problems += std::string(key) + " must not be negative; ";
    } else {
      n[key] = *v;
    }
  }
  if (problems.empty()) {
    for (const char* key : {"BKK_MAX_BODY_BYTES", "BKK_MAX_HEADER_BYTES", "BKK_REQUEST_TIMEOUT_MS",
                            "BKK_READ_TIMEOUT_MS", "BKK_IO_THREADS", "BKK_MAX_CONNECTIONS", "BKK_RELEASE_POLL_MS"}) {
      if (n[key] == 0) problems += std::string(key) + " must be positive; ";
    }
    if (n["BKK_LIVE_VIEW_NICE"] > 19) problems += "BKK_LIVE_VIEW_NICE must be 0-19 (a nice value); ";
  }
  if (!problems.empty()) return Fail(absl::InvalidArgumentError(problems));

  bkk::gateway::GatewayOptions options;
  auto& limits = options.limits;
  limits.max_body_bytes = n["BKK_MAX_BODY_BYTES"];
  limits.max_admin_body_bytes = std::max<int64_t>(n["BKK_MAX_ADMIN_BODY_BYTES"], n["BKK_MAX_BODY_BYTES"]);
  limits.max_header_bytes = static_cast<uint32_t>(n["BKK_MAX_HEADER_BYTES"]);
  limits.request_timeout = std::chrono::milliseconds(n["BKK_REQUEST_TIMEOUT_MS"]);
  limits.csv_timeout = std::chrono::milliseconds(n["BKK_CSV_TIMEOUT_MS"]);
  limits.read_timeout = std::chrono::milliseconds(n["BKK_READ_TIMEOUT_MS"]);
  limits.idle_timeout = std::chrono::milliseconds(std::max<int64_t>(1, n["BKK_IDLE_TIMEOUT_MS"]));
  limits.rate_limit_rps = static_cast<double>(n["BKK_RATE_LIMIT_RPS"]);
  limits.rate_limit_burst = static_cast<double>(std::max<int64_t>(1, n["BKK_RATE_LIMIT_BURST"]));
  // Every connection is a file descriptor; keep some for gRPC channels,
  // files and logs, and leave room for API calls beside the live streams.
  constexpr int64_t kReservedFds = 256;
  const int64_t fds = bkk::RaiseOpenFileLimit();
  int64_t max_connections = n["BKK_MAX_CONNECTIONS"];
  int64_t max_sse = n["BKK_MAX_SSE_CLIENTS"];
  if (max_connections > fds - kReservedFds) {
    max_connections = std::max<int64_t>(1, fds - kReservedFds);
    bkk::LogWarning("open_file_limit_lowers_caps",
                    {{"open_file_limit", std::to_string(fds)},
                     {"max_connections", std::to_string(max_connections)},
                     {"fix",
                      "raise the open-file limit (ulimit -n, or the container runtime's nofile) "
                      "or set BKK_MAX_CONNECTIONS below it"}});
  }
  max_sse = std::min(max_sse, std::max<int64_t>(0, max_connections - kReservedFds));
  limits.max_connections = static_cast<int>(max_connections);
  options.sse.max_clients = static_cast<int>(max_sse);
  options.tally_cache_ttl = std::chrono::milliseconds(n["BKK_TALLY_CACHE_MS"]);
  options.trust_forwarded_for = n["BKK_TRUST_FORWARDED_FOR"] != 0;
  options.web_root = config->Get("BKK_WEB_ROOT");
  options.sources_root = config->Get("BKK_SOURCES_ROOT");
  options.public_url = config->Get("BKK_PUBLIC_URL");
  for (absl::string_view origin : absl::StrSplit(config->Get("BKK_CORS_ORIGINS"), ',', absl::SkipWhitespace())) {
    options.cors_origins.emplace_back(absl::StripAsciiWhitespace(origin));
  }

  auto routes = bkk::gateway::RouteTable::Build(*google::protobuf::DescriptorPool::generated_pool(),
                                                bkk::gateway::DefaultRouteTableOptions());
  if (!routes.ok()) return Fail(routes.status());
  for (const auto& skipped : (*routes)->skipped()) {
    bkk::LogWarning("route_skipped", {{"method", skipped}, {"why", "client streaming has no HTTP/1.1 mapping"}});
  }

  bkk::gateway::GrpcBackend backend({{bkk::gateway::kBudgetService, config->Get("BKK_BUDGET_ADDR")},
                                     {bkk::gateway::kKeywordService, config->Get("BKK_KEYWORDS_ADDR")},
                                     {bkk::gateway::kVotingService, config->Get("BKK_VOTING_ADDR")}},
                                    static_cast<int>(std::max<int64_t>(1, n["BKK_BACKEND_CHANNELS"])));
  bkk::gateway::Gateway gateway(options, *routes, &backend);
  bkk::gateway::HttpServerOptions server_options;
  server_options.listen_address = config->Get("BKK_HTTP_LISTEN");
  server_options.io_threads = static_cast<int>(n["BKK_IO_THREADS"]);
  server_options.live_view_threads = static_cast<int>(n["BKK_LIVE_VIEW_THREADS"]);
  server_options.live_view_nice = static_cast<int>(n["BKK_LIVE_VIEW_NICE"]);
  bkk::gateway::HttpServer server(&gateway, server_options);
  if (auto s = server.Start(); !s.ok()) return Fail(s);
  // /metrics only on the admin listener, not on the public one.
  auto admin = bkk::ServiceMetrics::Start(config->Get("BKK_ADMIN_LISTEN"));
  if (!admin.ok()) return Fail(admin.status());
  (*admin)->Expose(gateway.metrics().registry());
  (*admin)->Expose(gateway.metrics().collectors());
  auto release_poller =
      bkk::gateway::NewReleasePoller(&backend, &gateway, std::chrono::milliseconds(n["BKK_RELEASE_POLL_MS"]));
  release_poller->Start();
  bkk::LogInfo("gateway_started", {{"routes", std::to_string((*routes)->routes().size())},
                                   {"max_connections", std::to_string(max_connections)},
                                   {"max_sse_clients", std::to_string(max_sse)},
                                   {"config", config->Describe()}});
  std::cout << "bkk-gateway listening on port " << server.port() << std::endl;

  bkk::WaitForTerminationSignal();
  release_poller->Stop();
  server.Shutdown(std::chrono::seconds(n["BKK_DRAIN_SECONDS"]));
  // Late completions (a cancelled stream's last callback) finish before the
  // gateway and the backend go away.
  for (int i = 0; i < 100 && gateway.metrics().in_flight() > 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return 0;
}
