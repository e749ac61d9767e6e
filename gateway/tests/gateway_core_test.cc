// Unit tests of the gateway core without sockets: path templates and route
// precedence (on the real protos and on a test service built in memory),
// field setting from text for every scalar kind, query parsing, UTF-8 and
// escaping helpers, the error body, rate limiting, gRPC timeouts, caches
// and ETags, metrics text, SSE/CSV framing and the share page.
#include <gmock/gmock.h>
#include <google/protobuf/descriptor.pb.h>
#include <google/protobuf/dynamic_message.h>
#include <google/protobuf/text_format.h>
#include <google/protobuf/util/json_util.h>
#include <google/protobuf/util/message_differencer.h>
#include <gtest/gtest.h>

#include <random>
#include <thread>

#include "bkkbudget/budget/v1/budget.pb.h"
#include "bkkbudget/voting/v1/voting.pb.h"
#include "common/grpc_status.h"
#include "common/testing/status_matchers.h"
#include "gateway/core/field_path.h"
#include "gateway/core/gateway.h"
#include "gateway/core/language.h"
#include "gateway/core/limits.h"
#include "gateway/core/metrics.h"
#include "gateway/core/response_cache.h"
#include "gateway/core/route_table.h"
#include "gateway/core/share_page.h"
#include "gateway/core/sse_fanout.h"
#include "gateway/core/static_files.h"
#include "gateway/core/status_map.h"
#include "gateway/core/stream_formats.h"
#include "gateway/core/text.h"
#include "gateway/core/transcoder.h"
#include "google/api/annotations.pb.h"

namespace bkk::gateway {
namespace {

using ::bkk::testing::StatusIs;

using google::protobuf::DescriptorPool;
using google::protobuf::FieldDescriptorProto;
using google::protobuf::FileDescriptorProto;

std::shared_ptr<const RouteTable> RealRoutes() {
  static const auto table = [] {
    bkkbudget::budget::v1::GetLineRequest link;
    auto t = RouteTable::Build(*DescriptorPool::generated_pool(), DefaultRouteTableOptions());
    EXPECT_TRUE(t.ok()) << t.status();
    return *t;
  }();
  return table;
}

// A test service built in memory: messages with every scalar kind, and
// routes that overlap on purpose.
class TestPool {
 public:
  struct Rule {
    std::string method;
    std::string http_method;
    std::string path;
    std::string body;
  };

  explicit TestPool(const std::vector<Rule>& rules) : pool_(DescriptorPool::generated_pool()) {
    FileDescriptorProto file;
    file.set_name("gw_test.proto");
    file.set_package("gwtest");
    file.set_syntax("proto3");
    file.add_dependency("google/api/annotations.proto");
    auto* color = file.add_enum_type();
    color->set_name("Color");
    for (auto [name, number] :
         std::vector<std::pair<std::string, int>>{{"COLOR_UNSPECIFIED", 0}, {"RED", 1}, {"BLUE", 2}}) {
      auto* v = color->add_value();
      v->set_name(name);
      v->set_number(number);
    }
    auto* inner = file.add_message_type();
    inner->set_name("Inner");
    AddField(inner, "leaf", 1, FieldDescriptorProto::TYPE_STRING);
    auto* req = file.add_message_type();
    req->set_name("Req");
    AddField(req, "a", 1, FieldDescriptorProto::TYPE_STRING);
    AddField(req, "i32", 2, FieldDescriptorProto::TYPE_INT32);
    AddField(req, "i64", 3, FieldDescriptorProto::TYPE_INT64);
    AddField(req, "u32", 4, FieldDescriptorProto::TYPE_UINT32);
    AddField(req, "u64", 5, FieldDescriptorProto::TYPE_UINT64);
    AddField(req, "d", 6, FieldDescriptorProto::TYPE_DOUBLE);
    AddField(req, "f", 7, FieldDescriptorProto::TYPE_FLOAT);
    AddField(req, "flag", 8, FieldDescriptorProto::TYPE_BOOL);
    AddField(req, "color", 9, FieldDescriptorProto::TYPE_ENUM, ".gwtest.Color");
    AddField(req, "raw", 10, FieldDescriptorProto::TYPE_BYTES);
    AddField(req, "tags", 11, FieldDescriptorProto::TYPE_STRING, "", true);
    AddField(req, "nums", 12, FieldDescriptorProto::TYPE_INT64, "", true);
    AddField(req, "inner", 13, FieldDescriptorProto::TYPE_MESSAGE, ".gwtest.Inner");
    AddField(req, "name", 14, FieldDescriptorProto::TYPE_STRING);
    auto* service = file.add_service();
    service->set_name("Svc");
    for (const Rule& r : rules) {
      auto* m = service->add_method();
      m->set_name(r.method);
      m->set_input_type(".gwtest.Req");
      m->set_output_type(".gwtest.Inner");
      auto* http = m->mutable_options()->MutableExtension(google::api::http);
      http->mutable_custom()->set_kind(r.http_method);
      http->mutable_custom()->set_path(r.path);
      http->set_body(r.body);
    }
    file_ = pool_.BuildFile(file);
    EXPECT_NE(file_, nullptr);
  }

  absl::StatusOr<std::shared_ptr<const RouteTable>> Routes() {
    RouteTableOptions options;
    options.services = {"gwtest.Svc"};
    return RouteTable::Build(pool_, options);
  }
  std::unique_ptr<google::protobuf::Message> NewReq() {
    return std::unique_ptr<google::protobuf::Message>(
        factory_.GetPrototype(pool_.FindMessageTypeByName("gwtest.Req"))->New());
  }
  const google::protobuf::Descriptor* Req() { return pool_.FindMessageTypeByName("gwtest.Req"); }

 private:
  static void AddField(google::protobuf::DescriptorProto* m, const std::string& name, int number,
                       FieldDescriptorProto::Type type, const std::string& type_name = "", bool repeated = false) {
    auto* f = m->add_field();
    f->set_name(name);
    f->set_number(number);
    f->set_type(type);
    f->set_label(repeated ? FieldDescriptorProto::LABEL_REPEATED : FieldDescriptorProto::LABEL_OPTIONAL);
    if (!type_name.empty()) f->set_type_name(type_name);
  }

