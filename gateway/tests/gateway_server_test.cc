// The gateway server end to end in one process: caching and ETags, the
// release poller, deadlines, backend failures, readiness, server-sent
// events (live updates, heartbeats, cancellation, drain), CSV streaming,
// static files, share pages, CORS, security headers, metrics, the
// connection cap; and the real budget-data adapter on the real dataset
// behind the gateway (top agencies, the CSV of every FY2566 line adding up
// to the ordinance's grand total).
#include <gtest/gtest.h>

#include <boost/asio.hpp>
#include <filesystem>
#include <fstream>
#include <future>
#include <sstream>
#include <thread>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/csv.h"
#include "common/grpc_server.h"
#include "common/operators/in_memory_operator_store.h"
#include "gateway/server/release_poller.h"
#include "gateway/tests/gateway_test_support.h"
#include "services/budget_data/core/in_memory_repository.h"
#include "services/budget_data/grpc/budget_grpc_service.h"

namespace bkk::gateway::testing {
namespace {

namespace net = boost::asio;
using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

const std::string kOverview = "bkkbudget.budget.v1.BudgetService.GetOverview";
const std::string kTopAgencies = "bkkbudget.budget.v1.BudgetService.ListTopAgencies";
const std::string kGetLine = "bkkbudget.budget.v1.BudgetService.GetLine";
const std::string kGetRelease = "bkkbudget.budget.v1.BudgetService.GetRelease";
const std::string kStreamLines = "bkkbudget.budget.v1.BudgetService.StreamLines";
const std::string kTop = "bkkbudget.voting.v1.VotingService.GetTopProposals";
const std::string kCastBallot = "bkkbudget.voting.v1.VotingService.CastBallot";
const std::string kWatch = "bkkbudget.voting.v1.VotingService.WatchTallies";
const std::string kGetProposal = "bkkbudget.voting.v1.VotingService.GetProposal";
const std::string kListRounds = "bkkbudget.voting.v1.VotingService.ListRounds";

// A raw connection that reads as bytes arrive (for streams).
class RawClient final {
 public:
  // `receive_buffer`: a small one makes a slow reader whose socket fills.
  explicit RawClient(int port, int receive_buffer = 0) : socket_(ioc_) {
    socket_.open(net::ip::tcp::v4());
    if (receive_buffer > 0) socket_.set_option(net::socket_base::receive_buffer_size(receive_buffer));
    socket_.connect({net::ip::make_address("127.0.0.1"), static_cast<unsigned short>(port)});
    socket_.non_blocking(true);
  }
  void Send(const std::string& bytes) {
    socket_.non_blocking(false);
    net::write(socket_, net::buffer(bytes));
    socket_.non_blocking(true);
  }
  // Reads until `needle` has arrived (after `from`) or `timeout` passes.
  bool ReadUntil(const std::string& needle, milliseconds timeout, size_t from = 0) {
    const auto deadline = Clock::now() + timeout;
    while (received.find(needle, from) == std::string::npos) {
      if (Clock::now() > deadline || closed) return false;
      Poll();
    }
    return true;
  }
  bool ReadUntilClosed(milliseconds timeout) {
    const auto deadline = Clock::now() + timeout;
    while (!closed && Clock::now() < deadline) Poll();
    return closed;
  }
  void Close() {
    boost::system::error_code ec;
    socket_.close(ec);
  }
  std::string received;
  bool closed = false;

