// Exact outcome rules for a participatory-budgeting election, as cities run
// them (pabulib's rule strings): greedy by support ("greedy"), greedy that
// stops at the first project that does not fit ("greedy-no-skip"), each
// with an optional minimum support ("greedy-threshold"); the Method of Equal
// Shares (MES) with cost utilities and the add1 completion
// ("equalshares/add1"), and that outcome compared with greedy's
// ("equalshares/add1-comparison"). Every project gets a reason code and an
// explanation in English and Thai.
//
// Exactness. Money is int64 minor units at the election's money_scale
// (money.h); points are int64. Greedy works in int64 and ValidateElection
// guarantees its sums cannot overflow. MES decides in arbitrary-precision
// rationals (boost::multiprecision::cpp_rational): voter shares such as
// budget/n, payments rho*u and the remaining shares are exact, so
// comparisons between candidate projects are exact and ties are real ties.
// For speed, doubles are used only to rule out candidates that are provably
// worse than another one (with a proven error margin); every decision that
// could go either way is made exactly (see outcomes.cc), and the returned
// outcome is checked to balance exactly (shares left + spent = budget given).
// Tests compare the results with a plain all-exact implementation
// (EqualSharesOptions::reference_exact_arithmetic) on the real files and on
// hundreds of random, tie-heavy elections.
//
// Support, as cities count it: approval and ordinal ballots give a project
// one per ballot that lists it; cumulative and scoring ballots their points.
// Threshold. With OutcomeSpec::min_support > 0, a project whose support is
// below it is not eligible under any rule (kBelowThreshold); the rule runs
// on the eligible projects only.
//
// Greedy. Eligible projects are ranked by support descending; ties by lower
// cost first, then by project id ascending (ProjectIdLess). Going down the
// ranking, each project that fits in what is left of the budget is funded.
// One that does not fit is skipped (kGreedy) or ends the funding
// (kGreedyNoSkip: it is "stopped here", the ones below it are not reached).
// Projects nobody voted for are never funded.
//
// Method of Equal Shares (cost utilities). Every voter starts with an equal
// share e of the budget. A voter who gives project c p points has utility
// u = p * cost(c) (approval: p = 1, so u = cost(c), the "cost utilities"
// pabulib and equalshares.net use). A project c is affordable at rho if its
// supporters can pay sum_i min(b_i, rho * u_i(c)) = cost(c), where b_i is what
// voter i has left. Each round funds the affordable project with the smallest
// such rho and charges each supporter min(b_i, rho * u_i(c)); rounds continue
// until no project is affordable. Ties on rho: larger support (points, =
// approvals for approval ballots), then lower cost, then lower project id.
//
// add1 completion, as the cities that use it ran it. e starts at budget / n
// (n = number of ballots). MES is rerun from scratch with e raised by one
// whole money unit per voter (add1_step units; total virtual budget budget +
// n * k units after k steps) for as long as the outcome's cost stays within
// the real budget; the last outcome that fits is the result. It does not
// stop at the first exhaustive outcome (a common library default, which
// funds a cheaper set than the cities did). It also stops when every
// project with a supporter is funded (nothing can change any more), and
// after max_add1_steps, saying so in the summary.
//
// add1-comparison. The add1 outcome and the greedy outcome (same threshold)
// are compared voter by voter: a voter prefers the outcome that funds more
// of the projects they chose. Greedy is kept only if more voters prefer it.
//
// Cost: each add1 step is one MES run, O(rounds x candidates x distinct
// ballots) in doubles plus exact work for near-ties. The reruns are
// independent, so the next few run at once, one per core, and are taken in
// order (EqualSharesOptions::add1_parallel_runs); ./bkk bench voting times
// a 15,000-voter, 100-project election and the largest real files.
#ifndef SERVICES_VOTING_CORE_OUTCOMES_H_
#define SERVICES_VOTING_CORE_OUTCOMES_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "services/voting/core/money.h"
#include "services/voting/core/pabulib.h"
#include "services/voting/core/rules.h"

