// VotingApp without a database: the in-memory repository, tally store and
// rate limiter (core/in_memory.h) and the real ballot writer and tally
// applier. Pins the service's rules: every phase transition, every refusal
// with its status and the reason it gives, rules frozen once voting opens,
// idempotent ballot retries, tallies read from the store or, when it is
// down, from the repository, and how a pabulib file becomes a closed round.
#include "services/voting/core/voting_app.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <future>
#include <map>

#include "absl/strings/str_cat.h"
#include "common/testing/status_matchers.h"
#include "services/voting/core/in_memory.h"

namespace bkk::voting {
namespace {

using ::bkk::testing::IsOk;
using ::bkk::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using Code = absl::StatusCode;

// A valid Thai citizen ID for n (the 13th digit is the mod-11 check).
std::string CitizenId(int64_t n) {
  std::string first12 = absl::StrCat(100000000000LL + n).substr(0, 12);
  return first12 + std::to_string(CitizenIdCheckDigit(first12));
}

class VotingAppTest : public ::testing::Test {
 protected:
  VotingAppTest()
      : applier_(&repo_, &tallies_, std::chrono::milliseconds(50)),
        app_(&repo_, &tallies_, &applier_, &limiter_, *VoterKeyHasher::Create("unit-test-voter-key-0123456789abcdef"),
             *VoterTokenSigner::Create("unit-test-token-key-0123456789abcdef"),
             *CommitmentNonces::Create("unit-test-nonce-key-0123456789abcdef"), Limits()),
        writer_([this](const std::vector<NewBallot>& group) { return repo_.InsertBallots(group); }, 16,
                std::chrono::microseconds(100),
                [this](const std::vector<const RateKeys*>& keys) { return app_.AdmitGroup(keys); },
                [this] { applier_.Notify(); }) {
    app_.set_writer(&writer_);
  }
  ~VotingAppTest() override { writer_.Stop(); }

  static VotingLimits Limits() {
    VotingLimits limits;
    limits.ballots_per_voter_per_minute = 5;
    limits.requests_per_address_per_minute = 1000;
    limits.fallback_cache = absl::ZeroDuration();
    return limits;
  }

  static RoundRecord NewRound(BallotRule rule = BallotRule::Approval(2)) {
    RoundRecord r;
    r.name = "รอบทดสอบ";
    r.fiscal_year = 2567;
    r.districts = {{7, 5'000'000}, {8, 3'000'000}};
    r.ballot_rule = rule;
    r.outcome_rule = OutcomeRule::kGreedy;
    r.identity_mode = IdentityMode::kCitizenId;
    return r;
  }

  ProposalRecord Proposal(int64_t round_id, int32_t district, const std::string& title, int64_t cost) {
    ProposalRecord p;
    p.round_id = round_id;
    p.district_id = district;
    p.title = title;
    p.estimated_cost_baht = cost;
    return p;
  }

  // A round in the voting phase with `n` approved proposals in district 7.
  struct Open {
    RoundRecord round;
    std::vector<int64_t> proposals;
  };
  Open OpenRound(int n = 3, BallotRule rule = BallotRule::Approval(2)) {
    Open out;
    out.round = *app_.CreateRound(NewRound(rule), admin_);
    for (int i = 0; i < n; ++i) {
      auto p = app_.SubmitProposal(Proposal(out.round.round_id, 7, absl::StrCat("โครงการ ", i + 1), 1'000'000 + i));
      EXPECT_THAT(p, IsOk());
      EXPECT_THAT(app_.ModerateProposal(p->proposal.proposal_id, true, "", admin_), IsOk());
      out.proposals.push_back(p->proposal.proposal_id);
    }
    EXPECT_THAT(app_.AdvanceRoundPhase(out.round.round_id, Phase::kReview, admin_), IsOk());
    out.round = *app_.AdvanceRoundPhase(out.round.round_id, Phase::kVoting, admin_);
    return out;
  }

  std::string Token(int64_t round_id, int64_t citizen) {
    auto t = app_.RegisterVoter(round_id, CitizenId(citizen), "");
    EXPECT_THAT(t, IsOk());
    return t.ok() ? t->first : "";
  }

  absl::StatusOr<CastResult> Cast(int64_t round_id, int32_t district, const std::string& token,
                                  const std::vector<BallotChoice>& choices, const std::string& key = "k1",
                                  const std::string& address = "192.0.2.1") {
    std::promise<absl::StatusOr<CastResult>> result;
    app_.CastBallot(round_id, district, token, choices, key, address,
                    [&](absl::StatusOr<CastResult> r) { result.set_value(std::move(r)); });
    return result.get_future().get();
  }