 private:
  void Poll() {
    char buf[8192];
    boost::system::error_code ec;
    size_t n = socket_.read_some(net::buffer(buf), ec);
    if (ec == net::error::would_block) {
      std::this_thread::sleep_for(milliseconds(2));
    } else if (ec) {
      closed = true;
    } else {
      received.append(buf, n);
    }
  }
  net::io_context ioc_;
  net::ip::tcp::socket socket_;
};

// Whether a thread of this process runs at `nice` (field 19 of its stat).
bool SomeThreadHasNice(int nice) {
  for (const auto& task : std::filesystem::directory_iterator("/proc/self/task")) {
    std::ifstream in(task.path() / "stat");
    std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::istringstream fields(stat.substr(stat.rfind(')') + 2));  // after "pid (name) "
    std::string field;
    for (int i = 3; i <= 19 && fields >> field; ++i) {
      if (i == 19 && field == std::to_string(nice)) return true;
    }
  }
  return false;
}

std::string GetRequest(const std::string& target, const std::string& headers = "") {
  return "GET " + target + " HTTP/1.1\r\nHost: gw\r\n" + headers + "\r\n";
}

TEST(GatewayCacheTest, ReleaseCacheServesEtagsAnd304) {
  Harness h;
  h.gateway().SetRelease("rel1");
  h.budget().SetResponses(kOverview, {R"(release_version: "rel1")"});
  HttpResult first = h.Get("/v1/budget/overview");
  ASSERT_EQ(first.status, 200);
  const std::string etag = first.Header("etag");
  EXPECT_EQ(etag.rfind("\"rel1-", 0), 0u) << etag;
  EXPECT_EQ(first.Header("cache-control"), "public, max-age=60");
  HttpResult second = h.Get("/v1/budget/overview");
  EXPECT_EQ(second.body, first.body);
  EXPECT_EQ(second.Header("etag"), etag);
  EXPECT_EQ(h.budget().Calls(kOverview), 1) << "the second answer must come from the cache";

  HttpResult not_modified = h.Get("/v1/budget/overview", {{"If-None-Match", etag}});
  EXPECT_EQ(not_modified.status, 304);
  EXPECT_EQ(not_modified.body, "");
  EXPECT_EQ(not_modified.Header("etag"), etag);
  EXPECT_EQ(h.Get("/v1/budget/overview", {{"If-None-Match", "\"x\", W/" + etag}}).status, 304);
  EXPECT_EQ(h.Get("/v1/budget/overview", {{"If-None-Match", "\"other\""}}).status, 200);
  EXPECT_EQ(h.budget().Calls(kOverview), 1);

  // The key is the request message, not its spelling.
  h.Get("/v1/budget/years/2566/top-agencies?limit=3");
  h.Get("/v1/budget/years/2566/top-agencies?limit=03");
  EXPECT_EQ(h.budget().Calls(kTopAgencies), 1);

  // An authorized caller is never served a shared answer.
  h.Get("/v1/budget/overview", {{"Authorization", "Bearer x"}});
  EXPECT_EQ(h.budget().Calls(kOverview), 2);

  // A new release: new keys, new ETags.
  h.gateway().SetRelease("rel2");
  h.budget().SetResponses(kOverview, {R"(release_version: "rel2")"});
  HttpResult after = h.Get("/v1/budget/overview");
  EXPECT_EQ(after.Header("etag").rfind("\"rel2-", 0), 0u);
  EXPECT_EQ(h.budget().Calls(kOverview), 3);
  EXPECT_EQ(h.Get("/v1/budget/overview", {{"If-None-Match", etag}}).status, 200);
}

TEST(GatewayCacheTest, ErrorsWritesAndOtherReleasesAreNotCached) {
  Harness h;
  h.gateway().SetRelease("rel1");
  h.budget().SetStatus(kGetLine, grpc::StatusCode::NOT_FOUND, "no line");
  EXPECT_EQ(h.Get("/v1/budget/lines/1").status, 404);
  EXPECT_EQ(h.Get("/v1/budget/lines/1").status, 404);
  EXPECT_EQ(h.budget().Calls(kGetLine), 2);
  // An answer from another release than the key's is served, not kept.
  h.budget().SetResponses(kOverview, {R"(release_version: "rel0")"});
  h.Get("/v1/budget/overview");
  h.Get("/v1/budget/overview");
  EXPECT_EQ(h.budget().Calls(kOverview), 2);
  // Writes: every one reaches the backend.
  for (int i = 0; i < 3; ++i) {
    HttpResult r = h.Post("/v1/rounds/1/districts/1/ballots", R"({"voterToken":"t"})");
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.Header("cache-control"), "no-store");
  }
  EXPECT_EQ(h.voting().Calls(kCastBallot), 3);
  // Before budget-data's release is known nothing is cached.
  Harness fresh;
  fresh.Get("/v1/budget/overview");
  fresh.Get("/v1/budget/overview");
  EXPECT_EQ(fresh.budget().Calls(kOverview), 2);
}

TEST(GatewayCacheTest, TalliesAreReusedForAShortTime) {
  GatewayOptions options = Harness::TestOptions();
  options.tally_cache_ttl = milliseconds(300);
  Harness h(options);
  h.voting().SetResponses(kTop, {"voter_count: 4"});
  HttpResult r = h.Get("/v1/rounds/1/districts/2/top");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.Header("cache-control"), "no-cache");
  h.Get("/v1/rounds/1/districts/2/top");
  EXPECT_EQ(h.voting().Calls(kTop), 1);
  h.Get("/v1/rounds/1/districts/3/top");  // another district, another key
  EXPECT_EQ(h.voting().Calls(kTop), 2);
  std::this_thread::sleep_for(milliseconds(400));
  h.Get("/v1/rounds/1/districts/2/top");
  EXPECT_EQ(h.voting().Calls(kTop), 3);
}

TEST(GatewayReleaseTest, PollerFollowsBudgetData) {
  Harness h;
  h.budget().SetResponses(kGetRelease, {R"(release { version: "0123456789abcdef" })"});
  std::promise<void> done;
  PollReleaseOnce(&h.backend(), &h.gateway(), [&] { done.set_value(); });
  done.get_future().wait();
  EXPECT_EQ(h.gateway().release(), "0123456789abcdef");
  // A version that cannot go into an ETag is ignored.
  h.budget().SetResponses(kGetRelease, {R"(release { version: "bad \"version\"" })"});
  std::promise<void> again;
  PollReleaseOnce(&h.backend(), &h.gateway(), [&] { again.set_value(); });
  again.get_future().wait();
  EXPECT_EQ(h.gateway().release(), "0123456789abcdef");
  // The poller on its own thread.
  h.budget().SetResponses(kGetRelease, {R"(release { version: "fedcba9876543210" })"});
  auto poller = NewReleasePoller(&h.backend(), &h.gateway(), milliseconds(50));
  poller->Start();
  for (int i = 0; i < 100 && h.gateway().release() != "fedcba9876543210"; ++i) {
    std::this_thread::sleep_for(milliseconds(20));
  }
  EXPECT_EQ(h.gateway().release(), "fedcba9876543210");
}

TEST(GatewayLimitsTest, DeadlinesReachTheBackend) {
  GatewayOptions options = Harness::TestOptions();
  options.limits.request_timeout = milliseconds(200);
  Harness h(options);
  h.budget().SetDelay(kGetLine, milliseconds(1500));
  auto start = Clock::now();
  HttpResult r = h.Get("/v1/budget/lines/5");
  EXPECT_EQ(r.status, 504);
  EXPECT_EQ(CheckErrorJson(r.body, 504), "");
  EXPECT_LT(Clock::now() - start, milliseconds(1000));
  // A shorter client deadline (grpc-timeout) wins over the configured one.
  Harness h2;
  h2.budget().SetDelay(kGetLine, milliseconds(1500));
  start = Clock::now();
  r = h2.Get("/v1/budget/lines/5", {{"grpc-timeout", "100m"}});
  EXPECT_EQ(r.status, 504);
  EXPECT_LT(Clock::now() - start, milliseconds(1000));
  r = h2.Get("/v1/budget/lines/5", {{"grpc-timeout", "soon"}});
  EXPECT_EQ(r.status, 400);
}

