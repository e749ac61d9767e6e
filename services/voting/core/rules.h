// Rules of a participatory-budgeting round: how a ballot may be filled in
// (BallotRule), how winners are computed (OutcomeRule), and the round's life
// cycle (Phase) with the rule that rules freeze once voting opens.
// ValidateBallot is the single check every ballot passes before it is stored.
#ifndef SERVICES_VOTING_CORE_RULES_H_
#define SERVICES_VOTING_CORE_RULES_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace bkk::voting {

// Stored in PostgreSQL by number: never renumber.
enum class BallotKind {
  kApproval = 0,    // pick up to max_choices projects, 1 point each
  kKnapsack = 1,    // pick projects whose costs sum to at most the district budget
  kCumulative = 2,  // spread total_points, at most max_points_per_project each
};

struct BallotRule {
  BallotKind kind = BallotKind::kApproval;
  int32_t max_choices = 0;             // kApproval only
  int64_t total_points = 0;            // kCumulative only
  int64_t max_points_per_project = 0;  // kCumulative only

  static BallotRule Approval(int32_t max_choices);
  static BallotRule Knapsack();
  static BallotRule Cumulative(int64_t total_points, int64_t max_points_per_project);
};

// "approval" / "knapsack" / "cumulative".
absl::string_view BallotKindName(BallotKind kind);

// The pabulib `vote_type` a ballot kind is exported as. Knapsack ballots are
// stored as approval ballots, as pabulib itself does.
absl::string_view PabulibVoteType(BallotKind kind);

// INVALID_ARGUMENT unless the rule's parameters make sense for its kind
// (max_choices >= 1; total_points >= 1; 1 <= max_points_per_project <=
// total_points). Operators' rule changes go through this.
absl::Status ValidateBallotRule(const BallotRule& rule);

// Stored in PostgreSQL by number: never renumber. Every rule may be given a
// minimum support (OutcomeSpec::min_support): projects below it are not
// eligible, whatever the rule.
enum class OutcomeRule {
  kGreedy = 0,           // fund by support, skipping what no longer fits
  kEqualSharesAdd1 = 1,  // Method of Equal Shares (cost utilities), add1 completion
  kGreedyNoSkip = 2,     // fund by support, stopping at the first that does not fit
  // Equal Shares with add1, replaced by the greedy outcome when more voters
  // prefer greedy (fund more of the projects they chose).
  kEqualSharesAdd1Comparison = 3,
  // An imported election whose file names a rule this service does not run:
  // an operator chooses one before outcomes can be computed.
  kNotChosen = 4,
};

// The rule with its eligibility threshold, as a round stores them.
struct OutcomeSpec {
  OutcomeRule rule = OutcomeRule::kGreedy;
  int64_t min_support = 0;  // approvals, or points for cumulative ballots
};

// The pabulib `rule` strings: "greedy", "greedy-no-skip", "equalshares/add1",
// "equalshares/add1-comparison" ("not chosen" for kNotChosen). A greedy rule
// with a threshold is exported as "greedy-threshold".
absl::string_view OutcomeRuleName(OutcomeRule rule);
// Inverse of OutcomeRuleName; INVALID_ARGUMENT for anything else.
absl::StatusOr<OutcomeRule> ParseOutcomeRule(absl::string_view name);

// How a pabulib file's META `rule` maps onto the rules here; nullopt for a
// rule this service does not run (the importer notes it and lets an
// operator choose). "greedy-threshold" is kGreedy: its threshold comes from
// META `min_project_score_threshold`.
std::optional<OutcomeRule> OutcomeRuleFromPabulib(absl::string_view rule);
// The META `rule` a round's spec is exported as.
absl::string_view PabulibRuleOf(const OutcomeSpec& spec);
// INVALID_ARGUMENT for a negative threshold or kNotChosen (what an operator
// sets must be a rule this service runs).
absl::Status ValidateOutcomeSpec(const OutcomeSpec& spec);

// A round moves strictly forward, one step at a time.
// Stored in PostgreSQL by number: never renumber.
enum class Phase { kProposals = 0, kReview = 1, kVoting = 2, kClosed = 3, kPublished = 4 };

// "proposals" / "review" / "voting" / "closed" / "published".
absl::string_view PhaseName(Phase phase);
absl::StatusOr<Phase> ParsePhase(absl::string_view name);

// The phase after `phase`, or nullopt for kPublished.
std::optional<Phase> NextPhase(Phase phase);

// OK only for from -> NextPhase(from); FAILED_PRECONDITION otherwise, saying
// which move was asked for and which one is allowed.
absl::Status CheckPhaseTransition(Phase from, Phase to);

// Rules (ballot rule, outcome rule, budgets) may change only in kProposals and
// kReview; FAILED_PRECONDITION "rules are frozen once voting opens" after.
absl::Status CheckCanChangeRules(Phase phase);

// Ballots are accepted only in kVoting; FAILED_PRECONDITION otherwise.
absl::Status CheckCanVote(Phase phase);

// One line of a ballot. For approval and knapsack ballots points must be 1.
struct BallotEntry {
  std::string project_id;
  int64_t points = 1;

  friend bool operator==(const BallotEntry& a, const BallotEntry& b) {
    return a.project_id == b.project_id && a.points == b.points;
  }
};
using Ballot = std::vector<BallotEntry>;

// Approved (moderated) projects of one district's round: id -> cost in baht.
using ApprovedProjects = absl::flat_hash_map<std::string, int64_t>;

// OK if `ballot` is a valid ballot under `rule` for a district with budget
// `district_budget` baht. Checks, in this order, stopping at the first
// failure:
//   1. ballot not empty                                   INVALID_ARGUMENT
//   2. for each entry in ballot order:
//      project is approved in this round                  NOT_FOUND
//      project not already on the ballot                  INVALID_ARGUMENT
//      points: exactly 1 (approval, knapsack) or
//              1..max_points_per_project (cumulative)     INVALID_ARGUMENT
//   3. approval: at most max_choices entries              INVALID_ARGUMENT
//      knapsack: costs sum to at most district_budget     INVALID_ARGUMENT
//      cumulative: points sum to at most total_points     INVALID_ARGUMENT
// A rule that fails ValidateBallotRule gives FAILED_PRECONDITION (the round is
// misconfigured; not the voter's fault).
absl::Status ValidateBallot(const BallotRule& rule, int64_t district_budget, const ApprovedProjects& approved,
                            const Ballot& ballot);

}  // namespace bkk::voting

#endif  // SERVICES_VOTING_CORE_RULES_H_
