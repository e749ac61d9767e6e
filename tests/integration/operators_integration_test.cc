// Operators, roles, the audit log and the integrity rules, end to end: the
// real voting and budget-data binaries on one PostgreSQL database, operator
// keys made by `voting operator add`, every admin RPC called under every
// role, and the four integrity holes the operator console issue closed
// (unmoderated proposals, one district per voter, receipts, publication).
#include <gtest/gtest.h>

#include <atomic>
#include <functional>
#include <pqxx/pqxx>
#include <set>
#include <thread>

#include "absl/strings/str_split.h"
#include "bkkbudget/budget/v1/budget.grpc.pb.h"
#include "tests/integration/voting_harness.h"

namespace bkk::testing {
namespace {

namespace bpb = bkkbudget::budget::v1;

// `voting operator …` against the suite's database; its output.
std::string OperatorCommand(const std::string& pg_url, const std::vector<std::string>& args, int* rc = nullptr) {
  std::vector<std::string> argv = {"operator"};
  argv.insert(argv.end(), args.begin(), args.end());
  ChildProcess cli(BinaryPath("services/voting/voting"), argv, {{"BKK_PG_URL", pg_url}});
  int status = cli.Wait(std::chrono::seconds(60));
  if (rc != nullptr) *rc = status;
  return cli.Output();
}

// The key `voting operator add` printed (its first line starting bkkop_).
std::string AddOperator(const std::string& pg_url, const std::string& name, const std::string& roles) {
  int rc = -1;
  std::string out = OperatorCommand(pg_url, {"add", name, "--role", roles}, &rc);
  EXPECT_EQ(rc, 0) << out;
  for (absl::string_view line : absl::StrSplit(out, '\n')) {
    if (absl::StartsWith(line, "bkkop_")) return std::string(line);
  }
  ADD_FAILURE() << "no key printed: " << out;
  return "";
}

std::unique_ptr<grpc::ClientContext> As(const std::string& key, int seconds = 60) {
  auto ctx = Ctx(false, seconds);
  if (!key.empty()) ctx->AddMetadata("authorization", "Bearer " + key);
  return ctx;
}

bool Denied(const grpc::Status& s) {
  return s.error_code() == grpc::StatusCode::PERMISSION_DENIED || s.error_code() == grpc::StatusCode::UNAUTHENTICATED;
}

class OperatorsIntegrationTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    db_ = new TestDatabase("bkk_operators_it");
    server_ = new VotingServer(db_->url(), HarnessRedisUrl());
    ASSERT_TRUE(server_->ready()) << server_->process().Output();
    budget_port_ = FreePort();
    budget_ = new ChildProcess(BinaryPath("services/budget_data/budget-data"), {"serve"},
                               {{"BKK_PG_URL", db_->url()},
                                {"BKK_LISTEN", "127.0.0.1:" + std::to_string(budget_port_)},
                                {"BKK_ADMIN_TOKEN", kAdminToken}});
    ASSERT_TRUE(WaitServing("127.0.0.1:" + std::to_string(budget_port_), std::chrono::seconds(60)))
        << budget_->Output();
    // While no operator exists the bootstrap token acts: it creates the first.
    auto stub = server_->Stub();
    vpb::CreateOperatorRequest create;
    create.set_name("first-admin");
    create.add_roles(vpb::OPERATOR_ROLE_ROUND_ADMIN);
    vpb::CreateOperatorResponse created;
    auto s = stub->CreateOperator(Ctx(true).get(), create, &created);
    ASSERT_TRUE(s.ok()) << s.error_message();
    keys_ = new std::map<std::string, std::string>{
        {"round-admin", created.operator_key()},
        {"moderator", AddOperator(db_->url(), "malee", "moderator")},
        {"data-admin", AddOperator(db_->url(), "somchai", "data-admin")},
        {"all", AddOperator(db_->url(), "anong", "moderator,round-admin,data-admin")},
    };
  }
  static void TearDownTestSuite() {
    delete keys_;
    delete budget_;
    delete server_;
    delete db_;
  }
  void SetUp() override { stub_ = server_->Stub(); }
  static const std::string& Key(const std::string& role) { return keys_->at(role); }

