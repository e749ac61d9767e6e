// A Redis client over hiredis: RAII for every reply, timeouts on every
// command, and reconnection after any error (a hiredis context is unusable
// once it has failed). A small pool gives one connection per in-flight call.
#ifndef BKK_SERVICES_COMMON_REDIS_CLIENT_H_
#define BKK_SERVICES_COMMON_REDIS_CLIENT_H_

#include <hiredis/hiredis.h>

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/pool_stats.h"
#include "common/status_macros.h"

namespace bkk {

struct RedisReplyDeleter {
  void operator()(redisReply* r) const { freeReplyObject(r); }
};
// Owns one reply; freed when it goes out of scope.
using RedisReply = std::unique_ptr<redisReply, RedisReplyDeleter>;

// Where Redis is: parsed from redis://host:port[/db].
struct RedisEndpoint {
  std::string host = "127.0.0.1";
  int port = 6379;
  int db = 0;
  static absl::StatusOr<RedisEndpoint> Parse(const std::string& url);
};

// One connection. Not thread-safe: take it from a RedisPool.
class RedisConnection final {
 public:
  RedisConnection(RedisEndpoint endpoint, std::chrono::milliseconds timeout);
  ~RedisConnection();
  RedisConnection(const RedisConnection&) = delete;
  RedisConnection& operator=(const RedisConnection&) = delete;

  // Runs one command (binary-safe arguments). A Redis error reply becomes
  // FAILED_PRECONDITION with Redis's text; I/O errors become UNAVAILABLE and
  // drop the connection so the next call reconnects.
  absl::StatusOr<RedisReply> Command(const std::vector<std::string>& args);
  // Sends every command, then reads every reply: one round trip.
  absl::StatusOr<std::vector<RedisReply>> Pipeline(const std::vector<std::vector<std::string>>& commands);

 private:
  absl::Status EnsureConnected();
  absl::Status Fail(const char* what);

  const RedisEndpoint endpoint_;
  const std::chrono::milliseconds timeout_;
  redisContext* context_ = nullptr;
};

class RedisPool final {
 public:
  RedisPool(RedisEndpoint endpoint, int max_size, std::chrono::milliseconds timeout = std::chrono::milliseconds(500));
  // Runs `work` with a connection from the pool.
  absl::Status Run(const std::function<absl::Status(RedisConnection&)>& work);

  // Runs `work` (returning T or absl::StatusOr<T>) and returns what it
  // returns: the way to read something out of Redis.
  template <typename F, typename R = std::invoke_result_t<F, RedisConnection&>>
  absl::StatusOr<typename StatusOrValue<R>::type> Query(F&& work) {
    absl::StatusOr<typename StatusOrValue<R>::type> out = absl::UnknownError("the command did not run");
    absl::Status s = Run([&](RedisConnection& r) {
      out = work(r);
      return out.status();
    });
    if (!s.ok()) return s;
    return out;
  }

  // Waits, timeouts and failed commands, for metrics.
  const PoolStats& stats() const { return stats_; }

 private:
  const RedisEndpoint endpoint_;
  const std::chrono::milliseconds timeout_;
  const int max_size_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::unique_ptr<RedisConnection>> idle_;
  int open_ = 0;
  PoolStats stats_;
};

// A connection in subscribe mode (pub/sub): its own socket, never pooled,
// since a subscribed connection can run no other command. Poll waits on
// the socket, so a quiet channel neither spins nor drops the connection.
// Not thread-safe: one thread owns it. Pub/sub delivers at most once; a
// reader that reconnects must assume it missed messages meanwhile.
class RedisSubscription final {
 public:
  RedisSubscription(RedisEndpoint endpoint, std::chrono::milliseconds timeout);
  ~RedisSubscription();
  RedisSubscription(const RedisSubscription&) = delete;
  RedisSubscription& operator=(const RedisSubscription&) = delete;

  // Connects (again, after a failure) and subscribes to `channel`.
  absl::Status Subscribe(const std::string& channel);
  // The next message's payload, or nullopt when none came within `wait`.
  // UNAVAILABLE means the connection is gone: Subscribe again.
  absl::StatusOr<std::optional<std::string>> Poll(std::chrono::milliseconds wait);

 private:
  absl::Status Fail(const char* what);

  const RedisEndpoint endpoint_;
  const std::chrono::milliseconds timeout_;
  redisContext* context_ = nullptr;
};

// Reads an integer reply (INTEGER, or a STRING holding digits).
absl::StatusOr<int64_t> RedisInteger(const redisReply* reply);

}  // namespace bkk

#endif  // BKK_SERVICES_COMMON_REDIS_CLIENT_H_
