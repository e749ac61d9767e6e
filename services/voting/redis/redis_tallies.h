// Live tallies in Redis: a cache of PostgreSQL's ballots, applied exactly
// once. All tally keys carry an epoch; a state hash holds {epoch, wm} where wm
// is "every ballot with id <= wm is applied, none above". An apply is one Lua
// script that checks the epoch and wm it expects, adds the increments and
// moves wm — atomic, so a crash or a racing replica can never count a ballot
// twice. If Redis loses the state (flush, restart), the next apply starts a
// new epoch from ballot 0 and old keys are simply never read again.
//
// The same script publishes which districts moved on the changes channel
// (see core/tally_changes.h), so every replica's live tallies learn of a
// change exactly when it becomes readable.
#ifndef BKK_SERVICES_VOTING_REDIS_REDIS_TALLIES_H_
#define BKK_SERVICES_VOTING_REDIS_REDIS_TALLIES_H_

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "common/redis_client.h"
#include "services/voting/core/tally_store.h"

namespace bkk::voting {

// The TallyStore in Redis (see core/tally_store.h for the contract).
class RedisTallies final : public TallyStore {
 public:
  // `prefix` namespaces every key (e.g. "bkk:tally").
  RedisTallies(RedisPool* pool, std::string prefix) : pool_(pool), prefix_(std::move(prefix)) {}

  absl::StatusOr<std::optional<TallyState>> State() override;
  absl::StatusOr<bool> Apply(const TallyState& expected, bool create,
                             const std::vector<StoredBallot>& ballots) override;
  // MULTI/EXEC: the watermark says exactly which ballots are counted.
  absl::StatusOr<DistrictCounts> ReadDistrict(const std::string& epoch, int64_t round_id, int32_t district_id) override;
  absl::StatusOr<std::vector<std::pair<int32_t, int64_t>>> Turnout(const std::string& epoch, int64_t round_id) override;
  absl::StatusOr<int64_t> DistinctVoters(const std::string& epoch, int64_t round_id) override;
  absl::Status PublishRoundChange(int64_t round_id) override;

  // Where tally and round changes are announced (redis/tally_change_feed.h).
  std::string ChangesChannel() const { return prefix_ + ":changes"; }

 private:
  std::string StateKey() const { return prefix_ + ":state"; }
  std::string RoundKey(const std::string& epoch, int64_t round_id) const;

  RedisPool* const pool_;
  const std::string prefix_;
};

}  // namespace bkk::voting

#endif  // BKK_SERVICES_VOTING_REDIS_REDIS_TALLIES_H_
