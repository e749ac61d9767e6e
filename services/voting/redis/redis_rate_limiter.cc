// Rate-limit counters in Redis; see redis_rate_limiter.h.
#include "services/voting/redis/redis_rate_limiter.h"

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

namespace bkk::voting {

absl::StatusOr<std::vector<int64_t>> RedisRateLimiter::Hit(const std::vector<std::string>& keys) {
  const std::string window = absl::StrCat(":", absl::ToUnixSeconds(absl::Now()) / 60);
  std::vector<std::vector<std::string>> commands;
  for (const auto& key : keys) {
    commands.push_back({"INCR", key + window});
    commands.push_back({"EXPIRE", key + window, "120"});
  }
  if (commands.empty()) return std::vector<int64_t>();
  return pool_->Query([&](RedisConnection& r) -> absl::StatusOr<std::vector<int64_t>> {
    ASSIGN_OR_RETURN(auto replies, r.Pipeline(commands));
    std::vector<int64_t> counts;
    for (size_t i = 0; i < replies.size(); i += 2) {
      ASSIGN_OR_RETURN(int64_t count, RedisInteger(replies[i].get()));
      counts.push_back(count);
    }
    return counts;
  });
}

}  // namespace bkk::voting