namespace bkk::voting {

struct ElectionProject {
  std::string id;
  int64_t cost = 0;
};

struct ElectionBallot {
  std::string voter_id;
  Ballot entries;  // approval: points 1; cumulative: points >= 1
};

struct Election {
  int64_t budget = 0;   // minor units
  int money_scale = 0;  // decimal places of every amount (money.h)
  // Currency code ("THB", or a pabulib file's, such as "EUR"), for the
  // explanations.
  std::string currency = "THB";
  std::vector<ElectionProject> projects;
  std::vector<ElectionBallot> ballots;
};

// INVALID_ARGUMENT unless: budget >= 0; project ids non-empty and unique;
// costs >= 0 and their sum fits in int64; every ballot entry names a known
// project at most once with points >= 1; each project's point total fits in
// int64.
absl::Status ValidateElection(const Election& election);

// Builds an election from a parsed pabulib file: budget and costs at the
// file's money_scale, currency from META `currency` (default THB), points
// from the `points` column when present, else 1 per chosen project (ordinal
// ballots count as approval: support is the number of ballots listing a
// project). INVALID_ARGUMENT for a missing or unreadable budget.
absl::StatusOr<Election> ElectionFromPabulib(const PbFile& file);

// The outcome rule a pabulib file states: META `rule` mapped by
// OutcomeRuleFromPabulib (nullopt: a rule this service does not run) and
// META `min_project_score_threshold` (0 when absent). INVALID_ARGUMENT for a
// threshold that is not a whole, non-negative number.
struct PabulibRule {
  std::string name;  // META `rule` as written ("" when absent)
  std::optional<OutcomeRule> rule;
  int64_t min_support = 0;
};
absl::StatusOr<PabulibRule> RuleOfPabulib(const PbFile& file);

// Project id order used in every tie-break: ids that are both decimal numbers
// compare by value ("9" < "10"); a numeric id sorts before a non-numeric one;
// otherwise byte-wise. Equal values with different spellings ("07" vs "7")
// fall back to byte-wise so the order is total.
bool ProjectIdLess(absl::string_view a, absl::string_view b);

// Why a project was or was not funded. Stored by number with published
// results: never renumber.
enum class ProjectReason {
  kUnexplained = 0,     // frozen before reasons were recorded
  kNoSupport = 1,       // nobody voted for it (or no ballots at all)
  kBelowThreshold = 2,  // support below the round's minimum
  kFunded = 3,          // greedy: fit in what was left
  kDidNotFit = 4,       // greedy: more than what was left, skipped
  kStoppedHere = 5,     // greedy-no-skip: did not fit, funding stopped
  kNotReached = 6,      // greedy-no-skip: ranked below where funding stopped
  kFundedByShares = 7,  // Equal Shares: its supporters paid for it
  kSharesTooSmall = 8,  // Equal Shares: its supporters could not pay for it
};

struct ProjectOutcome {
  std::string id;
  int64_t cost = 0;        // minor units
  int64_t supporters = 0;  // ballots that chose it
  int64_t support = 0;     // approvals, or total points
  bool funded = false;
  int funded_order = 0;  // 1 = funded first; 0 if not funded
  ProjectReason reason = ProjectReason::kUnexplained;
  std::string explanation;     // English
  std::string explanation_th;  // Thai
};

// add1-comparison: how many voters prefer each outcome.
struct Comparison {
  int64_t prefer_greedy = 0;
  int64_t prefer_equal_shares = 0;
  bool kept_greedy = false;
};

// Equal Shares' exact money trail, when EqualSharesOptions::audit is set:
// for each group of voters with identical ballots, what each paid for each
// funded project and what it kept. Amounts are exact fractions of minor
// units written "p/q" (or "p"). For property tests and audits.
struct SharesAudit {
  struct Group {
    int64_t voters = 0;
    std::vector<std::string> chose;                         // project ids
    std::vector<std::pair<std::string, std::string>> paid;  // (project id, amount per voter)
    std::string left;                                       // per voter
  };
  std::string share;  // every voter's starting share, after add1
  std::vector<Group> groups;
};

struct Outcome {
  OutcomeRule rule = OutcomeRule::kGreedy;
  int64_t min_support = 0;  // the threshold applied (0: none)
  int money_scale = 0;      // of budget, total_cost and every cost
  std::string currency = "THB";
  int64_t budget = 0;
  int64_t total_cost = 0;  // of the funded projects
  int64_t voters = 0;      // number of ballots
  // Same order as Election::projects.
  std::vector<ProjectOutcome> projects;
  // Funded project ids in the order they were funded.
  std::vector<std::string> funded_ids;
  // Equal Shares only: add1 steps taken (per-voter share raised by
  // add1_steps * add1_step units over budget / n).
  int64_t add1_steps = 0;
  // add1-comparison only.
  std::optional<Comparison> comparison;
  // Equal Shares with EqualSharesOptions::audit only.
  std::optional<SharesAudit> shares_audit;
  std::string summary;     // English
  std::string summary_th;  // Thai

  const ProjectOutcome* Find(absl::string_view id) const;
};

struct EqualSharesOptions {
  // Projects with less support are not eligible.
  int64_t min_support = 0;
  // Per-voter increase of the share per add1 step, in whole money units.
  int64_t add1_step = 1;
  // Safety bound on the number of add1 reruns; 0 gives plain MES without
  // completion. Hitting the bound is reported in Outcome::summary.
  int64_t max_add1_steps = 1'000'000;
  // add1 reruns computed at once on threads (results are taken in order, so
  // the outcome does not depend on it); 0 means one per core.
  int add1_parallel_runs = 0;
  // Decide every round in exact arithmetic only, with an independent rho
  // computation, instead of filtering candidates in floating point first.
  // Same results, much slower; for tests and for auditing a result.
  bool reference_exact_arithmetic = false;
  // Fill Outcome::shares_audit (costs a replay of the payments).
  bool audit = false;
};

// spec.rule kGreedy (the default) or kGreedyNoSkip.
absl::StatusOr<Outcome> ComputeGreedy(const Election& election, const OutcomeSpec& spec = {});
absl::StatusOr<Outcome> ComputeEqualSharesAdd1(const Election& election, const EqualSharesOptions& options = {});
absl::StatusOr<Outcome> ComputeEqualSharesAdd1Comparison(const Election& election,
                                                         const EqualSharesOptions& options = {});
// Dispatches on spec.rule with default options; FAILED_PRECONDITION for
// kNotChosen (an operator must choose a rule first).
absl::StatusOr<Outcome> ComputeOutcome(const Election& election, const OutcomeSpec& spec);

}  // namespace bkk::voting

#endif  // SERVICES_VOTING_CORE_OUTCOMES_H_
