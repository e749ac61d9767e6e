// The changes channel's listener; see tally_change_feed.h.
#include "services/voting/redis/tally_change_feed.h"

#include <algorithm>

#include "common/log.h"

namespace bkk::voting {

TallyChangeFeed::TallyChangeFeed(RedisEndpoint endpoint, std::string channel, Handlers handlers)
    : endpoint_(std::move(endpoint)), channel_(std::move(channel)), handlers_(std::move(handlers)) {}

TallyChangeFeed::~TallyChangeFeed() { Stop(); }

void TallyChangeFeed::Start() {
  thread_ = std::thread([this] { Run(); });
}

void TallyChangeFeed::Stop() {
  stopping_ = true;
  if (thread_.joinable()) thread_.join();
}

void TallyChangeFeed::Run() {
  // Polls wake every kPoll so Stop is prompt; reconnects back off to 2 s.
  constexpr std::chrono::milliseconds kPoll(100);
  RedisSubscription subscription(endpoint_, std::chrono::milliseconds(500));
  std::chrono::milliseconds backoff(100);
  bool warned = false;
  while (!stopping_.load()) {
    if (!connected_.load()) {
      if (auto s = subscription.Subscribe(channel_); !s.ok()) {
        if (!warned) LogWarning("tally_feed_unavailable", {{"error", std::string(s.message())}});
        warned = true;
        for (auto waited = std::chrono::milliseconds(0); waited < backoff && !stopping_.load(); waited += kPoll) {
          std::this_thread::sleep_for(kPoll);
        }
        backoff = std::min(backoff * 2, std::chrono::milliseconds(2000));
        continue;
      }
      connected_ = true;
      backoff = std::chrono::milliseconds(100);
      if (warned) LogInfo("tally_feed_recovered");
      warned = false;
      handlers_.on_resync();
    }
    auto message = subscription.Poll(kPoll);
    if (!message.ok()) {
      connected_ = false;
      continue;
    }
    if (!message->has_value()) continue;
    auto change = ParseChange(**message);
    if (!change.ok()) {
      LogWarning("tally_feed_bad_message", {{"error", std::string(change.status().message())}});
      continue;
    }
    handlers_.on_change(*change);
  }
}

}  // namespace bkk::voting
