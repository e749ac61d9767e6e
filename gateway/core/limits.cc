// Rate limiting and timeout parsing; see limits.h.
#include "gateway/core/limits.h"

#include <algorithm>
#include <cmath>
#include <functional>

#include "common/stable_hash.h"

namespace bkk::gateway {

RateLimiter::RateLimiter(double rate_per_second, double burst) : rate_(rate_per_second), burst_(std::max(burst, 1.0)) {}

bool RateLimiter::Allow(absl::string_view key, Clock::time_point now, int* retry_after) {
  if (rate_ <= 0) return true;
  Shard& shard = shards_[StableHash64(key) % kShards];
  std::lock_guard<std::mutex> lock(shard.mu);
  // Sweep buckets that have refilled completely: they carry no state.
  const auto refill_time = std::chrono::duration<double>(burst_ / rate_);
  if (shard.buckets.size() > 1024 && now - shard.last_sweep > refill_time) {
    for (auto it = shard.buckets.begin(); it != shard.buckets.end();) {
      it = now - it->second.updated > refill_time ? shard.buckets.erase(it) : std::next(it);
    }
    shard.last_sweep = now;
  }
  auto [it, inserted] = shard.buckets.try_emplace(std::string(key), Bucket{burst_, now});
  Bucket& b = it->second;
  if (!inserted) {
    double elapsed = std::chrono::duration<double>(now - b.updated).count();
    if (elapsed > 0) b.tokens = std::min(burst_, b.tokens + elapsed * rate_);
    b.updated = std::max(b.updated, now);
  }
  if (b.tokens >= 1.0) {
    b.tokens -= 1.0;
    return true;
  }
  if (retry_after != nullptr) {
    *retry_after = std::max(1, static_cast<int>(std::ceil((1.0 - b.tokens) / rate_)));
  }
  return false;
}

size_t RateLimiter::TrackedKeysForTest() {
  size_t n = 0;
  for (auto& shard : shards_) {
    std::lock_guard<std::mutex> lock(shard.mu);
    n += shard.buckets.size();
  }
  return n;
}

std::optional<std::chrono::milliseconds> ParseGrpcTimeout(absl::string_view value) {
  if (value.size() < 2 || value.size() > 9) return std::nullopt;
  int64_t amount = 0;
  for (size_t i = 0; i + 1 < value.size(); ++i) {
    if (value[i] < '0' || value[i] > '9') return std::nullopt;
    amount = amount * 10 + (value[i] - '0');
  }
  using std::chrono::duration_cast;
  using std::chrono::milliseconds;
  switch (value.back()) {
    case 'H':
      return duration_cast<milliseconds>(std::chrono::hours(amount));
    case 'M':
      return duration_cast<milliseconds>(std::chrono::minutes(amount));
    case 'S':
      return duration_cast<milliseconds>(std::chrono::seconds(amount));
    case 'm':
      return milliseconds(amount);
    // Sub-millisecond timeouts round up so they still reach the backend.
    case 'u':
      return milliseconds((amount + 999) / 1000);
    case 'n':
      return milliseconds((amount + 999'999) / 1'000'000);
    default:
      return std::nullopt;
  }
}

}  // namespace bkk::gateway
