// The promises voting makes under failure, against the real binary:
// kill -9 twice during load, Redis flushed or stopped, PostgreSQL stopped,
// and SIGTERM during load. Every ballot a client saw acknowledged must be in
// PostgreSQL exactly once, and the Redis tallies must come back equal to it.
#include <gtest/gtest.h>

#include <atomic>
#include <csignal>
#include <mutex>
#include <pqxx/pqxx>
#include <set>
#include <thread>

#include "tests/integration/voting_harness.h"

namespace bkk::testing {
namespace {

// Voters cast ballots from `threads` threads until Stop(); each voter is new
// (a fresh citizen ID), so every acknowledged ballot must be stored.
class BallotLoad final {
 public:
  BallotLoad(const VotingServer& server, const OpenRound& round, int threads, int64_t first_citizen)
      : server_(server), round_(round), next_citizen_(first_citizen) {
    for (int t = 0; t < threads; ++t) threads_.emplace_back([this, t] { Run(t); });
  }
  ~BallotLoad() { Stop(); }
  void Stop() {
    stop_ = true;
    for (auto& t : threads_) {
      if (t.joinable()) t.join();
    }
  }
  std::set<std::string> acked() {
    std::lock_guard<std::mutex> lock(mu_);
    return acked_;
  }
  int64_t acked_count() {
    std::lock_guard<std::mutex> lock(mu_);
    return static_cast<int64_t>(acked_.size());
  }
  std::map<grpc::StatusCode, int> failures() {
    std::lock_guard<std::mutex> lock(mu_);
    return failures_;
  }

 private:
  void Run(int t) {
    auto stub = server_.Stub();
    std::vector<int32_t> districts;
    for (const auto& [d, ids] : round_.proposals) districts.push_back(d);
    while (!stop_.load()) {
      int64_t n = next_citizen_++;
      vpb::RegisterVoterRequest reg;
      reg.set_round_id(round_.round_id);
      reg.set_citizen_id(CitizenId(n));
      vpb::RegisterVoterResponse token;
      auto s = stub->RegisterVoter(Ctx(false, 5).get(), reg, &token);
      if (!s.ok()) {
        Record(s.error_code());
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        continue;
      }
      int32_t d = districts[n % districts.size()];
      const auto& ids = round_.proposals.at(d);
      vpb::CastBallotRequest cast;
      cast.set_round_id(round_.round_id);
      cast.set_district_id(d);
      cast.set_voter_token(token.voter_token());
      cast.add_choices()->set_proposal_id(ids[n % ids.size()]);
      cast.add_choices()->set_proposal_id(ids[(n / 7 + 1) % ids.size()]);
      if (cast.choices(0).proposal_id() == cast.choices(1).proposal_id()) cast.mutable_choices()->RemoveLast();
      cast.set_idempotency_key("load-" + std::to_string(n));
      vpb::CastBallotResponse receipt;
      s = stub->CastBallot(Ctx(false, 10).get(), cast, &receipt);
      if (s.ok()) {
        std::lock_guard<std::mutex> lock(mu_);
        acked_.insert(receipt.receipt_code());
      } else {
        Record(s.error_code());
      }
    }
  }
  void Record(grpc::StatusCode code) {
    std::lock_guard<std::mutex> lock(mu_);
    ++failures_[code];
  }

