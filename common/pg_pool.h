// A PostgreSQL connection pool over libpqxx: one connection per in-flight
// request, reconnecting after any connection error. Use Run() for a unit of
// work; it maps libpqxx exceptions to absl::Status so callers never catch.
#ifndef BKK_SERVICES_COMMON_PG_POOL_H_
#define BKK_SERVICES_COMMON_PG_POOL_H_

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <pqxx/pqxx>
#include <string>
#include <type_traits>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/pool_stats.h"
#include "common/status_macros.h"

namespace bkk {

class PgPool final {
 public:
  // `url` is a libpq connection string or URI; at most `max_size` connections
  // are open at once. Connections open lazily, so a pool can be built while
  // the database is still starting. `session_setup` (e.g. a SET) runs once on
  // every new connection.
  PgPool(std::string url, int max_size, std::string session_setup = "");
  ~PgPool();
  PgPool(const PgPool&) = delete;
  PgPool& operator=(const PgPool&) = delete;

  // Runs `work` with a connection. Exceptions become statuses:
  // broken connection -> UNAVAILABLE (and the connection is dropped),
  // unique violation -> ALREADY_EXISTS, other SQL errors -> INTERNAL.
  absl::Status Run(const std::function<absl::Status(pqxx::connection&)>& work,
                   std::chrono::milliseconds wait = std::chrono::seconds(5));

  // Runs `work` (returning T or absl::StatusOr<T>) with a connection and
  // returns what it returns: the way to read something out of the database.
  template <typename F, typename R = std::invoke_result_t<F, pqxx::connection&>>
  absl::StatusOr<typename StatusOrValue<R>::type> Query(F&& work,
                                                        std::chrono::milliseconds wait = std::chrono::seconds(5)) {
    absl::StatusOr<typename StatusOrValue<R>::type> out = absl::UnknownError("the query did not run");
    absl::Status s = Run(
        [&](pqxx::connection& c) {
          out = work(c);
          return out.status();
        },
        wait);
    if (!s.ok()) return s;
    return out;
  }

  // Opens one connection now and runs `SELECT 1`, for readiness checks.
  absl::Status Ping();

  const std::string& url() const { return url_; }
  // Waits, timeouts and failed work, for metrics.
  const PoolStats& stats() const { return stats_; }

 private:
  absl::StatusOr<std::unique_ptr<pqxx::connection>> Acquire(std::chrono::milliseconds wait);
  void Release(std::unique_ptr<pqxx::connection> conn, bool healthy);

  const std::string url_;
  const int max_size_;
  const std::string session_setup_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::unique_ptr<pqxx::connection>> idle_;
  int open_ = 0;
  PoolStats stats_;
};

// Maps the exception in flight (call from a catch block) to a status.
absl::Status StatusFromCurrentPgException();

}  // namespace bkk

#endif  // BKK_SERVICES_COMMON_PG_POOL_H_
