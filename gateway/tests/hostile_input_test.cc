// Hostile input: several hundred malformed or abusive requests, generated
// from a fixed seed and written by hand, sent as raw bytes to the real
// gateway server in front of fake backends. For every one: no 5xx, every
// error answer is the JSON error body (with the security headers), and a
// refused request changes nothing (no write RPC reaches a backend). Slow
// clients are cut off by the read timeout and never hold the io thread.
#include <gtest/gtest.h>

#include <algorithm>
#include <boost/asio.hpp>
#include <chrono>
#include <random>
#include <thread>

#include "absl/strings/str_cat.h"
#include "gateway/tests/gateway_test_support.h"

namespace bkk::gateway::testing {
namespace {

using std::chrono::milliseconds;

constexpr uint64_t kMaxBody = 64 << 10;

GatewayOptions HostileOptions() {
  GatewayOptions options = Harness::TestOptions();
  options.limits.read_timeout = milliseconds(300);
  options.limits.idle_timeout = milliseconds(2000);
  options.limits.max_body_bytes = kMaxBody;
  options.limits.max_admin_body_bytes = kMaxBody;
  return options;
}

class HostileInputTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { harness_ = new Harness(HostileOptions(), /*io_threads=*/1); }
  static void TearDownTestSuite() {
    delete harness_;
    harness_ = nullptr;
  }

  void SetUp() override { write_methods_ = WriteMethods(harness_->gateway().routes()); }

  int WriteCalls() {
    int n = 0;
    for (const auto& m : write_methods_) n += harness_->FakeFor(m).Calls(m);
    return n;
  }

  // Sends one raw request (the client half-closes after it) and checks
  // every answer. `may_close`: the server may legitimately hang up without
  // answering (the request never completed).
  void Send(const std::string& label, const std::string& raw, bool may_close = false) {
    SCOPED_TRACE(label + ": " + raw.substr(0, 120));
    ++sent_;
    const int writes_before = WriteCalls();
    std::string bytes = RawExchange(harness_->port(), raw, milliseconds(3000), /*half_close=*/true);
    const bool head = raw.rfind("HEAD ", 0) == 0;
    std::vector<HttpResult> responses = ParseResponses(bytes, head);
    if (!may_close) {
      ASSERT_FALSE(responses.empty()) << "no answer; raw reply: " << bytes.substr(0, 200);
    }
    bool refused = false;
    for (const HttpResult& r : responses) {
      if (r.status >= 100 && r.status < 200) continue;  // 100 Continue
      EXPECT_LT(r.status, 500) << r.body;
      EXPECT_GE(r.status, 200);
      EXPECT_EQ(r.Header("x-content-type-options"), "nosniff");
      EXPECT_FALSE(r.headers.count("injected")) << "header injection";
      EXPECT_FALSE(r.headers.count("set-cookie")) << "header injection";
      if (r.status >= 400) {
        refused = true;
        if (head) {
          EXPECT_EQ(r.Header("content-type"), "application/json; charset=utf-8");
        } else {
          EXPECT_EQ(CheckErrorJson(r.body, r.status), "") << r.body;
        }
      }
      ++answers_;
    }
    const auto interim =
        std::count_if(responses.begin(), responses.end(), [](const HttpResult& r) { return r.status < 200; });
    if (refused && responses.size() == 1 + static_cast<size_t>(interim)) {
      EXPECT_EQ(WriteCalls(), writes_before) << "a refused request changed state";
    }
    if (sent_ % 50 == 0) ExpectAlive();
  }

  void ExpectAlive() {
    HttpResult r = Http(harness_->port(), "GET", "/healthz");
    ASSERT_EQ(r.status, 200) << "gateway not serving: " << r.error;
  }

  static std::string Request(const std::string& method, const std::string& target, const std::string& body = "",
                             const std::string& extra_headers = "") {
    std::string out = method + " " + target + " HTTP/1.1\r\nHost: gw\r\n" + extra_headers;
    if (!body.empty() || method == "POST") out += "Content-Length: " + std::to_string(body.size()) + "\r\n";
    out += "\r\n" + body;
    return out;
  }

