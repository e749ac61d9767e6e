// Round rules, phase life cycle and ballot validation.
#include "services/voting/core/rules.h"

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "common/error_reason.h"

namespace bkk::voting {

BallotRule BallotRule::Approval(int32_t max_choices) {
  BallotRule rule;
  rule.kind = BallotKind::kApproval;
  rule.max_choices = max_choices;
  return rule;
}

BallotRule BallotRule::Knapsack() {
  BallotRule rule;
  rule.kind = BallotKind::kKnapsack;
  return rule;
}

BallotRule BallotRule::Cumulative(int64_t total_points, int64_t max_points_per_project) {
  BallotRule rule;
  rule.kind = BallotKind::kCumulative;
  rule.total_points = total_points;
  rule.max_points_per_project = max_points_per_project;
  return rule;
}

absl::string_view BallotKindName(BallotKind kind) {
  switch (kind) {
    case BallotKind::kApproval:
      return "approval";
    case BallotKind::kKnapsack:
      return "knapsack";
    case BallotKind::kCumulative:
      return "cumulative";
  }
  return "unknown";
}

absl::string_view PabulibVoteType(BallotKind kind) {
  return kind == BallotKind::kCumulative ? "cumulative" : "approval";
}

absl::Status ValidateBallotRule(const BallotRule& rule) {
  switch (rule.kind) {
    case BallotKind::kApproval:
      if (rule.max_choices < 1) {
        return absl::InvalidArgumentError(
            absl::StrCat("approval rule: max_choices must be at least 1, got ", rule.max_choices));
      }
      return absl::OkStatus();
    case BallotKind::kKnapsack:
      return absl::OkStatus();
    case BallotKind::kCumulative:
      if (rule.total_points < 1) {
        return absl::InvalidArgumentError(
            absl::StrCat("cumulative rule: total_points must be at least 1, got ", rule.total_points));
      }
      if (rule.max_points_per_project < 1 || rule.max_points_per_project > rule.total_points) {
        return absl::InvalidArgumentError(
            absl::StrCat("cumulative rule: max_points_per_project must be between 1 and "
                         "total_points (",
                         rule.total_points, "), got ", rule.max_points_per_project));
      }
      return absl::OkStatus();
  }
  return absl::InvalidArgumentError("unknown ballot kind");
}

absl::string_view OutcomeRuleName(OutcomeRule rule) {
  switch (rule) {
    case OutcomeRule::kGreedy:
      return "greedy";
    case OutcomeRule::kGreedyNoSkip:
      return "greedy-no-skip";
    case OutcomeRule::kEqualSharesAdd1:
      return "equalshares/add1";
    case OutcomeRule::kEqualSharesAdd1Comparison:
      return "equalshares/add1-comparison";
    case OutcomeRule::kNotChosen:
      return "not chosen";
  }
  return "unknown";
}

absl::StatusOr<OutcomeRule> ParseOutcomeRule(absl::string_view name) {
  for (OutcomeRule rule : {OutcomeRule::kGreedy, OutcomeRule::kGreedyNoSkip, OutcomeRule::kEqualSharesAdd1,
                           OutcomeRule::kEqualSharesAdd1Comparison}) {
    if (name == OutcomeRuleName(rule)) return rule;
  }
  return absl::InvalidArgumentError(
      absl::StrCat("unknown outcome rule \"", name,
                   "\"; expected greedy, greedy-no-skip, equalshares/add1 or equalshares/add1-comparison"));
}

std::optional<OutcomeRule> OutcomeRuleFromPabulib(absl::string_view rule) {
  if (rule == "greedy-threshold") return OutcomeRule::kGreedy;
  absl::StatusOr<OutcomeRule> parsed = ParseOutcomeRule(rule);
  if (!parsed.ok()) return std::nullopt;
  return *parsed;
}

absl::string_view PabulibRuleOf(const OutcomeSpec& spec) {
  if (spec.rule == OutcomeRule::kGreedy && spec.min_support > 0) return "greedy-threshold";
  return OutcomeRuleName(spec.rule);
}

absl::Status ValidateOutcomeSpec(const OutcomeSpec& spec) {
  if (spec.min_support < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("min_project_support must be 0 (no threshold) or more, got ", spec.min_support));
  }
  if (spec.rule == OutcomeRule::kNotChosen) {
    return absl::InvalidArgumentError(
        "outcome_rule is required: greedy, greedy-no-skip, equalshares/add1 or equalshares/add1-comparison");
  }
  return absl::OkStatus();
}