  // An operator with every role.
  const operators::Actor admin_{
      {1, "anong", {operators::Role::kModerator, operators::Role::kRoundAdmin, operators::Role::kDataAdmin}},
      operators::Role::kRoundAdmin,
      "req-1"};
  InMemoryVotingRepository repo_;
  InMemoryTallyStore tallies_;
  InMemoryRateLimiter limiter_;
  TallyApplier applier_;
  VotingApp app_;
  BallotWriter writer_;
};

TEST_F(VotingAppTest, RoundsMoveOnePhaseForwardAtATime) {
  auto round = app_.CreateRound(NewRound(), admin_);
  ASSERT_THAT(round, IsOk());
  EXPECT_EQ(round->phase, Phase::kProposals);
  const int64_t id = round->round_id;
  // Skipping or going back is refused and changes nothing.
  EXPECT_THAT(app_.AdvanceRoundPhase(id, Phase::kVoting, admin_),
              StatusIs(Code::kFailedPrecondition, HasSubstr("the next phase is review")));
  EXPECT_THAT(app_.AdvanceRoundPhase(id, Phase::kProposals, admin_), StatusIs(Code::kFailedPrecondition));
  EXPECT_EQ(app_.GetRound(id)->phase, Phase::kProposals);
  for (Phase to : {Phase::kReview, Phase::kVoting, Phase::kClosed, Phase::kPublished}) {
    auto moved = app_.AdvanceRoundPhase(id, to, admin_);
    ASSERT_THAT(moved, IsOk()) << PhaseName(to);
    EXPECT_EQ(moved->phase, to);
  }
  EXPECT_THAT(app_.AdvanceRoundPhase(id, Phase::kPublished, admin_),
              StatusIs(Code::kFailedPrecondition, HasSubstr("already published")));
  EXPECT_THAT(app_.AdvanceRoundPhase(id + 100, Phase::kReview, admin_), StatusIs(Code::kNotFound));
  // Every move was announced, so live tallies of the round can end.
  int announced = 0;
  for (const auto& c : tallies_.published()) announced += c.kind == TallyChange::Kind::kRound && c.round_id == id;
  EXPECT_EQ(announced, 4);
}

TEST_F(VotingAppTest, BadRoundsAreRefusedWithTheReason) {
  struct Case {
    std::string what;
    std::function<void(RoundRecord&)> spoil;
    std::string says;
  };
  const std::vector<Case> cases = {
      {"no name", [](RoundRecord& r) { r.name = "  "; }, "round.name is required"},
      {"a Gregorian year", [](RoundRecord& r) { r.fiscal_year = 2024; }, "Buddhist-era year"},
      {"no district", [](RoundRecord& r) { r.districts.clear(); }, "at least one district"},
      {"district 51",
       [](RoundRecord& r) {
         r.districts = {{51, 10}};
       },
       "district_id must be 1-50"},
      {"a district twice",
       [](RoundRecord& r) {
         r.districts = {{7, 10}, {7, 20}};
       },
       "listed twice"},
      {"no budget",
       [](RoundRecord& r) {
         r.districts = {{7, 0}};
       },
       "budget_baht of district 7"},
      {"zero choices", [](RoundRecord& r) { r.ballot_rule = BallotRule::Approval(-1); }, ""},
  };
  for (const auto& c : cases) {
    RoundRecord r = NewRound();
    c.spoil(r);
    EXPECT_THAT(app_.CreateRound(r, admin_), StatusIs(Code::kInvalidArgument, HasSubstr(c.says))) << c.what;
  }
  EXPECT_THAT(app_.ListRounds(), IsOk());
  EXPECT_TRUE(app_.ListRounds()->empty()) << "nothing was stored";
}

TEST_F(VotingAppTest, RulesFreezeOnceVotingOpens) {
  auto round = *app_.CreateRound(NewRound(), admin_);
  const std::vector<RoundDistrict> districts = {{7, 9'000'000}};
  auto changed = app_.UpdateRoundRules(
      round.round_id, {BallotRule::Approval(3), OutcomeRule::kEqualSharesAdd1, districts, {}, {}}, admin_);
  ASSERT_THAT(changed, IsOk());
  EXPECT_EQ(changed->ballot_rule.max_choices, 3);
  EXPECT_EQ(changed->outcome_rule, OutcomeRule::kEqualSharesAdd1);
  ASSERT_THAT(app_.AdvanceRoundPhase(round.round_id, Phase::kReview, admin_), IsOk());
  EXPECT_THAT(
      app_.UpdateRoundRules(round.round_id, {BallotRule::Approval(1), OutcomeRule::kGreedy, districts, {}, {}}, admin_),
      IsOk());
  ASSERT_THAT(app_.AdvanceRoundPhase(round.round_id, Phase::kVoting, admin_), IsOk());
  EXPECT_THAT(
      app_.UpdateRoundRules(round.round_id, {BallotRule::Approval(5), OutcomeRule::kGreedy, districts, {}, {}}, admin_),
      StatusIs(Code::kFailedPrecondition, HasSubstr("frozen")));
  EXPECT_EQ(app_.GetRound(round.round_id)->ballot_rule.max_choices, 1) << "the refused change left no trace";
}

TEST_F(VotingAppTest, ProposalsAndModeration) {
  auto round = *app_.CreateRound(NewRound(), admin_);
  const int64_t id = round.round_id;
  EXPECT_THAT(app_.SubmitProposal(Proposal(id, 7, "ab", 1000)), StatusIs(Code::kInvalidArgument, HasSubstr("title")));
  EXPECT_THAT(app_.SubmitProposal(Proposal(id, 7, "ทางเท้าร่มรื่น", 6'000'000)),
              StatusIs(Code::kInvalidArgument, HasSubstr("district budget (5000000 baht)")));
  EXPECT_THAT(app_.SubmitProposal(Proposal(id, 9, "ทางเท้าร่มรื่น", 1000)),
              StatusIs(Code::kNotFound, HasSubstr("district_id 9 is not part of round")));
  ProposalRecord tagged = Proposal(id, 7, "ทางเท้าร่มรื่น", 1000);
  tagged.strategy_tag = "x9";
  EXPECT_THAT(app_.SubmitProposal(tagged), StatusIs(Code::kInvalidArgument, HasSubstr("strategy_tag")));
  auto p = app_.SubmitProposal(Proposal(id, 7, "ทางเท้าร่มรื่น", 1000));
  ASSERT_THAT(p, IsOk());
  EXPECT_EQ(p->proposal.status, ModerationStatus::kPending);
  EXPECT_TRUE(app_.ListProposals(id, 7, false)->empty()) << "pending proposals are not listed publicly";
  EXPECT_EQ(app_.ListProposals(id, 7, true)->size(), 1u);
  EXPECT_THAT(app_.ModerateProposal(p->proposal.proposal_id, false, "", admin_),
              StatusIs(Code::kInvalidArgument, HasSubstr("rejection_reason is required")));
  auto rejected = app_.ModerateProposal(p->proposal.proposal_id, false, "ซ้ำกับโครงการเดิม", admin_);
  ASSERT_THAT(rejected, IsOk());
  EXPECT_EQ(rejected->status, ModerationStatus::kRejected);
  EXPECT_EQ(rejected->rejection_reason, "ซ้ำกับโครงการเดิม");
  ASSERT_THAT(app_.ModerateProposal(p->proposal.proposal_id, true, "", admin_), IsOk());
  EXPECT_EQ(app_.ListProposals(id, 7, false)->size(), 1u);
  // Proposals only in phase proposals; moderation only before voting.
  ASSERT_THAT(app_.AdvanceRoundPhase(id, Phase::kReview, admin_), IsOk());
  EXPECT_THAT(app_.SubmitProposal(Proposal(id, 7, "ลานกีฬา", 1000)),
              StatusIs(Code::kFailedPrecondition, HasSubstr("only in phase proposals")));
  ASSERT_THAT(app_.AdvanceRoundPhase(id, Phase::kVoting, admin_), IsOk());
  EXPECT_THAT(app_.ModerateProposal(p->proposal.proposal_id, false, "late", admin_),
              StatusIs(Code::kFailedPrecondition, HasSubstr("before voting opens")));
}

TEST_F(VotingAppTest, VotersRegisterByTheRoundsIdentityMode) {
  auto open = OpenRound();
  const int64_t id = open.round.round_id;
  EXPECT_THAT(app_.RegisterVoter(id, "", ""), StatusIs(Code::kInvalidArgument, HasSubstr("citizen_id is required")));
  std::string bad = CitizenId(5);
  bad.back() = bad.back() == '9' ? '0' : static_cast<char>(bad.back() + 1);
  EXPECT_THAT(app_.RegisterVoter(id, bad, ""), StatusIs(Code::kInvalidArgument));
  EXPECT_THAT(app_.RegisterVoter(id, CitizenId(5), ""), IsOk());
  EXPECT_THAT(app_.RegisterVoter(id + 50, CitizenId(5), ""), StatusIs(Code::kNotFound));
  RoundRecord anonymous = NewRound();
  anonymous.identity_mode = IdentityMode::kAnonymousBrowser;
  auto anon = *app_.CreateRound(anonymous, admin_);
  EXPECT_THAT(app_.RegisterVoter(anon.round_id, "", ""), StatusIs(Code::kInvalidArgument, HasSubstr("browser_id")));
  ASSERT_THAT(app_.AdvanceRoundPhase(id, Phase::kClosed, admin_), IsOk());
  EXPECT_THAT(app_.RegisterVoter(id, CitizenId(6), ""), StatusIs(Code::kFailedPrecondition, HasSubstr("has closed")));
}

TEST_F(VotingAppTest, ABallotIsCountedOnceAndARetryGetsTheSameReceipt) {
  auto open = OpenRound();
  const int64_t id = open.round.round_id;
  const std::string token = Token(id, 1);
  auto first = Cast(id, 7, token, {{open.proposals[0], 1}, {open.proposals[2], 1}}, "retry-key");
  ASSERT_THAT(first, IsOk());
  EXPECT_EQ(first->receipt_code.size(), 16u);
  EXPECT_FALSE(first->replayed);
  auto retry = Cast(id, 7, token, {{open.proposals[0], 1}, {open.proposals[2], 1}}, "retry-key");
  ASSERT_THAT(retry, IsOk());
  EXPECT_EQ(retry->receipt_code, first->receipt_code);
  EXPECT_EQ(retry->ballot_id, first->ballot_id);
  EXPECT_TRUE(retry->replayed);
  EXPECT_THAT(Cast(id, 7, token, {{open.proposals[1], 1}}, "another-key"),
              StatusIs(Code::kAlreadyExists, HasSubstr("already cast a ballot in this district")));
  EXPECT_EQ(repo_.ballot_count(), 1u);
  // The same voter may vote in the round's other district.
  auto other = app_.SubmitProposal(Proposal(id, 8, "x", 1));
  EXPECT_THAT(other, StatusIs(Code::kFailedPrecondition)) << "no proposals while voting";
  auto receipt = app_.CheckReceipt(first->receipt_code);
  ASSERT_THAT(receipt, IsOk());
  EXPECT_EQ(receipt->district_id, 7);
  EXPECT_THAT(app_.CheckReceipt(""), StatusIs(Code::kInvalidArgument, HasSubstr("receipt_code is required")));
  EXPECT_THAT(app_.CheckReceipt("NOSUCHRECEIPT000"), StatusIs(Code::kNotFound));
}

TEST_F(VotingAppTest, BallotsAreRefusedWithTheMatchingStatus) {
  auto open = OpenRound(3, BallotRule::Approval(2));
  const int64_t id = open.round.round_id;
  const std::string token = Token(id, 2);
  EXPECT_THAT(Cast(id, 7, "", {{open.proposals[0], 1}}), StatusIs(Code::kUnauthenticated, HasSubstr("RegisterVoter")));
  EXPECT_THAT(Cast(id, 7, "not-a-token", {{open.proposals[0], 1}}), StatusIs(Code::kUnauthenticated));
  auto second = OpenRound();
  EXPECT_THAT(Cast(second.round.round_id, 7, token, {{second.proposals[0], 1}}),
              StatusIs(Code::kPermissionDenied, HasSubstr("issued for round")));
  EXPECT_THAT(Cast(id, 9, token, {{open.proposals[0], 1}}), StatusIs(Code::kNotFound, HasSubstr("district_id 9")));
  EXPECT_THAT(Cast(id, 7, token, {}), StatusIs(Code::kInvalidArgument));
  EXPECT_THAT(Cast(id, 7, token, {{999, 1}}), StatusIs(Code::kNotFound)) << "not an approved proposal";
  EXPECT_THAT(Cast(id, 7, token, {{open.proposals[0], 1}, {open.proposals[0], 1}}), StatusIs(Code::kInvalidArgument));
  EXPECT_THAT(Cast(id, 7, token, {{open.proposals[0], 1}, {open.proposals[1], 1}, {open.proposals[2], 1}}),
              StatusIs(Code::kInvalidArgument))
      << "three choices under a two-choice rule";
  EXPECT_THAT(Cast(id, 7, token, {{open.proposals[0], 1}}, std::string(129, 'k')),
              StatusIs(Code::kInvalidArgument, HasSubstr("idempotency_key")));
  EXPECT_EQ(repo_.ballot_count(), 0u) << "no refused ballot was stored";
  // Once closed, ballots are refused by phase (and, at commit, by the repository).
  ASSERT_THAT(app_.AdvanceRoundPhase(id, Phase::kClosed, admin_), IsOk());
  EXPECT_THAT(Cast(id, 7, token, {{open.proposals[0], 1}}),
              StatusIs(Code::kFailedPrecondition, HasSubstr("only while voting is open")));
}

TEST_F(VotingAppTest, RateLimitsRefuseAndFailOpenWhenTheLimiterIsDown) {
  auto open = OpenRound();
  const int64_t id = open.round.round_id;
  const std::string token = Token(id, 3);
  // Five attempts a minute per voter token (the test's limit): the sixth is refused.
  for (int i = 0; i < 5; ++i) (void)Cast(id, 7, token, {{open.proposals[0], 1}}, absl::StrCat("k", i));
  EXPECT_THAT(Cast(id, 7, token, {{open.proposals[0], 1}}, "k5"),
              StatusIs(Code::kResourceExhausted, HasSubstr("wait a minute")));
  limiter_.NextWindow();
  EXPECT_THAT(Cast(id, 7, token, {{open.proposals[0], 1}}, "k0"), IsOk()) << "a new minute; the replay answers";
  // The limiter down: ballots still go through (the one-per-voter rule holds).
  limiter_.set_down(true);
  for (int i = 0; i < 8; ++i) {
    EXPECT_THAT(Cast(id, 7, Token(id, 100 + i), {{open.proposals[1], 1}}), IsOk());
  }
}

TEST_F(VotingAppTest, TalliesComeFromTheStoreAndFromTheRepositoryWhenItIsDown) {
  auto open = OpenRound();
  const int64_t id = open.round.round_id;
  for (int v = 0; v < 4; ++v) {
    ASSERT_THAT(Cast(id, 7, Token(id, 200 + v), {{open.proposals[v % 2 == 0 ? 2 : 1], 1}}), IsOk());
  }
  ASSERT_THAT(applier_.CatchUp(), IsOk());
  auto top = app_.GetTopProposals(id, 7, 10);
  ASSERT_THAT(top, IsOk());
  EXPECT_EQ(top->served_from, "redis");
  EXPECT_EQ(top->voter_count, 4);
  ASSERT_EQ(top->proposals.size(), 3u);
  // Ties: most support first, then the older proposal.
  EXPECT_EQ(top->proposals[0].proposal.proposal_id, open.proposals[1]);
  EXPECT_EQ(top->proposals[1].proposal.proposal_id, open.proposals[2]);
  EXPECT_EQ(top->proposals[0].support, 2);
  EXPECT_EQ(top->proposals[2].support, 0);
  EXPECT_EQ(top->proposals[2].rank, 3);
  EXPECT_FALSE(top->voting_closed);
  tallies_.set_down(true);
  (void)applier_.CatchUp();  // notices the store is gone
  auto fallback = app_.GetTopProposals(id, 7, 2);
  ASSERT_THAT(fallback, IsOk());
  EXPECT_EQ(fallback->served_from, "postgresql");
  EXPECT_EQ(fallback->voter_count, 4);
  EXPECT_EQ(fallback->proposals.size(), 2u);
  EXPECT_EQ(fallback->watermark, top->watermark);
  auto turnout = app_.GetTurnout(id);
  ASSERT_THAT(turnout, IsOk());
  EXPECT_EQ(turnout->total_voters, 4);
  EXPECT_THAT(app_.GetTopProposals(id, 7, 101), StatusIs(Code::kInvalidArgument, HasSubstr("limit must be 1-100")));
  ASSERT_THAT(app_.AdvanceRoundPhase(id, Phase::kClosed, admin_), IsOk());
  EXPECT_TRUE(app_.GetTopProposals(id, 7, 0)->voting_closed);
}

TEST_F(VotingAppTest, OutcomesOnlyOnceVotingHasClosed) {
  auto open = OpenRound(3, BallotRule::Approval(1));
  const int64_t id = open.round.round_id;
  for (int v = 0; v < 3; ++v) ASSERT_THAT(Cast(id, 7, Token(id, 300 + v), {{open.proposals[2], 1}}), IsOk());
  EXPECT_THAT(app_.ComputeOutcome(id, 7, std::nullopt, Audience::kOperator),
              StatusIs(Code::kFailedPrecondition, HasSubstr("once voting has closed")));
  ASSERT_THAT(app_.AdvanceRoundPhase(id, Phase::kClosed, admin_), IsOk());
  auto outcome = app_.ComputeOutcome(id, 7, std::nullopt, Audience::kOperator);
  ASSERT_THAT(outcome, IsOk());
  EXPECT_EQ(outcome->outcome.voters, 3);
  ASSERT_FALSE(outcome->outcome.funded_ids.empty());
  EXPECT_EQ(outcome->proposals.at(outcome->outcome.funded_ids[0]).proposal_id, open.proposals[2]);
}

TEST_F(VotingAppTest, APabulibFileBecomesAClosedRound) {
  const std::string file =
      "META\nkey;value\ndescription;Local PB in Testville\ncountry;Poland\nunit;Testville\nnum_projects;3\n"
      "num_votes;4\nbudget;1000\nvote_type;approval\nrule;equalshares/add1\n"
      "PROJECTS\nproject_id;cost;votes;name\n10;600;3;Park\n11;500;2;Library\n12;300;1;\n"
      "VOTES\nvoter_id;vote\nv1;10,11\nv2;10\nv3;10,11,12\nv4;12\n";
  auto imported = app_.ImportPabulib("testville.pb", file, 12, admin_);
  ASSERT_THAT(imported, IsOk());
  const RoundRecord& round = imported->round;
  const int projects = imported->proposals;
  const int ballots = imported->ballots;
  EXPECT_EQ(round.name, "Local PB in Testville");
  ASSERT_TRUE(round.archive.has_value()) << "an imported election is an archive record";
  EXPECT_EQ(round.archive->unit, "Testville");
  EXPECT_EQ(round.archive->country, "Poland");
  EXPECT_EQ(round.fiscal_year, 0) << "not a Bangkok fiscal year";
  EXPECT_TRUE(imported->notes.empty());
  EXPECT_EQ(round.source, "testville.pb");
  EXPECT_EQ(round.phase, Phase::kClosed);
  EXPECT_EQ(round.identity_mode, IdentityMode::kAnonymousBrowser);
  EXPECT_EQ(round.outcome_rule, OutcomeRule::kEqualSharesAdd1);
  EXPECT_EQ(round.ballot_rule.kind, BallotKind::kApproval);
  EXPECT_EQ(round.ballot_rule.max_choices, 3) << "the longest ballot";
  ASSERT_EQ(round.districts.size(), 1u);
  EXPECT_EQ(round.districts[0].district_id, 12);
  EXPECT_EQ(round.districts[0].budget_baht, 1000);
  EXPECT_EQ(projects, 3);
  EXPECT_EQ(ballots, 4);
  auto listed = app_.ListProposals(round.round_id, 12, false);
  ASSERT_THAT(listed, IsOk());
  ASSERT_EQ(listed->size(), 3u);
  EXPECT_EQ((*listed)[0].external_id, "10");
  EXPECT_EQ((*listed)[0].title, "Park");
  EXPECT_EQ((*listed)[2].title, "Project 12") << "an unnamed project gets its id";
  // Exported again, it reads back with the same projects and votes.
  auto exported = app_.ExportPabulib(round.round_id, 12, Audience::kOperator);
  ASSERT_THAT(exported, IsOk());
  EXPECT_THAT(*exported, HasSubstr("rule;equalshares/add1"));
  EXPECT_THAT(*exported, HasSubstr("10;600;3;Park"));
  // Refusals, with nothing stored.
  EXPECT_THAT(app_.ImportPabulib("x.pb", "", 1, admin_),
              StatusIs(Code::kInvalidArgument, HasSubstr("content is empty")));
  EXPECT_THAT(app_.ImportPabulib("x.pb", file, 51, admin_), StatusIs(Code::kInvalidArgument, HasSubstr("district_id")));
  EXPECT_THAT(app_.ImportPabulib("x.pb", "META\nkey;value\nbudget;10\n", 1, admin_), StatusIs(Code::kInvalidArgument));
  // Listed apart: never among the city's rounds, never published as one.
  EXPECT_TRUE(app_.ListRounds()->empty());
  ASSERT_EQ(app_.ListRounds(/*archive=*/true)->size(), 1u);
  EXPECT_THAT(app_.AdvanceRoundPhase(round.round_id, Phase::kPublished, admin_),
              StatusIs(Code::kFailedPrecondition, HasSubstr("archive record")));
  // Its outcome is public at once (the election was public where it happened).
  EXPECT_THAT(app_.ComputeOutcome(round.round_id, 12, std::nullopt, Audience::kPublic), IsOk());
}

TEST_F(VotingAppTest, ImportedRuleNotRunHereIsLeftToTheOperator) {
  const std::string file =
      "META\nbudget;1000.50\nrule;greedy-custom\nmin_project_score_threshold;2\ncurrency;PLN\n"
      "PROJECTS\nproject_id;cost\nA;600.25\nB;400\nC;100\n"
      "VOTES\nvoter_id;vote\nv1;A,B,A\nv2;A,B\nv3;C\n";
  auto imported = app_.ImportPabulib("custom.pb", file, 1, admin_);
  ASSERT_THAT(imported, IsOk());
  const int64_t id = imported->round.round_id;
  EXPECT_EQ(imported->round.outcome_rule, OutcomeRule::kNotChosen);
  EXPECT_EQ(imported->round.min_support, 2);
  EXPECT_EQ(imported->round.money_scale, 2);
  EXPECT_EQ(imported->round.districts[0].budget_baht, 100050);
  std::vector<std::string> notes;
  for (const PbNote& n : imported->notes) notes.push_back(absl::StrCat(n.line, ": ", n.text));
  EXPECT_THAT(notes, ElementsAre(HasSubstr("13: voter v1 names project A twice; counted once"),
                                 HasSubstr("0: META rule \"greedy-custom\" is not one this service runs")));
  EXPECT_THAT(app_.ComputeOutcome(id, 1, std::nullopt, Audience::kPublic),
              StatusIs(Code::kFailedPrecondition, HasSubstr("choose an outcome rule")));
  // The operator chooses; the ballots and budget stay the record.
  const RoundRecord& r = imported->round;
  EXPECT_THAT(app_.UpdateRoundRules(id, {BallotRule::Approval(1), OutcomeRule::kGreedy, r.districts, {}, {}}, admin_),
              StatusIs(Code::kFailedPrecondition, HasSubstr("send them unchanged")));
  ASSERT_THAT(app_.UpdateRoundRules(id, {r.ballot_rule, OutcomeRule::kGreedyNoSkip, r.districts, {}, {}}, admin_),
              IsOk());
  auto outcome = app_.ComputeOutcome(id, 1, std::nullopt, Audience::kPublic);
  ASSERT_THAT(outcome, IsOk());
  // A and B reach the threshold of 2; C (1 vote) does not.
  EXPECT_THAT(outcome->outcome.funded_ids, ElementsAre("B", "A")) << "equal support: the cheaper first";
  EXPECT_EQ(outcome->outcome.total_cost, 100025);
  EXPECT_EQ(outcome->outcome.Find("C")->reason, ProjectReason::kBelowThreshold);
  // Exported, the amounts and the rule read back exactly.
  auto exported = app_.ExportPabulib(id, 1, Audience::kPublic);
  ASSERT_THAT(exported, IsOk());
  EXPECT_THAT(*exported, HasSubstr("budget;1000.50\n"));
  EXPECT_THAT(*exported, HasSubstr("rule;greedy-no-skip\n"));
  EXPECT_THAT(*exported, HasSubstr("min_project_score_threshold;2\n"));
  EXPECT_THAT(*exported, HasSubstr("A;600.25;"));
}

TEST_F(VotingAppTest, OnlyApprovedProposalsArePublicButTheAuthorSeesTheirs) {
  auto round = *app_.CreateRound(NewRound(), admin_);
  auto submitted = app_.SubmitProposal(Proposal(round.round_id, 7, "ทางเท้าร่มรื่น", 1000));
  ASSERT_THAT(submitted, IsOk());
  ASSERT_GE(submitted->author_token.size(), 32u);
  EXPECT_NE(submitted->proposal.author_token_hash, submitted->author_token) << "only a hash is kept";
  const int64_t id = submitted->proposal.proposal_id;
  EXPECT_THAT(app_.GetProposal(id, Audience::kPublic, ""), StatusIs(Code::kNotFound, HasSubstr("does not exist")));
  EXPECT_THAT(app_.GetProposal(id, Audience::kPublic, "not-the-token"), StatusIs(Code::kNotFound));
  EXPECT_THAT(app_.GetProposal(id, Audience::kPublic, submitted->author_token), IsOk());
  EXPECT_THAT(app_.GetProposal(id, Audience::kOperator, ""), IsOk());
  // Rejected: still private, and the author reads the reason.
  ASSERT_THAT(app_.ModerateProposal(id, false, "ซ้ำกับโครงการเดิม", admin_), IsOk());
  EXPECT_THAT(app_.GetProposal(id, Audience::kPublic, ""), StatusIs(Code::kNotFound));
  EXPECT_EQ(app_.GetProposal(id, Audience::kPublic, submitted->author_token)->first.rejection_reason, "ซ้ำกับโครงการเดิม");
  ASSERT_THAT(app_.ModerateProposal(id, true, "", admin_), IsOk());
  EXPECT_THAT(app_.GetProposal(id, Audience::kPublic, ""), IsOk()) << "approved: public";
}

TEST_F(VotingAppTest, OutcomesAndExportsArePublicOnlyOncePublished) {
  auto open = OpenRound(2, BallotRule::Approval(1));
  const int64_t id = open.round.round_id;
  ASSERT_THAT(Cast(id, 7, Token(id, 500), {{open.proposals[1], 1}}), IsOk());
  ASSERT_THAT(app_.AdvanceRoundPhase(id, Phase::kClosed, admin_), IsOk());
  EXPECT_THAT(app_.ComputeOutcome(id, 7, std::nullopt, Audience::kPublic),
              StatusIs(Code::kFailedPrecondition, HasSubstr("not published yet")));
  EXPECT_THAT(app_.ExportPabulib(id, 7, Audience::kPublic), StatusIs(Code::kFailedPrecondition));
  EXPECT_THAT(app_.ComputeOutcome(id, 7, std::nullopt, Audience::kOperator), IsOk()) << "operators review first";
  EXPECT_THAT(app_.ExportPabulib(id, 7, Audience::kOperator), IsOk());
  ASSERT_THAT(app_.AdvanceRoundPhase(id, Phase::kPublished, admin_), IsOk());
  EXPECT_THAT(app_.ComputeOutcome(id, 7, std::nullopt, Audience::kPublic), IsOk());
  EXPECT_THAT(app_.ExportPabulib(id, 7, Audience::kPublic), IsOk());
}

TEST_F(VotingAppTest, PublishingFreezesEachResultAndTurnsWinnersIntoProjects) {
  auto open = OpenRound(3, BallotRule::Approval(1));
  const int64_t id = open.round.round_id;
  ASSERT_THAT(Cast(id, 7, Token(id, 600), {{open.proposals[2], 1}}), IsOk());
  ASSERT_THAT(Cast(id, 7, Token(id, 601), {{open.proposals[2], 1}}), IsOk());
  ASSERT_THAT(Cast(id, 7, Token(id, 602), {{open.proposals[0], 1}}), IsOk());
  ASSERT_THAT(app_.AdvanceRoundPhase(id, Phase::kClosed, admin_), IsOk());
  auto live = app_.ComputeOutcome(id, 7, std::nullopt, Audience::kOperator);
  ASSERT_THAT(live, IsOk());
  EXPECT_FALSE(live->official) << "a closed round's outcome is a preview";
  ASSERT_THAT(app_.AdvanceRoundPhase(id, Phase::kPublished, admin_), IsOk());

  auto official = app_.ComputeOutcome(id, 7, std::nullopt, Audience::kPublic);
  ASSERT_THAT(official, IsOk());
  EXPECT_TRUE(official->official);
  EXPECT_FALSE(official->published_at.empty());
  EXPECT_EQ(official->outcome.funded_ids, live->outcome.funded_ids);
  EXPECT_EQ(official->outcome.summary, live->outcome.summary);
  ASSERT_EQ(official->outcome.projects.size(), live->outcome.projects.size());
  for (size_t i = 0; i < live->outcome.projects.size(); ++i) {
    EXPECT_EQ(official->outcome.projects[i].explanation, live->outcome.projects[i].explanation);
  }
  auto what_if = app_.ComputeOutcome(id, 7, OutcomeRule::kEqualSharesAdd1, Audience::kPublic);
  ASSERT_THAT(what_if, IsOk());
  EXPECT_FALSE(what_if->official) << "another rule is a what-if, never the result";

  // Each funded proposal became a planned project; district 8 funded nothing.
  auto projects = app_.ListProjects({id});
  ASSERT_THAT(projects, IsOk());
  ASSERT_EQ(projects->size(), live->outcome.funded_ids.size());
  EXPECT_EQ((*projects)[0].proposal_id, open.proposals[2]);
  EXPECT_EQ((*projects)[0].status, ProjectStatus::kPlanned);
  EXPECT_EQ((*projects)[0].funded_baht, 1'000'002);
  EXPECT_THAT(app_.ListProjects({id, 8}), IsOk());
  EXPECT_TRUE(app_.ListProjects({id, 8})->empty());
  EXPECT_THAT(app_.ListProjects({0, 51}), StatusIs(Code::kInvalidArgument));

  const int64_t project_id = (*projects)[0].project_id;
  ProjectChange change;
  change.text = "ประกาศจัดซื้อจัดจ้าง";
  change.status = ProjectStatus::kProcurement;
  change.committed_baht = 990'000;
  const operators::Actor tracker{{2, "kanda", {operators::Role::kTracker}}, operators::Role::kTracker, "req-2"};
  auto updated = app_.UpdateProject(project_id, change, tracker);
  ASSERT_THAT(updated, IsOk());
  EXPECT_EQ(updated->second.operator_name, "kanda");
  change.text = "ลดวงเงิน";
  change.status.reset();
  change.committed_baht = 900'000;
  EXPECT_THAT(app_.UpdateProject(project_id, change, tracker),
              StatusIs(Code::kFailedPrecondition, HasSubstr("reason")));
  auto timeline = app_.GetProject(project_id);
  ASSERT_THAT(timeline, IsOk());
  ASSERT_EQ(timeline->updates.size(), 1u) << "the refused update left no entry";
  EXPECT_EQ(timeline->project.committed_baht, 990'000);
  EXPECT_EQ(timeline->updates[0].status, ProjectStatus::kProcurement);
  EXPECT_EQ(repo_.audit_events().back().action, "UpdateProject");
  EXPECT_THAT(app_.GetProject(project_id + 100), StatusIs(Code::kNotFound));
}

TEST_F(VotingAppTest, AVoterChoosesOneDistrictUnlessTheRoundAllowsEach) {
  EXPECT_EQ(app_.CreateRound(NewRound(), admin_)->districts_per_voter, DistrictsPerVoter::kOne)
      << "the default for a city round";
  // A round over districts 7 and 8, one approved proposal in each, voting.
  auto open_both = [&](DistrictsPerVoter per_voter) {
    RoundRecord r = NewRound();
    r.districts_per_voter = per_voter;
    auto round = *app_.CreateRound(r, admin_);
    std::map<int32_t, int64_t> proposal;
    for (int32_t d : {7, 8}) {
      auto p = *app_.SubmitProposal(Proposal(round.round_id, d, "ห้องสมุดชุมชน", 1000));
      EXPECT_THAT(app_.ModerateProposal(p.proposal.proposal_id, true, "", admin_), IsOk());
      proposal[d] = p.proposal.proposal_id;
    }
    EXPECT_THAT(app_.AdvanceRoundPhase(round.round_id, Phase::kReview, admin_), IsOk());
    EXPECT_THAT(app_.AdvanceRoundPhase(round.round_id, Phase::kVoting, admin_), IsOk());
    return std::make_pair(round.round_id, proposal);
  };
  auto [one, one_proposal] = open_both(DistrictsPerVoter::kOne);
  const std::string voter = Token(one, 600);
  auto first = Cast(one, 7, voter, {{one_proposal[7], 1}}, "first");
  ASSERT_THAT(first, IsOk());
  EXPECT_THAT(Cast(one, 8, voter, {{one_proposal[8], 1}}, "second"),
              StatusIs(Code::kAlreadyExists, HasSubstr("already voted in this round, in district 7")));
  EXPECT_EQ(Cast(one, 7, voter, {{one_proposal[7], 1}}, "first")->receipt_code, first->receipt_code)
      << "a retry in the same district is still a replay";
  EXPECT_THAT(Cast(one, 8, Token(one, 601), {{one_proposal[8], 1}}), IsOk()) << "another voter is free";

  auto [each, each_proposal] = open_both(DistrictsPerVoter::kEach);
  const std::string token = Token(each, 600);
  EXPECT_THAT(Cast(each, 7, token, {{each_proposal[7], 1}}, "a"), IsOk());
  EXPECT_THAT(Cast(each, 8, token, {{each_proposal[8], 1}}, "b"), IsOk());
}

TEST_F(VotingAppTest, OperatorsActionsAreAudited) {
  auto open = OpenRound(1);
  auto events = repo_.audit_events();
  // CreateRound, SubmitProposal is a citizen's (not audited), ModerateProposal, two AdvanceRoundPhase.
  ASSERT_EQ(events.size(), 4u);
  EXPECT_EQ(events[0].action, "CreateRound");
  EXPECT_EQ(events[0].target, absl::StrCat("round ", open.round.round_id));
  EXPECT_EQ(events[0].round_id, open.round.round_id);
  EXPECT_EQ(events[1].action, "ModerateProposal");
  EXPECT_THAT(events[1].summary, HasSubstr("approved"));
  EXPECT_EQ(events[3].action, "AdvanceRoundPhase");
  EXPECT_EQ(events[3].summary, "review -> voting");
  for (const auto& e : events) {
    EXPECT_EQ(e.operator_name, "anong");
    EXPECT_EQ(e.request_id, "req-1");
  }
  // A refused action leaves no event.
  EXPECT_THAT(app_.AdvanceRoundPhase(open.round.round_id, Phase::kReview, admin_), StatusIs(Code::kFailedPrecondition));
  EXPECT_EQ(repo_.audit_events().size(), 4u);
}

TEST_F(VotingAppTest, ClosingSealsEachDistrictAndReceiptsProveInclusion) {
  auto open = OpenRound(3, BallotRule::Approval(2));
  const int64_t id = open.round.round_id;
  std::vector<CastResult> cast;
  for (int v = 0; v < 5; ++v) {
    auto r = Cast(id, 7, Token(id, 700 + v), {{open.proposals[v % 3], 1}, {open.proposals[(v + 1) % 3], 1}});
    ASSERT_THAT(r, IsOk());
    EXPECT_EQ(r->commitment_nonce.size(), 32u);
    cast.push_back(*r);
  }
  // While voting: the commitment, no proof yet, nothing logged.
  auto early = app_.CheckReceipt(cast[0].receipt_code);
  ASSERT_THAT(early, IsOk());
  EXPECT_EQ(early->commitment,
            BallotCommitment(cast[0].commitment_nonce, {{open.proposals[0], 1}, {open.proposals[1], 1}}))
      << "the voter recomputes it from the nonce and their choices";
  EXPECT_FALSE(early->inclusion.has_value());
  EXPECT_TRUE(repo_.TallyLog(id)->empty());
  ASSERT_THAT(app_.AdvanceRoundPhase(id, Phase::kClosed, admin_), IsOk());
  auto log = *repo_.TallyLog(id);
  ASSERT_EQ(log.size(), 2u) << "both districts of the round, the empty one too";
  const auto& entry = log[0].district_id == 7 ? log[0] : log[1];
  EXPECT_EQ(entry.voter_count, 5);
  int64_t total = 0;
  for (const auto& [proposal, support] : entry.tally) total += support;
  EXPECT_EQ(total, 10);
  EXPECT_EQ(log[0].entry_hash, EntryHash(log[0]));
  EXPECT_EQ(log[1].previous_hash, log[0].entry_hash) << "chained";
  for (const auto& c : cast) {
    auto checked = app_.CheckReceipt(c.receipt_code);
    ASSERT_THAT(checked, IsOk());
    ASSERT_TRUE(checked->inclusion.has_value());
    EXPECT_TRUE(VerifyInclusion(checked->commitment, checked->inclusion->leaf_index,
                                checked->inclusion->entry.voter_count, checked->inclusion->audit_path,
                                checked->inclusion->entry.merkle_root));
  }
  // Sealing again changes nothing; publishing keeps the same entries.
  ASSERT_THAT(app_.SealRound(id), IsOk());
  ASSERT_THAT(app_.AdvanceRoundPhase(id, Phase::kPublished, admin_), IsOk());
  EXPECT_EQ(repo_.TallyLog(id)->size(), 2u);
  EXPECT_EQ(repo_.TallyLog(id)->front().merkle_root, log.front().merkle_root);
}

TEST_F(VotingAppTest, AnOutageOfTheRepositoryAcknowledgesNothing) {
  auto open = OpenRound();
  const int64_t id = open.round.round_id;
  const std::string token = Token(id, 400);
  // Validated before the outage, the round's rules are cached; the commit fails.
  ASSERT_THAT(Cast(id, 7, Token(id, 401), {{open.proposals[0], 1}}), IsOk());
  repo_.set_down(true);
  EXPECT_THAT(Cast(id, 7, token, {{open.proposals[0], 1}}),
              StatusIs(Code::kUnavailable, HasSubstr("retry with the same idempotency key")));
  repo_.set_down(false);
  EXPECT_THAT(Cast(id, 7, token, {{open.proposals[0], 1}}), IsOk()) << "the retry is stored once";
  EXPECT_EQ(repo_.ballot_count(), 2u);
}

}  // namespace
}  // namespace bkk::voting