// Probes reuse a verdict for ready_cache_ttl, then ask every backend again.
TEST(GatewayBackendTest, ReadinessVerdictIsReusedBriefly) {
  GatewayOptions options = Harness::TestOptions();
  options.ready_cache_ttl = std::chrono::milliseconds(400);
  Harness h(options);
  h.gateway().SetRelease("r1");
  EXPECT_EQ(h.Get("/readyz").status, 200);
  h.voting().SetServing(kVotingService, false);
  EXPECT_EQ(h.Get("/readyz").status, 200) << "within the cache time the last verdict stands";
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  HttpResult ready = h.Get("/readyz");
  EXPECT_EQ(ready.status, 503) << "after it, the backends are asked again";
  EXPECT_NE(ready.body.find("VotingService: NOT_SERVING"), std::string::npos) << ready.body;
}

TEST(GatewayBackendTest, BackendDownIs503AndNotReady) {
  Harness h;
  HttpResult ready = h.Get("/readyz");
  EXPECT_EQ(ready.status, 503) << "not ready before the dataset release is known";
  EXPECT_NE(ready.body.find("release"), std::string::npos) << ready.body;
  h.gateway().SetRelease("r1");
  ready = h.Get("/readyz");
  EXPECT_EQ(ready.status, 200) << ready.body;
  h.voting().SetServing(kVotingService, false);
  ready = h.Get("/readyz");
  EXPECT_EQ(ready.status, 503);
  EXPECT_NE(ready.body.find("VotingService: NOT_SERVING"), std::string::npos) << ready.body;
  h.voting().SetServing(kVotingService, true);
  EXPECT_EQ(h.Get("/readyz").status, 200);
  h.voting().Shutdown();
  HttpResult r = h.Get("/v1/rounds");
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(CheckErrorJson(r.body, 503), "");
  EXPECT_EQ(h.Get("/readyz").status, 503);
  EXPECT_EQ(h.Get("/healthz").status, 200) << "liveness does not depend on backends";
  EXPECT_EQ(h.Get("/v1/budget/overview").status, 200) << "other backends still serve";
}

TEST(GatewayStreamTest, ServerSentEventsLiveUpdatesHeartbeatsAndCancel) {
  GatewayOptions options = Harness::TestOptions();
  options.limits.sse_heartbeat = milliseconds(100);
  Harness h(options);
  h.voting().SetHoldOpen(kWatch, true);
  h.voting().SetResponses(kWatch, {"voter_count: 1 watermark: 1"});
  RawClient client(h.port());
  client.Send(GetRequest("/v1/rounds/1/districts/2/tallies:watch"));
  ASSERT_TRUE(client.ReadUntil(
      "id: 1\ndata: {\"proposals\":[],\"voterCount\":\"1\",\"watermark\":\"1\",\"votingClosed\":false}\n\n",
      milliseconds(3000)))
      << client.received;
  EXPECT_NE(client.received.find("Content-Type: text/event-stream"), std::string::npos);
  EXPECT_NE(client.received.find("Transfer-Encoding: chunked"), std::string::npos);
  EXPECT_NE(client.received.find("Content-Security-Policy"), std::string::npos);
  EXPECT_NE(client.received.find("retry: 3000\n\n"), std::string::npos) << "browsers are told when to reconnect";
  h.voting().Push(kWatch, "voter_count: 2 watermark: 2");
  ASSERT_TRUE(client.ReadUntil("id: 2\ndata: {\"proposals\":[],\"voterCount\":\"2\"", milliseconds(3000)))
      << client.received;
  const size_t mark = client.received.size();
  ASSERT_TRUE(client.ReadUntil(": heartbeat\n\n", milliseconds(3000), mark)) << client.received;
  EXPECT_EQ(h.voting().OpenStreams(kWatch), 1);
  client.Close();  // the last viewer leaves: the upstream closes after the linger
  for (int i = 0; i < 150 && h.voting().OpenStreams(kWatch) > 0; ++i) std::this_thread::sleep_for(milliseconds(20));
  EXPECT_EQ(h.voting().OpenStreams(kWatch), 0);
  for (int i = 0; i < 100 && h.gateway().metrics().in_flight() > 0; ++i) std::this_thread::sleep_for(milliseconds(10));
  EXPECT_EQ(h.gateway().metrics().in_flight(), 0);
  EXPECT_EQ(h.gateway().sse_stats().clients, 0);
}

// Opens `n` SSE clients on `target`, each on its own connection.
std::vector<std::unique_ptr<RawClient>> Watchers(int port, const std::string& target, int n,
                                                 const std::string& headers = "") {
  std::vector<std::unique_ptr<RawClient>> out;
  for (int i = 0; i < n; ++i) {
    out.push_back(std::make_unique<RawClient>(port));
    out.back()->Send(GetRequest(target, headers));
  }
  return out;
}

bool AllSee(std::vector<std::unique_ptr<RawClient>>& clients, const std::string& needle) {
  for (auto& c : clients) {
    if (!c->ReadUntil(needle, milliseconds(3000))) return false;
  }
  return true;
}

