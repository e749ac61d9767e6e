// Counts requests per key in fixed one-minute windows, for the ballot rate
// limits (per voter token, per client address). The Redis implementation is
// redis/redis_rate_limiter.h; unit tests use core/in_memory.h. The limits
// themselves, and what to answer over them, are VotingApp's.
#ifndef BKK_SERVICES_VOTING_CORE_RATE_LIMITER_H_
#define BKK_SERVICES_VOTING_CORE_RATE_LIMITER_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace bkk::voting {

class RateLimiter {
 public:
  virtual ~RateLimiter() = default;
  // Counts one hit on each key (a key may repeat) in the current minute and
  // returns each key's count after its hit, in order, in one round trip.
  virtual absl::StatusOr<std::vector<int64_t>> Hit(const std::vector<std::string>& keys) = 0;
};

}  // namespace bkk::voting

#endif  // BKK_SERVICES_VOTING_CORE_RATE_LIMITER_H_