  // A round (one district per voter) over `districts`: proposal 0 of each
  // approved, proposal 1 left pending; advanced to `phase`.
  struct Round {
    int64_t round_id = 0;
    std::map<int32_t, int64_t> approved, pending;
    std::string pending_author_token;
  };
  Round MakeRound(const std::vector<int32_t>& districts, vpb::Phase phase) {
    Round out;
    vpb::CreateRoundRequest create;
    auto* r = create.mutable_round();
    r->set_name("รอบทดสอบผู้ดูแล");
    r->set_fiscal_year(2568);
    for (int32_t d : districts) {
      auto* rd = r->add_districts();
      rd->set_district_id(d);
      rd->set_budget_baht(5'000'000);
    }
    r->mutable_ballot_rule()->set_kind(vpb::BALLOT_KIND_APPROVAL);
    r->mutable_ballot_rule()->set_max_choices(2);
    r->set_outcome_rule(vpb::OUTCOME_RULE_GREEDY);
    r->set_identity_mode(vpb::IDENTITY_MODE_CITIZEN_ID);
    vpb::CreateRoundResponse created;
    EXPECT_TRUE(stub_->CreateRound(As(Key("round-admin")).get(), create, &created).ok());
    out.round_id = created.round().round_id();
    EXPECT_EQ(created.round().districts_per_voter(), vpb::DISTRICTS_PER_VOTER_ONE) << "the default";
    for (int32_t d : districts) {
      for (int i = 0; i < 2; ++i) {
        vpb::SubmitProposalRequest submit;
        submit.set_round_id(out.round_id);
        submit.set_district_id(d);
        submit.set_title(absl::StrCat("ลานกีฬาชุมชน ", i));
        submit.set_estimated_cost_baht(1'000'000);
        vpb::SubmitProposalResponse submitted;
        EXPECT_TRUE(stub_->SubmitProposal(Ctx().get(), submit, &submitted).ok());
        if (i == 0) {
          vpb::ModerateProposalRequest moderate;
          moderate.set_proposal_id(submitted.proposal().proposal_id());
          moderate.set_approve(true);
          vpb::ModerateProposalResponse moderated;
          EXPECT_TRUE(stub_->ModerateProposal(As(Key("moderator")).get(), moderate, &moderated).ok());
          out.approved[d] = submitted.proposal().proposal_id();
        } else {
          out.pending[d] = submitted.proposal().proposal_id();
          out.pending_author_token = submitted.author_token();
        }
      }
    }
    for (auto p : {vpb::PHASE_REVIEW, vpb::PHASE_VOTING, vpb::PHASE_CLOSED, vpb::PHASE_PUBLISHED}) {
      if (p > phase) break;
      Advance(out.round_id, p, Key("round-admin"));
    }
    return out;
  }
  grpc::Status Advance(int64_t round_id, vpb::Phase to, const std::string& key) {
    vpb::AdvanceRoundPhaseRequest req;
    req.set_round_id(round_id);
    req.set_to_phase(to);
    vpb::AdvanceRoundPhaseResponse resp;
    auto s = stub_->AdvanceRoundPhase(As(key).get(), req, &resp);
    return s;
  }

  static TestDatabase* db_;
  static VotingServer* server_;
  static ChildProcess* budget_;
  static int budget_port_;
  static std::map<std::string, std::string>* keys_;
  std::unique_ptr<vpb::VotingService::Stub> stub_;
};
TestDatabase* OperatorsIntegrationTest::db_ = nullptr;
VotingServer* OperatorsIntegrationTest::server_ = nullptr;
ChildProcess* OperatorsIntegrationTest::budget_ = nullptr;
int OperatorsIntegrationTest::budget_port_ = 0;
std::map<std::string, std::string>* OperatorsIntegrationTest::keys_ = nullptr;

