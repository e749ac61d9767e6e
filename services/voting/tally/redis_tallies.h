// Live tallies in Redis: a cache of PostgreSQL's ballots, applied exactly
// once. All tally keys carry an epoch; a state hash holds {epoch, wm} where wm
// is "every ballot with id <= wm is applied, none above". An apply is one Lua
// script that checks the epoch and wm it expects, adds the increments and
// moves wm — atomic, so a crash or a racing replica can never count a ballot
// twice. If Redis loses the state (flush, restart), the next apply starts a
// new epoch from ballot 0 and old keys are simply never read again.
//
// The same script publishes which districts moved on the changes channel
// (see tally/tally_changes.h), so every replica's live tallies learn of a
// change exactly when it becomes readable.
#ifndef BKK_SERVICES_VOTING_TALLY_REDIS_TALLIES_H_
#define BKK_SERVICES_VOTING_TALLY_REDIS_TALLIES_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/redis_client.h"
#include "services/voting/store/records.h"

namespace bkk::voting {

struct TallyState {
  std::string epoch;
  int64_t watermark = 0;
};

class RedisTallies final {
 public:
  // `prefix` namespaces every key (e.g. "bkk:tally").
  RedisTallies(RedisPool* pool, std::string prefix) : pool_(pool), prefix_(std::move(prefix)) {}

  // The current state, or nullopt when Redis holds none (fresh or flushed).
  absl::StatusOr<std::optional<TallyState>> State();

  // Applies `ballots` (ids > expected.watermark, ascending) if Redis is still
  // at `expected`; `create` starts epoch expected.epoch when there is no
  // state. Returns false when the state moved (another applier won).
  absl::StatusOr<bool> Apply(const TallyState& expected, bool create, const std::vector<StoredBallot>& ballots);

  // A district's support, voter count and watermark in one atomic read
  // (MULTI/EXEC), so the watermark says exactly which ballots are counted.
  // FAILED_PRECONDITION when the tallies moved to another epoch meanwhile.
  absl::StatusOr<DistrictCounts> ReadDistrict(const std::string& epoch, int64_t round_id, int32_t district_id);
  absl::StatusOr<std::vector<std::pair<int32_t, int64_t>>> Turnout(const std::string& epoch, int64_t round_id);
  absl::StatusOr<int64_t> DistinctVoters(const std::string& epoch, int64_t round_id);

  // Tells every replica a round changed phase (its live tallies may end).
  absl::Status PublishRoundChange(int64_t round_id);
  // Where tally and round changes are announced.
  std::string ChangesChannel() const { return prefix_ + ":changes"; }

 private:
  std::string StateKey() const { return prefix_ + ":state"; }
  std::string RoundKey(const std::string& epoch, int64_t round_id) const;

  RedisPool* const pool_;
  const std::string prefix_;
};

}  // namespace bkk::voting

#endif  // BKK_SERVICES_VOTING_TALLY_REDIS_TALLIES_H_