TEST(GatewayFanoutTest, OneUpstreamPerStreamWhateverTheNumberOfClients) {
  Harness h;
  h.voting().SetHoldOpen(kWatch, true);
  h.voting().SetResponses(kWatch, {"voter_count: 7 watermark: 70"});
  auto district2 = Watchers(h.port(), "/v1/rounds/1/districts/2/tallies:watch?limit=10", 60);
  auto district3 = Watchers(h.port(), "/v1/rounds/1/districts/3/tallies:watch?limit=10", 15);
  ASSERT_TRUE(AllSee(district2, "\"voterCount\":\"7\""));
  ASSERT_TRUE(AllSee(district3, "\"voterCount\":\"7\""));
  EXPECT_EQ(h.voting().Calls(kWatch), 2) << "75 clients, two districts: two upstream streams";
  EXPECT_EQ(h.voting().OpenStreams(kWatch), 2);
  EXPECT_EQ(h.gateway().sse_stats().clients, 75);
  h.voting().Push(kWatch, "voter_count: 8 watermark: 80");
  EXPECT_TRUE(AllSee(district2, "id: 80\n"));
  EXPECT_TRUE(AllSee(district3, "id: 80\n"));
  // A late joiner, like a browser reconnecting with Last-Event-ID, gets the
  // current snapshot at once from the shared upstream.
  auto late = Watchers(h.port(), "/v1/rounds/1/districts/2/tallies:watch?limit=10", 1, "Last-Event-ID: 70\r\n");
  EXPECT_TRUE(AllSee(late, "id: 80\ndata: "));
  EXPECT_EQ(h.voting().Calls(kWatch), 2) << "joining costs no upstream call";
  const std::string metrics = h.gateway().metrics().Render();
  EXPECT_NE(metrics.find("bkk_gateway_sse_clients 76"), std::string::npos) << metrics;
  EXPECT_NE(metrics.find("bkk_gateway_sse_upstreams 2"), std::string::npos) << metrics;
  // Every live view left the request threads for the live-view thread,
  // which runs at the lower priority.
  EXPECT_NE(metrics.find("bkk_gateway_live_views_moved_total 76"), std::string::npos) << metrics;
  EXPECT_TRUE(SomeThreadHasNice(HttpServerOptions().live_view_nice));
}

TEST(GatewayFanoutTest, UpstreamRestartsAfterTheBackendFailsAndClientsKeepTheirStreams) {
  Harness h;
  h.voting().SetHoldOpen(kWatch, true);
  h.voting().SetResponses(kWatch, {"voter_count: 1 watermark: 10"});
  auto clients = Watchers(h.port(), "/v1/rounds/1/districts/2/tallies:watch", 20);
  ASSERT_TRUE(AllSee(clients, "id: 10\n"));
  // The voting service restarts: its streams end UNAVAILABLE.
  h.voting().SetResponses(kWatch, {"voter_count: 3 watermark: 30"});
  h.voting().EndStreams(kWatch, grpc::Status(grpc::StatusCode::UNAVAILABLE, "voting is restarting; reconnect"));
  EXPECT_TRUE(AllSee(clients, "id: 30\n")) << "the upstream came back with the newer tally";
  for (auto& c : clients) {
    EXPECT_FALSE(c->closed) << "a client lost its stream";
    EXPECT_EQ(c->received.find("event: error"), std::string::npos) << c->received;
  }
  EXPECT_EQ(h.voting().Calls(kWatch), 2);
  EXPECT_EQ(h.gateway().sse_stats().upstream_restarts, 1u);
  // A backend that stays away: the clients stay, the gateway keeps trying.
  h.voting().SetHoldOpen(kWatch, false);
  h.voting().SetStatus(kWatch, grpc::StatusCode::UNAVAILABLE, "still down");
  h.voting().EndStreams(kWatch, grpc::Status(grpc::StatusCode::UNAVAILABLE, "gone"));
  for (int i = 0; i < 100 && h.voting().Calls(kWatch) < 5; ++i) std::this_thread::sleep_for(milliseconds(20));
  EXPECT_GE(h.voting().Calls(kWatch), 5) << "retried with backoff";
  for (auto& c : clients) EXPECT_FALSE(c->closed);
  h.voting().SetStatus(kWatch, grpc::StatusCode::OK, "");
  h.voting().SetHoldOpen(kWatch, true);
  h.voting().SetResponses(kWatch, {"voter_count: 4 watermark: 40"});
  EXPECT_TRUE(AllSee(clients, "id: 40\n"));
}

TEST(GatewayFanoutTest, RequestErrorsAnswerHttpErrorsAndACleanEndEndsEveryClient) {
  Harness h;
  h.voting().SetStatus(kWatch, grpc::StatusCode::NOT_FOUND, "round 9 does not exist");
  HttpResult missing = h.Get("/v1/rounds/9/districts/2/tallies:watch");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(CheckErrorJson(missing.body, 404), "");
  EXPECT_NE(missing.body.find("round 9 does not exist"), std::string::npos);
  // A closing round: the last snapshot, then every stream ends cleanly.
  h.voting().SetStatus(kWatch, grpc::StatusCode::OK, "");
  h.voting().SetHoldOpen(kWatch, true);
  h.voting().SetResponses(kWatch, {"voter_count: 5 watermark: 50"});
  auto clients = Watchers(h.port(), "/v1/rounds/1/districts/2/tallies:watch", 10);
  ASSERT_TRUE(AllSee(clients, "id: 50\n"));
  h.voting().Push(kWatch, "voter_count: 6 watermark: 60 voting_closed: true");
  h.voting().EndStreams(kWatch, grpc::Status::OK);
  for (auto& c : clients) {
    EXPECT_TRUE(c->ReadUntilClosed(milliseconds(3000)));
    EXPECT_NE(c->received.find("\"votingClosed\":true"), std::string::npos) << c->received;
    EXPECT_NE(c->received.find("0\r\n\r\n"), std::string::npos) << "ended cleanly";
  }
  EXPECT_EQ(h.voting().Calls(kWatch), 2) << "a clean end is not restarted";
}