TEST_F(OperatorsIntegrationTest, EveryAdminRpcUnderEveryRole) {
  auto proposals_phase = MakeRound({3}, vpb::PHASE_PROPOSALS);
  auto closed = MakeRound({4}, vpb::PHASE_CLOSED);
  auto budget = bpb::BudgetService::NewStub(
      grpc::CreateChannel("127.0.0.1:" + std::to_string(budget_port_), grpc::InsecureChannelCredentials()));
  using Call = std::function<grpc::Status(const std::string& key)>;
  struct Rpc {
    const char* name;
    std::set<std::string> allowed;  // roles
    Call call;
  };
  const std::vector<Rpc> rpcs = {
      {"CreateRound",
       {"round-admin"},
       [&](const std::string& key) {
         vpb::CreateRoundRequest req;  // empty: refused for its content once allowed
         vpb::CreateRoundResponse resp;
         return stub_->CreateRound(As(key).get(), req, &resp);
       }},
      {"UpdateRoundRules",
       {"round-admin"},
       [&](const std::string& key) {
         vpb::UpdateRoundRulesRequest req;
         req.set_round_id(proposals_phase.round_id);
         vpb::UpdateRoundRulesResponse resp;
         return stub_->UpdateRoundRules(As(key).get(), req, &resp);
       }},
      {"AdvanceRoundPhase",
       {"round-admin"},
       [&](const std::string& key) {
         vpb::AdvanceRoundPhaseRequest req;
         req.set_round_id(proposals_phase.round_id);
         req.set_to_phase(vpb::PHASE_VOTING);  // skips review: refused once allowed
         vpb::AdvanceRoundPhaseResponse resp;
         return stub_->AdvanceRoundPhase(As(key).get(), req, &resp);
       }},
      {"ModerateProposal",
       {"moderator"},
       [&](const std::string& key) {
         vpb::ModerateProposalRequest req;
         req.set_proposal_id(proposals_phase.pending[3]);
         req.set_approve(false);  // no reason: refused once allowed
         vpb::ModerateProposalResponse resp;
         return stub_->ModerateProposal(As(key).get(), req, &resp);
       }},
      {"ListProposals(include_unmoderated)",
       {"moderator", "round-admin"},
       [&](const std::string& key) {
         vpb::ListProposalsRequest req;
         req.set_round_id(proposals_phase.round_id);
         req.set_district_id(3);
         req.set_include_unmoderated(true);
         vpb::ListProposalsResponse resp;
         return stub_->ListProposals(As(key).get(), req, &resp);
       }},
      {"GetProposal(pending)",
       {"moderator", "round-admin"},
       [&](const std::string& key) {
         vpb::GetProposalRequest req;
         req.set_proposal_id(proposals_phase.pending[3]);
         vpb::GetProposalResponse resp;
         return stub_->GetProposal(As(key).get(), req, &resp);
       }},
      {"ComputeOutcome(before publication)",
       {"round-admin"},
       [&](const std::string& key) {
         vpb::ComputeOutcomeRequest req;
         req.set_round_id(closed.round_id);
         req.set_district_id(4);
         vpb::ComputeOutcomeResponse resp;
         return stub_->ComputeOutcome(As(key).get(), req, &resp);
       }},
      {"ExportPabulib(before publication)",
       {"round-admin"},
       [&](const std::string& key) {
         vpb::ExportPabulibRequest req;
         req.set_round_id(closed.round_id);
         req.set_district_id(4);
         vpb::ExportPabulibResponse resp;
         return stub_->ExportPabulib(As(key).get(), req, &resp);
       }},
      {"ImportPabulib",
       {"data-admin"},
       [&](const std::string& key) {
         vpb::ImportPabulibRequest req;  // empty: refused once allowed
         vpb::ImportPabulibResponse resp;
         return stub_->ImportPabulib(As(key).get(), req, &resp);
       }},
      {"ListAuditEvents",
       {"moderator", "round-admin", "data-admin"},
       [&](const std::string& key) {
         vpb::ListAuditEventsRequest req;
         vpb::ListAuditEventsResponse resp;
         return stub_->ListAuditEvents(As(key).get(), req, &resp);
       }},
      {"CreateOperator",
       {},  // the bootstrap token only, and only before the first operator
       [&](const std::string& key) {
         vpb::CreateOperatorRequest req;
         req.set_name("someone-else");
         req.add_roles(vpb::OPERATOR_ROLE_MODERATOR);
         vpb::CreateOperatorResponse resp;
         return stub_->CreateOperator(As(key).get(), req, &resp);
       }},
      {"budget ImportDataset",
       {"data-admin"},
       [&](const std::string& key) {
         bpb::ImportDatasetRequest req;  // no files, dry run: a report once allowed
         req.set_dry_run(true);
         bpb::ImportDatasetResponse resp;
         auto ctx = As(key);
         return budget->ImportDataset(ctx.get(), req, &resp);
       }},
  };
  for (const auto& rpc : rpcs) {
    SCOPED_TRACE(rpc.name);
    for (const char* role : {"moderator", "round-admin", "data-admin"}) {
      auto s = rpc.call(Key(role));
      if (rpc.allowed.count(role)) {
        EXPECT_FALSE(Denied(s)) << role << " must be allowed: " << s.error_message();
      } else {
        EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED) << role << ": " << s.error_message();
        EXPECT_NE(s.error_message().find("role"), std::string::npos) << s.error_message();
      }
    }
    // No key at all, an unknown key, and the bootstrap token now an operator exists.
    if (std::string(rpc.name).find("before publication") == std::string::npos &&
        std::string(rpc.name) != "GetProposal(pending)") {
      EXPECT_EQ(rpc.call("").error_code(), grpc::StatusCode::UNAUTHENTICATED);
    }
    EXPECT_EQ(rpc.call("bkkop_not-a-key").error_code(), grpc::StatusCode::UNAUTHENTICATED);
    auto bootstrap = rpc.call(kAdminToken);
    EXPECT_EQ(bootstrap.error_code(), grpc::StatusCode::PERMISSION_DENIED);
    EXPECT_NE(bootstrap.error_message().find("bootstrap token stops working"), std::string::npos)
        << bootstrap.error_message();
  }
}

