// Every enum voting stores in PostgreSQL, pinned to the number it is stored
// as: reordering or inserting a value in an enum must fail here instead of
// silently changing the meaning of rounds, proposals and ballots already
// stored.
#include "services/voting/core/model.h"

#include <gtest/gtest.h>

#include "services/voting/core/projects.h"
#include "services/voting/core/rules.h"

namespace bkk::voting {
namespace {

TEST(StoredEnumTest, PhaseNumbers) {
  EXPECT_EQ(static_cast<int>(Phase::kProposals), 0);
  EXPECT_EQ(static_cast<int>(Phase::kReview), 1);
  EXPECT_EQ(static_cast<int>(Phase::kVoting), 2);
  EXPECT_EQ(static_cast<int>(Phase::kClosed), 3);
  EXPECT_EQ(static_cast<int>(Phase::kPublished), 4);
}

TEST(StoredEnumTest, BallotKindNumbers) {
  EXPECT_EQ(static_cast<int>(BallotKind::kApproval), 0);
  EXPECT_EQ(static_cast<int>(BallotKind::kKnapsack), 1);
  EXPECT_EQ(static_cast<int>(BallotKind::kCumulative), 2);
}

TEST(StoredEnumTest, OutcomeRuleNumbers) {
  EXPECT_EQ(static_cast<int>(OutcomeRule::kGreedy), 0);
  EXPECT_EQ(static_cast<int>(OutcomeRule::kEqualSharesAdd1), 1);
  EXPECT_EQ(static_cast<int>(OutcomeRule::kGreedyNoSkip), 2);
  EXPECT_EQ(static_cast<int>(OutcomeRule::kEqualSharesAdd1Comparison), 3);
  EXPECT_EQ(static_cast<int>(OutcomeRule::kNotChosen), 4);
}

TEST(StoredEnumTest, IdentityModeNumbers) {
  EXPECT_EQ(static_cast<int>(IdentityMode::kCitizenId), 1);
  EXPECT_EQ(static_cast<int>(IdentityMode::kAnonymousBrowser), 2);
}

TEST(StoredEnumTest, DistrictsPerVoterNumbers) {
  EXPECT_EQ(static_cast<int>(DistrictsPerVoter::kOne), 1);
  EXPECT_EQ(static_cast<int>(DistrictsPerVoter::kEach), 2);
}

TEST(StoredEnumTest, ModerationStatusNumbers) {
  EXPECT_EQ(static_cast<int>(ModerationStatus::kPending), 1);
  EXPECT_EQ(static_cast<int>(ModerationStatus::kApproved), 2);
  EXPECT_EQ(static_cast<int>(ModerationStatus::kRejected), 3);
}

// Also the proto's ProjectStatus numbers: the adapter casts between them.
TEST(StoredEnumTest, ProjectStatusNumbers) {
  EXPECT_EQ(static_cast<int>(ProjectStatus::kPlanned), 1);
  EXPECT_EQ(static_cast<int>(ProjectStatus::kProcurement), 2);
  EXPECT_EQ(static_cast<int>(ProjectStatus::kInProgress), 3);
  EXPECT_EQ(static_cast<int>(ProjectStatus::kCompleted), 4);
  EXPECT_EQ(static_cast<int>(ProjectStatus::kCancelled), 5);
}

}  // namespace
}  // namespace bkk::voting