TEST(GatewayFanoutTest, SlowReaderGetsTheNewestEventNeverAQueue) {
  Harness h;
  h.voting().SetHoldOpen(kWatch, true);
  h.voting().SetResponses(kWatch, {"voter_count: 1 watermark: 1"});
  RawClient slow(h.port(), 4096);
  slow.Send(GetRequest("/v1/rounds/1/districts/2/tallies:watch"));
  ASSERT_TRUE(slow.ReadUntil("id: 1\n", milliseconds(3000)));
  auto fast = Watchers(h.port(), "/v1/rounds/1/districts/2/tallies:watch", 1);
  // 300 events of about 64 kB (more than any socket buffer takes) while the
  // slow client reads nothing.
  const std::string title(64000, 'x');
  for (int i = 2; i <= 301; ++i) {
    h.voting().Push(kWatch, absl::StrCat("proposals { title: \"", title, "\" } voter_count: ", i, " watermark: ", i));
  }
  ASSERT_TRUE(AllSee(fast, "id: 301\n"));
  ASSERT_TRUE(slow.ReadUntil("id: 301\n", milliseconds(10000))) << "the newest event must arrive";
  int received = 0;
  for (size_t at = 0; (at = slow.received.find("\nid: ", at)) != std::string::npos; ++at) ++received;
  EXPECT_LT(received, 150) << "a slow reader skips to the newest instead of receiving a queue";
  const std::string metrics = h.gateway().metrics().Render();
  const size_t at = metrics.find("\nbkk_gateway_sse_coalesced_total ");
  ASSERT_NE(at, std::string::npos);
  EXPECT_GT(std::stoll(metrics.substr(at + 33)), 0) << metrics.substr(at, 60);
}

TEST(GatewayFanoutTest, ClientCapAnswers503WithRetryAfter) {
  GatewayOptions options = Harness::TestOptions();
  options.sse.max_clients = 3;
  Harness h(options);
  h.voting().SetHoldOpen(kWatch, true);
  h.voting().SetResponses(kWatch, {"voter_count: 1 watermark: 1"});
  auto clients = Watchers(h.port(), "/v1/rounds/1/districts/2/tallies:watch", 3);
  ASSERT_TRUE(AllSee(clients, "id: 1\n"));
  HttpResult over = h.Get("/v1/rounds/1/districts/2/tallies:watch");
  EXPECT_EQ(over.status, 503);
  EXPECT_EQ(over.Header("retry-after"), "10");
  EXPECT_EQ(CheckErrorJson(over.body, 503), "");
  EXPECT_NE(over.body.find("limit of 3 live streams"), std::string::npos) << over.body;
  EXPECT_EQ(h.gateway().sse_stats().refused, 1u);
  clients[0]->Close();
  for (int i = 0; i < 100 && h.gateway().sse_stats().clients > 2; ++i) std::this_thread::sleep_for(milliseconds(10));
  auto again = Watchers(h.port(), "/v1/rounds/1/districts/2/tallies:watch", 1);
  EXPECT_TRUE(AllSee(again, "id: 1\n")) << "a freed place is taken again";
}

TEST(GatewayStreamTest, DrainEndsStreamsAndStops) {
  Harness h;
  h.voting().SetHoldOpen(kWatch, true);
  h.voting().SetResponses(kWatch, {"voter_count: 1"});
  RawClient client(h.port());
  client.Send(GetRequest("/v1/rounds/1/districts/2/tallies:watch"));
  ASSERT_TRUE(client.ReadUntil("data: ", milliseconds(3000)));
  RawClient idle(h.port());  // keep-alive connection with nothing to do
  auto start = Clock::now();
  h.StopServer(milliseconds(3000));
  EXPECT_LT(Clock::now() - start, milliseconds(1500)) << "drain waited for an endless stream or an idle client";
  EXPECT_TRUE(client.ReadUntilClosed(milliseconds(2000)));
  EXPECT_NE(client.received.find("0\r\n\r\n"), std::string::npos) << "the stream ends cleanly";
  EXPECT_TRUE(idle.ReadUntilClosed(milliseconds(2000)));
  for (int i = 0; i < 100 && h.voting().OpenStreams(kWatch) > 0; ++i) std::this_thread::sleep_for(milliseconds(20));
  EXPECT_EQ(h.voting().OpenStreams(kWatch), 0) << "the upstream closes once its last client has gone";
}

TEST(GatewayStreamTest, CsvCutShortLooksCutShort) {
  Harness h;
  h.budget().SetResponses(kStreamLines, {R"(lines { line_id: 1 name: "a" })"},
                          grpc::Status(grpc::StatusCode::INTERNAL, "database went away"));
  std::string raw = RawExchange(h.port(), GetRequest("/v1/export/lines.csv"), milliseconds(3000), true);
  EXPECT_NE(raw.find("HTTP/1.1 200 OK"), std::string::npos);
  EXPECT_NE(raw.find("Content-Disposition: attachment; filename=\"bkk-budget-lines.csv\""), std::string::npos);
  EXPECT_NE(raw.find("1,0,,,a,,0,,0,,0\r\n"), std::string::npos) << raw;
  EXPECT_EQ(raw.find("\r\n0\r\n\r\n"), std::string::npos) << "a failed export must not end like a complete one";
  HttpResult r = h.Get("/v1/export/lines.csv");
  EXPECT_NE(r.error, "") << "the client must see an incomplete body";
}

