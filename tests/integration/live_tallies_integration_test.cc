// Live tallies with the real binaries, PostgreSQL and Redis.
//  - voting's gRPC API: two replicas sharing the database and Redis,
//    watchers on one, ballots through the other. Every watcher ends on the
//    tally PostgreSQL holds, the watched replica's thread count does not
//    grow with its watchers, other districts' ballots cost a watcher
//    nothing, a closing round ends every stream cleanly, and SIGTERM ends
//    them with UNAVAILABLE (so clients reconnect elsewhere).
//  - through the real gateway: 2,000 SSE watchers of one district while a
//    voter votes; every watcher's last event equals PostgreSQL's tally;
//    voting's threads stay flat; kill -9 voting mid-test and the watchers
//    converge again once it is back.
#include <google/protobuf/util/json_util.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <csignal>
#include <thread>

#include "common/redis_client.h"
#include "services/voting/core/tally_changes.h"
#include "tests/integration/voting_harness.h"
#include "tests/support/sse_watchers.h"

namespace bkk::testing {
namespace {

using bkk::voting::ParseChange;

using std::chrono::milliseconds;
using std::chrono::seconds;

bool Equals(const vpb::WatchTalliesResponse& m, const StoredCounts& truth) {
  if (m.voter_count() != truth.voters) return false;
  for (const auto& p : m.proposals()) {
    auto it = truth.support.find(p.proposal_id());
    if (p.support() != (it == truth.support.end() ? 0 : it->second)) return false;
  }
  return true;
}

vpb::CastBallotResponse Cast(vpb::VotingService::Stub& stub, int64_t round_id, int32_t district,
                             const std::string& token, const std::vector<int64_t>& choices) {
  vpb::CastBallotRequest cast;
  cast.set_round_id(round_id);
  cast.set_district_id(district);
  cast.set_voter_token(token);
  for (int64_t id : choices) cast.add_choices()->set_proposal_id(id);
  vpb::CastBallotResponse out;
  auto s = stub.CastBallot(Ctx().get(), cast, &out);
  EXPECT_TRUE(s.ok()) << s.error_message();
  return out;
}

TEST(LiveTalliesTest, TwoReplicasWatchersConvergeThreadsStayAndTheCloseEndsStreams) {
  TestDatabase db("bkk_live_it");
  // Two replicas of one deployment: same database, same Redis keys.
  const std::map<std::string, std::string> shared = {{"BKK_REDIS_PREFIX", "bkk:live:" + std::to_string(FreePort())}};
  VotingServer writer_replica(db.url(), HarnessRedisUrl(), shared);
  // No periodic recheck on the watched replica: what it learns of the other
  // replica's ballots comes from change messages (its own applier's, when it
  // applies a chunk first, or the other's, by pub/sub).
  auto no_recheck = shared;
  no_recheck["BKK_TALLY_RECHECK_MS"] = "600000";
  VotingServer watched_replica(db.url(), HarnessRedisUrl(), no_recheck);
  // Listen to the changes channel as a third replica would.
  auto endpoint = RedisEndpoint::Parse(HarnessRedisUrl());
  ASSERT_TRUE(endpoint.ok());
  RedisSubscription changes(*endpoint, milliseconds(500));
  ASSERT_TRUE(changes.Subscribe(shared.at("BKK_REDIS_PREFIX") + ":changes").ok());
  ASSERT_TRUE(writer_replica.ready()) << writer_replica.process().Output();
  ASSERT_TRUE(watched_replica.ready()) << watched_replica.process().Output();
  auto a = writer_replica.Stub();
  auto b = watched_replica.Stub();
  auto round = CreateOpenRound(*a, {7, 8}, 5);

  std::this_thread::sleep_for(milliseconds(500));
  const int idle_threads = ThreadCount(watched_replica.process().pid());
  std::vector<std::unique_ptr<TallyWatch>> watchers;
  for (int i = 0; i < 300; ++i) watchers.push_back(std::make_unique<TallyWatch>(*b, round.round_id, 7));
  auto other_district = std::make_unique<TallyWatch>(*b, round.round_id, 8);
  for (auto& w : watchers) {
    ASSERT_TRUE(w->WaitFor([](const auto& m) { return m.voter_count() == 0 && m.proposals_size() == 5; }, seconds(10)))
        << w->status().error_message();
  }
  ASSERT_TRUE(other_district->WaitFor([](const auto&) { return true; }, seconds(10)));
  const int watching_threads = ThreadCount(watched_replica.process().pid());
  EXPECT_LE(watching_threads, idle_threads + 4)
      << "300 watchers must not cost threads (idle " << idle_threads << ", watching " << watching_threads << ")";

  int64_t last_ballot = 0;
  for (int v = 0; v < 40; ++v) {
    std::string token = RegisterCitizen(*a, round.round_id, 1000 + v);
    const auto& ids = round.proposals[7];
    auto r = Cast(*a, round.round_id, 7, token, {ids[v % 5], ids[(v + 1 + v % 3) % 5]});
    last_ballot = std::max(last_ballot, r.ballot_id());
  }
  const StoredCounts truth = CountInPostgres(db.url(), round.round_id, 7);
  ASSERT_EQ(truth.voters, 40);
  // The chunk holding the last ballot was announced on the channel, naming
  // district 7 of the round.
  bool announced = false;
  for (int i = 0; i < 50 && !announced; ++i) {
    auto m = changes.Poll(milliseconds(100));
    ASSERT_TRUE(m.ok()) << m.status();
    if (!m->has_value()) continue;
    auto change = ParseChange(**m);
    ASSERT_TRUE(change.ok()) << **m;
    announced = change->watermark >= last_ballot && change->districts.count({round.round_id, 7}) == 1;
  }
  EXPECT_TRUE(announced) << "no change message announced ballot " << last_ballot;

  const auto acked = std::chrono::steady_clock::now();
  for (auto& w : watchers) {
    ASSERT_TRUE(
        w->WaitFor([&](const auto& m) { return m.watermark() >= last_ballot; },
                   std::chrono::duration_cast<milliseconds>(acked + seconds(2) - std::chrono::steady_clock::now())))
        << "a watcher on the other replica did not see the last ballot within 2 s (by pub/sub)";
    EXPECT_TRUE(Equals(w->messages().back(), truth)) << w->messages().back().ShortDebugString();

    EXPECT_LE(w->messages().size(), 40u / 2) << "frames are coalesced, not one per ballot";
  }
  EXPECT_EQ(other_district->messages().size(), 1u) << "district 7's ballots cost district 8's watcher nothing";

  // Closing the round (on the other replica) ends every stream cleanly.
  vpb::AdvanceRoundPhaseRequest close;
  close.set_round_id(round.round_id);
  close.set_to_phase(vpb::PHASE_CLOSED);
  vpb::AdvanceRoundPhaseResponse closed;
  ASSERT_TRUE(a->AdvanceRoundPhase(Ctx(true).get(), close, &closed).ok());
  for (auto& w : watchers) {
    ASSERT_TRUE(w->WaitDone(seconds(10)));
    EXPECT_TRUE(w->status().ok()) << w->status().error_message();
    EXPECT_TRUE(w->messages().back().voting_closed());
    EXPECT_TRUE(Equals(w->messages().back(), truth));
  }
  ASSERT_TRUE(other_district->WaitDone(seconds(10)));
  EXPECT_TRUE(other_district->messages().back().voting_closed());
  // Watching a closed round: the final tally, then the end.
  TallyWatch late(*b, round.round_id, 7);
  ASSERT_TRUE(late.WaitDone(seconds(10)));
  EXPECT_TRUE(late.status().ok());
  ASSERT_EQ(late.messages().size(), 1u);
  EXPECT_TRUE(late.messages()[0].voting_closed());
  EXPECT_TRUE(Equals(late.messages()[0], truth));
}

TEST(LiveTalliesTest, BadRequestsAreRefusedWithTheMatchingStatus) {
  TestDatabase db("bkk_live_bad");
  VotingServer server(db.url(), HarnessRedisUrl());
  ASSERT_TRUE(server.ready()) << server.process().Output();
  auto stub = server.Stub();
  auto round = CreateOpenRound(*stub, {7}, 2);
  struct Case {
    int64_t round;
    int32_t district;
    int32_t limit;
    grpc::StatusCode code;
    std::string says;
  };
  for (const auto& c : std::vector<Case>{{round.round_id, 7, 101, grpc::StatusCode::INVALID_ARGUMENT, "limit"},
                                         {round.round_id, 7, -1, grpc::StatusCode::INVALID_ARGUMENT, "limit"},
                                         {round.round_id + 100, 7, 10, grpc::StatusCode::NOT_FOUND, "round"},
                                         {round.round_id, 9, 10, grpc::StatusCode::NOT_FOUND, "district"}}) {
    TallyWatch w(*stub, c.round, c.district, c.limit);
    ASSERT_TRUE(w.WaitDone(seconds(10)));
    EXPECT_EQ(w.status().error_code(), c.code) << w.status().error_message();
    EXPECT_NE(w.status().error_message().find(c.says), std::string::npos) << w.status().error_message();
    EXPECT_TRUE(w.messages().empty());
  }
}

TEST(LiveTalliesTest, SigtermEndsStreamsWithUnavailable) {
  TestDatabase db("bkk_live_term");
  VotingServer server(db.url(), HarnessRedisUrl());
  ASSERT_TRUE(server.ready()) << server.process().Output();
  auto stub = server.Stub();
  auto round = CreateOpenRound(*stub, {7}, 2);
  std::vector<std::unique_ptr<TallyWatch>> watchers;
  for (int i = 0; i < 20; ++i) watchers.push_back(std::make_unique<TallyWatch>(*stub, round.round_id, 7));
  for (auto& w : watchers) ASSERT_TRUE(w->WaitFor([](const auto&) { return true; }, seconds(10)));
  server.process().Signal(SIGTERM);
  for (auto& w : watchers) {
    ASSERT_TRUE(w->WaitDone(seconds(10)));
    EXPECT_EQ(w->status().error_code(), grpc::StatusCode::UNAVAILABLE) << w->status().error_message();
    EXPECT_NE(w->status().error_message().find("reconnect"), std::string::npos);
  }
  EXPECT_EQ(server.process().Wait(seconds(20)), 0) << server.process().Output();
}

bool Listening(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bool ok = connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
  close(fd);
  return ok;
}

// Every watcher's newest event, decoded, must equal PostgreSQL's tally.
int WatchersOff(const SseWatchers& watchers, const StoredCounts& truth, std::string* example) {
  int off = 0;
  for (const auto& w : watchers.Snapshot()) {
    vpb::WatchTalliesResponse m;
    if (!google::protobuf::util::JsonStringToMessage(w.last_data, &m).ok() || !Equals(m, truth)) {
      if (off++ == 0) *example = w.last_data;
    }
  }
  return off;
}

TEST(LiveTalliesThroughGatewayTest, TwoThousandWatchersConvergeAndSurviveAKill9OfVoting) {
  TestDatabase db("bkk_live_gw");
  VotingServer voting(db.url(), HarnessRedisUrl());
  ASSERT_TRUE(voting.ready()) << voting.process().Output();
  const int http_port = FreePort();
  ChildProcess gateway(BinaryPath("gateway/bkk-gateway"), {},
                       {{"BKK_HTTP_LISTEN", "127.0.0.1:" + std::to_string(http_port)},
                        {"BKK_VOTING_ADDR", voting.address()},
                        {"BKK_BUDGET_ADDR", "127.0.0.1:1"},
                        {"BKK_KEYWORDS_ADDR", "127.0.0.1:1"},
                        {"BKK_WEB_ROOT", "/nonexistent"},
                        {"BKK_RATE_LIMIT_RPS", "0"},
                        {"BKK_DRAIN_SECONDS", "1"}});
  for (int i = 0; i < 300 && !Listening(http_port); ++i) std::this_thread::sleep_for(milliseconds(50));
  ASSERT_TRUE(Listening(http_port)) << gateway.Output();
  auto stub = voting.Stub();
  auto round = CreateOpenRound(*stub, {7}, 10);
  std::this_thread::sleep_for(milliseconds(500));
  const int idle_threads = ThreadCount(voting.process().pid());

  SseWatchers::Options options;
  options.port = http_port;
  options.target = absl::StrCat("/v1/rounds/", round.round_id, "/districts/7/tallies:watch?limit=10");
  options.count = 2000;
  options.source_addresses = 8;
  SseWatchers watchers(options);
  watchers.Start();
  ASSERT_TRUE(watchers.WaitUntil([](const SseWatchers& w) { return w.AtLeast(0) == 2000; }, seconds(60)))
      << watchers.Streaming() << " streaming, " << watchers.AtLeast(0) << " with a first tally";
  const int watching_threads = ThreadCount(voting.process().pid());
  EXPECT_LE(watching_threads, idle_threads + 4)
      << "idle " << idle_threads << ", with 2,000 watchers " << watching_threads;

  // A voter votes; every watcher ends on PostgreSQL's tally.
  int64_t last_ballot = 0;
  int citizen = 5000;
  auto vote = [&](int n) {
    for (int v = 0; v < n; ++v, ++citizen) {
      const auto& ids = round.proposals[7];
      auto r = Cast(*stub, round.round_id, 7, RegisterCitizen(*stub, round.round_id, citizen),
                    {ids[citizen % 10], ids[(citizen + 1 + citizen % 7) % 10]});
      last_ballot = std::max(last_ballot, r.ballot_id());
    }
  };
  vote(50);
  ASSERT_TRUE(watchers.WaitUntil([&](const SseWatchers& w) { return w.AtLeast(last_ballot) == 2000; }, seconds(20)))
      << watchers.AtLeast(last_ballot) << " of 2,000 saw ballot " << last_ballot;
  std::string example;
  StoredCounts truth = CountInPostgres(db.url(), round.round_id, 7);
  EXPECT_EQ(truth.voters, 50);
  EXPECT_EQ(WatchersOff(watchers, truth, &example), 0) << example;
  EXPECT_LE(ThreadCount(voting.process().pid()), idle_threads + 4);

  // kill -9 voting: watchers keep their streams through the gateway (or
  // reconnect), and converge on the new tally once voting is back.
  voting.Kill9();
  std::this_thread::sleep_for(milliseconds(500));
  voting.Start();
  ASSERT_TRUE(voting.ready()) << voting.process().Output();
  stub = voting.Stub();
  vote(30);
  ASSERT_TRUE(watchers.WaitUntil([&](const SseWatchers& w) { return w.AtLeast(last_ballot) == 2000; }, seconds(30)))
      << watchers.AtLeast(last_ballot) << " of 2,000 saw ballot " << last_ballot << " after the restart";
  truth = CountInPostgres(db.url(), round.round_id, 7);
  EXPECT_EQ(truth.voters, 80);
  EXPECT_EQ(WatchersOff(watchers, truth, &example), 0) << example;
  int kept = 0;
  for (const auto& w : watchers.Snapshot()) kept += w.connects == 1 && w.failures == 0;
  EXPECT_EQ(kept, 2000) << "the gateway held every stream open while voting restarted";
  watchers.Stop();
}

}  // namespace
}  // namespace bkk::testing
