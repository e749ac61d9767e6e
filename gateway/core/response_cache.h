// In-memory response caches. Budget and keyword answers change only with a
// new dataset release, so they are cached under the release version (a new
// release simply stops matching old keys, which are then dropped) and
// served with a release-derived ETag. Vote tallies change all the time and
// are cached for a short TTL only, to absorb bursts of identical reads.
// Writes and errors are never cached (the gateway only puts OK answers of
// GET routes here).
#ifndef BKK_GATEWAY_CORE_RESPONSE_CACHE_H_
#define BKK_GATEWAY_CORE_RESPONSE_CACHE_H_

#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "absl/strings/string_view.h"

namespace bkk::gateway {

struct CachedResponse {
  std::string body;  // JSON
  std::string etag;  // quoted ETag, or empty
  std::chrono::steady_clock::time_point expires = std::chrono::steady_clock::time_point::max();
};

// A bounded, sharded map from key to response. Eviction is first-in
// first-out per shard: cheap, and good enough for a set of hot keys that is
// small compared to the bound.
class ResponseCache final {
 public:
  using Clock = std::chrono::steady_clock;

  explicit ResponseCache(size_t max_bytes);

  std::shared_ptr<const CachedResponse> Get(const std::string& key, Clock::time_point now);
  void Put(const std::string& key, std::shared_ptr<const CachedResponse> value);
  void Clear();
  size_t entries();
  size_t hits() const { return hits_.load(std::memory_order_relaxed); }
  size_t misses() const { return misses_.load(std::memory_order_relaxed); }

 private:
  struct Shard {
    std::mutex mu;
    std::unordered_map<std::string, std::shared_ptr<const CachedResponse>> map;
    std::deque<std::string> order;
    size_t bytes = 0;
  };
  static constexpr size_t kShards = 16;
  Shard& ShardFor(const std::string& key);

  const size_t max_shard_bytes_;
  Shard shards_[kShards];
  std::atomic<size_t> hits_{0};
  std::atomic<size_t> misses_{0};
};

// The dataset release being served, as last seen from budget-data.
class ReleaseTracker final {
 public:
  // Returns true when the version changed.
  bool Set(std::string version);
  std::string Get() const;

 private:
  mutable std::mutex mu_;
  std::string version_;
};

// `"<release>-<16 hex digits of a stable hash of the body>"`, quoted.
std::string MakeEtag(absl::string_view release, absl::string_view body);

// If-None-Match semantics (weak comparison): a list of ETags or "*".
bool IfNoneMatchMatches(absl::string_view if_none_match, absl::string_view etag);

}  // namespace bkk::gateway

#endif  // BKK_GATEWAY_CORE_RESPONSE_CACHE_H_
