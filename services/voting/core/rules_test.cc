// Tests for round rules: phases, freezing and every ballot validation path.
#include "services/voting/core/rules.h"

#include "common/testing/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace bkk::voting {
namespace {

using ::bkk::testing::StatusIs;

using ::testing::HasSubstr;

constexpr int64_t kBudget = 1'000'000;

ApprovedProjects Approved() {
  return {{"1", 100'000}, {"2", 250'000}, {"3", 400'000}, {"4", 500'000}, {"5", 50'000}, {"6", 10'000}};
}

Ballot Choose(std::initializer_list<absl::string_view> ids) {
  Ballot ballot;
  for (absl::string_view id : ids) ballot.push_back({std::string(id), 1});
  return ballot;
}

TEST(PhaseTest, MovesOnlyOneStepForward) {
  EXPECT_TRUE(CheckPhaseTransition(Phase::kProposals, Phase::kReview).ok());
  EXPECT_TRUE(CheckPhaseTransition(Phase::kReview, Phase::kVoting).ok());
  EXPECT_TRUE(CheckPhaseTransition(Phase::kVoting, Phase::kClosed).ok());
  EXPECT_TRUE(CheckPhaseTransition(Phase::kClosed, Phase::kPublished).ok());

  const absl::Status skip = CheckPhaseTransition(Phase::kVoting, Phase::kPublished);
  EXPECT_EQ(skip.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(skip.message(), HasSubstr("voting -> published is not allowed"));
  EXPECT_THAT(skip.message(), HasSubstr("next phase is closed"));
  EXPECT_THAT(CheckPhaseTransition(Phase::kClosed, Phase::kVoting), StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_THAT(CheckPhaseTransition(Phase::kReview, Phase::kReview), StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_THAT(CheckPhaseTransition(Phase::kPublished, Phase::kProposals).message(), HasSubstr("already published"));
  EXPECT_EQ(NextPhase(Phase::kPublished), std::nullopt);
}

TEST(PhaseTest, NamesRoundTrip) {
  for (Phase p : {Phase::kProposals, Phase::kReview, Phase::kVoting, Phase::kClosed, Phase::kPublished}) {
    EXPECT_EQ(ParsePhase(PhaseName(p)).value(), p);
  }
  EXPECT_THAT(ParsePhase("open"), StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(PhaseTest, RulesFreezeOnceVotingOpens) {
  EXPECT_TRUE(CheckCanChangeRules(Phase::kProposals).ok());
  EXPECT_TRUE(CheckCanChangeRules(Phase::kReview).ok());
  for (Phase p : {Phase::kVoting, Phase::kClosed, Phase::kPublished}) {
    const absl::Status s = CheckCanChangeRules(p);
    EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
    EXPECT_THAT(s.message(), HasSubstr("rules are frozen once voting opens"));
  }
}

TEST(PhaseTest, BallotsOnlyWhileVoting) {
  EXPECT_TRUE(CheckCanVote(Phase::kVoting).ok());
  EXPECT_THAT(CheckCanVote(Phase::kClosed).message(), HasSubstr("only while voting is open"));
  EXPECT_THAT(CheckCanVote(Phase::kReview), StatusIs(absl::StatusCode::kFailedPrecondition));
}

TEST(OutcomeRuleTest, PabulibNamesRoundTrip) {
  EXPECT_EQ(OutcomeRuleName(OutcomeRule::kEqualSharesAdd1), "equalshares/add1");
  EXPECT_EQ(ParseOutcomeRule("greedy").value(), OutcomeRule::kGreedy);
  EXPECT_EQ(ParseOutcomeRule("equalshares/add1").value(), OutcomeRule::kEqualSharesAdd1);
  EXPECT_THAT(ParseOutcomeRule("equalshares"), StatusIs(absl::StatusCode::kInvalidArgument));
  for (OutcomeRule rule : {OutcomeRule::kGreedy, OutcomeRule::kGreedyNoSkip, OutcomeRule::kEqualSharesAdd1,
                           OutcomeRule::kEqualSharesAdd1Comparison}) {
    EXPECT_EQ(ParseOutcomeRule(OutcomeRuleName(rule)).value(), rule);
  }
  EXPECT_EQ(PabulibVoteType(BallotKind::kKnapsack), "approval");
  EXPECT_EQ(PabulibVoteType(BallotKind::kCumulative), "cumulative");
}

TEST(OutcomeRuleTest, PabulibRulesMapOrAreLeftToTheOperator) {
  EXPECT_EQ(OutcomeRuleFromPabulib("greedy-threshold"), OutcomeRule::kGreedy);
  EXPECT_EQ(OutcomeRuleFromPabulib("greedy-no-skip"), OutcomeRule::kGreedyNoSkip);
  EXPECT_EQ(OutcomeRuleFromPabulib("equalshares/add1-comparison"), OutcomeRule::kEqualSharesAdd1Comparison);
  EXPECT_EQ(OutcomeRuleFromPabulib("greedy-custom"), std::nullopt);
  EXPECT_EQ(OutcomeRuleFromPabulib("unknown"), std::nullopt);
  EXPECT_EQ(OutcomeRuleFromPabulib("not chosen"), std::nullopt);
  EXPECT_EQ(PabulibRuleOf({OutcomeRule::kGreedy, 50}), "greedy-threshold");
  EXPECT_EQ(PabulibRuleOf({OutcomeRule::kGreedy, 0}), "greedy");
  EXPECT_EQ(PabulibRuleOf({OutcomeRule::kGreedyNoSkip, 50}), "greedy-no-skip");
}

TEST(BallotRuleTest, ValidatesParameters) {
  EXPECT_TRUE(ValidateBallotRule(BallotRule::Approval(5)).ok());
  EXPECT_TRUE(ValidateBallotRule(BallotRule::Knapsack()).ok());
  EXPECT_TRUE(ValidateBallotRule(BallotRule::Cumulative(10, 5)).ok());
  EXPECT_THAT(ValidateBallotRule(BallotRule::Approval(0)), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ValidateBallotRule(BallotRule::Cumulative(0, 0)), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ValidateBallotRule(BallotRule::Cumulative(5, 6)), StatusIs(absl::StatusCode::kInvalidArgument));
  // A broken rule is the round's fault, not the voter's.
  EXPECT_EQ(ValidateBallot(BallotRule::Approval(0), kBudget, Approved(), Choose({"1"})).code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST(ValidateBallotTest, AcceptsValidBallots) {
  EXPECT_TRUE(ValidateBallot(BallotRule::Approval(5), kBudget, Approved(), Choose({"1", "2", "3", "4", "5"})).ok());
  EXPECT_TRUE(
      ValidateBallot(BallotRule::Knapsack(), kBudget, Approved(), Choose({"1", "3", "4"}))  // exactly the budget
          .ok());
  EXPECT_TRUE(ValidateBallot(BallotRule::Cumulative(10, 5), kBudget, Approved(), {{"1", 5}, {"2", 3}, {"6", 2}}).ok());
}

TEST(ValidateBallotTest, RejectsEmptyBallot) {
  const absl::Status s = ValidateBallot(BallotRule::Approval(5), kBudget, Approved(), {});
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("ballot is empty"));
}

TEST(ValidateBallotTest, UnknownProjectIsNotFound) {
  const absl::Status s = ValidateBallot(BallotRule::Approval(5), kBudget, Approved(), Choose({"1", "77"}));
  EXPECT_EQ(s.code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(s.message(), HasSubstr("project 77 is not an approved project"));
}

TEST(ValidateBallotTest, RejectsDuplicateProject) {
  const absl::Status s = ValidateBallot(BallotRule::Cumulative(10, 5), kBudget, Approved(), {{"2", 1}, {"2", 1}});
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("project 2 appears more than once"));
}

TEST(ValidateBallotTest, RejectsTooManyChoices) {
  const absl::Status s =
      ValidateBallot(BallotRule::Approval(5), kBudget, Approved(), Choose({"1", "2", "3", "4", "5", "6"}));
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), "ballot has 6 choices, the round allows at most 5");
}

TEST(ValidateBallotTest, RejectsKnapsackOverBudget) {
  const absl::Status s = ValidateBallot(BallotRule::Knapsack(), kBudget, Approved(), Choose({"2", "3", "4"}));
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(),
            "chosen projects cost 1150000 baht, the district budget is "
            "1000000 baht");
}

TEST(ValidateBallotTest, ApprovalAndKnapsackGiveOnePoint) {
  for (const BallotRule& rule : {BallotRule::Approval(5), BallotRule::Knapsack()}) {
    const absl::Status s = ValidateBallot(rule, kBudget, Approved(), {{"1", 1}, {"2", 2}});
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(s.message(), HasSubstr("exactly 1 point"));
    EXPECT_THAT(s.message(), HasSubstr("project 2 has 2"));
  }
}

TEST(ValidateBallotTest, RejectsNonPositivePoints) {
  for (int64_t points : {0, -3}) {
    const absl::Status s = ValidateBallot(BallotRule::Cumulative(10, 5), kBudget, Approved(), {{"1", points}});
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(s.message(), HasSubstr("at least 1 point"));
  }
}

TEST(ValidateBallotTest, RejectsPointsOverPerProjectMax) {
  const absl::Status s = ValidateBallot(BallotRule::Cumulative(10, 5), kBudget, Approved(), {{"1", 6}});
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), "project 1 has 6 points, the round allows at most 5 per project");
}

TEST(ValidateBallotTest, RejectsTotalPointsOverLimit) {
  const absl::Status s =
      ValidateBallot(BallotRule::Cumulative(10, 5), kBudget, Approved(), {{"1", 5}, {"2", 5}, {"3", 1}});
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), "ballot gives 11 points in total, the round allows at most 10");
}

}  // namespace
}  // namespace bkk::voting
