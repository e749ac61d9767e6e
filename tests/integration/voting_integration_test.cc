// voting end to end through its gRPC API: the real binary, PostgreSQL and
// Redis. Outcomes on real pabulib elections, the whole citizen flow, bad
// input, and 1,000 racing ballots from one voter.
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <pqxx/pqxx>
#include <set>
#include <sstream>
#include <thread>

#include "absl/strings/str_join.h"
#include "services/voting/core/pabulib.h"
#include "services/voting/core/tally_proof.h"
#include "tests/integration/voting_harness.h"

namespace bkk::testing {
namespace {

std::string ReadData(const std::string& relative) {
  std::ifstream in(std::string(BKK_DATA_DIR) + "/" + relative, std::ios::binary);
  std::stringstream buf;
  buf << in.rdbuf();
  return buf.str();
}

class VotingIntegrationTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    db_ = new TestDatabase("bkk_voting_it");
    server_ =
        new VotingServer(db_->url(), HarnessRedisUrl(),
                         {{"BKK_ORDINANCE_CSV", std::string(BKK_DATA_DIR) + "/budget/bma-ordinance-2566-items.csv"}});
    ASSERT_TRUE(server_->ready()) << server_->process().Output();
  }
  static void TearDownTestSuite() {
    delete server_;
    delete db_;
  }
  void SetUp() override { stub_ = server_->Stub(); }

  vpb::ImportPabulibResponse Import(const std::string& file) {
    vpb::ImportPabulibRequest req;
    req.set_filename(file);
    req.set_content(ReadData("pabulib/" + file));
    vpb::ImportPabulibResponse resp;
    auto s = stub_->ImportPabulib(Ctx(true, 120).get(), req, &resp);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return resp;
  }
  // Funded projects of an imported round, by their pabulib ids.
  std::set<std::string> Funded(int64_t round_id, vpb::OutcomeRule rule, vpb::ComputeOutcomeResponse* out = nullptr) {
    vpb::ListProposalsRequest list;
    list.set_round_id(round_id);
    list.set_district_id(1);
    vpb::ListProposalsResponse proposals;
    EXPECT_TRUE(stub_->ListProposals(Ctx().get(), list, &proposals).ok());
    std::map<int64_t, std::string> external;
    for (const auto& p : proposals.proposals()) external[p.proposal_id()] = p.external_id();
    vpb::ComputeOutcomeRequest req;
    req.set_round_id(round_id);
    req.set_district_id(1);
    req.set_rule(rule);
    vpb::ComputeOutcomeResponse resp;
    // Imported rounds are closed, not published: operators review them.
    auto s = stub_->ComputeOutcome(Ctx(true, 120).get(), req, &resp);
    EXPECT_TRUE(s.ok()) << s.error_message();
    std::set<std::string> funded;
    for (const auto& p : resp.projects()) {
      EXPECT_FALSE(p.explanation().empty());
      if (p.funded()) funded.insert(external[p.proposal_id()]);
    }
    if (out != nullptr) *out = resp;
    return funded;
  }

  static TestDatabase* db_;
  static VotingServer* server_;
  std::unique_ptr<vpb::VotingService::Stub> stub_;
};

TestDatabase* VotingIntegrationTest::db_ = nullptr;
VotingServer* VotingIntegrationTest::server_ = nullptr;

TEST_F(VotingIntegrationTest, AssenEqualSharesFundsWhatTheCityFunded) {
  auto imported = Import("Netherlands_Assen_2024.pb");
  EXPECT_EQ(imported.round().phase(), vpb::PHASE_CLOSED);
  EXPECT_EQ(Funded(imported.round().round_id(), vpb::OUTCOME_RULE_EQUAL_SHARES),
            (std::set<std::string>{"2", "3", "5", "6", "9", "11", "12", "13", "14"}));
  EXPECT_EQ(Funded(imported.round().round_id(), vpb::OUTCOME_RULE_GREEDY),
            (std::set<std::string>{"2", "3", "8", "9", "11", "13", "14"}));
}

TEST_F(VotingIntegrationTest, WarszawaGreedyFundsAllFour) {
  auto imported = Import("Poland_Warszawa_2017_Plac_Wojska_Polskiego.pb");
  EXPECT_EQ(imported.proposal_count(), 4);
  EXPECT_EQ(Funded(imported.round().round_id(), vpb::OUTCOME_RULE_GREEDY).size(), 4u);
}

