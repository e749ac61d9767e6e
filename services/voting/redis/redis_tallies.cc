// Exactly-once Redis tallies; see redis_tallies.h.
#include "services/voting/redis/redis_tallies.h"

#include <openssl/sha.h>

#include <map>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "services/voting/core/tally_changes.h"

namespace bkk::voting {
namespace {

// KEYS[1] = state hash. ARGV: mode ("create"|"apply"), epoch, expected wm,
// new wm, changes channel, change message, then ops: "z" key member incr |
// "h" key field incr | "s" key member.
constexpr char kApplyScript[] = R"lua(
local epoch = redis.call('HGET', KEYS[1], 'epoch')
if epoch == false then
  if ARGV[1] ~= 'create' then return 0 end
  redis.call('HSET', KEYS[1], 'epoch', ARGV[2], 'wm', '0')
elseif ARGV[1] == 'create' or epoch ~= ARGV[2] then
  return 0
end
if redis.call('HGET', KEYS[1], 'wm') ~= ARGV[3] then return 0 end
local i = 7
while i <= #ARGV do
  local op = ARGV[i]
  if op == 'z' then
    redis.call('ZINCRBY', ARGV[i+1], ARGV[i+3], ARGV[i+2]); i = i + 4
  elseif op == 'h' then
    redis.call('HINCRBY', ARGV[i+1], ARGV[i+2], ARGV[i+3]); i = i + 4
  else
    redis.call('SADD', ARGV[i+1], ARGV[i+2]); i = i + 3
  end
end
redis.call('HSET', KEYS[1], 'wm', ARGV[4])
redis.call('PUBLISH', ARGV[5], ARGV[6])
return 1
)lua";

std::string Sha1Hex(absl::string_view text) {
  unsigned char digest[SHA_DIGEST_LENGTH];
  SHA1(reinterpret_cast<const unsigned char*>(text.data()), text.size(), digest);
  return absl::BytesToHexString(absl::string_view(reinterpret_cast<char*>(digest), sizeof digest));
}

std::string ReplyString(const redisReply* r) {
  return r != nullptr && r->type == REDIS_REPLY_STRING ? std::string(r->str, r->len) : "";
}

}  // namespace

std::string RedisTallies::RoundKey(const std::string& epoch, int64_t round_id) const {
  return absl::StrCat(prefix_, ":", epoch, ":r", round_id);
}

absl::StatusOr<std::optional<TallyState>> RedisTallies::State() {
  return pool_->Query([&](RedisConnection& r) -> absl::StatusOr<std::optional<TallyState>> {
    ASSIGN_OR_RETURN(RedisReply reply, r.Command({"HMGET", StateKey(), "epoch", "wm"}));
    const redisReply* arr = reply.get();
    // No state (fresh or flushed) reads as nullopt.
    if (arr->type != REDIS_REPLY_ARRAY || arr->elements != 2 || arr->element[0]->type != REDIS_REPLY_STRING) {
      return std::optional<TallyState>();
    }
    TallyState st;
    st.epoch = ReplyString(arr->element[0]);
    if (!absl::SimpleAtoi(ReplyString(arr->element[1]), &st.watermark)) return std::optional<TallyState>();
    return std::optional<TallyState>(st);
  });
}

absl::StatusOr<bool> RedisTallies::Apply(const TallyState& expected, bool create,
                                         const std::vector<StoredBallot>& ballots) {
  if (ballots.empty()) return true;
  // Sum per key first: one ZINCRBY per proposal, however many ballots.
  std::map<std::pair<std::string, std::string>, int64_t> zincr, hincr;
  std::vector<std::pair<std::string, std::string>> sadd;
  for (const auto& b : ballots) {
    std::string round_key = RoundKey(expected.epoch, b.round_id);
    for (const auto& c : b.choices) {
      zincr[{absl::StrCat(round_key, ":d", b.district_id, ":support"), absl::StrCat(c.proposal_id)}] += c.points;
    }
    hincr[{round_key + ":turnout", absl::StrCat(b.district_id)}] += 1;
    sadd.push_back({round_key + ":voters", b.voter_hash});
  }
  // EVALSHA saves sending the script each time; NOSCRIPT (a restarted or
  // flushed Redis) falls back to EVAL, which also caches it again.
  static const std::string kSha = Sha1Hex(kApplyScript);
  std::vector<std::string> args = {"EVALSHA",
                                   kSha,
                                   "1",
                                   StateKey(),
                                   create ? "create" : "apply",
                                   expected.epoch,
                                   absl::StrCat(expected.watermark),
                                   absl::StrCat(ballots.back().ballot_id),
                                   ChangesChannel(),
                                   EncodeChange(ChangeOf(ballots))};
  for (const auto& [k, v] : zincr) {
    args.insert(args.end(), {"z", k.first, k.second, absl::StrCat(v)});
  }
  for (const auto& [k, v] : hincr) {
    args.insert(args.end(), {"h", k.first, k.second, absl::StrCat(v)});
  }
  for (const auto& [k, m] : sadd) args.insert(args.end(), {"s", k, m});
  return pool_->Query([&](RedisConnection& r) -> absl::StatusOr<bool> {
    auto reply = r.Command(args);
    if (!reply.ok() && absl::StrContains(reply.status().message(), "NOSCRIPT")) {
      std::vector<std::string> eval = args;
      eval[0] = "EVAL";
      eval[1] = kApplyScript;
      reply = r.Command(eval);
    }
    RETURN_IF_ERROR(reply.status());
    ASSIGN_OR_RETURN(int64_t applied, RedisInteger(reply->get()));
    return applied == 1;
  });
}