TEST_F(OperatorsIntegrationTest, UnmoderatedProposalsArePrivateExceptToTheirAuthor) {
  auto round = MakeRound({5}, vpb::PHASE_PROPOSALS);
  vpb::GetProposalRequest req;
  req.set_proposal_id(round.pending[5]);
  vpb::GetProposalResponse resp;
  auto hidden = stub_->GetProposal(Ctx().get(), req, &resp);
  EXPECT_EQ(hidden.error_code(), grpc::StatusCode::NOT_FOUND) << "pending proposals are not public";
  req.set_author_token("wrong-token");
  EXPECT_EQ(stub_->GetProposal(Ctx().get(), req, &resp).error_code(), grpc::StatusCode::NOT_FOUND);
  req.set_author_token(round.pending_author_token);
  ASSERT_TRUE(stub_->GetProposal(Ctx().get(), req, &resp).ok()) << "the author's private link";
  EXPECT_EQ(resp.proposal().status(), vpb::MODERATION_STATUS_PENDING);
  // Rejected, the author reads the reason; the public still sees nothing.
  vpb::ModerateProposalRequest reject;
  reject.set_proposal_id(round.pending[5]);
  reject.set_rejection_reason("ซ้ำกับโครงการที่มีงบแล้ว");
  vpb::ModerateProposalResponse rejected;
  ASSERT_TRUE(stub_->ModerateProposal(As(Key("moderator")).get(), reject, &rejected).ok());
  ASSERT_TRUE(stub_->GetProposal(Ctx().get(), req, &resp).ok());
  EXPECT_EQ(resp.proposal().rejection_reason(), "ซ้ำกับโครงการที่มีงบแล้ว");
  req.clear_author_token();
  EXPECT_EQ(stub_->GetProposal(Ctx().get(), req, &resp).error_code(), grpc::StatusCode::NOT_FOUND);
  // The approved one is public.
  req.set_proposal_id(round.approved[5]);
  EXPECT_TRUE(stub_->GetProposal(Ctx().get(), req, &resp).ok());
  // Only a hash of the author's token is stored.
  pqxx::connection c(db_->url());
  pqxx::read_transaction tx(c);
  EXPECT_EQ(tx.exec_params1("SELECT count(*) FROM voting.proposals WHERE author_token_hash = $1",
                            round.pending_author_token)[0]
                .as<int>(),
            0);
}

