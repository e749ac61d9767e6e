// The gateway's limits: sizes, times, per-client request rates and the
// connection cap. Values come from main's settings; the enforcement lives
// here (rates, deadlines) and in the HTTP server (sizes, timeouts).
#ifndef BKK_GATEWAY_CORE_LIMITS_H_
#define BKK_GATEWAY_CORE_LIMITS_H_

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "absl/strings/string_view.h"

namespace bkk::gateway {

struct Limits {
  uint64_t max_body_bytes = 1 << 20;                  // 1 MiB
  uint64_t max_admin_body_bytes = 32 << 20;           // /v1/admin/* (dataset imports)
  uint32_t max_header_bytes = 16 << 10;               // 16 KiB
  std::chrono::milliseconds request_timeout{10'000};  // deadline of a unary gRPC call
  std::chrono::milliseconds csv_timeout{300'000};     // deadline of a CSV export
  std::chrono::milliseconds sse_max_duration{3'600'000};
  std::chrono::milliseconds sse_heartbeat{15'000};
  // Time to read one request (headers and body) once a connection is idle:
  // a slow or half-open client is dropped after this, never holding a thread.
  std::chrono::milliseconds read_timeout{15'000};
  std::chrono::milliseconds idle_timeout{60'000};  // keep-alive wait for the next request
  std::chrono::milliseconds write_timeout{30'000};
  double rate_limit_rps = 50;  // per client address; 0 disables
  double rate_limit_burst = 100;
  int max_connections = 10'000;
};

// Per-key token buckets (key = client address). Thread-safe; sharded so
// io threads rarely contend. Idle buckets (full again) are dropped lazily,
// so the map stays as large as the set of recently active clients.
class RateLimiter final {
 public:
  using Clock = std::chrono::steady_clock;

  RateLimiter(double rate_per_second, double burst);

  // True if the request may proceed; otherwise `retry_after` (when not null)
  // gets whole seconds until a token is available (at least 1).
  bool Allow(absl::string_view key, Clock::time_point now, int* retry_after = nullptr);
  bool enabled() const { return rate_ > 0; }
  size_t TrackedKeysForTest();

 private:
  struct Bucket {
    double tokens;
    Clock::time_point updated;
  };
  struct Shard {
    std::mutex mu;
    std::unordered_map<std::string, Bucket> buckets;
    Clock::time_point last_sweep;
  };
  static constexpr size_t kShards = 16;

  const double rate_;
  const double burst_;
  Shard shards_[kShards];
};

// Parses a gRPC-style timeout header value ("500m", "10S", "2M": 1-8 digits
// and a unit H M S m u n). nullopt when malformed.
std::optional<std::chrono::milliseconds> ParseGrpcTimeout(absl::string_view value);

// Counts open connections against the cap.
class ConnectionGate final {
 public:
  explicit ConnectionGate(int max) : max_(max) {}
  bool TryAcquire() {
    int now = open_.fetch_add(1, std::memory_order_relaxed);
    if (now >= max_) {
      open_.fetch_sub(1, std::memory_order_relaxed);
      return false;
    }
    return true;
  }
  void Release() { open_.fetch_sub(1, std::memory_order_relaxed); }
  int open() const { return open_.load(std::memory_order_relaxed); }

 private:
  const int max_;
  std::atomic<int> open_{0};
};

}  // namespace bkk::gateway

#endif  // BKK_GATEWAY_CORE_LIMITS_H_