absl::StatusOr<DistrictCounts> RedisTallies::ReadDistrict(const std::string& epoch, int64_t round_id,
                                                          int32_t district_id) {
  const std::string round_key = RoundKey(epoch, round_id);
  return pool_->Query([&](RedisConnection& r) -> absl::StatusOr<DistrictCounts> {
    DistrictCounts out;
    ASSIGN_OR_RETURN(
        auto replies,
        r.Pipeline({{"MULTI"},
                    {"HMGET", StateKey(), "epoch", "wm"},
                    {"ZRANGE", absl::StrCat(round_key, ":d", district_id, ":support"), "0", "-1", "WITHSCORES"},
                    {"HGET", round_key + ":turnout", absl::StrCat(district_id)},
                    {"EXEC"}}));
    const redisReply* exec = replies[4].get();
    if (exec->type != REDIS_REPLY_ARRAY || exec->elements != 3) {
      return absl::InternalError("Redis answered MULTI/EXEC with something else than three replies");
    }
    const redisReply* state = exec->element[0];
    if (state->type != REDIS_REPLY_ARRAY || state->elements != 2 || ReplyString(state->element[0]) != epoch ||
        !absl::SimpleAtoi(ReplyString(state->element[1]), &out.watermark)) {
      return absl::FailedPreconditionError("the Redis tallies moved to another epoch; read PostgreSQL");
    }
    const redisReply* arr = exec->element[1];
    for (size_t i = 0; i + 1 < arr->elements; i += 2) {
      ProposalSupport ps;
      double score = 0;
      if (!absl::SimpleAtoi(ReplyString(arr->element[i]), &ps.proposal_id) ||
          !absl::SimpleAtod(ReplyString(arr->element[i + 1]), &score)) {
        return absl::InternalError("malformed tally in Redis");
      }
      ps.support = static_cast<int64_t>(score);  // integer counts stay exact below 2^53
      out.support.push_back(ps);
    }
    ASSIGN_OR_RETURN(out.voter_count, RedisInteger(exec->element[2]));
    return out;
  });
}

absl::StatusOr<std::vector<std::pair<int32_t, int64_t>>> RedisTallies::Turnout(const std::string& epoch,
                                                                               int64_t round_id) {
  return pool_->Query([&](RedisConnection& r) -> absl::StatusOr<std::vector<std::pair<int32_t, int64_t>>> {
    std::vector<std::pair<int32_t, int64_t>> out;
    ASSIGN_OR_RETURN(RedisReply reply, r.Command({"HGETALL", RoundKey(epoch, round_id) + ":turnout"}));
    const redisReply* arr = reply.get();
    for (size_t i = 0; i + 1 < arr->elements; i += 2) {
      int32_t d = 0;
      int64_t n = 0;
      if (absl::SimpleAtoi(ReplyString(arr->element[i]), &d) &&
          absl::SimpleAtoi(ReplyString(arr->element[i + 1]), &n)) {
        out.push_back({d, n});
      }
    }
    std::sort(out.begin(), out.end());
    return out;
  });
}

absl::StatusOr<int64_t> RedisTallies::DistinctVoters(const std::string& epoch, int64_t round_id) {
  return pool_->Query([&](RedisConnection& r) -> absl::StatusOr<int64_t> {
    ASSIGN_OR_RETURN(RedisReply reply, r.Command({"SCARD", RoundKey(epoch, round_id) + ":voters"}));
    return RedisInteger(reply.get());
  });
}

absl::Status RedisTallies::PublishRoundChange(int64_t round_id) {
  return pool_->Run([&](RedisConnection& r) {
    return r.Command({"PUBLISH", ChangesChannel(), EncodeRoundChange(round_id)}).status();
  });
}

}  // namespace bkk::voting
