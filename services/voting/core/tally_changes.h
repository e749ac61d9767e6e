// How replicas tell each other that live tallies moved: the tally store
// announces one message per applied chunk (naming the districts that got
// ballots and the new watermark), and a phase change announces the round.
// Every voting replica listens (redis/tally_change_feed.h) and passes the
// news to its broadcaster, so a change is computed once per district per
// replica, never once per watcher.
#ifndef BKK_SERVICES_VOTING_CORE_TALLY_CHANGES_H_
#define BKK_SERVICES_VOTING_CORE_TALLY_CHANGES_H_

#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "services/voting/core/model.h"

namespace bkk::voting {

struct TallyChange {
  enum class Kind { kTallies, kRound };
  Kind kind = Kind::kTallies;
  // kTallies: every ballot with id <= watermark is now counted in Redis;
  // these (round, district) pairs got some of them.
  int64_t watermark = 0;
  std::set<std::pair<int64_t, int32_t>> districts;
  // kRound: the round whose phase changed.
  int64_t round_id = 0;
};

// What applying `ballots` (ascending ids) changes.
TallyChange ChangeOf(const std::vector<StoredBallot>& ballots);

// "t <watermark> <round>:<district> ..." and "r <round>".
std::string EncodeChange(const TallyChange& change);
std::string EncodeRoundChange(int64_t round_id);
absl::StatusOr<TallyChange> ParseChange(absl::string_view message);

}  // namespace bkk::voting

#endif  // BKK_SERVICES_VOTING_CORE_TALLY_CHANGES_H_