TEST_F(VotingIntegrationTest, GdanskPointTotals) {
  auto imported = Import("Poland_Gdansk_2020_Rudniki.pb");
  vpb::ComputeOutcomeResponse outcome;
  Funded(imported.round().round_id(), vpb::OUTCOME_RULE_GREEDY, &outcome);
  std::multiset<int64_t> totals;
  for (const auto& p : outcome.projects()) totals.insert(p.support());
  EXPECT_EQ(totals, (std::multiset<int64_t>{498, 86}));
  // The live tallies (Redis, rebuilt from PostgreSQL) agree.
  vpb::GetTopProposalsRequest top;
  top.set_round_id(imported.round().round_id());
  top.set_district_id(1);
  vpb::GetTopProposalsResponse resp;
  std::multiset<int64_t> live;
  for (int i = 0; i < 100 && live != totals; ++i) {
    ASSERT_TRUE(stub_->GetTopProposals(Ctx().get(), top, &resp).ok());
    live.clear();
    for (const auto& p : resp.proposals()) live.insert(p.support());
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_EQ(live, totals);
}

TEST_F(VotingIntegrationTest, ExportThenImportRoundTripsEveryFile) {
  for (const char* file :
       {"Netherlands_Assen_2024.pb", "Poland_Warszawa_2017_Plac_Wojska_Polskiego.pb", "Poland_Gdansk_2020_Rudniki.pb",
        "US_Stanford_Dataset_2022_Jersey_City_Ward_B_vote_knapsacks.pb"}) {
    SCOPED_TRACE(file);
    auto original = bkk::voting::ParsePabulib(ReadData(std::string("pabulib/") + file));
    ASSERT_TRUE(original.ok()) << original.status();
    auto imported = Import(file);
    vpb::ExportPabulibRequest req;
    req.set_round_id(imported.round().round_id());
    req.set_district_id(1);
    vpb::ExportPabulibResponse exported;
    ASSERT_TRUE(stub_->ExportPabulib(Ctx(true, 120).get(), req, &exported).ok());
    auto again = bkk::voting::ParsePabulib(exported.content());
    ASSERT_TRUE(again.ok()) << again.status();
    EXPECT_EQ(*again->Budget(), *original->Budget());
    std::map<std::string, int64_t> costs_a, costs_b;
    for (const auto& p : original->projects) costs_a[p.id] = p.cost;
    for (const auto& p : again->projects) costs_b[p.id] = p.cost;
    EXPECT_EQ(costs_a, costs_b);
    auto votes = [](const bkk::voting::PbFile& f) {
      std::map<std::string, std::map<std::string, int64_t>> out;
      for (const auto& v : f.votes) {
        for (size_t i = 0; i < v.projects.size(); ++i) {
          out[v.voter_id][v.projects[i]] = v.points.empty() ? 1 : v.points[i];
        }
      }
      return out;
    };
    EXPECT_EQ(votes(*original), votes(*again));
    // And the exported file imports again as an equal election.
    vpb::ImportPabulibRequest reimport;
    reimport.set_filename(exported.filename());
    reimport.set_content(exported.content());
    vpb::ImportPabulibResponse reimported;
    ASSERT_TRUE(stub_->ImportPabulib(Ctx(true, 120).get(), reimport, &reimported).ok());
    EXPECT_EQ(reimported.ballot_count(), imported.ballot_count());
    EXPECT_EQ(reimported.proposal_count(), imported.proposal_count());
  }
}

TEST_F(VotingIntegrationTest, CitizenFlowFromProposalToReceipt) {
  auto round = CreateOpenRound(*stub_, {7, 8}, 12);
  std::string token = RegisterCitizen(*stub_, round.round_id, 1);
  vpb::CastBallotRequest cast;
  cast.set_round_id(round.round_id);
  cast.set_district_id(7);
  cast.set_voter_token(token);
  cast.add_choices()->set_proposal_id(round.proposals[7][3]);
  cast.add_choices()->set_proposal_id(round.proposals[7][5]);
  cast.set_idempotency_key("flow-1");
  vpb::CastBallotResponse receipt;
  auto s = stub_->CastBallot(Ctx().get(), cast, &receipt);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(receipt.receipt_code().size(), 16u);
  // A retry with the same key answers with the same receipt.
  vpb::CastBallotResponse retry;
  ASSERT_TRUE(stub_->CastBallot(Ctx().get(), cast, &retry).ok());
  EXPECT_EQ(retry.receipt_code(), receipt.receipt_code());
  EXPECT_TRUE(retry.replayed());
  // Another ballot from the same voter in the same district is refused.
  cast.set_idempotency_key("flow-2");
  vpb::CastBallotResponse second;
  EXPECT_EQ(stub_->CastBallot(Ctx().get(), cast, &second).error_code(), grpc::StatusCode::ALREADY_EXISTS);
  // A city round: the voter chose district 7, so district 8 refuses them.
  cast.set_district_id(8);
  cast.clear_choices();
  cast.add_choices()->set_proposal_id(round.proposals[8][0]);
  auto elsewhere = stub_->CastBallot(Ctx().get(), cast, &second);
  EXPECT_EQ(elsewhere.error_code(), grpc::StatusCode::ALREADY_EXISTS);
  EXPECT_NE(elsewhere.error_message().find("in district 7"), std::string::npos) << elsewhere.error_message();
  // Another voter chooses district 8.
  cast.set_voter_token(RegisterCitizen(*stub_, round.round_id, 2));
  ASSERT_TRUE(stub_->CastBallot(Ctx().get(), cast, &second).ok());

  vpb::CheckReceiptRequest check;
  check.set_receipt_code(receipt.receipt_code());
  vpb::CheckReceiptResponse checked;
  ASSERT_TRUE(stub_->CheckReceipt(Ctx().get(), check, &checked).ok());
  EXPECT_TRUE(checked.counted());
  EXPECT_EQ(checked.district_id(), 7);
  EXPECT_FALSE(checked.cast_at().empty());
  EXPECT_EQ(checked.choices_size(), 0) << "a receipt must not reveal the ballot";
  check.set_receipt_code("NOSUCHRECEIPT000");
  ASSERT_TRUE(stub_->CheckReceipt(Ctx().get(), check, &checked).ok());
  EXPECT_FALSE(checked.counted());

  // Top 10 of 12 proposals, the two voted ones first, and one voter.
  vpb::GetTopProposalsRequest top;
  top.set_round_id(round.round_id);
  top.set_district_id(7);
  vpb::GetTopProposalsResponse top_resp;
  for (int i = 0; i < 100; ++i) {
    ASSERT_TRUE(stub_->GetTopProposals(Ctx().get(), top, &top_resp).ok());
    if (top_resp.voter_count() == 1 && top_resp.served_from() == "redis") break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_EQ(top_resp.proposals_size(), 10);
  EXPECT_EQ(top_resp.voter_count(), 1);
  EXPECT_EQ(top_resp.served_from(), "redis");
  EXPECT_EQ(top_resp.proposals(0).proposal_id(), round.proposals[7][3]);
  EXPECT_EQ(top_resp.proposals(1).proposal_id(), round.proposals[7][5]);
  EXPECT_EQ(top_resp.proposals(0).support(), 1);
  EXPECT_EQ(top_resp.proposals(2).support(), 0);

  vpb::GetTurnoutRequest turnout;
  turnout.set_round_id(round.round_id);
  vpb::GetTurnoutResponse turnout_resp;
  // Tallies trail commits by a moment: wait for the district 8 ballot too.
  for (int i = 0; i < 100; ++i) {
    ASSERT_TRUE(stub_->GetTurnout(Ctx().get(), turnout, &turnout_resp).ok());
    if (turnout_resp.districts_size() == 2) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_EQ(turnout_resp.total_voters(), 2);
  EXPECT_EQ(turnout_resp.districts_size(), 2);

  // Rules are frozen once voting has opened.
  vpb::UpdateRoundRulesRequest update;
  update.set_round_id(round.round_id);
  update.mutable_ballot_rule()->set_kind(vpb::BALLOT_KIND_APPROVAL);
  update.mutable_ballot_rule()->set_max_choices(10);
  update.set_outcome_rule(vpb::OUTCOME_RULE_GREEDY);
  auto* d = update.add_districts();
  d->set_district_id(7);
  d->set_budget_baht(99);
  vpb::UpdateRoundRulesResponse updated;
  auto frozen = stub_->UpdateRoundRules(Ctx(true).get(), update, &updated);
  EXPECT_EQ(frozen.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_NE(frozen.error_message().find("frozen"), std::string::npos) << frozen.error_message();
}

TEST_F(VotingIntegrationTest, BadInputGetsTheRightStatusAndChangesNothing) {
  auto round = CreateOpenRound(*stub_, {9}, 4, /*max_choices=*/2);
  std::string token = RegisterCitizen(*stub_, round.round_id, 2);
  auto cast = [&](auto edit) {
    vpb::CastBallotRequest req;
    req.set_round_id(round.round_id);
    req.set_district_id(9);
    req.set_voter_token(token);
    req.add_choices()->set_proposal_id(round.proposals[9][0]);
    edit(req);
    vpb::CastBallotResponse resp;
    return stub_->CastBallot(Ctx().get(), req, &resp);
  };
  struct Case {
    const char* what;
    std::function<void(vpb::CastBallotRequest&)> edit;
    grpc::StatusCode code;
    const char* mentions;
  };
  std::vector<Case> cases = {
      {"unknown round", [&](auto& r) { r.set_round_id(987654); }, grpc::StatusCode::PERMISSION_DENIED, "round"},
      {"unknown district", [](auto& r) { r.set_district_id(10); }, grpc::StatusCode::NOT_FOUND, "district_id 10"},
      {"unknown proposal", [](auto& r) { r.mutable_choices(0)->set_proposal_id(999999); }, grpc::StatusCode::NOT_FOUND,
       "999999"},
      {"too many choices",
       [&](auto& r) {
         r.add_choices()->set_proposal_id(round.proposals[9][1]);
         r.add_choices()->set_proposal_id(round.proposals[9][2]);
       },
       grpc::StatusCode::INVALID_ARGUMENT, "at most 2"},
      {"missing token", [](auto& r) { r.clear_voter_token(); }, grpc::StatusCode::UNAUTHENTICATED, "voter_token"},
      {"forged token", [](auto& r) { r.set_voter_token(r.voter_token() + "x"); }, grpc::StatusCode::UNAUTHENTICATED,
       ""},
      {"no choices", [](auto& r) { r.clear_choices(); }, grpc::StatusCode::INVALID_ARGUMENT, ""},
  };
  for (const auto& c : cases) {
    auto s = cast(c.edit);
    EXPECT_EQ(s.error_code(), c.code) << c.what << ": " << s.error_message();
    EXPECT_NE(s.error_message().find(c.mentions), std::string::npos) << c.what << ": " << s.error_message();
  }
  // Bad citizen IDs.
  for (const char* id : {"1234567890123", "12345", "abcdefghijklm", ""}) {
    vpb::RegisterVoterRequest req;
    req.set_round_id(round.round_id);
    req.set_citizen_id(id);
    vpb::RegisterVoterResponse resp;
    auto s = stub_->RegisterVoter(Ctx().get(), req, &resp);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << id;
    EXPECT_NE(s.error_message().find("citizen_id"), std::string::npos) << s.error_message();
  }
  // Admin RPCs without or with a wrong token.
  vpb::CreateRoundRequest create;
  vpb::CreateRoundResponse created;
  EXPECT_EQ(stub_->CreateRound(Ctx().get(), create, &created).error_code(), grpc::StatusCode::UNAUTHENTICATED);
  auto wrong = Ctx();
  wrong->AddMetadata("authorization", "Bearer not-the-token");
  EXPECT_EQ(stub_->CreateRound(wrong.get(), create, &created).error_code(), grpc::StatusCode::UNAUTHENTICATED);
  // Proposals are closed while voting.
  vpb::SubmitProposalRequest submit;
  submit.set_round_id(round.round_id);
  submit.set_district_id(9);
  submit.set_title("ข้อเสนอช้าเกินไป");
  submit.set_estimated_cost_baht(100);
  vpb::SubmitProposalResponse submitted;
  EXPECT_EQ(stub_->SubmitProposal(Ctx().get(), submit, &submitted).error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  // Nothing above stored a ballot.
  pqxx::connection c(db_->url());
  pqxx::read_transaction tx(c);
  EXPECT_EQ(tx.exec_params1("SELECT count(*) FROM voting.ballots WHERE round_id = $1", round.round_id)[0].as<int>(), 0);
  // A closed round refuses ballots.
  for (auto phase : {vpb::PHASE_CLOSED}) {
    vpb::AdvanceRoundPhaseRequest advance;
    advance.set_round_id(round.round_id);
    advance.set_to_phase(phase);
    vpb::AdvanceRoundPhaseResponse advanced;
    ASSERT_TRUE(stub_->AdvanceRoundPhase(Ctx(true).get(), advance, &advanced).ok());
  }
  auto closed = cast([](auto&) {});
  EXPECT_EQ(closed.error_code(), grpc::StatusCode::FAILED_PRECONDITION) << closed.error_message();
}

TEST_F(VotingIntegrationTest, TheDatabaseRefusesBallotsThatWouldNotBeDurable) {
  // Whatever a client's session says, a ballot group never commits with
  // synchronous_commit off: the insert function itself refuses.
  auto round = CreateOpenRound(*stub_, {12}, 1);
  pqxx::connection c(db_->url());
  pqxx::nontransaction tx(c);
  tx.exec("SET synchronous_commit = off");
  auto insert = [&] {
    tx.exec_params(
        "SELECT * FROM voting.insert_ballot_group(ARRAY[$1]::bigint[], ARRAY[12]::integer[], "
        "ARRAY['v']::text[], "
        "ARRAY['k']::text[], ARRAY['RNOTDURABLE']::text[], ARRAY[$2]::text[], ARRAY['{1}']::text[], "
        "2::smallint)",  // 2 = voting
        round.round_id, absl::StrCat("{", round.proposals[12][0], "}"));
  };
  try {
    insert();
    ADD_FAILURE() << "a ballot group committed with synchronous_commit off";
  } catch (const pqxx::sql_error& e) {
    EXPECT_NE(std::string(e.what()).find("synchronous_commit is off"), std::string::npos) << e.what();
  }
  EXPECT_EQ(tx.exec_params1("SELECT count(*) FROM voting.ballots WHERE round_id = $1", round.round_id)[0].as<int>(), 0);
  // With it on (the server default), the same call stores the ballot.
  tx.exec("SET synchronous_commit = on");
  insert();
  EXPECT_EQ(tx.exec_params1("SELECT count(*) FROM voting.ballots WHERE round_id = $1", round.round_id)[0].as<int>(), 1);
}

TEST_F(VotingIntegrationTest, TheGroupInsertFindsEachSlotByIndexHoweverSmallTheTableWasWhenPlanned) {
  // The function's plans are made on a connection's first call, often when
  // the ballots table is nearly empty. A plan that scans every ballot there
  // would make each later group cost more as the campaign grows.
  auto round = CreateOpenRound(*stub_, {13}, 1);
  const std::string proposal = absl::StrCat("{", round.proposals[13][0], "}");
  pqxx::connection c(db_->url());
  auto insert_group = [&](pqxx::transaction_base& tx, int first, int count) {
    std::vector<std::string> rounds, districts, voters, keys, receipts, proposals, points;
    for (int i = first; i < first + count; ++i) {
      rounds.push_back(absl::StrCat(round.round_id));
      districts.push_back("13");
      voters.push_back(absl::StrCat("\"scan-voter-", i, "\""));
      keys.push_back(absl::StrCat("\"scan-key-", i, "\""));
      receipts.push_back(absl::StrCat("\"RSCAN", round.round_id, "X", i, "\""));
      proposals.push_back(absl::StrCat("\"", proposal, "\""));
      points.push_back("\"{1}\"");
    }
    auto array = [](const std::vector<std::string>& items) {
      return absl::StrCat("{", absl::StrJoin(items, ","), "}");
    };
    auto rows = tx.exec_params(
        "SELECT out_ballot_id FROM voting.insert_ballot_group($1::bigint[], $2::integer[], $3::text[], $4::text[], "
        "$5::text[], $6::text[], $7::text[], 2::smallint)",  // 2 = voting
        array(rounds), array(districts), array(voters), array(keys), array(receipts), array(proposals), array(points));
    for (const auto& r : rows) EXPECT_FALSE(r[0].is_null());
  };
  {
    pqxx::work tx(c);
    insert_group(tx, 0, 1);  // plans while the round holds no ballot
    tx.commit();
  }
  {
    pqxx::work tx(c);
    insert_group(tx, 1, 3000);
    tx.commit();
  }
  pqxx::work tx(c);
  insert_group(tx, 3001, 20);
  insert_group(tx, 0, 20);  // replays: each finds the ballot that holds its slot
  auto scans =
      tx.exec1("SELECT seq_scan, idx_scan FROM pg_stat_xact_user_tables WHERE relid = 'voting.ballots'::regclass");
  EXPECT_EQ(scans[0].as<int64_t>(), 0) << "the group insert scanned the whole ballots table";
  EXPECT_GT(scans[1].as<int64_t>(), 0);
}

TEST_F(VotingIntegrationTest, ThousandConcurrentBallotsFromOneVoterAcceptExactlyOne) {
  auto round = CreateOpenRound(*stub_, {11}, 3);
  std::string token = RegisterCitizen(*stub_, round.round_id, 3);
  std::atomic<int> ok{0}, already{0}, other{0};
  std::vector<std::thread> threads;
  std::atomic<int> next{0};
  for (int t = 0; t < 50; ++t) {
    threads.emplace_back([&] {
      auto stub = server_->Stub();
      for (int i = next++; i < 1000; i = next++) {
        vpb::CastBallotRequest req;
        req.set_round_id(round.round_id);
        req.set_district_id(11);
        req.set_voter_token(token);
        req.add_choices()->set_proposal_id(round.proposals[11][i % 3]);
        req.set_idempotency_key("race-" + std::to_string(i));
        vpb::CastBallotResponse resp;
        auto s = stub->CastBallot(Ctx().get(), req, &resp);
        if (s.ok()) {
          ++ok;
        } else if (s.error_code() == grpc::StatusCode::ALREADY_EXISTS) {
          ++already;
        } else {
          ++other;
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 1);
  EXPECT_EQ(already.load(), 999);
  EXPECT_EQ(other.load(), 0);
  pqxx::connection c(db_->url());
  pqxx::read_transaction tx(c);
  EXPECT_EQ(tx.exec_params1("SELECT count(*) FROM voting.ballots WHERE round_id = $1", round.round_id)[0].as<int>(), 1);
}

TEST_F(VotingIntegrationTest, ClosingSealsATallyAnyoneCanCheck) {
  auto round = CreateOpenRound(*stub_, {15, 16}, 3);
  std::vector<std::pair<std::string, std::string>> receipts;  // code, nonce
  for (int v = 0; v < 7; ++v) {
    vpb::CastBallotRequest cast;
    cast.set_round_id(round.round_id);
    cast.set_district_id(15);
    cast.set_voter_token(RegisterCitizen(*stub_, round.round_id, 900 + v));
    cast.add_choices()->set_proposal_id(round.proposals[15][v % 3]);
    vpb::CastBallotResponse resp;
    ASSERT_TRUE(stub_->CastBallot(Ctx().get(), cast, &resp).ok());
    ASSERT_EQ(resp.commitment_nonce().size(), 32u);
    receipts.emplace_back(resp.receipt_code(), resp.commitment_nonce());
  }
  vpb::AdvanceRoundPhaseRequest close;
  close.set_round_id(round.round_id);
  close.set_to_phase(vpb::PHASE_CLOSED);
  vpb::AdvanceRoundPhaseResponse closed;
  ASSERT_TRUE(stub_->AdvanceRoundPhase(Ctx(true).get(), close, &closed).ok());
  // Every receipt proves its ballot is in the sealed tree the log states.
  for (int v = 0; v < 7; ++v) {
    vpb::CheckReceiptRequest check;
    check.set_receipt_code(receipts[v].first);
    vpb::CheckReceiptResponse checked;
    ASSERT_TRUE(stub_->CheckReceipt(Ctx().get(), check, &checked).ok());
    EXPECT_EQ(checked.commitment(),
              bkk::voting::BallotCommitment(receipts[v].second, {{round.proposals[15][v % 3], 1}}));
    ASSERT_TRUE(checked.has_inclusion());
    const auto& inc = checked.inclusion();
    std::vector<std::string> path(inc.audit_path().begin(), inc.audit_path().end());
    EXPECT_EQ(inc.entry().voter_count(), 7);
    EXPECT_EQ(inc.leaf_index(), v) << "leaves in ballot order (the ballots were cast one after another)";
    EXPECT_TRUE(bkk::voting::VerifyInclusion(checked.commitment(), inc.leaf_index(), inc.entry().voter_count(), path,
                                             inc.entry().merkle_root()));
  }
  // The log: both districts, chained.
  vpb::ListTallyLogRequest list;
  list.set_round_id(round.round_id);
  vpb::ListTallyLogResponse log;
  ASSERT_TRUE(stub_->ListTallyLog(Ctx().get(), list, &log).ok());
  ASSERT_EQ(log.entries_size(), 2);
  EXPECT_EQ(log.entries(1).previous_hash(), log.entries(0).entry_hash());
  // The bulletin is public once published; then it recounts to the logged tally.
  vpb::GetBulletinRequest get;
  get.set_round_id(round.round_id);
  get.set_district_id(15);
  vpb::GetBulletinResponse bulletin;
  EXPECT_EQ(stub_->GetBulletin(Ctx().get(), get, &bulletin).error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  close.set_to_phase(vpb::PHASE_PUBLISHED);
  ASSERT_TRUE(stub_->AdvanceRoundPhase(Ctx(true).get(), close, &closed).ok());
  ASSERT_TRUE(stub_->GetBulletin(Ctx().get(), get, &bulletin).ok());
  std::vector<std::string> leaves(bulletin.commitments().begin(), bulletin.commitments().end());
  EXPECT_EQ(bkk::voting::MerkleRoot(leaves), bulletin.entry().merkle_root());
  std::map<int64_t, int64_t> recount;
  for (const auto& b : bulletin.ballots()) recount[std::stoll(b.substr(0, b.find(':')))] += 1;
  for (const auto& c : bulletin.entry().tally()) EXPECT_EQ(recount[c.proposal_id()], c.support());
  // The log cannot be rewritten; a ballot changed afterwards no longer matches it.
  pqxx::connection c(db_->url());
  for (const char* sql : {"UPDATE voting.tally_log SET voter_count = voter_count + 1", "DELETE FROM voting.tally_log",
                          "TRUNCATE voting.tally_log"}) {
    pqxx::work tx(c);
    EXPECT_THROW(tx.exec(sql), pqxx::sql_error) << sql;
  }
  {
    pqxx::work tx(c);
    tx.exec_params(
        "UPDATE voting.ballots SET proposal_ids = ARRAY[$2]::bigint[] WHERE ballot_id = "
        "(SELECT min(ballot_id) FROM voting.ballots WHERE round_id = $1 AND district_id = 15)",
        round.round_id, round.proposals[15][2]);
    tx.commit();
  }
  ASSERT_TRUE(stub_->GetBulletin(Ctx().get(), get, &bulletin).ok());
  leaves.assign(bulletin.commitments().begin(), bulletin.commitments().end());
  EXPECT_NE(bkk::voting::MerkleRoot(leaves), bulletin.entry().merkle_root()) << "the altered ballot is detectable";
}

TEST_F(VotingIntegrationTest, PublishingFreezesResultsAndWinnersBecomeTrackedProjects) {
  auto round = CreateOpenRound(*stub_, {21, 22}, 3, 1);
  for (int v = 0; v < 5; ++v) {
    vpb::CastBallotRequest cast;
    cast.set_round_id(round.round_id);
    cast.set_district_id(21);
    cast.set_voter_token(RegisterCitizen(*stub_, round.round_id, 1200 + v));
    cast.add_choices()->set_proposal_id(round.proposals[21][v < 3 ? 1 : 2]);
    vpb::CastBallotResponse resp;
    ASSERT_TRUE(stub_->CastBallot(Ctx().get(), cast, &resp).ok());
  }
  vpb::AdvanceRoundPhaseRequest advance;
  advance.set_round_id(round.round_id);
  vpb::AdvanceRoundPhaseResponse advanced;
  advance.set_to_phase(vpb::PHASE_CLOSED);
  ASSERT_TRUE(stub_->AdvanceRoundPhase(Ctx(true).get(), advance, &advanced).ok());
  vpb::ComputeOutcomeRequest outcome_request;
  outcome_request.set_round_id(round.round_id);
  outcome_request.set_district_id(21);
  vpb::ComputeOutcomeResponse preview;
  ASSERT_TRUE(stub_->ComputeOutcome(Ctx(true).get(), outcome_request, &preview).ok());
  EXPECT_FALSE(preview.official());
  advance.set_to_phase(vpb::PHASE_PUBLISHED);
  ASSERT_TRUE(stub_->AdvanceRoundPhase(Ctx(true).get(), advance, &advanced).ok());

  // The official result is the frozen record: the same as the preview, and
  // the database refuses to change it.
  vpb::ComputeOutcomeResponse official;
  ASSERT_TRUE(stub_->ComputeOutcome(Ctx().get(), outcome_request, &official).ok());
  EXPECT_TRUE(official.official());
  EXPECT_FALSE(official.published_at().empty());
  ASSERT_EQ(official.projects_size(), preview.projects_size());
  for (int i = 0; i < preview.projects_size(); ++i) {
    EXPECT_EQ(official.projects(i).proposal_id(), preview.projects(i).proposal_id());
    EXPECT_EQ(official.projects(i).funded(), preview.projects(i).funded());
    EXPECT_EQ(official.projects(i).support(), preview.projects(i).support());
    EXPECT_EQ(official.projects(i).explanation(), preview.projects(i).explanation());
  }
  EXPECT_EQ(official.spent_baht(), preview.spent_baht());
  pqxx::connection c(db_->url());
  for (const char* sql : {"UPDATE voting.results SET total_cost_baht = 0", "DELETE FROM voting.result_projects",
                          "TRUNCATE voting.results CASCADE"}) {
    pqxx::work tx(c);
    EXPECT_THROW(tx.exec(sql), pqxx::sql_error) << sql;
  }

  // Each winner is a planned project of its district.
  vpb::ListProjectsRequest list;
  list.set_round_id(round.round_id);
  vpb::ListProjectsResponse projects;
  ASSERT_TRUE(stub_->ListProjects(Ctx().get(), list, &projects).ok());
  std::set<int64_t> winners;
  for (const auto& p : official.projects()) {
    if (p.funded()) winners.insert(p.proposal_id());
  }
  ASSERT_EQ(projects.projects_size(), static_cast<int>(winners.size()));
  ASSERT_GE(winners.size(), 2u);
  for (const auto& p : projects.projects()) {
    EXPECT_TRUE(winners.count(p.proposal_id())) << p.proposal_id();
    EXPECT_EQ(p.status(), vpb::PROJECT_STATUS_PLANNED);
    EXPECT_EQ(p.district_id(), 21);
  }
  const int64_t project_id = projects.projects(0).project_id();

  // Updates: forward freely; backwards or cancelled only with a reason; an
  // agency must be a budget unit of the ordinance; the public needs no key,
  // an update needs an operator.
  auto update = [&](auto edit, bool admin = true) {
    vpb::UpdateProjectRequest req;
    req.set_project_id(project_id);
    req.set_text("ความคืบหน้า");
    edit(req);
    vpb::UpdateProjectResponse resp;
    return stub_->UpdateProject(Ctx(admin).get(), req, &resp);
  };
  EXPECT_EQ(update([](auto&) {}, false).error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(update([](auto& r) { r.set_agency("กรมที่ไม่มีในข้อบัญญัติ"); }).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  ASSERT_TRUE(update([](auto& r) {
                r.set_status(vpb::PROJECT_STATUS_PROCUREMENT);
                r.set_agency("สำนักงานเขตคลองเตย");
                r.set_committed_baht(950'000);
                r.set_link("https://example.org/procurement/1");
                r.add_budget_line_ids(12);
                r.set_set_budget_lines(true);
              }).ok());
  ASSERT_TRUE(update([](auto& r) {
                r.set_status(vpb::PROJECT_STATUS_IN_PROGRESS);
                r.set_progress_percent(40);
                r.set_spent_baht(300'000);
              }).ok());
  EXPECT_EQ(update([](auto& r) { r.set_spent_baht(100'000); }).error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(update([](auto& r) { r.set_status(vpb::PROJECT_STATUS_CANCELLED); }).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
  ASSERT_TRUE(update([](auto& r) {
                r.set_progress_percent(30);
                r.set_reason("ตรวจรับงวดที่ 1 ไม่ผ่าน");
              }).ok());
  vpb::GetProjectRequest get;
  get.set_project_id(project_id);
  vpb::GetProjectResponse timeline;
  ASSERT_TRUE(stub_->GetProject(Ctx().get(), get, &timeline).ok());
  ASSERT_EQ(timeline.updates_size(), 3) << "refused updates left no entry";
  EXPECT_EQ(timeline.project().status(), vpb::PROJECT_STATUS_IN_PROGRESS);
  EXPECT_EQ(timeline.project().progress_percent(), 30);
  EXPECT_EQ(timeline.project().spent_baht(), 300'000);
  EXPECT_EQ(timeline.project().agency(), "สำนักงานเขตคลองเตย");
  EXPECT_EQ(timeline.updates(0).status(), vpb::PROJECT_STATUS_PROCUREMENT);
  EXPECT_EQ(timeline.updates(0).link(), "https://example.org/procurement/1");
  EXPECT_EQ(timeline.updates(2).reason(), "ตรวจรับงวดที่ 1 ไม่ผ่าน");
  // Filters: by budget line, status and agency.
  list.set_budget_line_id(12);
  ASSERT_TRUE(stub_->ListProjects(Ctx().get(), list, &projects).ok());
  ASSERT_EQ(projects.projects_size(), 1);
  EXPECT_EQ(projects.projects(0).project_id(), project_id);
  list.set_budget_line_id(0);
  list.set_status(vpb::PROJECT_STATUS_PLANNED);
  ASSERT_TRUE(stub_->ListProjects(Ctx().get(), list, &projects).ok());
  EXPECT_EQ(projects.projects_size(), static_cast<int>(winners.size()) - 1);
  get.set_project_id(project_id + 100000);
  EXPECT_EQ(stub_->GetProject(Ctx().get(), get, &timeline).error_code(), grpc::StatusCode::NOT_FOUND);
  for (const char* sql : {"UPDATE voting.project_updates SET text = 'x'", "DELETE FROM voting.project_updates"}) {
    pqxx::work tx(c);
    EXPECT_THROW(tx.exec(sql), pqxx::sql_error) << sql << ": the timeline is append-only";
  }
}

TEST(VotingRateLimitTest, VoterTokenAndAddressLimitsRefuseWithResourceExhausted) {
  TestDatabase db("bkk_voting_rl");
  LocalRedis redis;
  VotingServer server(db.url(), redis.url(), {{"BKK_RATE_VOTER_PER_MIN", "3"}, {"BKK_RATE_ADDRESS_PER_MIN", "6"}});
  ASSERT_TRUE(server.ready()) << server.process().Output();
  auto stub = server.Stub();
  auto round = CreateOpenRound(*stub, {13, 14}, 2, 3, vpb::IDENTITY_MODE_CITIZEN_ID, vpb::DISTRICTS_PER_VOTER_EACH);
  std::string token = RegisterCitizen(*stub, round.round_id, 4);
  auto cast = [&](const std::string& voter_token, int32_t district, const std::string& key) {
    vpb::CastBallotRequest req;
    req.set_round_id(round.round_id);
    req.set_district_id(district);
    req.set_voter_token(voter_token);
    req.add_choices()->set_proposal_id(round.proposals[district][0]);
    req.set_idempotency_key(key);
    vpb::CastBallotResponse resp;
    return stub->CastBallot(Ctx().get(), req, &resp);
  };
  EXPECT_TRUE(cast(token, 13, "a").ok());
  EXPECT_EQ(cast(token, 13, "b").error_code(), grpc::StatusCode::ALREADY_EXISTS);
  EXPECT_TRUE(cast(token, 14, "c").ok());
  auto limited = cast(token, 14, "d");  // the 4th attempt this minute
  EXPECT_EQ(limited.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED) << limited.error_message();
  EXPECT_NE(limited.error_message().find("wait a minute"), std::string::npos);
  // Other voters from the same address hit the address limit (6 a minute).
  int exhausted = 0;
  for (int i = 0; i < 4; ++i) {
    std::string other = RegisterCitizen(*stub, round.round_id, 100 + i);
    exhausted += cast(other, 13, "x").error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED;
  }
  EXPECT_GE(exhausted, 1);
  pqxx::connection c(db.url());
  pqxx::read_transaction tx(c);
  EXPECT_LE(tx.exec_params1("SELECT count(*) FROM voting.ballots WHERE round_id = $1", round.round_id)[0].as<int>(),
            2 + 4 - exhausted);
}

TEST(VotingStartupTest, RefusesToStartWithoutItsSettings) {
  ChildProcess bare(BinaryPath("services/voting/voting"), {"serve"}, {});
  EXPECT_EQ(bare.Wait(std::chrono::seconds(20)), 2);
  for (const char* name : {"BKK_PG_URL", "BKK_REDIS_URL", "BKK_VOTER_KEY"}) {
    EXPECT_NE(bare.Output().find(std::string(name) + " is required"), std::string::npos) << bare.Output();
  }
}

}  // namespace
}  // namespace bkk::testing
