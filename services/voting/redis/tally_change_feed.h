// Listens on the Redis changes channel (see core/tally_changes.h) on a
// thread of its own, reconnecting with backoff while Redis is away. Pub/sub
// delivers at most once: after every (re)connect the feed says "resync", and
// the broadcaster checks every district it serves.
#ifndef BKK_SERVICES_VOTING_REDIS_TALLY_CHANGE_FEED_H_
#define BKK_SERVICES_VOTING_REDIS_TALLY_CHANGE_FEED_H_

#include <atomic>
#include <functional>
#include <string>
#include <thread>

#include "common/redis_client.h"
#include "services/voting/core/tally_changes.h"

namespace bkk::voting {

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

#endif  // BKK_SERVICES_VOTING_REDIS_TALLY_CHANGE_FEED_H_
