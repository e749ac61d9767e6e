// Response caches and ETags; see response_cache.h.
#include "gateway/core/response_cache.h"

#include <functional>

#include "absl/strings/str_format.h"
#include "gateway/core/text.h"

namespace bkk::gateway {

ResponseCache::ResponseCache(size_t max_bytes) : max_shard_bytes_(max_bytes / kShards) {}

ResponseCache::Shard& ResponseCache::ShardFor(const std::string& key) {
  return shards_[std::hash<std::string>()(key) % kShards];
}

std::shared_ptr<const CachedResponse> ResponseCache::Get(const std::string& key, Clock::time_point now) {
  Shard& shard = ShardFor(key);
  std::lock_guard<std::mutex> lock(shard.mu);
  auto it = shard.map.find(key);
  if (it == shard.map.end() || it->second->expires <= now) {
    misses_.fetch_add(1, std::memory_order_relaxed);
    return nullptr;
  }
  hits_.fetch_add(1, std::memory_order_relaxed);
  return it->second;
}

void ResponseCache::Put(const std::string& key, std::shared_ptr<const CachedResponse> value) {
  const size_t cost = key.size() + value->body.size() + value->etag.size() + 64;
  if (cost > max_shard_bytes_) return;  // one huge answer must not flush everything else
  Shard& shard = ShardFor(key);
  std::lock_guard<std::mutex> lock(shard.mu);
  auto it = shard.map.find(key);
  if (it != shard.map.end()) {
    shard.bytes -= key.size() + it->second->body.size() + it->second->etag.size() + 64;
    it->second = std::move(value);
    shard.bytes += cost;
    return;
  }
  while (shard.bytes + cost > max_shard_bytes_ && !shard.order.empty()) {
    auto old = shard.map.find(shard.order.front());
    if (old != shard.map.end()) {
      shard.bytes -= old->first.size() + old->second->body.size() + old->second->etag.size() + 64;
      shard.map.erase(old);
    }
    shard.order.pop_front();
  }
  shard.map.emplace(key, std::move(value));
  shard.order.push_back(key);
  shard.bytes += cost;
}

void ResponseCache::Clear() {
  for (auto& shard : shards_) {
    std::lock_guard<std::mutex> lock(shard.mu);
    shard.map.clear();
    shard.order.clear();
    shard.bytes = 0;
  }
}

size_t ResponseCache::entries() {
  size_t n = 0;
  for (auto& shard : shards_) {
    std::lock_guard<std::mutex> lock(shard.mu);
    n += shard.map.size();
  }
  return n;
}

bool ReleaseTracker::Set(std::string version) {
  std::lock_guard<std::mutex> lock(mu_);
  if (version == version_) return false;
  version_ = std::move(version);
  return true;
}

std::string ReleaseTracker::Get() const {
  std::lock_guard<std::mutex> lock(mu_);
  return version_;
}

std::string MakeEtag(absl::string_view release, absl::string_view body) {
  return absl::StrFormat("\"%s-%016x\"", release, StableHash64(body));
}

bool IfNoneMatchMatches(absl::string_view header, absl::string_view etag) {
  if (etag.empty()) return false;
  size_t pos = 0;
  while (pos < header.size()) {
    size_t comma = header.find(',', pos);
    absl::string_view item = header.substr(pos, comma == absl::string_view::npos ? header.size() - pos : comma - pos);
    pos = comma == absl::string_view::npos ? header.size() : comma + 1;
    while (!item.empty() && (item.front() == ' ' || item.front() == '\t')) item.remove_prefix(1);
    while (!item.empty() && (item.back() == ' ' || item.back() == '\t')) item.remove_suffix(1);
    if (item == "*") return true;
    if (item.substr(0, 2) == "W/") item.remove_prefix(2);
    if (item == etag) return true;
  }
  return false;
}

}  // namespace bkk::gateway