  const VotingServer& server_;
  const OpenRound round_;
  std::atomic<int64_t> next_citizen_;
  std::atomic<bool> stop_{false};
  std::vector<std::thread> threads_;
  std::mutex mu_;
  std::set<std::string> acked_;
  std::map<grpc::StatusCode, int> failures_;
};

void WaitForAcks(BallotLoad& load, int64_t at_least, int timeout_s = 30) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_s);
  while (load.acked_count() < at_least && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

// Every acknowledged receipt is stored, and no voter has two ballots in a
// district.
void ExpectAllAckedStored(const std::string& pg_url, int64_t round_id, const std::set<std::string>& acked) {
  pqxx::connection c(pg_url);
  pqxx::read_transaction tx(c);
  std::set<std::string> stored;
  for (const auto& r : tx.exec_params("SELECT receipt_code FROM voting.ballots WHERE round_id = $1", round_id)) {
    stored.insert(r[0].as<std::string>());
  }
  int missing = 0;
  for (const auto& code : acked) missing += stored.count(code) == 0;
  EXPECT_EQ(missing, 0) << "acknowledged ballots missing from PostgreSQL";
  EXPECT_GE(stored.size(), acked.size());
  auto dup = tx.exec_params1(
      "SELECT count(*) FROM (SELECT 1 FROM voting.ballots WHERE round_id = $1 "
      "GROUP BY district_id, voter_hash HAVING count(*) > 1) d",
      round_id);
  EXPECT_EQ(dup[0].as<int>(), 0) << "a voter has two ballots in one district";
}

// PostgreSQL's support per proposal and voters, for one district.
std::pair<std::map<int64_t, int64_t>, int64_t> PgCounts(const std::string& pg_url, int64_t round_id, int32_t d) {
  pqxx::connection c(pg_url);
  pqxx::read_transaction tx(c);
  std::map<int64_t, int64_t> support;
  for (const auto& r : tx.exec_params("SELECT p, sum(pt) FROM voting.ballots, unnest(proposal_ids, points) AS c(p, pt) "
                                      "WHERE round_id = $1 AND district_id = $2 GROUP BY p",
                                      round_id, d)) {
    support[r[0].as<int64_t>()] = r[1].as<int64_t>();
  }
  int64_t voters =
      tx.exec_params1("SELECT count(*) FROM voting.ballots WHERE round_id = $1 AND district_id = $2", round_id, d)[0]
          .as<int64_t>();
  return {support, voters};
}

// Waits until the service reads its tallies from Redis and they equal
// PostgreSQL's counts in every district of the round.
void ExpectRedisTalliesEqualPostgres(const VotingServer& server, const std::string& pg_url, const OpenRound& round) {
  auto stub = server.Stub();
  bool equal = false;
  std::string last;
  for (int attempt = 0; attempt < 200 && !equal; ++attempt) {
    equal = true;
    for (const auto& [d, ids] : round.proposals) {
      vpb::GetTopProposalsRequest req;
      req.set_round_id(round.round_id);
      req.set_district_id(d);
      req.set_limit(100);
      vpb::GetTopProposalsResponse resp;
      auto s = stub->GetTopProposals(Ctx().get(), req, &resp);
      auto [support, voters] = PgCounts(pg_url, round.round_id, d);
      std::map<int64_t, int64_t> served;
      for (const auto& p : resp.proposals()) {
        if (p.support() > 0) served[p.proposal_id()] = p.support();
      }
      if (!s.ok() || resp.served_from() != "redis" || served != support || resp.voter_count() != voters) {
        equal = false;
        last = "district " + std::to_string(d) + " served_from=" + resp.served_from() + " voters " +
               std::to_string(resp.voter_count()) + " vs " + std::to_string(voters);
        break;
      }
    }
    if (!equal) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_TRUE(equal) << "Redis tallies never matched PostgreSQL: " << last;
}

TEST(VotingResilienceTest, KillNineTwiceDuringLoadLosesNothingAndTalliesRecover) {
  TestDatabase db("bkk_voting_crash");
  LocalRedis redis;
  VotingServer server(db.url(), redis.url());
  ASSERT_TRUE(server.ready()) << server.process().Output();
  auto stub = server.Stub();
  OpenRound round = CreateOpenRound(*stub, {1, 2, 3}, 5);
  BallotLoad load(server, round, 16, 1'000'000);
  for (int crash = 0; crash < 2; ++crash) {
    WaitForAcks(load, 200 * (crash + 1));
    server.Kill9();
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    server.Start();
    ASSERT_TRUE(server.ready()) << server.process().Output();
  }
  int64_t before = load.acked_count();
  WaitForAcks(load, before + 200);
  load.Stop();
  EXPECT_GT(load.acked_count(), before) << "ballots are accepted again after the restarts";
  ExpectAllAckedStored(db.url(), round.round_id, load.acked());
  ExpectRedisTalliesEqualPostgres(server, db.url(), round);
}

TEST(VotingResilienceTest, RedisFlushedOrStoppedDuringLoad) {
  TestDatabase db("bkk_voting_redis");
  LocalRedis redis;
  VotingServer server(db.url(), redis.url());
  ASSERT_TRUE(server.ready()) << server.process().Output();
  auto stub = server.Stub();
  OpenRound round = CreateOpenRound(*stub, {4, 5}, 4);
  {
    BallotLoad load(server, round, 8, 2'000'000);
    WaitForAcks(load, 150);
    redis.FlushAll();
    WaitForAcks(load, load.acked_count() + 150);
    load.Stop();
    ExpectAllAckedStored(db.url(), round.round_id, load.acked());
  }
  // No restart: the service notices the flush and rebuilds.
  ExpectRedisTalliesEqualPostgres(server, db.url(), round);

  redis.Stop();
  {
    BallotLoad load(server, round, 8, 3'000'000);
    WaitForAcks(load, 100);
    load.Stop();
    EXPECT_GE(load.acked_count(), 100) << "ballots are accepted while Redis is down";
    ExpectAllAckedStored(db.url(), round.round_id, load.acked());
  }
  vpb::GetTopProposalsRequest req;
  req.set_round_id(round.round_id);
  req.set_district_id(4);
  vpb::GetTopProposalsResponse resp;
  std::this_thread::sleep_for(std::chrono::milliseconds(1200));  // past the fallback cache
  ASSERT_TRUE(stub->GetTopProposals(Ctx().get(), req, &resp).ok());
  EXPECT_EQ(resp.served_from(), "postgresql");
  EXPECT_EQ(resp.voter_count(), PgCounts(db.url(), round.round_id, 4).second);

  redis.Start();
  ExpectRedisTalliesEqualPostgres(server, db.url(), round);
}

TEST(VotingResilienceTest, PostgresStoppedDuringLoadNeverFalselyAcknowledges) {
  LocalPostgres pg;
  LocalRedis redis;
  VotingServer server(pg.url(), redis.url());
  ASSERT_TRUE(server.ready()) << server.process().Output();
  auto stub = server.Stub();
  OpenRound round = CreateOpenRound(*stub, {6}, 4);
  BallotLoad load(server, round, 8, 4'000'000);
  WaitForAcks(load, 150);
  pg.Stop();
  std::this_thread::sleep_for(std::chrono::seconds(2));
  int64_t during = load.acked_count();
  std::this_thread::sleep_for(std::chrono::seconds(1));
  EXPECT_EQ(load.acked_count(), during) << "no ballot can be acknowledged while PostgreSQL is down";
  for (const auto& [code, n] : load.failures()) {
    EXPECT_TRUE(code == grpc::StatusCode::UNAVAILABLE || code == grpc::StatusCode::DEADLINE_EXCEEDED)
        << n << " calls failed with code " << code;
  }
  EXPECT_GT(load.failures()[grpc::StatusCode::UNAVAILABLE], 0);
  pg.Start();
  WaitForAcks(load, during + 100, 60);
  load.Stop();
  EXPECT_GE(load.acked_count(), during + 100) << "the service recovers on its own";
  ExpectAllAckedStored(pg.url(), round.round_id, load.acked());
  ExpectRedisTalliesEqualPostgres(server, pg.url(), round);
}

TEST(VotingResilienceTest, SigtermDrainsInFlightBallots) {
  TestDatabase db("bkk_voting_term");
  LocalRedis redis;
  VotingServer server(db.url(), redis.url());
  ASSERT_TRUE(server.ready()) << server.process().Output();
  auto stub = server.Stub();
  OpenRound round = CreateOpenRound(*stub, {12}, 4);
  BallotLoad load(server, round, 32, 5'000'000);
  WaitForAcks(load, 300);
  server.process().Signal(SIGTERM);
  EXPECT_EQ(server.process().Wait(std::chrono::seconds(30)), 0) << server.process().Output();
  load.Stop();
  ExpectAllAckedStored(db.url(), round.round_id, load.acked());
}

}  // namespace
}  // namespace bkk::testing