class TempDir final {
 public:
  TempDir() {
    path_ = std::filesystem::temp_directory_path() /
            ("gw-web-" + std::to_string(::getpid()) + "-" + std::to_string(Clock::now().time_since_epoch().count()));
    std::filesystem::create_directories(path_);
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  void Write(const std::string& rel, const std::string& content) {
    auto p = path_ / rel;
    std::filesystem::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << content;
  }
  std::string path() const { return path_.string(); }

 private:
  std::filesystem::path path_;
};

TEST(GatewayWebTest, StaticFilesWithTypesCachingGzipAndNoTraversal) {
  TempDir dir;
  dir.Write("web/index.html", "<!doctype html><title>งบกรุงเทพฯ</title>");
  dir.Write("web/assets/app.1a2b3c.js", "console.log(1)");
  dir.Write("web/app.css", "body{}");
  dir.Write("web/app.css.gz", "GZIPPED");
  dir.Write("web/og.png", "\x89PNG");
  dir.Write("web/.env", "SECRET=1");
  dir.Write("secret.txt", "outside the root");
  GatewayOptions options = Harness::TestOptions();
  options.web_root = dir.path() + "/web";
  Harness h(options);

  HttpResult index = h.Get("/");
  EXPECT_EQ(index.status, 200);
  EXPECT_EQ(index.body, "<!doctype html><title>งบกรุงเทพฯ</title>");
  EXPECT_EQ(index.Header("content-type"), "text/html; charset=utf-8");
  EXPECT_EQ(index.Header("cache-control"), "no-cache");
  EXPECT_EQ(h.Get("/", {{"If-None-Match", index.Header("etag")}}).status, 304);
  HttpResult js = h.Get("/assets/app.1a2b3c.js");
  EXPECT_EQ(js.Header("content-type"), "text/javascript; charset=utf-8");
  EXPECT_EQ(js.Header("cache-control"), "public, max-age=31536000, immutable");
  HttpResult gz = h.Get("/app.css", {{"Accept-Encoding", "gzip, br"}});
  EXPECT_EQ(gz.body, "GZIPPED");
  EXPECT_EQ(gz.Header("content-encoding"), "gzip");
  EXPECT_EQ(gz.Header("content-type"), "text/css; charset=utf-8");
  HttpResult plain = h.Get("/app.css");
  EXPECT_EQ(plain.body, "body{}");
  EXPECT_EQ(plain.Header("content-encoding"), "");
  EXPECT_EQ(h.Get("/og.png").Header("content-type"), "image/png");
  for (const std::string bad : {"/../secret.txt", "/%2e%2e/secret.txt", "/assets/..%2f..%2fsecret.txt", "/.env",
                                "/assets/../../secret.txt", "/nothing.html", "/index.html%00.png", "//etc/passwd"}) {
    SCOPED_TRACE(bad);
    std::string raw = RawExchange(h.port(), GetRequest(bad), milliseconds(2000), true);
    auto responses = ParseResponses(raw);
    ASSERT_EQ(responses.size(), 1u) << raw;
    EXPECT_EQ(responses[0].status, 404);
    EXPECT_EQ(CheckErrorJson(responses[0].body, 404), "");
    EXPECT_EQ(responses[0].body.find("SECRET"), std::string::npos);
    EXPECT_EQ(responses[0].body.find("outside"), std::string::npos);
  }
  EXPECT_EQ(h.Post("/", "x").status, 405);
}

TEST(GatewayWebTest, SharePageHasEscapedOpenGraphMeta) {
  Harness h;
  h.voting().SetResponses(
      kGetProposal,
      {R"(proposal { proposal_id: 77 district_id: 12 title: "<script>alert(1)</script> สวนสาธารณะ" description: "\"quoted\" & more" } support: 5)"});
  HttpResult r = h.Get("/p/77", {{"Host", "budget.example"}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.Header("content-type"), "text/html; charset=utf-8");
  EXPECT_EQ(r.body.find("<script>"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("<meta property=\"og:title\" content=\"&lt;script&gt;alert(1)&lt;/script&gt; สวนสาธารณะ\">"),
            std::string::npos)
      << r.body;
  EXPECT_NE(r.body.find("<meta property=\"og:description\" content=\"&quot;quoted&quot; &amp; more\">"),
            std::string::npos);
  EXPECT_NE(r.body.find("<meta property=\"og:url\" content=\"http://budget.example/p/77\">"), std::string::npos);
  EXPECT_NE(r.body.find("<meta property=\"og:image\" content=\"http://budget.example/og.png\">"), std::string::npos);
  EXPECT_NE(r.body.find("twitter:card"), std::string::npos);
  EXPECT_NE(r.body.find("href=\"/#/proposals/77\""), std::string::npos);
  auto request = h.voting().LastRequest(kGetProposal);
  ASSERT_NE(request, nullptr);
  EXPECT_EQ(request->ShortDebugString(), "proposal_id: 77");

  h.voting().SetStatus(kGetProposal, grpc::StatusCode::NOT_FOUND, "proposal 78 not found");
  r = h.Get("/p/78");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(CheckErrorJson(r.body, 404), "");
  EXPECT_EQ(h.Get("/p/abc").status, 404);
  EXPECT_EQ(h.Get("/p/").status, 404);
  // A Host header cannot inject markup.
  h.voting().SetResponses(kGetProposal, {"proposal { proposal_id: 1 }"});
  r = h.Get("/p/1", {{"Host", "evil\"><script>x"}});
  EXPECT_EQ(r.body.find("<script>"), std::string::npos);
}

TEST(GatewayWebTest, CorsForConfiguredOriginsOnly) {
  GatewayOptions options = Harness::TestOptions();
  options.cors_origins = {"https://app.example"};
  Harness h(options);
  HttpResult r = h.Get("/v1/budget/overview", {{"Origin", "https://app.example"}});
  EXPECT_EQ(r.Header("access-control-allow-origin"), "https://app.example");
  EXPECT_NE(r.Header("vary").find("Origin"), std::string::npos);
  r = h.Get("/v1/budget/overview", {{"Origin", "https://evil.example"}});
  EXPECT_EQ(r.Header("access-control-allow-origin"), "");
  r = Http(h.port(), "OPTIONS", "/v1/rounds/1/districts/1/ballots", "",
           {{"Origin", "https://app.example"}, {"Access-Control-Request-Method", "POST"}});
  EXPECT_EQ(r.status, 204);
  EXPECT_EQ(r.Header("access-control-allow-origin"), "https://app.example");
  EXPECT_NE(r.Header("access-control-allow-methods").find("POST"), std::string::npos);
  EXPECT_NE(r.Header("access-control-allow-headers").find("Authorization"), std::string::npos);
  r = Http(h.port(), "OPTIONS", "/v1/rounds/1/districts/1/ballots", "",
           {{"Origin", "https://evil.example"}, {"Access-Control-Request-Method", "POST"}});
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(CheckErrorJson(r.body, 403), "");
  EXPECT_EQ(h.voting().TotalCalls(), 0);
}

TEST(GatewayWebTest, SecurityHeadersOnEveryAnswer) {
  Harness h;
  for (const std::string target : {"/healthz", "/v1/budget/overview", "/v1/nope", "/missing", "/metrics"}) {
    SCOPED_TRACE(target);
    HttpResult r = h.Get(target);
    EXPECT_EQ(r.Header("content-security-policy"),
              "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'; "
              "base-uri 'self'; form-action 'self'");
    EXPECT_EQ(r.Header("x-content-type-options"), "nosniff");
    EXPECT_EQ(r.Header("referrer-policy"), "strict-origin-when-cross-origin");
    EXPECT_EQ(r.Header("x-frame-options"), "DENY");
  }
}

TEST(GatewayServerTest, MetricsCountRoutesCodesAndLatency) {
  Harness h;
  h.Get("/v1/budget/overview");
  h.Get("/v1/budget/overview");
  h.Get("/v1/budget/years/x/top-agencies");
  // Not on the public listener: the admin port serves them (main.cc).
  EXPECT_EQ(h.Get("/metrics").status, 404);
  const std::string m = h.gateway().metrics().Render();
  EXPECT_NE(m.find("bkk_gateway_requests_total{code=\"200\",method=\"GET\",route=\"/v1/budget/overview\"} 2"),
            std::string::npos)
      << m;
  EXPECT_NE(m.find("bkk_gateway_requests_total{code=\"400\",method=\"GET\","
                   "route=\"/v1/budget/years/{fiscal_year}/top-agencies\"} 1"),
            std::string::npos);
  EXPECT_NE(m.find("bkk_gateway_request_duration_seconds_bucket{method=\"GET\",route=\"/v1/budget/overview\","
                   "le=\"+Inf\"} 2"),
            std::string::npos);
  EXPECT_NE(m.find("bkk_gateway_in_flight_requests 0"), std::string::npos) << m;
  EXPECT_NE(m.find("bkk_gateway_open_connections "), std::string::npos);
}

TEST(GatewayServerTest, ConnectionCapAnswers503) {
  GatewayOptions options = Harness::TestOptions();
  options.limits.max_connections = 3;
  Harness h(options);
  std::vector<std::unique_ptr<RawClient>> held;
  for (int i = 0; i < 3; ++i) held.push_back(std::make_unique<RawClient>(h.port()));
  std::this_thread::sleep_for(milliseconds(100));
  HttpResult r = h.Get("/healthz");
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(CheckErrorJson(r.body, 503), "");
  held.clear();
  bool recovered = false;
  for (int i = 0; i < 50 && !recovered; ++i) {
    std::this_thread::sleep_for(milliseconds(20));
    recovered = h.Get("/healthz").status == 200;
  }
  EXPECT_TRUE(recovered);
}

TEST(GatewayServerTest, KeepAliveHeadAndForwardedFor) {
  GatewayOptions options = Harness::TestOptions();
  options.trust_forwarded_for = true;
  Harness h(options);
  // Several requests on one connection, answered in order.
  RawClient client(h.port());
  for (int i = 0; i < 5; ++i) {
    size_t before = client.received.size();
    client.Send(GetRequest("/healthz"));
    ASSERT_TRUE(client.ReadUntil("{\"status\":\"ok\"}", milliseconds(2000), before));
  }
  EXPECT_FALSE(client.closed);
  // HEAD: the length of the GET answer, no body.
  std::string raw =
      RawExchange(h.port(), "HEAD /v1/budget/overview HTTP/1.1\r\nHost: gw\r\n\r\n", milliseconds(2000), true);
  auto heads = ParseResponses(raw, /*head=*/true);
  ASSERT_EQ(heads.size(), 1u) << raw;
  EXPECT_EQ(heads[0].status, 200);
  EXPECT_EQ(heads[0].body, "");
  EXPECT_NE(heads[0].Header("content-length"), "0");
  // Behind a trusted proxy the client address is the last hop it added.
  h.Get("/v1/rounds", {{"X-Forwarded-For", "203.0.113.9, 198.51.100.7"}});
  EXPECT_EQ(h.voting().LastMetadata(kListRounds, "x-client-address"), "198.51.100.7");
}

// The real budget-data adapter over the real dataset, behind the gateway.
class RealBudgetTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto files = budget::ReadDatasetDir(BKK_DATA_DIR);
    ASSERT_TRUE(files.ok()) << files.status();
    ASSERT_TRUE(core_.Import(*files, false, operators::OperatorAuth::CommandLine()).ok());
    auto server = GrpcServer::Start({}, {&service_}, {kBudgetService});
    ASSERT_TRUE(server.ok()) << server.status();
    budget_server_ = std::move(*server);
    keywords_ = std::make_unique<FakeBackend>(std::vector<std::string>{kKeywordService});
    voting_ = std::make_unique<FakeBackend>(std::vector<std::string>{kVotingService});
    backend_ = std::make_unique<GrpcBackend>(
        std::map<std::string, std::string>{{kBudgetService, "127.0.0.1:" + std::to_string(budget_server_->port())},
                                           {kKeywordService, keywords_->address()},
                                           {kVotingService, voting_->address()}});
    auto routes = RouteTable::Build(*google::protobuf::DescriptorPool::generated_pool(), DefaultRouteTableOptions());
    ASSERT_TRUE(routes.ok());
    gateway_ = std::make_unique<Gateway>(Harness::TestOptions(), *routes, backend_.get());
    HttpServerOptions server_options;
    server_options.listen_address = "127.0.0.1:0";
    server_ = std::make_unique<HttpServer>(gateway_.get(), server_options);
    ASSERT_TRUE(server_->Start().ok());
    std::promise<void> polled;
    PollReleaseOnce(backend_.get(), gateway_.get(), [&] { polled.set_value(); });
    polled.get_future().wait();
  }
  void TearDown() override {
    server_->Shutdown(milliseconds(500));
    budget_server_->Shutdown();
  }
  int port() const { return server_->port(); }

  budget::InMemoryBudgetRepository repo_;
  budget::BudgetCore core_{&repo_};
  operators::InMemoryOperatorStore operators_;
  operators::OperatorAuth auth_{&operators_, ""};
  budget::BudgetGrpcService service_{&core_, &auth_};
  std::unique_ptr<GrpcServer> budget_server_;
  std::unique_ptr<FakeBackend> keywords_, voting_;
  std::unique_ptr<GrpcBackend> backend_;
  std::unique_ptr<Gateway> gateway_;
  std::unique_ptr<HttpServer> server_;
};

TEST_F(RealBudgetTest, TopAgenciesAndReleaseEtag) {
  EXPECT_EQ(gateway_->release(), core_.snapshot()->version());
  HttpResult r = Http(port(), "GET", "/v1/budget/years/2566/top-agencies");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_NE(r.body.find("\"agencyCount\":73"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("\"centralFund\":{\"agency\":\"งบประมาณรายจ่ายงบกลาง\",\"amountBaht\":\"14162196831\""),
            std::string::npos)
      << r.body;
  EXPECT_NE(r.body.find("\"yearTotalBaht\":\"79719012050\""), std::string::npos);
  EXPECT_EQ(r.Header("etag").rfind("\"" + core_.snapshot()->version() + "-", 0), 0u) << r.Header("etag");
  EXPECT_EQ(Http(port(), "GET", "/v1/budget/years/2566/top-agencies", "", {{"If-None-Match", r.Header("etag")}}).status,
            304);
  HttpResult missing = Http(port(), "GET", "/v1/budget/years/2400/top-agencies");
  EXPECT_EQ(missing.status, 404);
  EXPECT_NE(missing.body.find("fiscal_year"), std::string::npos);
  EXPECT_NE(missing.body.find(
                R"("reason":"FISCAL_YEAR_HAS_NO_LINES","metadata":{"fiscal_year":"2400","years":"2565, 2566"})"),
            std::string::npos)
      << missing.body;
  HttpResult bad = Http(port(), "GET", "/v1/budget/years/2566/top-agencies?limit=-3");
  EXPECT_EQ(bad.status, 400);
}

TEST_F(RealBudgetTest, ServerTextsFollowAcceptLanguageAndEachLanguageIsCachedApart) {
  HttpResult thai = Http(port(), "GET", "/v1/budget/years/2566/top-agencies");
  HttpResult english = Http(port(), "GET", "/v1/budget/years/2566/top-agencies", "", {{"Accept-Language", "en-GB,en"}});
  HttpResult thai_again = Http(port(), "GET", "/v1/budget/years/2566/top-agencies", "", {{"Accept-Language", "th"}});
  ASSERT_EQ(english.status, 200);
  EXPECT_NE(thai.body.find("\"note\":\"หน่วยรับงบประมาณ"), std::string::npos) << thai.body;
  EXPECT_NE(english.body.find("\"note\":\"Budget units"), std::string::npos) << english.body;
  EXPECT_EQ(thai_again.body, thai.body) << "the cache must not answer Thai with English";
  EXPECT_EQ(thai.Header("content-language"), "th");
  EXPECT_EQ(english.Header("content-language"), "en");
  EXPECT_EQ(english.Header("vary"), "Accept-Language");
  HttpResult overview = Http(port(), "GET", "/v1/budget/overview", "", {{"Accept-Language", "en"}});
  EXPECT_NE(overview.body.find("\"source\":\"Total: "), std::string::npos);
  EXPECT_EQ(Http(port(), "GET", "/v1/budget/overview").body.find("\"source\":\"Total: "), std::string::npos);
}

TEST_F(RealBudgetTest, CsvOfEveryFy2566LineAddsUpToTheGrandTotal) {
  HttpResult r = Http(port(), "GET", "/v1/export/lines.csv?fiscal_year=2566");
  ASSERT_EQ(r.status, 200) << r.body.substr(0, 300);
  EXPECT_EQ(r.Header("content-type"), "text/csv; charset=utf-8");
  EXPECT_EQ(r.Header("transfer-encoding"), "chunked");
  ASSERT_EQ(r.body.rfind("\xEF\xBB\xBF", 0), 0u) << "UTF-8 BOM first";
  auto rows = ParseCsv(r.body);
  ASSERT_TRUE(rows.ok()) << rows.status();
  ASSERT_GT(rows->size(), 100u);
  const auto& header = (*rows)[0].fields;
  ASSERT_EQ(header.size(), 11u);
  EXPECT_EQ(header[5], "category");
  EXPECT_EQ(header[6], "amount_baht");
  EXPECT_EQ(header[9], "source_document");
  int64_t total = 0;
  for (size_t i = 1; i < rows->size(); ++i) {
    const auto& f = (*rows)[i].fields;
    ASSERT_EQ(f.size(), 11u) << "row " << i;
    EXPECT_EQ(f[1], "2566");
    EXPECT_EQ(f[9], "bma-ordinance-2566/bma-ordinance-2566.pdf") << "row " << i;
    int64_t amount = 0;
    ASSERT_TRUE(absl::SimpleAtoi(f[6], &amount)) << f[6];
    total += amount;
  }
  EXPECT_EQ(total, 79'719'012'050);
  // The same through the proto route, with the filter spelled out.
  HttpResult same = Http(port(), "GET", "/v1/budget/lines:stream?filter.fiscal_year=2566");
  EXPECT_EQ(same.body, r.body);
}

}  // namespace
}  // namespace bkk::gateway::testing
