// Unit tests of the shared library: configuration, status mapping, bearer
// checks and Redis URL parsing.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "common/config.h"
#include "common/csv.h"
#include "common/grpc_status.h"
#include "common/latest_only.h"
#include "common/log.h"
#include "common/redis_client.h"
#include "common/sha256.h"
#include "common/testing/status_matchers.h"
#include "common/trace.h"
#include "common/utf8_json.h"

namespace bkk {
namespace {

using ::bkk::testing::StatusIs;

TEST(TraceTest, ReadsVersion00AndRefusesWhatTheSpecRefuses) {
  auto t = ParseTraceParent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->trace_id, "4bf92f3577b34da6a3ce929d0e0e4736");
  EXPECT_EQ(t->span_id, "00f067aa0ba902b7");
  EXPECT_TRUE(t->sampled);
  EXPECT_EQ(FormatTraceParent(*t), "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
  // A later version is read by its first four fields.
  EXPECT_TRUE(ParseTraceParent("01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00-extra").has_value());
  for (const char* bad : {"", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7",
                          "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",
                          "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
                          "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",
                          "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
                          "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra"}) {
    EXPECT_FALSE(ParseTraceParent(bad).has_value()) << bad;
  }
  const TraceParent fresh = NewTrace();
  EXPECT_TRUE(ParseTraceParent(FormatTraceParent(fresh)).has_value());
  const TraceParent child = ChildSpan(fresh);
  EXPECT_EQ(child.trace_id, fresh.trace_id);
  EXPECT_NE(child.span_id, fresh.span_id);
  EXPECT_NE(NewTrace().trace_id, fresh.trace_id);
}

TEST(TraceTest, LogLinesCarryTheThreadsTraceWhileItLasts) {
  ::testing::internal::CaptureStderr();
  {
    const ScopedTraceId outer("aaaa");
    LogInfo("inside");
    {
      const ScopedTraceId inner("bbbb");
      LogInfo("nested");
    }
    LogInfo("back");
  }
  LogInfo("outside");
  const std::string out = ::testing::internal::GetCapturedStderr();
  EXPECT_THAT(out, ::testing::HasSubstr("\"event\":\"inside\",\"trace_id\":\"aaaa\"}"));
  EXPECT_THAT(out, ::testing::HasSubstr("\"event\":\"nested\",\"trace_id\":\"bbbb\"}"));
  EXPECT_THAT(out, ::testing::HasSubstr("\"event\":\"back\",\"trace_id\":\"aaaa\"}"));
  EXPECT_THAT(out, ::testing::HasSubstr("\"event\":\"outside\"}"));
}

const std::vector<SettingSpec> kSpecs = {
    {"BKK_PG_URL", "PostgreSQL URL", true, "", true},
    {"BKK_LISTEN", "gRPC listen address", false, "127.0.0.1:50051"},
    {"BKK_POOL", "pool size", false, "8"},
};

TEST(ConfigTest, MissingRequiredSettingIsNamed) {
  auto config = Config::FromMaps(kSpecs, {}, {});
  ASSERT_THAT(config, StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_EQ(config.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(config.status().message().find("BKK_PG_URL is required"), std::string::npos);
  EXPECT_NE(config.status().message().find("--pg-url"), std::string::npos);
}

TEST(ConfigTest, FlagOverridesEnvironmentAndDefaultsApply) {
  auto config = Config::FromMaps(kSpecs, {{"BKK_PG_URL", "postgres://a"}}, {"--pg-url=postgres://b", "import", "data"});
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->Get("BKK_PG_URL"), "postgres://b");
  EXPECT_EQ(config->Get("BKK_LISTEN"), "127.0.0.1:50051");
  EXPECT_EQ(*config->GetInt("BKK_POOL"), 8);
  EXPECT_EQ(config->positional(), (std::vector<std::string>{"import", "data"}));
  EXPECT_EQ(config->Describe().find("postgres://b"), std::string::npos) << "secret leaked";
}

TEST(ConfigTest, AFlagTakesTheNextArgumentAsItsValue) {
  auto config = Config::FromMaps(kSpecs, {{"BKK_PG_URL", "x"}}, {"import", "--listen", "0.0.0.0:1", "data"});
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->Get("BKK_LISTEN"), "0.0.0.0:1");
  EXPECT_EQ(config->positional(), (std::vector<std::string>{"import", "data"}));
}

TEST(ConfigTest, UnknownFlagAndFlagWithoutValueAreRefused) {
  auto config = Config::FromMaps(kSpecs, {{"BKK_PG_URL", "x"}}, {"--nope=1", "--listen"});
  ASSERT_THAT(config, StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_NE(config.status().message().find("unknown flag --nope"), std::string::npos);
  EXPECT_NE(config.status().message().find("--listen needs a value"), std::string::npos);
}

TEST(ConfigTest, NonIntegerIsRefused) {
  auto config = Config::FromMaps(kSpecs, {{"BKK_PG_URL", "x"}, {"BKK_POOL", "eight"}}, {});
  ASSERT_TRUE(config.ok());
  EXPECT_THAT(config->GetInt("BKK_POOL"), StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(StatusMappingTest, EveryCodeRoundTrips) {
  for (int c = 0; c <= 16; ++c) {
    auto code = static_cast<absl::StatusCode>(c);
    EXPECT_EQ(static_cast<int>(ToGrpcCode(code)), c);
    EXPECT_EQ(FromGrpcCode(ToGrpcCode(code)), code);
  }
  auto s = ToGrpcStatus(absl::NotFoundError("no year 2400"));
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(s.error_message(), "no year 2400");
}

TEST(RedisEndpointTest, Parses) {
  auto ep = RedisEndpoint::Parse("redis://127.0.0.1:6390/3");
  ASSERT_TRUE(ep.ok());
  EXPECT_EQ(ep->host, "127.0.0.1");
  EXPECT_EQ(ep->port, 6390);
  EXPECT_EQ(ep->db, 3);
  EXPECT_THAT(RedisEndpoint::Parse("http://x"), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(RedisEndpoint::Parse("redis://h:notaport"), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(RedisEndpoint::Parse("redis://h:70000"), StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(LatestOnlyTest, OneWriteInFlightAndOnlyTheNewestWaits) {
  LatestOnly<int> slot;
  EXPECT_EQ(slot.Offer(1), 1) << "idle: write at once";
  EXPECT_EQ(slot.Offer(2), std::nullopt) << "a write is in flight: wait";
  EXPECT_EQ(slot.Offer(3), std::nullopt);
  EXPECT_EQ(slot.Offer(4), std::nullopt);
  EXPECT_EQ(slot.replaced(), 2u) << "2 and 3 were coalesced away";
  EXPECT_EQ(slot.WriteDone(), 4) << "the newest value goes next, never the older ones";
  EXPECT_TRUE(slot.writing());
  EXPECT_EQ(slot.WriteDone(), std::nullopt);
  EXPECT_FALSE(slot.writing());
  EXPECT_EQ(slot.Offer(5), 5) << "idle again";
}

TEST(Utf8JsonTest, JsonQuote) {
  EXPECT_EQ(JsonQuote("a\"b\\c\nd\x01"), "\"a\\\"b\\\\c\\nd\\u0001\"");
  EXPECT_EQ(JsonQuote("กรุงเทพ"), "\"กรุงเทพ\"");
  // Invalid UTF-8 (a lone continuation byte, a cut sequence) becomes U+FFFD:
  // a log line stays valid JSON whatever a client sent.
  EXPECT_EQ(JsonQuote("a\x80"
                      "b"),
            "\"a\xEF\xBF\xBD"
            "b\"");
  EXPECT_EQ(JsonQuote("\xE0\xB8"), "\"\xEF\xBF\xBD\xEF\xBF\xBD\"");
  EXPECT_TRUE(IsValidUtf8("ก ข abc"));
  EXPECT_FALSE(IsValidUtf8("\xC0\x80"));
}

}  // namespace
}  // namespace bkk

namespace bkk {
namespace {

TEST(CsvTest, QuotedFieldsAndLineNumbers) {
  auto rows = ParseCsv(
      "\xEF\xBB\xBF"
      "a,b\n1,\"x, \"\"y\"\"\nz\"\r\n,last\n");
  ASSERT_TRUE(rows.ok()) << rows.status();
  ASSERT_EQ(rows->size(), 3u);
  EXPECT_EQ((*rows)[0].fields, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ((*rows)[1].fields, (std::vector<std::string>{"1", "x, \"y\"\nz"}));
  EXPECT_EQ((*rows)[2].line, 4);
  EXPECT_EQ((*rows)[2].fields, (std::vector<std::string>{"", "last"}));
  EXPECT_EQ(ParseCsv("a,\"b\n").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(CsvField("a,b"), "\"a,b\"");
  EXPECT_EQ(CsvField("plain"), "plain");
}

TEST(Sha256Test, KnownVector) {
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

}  // namespace
}  // namespace bkk