TEST_F(OperatorsIntegrationTest, OneVoterRacingOverFiftyDistrictsGetsExactlyOneBallot) {
  std::vector<int32_t> all(50);
  for (int i = 0; i < 50; ++i) all[i] = i + 1;
  auto round = MakeRound(all, vpb::PHASE_VOTING);
  const std::string token = RegisterCitizen(*stub_, round.round_id, 777);
  std::atomic<int> ok{0}, refused{0}, other{0};
  std::atomic<int> said_one_district{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 20; ++t) {
    threads.emplace_back([&, t] {
      auto stub = server_->Stub();
      for (int i = 0; i < 50; ++i) {
        const int32_t district = static_cast<int32_t>((t * 50 + i) % 50 + 1);
        vpb::CastBallotRequest req;
        req.set_round_id(round.round_id);
        req.set_district_id(district);
        req.set_voter_token(token);
        req.add_choices()->set_proposal_id(round.approved.at(district));
        req.set_idempotency_key(absl::StrCat("race-", t, "-", i));
        vpb::CastBallotResponse resp;
        auto s = stub->CastBallot(Ctx().get(), req, &resp);
        if (s.ok()) {
          ++ok;
        } else if (s.error_code() == grpc::StatusCode::ALREADY_EXISTS) {
          ++refused;
          if (s.error_message().find("a voter chooses one district per round") != std::string::npos ||
              s.error_message().find("already cast a ballot in this district") != std::string::npos) {
            ++said_one_district;
          }
        } else {
          ++other;
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 1);
  EXPECT_EQ(refused.load(), 999);
  EXPECT_EQ(said_one_district.load(), 999) << "every refusal says why";
  EXPECT_EQ(other.load(), 0);
  pqxx::connection c(db_->url());
  pqxx::read_transaction tx(c);
  EXPECT_EQ(tx.exec_params1("SELECT count(*) FROM voting.ballots WHERE round_id = $1", round.round_id)[0].as<int>(), 1);
}

TEST_F(OperatorsIntegrationTest, AReceiptSaysWhereAndWhenButNeverWhat) {
  auto round = MakeRound({6}, vpb::PHASE_VOTING);
  vpb::CastBallotRequest cast;
  cast.set_round_id(round.round_id);
  cast.set_district_id(6);
  cast.set_voter_token(RegisterCitizen(*stub_, round.round_id, 42));
  cast.add_choices()->set_proposal_id(round.approved[6]);
  vpb::CastBallotResponse receipt;
  ASSERT_TRUE(stub_->CastBallot(Ctx().get(), cast, &receipt).ok());
  vpb::CheckReceiptRequest check;
  check.set_receipt_code(receipt.receipt_code());
  vpb::CheckReceiptResponse checked;
  ASSERT_TRUE(stub_->CheckReceipt(Ctx().get(), check, &checked).ok());
  EXPECT_TRUE(checked.counted());
  EXPECT_EQ(checked.round_id(), round.round_id);
  EXPECT_EQ(checked.district_id(), 6);
  EXPECT_FALSE(checked.cast_at().empty());
  EXPECT_EQ(checked.choices_size(), 0);
  // Not even an operator gets the choices from a receipt.
  ASSERT_TRUE(stub_->CheckReceipt(As(Key("all")).get(), check, &checked).ok());
  EXPECT_EQ(checked.choices_size(), 0);
}

TEST_F(OperatorsIntegrationTest, OutcomesAndExportsArePublicOnlyOncePublished) {
  auto round = MakeRound({7}, vpb::PHASE_CLOSED);
  vpb::ComputeOutcomeRequest outcome;
  outcome.set_round_id(round.round_id);
  outcome.set_district_id(7);
  vpb::ComputeOutcomeResponse computed;
  vpb::ExportPabulibRequest exp;
  exp.set_round_id(round.round_id);
  exp.set_district_id(7);
  vpb::ExportPabulibResponse exported;
  auto early = stub_->ComputeOutcome(Ctx().get(), outcome, &computed);
  EXPECT_EQ(early.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_NE(early.error_message().find("not published yet"), std::string::npos) << early.error_message();
  EXPECT_EQ(stub_->ExportPabulib(Ctx().get(), exp, &exported).error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_TRUE(stub_->ComputeOutcome(As(Key("round-admin")).get(), outcome, &computed).ok()) << "review first";
  ASSERT_TRUE(Advance(round.round_id, vpb::PHASE_PUBLISHED, Key("round-admin")).ok());
  EXPECT_TRUE(stub_->ComputeOutcome(Ctx().get(), outcome, &computed).ok());
  EXPECT_TRUE(stub_->ExportPabulib(Ctx().get(), exp, &exported).ok());
}

TEST_F(OperatorsIntegrationTest, TheAuditLogNamesEveryStepAndCannotBeRewritten) {
  auto round = MakeRound({8}, vpb::PHASE_VOTING);
  vpb::ListAuditEventsRequest req;
  req.set_round_id(round.round_id);
  vpb::ListAuditEventsResponse resp;
  ASSERT_TRUE(stub_->ListAuditEvents(As(Key("moderator")).get(), req, &resp).ok());
  std::vector<std::string> steps;
  for (const auto& e : resp.events()) steps.push_back(e.action() + " by " + e.operator_name() + " as " + e.role());
  EXPECT_EQ(steps,
            (std::vector<std::string>{
                "AdvanceRoundPhase by first-admin as round-admin", "AdvanceRoundPhase by first-admin as round-admin",
                "ModerateProposal by malee as moderator", "CreateRound by first-admin as round-admin"}));
  EXPECT_EQ(resp.events(0).summary(), "review -> voting");
  // Paging: one at a time reaches the same four, then stops.
  req.set_page_size(1);
  std::vector<int64_t> paged;
  for (int i = 0; i < 10; ++i) {
    ASSERT_TRUE(stub_->ListAuditEvents(As(Key("moderator")).get(), req, &resp).ok());
    for (const auto& e : resp.events()) paged.push_back(e.event_id());
    if (resp.next_page_token().empty()) break;
    req.set_page_token(resp.next_page_token());
  }
  EXPECT_EQ(paged.size(), 4u);
  req.set_operator_name("other-name");
  EXPECT_EQ(stub_->ListAuditEvents(As(Key("moderator")).get(), req, &resp).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT)
      << "a page token of other filters";
  // Filter by operator.
  vpb::ListAuditEventsRequest by_name;
  by_name.set_round_id(round.round_id);
  by_name.set_operator_name("malee");
  ASSERT_TRUE(stub_->ListAuditEvents(As(Key("moderator")).get(), by_name, &resp).ok());
  ASSERT_EQ(resp.events_size(), 1);
  EXPECT_EQ(resp.events(0).action(), "ModerateProposal");
  // The database refuses to change or remove what happened.
  pqxx::connection c(db_->url());
  for (const char* sql : {"UPDATE operators.audit_events SET operator_name = 'nobody'",
                          "DELETE FROM operators.audit_events", "TRUNCATE operators.audit_events"}) {
    SCOPED_TRACE(sql);
    pqxx::work tx(c);
    EXPECT_THROW(tx.exec(sql), pqxx::sql_error);
  }
  pqxx::read_transaction tx(c);
  EXPECT_EQ(tx.exec_params1("SELECT count(*) FROM operators.audit_events WHERE round_id = $1 AND operator_name <> "
                            "'nobody'",
                            round.round_id)[0]
                .as<int>(),
            4);
}

TEST_F(OperatorsIntegrationTest, ConsoleSessionsNeedTheirAntiCsrfTokenAndEndOnRevocation) {
  const std::string key = AddOperator(db_->url(), "temporary", "round-admin");
  vpb::SignInRequest sign_in;
  sign_in.set_operator_key(key);
  vpb::SignInResponse session;
  ASSERT_TRUE(stub_->SignIn(Ctx().get(), sign_in, &session).ok());
  EXPECT_EQ(session.operator_().name(), "temporary");
  ASSERT_FALSE(session.session_token().empty());
  auto with_session = [&](bool csrf) {
    auto ctx = Ctx();
    ctx->AddMetadata("x-operator-session", session.session_token());
    if (csrf) ctx->AddMetadata("x-csrf-token", session.csrf_token());
    return ctx;
  };
  vpb::GetSessionResponse who;
  ASSERT_TRUE(stub_->GetSession(with_session(false).get(), vpb::GetSessionRequest(), &who).ok());
  EXPECT_EQ(who.operator_().name(), "temporary");
  EXPECT_EQ(who.csrf_token(), session.csrf_token());
  // A change without the anti-CSRF token is refused; with it, allowed.
  vpb::CreateRoundRequest create;
  vpb::CreateRoundResponse created;
  auto no_csrf = stub_->CreateRound(with_session(false).get(), create, &created);
  EXPECT_EQ(no_csrf.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_NE(no_csrf.error_message().find("anti-CSRF"), std::string::npos) << no_csrf.error_message();
  EXPECT_EQ(stub_->CreateRound(with_session(true).get(), create, &created).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT)
      << "allowed, then refused for its empty content";
  // Revoking the operator ends its key and its session at once.
  int rc = -1;
  OperatorCommand(db_->url(), {"revoke", "temporary"}, &rc);
  EXPECT_EQ(rc, 0);
  EXPECT_EQ(stub_->GetSession(with_session(false).get(), vpb::GetSessionRequest(), &who).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(stub_->SignIn(Ctx().get(), sign_in, &session).error_code(), grpc::StatusCode::UNAUTHENTICATED);
  std::string listed = OperatorCommand(db_->url(), {"list"});
  EXPECT_EQ(listed.find("temporary"), std::string::npos) << listed;
  EXPECT_NE(listed.find("malee"), std::string::npos) << listed;
  // Only a hash of each key is stored.
  pqxx::connection c(db_->url());
  pqxx::read_transaction tx(c);
  EXPECT_EQ(tx.exec_params1("SELECT count(*) FROM operators.operators WHERE key_hash = $1", key)[0].as<int>(), 0);
}

}  // namespace
}  // namespace bkk::testing
