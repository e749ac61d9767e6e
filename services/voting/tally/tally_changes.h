// How replicas tell each other that live tallies moved: the tally apply
// script publishes one message per applied chunk on the changes channel
// (naming the districts that got ballots and the new watermark), and a phase
// change publishes the round. Every voting replica listens with a
// TallyChangeFeed and passes the news to its broadcaster, so a change is
// computed once per district per replica, never once per watcher.
//
// Pub/sub is at most once: after a reconnect the feed says "resync", and
// the broadcaster checks every district it serves.
#ifndef BKK_SERVICES_VOTING_TALLY_TALLY_CHANGES_H_
#define BKK_SERVICES_VOTING_TALLY_TALLY_CHANGES_H_

#include <atomic>
#include <functional>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/redis_client.h"
#include "services/voting/store/records.h"

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

// Listens on the changes channel on a thread of its own, reconnecting with
// backoff while Redis is away.
class TallyChangeFeed final {
 public:
  struct Handlers {
    std::function<void(const TallyChange&)> on_change;
    // Messages may have been missed (first connect, or a reconnect).
    std::function<void()> on_resync;
  };
  TallyChangeFeed(RedisEndpoint endpoint, std::string channel, Handlers handlers);
  ~TallyChangeFeed();
  TallyChangeFeed(const TallyChangeFeed&) = delete;
  TallyChangeFeed& operator=(const TallyChangeFeed&) = delete;

  void Start();
  void Stop();
  bool connected() const { return connected_.load(); }

 private:
  void Run();

  const RedisEndpoint endpoint_;
  const std::string channel_;
  const Handlers handlers_;
  std::atomic<bool> stopping_{false};
  std::atomic<bool> connected_{false};
  std::thread thread_;
};

}  // namespace bkk::voting

#endif  // BKK_SERVICES_VOTING_TALLY_TALLY_CHANGES_H_