  static Harness* harness_;
  std::set<std::string> write_methods_;
  static int sent_;
  static int answers_;
};
Harness* HostileInputTest::harness_ = nullptr;
int HostileInputTest::sent_ = 0;
int HostileInputTest::answers_ = 0;

std::string RandomBytes(std::mt19937& rng, size_t n, const std::string& alphabet) {
  std::string out;
  for (size_t i = 0; i < n; ++i) out += alphabet[rng() % alphabet.size()];
  return out;
}

const std::string kPathAlphabet =
    "abcdefghijklmnopqrstuvwxyz0123456789-_.~!$&'()*+,;=:@/%{}[]|^`\"<>\\"
    "\xE0\xB8\x81\xE0\xB9\x80\xFF\xFE\xC0\x80";

TEST_F(HostileInputTest, RandomPaths) {
  std::mt19937 rng(20240501);
  for (int i = 0; i < 70; ++i) {
    std::string path = "/v1/" + RandomBytes(rng, 1 + rng() % 40, kPathAlphabet);
    if (rng() % 3 == 0) path += "%" + RandomBytes(rng, rng() % 3, "0123456789abcdefXYZ%");
    const char* method = (rng() % 2) ? "GET" : "POST";
    Send("random path", Request(method, path, std::string(method) == "POST" ? "{}" : ""), /*may_close=*/false);
  }
}

TEST_F(HostileInputTest, RandomQueryStrings) {
  std::mt19937 rng(7);
  const std::vector<std::string> routes = {"/v1/budget/lines",
                                           "/v1/budget/years/2566/top-agencies",
                                           "/v1/budget/years/2566/breakdown",
                                           "/v1/keywords/search",
                                           "/v1/keywords/top",
                                           "/v1/rounds/5/districts/1/top",
                                           "/v1/export/lines.csv"};
  const std::vector<std::string> names = {"filter.fiscal_year",
                                          "limit",
                                          "sort",
                                          "page_size",
                                          "filter",
                                          "filter.",
                                          ".",
                                          "query",
                                          "dimension",
                                          "filter.filter.x",
                                          "filter.fiscalYear",
                                          "a[b]",
                                          "%FF",
                                          "%",
                                          "",
                                          "page_token",
                                          "filter.district_id",
                                          "round_id"};
  const std::vector<std::string> values = {"99999999999999999999",
                                           "-9223372036854775809",
                                           "1e9",
                                           "0x10",
                                           "NaN",
                                           "-",
                                           "",
                                           "%zz",
                                           "%FF%FE",
                                           "true",
                                           "LINE_SORT_NAME",
                                           "999",
                                           "-1",
                                           "%E0%B8%96%E0%B8%99",
                                           "a%00b",
                                           "1.5",
                                           "+5",
                                           " 5",
                                           "2566"};
  for (int i = 0; i < 50; ++i) {
    std::string query;
    int n = 1 + rng() % 4;
    for (int k = 0; k < n; ++k) {
      if (k) query += (rng() % 5 == 0) ? "&&" : "&";
      query += names[rng() % names.size()];
      if (rng() % 6 != 0) query += "=" + values[rng() % values.size()];
    }
    Send("random query", Request("GET", routes[rng() % routes.size()] + "?" + query));
  }
}

TEST_F(HostileInputTest, MalformedJsonBodies) {
  std::mt19937 rng(99);
  const std::vector<std::string> routes = {"/v1/rounds/5/districts/12/ballots",
                                           "/v1/rounds/5/districts/12/proposals",
                                           "/v1/rounds/5/voters",
                                           "/v1/admin/rounds",
                                           "/v1/admin/rounds/5:advance",
                                           "/v1/keywords:segment",
                                           "/v1/admin/proposals/7:moderate"};
  const std::string valid = R"({"voterToken":"tok","choices":[{"proposalId":"77","points":1}],"idempotencyKey":"k"})";
  std::vector<std::string> bodies = {
      "{",
      "}",
      "[]",
      "\"x\"",
      "1",
      "true",
      "nul",
      "{\"a\"}",
      "{\"a\":}",
      "{,}",
      "{\"voterToken\":1,}",
      R"({"choices":"a"})",
      R"({"choices":[1,2]})",
      R"({"choices":[{"proposalId":{}}]})",
      R"({"estimatedCostBaht":1e400})",
      R"({"estimatedCostBaht":"99999999999999999999"})",
      R"({"estimatedCostBaht":-99999999999999999999})",
      R"({"districtId":4294967296})",
      R"({"title":123})",
      R"({"title":["a"]})",
      R"({"round":"x"})",
      R"({"round":{"districts":{}}})",
      R"({"toPhase":"PHASE_NOPE"})",
      R"({"toPhase":99.5})",
      "{\"title\":\"\xFF\xFE\"}",
      "{\"title\":\"\xC0\x80\"}",
      "\xEF\xBB\xBF{}x",
      R"({"unknownField":1})",
      R"({"choices":[{"proposalId":"1","bogus":true}]})",
      "{\"a\":\"\\ud800\"}",
      std::string("{\"title\":\"a\0b", 12),
      "{'single':'quotes'}",
      "{\"x\":01}",
      "/* comment */ {}",
  };
  // Deep nesting, both as unknown objects and as arrays.
  bodies.push_back(std::string(20000, '[') + std::string(20000, ']'));
  {
    std::string deep;
    for (int i = 0; i < 5000; ++i) deep += "{\"round\":";
    deep += "1";
    deep += std::string(5000, '}');
    bodies.push_back(deep);
  }
  // Truncations and single-byte corruptions of a valid ballot.
  for (int i = 0; i < 15; ++i) bodies.push_back(valid.substr(0, rng() % (valid.size() - 1)));
  for (int i = 0; i < 15; ++i) {
    std::string b = valid;
    b[rng() % b.size()] = "{}[]\":,\\\x01\xFF"[rng() % 11];
    bodies.push_back(b);
  }
  for (int i = 0; i < 10; ++i)
    bodies.push_back(RandomBytes(rng, 1 + rng() % 100, kPathAlphabet + std::string("\x00\x01\n\r\t", 5)));
  for (const std::string& body : bodies) {
    Send("malformed JSON", Request("POST", routes[rng() % routes.size()], body, "Content-Type: application/json\r\n"));
  }
}

TEST_F(HostileInputTest, OversizeBodiesAndHeaders) {
  // Declared too large: refused before the body is read.
  Send("content-length over the limit", Request("POST", "/v1/rounds/5/voters", std::string(kMaxBody + 1, 'a')));
  Send("huge declared length, no body",
       "POST /v1/rounds/5/voters HTTP/1.1\r\nHost: gw\r\nContent-Length: 1000000000000\r\n\r\n");
  Send("admin route over its limit", Request("POST", "/v1/admin/budget:import", std::string(kMaxBody + 10, ' ')));
  // Chunked: the limit holds while chunks arrive.
  {
    std::string raw = "POST /v1/rounds/5/voters HTTP/1.1\r\nHost: gw\r\nTransfer-Encoding: chunked\r\n\r\n";
    for (int i = 0; i < 20; ++i) raw += "1000\r\n" + std::string(0x1000, 'x') + "\r\n";
    raw += "0\r\n\r\n";
    Send("chunked over the limit", raw);
  }
  Send("one huge header", Request("GET", "/v1/budget/overview", "", "X-Big: " + std::string(20000, 'h') + "\r\n"));
  {
    std::string many;
    for (int i = 0; i < 3000; ++i) many += "X-H" + std::to_string(i) + ": v\r\n";
    Send("many headers", Request("GET", "/v1/budget/overview", "", many));
  }
  Send("very long URL", Request("GET", "/v1/budget/lines?filter.agency=" + std::string(30000, 'a')));
  Send("many query parameters", Request(
                                    "GET", "/v1/budget/lines?" + [] {
                                      std::string q;
                                      for (int i = 0; i < 400; ++i) q += "page_token=x&";
                                      return q;
                                    }()));
}

TEST_F(HostileInputTest, UnknownAndWrongMethods) {
  for (const std::string method : {"BREW", "PROPFIND", "TRACE", "PATCH", "PUT", "DELETE", "get", "Get", "HEAD", "MKCOL",
                                   "LINK", "X-CUSTOM", "POST"}) {
    Send("method " + method, Request(method, "/v1/budget/overview"));
    Send("method " + method + " on a write route",
         Request(method, "/v1/rounds/5/districts/1/ballots", method == "POST" ? "" : "{}"));
  }
  Send("CONNECT", "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n");
  Send("asterisk target", "OPTIONS * HTTP/1.1\r\nHost: gw\r\n\r\n");
  Send("space in method", "G ET /healthz HTTP/1.1\r\nHost: gw\r\n\r\n");
  Send("method with a slash", "GE/T /healthz HTTP/1.1\r\nHost: gw\r\n\r\n");
  Send("HTTP/2 preface", "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n");
  Send("TLS client hello", std::string("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 11) + std::string(64, 'z'),
       /*may_close=*/true);
  Send("empty lines", "\r\n\r\n\r\n", /*may_close=*/true);
  Send("version 3.7", "GET /healthz HTTP/3.7\r\nHost: gw\r\n\r\n");
  Send("no version", "GET /healthz\r\nHost: gw\r\n\r\n");
}

TEST_F(HostileInputTest, MissingBodies) {
  for (const std::string route :
       {"/v1/rounds/5/districts/12/ballots", "/v1/rounds/5/districts/12/proposals", "/v1/rounds/5/voters",
        "/v1/admin/rounds", "/v1/admin/rounds/5:advance", "/v1/admin/rounds/5:updateRules",
        "/v1/admin/proposals/7:moderate", "/v1/admin/rounds:importPabulib", "/v1/admin/budget:import",
        "/v1/keywords:segment"}) {
    Send("empty body", Request("POST", route, ""));
    Send("whitespace body", Request("POST", route, " \r\n\t "));
    Send("no Content-Length", "POST " + route + " HTTP/1.1\r\nHost: gw\r\n\r\n");
  }
}

TEST_F(HostileInputTest, HeaderInjectionAndBadHeaders) {
  Send("CRLF in the target", Request("GET", "/v1/budget/overview%0d%0aSet-Cookie:%20x=y"));
  Send("CRLF in a query", Request("GET", "/v1/budget/lines?page_token=a%0d%0aInjected:%20b"));
  Send("bare CR in a header", "GET /healthz HTTP/1.1\r\nHost: gw\r\nX-A: a\rInjected: b\r\n\r\n");
  Send("bare LF in a header", "GET /healthz HTTP/1.1\r\nHost: gw\r\nX-A: a\nInjected: b\r\n\r\n");
  Send("NUL in a header", std::string("GET /healthz HTTP/1.1\r\nHost: gw\r\nX-A: a\0b\r\n\r\n", 44));
  Send("obs-fold", "GET /healthz HTTP/1.1\r\nHost: gw\r\nX-A: a\r\n b\r\n\r\n");
  Send("space before colon", "GET /healthz HTTP/1.1\r\nHost : gw\r\n\r\n");
  Send("no colon", "GET /healthz HTTP/1.1\r\nHost gw\r\n\r\n");
  Send("two different lengths",
       "POST /v1/rounds/5/voters HTTP/1.1\r\nHost: gw\r\nContent-Length: 2\r\n"
       "Content-Length: 5\r\n\r\n{}");
  Send("negative length", "POST /v1/rounds/5/voters HTTP/1.1\r\nHost: gw\r\nContent-Length: -1\r\n\r\n");
  Send("non-numeric length", "POST /v1/rounds/5/voters HTTP/1.1\r\nHost: gw\r\nContent-Length: abc\r\n\r\n");
  Send("length and chunked (smuggling)",
       "POST /v1/rounds/5/voters HTTP/1.1\r\nHost: gw\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n"
       "0\r\n\r\nGET /v1/admin/rounds HTTP/1.1\r\nHost: gw\r\n\r\n");
  Send("unknown transfer coding", "POST /v1/rounds/5/voters HTTP/1.1\r\nHost: gw\r\nTransfer-Encoding: gzip\r\n\r\n");
  Send("bad chunk size",
       "POST /v1/rounds/5/voters HTTP/1.1\r\nHost: gw\r\nTransfer-Encoding: chunked\r\n\r\n"
       "zz\r\n{}\r\n0\r\n\r\n");
  Send("non-ASCII authorization", Request("GET", "/v1/budget/overview", "", "Authorization: Bearer \xFF\xFE\r\n"));
  Send("control char authorization", Request("GET", "/v1/budget/overview", "", "Authorization: Bearer \x01\r\n"));
  Send("bad grpc-timeout", Request("GET", "/v1/budget/overview", "", "grpc-timeout: soon\r\n"));
  Send("huge grpc-timeout", Request("GET", "/v1/budget/overview", "", "grpc-timeout: 99999999999S\r\n"));
  Send("form content type",
       Request("POST", "/v1/rounds/5/voters", "citizenId=1", "Content-Type: application/x-www-form-urlencoded\r\n"));
  Send("spoofed forwarded-for", Request("GET", "/v1/budget/overview", "", "X-Forwarded-For: \xFF, 1.2.3.4\r\n"));
  Send("disallowed preflight", Request("OPTIONS", "/v1/rounds/5/voters", "",
                                       "Origin: https://evil.example\r\nAccess-Control-Request-Method: POST\r\n"));
  Send("Expect 100-continue", Request("POST", "/v1/rounds/5/voters", "{\"x\":1}", "Expect: 100-continue\r\n"));
}

TEST_F(HostileInputTest, PipelinedGarbage) {
  const std::string ok = "GET /healthz HTTP/1.1\r\nHost: gw\r\n\r\n";
  for (const std::string garbage : {"GARBAGE\r\n\r\n", "\x01\x02\x03\r\n\r\n", "GET\r\n\r\n",
                                    "POST /v1/rounds/5/voters HTTP/1.1\r\nContent-Length: 3\r\n\r\n{{{",
                                    "GET /v1/%%% HTTP/1.1\r\nHost: gw\r\n\r\n", "HTTP/1.1 200 OK\r\n\r\n"}) {
    SCOPED_TRACE(garbage);
    std::string bytes = RawExchange(harness_->port(), ok + garbage + ok, milliseconds(3000), true);
    auto responses = ParseResponses(bytes);
    ++sent_;
    ASSERT_GE(responses.size(), 2u) << bytes;
    EXPECT_EQ(responses[0].status, 200);
    EXPECT_GE(responses[1].status, 400);
    EXPECT_LT(responses[1].status, 500);
    EXPECT_EQ(CheckErrorJson(responses[1].body, responses[1].status), "");
  }
  // Well-formed pipelined requests are answered in order.
  std::string bytes =
      RawExchange(harness_->port(), ok + Request("GET", "/v1/nope") + ok + Request("POST", "/v1/rounds/5/voters", ""),
                  milliseconds(3000), true);
  auto responses = ParseResponses(bytes);
  ++sent_;
  ASSERT_EQ(responses.size(), 4u);
  EXPECT_EQ(responses[0].status, 200);
  EXPECT_EQ(responses[1].status, 404);
  EXPECT_EQ(responses[2].status, 200);
  EXPECT_EQ(responses[3].status, 400);
}

TEST_F(HostileInputTest, SlowClientsAreCutOffAndDoNotHoldTheThread) {
  using Clock = std::chrono::steady_clock;
  // One io thread serves everything in this suite: if a slow client held it,
  // the /healthz below would wait.
  std::vector<std::thread> slow;
  std::atomic<int> closed_quickly{0};
  const std::vector<std::string> partials = {
      "GET /v1/budget/overview HTTP/1.1\r\nHost: gw\r\nX-Slow: ",
      "POST /v1/rounds/5/voters HTTP/1.1\r\nHost: gw\r\nContent-Length: 100\r\n\r\n{\"citizen",
      "GET /v1/budget/over",
      "POST /v1/rounds/5/voters HTTP/1.1\r\nHost: gw\r\nTransfer-Encoding: chunked\r\n\r\n10\r\nabc",
  };
  for (int i = 0; i < 40; ++i) {
    slow.emplace_back([&, i] {
      auto start = Clock::now();
      // No half-close: the client just stops sending.
      std::string reply = RawExchange(harness_->port(), partials[i % partials.size()], milliseconds(5000), false);
      auto elapsed = Clock::now() - start;
      if (reply.empty() && elapsed < milliseconds(2500)) closed_quickly.fetch_add(1);
    });
  }
  std::this_thread::sleep_for(milliseconds(50));
  auto start = Clock::now();
  HttpResult r = Http(harness_->port(), "GET", "/healthz");
  EXPECT_EQ(r.status, 200);
  EXPECT_LT(Clock::now() - start, milliseconds(250)) << "a slow client held the io thread";
  for (auto& t : slow) t.join();
  sent_ += 40;
  EXPECT_EQ(closed_quickly.load(), 40) << "slow clients must be dropped after the read timeout";

  // A drip-feeding client (one byte at a time, each within any per-byte
  // timeout) is dropped too: the read timeout covers the whole request.
  {
    namespace net = boost::asio;
    net::io_context ioc;
    net::ip::tcp::socket socket(ioc);
    socket.connect({net::ip::make_address("127.0.0.1"), static_cast<unsigned short>(harness_->port())});
    const std::string request = "GET /healthz HTTP/1.1\r\nHost: gw\r\nX-Drip: " + std::string(100, 'd') + "\r\n\r\n";
    boost::system::error_code ec;
    auto drip_start = Clock::now();
    size_t sent_bytes = 0;
    for (char c : request) {
      net::write(socket, net::buffer(&c, 1), ec);
      if (ec) break;
      ++sent_bytes;
      std::this_thread::sleep_for(milliseconds(20));
    }
    EXPECT_LT(sent_bytes, request.size()) << "the drip-feeder was never cut off";
    EXPECT_LT(Clock::now() - drip_start, milliseconds(2000));
    ++sent_;
  }
  ExpectAlive();
}

TEST_F(HostileInputTest, TotalsAndNothingChanged) {
  // Runs last (declaration order): at least 200 abusive requests were sent.
  EXPECT_GE(sent_, 200) << "the hostile suite must send at least 200 requests";
  ExpectAlive();
  const std::string metrics = harness_->gateway().metrics().Render();
  EXPECT_NE(metrics.find("bkk_gateway_requests_total{"), std::string::npos) << metrics;
  EXPECT_EQ(metrics.find("code=\"5"), std::string::npos) << "a 5xx was answered:\n" << metrics;
  std::cout << "hostile requests sent: " << sent_ << ", answers checked: " << answers_ << "\n";
}

// Rate limiting answers 429 with Retry-After, as JSON, before any backend call.
TEST(HostileRateLimitTest, BurstsFromOneAddressGet429) {
  GatewayOptions options = Harness::TestOptions();
  options.limits.rate_limit_rps = 2;
  options.limits.rate_limit_burst = 3;
  Harness h(options);
  int ok = 0;
  int limited = 0;
  for (int i = 0; i < 12; ++i) {
    HttpResult r = h.Post("/v1/rounds/5/districts/1/ballots", R"({"voterToken":"t"})");
    if (r.status == 200) ++ok;
    if (r.status == 429) {
      ++limited;
      EXPECT_EQ(CheckErrorJson(r.body, 429), "");
      EXPECT_FALSE(r.Header("retry-after").empty());
    }
  }
  EXPECT_GE(ok, 3);
  EXPECT_GE(limited, 8);
  EXPECT_EQ(h.voting().Calls("bkkbudget.voting.v1.VotingService.CastBallot"), ok);
  // Health is never rate limited (probes must get through).
  EXPECT_EQ(h.Get("/healthz").status, 200);
  EXPECT_NE(h.Get("/readyz").status, 429);
}

}  // namespace
}  // namespace bkk::gateway::testing
