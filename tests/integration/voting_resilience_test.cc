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
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_split.h"
#include "tests/integration/voting_harness.h"

namespace bkk::testing {
namespace {

// What a ballot call sent, to compare with what PostgreSQL stored.
struct SentBallot {
  std::string idempotency_key;
  int32_t district_id = 0;
  std::vector<int64_t> proposal_ids;  // ascending
};

// A status after which the client cannot know whether its ballot was stored
// (the server died or the deadline passed mid-call): such a call may have
// committed, and retrying it with the same key must be safe.
bool OutcomeUnknown(grpc::StatusCode code) {
  return code == grpc::StatusCode::UNAVAILABLE || code == grpc::StatusCode::DEADLINE_EXCEEDED ||
         code == grpc::StatusCode::CANCELLED || code == grpc::StatusCode::UNKNOWN || code == grpc::StatusCode::INTERNAL;
}

// Voters cast ballots from `threads` threads until Stop(). Most are new
// voters (a fresh citizen ID), so every acknowledged ballot must be stored;
// every fourth call is the newest voter again with a new key, racing their
// first call: exactly one of the two may be stored, the other refused
// (ALREADY_EXISTS).
class BallotLoad final {
 public:
  BallotLoad(const VotingServer& server, const OpenRound& round, int threads, int64_t first_citizen)
      : server_(server), round_(round), first_citizen_(first_citizen), next_citizen_(first_citizen) {
    for (int t = 0; t < threads; ++t) threads_.emplace_back([this, t] { Run(t); });
  }
  ~BallotLoad() { Stop(); }
  // Returns once every call in flight has been answered.
  void Stop() {
    stop_ = true;
    for (auto& t : threads_) {
      if (t.joinable()) t.join();
    }
  }
  // Acknowledged ballots by receipt code.
  std::map<std::string, SentBallot> acked() {
    std::lock_guard<std::mutex> lock(mu_);
    return acked_;
  }
  int64_t acked_count() {
    std::lock_guard<std::mutex> lock(mu_);
    return static_cast<int64_t>(acked_.size());
  }
  // Calls whose outcome the client cannot know, by idempotency key.
  std::map<std::string, vpb::CastBallotRequest> unknown() {
    std::lock_guard<std::mutex> lock(mu_);
    return unknown_;
  }
  std::map<grpc::StatusCode, int> failures() {
    std::lock_guard<std::mutex> lock(mu_);
    return failures_;
  }
  // Marks a moment (a signal to the server): calls in flight across it are
  // counted by how they were answered, in answers_across_mark().
  void Mark() { ++generation_; }
  std::map<grpc::StatusCode, int> answers_across_mark() {
    std::lock_guard<std::mutex> lock(mu_);
    return answers_across_mark_;
  }
  int64_t refused_repeats() {
    std::lock_guard<std::mutex> lock(mu_);
    return refused_repeats_;
  }

 private:
  void Run(int t) {
    auto stub = server_.Stub();
    std::vector<int32_t> districts;
    for (const auto& [d, ids] : round_.proposals) districts.push_back(d);
    for (int64_t call = 0; !stop_.load(); ++call) {
      // Every fourth call repeats the newest voter of this load, in the same
      // district, most likely while that voter's first call is in flight: the
      // two race to the same group commit, where only the unique key decides.
      const bool repeat = call % 4 == 3 && next_citizen_.load() > first_citizen_;
      const int64_t n = repeat ? next_citizen_.load() - 1 : next_citizen_++;
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
      cast.add_choices()->set_proposal_id(ids[(n + call) % ids.size()]);
      cast.add_choices()->set_proposal_id(ids[(n / 7 + 1) % ids.size()]);
      if (cast.choices(0).proposal_id() == cast.choices(1).proposal_id()) cast.mutable_choices()->RemoveLast();
      cast.set_idempotency_key(absl::StrCat(repeat ? "again-" : "load-", n, "-", t, "-", call));
      vpb::CastBallotResponse receipt;
      const int64_t generation = generation_.load();
      s = stub->CastBallot(Ctx(false, 10).get(), cast, &receipt);
      std::lock_guard<std::mutex> lock(mu_);
      if (generation != generation_.load()) ++answers_across_mark_[s.error_code()];
      if (s.ok()) {
        SentBallot sent{cast.idempotency_key(), d, {}};
        for (const auto& c : cast.choices()) sent.proposal_ids.push_back(c.proposal_id());
        std::sort(sent.proposal_ids.begin(), sent.proposal_ids.end());
        acked_[receipt.receipt_code()] = std::move(sent);
      } else if (s.error_code() == grpc::StatusCode::ALREADY_EXISTS) {
        // The load's only double voters are its repeats (which may overtake
        // the voter's first call).
        ++refused_repeats_;
      } else {
        ++failures_[s.error_code()];
        if (OutcomeUnknown(s.error_code())) unknown_[cast.idempotency_key()] = cast;
      }
    }
  }
  void Record(grpc::StatusCode code) {
    std::lock_guard<std::mutex> lock(mu_);
    ++failures_[code];
  }

