// Where the live tallies are kept: a cache of the repository's ballots,
// applied exactly once. The Redis implementation is redis/redis_tallies.h;
// unit tests use core/in_memory.h. Every count belongs to an epoch; a state
// {epoch, watermark} says "every ballot with id <= watermark is counted, none
// above". Apply is atomic and conditional on the state it expects, so a
// crash or a racing replica never counts a ballot twice; a store that loses
// its state starts a new epoch from ballot 0.
#ifndef BKK_SERVICES_VOTING_CORE_TALLY_STORE_H_
#define BKK_SERVICES_VOTING_CORE_TALLY_STORE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "services/voting/core/model.h"

namespace bkk::voting {

struct TallyState {
  std::string epoch;
  int64_t watermark = 0;
};

class TallyStore {
 public:
  virtual ~TallyStore() = default;

  // The current state, or nullopt when the store holds none (fresh or lost).
  virtual absl::StatusOr<std::optional<TallyState>> State() = 0;
  // Applies `ballots` (ids > expected.watermark, ascending) if the store is
  // still at `expected`; `create` starts epoch expected.epoch when there is
  // no state. Returns false when the state moved (another replica won).
  // Announces the change to every replica (see core/tally_changes.h).
  virtual absl::StatusOr<bool> Apply(const TallyState& expected, bool create,
                                     const std::vector<StoredBallot>& ballots) = 0;

  // A district's support, voter count and watermark in one atomic read.
  // FAILED_PRECONDITION when the store moved to another epoch meanwhile.
  virtual absl::StatusOr<DistrictCounts> ReadDistrict(const std::string& epoch, int64_t round_id,
                                                      int32_t district_id) = 0;
  virtual absl::StatusOr<std::vector<std::pair<int32_t, int64_t>>> Turnout(const std::string& epoch,
                                                                           int64_t round_id) = 0;
  virtual absl::StatusOr<int64_t> DistinctVoters(const std::string& epoch, int64_t round_id) = 0;

  // Tells every replica a round changed phase (its live tallies may end).
  virtual absl::Status PublishRoundChange(int64_t round_id) = 0;
};

}  // namespace bkk::voting

#endif  // BKK_SERVICES_VOTING_CORE_TALLY_STORE_H_
