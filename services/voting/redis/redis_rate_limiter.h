// The RateLimiter in Redis (see core/rate_limiter.h): INCR with a two-minute
// expiry on a key per minute window, every key of a call pipelined in one
// round trip.
#ifndef BKK_SERVICES_VOTING_REDIS_REDIS_RATE_LIMITER_H_
#define BKK_SERVICES_VOTING_REDIS_REDIS_RATE_LIMITER_H_

#include <string>
#include <vector>

#include "common/redis_client.h"
#include "services/voting/core/rate_limiter.h"

namespace bkk::voting {

class RedisRateLimiter final : public RateLimiter {
 public:
  explicit RedisRateLimiter(RedisPool* pool) : pool_(pool) {}
  absl::StatusOr<std::vector<int64_t>> Hit(const std::vector<std::string>& keys) override;

 private:
  RedisPool* const pool_;
};

}  // namespace bkk::voting

#endif  // BKK_SERVICES_VOTING_REDIS_REDIS_RATE_LIMITER_H_