  DescriptorPool pool_;
  const google::protobuf::FileDescriptor* file_ = nullptr;
  google::protobuf::DynamicMessageFactory factory_;
};

// ---- path templates ----

TEST(PathTemplateTest, ParsesTheGrammar) {
  for (const char* ok :
       {"/v1/budget/overview", "/v1/budget/years/{fiscal_year}/top-agencies", "/v1/budget/lines:stream",
        "/v1/admin/rounds/{round_id}:advance", "/a/{name=shelves/*}/books", "/a/*", "/a/**", "/a/{x=**}", "/a/{f.g}"}) {
    EXPECT_TRUE(PathTemplate::Parse(ok).ok()) << ok;
  }
  for (const char* bad : {"", "v1", "/", "/a//b", "/a/{", "/a/{b", "/a/{1b}", "/a/{b.}", "/a/**/b", "/a:", "/a/{b}/{b}",
                          "/a/b c", "/a/{b=}", "/a/:x", "/a/b:c/d"}) {
    EXPECT_THAT(PathTemplate::Parse(bad), StatusIs(absl::StatusCode::kInvalidArgument)) << bad;
  }
  auto t = PathTemplate::Parse("/v1/admin/rounds/{round_id}:advance");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->verb(), "advance");
  EXPECT_EQ(t->VariableNames(), std::vector<std::string>{"round_id"});
  EXPECT_EQ(t->ranks(), (std::vector<int>{0, 0, 0, 1}));
}

TEST(PathTemplateTest, SplitsDecodesAndRefusesBadPaths) {
  SplitPath p = SplitRequestPath("/v1/x/%E0%B8%81%2Fb:go");
  ASSERT_EQ(p.error, "");
  EXPECT_EQ(p.segments, (std::vector<std::string>{"v1", "x", "ก/b:go"}));
  EXPECT_EQ(p.segments_without_verb.back(), "ก/b");
  EXPECT_EQ(p.verb, "go");
  EXPECT_NE(SplitRequestPath("/v1/%zz").error, "");
  EXPECT_NE(SplitRequestPath("/v1/%FF").error, "");
  EXPECT_NE(SplitRequestPath("v1").error, "");
}

TEST(RouteTableTest, LiteralsBeatVariablesAndVerbsWin) {
  TestPool pool({{"ByA", "GET", "/x/{a}", ""},
                 {"Special", "GET", "/x/special", ""},
                 {"Do", "GET", "/x/{a}:do", ""},
                 {"Post", "POST", "/x/{a}", "*"},
                 {"Books", "GET", "/y/{name=shelves/*}/books", ""},
                 {"Rest", "GET", "/z/{name=**}", ""},
                 {"Deep", "GET", "/x/{a}/{i32}", ""},
                 {"DeepLiteral", "GET", "/x/{a}/7", ""}});
  auto routes = pool.Routes();
  ASSERT_TRUE(routes.ok()) << routes.status();
  const RouteTable& t = **routes;
  auto match = [&](absl::string_view method, absl::string_view path) { return t.Match(method, path); };

  auto m = match("GET", "/x/special");
  ASSERT_EQ(m.outcome, RouteTable::Outcome::kMatched);
  EXPECT_EQ(m.route->method->name(), "Special");
  m = match("GET", "/x/foo");
  EXPECT_EQ(m.route->method->name(), "ByA");
  ASSERT_EQ(m.bindings.size(), 1u);
  EXPECT_EQ(m.bindings[0].field_path, "a");
  EXPECT_EQ(m.bindings[0].value, "foo");
  m = match("GET", "/x/foo:do");
  EXPECT_EQ(m.route->method->name(), "Do");
  EXPECT_EQ(m.bindings[0].value, "foo");
  m = match("GET", "/x/foo:other");  // not this verb: the colon is part of the value
  EXPECT_EQ(m.route->method->name(), "ByA");
  EXPECT_EQ(m.bindings[0].value, "foo:other");
  m = match("POST", "/x/special");  // the method filters before precedence
  EXPECT_EQ(m.route->method->name(), "Post");
  m = match("DELETE", "/x/foo");
  EXPECT_EQ(m.outcome, RouteTable::Outcome::kMethodNotAllowed);
  EXPECT_EQ(m.allowed_methods, "GET, POST");
  m = match("GET", "/y/shelves/3/books");
  EXPECT_EQ(m.route->method->name(), "Books");
  EXPECT_EQ(m.bindings[0].value, "shelves/3");
  EXPECT_EQ(match("GET", "/y/racks/3/books").outcome, RouteTable::Outcome::kNotFound);
  m = match("GET", "/z/a/b/c");
  EXPECT_EQ(m.bindings[0].value, "a/b/c");
  m = match("GET", "/x/q/7");
  EXPECT_EQ(m.route->method->name(), "DeepLiteral");
  m = match("GET", "/x/q/8");
  EXPECT_EQ(m.route->method->name(), "Deep");
  m = match("GET", "/x/a%2Fb");
  EXPECT_EQ(m.bindings[0].value, "a/b");
  EXPECT_EQ(match("GET", "/x/").outcome, RouteTable::Outcome::kNotFound) << "an empty variable is no match";
  EXPECT_EQ(match("GET", "/x/foo/").outcome, RouteTable::Outcome::kNotFound);
  EXPECT_EQ(match("GET", "/x/%zz").outcome, RouteTable::Outcome::kBadPath);
}

TEST(RouteTableTest, RefusesRulesItCannotServe) {
  EXPECT_THAT(TestPool({{"M", "GET", "/x/{missing}", ""}}).Routes(), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(TestPool({{"M", "GET", "/x/{tags}", ""}}).Routes(), StatusIs(absl::StatusCode::kInvalidArgument))
      << "repeated path variable";
  EXPECT_THAT(TestPool({{"M", "GET", "/x/{inner}", ""}}).Routes(), StatusIs(absl::StatusCode::kInvalidArgument))
      << "message path variable";
  EXPECT_THAT(TestPool({{"M", "POST", "/x", "a"}}).Routes(), StatusIs(absl::StatusCode::kInvalidArgument))
      << "body naming a scalar";
  EXPECT_THAT(TestPool({{"M", "GET", "/x", ""}, {"N", "GET", "/x", ""}}).Routes(),
              StatusIs(absl::StatusCode::kInvalidArgument))
      << "duplicate";
  EXPECT_THAT(TestPool({{"M", "GET", "/x/{a", ""}}).Routes(), StatusIs(absl::StatusCode::kInvalidArgument));
  auto ok = TestPool({{"M", "POST", "/x/{inner.leaf}", "*"}, {"N", "POST", "/y", "inner"}}).Routes();
  EXPECT_TRUE(ok.ok()) << ok.status();
}

TEST(RouteTableTest, RealProtosGiveOneRoutePerRule) {
  auto table = RealRoutes();
  int rules = 0;
  for (const char* service : {kBudgetService, kKeywordService, kVotingService}) {
    const auto* sd = DescriptorPool::generated_pool()->FindServiceByName(service);
    ASSERT_NE(sd, nullptr);
    for (int i = 0; i < sd->method_count(); ++i) {
      if (!sd->method(i)->options().HasExtension(google::api::http)) continue;
      rules += 1 + sd->method(i)->options().GetExtension(google::api::http).additional_bindings_size();
      bool found = false;
      for (const auto& r : table->routes()) found |= r->method == sd->method(i) && !r->extra;
      EXPECT_TRUE(found) << sd->method(i)->full_name();
    }
  }
  EXPECT_EQ(static_cast<int>(table->routes().size()), rules + 2)
      << "the rules plus /v1/export/lines.csv and a district's results.csv";
  EXPECT_TRUE(table->skipped().empty());
  auto m = table->Match("GET", "/v1/budget/lines:stream");
  ASSERT_EQ(m.outcome, RouteTable::Outcome::kMatched);
  EXPECT_EQ(m.route->kind, ResponseKind::kCsv);
  // A unary method answered as CSV on its extra route, as JSON on its rule.
  auto csv = table->Match("GET", "/v1/rounds/3/districts/7/results.csv");
  ASSERT_EQ(csv.outcome, RouteTable::Outcome::kMatched);
  EXPECT_EQ(csv.route->kind, ResponseKind::kCsv);
  EXPECT_EQ(csv.route->method->name(), "ComputeOutcome");
  auto json = table->Match("GET", "/v1/rounds/3/districts/7/outcome");
  ASSERT_EQ(json.outcome, RouteTable::Outcome::kMatched);
  EXPECT_EQ(json.route->kind, ResponseKind::kJson);
  EXPECT_EQ(m.route->grpc_path, "/bkkbudget.budget.v1.BudgetService/StreamLines");
  m = table->Match("GET", "/v1/budget/lines/42");
  EXPECT_EQ(m.route->method->name(), "GetLine");
  m = table->Match("GET", "/v1/rounds/1/districts/2/tallies:watch");
  EXPECT_EQ(m.route->kind, ResponseKind::kSse);
  m = table->Match("POST", "/v1/admin/rounds/9:advance");
  EXPECT_EQ(m.route->method->name(), "AdvanceRoundPhase");
  EXPECT_EQ(m.bindings[0].value, "9");
  EXPECT_EQ(table->Match("POST", "/v1/admin/rounds/9:nope").outcome, RouteTable::Outcome::kNotFound);
}

TEST(RouteTableTest, CachePoliciesComeFromTheTableAndAMethodBeatsItsService) {
  auto table = RealRoutes();
  auto policy = [&](const char* method, const char* path) {
    auto m = table->Match(method, path);
    EXPECT_EQ(m.outcome, RouteTable::Outcome::kMatched) << path;
    return m.route == nullptr ? CachePolicy::kNone : m.route->cache;
  };
  EXPECT_EQ(policy("GET", "/v1/budget/overview"), CachePolicy::kRelease);
  EXPECT_EQ(policy("GET", "/v1/budget/lines/42"), CachePolicy::kRelease);
  EXPECT_EQ(policy("GET", "/v1/rounds/1/districts/2/top"), CachePolicy::kTtl);
  EXPECT_EQ(policy("GET", "/v1/rounds/1/turnout"), CachePolicy::kTtl);
  EXPECT_EQ(policy("GET", "/v1/rounds/1/districts/2/outcome"), CachePolicy::kTtl) << "a crowd reads the result";
  EXPECT_EQ(policy("GET", "/v1/rounds/1/districts/2/results.csv"), CachePolicy::kNone) << "downloads are not cached";
  EXPECT_EQ(policy("GET", "/v1/projects/3"), CachePolicy::kTtl);
  EXPECT_EQ(policy("GET", "/v1/rounds/1"), CachePolicy::kNone) << "rounds change with their phase";
  EXPECT_EQ(policy("GET", "/v1/budget/lines:stream"), CachePolicy::kNone) << "streams are never cached";

  RouteTableOptions options = DefaultRouteTableOptions();
  options.cache_policies.emplace_back(absl::StrCat(kBudgetService, ".GetOverview"), CachePolicy::kNone);
  auto overridden = RouteTable::Build(*DescriptorPool::generated_pool(), options);
  ASSERT_TRUE(overridden.ok()) << overridden.status();
  EXPECT_EQ((*overridden)->Match("GET", "/v1/budget/overview").route->cache, CachePolicy::kNone);
  EXPECT_EQ((*overridden)->Match("GET", "/v1/budget/lines/42").route->cache, CachePolicy::kRelease);

  options.cache_policies.emplace_back(absl::StrCat(kVotingService, ".GetTopProposal"), CachePolicy::kTtl);
  EXPECT_THAT(RouteTable::Build(*DescriptorPool::generated_pool(), options),
              StatusIs(absl::StatusCode::kNotFound, ::testing::HasSubstr("GetTopProposal: no such service or method")));
}

// ---- setting fields from text ----

TEST(TranscoderTest, SetsEveryScalarKindAndNamesTheProblem) {
  TestPool pool({});
  auto msg = pool.NewReq();
  auto set = [&](const std::string& path, const std::string& value) {
    auto fields = ResolveFieldPath(pool.Req(), path);
    if (!fields.ok()) return fields.status();
    return SetFieldFromText(msg.get(), *fields, value, "query parameter `" + path + "`");
  };
  EXPECT_TRUE(set("i32", "2147483647").ok());
  EXPECT_TRUE(set("i32", "-2147483648").ok());
  EXPECT_EQ(set("i32", "2147483648").message(), "query parameter `i32`: \"2147483648\" is out of range for int32");
  EXPECT_EQ(set("i32", "abc").message(), "query parameter `i32`: \"abc\" is not an integer");
  EXPECT_EQ(set("i32", "").message(), "query parameter `i32`: \"\" is not an integer");
  EXPECT_EQ(set("i32", "+5").message(), "query parameter `i32`: \"+5\" is not an integer");
  EXPECT_EQ(set("i32", "1.0").message(), "query parameter `i32`: \"1.0\" is not an integer");
  EXPECT_TRUE(set("i64", "9223372036854775807").ok());
  EXPECT_TRUE(set("i64", "-9223372036854775808").ok());
  EXPECT_THAT(set("i64", "9223372036854775808"), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_EQ(set("u32", "-1").message(), "query parameter `u32`: \"-1\" is not a non-negative integer");
  EXPECT_TRUE(set("u64", "18446744073709551615").ok());
  EXPECT_THAT(set("u64", "18446744073709551616"), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_TRUE(set("d", "1.5e3").ok());
  EXPECT_TRUE(set("d", "NaN").ok());
  EXPECT_THAT(set("d", "1e999"), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(set("d", "0x10"), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(set("f", "1e39"), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_TRUE(set("flag", "true").ok());
  EXPECT_EQ(set("flag", "yes").message(), "query parameter `flag`: \"yes\" is not a boolean (true or false)");
  EXPECT_TRUE(set("color", "BLUE").ok());
  EXPECT_TRUE(set("color", "1").ok());
  EXPECT_EQ(set("color", "7").message(),
            "query parameter `color`: \"7\" is not a Color (one of COLOR_UNSPECIFIED, RED, BLUE)");
  EXPECT_TRUE(set("raw", "aGk_").ok()) << "the URL-safe alphabet";
  EXPECT_EQ(msg->GetReflection()->GetString(*msg, pool.Req()->FindFieldByName("raw")), "hi?");
  EXPECT_TRUE(set("raw", "aGk=").ok());
  EXPECT_THAT(set("raw", "***"), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_TRUE(set("tags", "x").ok());
  EXPECT_TRUE(set("tags", "y").ok());
  EXPECT_TRUE(set("nums", "1").ok());
  EXPECT_TRUE(set("inner.leaf", "deep").ok());
  EXPECT_NE(set("inner", "x").message().find("is a message"), std::string::npos);
  EXPECT_EQ(set("nope", "1").message(), "no field `nope` in gwtest.Req");
  EXPECT_NE(set("a.b", "1").message().find("not a message field"), std::string::npos);
  const auto* r = msg->GetReflection();
  const auto* d = pool.Req();
  EXPECT_EQ(r->GetInt32(*msg, d->FindFieldByName("i32")), -2147483648);
  EXPECT_EQ(r->GetInt64(*msg, d->FindFieldByName("i64")), INT64_MIN);
  EXPECT_EQ(r->GetEnumValue(*msg, d->FindFieldByName("color")), 1);
  EXPECT_EQ(r->GetString(*msg, d->FindFieldByName("raw")), "hi");
  EXPECT_EQ(r->FieldSize(*msg, d->FindFieldByName("tags")), 2);
  EXPECT_TRUE(r->GetBool(*msg, d->FindFieldByName("flag")));
}

TEST(TranscoderTest, ParsesQueryStrings) {
  auto p = ParseQueryString("a=1&&b=%20x+y&c&d=%E0%B8%81&");
  ASSERT_TRUE(p.ok()) << p.status();
  ASSERT_EQ(p->size(), 4u);
  EXPECT_EQ((*p)[1].value, " x y");
  EXPECT_EQ((*p)[2].name, "c");
  EXPECT_EQ((*p)[2].value, "");
  EXPECT_EQ((*p)[3].value, "ก");
  EXPECT_THAT(ParseQueryString("%zz=1"), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseQueryString("a=%FF"), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseQueryString("=1"), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseQueryString("a=1&a=2&a=3", 2), StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(TranscoderTest, BuildsRequestsFromRealRoutes) {
  auto table = RealRoutes();
  auto m = table->Match("GET", "/v1/budget/years/2566/breakdown");
  auto req = BuildGrpcRequest(*m.route, m.bindings, "dimension=BREAKDOWN_DIMENSION_AGENCY&filter.agency=x", "");
  ASSERT_TRUE(req.ok()) << req.status();
  EXPECT_EQ((*req)->ShortDebugString(),
            "fiscal_year: 2566 dimension: BREAKDOWN_DIMENSION_AGENCY filter { agency: \"x\" }");
  m = table->Match("POST", "/v1/rounds/5/districts/12/ballots");
  req = BuildGrpcRequest(*m.route, m.bindings, "", R"({"voterToken":"t","choices":[{"proposalId":"1"}]})");
  ASSERT_TRUE(req.ok()) << req.status();
  EXPECT_EQ((*req)->ShortDebugString(), "round_id: 5 district_id: 12 voter_token: \"t\" choices { proposal_id: 1 }");
  EXPECT_THAT(BuildGrpcRequest(*m.route, m.bindings, "", "{\"voterToken\":\"\xFF\"}"),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(BuildGrpcRequest(*m.route, m.bindings, "", "[]"), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(BuildGrpcRequest(*m.route, m.bindings, "", "  "), StatusIs(absl::StatusCode::kInvalidArgument));
  // The export alias takes bare LineFilter fields, and the full spelling.
  m = table->Match("GET", "/v1/export/lines.csv");
  req = BuildGrpcRequest(*m.route, m.bindings, "agency=a&filter.district_id=3&sort=LINE_SORT_NAME", "");
  ASSERT_TRUE(req.ok()) << req.status();
  EXPECT_EQ((*req)->ShortDebugString(), "filter { agency: \"a\" district_id: 3 } sort: LINE_SORT_NAME");
}

TEST(TranscoderTest, JsonUsesLowerCamelCaseAndPrintsDefaults) {
  bkkbudget::budget::v1::GetLineResponse r;
  r.mutable_line()->set_line_id(256600001);
  r.mutable_line()->set_amount_baht(5);
  auto json = MessageToJson(r);
  ASSERT_TRUE(json.ok());
  EXPECT_EQ(
      *json,
      R"({"line":{"lineId":"256600001","fiscalYear":0,"agency":"","missionType":"","name":"","amountBaht":"5",)"
      R"("strategyId":"","subDimensionId":"","districtId":0,"sourceRef":"","sourcePage":0,"category":"","strategySource":"",)"
      R"("strategyConfidence":"STRATEGY_CONFIDENCE_UNSPECIFIED","sourceDocument":""}})");
}

// Fills every field of a message with random values (strings from a
// hostile alphabet, extreme integers, unknown enum numbers, nested messages).
void FillRandom(google::protobuf::Message* m, std::mt19937& rng, int depth) {
  using google::protobuf::FieldDescriptor;
  static const std::vector<std::string> kStrings = {
      "",
      "ถนน",
      "a\"b\\c",
      "<script>&'",
      std::string("\x01\x1f\x7f\b\f\n\r\t\0", 9),
      "\xE2\x80\xA8\xF0\x9F\x98\x80",
      "สำนักงานเขต, \"พระนคร\"",
      "line\nbreak",
      "\xC2\x80\xC2\xAD\xE2\x80\x8B\xEF\xBB\xBF\xF0\x9D\x85\xB3\xF3\xA0\x80\x81x",
      "\xD8\x80\xE1\x9E\xB4\xE2\x81\xA0\xEF\xBF\xB9\xEF\xBF\xBF"};
  const auto* d = m->GetDescriptor();
  const auto* r = m->GetReflection();
  for (int i = 0; i < d->field_count(); ++i) {
    const FieldDescriptor* f = d->field(i);
    const int n = f->is_repeated() ? static_cast<int>(rng() % 3) : (rng() % 4 == 0 ? 0 : 1);
    for (int k = 0; k < n; ++k) {
      switch (f->cpp_type()) {
        case FieldDescriptor::CPPTYPE_INT32: {
          int32_t v = std::vector<int32_t>{0, -1, 2566, INT32_MAX, INT32_MIN}[rng() % 5];
          f->is_repeated() ? r->AddInt32(m, f, v) : r->SetInt32(m, f, v);
          break;
        }
        case FieldDescriptor::CPPTYPE_INT64: {
          int64_t v = std::vector<int64_t>{0, -5, 79719012050, INT64_MAX, INT64_MIN}[rng() % 5];
          f->is_repeated() ? r->AddInt64(m, f, v) : r->SetInt64(m, f, v);
          break;
        }
        case FieldDescriptor::CPPTYPE_UINT32:
          f->is_repeated() ? r->AddUInt32(m, f, rng()) : r->SetUInt32(m, f, rng());
          break;
        case FieldDescriptor::CPPTYPE_UINT64:
          f->is_repeated() ? r->AddUInt64(m, f, UINT64_MAX - rng()) : r->SetUInt64(m, f, UINT64_MAX - rng());
          break;
        case FieldDescriptor::CPPTYPE_BOOL:
          f->is_repeated() ? r->AddBool(m, f, rng() % 2) : r->SetBool(m, f, rng() % 2);
          break;
        case FieldDescriptor::CPPTYPE_ENUM: {
          int v = rng() % 5 == 0 ? 77 : f->enum_type()->value(rng() % f->enum_type()->value_count())->number();
          f->is_repeated() ? r->AddEnumValue(m, f, v) : r->SetEnumValue(m, f, v);
          break;
        }
        case FieldDescriptor::CPPTYPE_STRING: {
          std::string v = kStrings[rng() % kStrings.size()];
          if (f->type() == FieldDescriptor::TYPE_BYTES) v += std::string("\0\xff", 2);
          f->is_repeated() ? r->AddString(m, f, v) : r->SetString(m, f, v);
          break;
        }
        case FieldDescriptor::CPPTYPE_MESSAGE:
          if (depth > 0) FillRandom(f->is_repeated() ? r->AddMessage(m, f) : r->MutableMessage(m, f), rng, depth - 1);
          break;
        default:
          break;
      }
    }
  }
}

bool HasMapField(const google::protobuf::Descriptor* type, int depth = 0) {
  if (depth > 8) return false;
  for (int i = 0; i < type->field_count(); ++i) {
    const auto* f = type->field(i);
    if (f->is_map()) return true;
    if (f->message_type() != nullptr && HasMapField(f->message_type(), depth + 1)) return true;
  }
  return false;
}

TEST(TranscoderTest, DirectJsonPrinterMatchesProtobufByteForByte) {
  std::mt19937 rng(2566);
  int compared = 0;
  for (const char* file : {"bkkbudget/budget/v1/budget.proto", "bkkbudget/keywords/v1/keywords.proto",
                           "bkkbudget/voting/v1/voting.proto"}) {
    const auto* fd = DescriptorPool::generated_pool()->FindFileByName(file);
    ASSERT_NE(fd, nullptr) << file;
    for (int t = 0; t < fd->message_type_count(); ++t) {
      const auto* type = fd->message_type(t);
      for (int round = 0; round < 20; ++round) {
        std::unique_ptr<google::protobuf::Message> m(
            google::protobuf::MessageFactory::generated_factory()->GetPrototype(type)->New());
        if (round > 0) FillRandom(m.get(), rng, 3);
        std::string fast;
        ASSERT_TRUE(MessageToJsonFast(*m, &fast)) << type->full_name() << " fell back";
        auto reference = MessageToJsonReference(*m);
        ASSERT_TRUE(reference.ok());
        if (HasMapField(type)) {
          // Map keys come out sorted (stable ETags); protobuf prints them in
          // hash order. Same content is what counts there.
          std::unique_ptr<google::protobuf::Message> a(m->New()), b(m->New());
          ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(fast, a.get()).ok()) << fast;
          ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(*reference, b.get()).ok());
          ASSERT_TRUE(google::protobuf::util::MessageDifferencer::Equals(*a, *b)) << fast << "\n" << *reference;
        } else {
          ASSERT_EQ(fast, *reference) << type->full_name() << ": " << m->ShortDebugString();
        }
        ++compared;
      }
    }
  }
  EXPECT_GT(compared, 1000);
  // What the direct printer leaves to protobuf still prints.
  bkkbudget::budget::v1::Release bad_utf8;
  bad_utf8.set_version("v\xFF");
  std::string out;
  EXPECT_FALSE(MessageToJsonFast(bad_utf8, &out));
  EXPECT_TRUE(MessageToJson(bad_utf8).ok());
}

// ---- text helpers ----

TEST(TextTest, Utf8EscapingAndDecoding) {
  EXPECT_TRUE(IsValidUtf8("ก ข abc"));
  EXPECT_TRUE(IsValidUtf8("\xF0\x9F\x98\x80"));
  EXPECT_FALSE(IsValidUtf8("\xC0\x80"));          // overlong
  EXPECT_FALSE(IsValidUtf8("\xED\xA0\x80"));      // surrogate
  EXPECT_FALSE(IsValidUtf8("\xF4\x90\x80\x80"));  // above U+10FFFF
  EXPECT_FALSE(IsValidUtf8("\xE0\xB8"));          // truncated
  EXPECT_FALSE(IsValidUtf8("\x80"));
  EXPECT_EQ(PercentDecode("a%20b+c", true), "a b c");
  EXPECT_EQ(PercentDecode("a%20b+c", false), "a b+c");
  EXPECT_EQ(PercentDecode("%4", false), std::nullopt);
  EXPECT_EQ(PercentDecode("%", false), std::nullopt);
  EXPECT_EQ(PercentDecode("%g0", false), std::nullopt);
  EXPECT_EQ(JsonQuote("a\"b\\c\n\x01\x7F"), "\"a\\\"b\\\\c\\n\\u0001\\u007f\"");
  EXPECT_EQ(JsonQuote("ok\xFFok"), "\"ok\xEF\xBF\xBDok\"");
  EXPECT_EQ(QuoteForMessage("กกกก", 7), "\"กก\xE2\x80\xA6\"") << "cut on a character boundary";
  EXPECT_EQ(HtmlEscape("<a href=\"x\">'&'</a>"), "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
  EXPECT_EQ(StableHash64("abc"), 0xe16801510db89efdULL);
}

TEST(StatusMapTest, ErrorBodiesAreAlwaysValidJson) {
  EXPECT_EQ(ErrorJson("NOT_FOUND", 404, "no \"line\"\n\xFF"),
            "{\"error\":{\"code\":\"NOT_FOUND\",\"http_status\":404,\"message\":\"no \\\"line\\\"\\n\xEF\xBF\xBD\"}}");
  HttpResponse r = ErrorResponseForGrpc(grpc::Status(grpc::StatusCode::PERMISSION_DENIED, ""));
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(r.body,
            "{\"error\":{\"code\":\"PERMISSION_DENIED\",\"http_status\":403,\"message\":\"PERMISSION_DENIED\"}}");
  EXPECT_EQ(r.Header("content-type"), "application/json; charset=utf-8");
  EXPECT_EQ(ErrorResponseForStatus(absl::FailedPreconditionError("voting has opened")).status, 400);
  EXPECT_EQ(HttpStatusForGrpcCode(static_cast<grpc::StatusCode>(99)), 500);
}

TEST(StatusMapTest, ABackendsReasonReachesTheJsonBodyThroughGrpcDetails) {
  // The service side: a core's reason, through the one gRPC mapping.
  const grpc::Status refused = bkk::ToGrpcStatus(
      WithReason(absl::AlreadyExistsError("this voter has already voted in this round, in district 7"),
                 "ALREADY_VOTED_ELSEWHERE", {{"district_id", "7"}}));
  EXPECT_FALSE(refused.error_details().empty()) << "google.rpc.Status in grpc-status-details-bin";
  HttpResponse r = ErrorResponseForGrpc(refused);
  EXPECT_EQ(r.status, 409);
  EXPECT_EQ(r.body,
            "{\"error\":{\"code\":\"ALREADY_EXISTS\",\"http_status\":409,\"message\":\"this voter has already "
            "voted in this round, in district 7\",\"reason\":\"ALREADY_VOTED_ELSEWHERE\",\"metadata\":{"
            "\"district_id\":\"7\"}}}");
  // Details that are not ours, or not a google.rpc.Status, add nothing.
  EXPECT_EQ(ErrorResponseForGrpc(grpc::Status(grpc::StatusCode::NOT_FOUND, "x", "\xFF\xFF")).body.find("reason"),
            std::string::npos);
  const auto back = bkk::FromGrpcStatus(refused);
  ASSERT_TRUE(ReasonOf(back).has_value());
  EXPECT_EQ(ReasonOf(back)->metadata.at("district_id"), "7");
}

TEST(LanguageTest, AcceptLanguageChoosesThaiUnlessEnglishIsPreferred) {
  struct Case {
    const char* header;
    Language expected;
  };
  const Case cases[] = {
      {"", Language::kThai},
      {"th", Language::kThai},
      {"en", Language::kEnglish},
      {"en-GB,en;q=0.9", Language::kEnglish},
      {"th-TH,th;q=0.9,en;q=0.8", Language::kThai},
      {"en-US,en;q=0.9,th;q=0.95", Language::kEnglish},
      {"en-US;q=0.8,th;q=0.9", Language::kThai},
      {"fr-FR,en;q=0.5", Language::kEnglish},
      {"fr-FR,de", Language::kThai},
      {"*", Language::kThai},
      {"en;q=0", Language::kThai},
      {"en;q=2", Language::kThai},
      {"EN-us", Language::kEnglish},
      {"en;q=abc,th;q=0.1", Language::kThai},
  };
  for (const auto& c : cases) EXPECT_EQ(NegotiateLanguage(c.header), c.expected) << c.header;
  EXPECT_EQ(LanguageTag(Language::kEnglish), "en");
  EXPECT_EQ(LanguageTag(Language::kThai), "th");
}

// ---- limits ----

TEST(LimitsTest, TokenBucketPerAddress) {
  RateLimiter limiter(10, 3);
  auto t0 = RateLimiter::Clock::now();
  EXPECT_TRUE(limiter.Allow("a", t0));
  EXPECT_TRUE(limiter.Allow("a", t0));
  EXPECT_TRUE(limiter.Allow("a", t0));
  int retry = 0;
  EXPECT_FALSE(limiter.Allow("a", t0, &retry));
  EXPECT_EQ(retry, 1);
  EXPECT_TRUE(limiter.Allow("b", t0)) << "addresses are independent";
  EXPECT_TRUE(limiter.Allow("a", t0 + std::chrono::milliseconds(100))) << "one token per 100 ms";
  EXPECT_FALSE(limiter.Allow("a", t0 + std::chrono::milliseconds(100)));
  RateLimiter off(0, 1);
  for (int i = 0; i < 1000; ++i) EXPECT_TRUE(off.Allow("a", t0));
  // Idle clients are forgotten, so memory follows recent traffic only.
  RateLimiter many(100, 1);
  for (int i = 0; i < 40000; ++i) many.Allow("client-" + std::to_string(i), t0);
  many.Allow("late", t0 + std::chrono::seconds(10));
  EXPECT_LT(many.TrackedKeysForTest(), 40000u);
}

TEST(LimitsTest, GrpcTimeoutHeader) {
  using std::chrono::milliseconds;
  EXPECT_EQ(ParseGrpcTimeout("100m"), milliseconds(100));
  EXPECT_EQ(ParseGrpcTimeout("2S"), milliseconds(2000));
  EXPECT_EQ(ParseGrpcTimeout("1M"), milliseconds(60000));
  EXPECT_EQ(ParseGrpcTimeout("1H"), milliseconds(3600000));
  EXPECT_EQ(ParseGrpcTimeout("1500u"), milliseconds(2));
  EXPECT_EQ(ParseGrpcTimeout("5n"), milliseconds(1));
  for (const char* bad : {"", "m", "123456789S", "1x", "-1S", "1.5S", " 1S"}) {
    EXPECT_EQ(ParseGrpcTimeout(bad), std::nullopt) << bad;
  }
}

TEST(LimitsTest, ConnectionGate) {
  ConnectionGate gate(2);
  EXPECT_TRUE(gate.TryAcquire());
  EXPECT_TRUE(gate.TryAcquire());
  EXPECT_FALSE(gate.TryAcquire());
  gate.Release();
  EXPECT_TRUE(gate.TryAcquire());
  EXPECT_EQ(gate.open(), 2);
}

// ---- caches ----

TEST(CacheTest, TtlEvictionAndEtags) {
  ResponseCache cache(16 * 1024);
  auto now = ResponseCache::Clock::now();
  auto entry = std::make_shared<CachedResponse>();
  entry->body = "{}";
  cache.Put("k", entry);
  EXPECT_NE(cache.Get("k", now), nullptr);
  auto ttl = std::make_shared<CachedResponse>();
  ttl->expires = now + std::chrono::milliseconds(10);
  cache.Put("t", ttl);
  EXPECT_NE(cache.Get("t", now), nullptr);
  EXPECT_EQ(cache.Get("t", now + std::chrono::milliseconds(10)), nullptr);
  // Bounded: many large entries never exceed the budget.
  for (int i = 0; i < 200; ++i) {
    auto big = std::make_shared<CachedResponse>();
    big->body = std::string(500, 'x');
    cache.Put("big" + std::to_string(i), big);
  }
  EXPECT_LT(cache.entries(), 60u);
  auto huge = std::make_shared<CachedResponse>();
  huge->body = std::string(100000, 'x');
  cache.Put("huge", huge);
  EXPECT_EQ(cache.Get("huge", now), nullptr) << "an entry larger than a shard is not kept";
  cache.Clear();
  EXPECT_EQ(cache.entries(), 0u);

  std::string etag = MakeEtag("0123abcd", "{\"a\":1}");
  EXPECT_EQ(etag.size(), std::string("\"0123abcd-0123456789abcdef\"").size());
  EXPECT_EQ(etag, MakeEtag("0123abcd", "{\"a\":1}")) << "stable across calls and processes";
  EXPECT_NE(etag, MakeEtag("0123abcd", "{\"a\":2}"));
  EXPECT_TRUE(IfNoneMatchMatches(etag, etag));
  EXPECT_TRUE(IfNoneMatchMatches("\"x\", W/" + etag, etag));
  EXPECT_TRUE(IfNoneMatchMatches("*", etag));
  EXPECT_FALSE(IfNoneMatchMatches("\"x\"", etag));
  EXPECT_FALSE(IfNoneMatchMatches("", etag));
  ReleaseTracker release;
  EXPECT_TRUE(release.Set("a"));
  EXPECT_FALSE(release.Set("a"));
  EXPECT_EQ(release.Get(), "a");
}

// ---- metrics ----

TEST(MetricsTest, PrometheusText) {
  Metrics m;
  int s = m.AddSeries("/v1/budget/overview", "GET");
  m.Record(s, 200, std::chrono::microseconds(700));
  m.Record(s, 200, std::chrono::milliseconds(30));
  m.Record(s, 404, std::chrono::seconds(20));
  m.AddInFlight(2);
  m.AddCollector("extra_metric", "a value read at scrape time", prometheus::MetricType::Gauge, [] {
    return std::vector<Metrics::Sample>{{{{"kind", "x"}}, 1}};
  });
  std::string text = m.Render();
  EXPECT_NE(text.find("bkk_gateway_requests_total{code=\"200\",method=\"GET\",route=\"/v1/budget/overview\"} 2\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("bkk_gateway_requests_total{code=\"404\",method=\"GET\",route=\"/v1/budget/overview\"} 1\n"),
            std::string::npos);
  EXPECT_NE(text.find("_bucket{method=\"GET\",route=\"/v1/budget/overview\",le=\"0.001\"} 1\n"), std::string::npos);
  EXPECT_NE(text.find("_bucket{method=\"GET\",route=\"/v1/budget/overview\",le=\"0.05\"} 2\n"), std::string::npos);
  EXPECT_NE(text.find("_bucket{method=\"GET\",route=\"/v1/budget/overview\",le=\"10\"} 2\n"), std::string::npos);
  EXPECT_NE(text.find("_bucket{method=\"GET\",route=\"/v1/budget/overview\",le=\"+Inf\"} 3\n"), std::string::npos);
  EXPECT_NE(text.find("_count{method=\"GET\",route=\"/v1/budget/overview\"} 3\n"), std::string::npos);
  EXPECT_NE(text.find("bkk_gateway_in_flight_requests 2\n"), std::string::npos);
  EXPECT_NE(text.find("extra_metric{kind=\"x\"} 1\n"), std::string::npos) << text;
  EXPECT_EQ(m.Count(s, 200), 2u);
  EXPECT_EQ(PromLabel("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
}

// ---- stream framing, share page, static types ----

TEST(StreamFormatsTest, SseAndCsv) {
  EXPECT_EQ(SseEvent("{\"a\":1}"), "data: {\"a\":1}\n\n");
  EXPECT_EQ(SseEvent("x\ny", "error"), "event: error\ndata: x\ndata: y\n\n");
  auto table = RealRoutes();
  auto m = table->Match("GET", "/v1/export/lines.csv");
  ASSERT_EQ(m.outcome, RouteTable::Outcome::kMatched);
  EXPECT_EQ(CsvPreamble(*m.route),
            "\xEF\xBB\xBFline_id,fiscal_year,agency,mission_type,name,category,amount_baht,strategy_id,district_id,"
            "source_document,source_page\r\n");
  bkkbudget::budget::v1::StreamLinesResponse chunk;
  auto* line = chunk.add_lines();
  line->set_line_id(256600001);
  line->set_fiscal_year(2566);
  line->set_agency("สำนักงานเขต, \"พระนคร\"");
  line->set_name("ค่าใช้จ่าย\nบรรทัดสอง");
  line->set_amount_baht(-5);
  line->set_source_page(6);
  EXPECT_EQ(CsvRows(*m.route, chunk),
            "256600001,2566,\"สำนักงานเขต, \"\"พระนคร\"\"\",,\"ค่าใช้จ่าย\nบรรทัดสอง\",,-5,,0,,6\r\n");
  EXPECT_EQ(CsvRows(*m.route, bkkbudget::budget::v1::StreamLinesResponse()), "");
}

// The fan-out against a scripted backend stream and clients that record
// what they are offered.
class ScriptedBackend final : public Backend {
 public:
  class Stream final : public BackendStream {
   public:
    explicit Stream(Handlers h) : handlers(std::move(h)) {}
    void Start() override {}
    void RequestNext() override { ++next_requests; }
    void Cancel() override { cancelled = true; }
    void Send(const std::string& text) {
      auto m = std::make_unique<bkkbudget::voting::v1::WatchTalliesResponse>();
      ASSERT_TRUE(google::protobuf::TextFormat::ParseFromString(text, m.get()));
      handlers.on_message(std::move(m));
    }
    Handlers handlers;
    int next_requests = 0;
    bool cancelled = false;
  };
  void CallUnary(const google::protobuf::MethodDescriptor*, const CallOptions&,
                 std::unique_ptr<google::protobuf::Message>, UnaryDone) override {}
  std::shared_ptr<BackendStream> PrepareServerStream(const google::protobuf::MethodDescriptor*, const CallOptions&,
                                                     std::unique_ptr<google::protobuf::Message>,
                                                     BackendStream::Handlers handlers) override {
    streams.push_back(std::make_shared<Stream>(std::move(handlers)));
    return streams.back();
  }
  void CheckHealth(const std::string&, std::chrono::system_clock::time_point, HealthDone) override {}
  void GetProposal(const bkkbudget::voting::v1::GetProposalRequest&, const CallOptions&,
                   TypedDone<bkkbudget::voting::v1::GetProposalResponse>) override {}
  void ComputeOutcome(const bkkbudget::voting::v1::ComputeOutcomeRequest&, const CallOptions&,
                      TypedDone<bkkbudget::voting::v1::ComputeOutcomeResponse>) override {}
  void GetRelease(const CallOptions&, TypedDone<bkkbudget::budget::v1::GetReleaseResponse>) override {}
  std::vector<std::shared_ptr<Stream>> streams;
};

class RecordingClient final : public SseClient {
 public:
  void Start(std::string preamble) override { this->preamble = preamble; }
  void Offer(std::shared_ptr<const std::string> event) override { offered.push_back(std::move(event)); }
  void End() override { ended = true; }
  void Fail(const grpc::Status& status) override { failed = status.error_code(); }
  std::string preamble;
  std::vector<std::shared_ptr<const std::string>> offered;
  bool ended = false;
  grpc::StatusCode failed = grpc::StatusCode::OK;
};

TEST(SseFanoutTest, EachEventIsFramedOnceForEveryClientAndTheUpstreamNeverWaits) {
  ScriptedBackend backend;
  SseFanout fanout(&backend, SseFanoutOptions{});
  auto routes = RealRoutes();
  auto match = routes->Match("GET", "/v1/rounds/1/districts/2/tallies:watch");
  ASSERT_EQ(match.outcome, RouteTable::Outcome::kMatched);
  bkkbudget::voting::v1::WatchTalliesRequest request;
  request.set_round_id(1);
  request.set_district_id(2);
  auto a = std::make_shared<RecordingClient>();
  auto b = std::make_shared<RecordingClient>();
  ASSERT_TRUE(fanout.Join(*match.route, request, a));
  ASSERT_TRUE(fanout.Join(*match.route, request, b));
  ASSERT_EQ(backend.streams.size(), 1u) << "one upstream for both";
  auto& upstream = *backend.streams[0];
  for (int i = 1; i <= 10; ++i) upstream.Send(absl::StrCat("voter_count: ", i, " watermark: ", i));
  EXPECT_EQ(upstream.next_requests, 10) << "the upstream reads on, whatever the clients' sockets do";
  EXPECT_EQ(a->preamble, "retry: 3000\n\n");
  ASSERT_EQ(a->offered.size(), 10u);
  ASSERT_EQ(b->offered.size(), 10u);
  for (size_t i = 0; i < 10; ++i) EXPECT_EQ(a->offered[i], b->offered[i]) << "the same bytes, framed once";
  EXPECT_EQ(*a->offered[9],
            "id: 10\ndata: {\"proposals\":[],\"voterCount\":\"10\",\"watermark\":\"10\","
            "\"votingClosed\":false}\n\n");
  EXPECT_EQ(fanout.stats().events, 10u);
  // A late joiner gets the newest event at once, from memory.
  auto late = std::make_shared<RecordingClient>();
  ASSERT_TRUE(fanout.Join(*match.route, request, late));
  ASSERT_EQ(late->offered.size(), 1u);
  EXPECT_EQ(late->offered[0], a->offered[9]);
  EXPECT_EQ(backend.streams.size(), 1u);
}

TEST(SseFanoutTest, LastClientLeavingClosesTheUpstreamAfterTheLinger) {
  ScriptedBackend backend;
  SseFanoutOptions options;
  options.linger = std::chrono::milliseconds(50);
  SseFanout fanout(&backend, options);
  auto routes = RealRoutes();
  auto match = routes->Match("GET", "/v1/rounds/1/districts/2/tallies:watch");
  bkkbudget::voting::v1::WatchTalliesRequest request;
  request.set_round_id(1);
  auto a = fanout.Join(*match.route, request, std::make_shared<RecordingClient>());
  auto b = fanout.Join(*match.route, request, std::make_shared<RecordingClient>());
  ASSERT_TRUE(a && b);
  fanout.Leave(*a, true);
  std::this_thread::sleep_for(std::chrono::milliseconds(120));
  EXPECT_FALSE(backend.streams[0]->cancelled) << "one client is still watching";
  fanout.Leave(*b, true);
  fanout.Leave(*b, true);  // twice is harmless
  for (int i = 0; i < 100 && !backend.streams[0]->cancelled; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_TRUE(backend.streams[0]->cancelled);
  EXPECT_EQ(fanout.stats().upstreams, 0);
  EXPECT_EQ(fanout.stats().clients, 0);
}

TEST(SharePageTest, EscapesEverythingAndShortensOnCharacters) {
  bkkbudget::voting::v1::GetProposalResponse r;
  r.mutable_proposal()->set_proposal_id(9);
  r.mutable_proposal()->set_title("\"><img src=x onerror=alert(1)>");
  r.mutable_proposal()->set_description(std::string(400, 'a') + "ก");
  r.set_support(1234567);
  std::string html = RenderSharePage(r, "https://b.example", "/og.png");
  EXPECT_EQ(html.find("<img"), std::string::npos);
  EXPECT_NE(html.find("content=\"&quot;&gt;&lt;img src=x onerror=alert(1)&gt;\""), std::string::npos) << html;
  EXPECT_NE(html.find("<meta property=\"og:url\" content=\"https://b.example/p/9\">"), std::string::npos);
  EXPECT_NE(html.find("<meta property=\"og:image\" content=\"https://b.example/og.png\">"), std::string::npos);
  EXPECT_NE(html.find("<meta name=\"twitter:card\" content=\"summary_large_image\">"), std::string::npos);
  EXPECT_NE(html.find("1,234,567"), std::string::npos);
  EXPECT_NE(html.find(std::string(300, 'a') + "…"), std::string::npos);
  EXPECT_TRUE(IsValidUtf8(html));
}

TEST(StaticFilesTest, ContentTypes) {
  EXPECT_EQ(StaticFiles::ContentTypeFor("/index.html"), "text/html; charset=utf-8");
  EXPECT_EQ(StaticFiles::ContentTypeFor("/assets/app.3f2a.JS"), "text/javascript; charset=utf-8");
  EXPECT_EQ(StaticFiles::ContentTypeFor("/fonts/sarabun.woff2"), "font/woff2");
  EXPECT_EQ(StaticFiles::ContentTypeFor("/og.png"), "image/png");
  EXPECT_EQ(StaticFiles::ContentTypeFor("/data.bin"), "application/octet-stream");
  StaticFiles none("");
  EXPECT_FALSE(none.Serve("/", "", "").has_value());
}

}  // namespace
}  // namespace bkk::gateway
