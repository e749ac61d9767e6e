// Exact outcome rules for a participatory-budgeting election: greedy by
// support, and the Method of Equal Shares (MES) with cost utilities and the
// "add1" completion (pabulib rule string "equalshares/add1"). Every project
// gets a human-readable reason why it was or was not funded.
//
// Exactness. Money and points are int64 on input. Greedy works in int64 and
// ValidateElection guarantees its sums cannot overflow (the sum of all costs
// and every project's point total must fit in int64). MES decides in
// arbitrary-precision rationals (boost::multiprecision::cpp_rational): voter
// shares such as budget/n, payments rho*u and the remaining shares are exact,
// so comparisons between candidate projects are exact, ties are real ties,
// and nothing can overflow whatever the costs (int64) and voter counts. For
// speed, doubles are used only to rule out candidates that are provably
// worse than another one (with a proven error margin); every decision that
// could go either way is made exactly (see outcomes.cc), and the returned
// outcome is checked to balance exactly (shares left + spent = budget given).
// Tests compare the results with a plain all-exact implementation
// (EqualSharesOptions::reference_exact_arithmetic) on the real files and on
// hundreds of random, tie-heavy elections.
//
// Greedy. Projects are ranked by support (approvals, or points for
// cumulative ballots) descending; ties by lower cost first, then by project id
// ascending (ProjectIdLess). Going down the ranking, each project that fits in
// what is left of the budget is funded; one that does not fit is skipped, not
// a reason to stop. Projects nobody voted for are never funded.
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
// add1 completion. e starts at budget / n (n = number of ballots). While the
// outcome is not exhaustive (some unfunded project still fits in the real
// budget left over), MES is rerun with e increased by `add1_step` whole units
// per voter (total virtual budget budget + n * k * add1_step); the new outcome
// is taken if its total cost is within the real budget, and the loop stops at
// the first one that is not. No greedy pass follows (the "add1" rule as Assen
// 2024 used it). The loop also stops when every project with a supporter is
// funded: MES never funds a project nobody chose, and with a large enough
// share it funds all the others, so that is where the literal loop (which
// would never stop if an unsupported project still fits) ends up anyway. And
// it stops after max_add1_steps, saying so in the summary.
//
// Cost: each add1 step is one MES run, O(rounds x candidates x distinct
// ballots) in doubles plus exact work for near-ties; e.g. 30 projects, 3000
// voters and 1231 steps take about 3.5 s on one core, Assen 2024 0.1 s.
#ifndef SERVICES_VOTING_CORE_OUTCOMES_H_
#define SERVICES_VOTING_CORE_OUTCOMES_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
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
  int64_t budget = 0;
  // Word used for money in explanations ("baht", or a pabulib file's
  // currency such as "EUR").
  std::string currency = "baht";
  std::vector<ElectionProject> projects;
  std::vector<ElectionBallot> ballots;
};

// INVALID_ARGUMENT unless: budget >= 0; project ids non-empty and unique;
// costs >= 0 and their sum fits in int64; every ballot entry names a known
// project at most once with points >= 1; each project's point total fits in
// int64.
absl::Status ValidateElection(const Election& election);

// Builds an election from a parsed pabulib file: budget from META (whole
// units), currency from META `currency` ("THB" shown as "baht"), points from
// the `points` column when present, else 1 per chosen project (ordinal
// ballots are read as approval). INVALID_ARGUMENT for non-positive points or
// a budget that is not a whole amount.
absl::StatusOr<Election> ElectionFromPabulib(const PbFile& file);

// Project id order used in every tie-break: ids that are both decimal numbers
// compare by value ("9" < "10"); a numeric id sorts before a non-numeric one;
// otherwise byte-wise. Equal values with different spellings ("07" vs "7")
// fall back to byte-wise so the order is total.
bool ProjectIdLess(absl::string_view a, absl::string_view b);

struct ProjectOutcome {
  std::string id;
  int64_t cost = 0;
  int64_t supporters = 0;  // ballots that chose it
  int64_t support = 0;     // approvals, or total points
  bool funded = false;
  int funded_order = 0;  // 1 = funded first; 0 if not funded
  std::string explanation;
};

struct Outcome {
  OutcomeRule rule = OutcomeRule::kGreedy;
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
  std::string summary;

  const ProjectOutcome* Find(absl::string_view id) const;
};

struct EqualSharesOptions {
  // Per-voter increase of the share per add1 step, in whole money units.
  int64_t add1_step = 1;
  // Safety bound on the number of add1 reruns; 0 gives plain MES without
  // completion. Hitting the bound is reported in Outcome::summary.
  int64_t max_add1_steps = 1'000'000;
  // Decide every round in exact arithmetic only, with an independent rho
  // computation, instead of filtering candidates in floating point first.
  // Same results, much slower; for tests and for auditing a result.
  bool reference_exact_arithmetic = false;
};

absl::StatusOr<Outcome> ComputeGreedy(const Election& election);
absl::StatusOr<Outcome> ComputeEqualSharesAdd1(const Election& election, const EqualSharesOptions& options = {});
// Dispatches on `rule` with default options.
absl::StatusOr<Outcome> ComputeOutcome(const Election& election, OutcomeRule rule);

}  // namespace bkk::voting

#endif  // SERVICES_VOTING_CORE_OUTCOMES_H_