  const VotingServer& server_;
  const OpenRound round_;
  const int64_t first_citizen_;
  std::atomic<int64_t> next_citizen_;
  std::atomic<bool> stop_{false};
  std::vector<std::thread> threads_;
  std::mutex mu_;
  std::map<std::string, SentBallot> acked_;
  std::map<std::string, vpb::CastBallotRequest> unknown_;
  std::map<grpc::StatusCode, int> failures_;
  std::atomic<int64_t> generation_{0};
  std::map<grpc::StatusCode, int> answers_across_mark_;
  int64_t refused_repeats_ = 0;
};

// Waits until the load has `at_least` acknowledged ballots; a failure, with
// what the load saw, when that does not happen in time.
::testing::AssertionResult WaitForAcks(BallotLoad& load, int64_t at_least, int timeout_s = 30) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_s);
  while (load.acked_count() < at_least) {
    if (std::chrono::steady_clock::now() >= deadline) {
      std::string failures;
      for (const auto& [code, n] : load.failures()) absl::StrAppend(&failures, " code ", code, " x", n);
      return ::testing::AssertionFailure()
             << "only " << load.acked_count() << " of " << at_least << " ballots acknowledged after " << timeout_s
             << " s; failures:" << failures;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return ::testing::AssertionSuccess();
}

// PostgreSQL, read directly, holds every acknowledged ballot with the district
// and choices that were sent; any other ballot it holds came from a call whose
// outcome the client could not know (stored - acknowledged <= in flight); no
// voter has two ballots in a district.
void ExpectStoredAsAcknowledged(const std::string& pg_url, int64_t round_id, const std::vector<BallotLoad*>& loads) {
  std::map<std::string, SentBallot> acked;
  std::map<std::string, vpb::CastBallotRequest> unknown;
  int64_t refused_repeats = 0;
  for (BallotLoad* load : loads) {
    acked.merge(load->acked());
    unknown.merge(load->unknown());
    refused_repeats += load->refused_repeats();
  }
  pqxx::connection c(pg_url);
  pqxx::read_transaction tx(c);
  std::map<std::string, SentBallot> stored;
  for (const auto& r :
       tx.exec_params("SELECT receipt_code, idempotency_key, district_id, "
                      "(SELECT array_agg(x ORDER BY x) FROM unnest(proposal_ids) x)::text FROM voting.ballots "
                      "WHERE round_id = $1",
                      round_id)) {
    SentBallot b{r[1].as<std::string>(), r[2].as<int32_t>(), {}};
    std::string ids = r[3].as<std::string>();  // {1,2}
    for (absl::string_view id : absl::StrSplit(absl::string_view(ids).substr(1, ids.size() - 2), ',')) {
      b.proposal_ids.push_back(std::stoll(std::string(id)));
    }
    stored[r[0].as<std::string>()] = std::move(b);
  }
  int missing = 0, different = 0, phantom = 0;
  for (const auto& [receipt, sent] : acked) {
    auto it = stored.find(receipt);
    if (it == stored.end()) {
      ++missing;
    } else if (it->second.idempotency_key != sent.idempotency_key || it->second.district_id != sent.district_id ||
               it->second.proposal_ids != sent.proposal_ids) {
      ++different;
    }
  }
  int64_t unacknowledged = 0;
  for (const auto& [receipt, b] : stored) {
    if (acked.count(receipt)) continue;
    ++unacknowledged;
    if (!unknown.count(b.idempotency_key)) ++phantom;
  }
  EXPECT_EQ(missing, 0) << "acknowledged ballots missing from PostgreSQL";
  EXPECT_EQ(different, 0) << "stored ballots whose district or choices differ from what was sent";
  EXPECT_EQ(phantom, 0) << "stored ballots from calls that were refused or never made";
  EXPECT_LE(unacknowledged, static_cast<int64_t>(unknown.size()))
      << "stored - acknowledged exceeds the calls in flight when the server failed";
  auto dup = tx.exec_params1(
      "SELECT count(*) FROM (SELECT 1 FROM voting.ballots WHERE round_id = $1 "
      "GROUP BY district_id, voter_hash HAVING count(*) > 1) d",
      round_id);
  EXPECT_EQ(dup[0].as<int>(), 0) << "a voter has two ballots in one district";
  EXPECT_GT(refused_repeats, 0) << "no repeat voter was refused, so the check above could not fail";
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
    ASSERT_TRUE(WaitForAcks(load, 200 * (crash + 1)));
    server.Kill9();
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    server.Start();
    ASSERT_TRUE(server.ready()) << server.process().Output();
  }
  int64_t before = load.acked_count();
  ASSERT_TRUE(WaitForAcks(load, before + 200)) << "ballots are accepted again after the restarts";
  load.Stop();
  ExpectStoredAsAcknowledged(db.url(), round.round_id, {&load});
  ExpectRedisTalliesEqualPostgres(server, db.url(), round);
}

TEST(VotingResilienceTest, RedisFlushedOrStoppedDuringLoad) {
  TestDatabase db("bkk_voting_redis");
  LocalRedis redis;
  VotingServer server(db.url(), redis.url());
  ASSERT_TRUE(server.ready()) << server.process().Output();
  auto stub = server.Stub();
  OpenRound round = CreateOpenRound(*stub, {4, 5}, 4);
  BallotLoad flushed(server, round, 8, 2'000'000);
  ASSERT_TRUE(WaitForAcks(flushed, 150));
  redis.FlushAll();
  ASSERT_TRUE(WaitForAcks(flushed, flushed.acked_count() + 150));
  flushed.Stop();
  ExpectStoredAsAcknowledged(db.url(), round.round_id, {&flushed});
  // No restart: the service notices the flush and rebuilds.
  ExpectRedisTalliesEqualPostgres(server, db.url(), round);

  // With Redis down, PostgreSQL's unique key alone refuses repeat voters.
  redis.Stop();
  BallotLoad stopped(server, round, 8, 3'000'000);
  ASSERT_TRUE(WaitForAcks(stopped, 300)) << "ballots are accepted while Redis is down";
  stopped.Stop();
  ExpectStoredAsAcknowledged(db.url(), round.round_id, {&flushed, &stopped});
  EXPECT_GT(stopped.refused_repeats(), 0) << "repeat voters were tried while Redis was down";
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
  ASSERT_TRUE(WaitForAcks(load, 150));
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
  ASSERT_TRUE(WaitForAcks(load, during + 100, 60)) << "the service recovers on its own";
  load.Stop();
  ExpectStoredAsAcknowledged(pg.url(), round.round_id, {&load});
  ExpectRedisTalliesEqualPostgres(server, pg.url(), round);
}

// SIGTERM under load: every call in flight is answered, with OK or a status a
// client retries on (UNAVAILABLE), never a refusal or an error; retrying
// every unanswered ballot with its key against the restarted service stores
// each exactly once, so none is lost and none counted twice.
TEST(VotingResilienceTest, SigtermAnswersEveryInFlightBallotAndLosesNone) {
  TestDatabase db("bkk_voting_term");
  LocalRedis redis;
  VotingServer server(db.url(), redis.url());
  ASSERT_TRUE(server.ready()) << server.process().Output();
  auto stub = server.Stub();
  OpenRound round = CreateOpenRound(*stub, {12}, 4);
  BallotLoad load(server, round, 32, 5'000'000);
  ASSERT_TRUE(WaitForAcks(load, 300));
  ASSERT_TRUE(load.failures().empty()) << "calls failed before the signal";
  load.Mark();
  server.process().Signal(SIGTERM);
  EXPECT_EQ(server.process().Wait(std::chrono::seconds(30)), 0) << server.process().Output();
  load.Stop();
  const auto in_flight = load.answers_across_mark();
  for (const auto& [code, n] : in_flight) {
    // A repeat voter's refusal is an answer too.
    EXPECT_TRUE(code == grpc::StatusCode::OK || code == grpc::StatusCode::UNAVAILABLE ||
                code == grpc::StatusCode::ALREADY_EXISTS)
        << n << " ballots in flight at SIGTERM answered with code " << code;
  }
  EXPECT_GT(in_flight.count(grpc::StatusCode::OK) ? in_flight.at(grpc::StatusCode::OK) : 0, 0)
      << "no ballot was in flight at SIGTERM, so the drain was not tested";
  ExpectStoredAsAcknowledged(db.url(), round.round_id, {&load});

  server.Start();
  ASSERT_TRUE(server.ready()) << server.process().Output();
  auto retry_stub = server.Stub();
  const auto acked_before = load.acked();
  std::set<std::string> retried_receipts;
  for (const auto& [key, request] : load.unknown()) {
    vpb::CastBallotResponse receipt;
    auto s = retry_stub->CastBallot(Ctx().get(), request, &receipt);
    // Refused when another call of the same voter (a repeat, or retried
    // before this one) holds the slot: the voter counts once either way.
    EXPECT_TRUE(s.ok() || s.error_code() == grpc::StatusCode::ALREADY_EXISTS)
        << "retry of " << key << ": " << s.error_message();
    if (s.ok()) retried_receipts.insert(receipt.receipt_code());
  }
  pqxx::connection c(db.url());
  pqxx::read_transaction tx(c);
  const auto stored = tx.exec_params1("SELECT count(*) FROM voting.ballots WHERE round_id = $1", round.round_id);
  EXPECT_EQ(stored[0].as<int64_t>(), static_cast<int64_t>(acked_before.size() + retried_receipts.size()))
      << "after the retries PostgreSQL holds exactly the acknowledged ballots and the retried ones";
}

}  // namespace
}  // namespace bkk::testing