absl::string_view PhaseName(Phase phase) {
  switch (phase) {
    case Phase::kProposals:
      return "proposals";
    case Phase::kReview:
      return "review";
    case Phase::kVoting:
      return "voting";
    case Phase::kClosed:
      return "closed";
    case Phase::kPublished:
      return "published";
  }
  return "unknown";
}

absl::StatusOr<Phase> ParsePhase(absl::string_view name) {
  for (Phase p : {Phase::kProposals, Phase::kReview, Phase::kVoting, Phase::kClosed, Phase::kPublished}) {
    if (name == PhaseName(p)) return p;
  }
  return absl::InvalidArgumentError(
      absl::StrCat("unknown phase \"", name, "\"; expected proposals, review, voting, closed or published"));
}

std::optional<Phase> NextPhase(Phase phase) {
  switch (phase) {
    case Phase::kProposals:
      return Phase::kReview;
    case Phase::kReview:
      return Phase::kVoting;
    case Phase::kVoting:
      return Phase::kClosed;
    case Phase::kClosed:
      return Phase::kPublished;
    case Phase::kPublished:
      return std::nullopt;
  }
  return std::nullopt;
}

absl::Status CheckPhaseTransition(Phase from, Phase to) {
  const std::optional<Phase> next = NextPhase(from);
  if (next.has_value() && *next == to) return absl::OkStatus();
  if (!next.has_value()) {
    return absl::FailedPreconditionError(
        absl::StrCat("round is already ", PhaseName(from), "; it cannot move to ", PhaseName(to)));
  }
  return absl::FailedPreconditionError(absl::StrCat("a round moves one phase forward at a time: ", PhaseName(from),
                                                    " -> ", PhaseName(to), " is not allowed, the next phase is ",
                                                    PhaseName(*next)));
}

absl::Status CheckCanChangeRules(Phase phase) {
  if (phase == Phase::kProposals || phase == Phase::kReview) {
    return absl::OkStatus();
  }
  return absl::FailedPreconditionError(
      absl::StrCat("rules are frozen once voting opens (round is in phase ", PhaseName(phase), ")"));
}

absl::Status CheckCanVote(Phase phase) {
  if (phase == Phase::kVoting) return absl::OkStatus();
  return WithReason(absl::FailedPreconditionError(absl::StrCat(
                        "ballots are accepted only while voting is open; this round is in phase ", PhaseName(phase))),
                    "VOTING_NOT_OPEN", {{"phase", std::string(PhaseName(phase))}});
}

