// The PostgreSQL pool and the Redis client against the real servers the test
// harness started (BKK_TEST_PG_URL, BKK_TEST_REDIS_URL).
#include <gtest/gtest.h>

#include <cstdlib>
#include <future>
#include <string>
#include <thread>
#include <vector>

#include "common/pg_pool.h"
#include "common/redis_client.h"

namespace bkk {
namespace {

std::string RequiredEnv(const char* name) {
  const char* v = std::getenv(name);
  if (v == nullptr || *v == '\0') {
    ADD_FAILURE() << name << " is not set: run through ./bkk test, which starts the servers";
    return "";
  }
  return v;
}

TEST(PgPoolTest, RunsQueriesAndMapsErrors) {
  PgPool pool(RequiredEnv("BKK_TEST_PG_URL"), 2);
  ASSERT_TRUE(pool.Ping().ok());
  int64_t answer = 0;
  ASSERT_TRUE(pool.Run([&](pqxx::connection& c) {
                    pqxx::work tx(c);
                    answer = tx.exec_params1("SELECT $1::bigint + 1", int64_t{41})[0].as<int64_t>();
                    return absl::OkStatus();
                  })
                  .ok());
  EXPECT_EQ(answer, 42);
  auto bad = pool.Run([](pqxx::connection& c) {
    pqxx::work tx(c);
    tx.exec("SELECT * FROM no_such_table_anywhere");
    return absl::OkStatus();
  });
  EXPECT_EQ(bad.code(), absl::StatusCode::kInternal);
  EXPECT_NE(bad.message().find("no_such_table_anywhere"), std::string::npos);
  // The pool still works after an error.
  EXPECT_TRUE(pool.Ping().ok());
  EXPECT_EQ(pool.stats().errors.load(), 1u) << "the failed query is counted for the metrics";
}

// What bkk_pool_waits_total and bkk_pool_timeouts_total count.
TEST(PgPoolTest, CountsWaitsAndTimeouts) {
  PgPool pool(RequiredEnv("BKK_TEST_PG_URL"), 1);
  std::promise<void> holding, release;
  std::thread holder([&] {
    (void)pool.Run([&](pqxx::connection&) {
      holding.set_value();
      release.get_future().wait();
      return absl::OkStatus();
    });
  });
  holding.get_future().wait();
  EXPECT_EQ(pool.Run([](pqxx::connection&) { return absl::OkStatus(); }, std::chrono::milliseconds(50)).code(),
            absl::StatusCode::kUnavailable);
  release.set_value();
  holder.join();
  EXPECT_EQ(pool.stats().waits.load(), 1u);
  EXPECT_EQ(pool.stats().timeouts.load(), 1u);
  EXPECT_EQ(pool.stats().errors.load(), 1u) << "the caller that gave up got UNAVAILABLE";
}

TEST(PgPoolTest, UnreachableServerIsUnavailable) {
  PgPool pool("postgresql://postgres@127.0.0.1:1/none?connect_timeout=1", 1);
  EXPECT_EQ(pool.Ping().code(), absl::StatusCode::kUnavailable);
}

TEST(RedisTest, CommandsPipelinesAndErrors) {
  auto ep = RedisEndpoint::Parse(RequiredEnv("BKK_TEST_REDIS_URL"));
  ASSERT_TRUE(ep.ok()) << ep.status();
  RedisPool pool(*ep, 2);
  ASSERT_TRUE(pool.Run([](RedisConnection& r) -> absl::Status {
                    auto set = r.Command({"SET", "bkk:test:common", "ค่า"});
                    if (!set.ok()) return set.status();
                    auto get = r.Command({"GET", "bkk:test:common"});
                    if (!get.ok()) return get.status();
                    EXPECT_EQ(std::string((*get)->str, (*get)->len), "ค่า");
                    auto replies = r.Pipeline(
                        {{"DEL", "bkk:test:n"}, {"INCRBY", "bkk:test:n", "5"}, {"INCRBY", "bkk:test:n", "2"}});
                    if (!replies.ok()) return replies.status();
                    EXPECT_EQ(*RedisInteger((*replies)[2].get()), 7);
                    auto wrong = r.Command({"INCR", "bkk:test:common"});
                    EXPECT_EQ(wrong.status().code(), absl::StatusCode::kFailedPrecondition);
                    // The connection survives an error reply.
                    return r.Command({"DEL", "bkk:test:common", "bkk:test:n"}).status();
                  })
                  .ok());
}

TEST(RedisTest, SubscriptionReceivesPublishedMessagesAndTimesOutQuietly) {
  auto ep = RedisEndpoint::Parse(RequiredEnv("BKK_TEST_REDIS_URL"));
  ASSERT_TRUE(ep.ok()) << ep.status();
  RedisSubscription sub(*ep, std::chrono::milliseconds(500));
  ASSERT_TRUE(sub.Subscribe("bkk:test:channel").ok());
  auto quiet = sub.Poll(std::chrono::milliseconds(50));
  ASSERT_TRUE(quiet.ok()) << quiet.status();
  EXPECT_FALSE(quiet->has_value()) << "nothing published yet";
  RedisPool pool(*ep, 1);
  ASSERT_TRUE(pool.Run([](RedisConnection& r) {
                    return r
                        .Pipeline({{"PUBLISH", "bkk:test:channel", "one"},
                                   {"PUBLISH", "bkk:test:other", "x"},
                                   {"PUBLISH", "bkk:test:channel", "สอง"}})
                        .status();
                  })
                  .ok());
  std::vector<std::string> got;
  for (int i = 0; i < 20 && got.size() < 2; ++i) {
    auto m = sub.Poll(std::chrono::milliseconds(200));
    ASSERT_TRUE(m.ok()) << m.status();
    if (m->has_value()) got.push_back(**m);
  }
  EXPECT_EQ(got, (std::vector<std::string>{"one", "สอง"})) << "in order, and only the subscribed channel";
}

TEST(RedisTest, SubscriptionToUnreachableServerIsUnavailable) {
  RedisSubscription sub(RedisEndpoint{"127.0.0.1", 1, 0}, std::chrono::milliseconds(200));
  EXPECT_EQ(sub.Subscribe("x").code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(sub.Poll(std::chrono::milliseconds(10)).status().code(), absl::StatusCode::kUnavailable);
}

TEST(RedisTest, UnreachableServerIsUnavailable) {
  RedisPool pool(RedisEndpoint{"127.0.0.1", 1, 0}, 1, std::chrono::milliseconds(200));
  auto s = pool.Run([](RedisConnection& r) { return r.Command({"PING"}).status(); });
  EXPECT_EQ(s.code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(pool.stats().errors.load(), 1u) << "counted for bkk_pool_errors_total";
}

}  // namespace
}  // namespace bkk
