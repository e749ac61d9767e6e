// Change messages and the feed that listens for them; see tally_changes.h.
#include "services/voting/tally/tally_changes.h"

#include <algorithm>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/log.h"

namespace bkk::voting {

TallyChange ChangeOf(const std::vector<StoredBallot>& ballots) {
  TallyChange change;
  if (!ballots.empty()) change.watermark = ballots.back().ballot_id;
  for (const auto& b : ballots) change.districts.insert({b.round_id, b.district_id});
  return change;
}

std::string EncodeChange(const TallyChange& change) {
  if (change.kind == TallyChange::Kind::kRound) return EncodeRoundChange(change.round_id);
  std::string out = absl::StrCat("t ", change.watermark);
  for (const auto& [round, district] : change.districts) absl::StrAppend(&out, " ", round, ":", district);
  return out;
}

std::string EncodeRoundChange(int64_t round_id) { return absl::StrCat("r ", round_id); }

absl::StatusOr<TallyChange> ParseChange(absl::string_view message) {
  std::vector<absl::string_view> parts = absl::StrSplit(message, ' ', absl::SkipEmpty());
  TallyChange change;
  auto bad = [&] { return absl::InvalidArgumentError(absl::StrCat("malformed tally change \"", message, "\"")); };
  if (parts.size() == 2 && parts[0] == "r") {
    change.kind = TallyChange::Kind::kRound;
    if (!absl::SimpleAtoi(parts[1], &change.round_id)) return bad();
    return change;
  }
  if (parts.size() < 2 || parts[0] != "t" || !absl::SimpleAtoi(parts[1], &change.watermark)) return bad();
  for (size_t i = 2; i < parts.size(); ++i) {
    std::pair<absl::string_view, absl::string_view> rd = absl::StrSplit(parts[i], absl::MaxSplits(':', 1));
    int64_t round = 0;
    int32_t district = 0;
    if (!absl::SimpleAtoi(rd.first, &round) || !absl::SimpleAtoi(rd.second, &district)) return bad();
    change.districts.insert({round, district});
  }
  return change;
}

TallyChangeFeed::TallyChangeFeed(RedisEndpoint endpoint, std::string channel, Handlers handlers)
    : endpoint_(std::move(endpoint)), channel_(std::move(channel)), handlers_(std::move(handlers)) {}

TallyChangeFeed::~TallyChangeFeed() { Stop(); }

void TallyChangeFeed::Start() { thread_ = std::thread([this] { Run(); }); }

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
