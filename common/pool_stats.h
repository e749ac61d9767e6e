// What a connection pool counts for its metrics (PgPool, RedisPool): a
// caller that had to wait for a connection, one that gave up waiting, and
// work that failed for the store's sake (UNAVAILABLE, INTERNAL, UNKNOWN).
// Relaxed atomics: read at scrape time, never for decisions.
#ifndef BKK_COMMON_POOL_STATS_H_
#define BKK_COMMON_POOL_STATS_H_

#include <atomic>
#include <cstdint>

#include "absl/status/status.h"

namespace bkk {

struct PoolStats {
  std::atomic<uint64_t> waits{0};
  std::atomic<uint64_t> timeouts{0};
  std::atomic<uint64_t> errors{0};

  void CountWait() { waits.fetch_add(1, std::memory_order_relaxed); }
  void CountTimeout() { timeouts.fetch_add(1, std::memory_order_relaxed); }
  // Counts `status` if it is the store's failure rather than the caller's
  // (a refused duplicate or a missing row is not an error of the store).
  void CountResult(const absl::Status& status) {
    const auto code = status.code();
    if (code == absl::StatusCode::kUnavailable || code == absl::StatusCode::kInternal ||
        code == absl::StatusCode::kUnknown || code == absl::StatusCode::kDeadlineExceeded) {
      errors.fetch_add(1, std::memory_order_relaxed);
    }
  }
};

}  // namespace bkk

#endif  // BKK_COMMON_POOL_STATS_H_