absl::Status ValidateBallot(const BallotRule& rule, int64_t district_budget, const ApprovedProjects& approved,
                            const Ballot& ballot) {
  if (absl::Status s = ValidateBallotRule(rule); !s.ok()) {
    return absl::FailedPreconditionError(absl::StrCat("round is misconfigured: ", s.message()));
  }
  if (ballot.empty()) {
    return WithReason(absl::InvalidArgumentError("ballot is empty: choose at least one project"), "BALLOT_EMPTY");
  }
  const bool cumulative = rule.kind == BallotKind::kCumulative;
  absl::flat_hash_set<absl::string_view> seen;
  seen.reserve(ballot.size());
  // Sums stop growing once past their limit, so they cannot overflow: every
  // addend is at most a limit (costs are checked against the budget one by
  // one, points against max_points_per_project <= total_points).
  int64_t cost_sum = 0;
  int64_t points_sum = 0;
  bool cost_over = false;
  bool points_over = false;
  for (const BallotEntry& entry : ballot) {
    const auto it = approved.find(entry.project_id);
    if (it == approved.end()) {
      return WithReason(
          absl::NotFoundError(absl::StrCat("project ", entry.project_id, " is not an approved project of this round")),
          "BALLOT_PROJECT_NOT_APPROVED", {{"project_id", entry.project_id}});
    }
    if (!seen.insert(entry.project_id).second) {
      return WithReason(absl::InvalidArgumentError(
                            absl::StrCat("project ", entry.project_id, " appears more than once on the ballot")),
                        "BALLOT_DUPLICATE_PROJECT", {{"project_id", entry.project_id}});
    }
    if (!cumulative && entry.points != 1) {
      return WithReason(absl::InvalidArgumentError(absl::StrCat(BallotKindName(rule.kind),
                                                                " ballots give exactly 1 point per chosen project; "
                                                                "project ",
                                                                entry.project_id, " has ", entry.points)),
                        "BALLOT_POINTS_INVALID", {{"project_id", entry.project_id}});
    }
    if (cumulative && entry.points <= 0) {
      return WithReason(absl::InvalidArgumentError(absl::StrCat("project ", entry.project_id, " has ", entry.points,
                                                                " points; give each chosen project at least 1 point")),
                        "BALLOT_POINTS_INVALID", {{"project_id", entry.project_id}});
    }
    if (cumulative && entry.points > rule.max_points_per_project) {
      return WithReason(absl::InvalidArgumentError(absl::StrCat("project ", entry.project_id, " has ", entry.points,
                                                                " points, the round allows at most ",
                                                                rule.max_points_per_project, " per project")),
                        "BALLOT_TOO_MANY_POINTS_PER_PROJECT",
                        {{"max_points", absl::StrCat(rule.max_points_per_project)}});
    }
    if (it->second < 0) {
      return absl::FailedPreconditionError(
          absl::StrCat("round is misconfigured: project ", entry.project_id, " has a negative cost"));
    }
    if (!cost_over) {
      if (it->second > district_budget - cost_sum) {
        cost_over = true;
      }
      cost_sum += it->second;  // may exceed the budget once, never overflow
    }
    if (!points_over) {
      points_sum += entry.points;
      points_over = cumulative && points_sum > rule.total_points;
    }
  }
  switch (rule.kind) {
    case BallotKind::kApproval:
      if (ballot.size() > static_cast<size_t>(rule.max_choices)) {
        return WithReason(absl::InvalidArgumentError(absl::StrCat(
                              "ballot has ", ballot.size(), " choices, the round allows at most ", rule.max_choices)),
                          "BALLOT_TOO_MANY_CHOICES", {{"max_choices", absl::StrCat(rule.max_choices)}});
      }
      break;
    case BallotKind::kKnapsack:
      if (cost_over) {
        // Recompute the full sum for the message, saturating on overflow.
        __int128 total = 0;
        for (const BallotEntry& e : ballot) total += approved.at(e.project_id);
        const int64_t shown = total > INT64_MAX ? INT64_MAX : static_cast<int64_t>(total);
        return WithReason(
            absl::InvalidArgumentError(absl::StrCat("chosen projects cost ", shown, " baht, the district budget is ",
                                                    district_budget, " baht")),
            "BALLOT_OVER_BUDGET", {{"cost_baht", absl::StrCat(shown)}, {"budget_baht", absl::StrCat(district_budget)}});
      }
      break;
    case BallotKind::kCumulative:
      if (points_over) {
        __int128 total = 0;
        for (const BallotEntry& e : ballot) total += e.points;
        const int64_t shown = total > INT64_MAX ? INT64_MAX : static_cast<int64_t>(total);
        return WithReason(
            absl::InvalidArgumentError(
                absl::StrCat("ballot gives ", shown, " points in total, the round allows at most ", rule.total_points)),
            "BALLOT_TOO_MANY_POINTS", {{"total_points", absl::StrCat(rule.total_points)}});
      }
      break;
  }
  return absl::OkStatus();
}

}  // namespace bkk::voting
