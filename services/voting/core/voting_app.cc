// Voting logic; see voting_app.h.
#include "services/voting/core/voting_app.h"

#include <openssl/rand.h>

#include <algorithm>
#include <regex>
#include <set>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "common/crypto.h"
#include "common/error_reason.h"
#include "common/log.h"
#include "common/operators/operator_auth.h"
#include "common/status_macros.h"
#include "common/trace.h"
#include "common/utf8_json.h"
#include "services/voting/core/pabulib.h"

namespace bkk::voting {
namespace {

constexpr int32_t kDefaultTop = 10;
constexpr int32_t kMaxTop = 100;
constexpr size_t kMaxTitleChars = 200;
constexpr size_t kMaxDescriptionBytes = 5000;
constexpr size_t kMaxIdempotencyKeyBytes = 128;
constexpr int64_t kMaxBudget = 1'000'000'000'000;  // one trillion baht
constexpr char kImportedVoterPrefix[] = "pb:";

// A district's entry among a round's logged ones, or null while it is unsealed.
const TallyLogEntry* EntryOf(const std::vector<TallyLogEntry>& logged, int32_t district_id) {
  auto it = std::find_if(logged.begin(), logged.end(),
                         [district_id](const TallyLogEntry& e) { return e.district_id == district_id; });
  return it == logged.end() ? nullptr : &*it;
}

absl::Status NotInRound(int32_t district_id, int64_t round_id) {
  return absl::NotFoundError(absl::StrCat("district_id ", district_id, " is not part of round ", round_id));
}

absl::Status ValidateDistricts(const std::vector<RoundDistrict>& districts) {
  if (districts.empty()) {
    return WithReason(absl::InvalidArgumentError("districts: a round needs at least one district"),
                      "ROUND_DISTRICTS_EMPTY");
  }
  std::set<int32_t> seen;
  for (const auto& d : districts) {
    if (d.district_id < 1 || d.district_id > 50) {
      return WithReason(
          absl::InvalidArgumentError(absl::StrCat("districts: district_id must be 1-50, got ", d.district_id)),
          "ROUND_DISTRICT_ID_RANGE", {{"district_id", absl::StrCat(d.district_id)}});
    }
    if (!seen.insert(d.district_id).second) {
      return WithReason(
          absl::InvalidArgumentError(absl::StrCat("districts: district ", d.district_id, " is listed twice")),
          "ROUND_DISTRICT_TWICE", {{"district_id", absl::StrCat(d.district_id)}});
    }
    if (d.budget_baht <= 0 || d.budget_baht > kMaxBudget) {
      return WithReason(
          absl::InvalidArgumentError(absl::StrCat("districts: budget_baht of district ", d.district_id,
                                                  " must be 1 to ", kMaxBudget, " baht, got ", d.budget_baht)),
          "ROUND_DISTRICT_BUDGET_RANGE",
          {{"district_id", absl::StrCat(d.district_id)}, {"max_baht", absl::StrCat(kMaxBudget)}});
    }
  }
  return absl::OkStatus();
}

std::string ProjectIdOf(const ProposalRecord& p) {
  return p.external_id.empty() ? absl::StrCat(p.proposal_id) : p.external_id;
}

std::string ExportVoterId(const StoredBallot& b) {
  if (absl::StartsWith(b.voter_hash, kImportedVoterPrefix)) return b.voter_hash.substr(3);
  return b.voter_hash.substr(0, 16);  // a keyed hash: reveals nothing
}

// An archive record keeps its ballot rule and budget; only the outcome rule
// and threshold may be chosen.
absl::Status CheckArchiveRulesChange(const RoundRecord& round, const RoundRulesChange& change) {
  const BallotRule& a = round.ballot_rule;
  const BallotRule& b = change.rule;
  bool same = a.kind == b.kind && a.max_choices == b.max_choices && a.total_points == b.total_points &&
              a.max_points_per_project == b.max_points_per_project && round.districts.size() == change.districts.size();
  for (size_t i = 0; same && i < round.districts.size(); ++i) {
    same = round.districts[i].district_id == change.districts[i].district_id &&
           round.districts[i].budget_baht == change.districts[i].budget_baht;
  }
  if (!same) {
    return absl::FailedPreconditionError(
        absl::StrCat("round ", round.round_id,
                     " is an imported election: its ballot rule and budget are the record of where it "
                     "happened; send them unchanged and change only outcome_rule and min_project_support"));
  }
  return absl::OkStatus();
}

// A round's settings in a line, for the audit log.
std::string DescribeRules(const RoundRecord& r) {
  std::string districts;
  for (const auto& d : r.districts) absl::StrAppend(&districts, districts.empty() ? "" : ", ", d.district_id);
  std::string ballot(BallotKindName(r.ballot_rule.kind));
  if (r.ballot_rule.kind == BallotKind::kApproval)
    absl::StrAppend(&ballot, " (at most ", r.ballot_rule.max_choices, ")");
  if (r.ballot_rule.kind == BallotKind::kCumulative) {
    absl::StrAppend(&ballot, " (", r.ballot_rule.total_points, " points, ", r.ballot_rule.max_points_per_project,
                    " per project)");
  }
  return absl::StrCat("districts ", districts, "; ", ballot, " ballot; ", OutcomeRuleName(r.outcome_rule),
                      r.min_support > 0 ? absl::StrCat(" (minimum support ", r.min_support, ")") : "", " outcome; ",
                      r.districts_per_voter == DistrictsPerVoter::kOne ? "one district" : "each district",
                      " per voter");
}

}  // namespace

std::string NewReceiptCode() {
  static constexpr char kAlphabet[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
  unsigned char bytes[16];
  RAND_bytes(bytes, sizeof bytes);
  std::string code;
  for (unsigned char b : bytes) code += kAlphabet[b % 32];
  return code;
}

VotingApp::VotingApp(VotingRepository* store, TallyStore* tallies, TallyApplier* applier, RateLimiter* rate_limiter,
                     VoterKeyHasher hasher, VoterTokenSigner signer, CommitmentNonces nonces, VotingLimits limits)
    : store_(store),
      tallies_(tallies),
      applier_(applier),
      rate_limiter_(rate_limiter),
      hasher_(std::move(hasher)),
      signer_(std::move(signer)),
      nonces_(std::move(nonces)),
      limits_(limits) {}

absl::StatusOr<RoundRecord> VotingApp::CreateRound(RoundRecord round, const operators::Actor& by) {
  round.name = std::string(absl::StripAsciiWhitespace(round.name));
  if (round.name.empty() || CodePoints(round.name) > 200) {
    return absl::InvalidArgumentError("round.name is required (at most 200 characters)");
  }
  if (round.fiscal_year < 2500 || round.fiscal_year > 2700) {
    return absl::InvalidArgumentError(
        absl::StrCat("round.fiscal_year must be a Buddhist-era year such as 2567, got ", round.fiscal_year));
  }
  RETURN_IF_ERROR(ValidateDistricts(round.districts));
  RETURN_IF_ERROR(ValidateBallotRule(round.ballot_rule));
  RETURN_IF_ERROR(ValidateOutcomeSpec(round.outcome_spec()));
  round.phase = Phase::kProposals;
  // The city's rounds are in whole baht; only imports are archive records.
  round.money_scale = 0;
  round.currency = "THB";
  round.archive.reset();
  return store_->CreateRound(round, operators::AuditOf(by, "CreateRound", "",
                                                       absl::StrCat("\"", round.name, "\", fiscal year ",
                                                                    round.fiscal_year, "; ", DescribeRules(round))));
}

absl::StatusOr<RoundRecord> VotingApp::UpdateRoundRules(int64_t round_id, const RoundRulesChange& change,
                                                        const operators::Actor& by) {
  RETURN_IF_ERROR(ValidateBallotRule(change.rule));
  RETURN_IF_ERROR(ValidateDistricts(change.districts));
  RETURN_IF_ERROR(ValidateOutcomeSpec({change.outcome, change.min_support.value_or(0)}));
  auto audit = operators::AuditOf(by, "UpdateRoundRules", absl::StrCat("round ", round_id), "", round_id);
  return store_->UpdateRound(
      round_id,
      [&](RoundRecord& round) {
        if (round.archive.has_value()) {
          RETURN_IF_ERROR(CheckArchiveRulesChange(round, change));
        } else {
          RETURN_IF_ERROR(CheckCanChangeRules(round.phase));
          round.ballot_rule = change.rule;
          round.districts = change.districts;
          if (change.districts_per_voter) round.districts_per_voter = *change.districts_per_voter;
        }
        round.outcome_rule = change.outcome;
        if (change.min_support) round.min_support = *change.min_support;
        audit.summary = DescribeRules(round);
        return absl::OkStatus();
      },
      audit);
}

absl::StatusOr<RoundRecord> VotingApp::AdvanceRoundPhase(int64_t round_id, Phase to, const operators::Actor& by) {
  auto audit = operators::AuditOf(by, "AdvanceRoundPhase", absl::StrCat("round ", round_id), "", round_id);
  auto change = [&](RoundRecord& r) {
    if (r.archive.has_value()) {
      return absl::FailedPreconditionError(
          absl::StrCat("round ", r.round_id,
                       " is an imported election kept as an archive record; it has no phases to "
                       "advance and is never published as a city round"));
    }
    RETURN_IF_ERROR(CheckPhaseTransition(r.phase, to));
    audit.summary = absl::StrCat(PhaseName(r.phase), " -> ", PhaseName(to));
    r.phase = to;
    return absl::OkStatus();
  };
  auto round =
      to == Phase::kPublished ? Publish(round_id, change, audit) : store_->UpdateRound(round_id, change, audit);
  if (!round.ok()) return round;
  {
    std::lock_guard<std::mutex> lock(cache_mu_);
    for (auto it = approved_cache_.begin(); it != approved_cache_.end();) {
      it = it->first.first == round_id ? approved_cache_.erase(it) : std::next(it);
    }
    round_cache_.erase(round_id);
  }
  // Live tallies of the round may end: this process at once, the other
  // replicas through Redis (best effort: without it, at their next recheck).
  if (round_listener_) round_listener_(round_id);
  (void)tallies_->PublishRoundChange(round_id);
  if (to == Phase::kClosed) {
    // Best effort here: publication seals whatever is still missing.
    if (auto sealed = SealRound(round_id); !sealed.ok()) {
      LogWarning("seal_failed", {{"round", absl::StrCat(round_id)}, {"error", std::string(sealed.message())}});
    }
  }
  return round;
}

absl::StatusOr<RoundRecord> VotingApp::Publish(int64_t round_id,
                                               const std::function<absl::Status(RoundRecord&)>& change,
                                               const operators::AuditEvent& audit) {
  // Nothing is published that is not in the tally log.
  RETURN_IF_ERROR(SealRound(round_id));
  ASSIGN_OR_RETURN(auto round, store_->GetRound(round_id));
  // Ballots cannot change after CLOSED, so outcomes computed now are the
  // ones the locked phase change publishes (a wrong phase is refused there).
  std::vector<DistrictResult> results;
  std::vector<ProjectRecord> projects;
  if (round.phase == Phase::kClosed) {
    for (const auto& d : round.districts) {
      std::map<std::string, ProposalRecord> proposals;
      ASSIGN_OR_RETURN(auto election, BuildElection(round, d.district_id, &proposals));
      ASSIGN_OR_RETURN(auto outcome, ::bkk::voting::ComputeOutcome(election, round.outcome_spec()));
      for (const auto& id : outcome.funded_ids) {
        const ProposalRecord& p = proposals[id];
        projects.push_back(ProjectFromFunded(round_id, d.district_id, p.proposal_id, p.title, p.estimated_cost_baht));
      }
      results.push_back({round_id, d.district_id, std::move(outcome), ""});
    }
  }
  return store_->PublishRound(round_id, change, results, projects, audit);
}

absl::StatusOr<std::vector<ProjectRecord>> VotingApp::ListProjects(const ProjectFilter& filter) {
  if (filter.round_id < 0) return absl::InvalidArgumentError("round_id must be a round's id, or 0 for every round");
  if (filter.district_id < 0 || filter.district_id > 50) {
    return absl::InvalidArgumentError(
        absl::StrCat("district_id must be 1-50, or 0 for every district, got ", filter.district_id));
  }
  if (filter.budget_line_id < 0) return absl::InvalidArgumentError("budget_line_id must be a line's id, or 0");
  return store_->ListProjects(filter);
}

absl::StatusOr<ProjectWithTimeline> VotingApp::GetProject(int64_t project_id) {
  if (project_id <= 0) return absl::InvalidArgumentError("project_id must be a project's id (a positive number)");
  ASSIGN_OR_RETURN(auto found, store_->GetProject(project_id));
  return ProjectWithTimeline{std::move(found.first), std::move(found.second)};
}

absl::StatusOr<std::pair<ProjectRecord, ProjectUpdateRecord>> VotingApp::UpdateProject(int64_t project_id,
                                                                                       const ProjectChange& change,
                                                                                       const operators::Actor& by) {
  if (project_id <= 0) return absl::InvalidArgumentError("project_id must be a project's id (a positive number)");
  auto audit = operators::AuditOf(by, "UpdateProject", absl::StrCat("project ", project_id), "");
  return store_->UpdateProject(
      project_id,
      [&](ProjectRecord& project, ProjectUpdateRecord& update) {
        const ProjectRecord before = project;
        RETURN_IF_ERROR(ApplyProjectChange(change, budget_units_, project));
        update.project_id = project_id;
        update.operator_name = by.op.name;
        update.text = change.text;
        update.link = change.link;
        update.reason = change.reason;
        update.status = project.status;
        update.progress_percent = project.progress_percent;
        update.committed_baht = project.committed_baht;
        update.spent_baht = project.spent_baht;
        update.agency = project.agency;
        audit.round_id = project.round_id;
        audit.summary = absl::StrCat(ProjectStatusName(before.status), " -> ", ProjectStatusName(project.status), ", ",
                                     project.progress_percent, "%, committed ", project.committed_baht, ", spent ",
                                     project.spent_baht, change.reason.empty() ? "" : "; reason: ", change.reason);
        return absl::OkStatus();
      },
      audit);
}

absl::StatusOr<std::vector<TallyLogEntry>> VotingApp::TallyLog(int64_t round_id) {
  if (round_id < 0) return absl::InvalidArgumentError("round_id must be a round's id, or 0 for every round");
  return store_->TallyLog(round_id);
}

absl::StatusOr<Bulletin> VotingApp::GetBulletin(int64_t round_id, int32_t district_id, Audience audience) {
  ASSIGN_OR_RETURN(auto round, RoundWithResults(round_id, audience, "bulletins"));
  if (round.BudgetOf(district_id) < 0) return NotInRound(district_id, round_id);
  ASSIGN_OR_RETURN(auto logged, store_->TallyLog(round_id));
  const TallyLogEntry* entry = EntryOf(logged, district_id);
  if (entry == nullptr) {
    return absl::FailedPreconditionError(absl::StrCat("district ", district_id, " of round ", round_id,
                                                      " is not sealed yet; publishing the round seals it"));
  }
  ASSIGN_OR_RETURN(auto ballots, store_->BallotsOfDistrict(round_id, district_id));
  Bulletin out;
  out.entry = *entry;
  // From the ballots as stored now, never the cache: a ballot changed after
  // sealing must show as commitments that no longer make the logged root.
  out.commitments = SealDistrict(round_id, district_id, ballots, nonces_).leaves;
  for (const auto& b : ballots) out.ballots.push_back(CanonicalChoices(b.choices));
  std::sort(out.ballots.begin(), out.ballots.end());
  return out;
}

absl::Status VotingApp::SealRound(int64_t round_id) {
  ASSIGN_OR_RETURN(auto round, store_->GetRound(round_id));
  if (round.phase != Phase::kClosed && round.phase != Phase::kPublished) {
    return absl::FailedPreconditionError(absl::StrCat("round ", round_id, " is in phase ", PhaseName(round.phase),
                                                      "; counts are sealed once it closes"));
  }
  ASSIGN_OR_RETURN(auto logged, store_->TallyLog(round_id));
  for (const auto& d : round.districts) {
    if (EntryOf(logged, d.district_id) != nullptr) continue;
    ASSIGN_OR_RETURN(auto ballots, store_->BallotsOfDistrict(round_id, d.district_id));
    auto sealed = SealDistrict(round_id, d.district_id, ballots, nonces_);
    RETURN_IF_ERROR(store_->AppendTallyLog(sealed.entry).status());
  }
  return absl::OkStatus();
}

absl::StatusOr<RoundRecord> VotingApp::GetRound(int64_t round_id) { return store_->GetRound(round_id); }

absl::StatusOr<std::vector<RoundRecord>> VotingApp::ListRounds(bool archive) {
  ASSIGN_OR_RETURN(auto rounds, store_->ListRounds());
  rounds.erase(std::remove_if(rounds.begin(), rounds.end(),
                              [archive](const RoundRecord& r) { return r.archive.has_value() != archive; }),
               rounds.end());
  return rounds;
}

absl::StatusOr<SubmittedProposal> VotingApp::SubmitProposal(ProposalRecord p) {
  ASSIGN_OR_RETURN(auto round, store_->GetRound(p.round_id));
  if (round.phase != Phase::kProposals) {
    return WithReason(
        absl::FailedPreconditionError(absl::StrCat("round ", p.round_id, " is in phase ", PhaseName(round.phase),
                                                   "; proposals are accepted only in phase proposals")),
        "PROPOSALS_NOT_OPEN", {{"phase", std::string(PhaseName(round.phase))}});
  }
  int64_t budget = round.BudgetOf(p.district_id);
  if (budget < 0) return NotInRound(p.district_id, p.round_id);
  p.title = std::string(absl::StripAsciiWhitespace(p.title));
  if (CodePoints(p.title) < 3 || CodePoints(p.title) > kMaxTitleChars) {
    return WithReason(absl::InvalidArgumentError("title must be 3 to 200 characters"), "PROPOSAL_TITLE_LENGTH",
                      {{"min", "3"}, {"max", absl::StrCat(kMaxTitleChars)}});
  }
  if (p.description.size() > kMaxDescriptionBytes) {
    return WithReason(absl::InvalidArgumentError("description is longer than 5000 bytes"),
                      "PROPOSAL_DESCRIPTION_TOO_LONG", {{"max_bytes", absl::StrCat(kMaxDescriptionBytes)}});
  }
  static const std::regex kTag("^[sp][0-9]{1,2}(\\.[0-9]{1,2})?$");
  if (!p.strategy_tag.empty() && !std::regex_match(p.strategy_tag, kTag)) {
    return absl::InvalidArgumentError(
        absl::StrCat("strategy_tag \"", p.strategy_tag, "\" is not a strategy (s1-s7) or sub-dimension (s1.2)"));
  }
  if (p.estimated_cost_baht <= 0 || p.estimated_cost_baht > budget) {
    return WithReason(absl::InvalidArgumentError(absl::StrCat("estimated_cost_baht must be 1 to the district budget (",
                                                              budget, " baht), got ", p.estimated_cost_baht)),
                      "PROPOSAL_COST_RANGE", {{"budget_baht", absl::StrCat(budget)}});
  }
  p.status = ModerationStatus::kPending;
  p.rejection_reason.clear();
  p.external_id.clear();
  SubmittedProposal out;
  ASSIGN_OR_RETURN(out.author_token, RandomUrlToken(24));
  p.author_token_hash = operators::HashSecret(out.author_token);
  ASSIGN_OR_RETURN(out.proposal, store_->CreateProposal(p));
  return out;
}

absl::StatusOr<ProposalRecord> VotingApp::ModerateProposal(int64_t proposal_id, bool approve, const std::string& reason,
                                                           const operators::Actor& by) {
  if (!approve && (reason.empty() || reason.size() > 1000)) {
    return absl::InvalidArgumentError("rejection_reason is required to reject (at most 1000 bytes)");
  }
  ASSIGN_OR_RETURN(auto proposal, store_->GetProposal(proposal_id));
  ASSIGN_OR_RETURN(auto round, store_->GetRound(proposal.round_id));
  if (round.phase != Phase::kProposals && round.phase != Phase::kReview) {
    return absl::FailedPreconditionError(absl::StrCat("round ", round.round_id, " is in phase ", PhaseName(round.phase),
                                                      "; proposals are moderated only before voting opens"));
  }
  return store_->UpdateProposal(
      proposal_id,
      [&](ProposalRecord& p) {
        p.status = approve ? ModerationStatus::kApproved : ModerationStatus::kRejected;
        p.rejection_reason = approve ? "" : reason;
        return absl::OkStatus();
      },
      operators::AuditOf(by, "ModerateProposal", absl::StrCat("proposal ", proposal_id),
                         approve ? absl::StrCat("approved \"", proposal.title, "\"")
                                 : absl::StrCat("rejected \"", proposal.title, "\": ", reason),
                         proposal.round_id));
}

absl::StatusOr<std::vector<ProposalRecord>> VotingApp::ListProposals(int64_t round_id, int32_t district_id,
                                                                     bool include_unmoderated) {
  ASSIGN_OR_RETURN(auto round, store_->GetRound(round_id));
  if (round.BudgetOf(district_id) < 0) return NotInRound(district_id, round_id);
  return store_->ListProposals(round_id, district_id, include_unmoderated);
}

absl::StatusOr<std::pair<ProposalRecord, int64_t>> VotingApp::GetProposal(int64_t proposal_id, Audience audience,
                                                                          const std::string& author_token) {
  ASSIGN_OR_RETURN(auto p, store_->GetProposal(proposal_id));
  const bool author = !author_token.empty() && !p.author_token_hash.empty() &&
                      ConstantTimeEquals(operators::HashSecret(author_token), p.author_token_hash);
  if (p.status != ModerationStatus::kApproved && audience != Audience::kOperator && !author) {
    // The same answer as for no proposal at all: nothing leaks before approval.
    return absl::NotFoundError(absl::StrCat("proposal_id ", proposal_id, " does not exist"));
  }
  std::string from;
  auto counts = CountsOf(p.round_id, p.district_id, &from);
  int64_t mine = 0;
  if (counts.ok()) {
    for (const auto& s : counts->support) {
      if (s.proposal_id == proposal_id) mine = s.support;
    }
  }
  return std::make_pair(p, mine);
}

absl::StatusOr<std::pair<std::string, int64_t>> VotingApp::RegisterVoter(int64_t round_id,
                                                                         const std::string& citizen_id,
                                                                         const std::string& browser_id) {
  ASSIGN_OR_RETURN(auto round, store_->GetRound(round_id));
  if (round.phase == Phase::kClosed || round.phase == Phase::kPublished) {
    return WithReason(
        absl::FailedPreconditionError(absl::StrCat("round ", round_id, " has closed; voters cannot register")),
        "ROUND_CLOSED");
  }
  std::string voter_hash;
  VoterKind kind;
  if (round.identity_mode == IdentityMode::kCitizenId) {
    if (citizen_id.empty()) {
      return WithReason(
          absl::InvalidArgumentError("citizen_id is required: this round verifies voters by Thai citizen ID"),
          "CITIZEN_ID_REQUIRED");
    }
    ASSIGN_OR_RETURN(voter_hash, hasher_.HashCitizenId(citizen_id));
    kind = VoterKind::kVerified;
  } else {
    if (browser_id.empty()) return absl::InvalidArgumentError("browser_id is required for this round");
    ASSIGN_OR_RETURN(voter_hash, hasher_.HashBrowserId(browser_id));
    kind = VoterKind::kAnonymous;
  }
  const absl::Time now = absl::Now();
  ASSIGN_OR_RETURN(std::string token,
                   signer_.IssueFor(absl::StrCat(round_id), voter_hash, kind, now, limits_.voter_token_ttl));
  return std::make_pair(token, absl::ToUnixSeconds(now + limits_.voter_token_ttl));
}

std::vector<absl::Status> VotingApp::AdmitGroup(const std::vector<const RateKeys*>& keys) {
  // Fixed one-minute windows, counted for the whole group in one round
  // trip. The limiter down: fail open (ballots still have their
  // one-per-voter rule in the repository).
  std::vector<absl::Status> out(keys.size());
  std::vector<std::string> hits;
  for (const RateKeys* ballot_keys : keys) {
    for (const auto& [key, limit] : *ballot_keys) hits.push_back(key);
  }
  if (hits.empty()) return out;
  auto counts = rate_limiter_->Hit(hits);
  if (!counts.ok() || counts->size() != hits.size()) return out;
  size_t c = 0;
  for (size_t i = 0; i < keys.size(); ++i) {
    for (const auto& [key, limit] : *keys[i]) {
      if ((*counts)[c++] > limit && out[i].ok()) {
        out[i] = WithReason(absl::ResourceExhaustedError(absl::StrCat(
                                "too many requests (", limit, " a minute allowed); wait a minute and try again")),
                            "RATE_LIMITED", {{"per_minute", absl::StrCat(limit)}});
      }
    }
  }
  return out;
}

absl::StatusOr<RoundRecord> VotingApp::RoundForBallot(int64_t round_id) {
  {
    std::lock_guard<std::mutex> lock(cache_mu_);
    auto it = round_cache_.find(round_id);
    if (it != round_cache_.end() && absl::Now() - it->second.first < absl::Seconds(1)) return it->second.second;
  }
  ASSIGN_OR_RETURN(auto round, store_->GetRound(round_id));
  std::lock_guard<std::mutex> lock(cache_mu_);
  round_cache_[round_id] = {absl::Now(), round};
  return round;
}

void VotingApp::CastBallot(int64_t round_id, int32_t district_id, const std::string& voter_token,
                           const std::vector<BallotChoice>& choices, const std::string& idempotency_key,
                           const std::string& client_address,
                           const std::function<void(absl::StatusOr<CastResult>)>& done) {
  auto refused = PrepareBallot(round_id, district_id, voter_token, choices, idempotency_key, client_address);
  if (!refused.ok()) {
    done(refused.status());
    return;
  }
  writer_->Submit(std::move(refused->first), std::move(refused->second), [done, this](const BallotResult& result) {
    if (!result.status.ok()) {
      done(result.status);
    } else {
      done(CastResult{result.receipt_code, nonces_.For(result.receipt_code), result.ballot_id, result.replayed});
    }
  });
}

absl::StatusOr<std::pair<NewBallot, RateKeys>> VotingApp::PrepareBallot(int64_t round_id, int32_t district_id,
                                                                        const std::string& voter_token,
                                                                        const std::vector<BallotChoice>& choices,
                                                                        const std::string& idempotency_key,
                                                                        const std::string& client_address) {
  if (voter_token.empty()) {
    return WithReason(absl::UnauthenticatedError("voter_token is required: register with RegisterVoter first"),
                      "VOTER_TOKEN_INVALID");
  }
  ASSIGN_OR_RETURN(auto claims, signer_.Verify(voter_token, absl::Now()));
  if (claims.round_id != absl::StrCat(round_id)) {
    return absl::PermissionDeniedError(
        absl::StrCat("voter_token was issued for round ", claims.round_id, ", not round ", round_id));
  }
  if (idempotency_key.size() > kMaxIdempotencyKeyBytes) {
    return absl::InvalidArgumentError("idempotency_key is longer than 128 bytes");
  }
  RateKeys rate_keys = {{"bkk:rl:voter:" + claims.voter_hash, limits_.ballots_per_voter_per_minute}};
  if (!client_address.empty()) {
    rate_keys.push_back({"bkk:rl:addr:" + client_address, limits_.requests_per_address_per_minute});
  }
  std::shared_ptr<const DistrictProposals> approved;
  int64_t budget = 0;
  BallotRule rule;
  {
    ASSIGN_OR_RETURN(auto round, RoundForBallot(round_id));
    if (round.phase != Phase::kVoting) {
      return WithReason(
          absl::FailedPreconditionError(absl::StrCat("round ", round_id, " is in phase ", PhaseName(round.phase),
                                                     "; ballots are accepted only while voting is open")),
          "VOTING_NOT_OPEN", {{"phase", std::string(PhaseName(round.phase))}});
    }
    budget = round.BudgetOf(district_id);
    if (budget < 0) return NotInRound(district_id, round_id);
    rule = round.ballot_rule;
    ASSIGN_OR_RETURN(auto list, ApprovedOf(round, district_id));
    approved = std::move(list);
  }
  Ballot ballot;
  for (const auto& c : choices) ballot.push_back({absl::StrCat(c.proposal_id), c.points});
  for (auto& e : ballot) {
    if (rule.kind != BallotKind::kCumulative && e.points == 0) e.points = 1;  // approval: points may be omitted
  }
  RETURN_IF_ERROR(ValidateBallot(rule, budget, approved->projects, ballot));

  NewBallot nb;
  nb.round_id = round_id;
  nb.district_id = district_id;
  nb.voter_hash = claims.voter_hash;
  // Without a key, the same voter repeating the same district gets the
  // same answer, which is what a retry after a lost response needs.
  nb.idempotency_key = idempotency_key.empty() ? "auto" : idempotency_key;
  nb.receipt_code = NewReceiptCode();
  nb.trace_id = CurrentTraceId();
  for (const auto& e : ballot) {
    int64_t id = 0;
    (void)absl::SimpleAtoi(e.project_id, &id);
    nb.choices.push_back({id, static_cast<int32_t>(e.points)});
  }
  return std::make_pair(std::move(nb), std::move(rate_keys));
}

absl::StatusOr<CountedBallot> VotingApp::CheckReceipt(const std::string& receipt_code) {
  if (receipt_code.empty() || receipt_code.size() > 64) {
    return WithReason(absl::InvalidArgumentError("receipt_code is required (the code shown after voting)"),
                      "RECEIPT_NOT_FOUND");
  }
  ASSIGN_OR_RETURN(auto ballot, store_->FindBallotByReceipt(receipt_code));
  CountedBallot out{ballot.round_id, ballot.district_id, ballot.cast_at,
                    BallotCommitment(nonces_.For(ballot.receipt_code), ballot.choices), std::nullopt};
  ASSIGN_OR_RETURN(auto logged, store_->TallyLog(ballot.round_id));
  const TallyLogEntry* entry = EntryOf(logged, ballot.district_id);
  if (entry == nullptr) return out;  // still open (or not sealed yet): no proof to give
  ASSIGN_OR_RETURN(auto leaves, SealedLeaves(ballot.round_id, ballot.district_id));
  auto at = std::find(leaves->begin(), leaves->end(), out.commitment);
  if (at == leaves->end()) {
    return absl::DataLossError(
        absl::StrCat("receipt ", receipt_code, ": the ballot's commitment is not among its district's sealed ones"));
  }
  const size_t index = static_cast<size_t>(at - leaves->begin());
  out.inclusion = Inclusion{index, InclusionProof(*leaves, index), *entry};
  return out;
}

absl::StatusOr<std::shared_ptr<const std::vector<Digest>>> VotingApp::SealedLeaves(int64_t round_id,
                                                                                   int32_t district_id) {
  {
    std::lock_guard<std::mutex> lock(cache_mu_);
    auto it = sealed_leaves_.find({round_id, district_id});
    if (it != sealed_leaves_.end()) return it->second;
  }
  ASSIGN_OR_RETURN(auto ballots, store_->BallotsOfDistrict(round_id, district_id));
  auto leaves =
      std::make_shared<const std::vector<Digest>>(SealDistrict(round_id, district_id, ballots, nonces_).leaves);
  std::lock_guard<std::mutex> lock(cache_mu_);
  sealed_leaves_[{round_id, district_id}] = leaves;
  return leaves;
}

absl::StatusOr<std::shared_ptr<const VotingApp::DistrictProposals>> VotingApp::ApprovedOf(const RoundRecord& round,
                                                                                          int32_t district_id) {
  const bool frozen = round.phase == Phase::kVoting;
  if (frozen) {
    std::lock_guard<std::mutex> lock(cache_mu_);
    auto it = approved_cache_.find({round.round_id, district_id});
    if (it != approved_cache_.end()) return it->second;
  }
  // Moderation is closed while voting: the approved set is frozen then.
  ASSIGN_OR_RETURN(auto list, store_->ListProposals(round.round_id, district_id, false));
  auto set = std::make_shared<DistrictProposals>();
  for (const auto& p : list) set->projects[absl::StrCat(p.proposal_id)] = p.estimated_cost_baht;
  set->approved = std::move(list);
  if (frozen) {
    std::lock_guard<std::mutex> lock(cache_mu_);
    approved_cache_[{round.round_id, district_id}] = set;
  }
  return std::shared_ptr<const DistrictProposals>(std::move(set));
}

absl::StatusOr<DistrictCounts> VotingApp::CountsOf(int64_t round_id, int32_t district_id, std::string* served_from) {
  if (auto epoch = applier_->ReadableEpoch(); epoch) {
    auto counts = tallies_->ReadDistrict(*epoch, round_id, district_id);
    if (counts.ok()) {
      *served_from = "redis";
      return counts;
    }
  }
  // Redis is down or behind: read PostgreSQL, briefly cached.
  *served_from = "postgresql";
  {
    std::lock_guard<std::mutex> lock(cache_mu_);
    auto it = fallback_cache_.find({round_id, district_id});
    if (it != fallback_cache_.end() && absl::Now() - it->second.at < limits_.fallback_cache) {
      return it->second.counts;
    }
  }
  ASSIGN_OR_RETURN(auto counts, store_->CountDistrict(round_id, district_id));
  std::lock_guard<std::mutex> lock(cache_mu_);
  fallback_cache_[{round_id, district_id}] = {absl::Now(), counts};
  return counts;
}

absl::StatusOr<int32_t> VotingApp::TopLimit(int32_t limit) {
  if (limit < 0 || limit > kMaxTop) {
    return absl::InvalidArgumentError(absl::StrCat("limit must be 1-", kMaxTop, " (or 0 for 10), got ", limit));
  }
  return limit == 0 ? kDefaultTop : limit;
}

absl::StatusOr<TopProposals> VotingApp::GetTopProposals(int64_t round_id, int32_t district_id, int32_t asked) {
  ASSIGN_OR_RETURN(auto limit, TopLimit(asked));
  // Read fresh each time: a closing round must end the live tallies.
  ASSIGN_OR_RETURN(auto round, store_->GetRound(round_id));
  if (round.BudgetOf(district_id) < 0) return NotInRound(district_id, round_id);
  ASSIGN_OR_RETURN(auto approved, ApprovedOf(round, district_id));
  TopProposals top;
  top.voting_closed = round.phase == Phase::kClosed || round.phase == Phase::kPublished;
  ASSIGN_OR_RETURN(auto counts, CountsOf(round_id, district_id, &top.served_from));
  top.watermark = counts.watermark;
  top.voter_count = counts.voter_count;
  std::map<int64_t, int64_t> by_id;
  for (const auto& s : counts.support) by_id[s.proposal_id] = s.support;
  for (const auto& p : approved->approved) top.proposals.push_back({p, by_id[p.proposal_id], 0});
  // Most support first; ties by the older proposal (lower id). Stated, tested.
  const size_t n = std::min(top.proposals.size(), static_cast<size_t>(limit));
  std::partial_sort(top.proposals.begin(), top.proposals.begin() + n, top.proposals.end(),
                    [](const TopProposal& a, const TopProposal& b) {
                      if (a.support != b.support) return a.support > b.support;
                      return a.proposal.proposal_id < b.proposal.proposal_id;
                    });
  top.proposals.resize(n);
  for (size_t i = 0; i < n; ++i) top.proposals[i].rank = static_cast<int32_t>(i + 1);
  return top;
}

absl::StatusOr<Turnout> VotingApp::GetTurnout(int64_t round_id) {
  RETURN_IF_ERROR(store_->GetRound(round_id).status());  // NOT_FOUND for an unknown round
  Turnout t;
  if (auto epoch = applier_->ReadableEpoch(); epoch) {
    auto districts = tallies_->Turnout(*epoch, round_id);
    auto total = districts.ok() ? tallies_->DistinctVoters(*epoch, round_id) : districts.status();
    if (districts.ok() && total.ok()) {
      t.districts = *std::move(districts);
      t.total_voters = *total;
      return t;
    }
  }
  // The tally store is down or behind: count in the repository.
  ASSIGN_OR_RETURN(t.districts, store_->Turnout(round_id));
  ASSIGN_OR_RETURN(t.total_voters, store_->DistinctVoters(round_id));
  return t;
}

absl::StatusOr<Election> VotingApp::BuildElection(const RoundRecord& round, int32_t district_id,
                                                  std::map<std::string, ProposalRecord>* proposals) {
  int64_t budget = round.BudgetOf(district_id);
  if (budget < 0) return NotInRound(district_id, round.round_id);
  ASSIGN_OR_RETURN(auto list, store_->ListProposals(round.round_id, district_id, false));
  Election e;
  e.budget = budget;
  e.money_scale = round.money_scale;
  e.currency = round.currency;
  std::map<int64_t, std::string> id_of;
  for (const auto& p : list) {
    std::string id = ProjectIdOf(p);
    e.projects.push_back({id, p.estimated_cost_baht});
    id_of[p.proposal_id] = id;
    (*proposals)[id] = p;
  }
  ASSIGN_OR_RETURN(auto ballots, store_->BallotsOfDistrict(round.round_id, district_id));
  for (const auto& b : ballots) {
    ElectionBallot eb;
    eb.voter_id = ExportVoterId(b);
    for (const auto& c : b.choices) eb.entries.push_back({id_of[c.proposal_id], c.points});
    e.ballots.push_back(std::move(eb));
  }
  return e;
}

absl::StatusOr<RoundRecord> VotingApp::RoundWithResults(int64_t round_id, Audience audience, absl::string_view what) {
  ASSIGN_OR_RETURN(auto round, store_->GetRound(round_id));
  if (round.phase != Phase::kClosed && round.phase != Phase::kPublished) {
    return absl::FailedPreconditionError(absl::StrCat("round ", round_id, " is in phase ", PhaseName(round.phase), "; ",
                                                      what, " exist once voting has closed"));
  }
  if (round.phase != Phase::kPublished && audience != Audience::kOperator && !round.archive.has_value()) {
    return absl::FailedPreconditionError(absl::StrCat("round ", round_id, " has closed but is not published yet; its ",
                                                      what, " become public when a round admin publishes them"));
  }
  return round;
}

absl::StatusOr<OutcomeView> VotingApp::ComputeOutcome(int64_t round_id, int32_t district_id,
                                                      std::optional<OutcomeRule> rule, Audience audience) {
  ASSIGN_OR_RETURN(auto round, RoundWithResults(round_id, audience, "outcomes"));
  OutcomeView view;
  if (round.phase == Phase::kPublished && (!rule || *rule == round.outcome_rule)) {
    if (round.BudgetOf(district_id) < 0) return NotInRound(district_id, round_id);
    auto result = store_->GetResult(round_id, district_id);
    if (result.ok()) {
      ASSIGN_OR_RETURN(auto approved, store_->ListProposals(round_id, district_id, false));
      for (auto& p : approved) view.proposals[ProjectIdOf(p)] = std::move(p);
      view.outcome = std::move(result->outcome);
      view.outcome.money_scale = round.money_scale;
      view.outcome.currency = round.currency;
      view.official = true;
      view.published_at = std::move(result->published_at);
      return view;
    }
    // Rounds published before results were frozen are computed as before.
    if (!absl::IsNotFound(result.status())) return result.status();
  }
  ASSIGN_OR_RETURN(auto election, BuildElection(round, district_id, &view.proposals));
  OutcomeSpec spec = round.outcome_spec();
  if (rule) spec.rule = *rule;
  ASSIGN_OR_RETURN(auto outcome, ::bkk::voting::ComputeOutcome(election, spec));
  view.outcome = std::move(outcome);
  return view;
}

absl::StatusOr<std::string> VotingApp::ExportPabulib(int64_t round_id, int32_t district_id, Audience audience) {
  ASSIGN_OR_RETURN(auto round, RoundWithResults(round_id, audience, "ballot exports"));
  std::map<std::string, ProposalRecord> proposals;
  ASSIGN_OR_RETURN(auto election, BuildElection(round, district_id, &proposals));
  const bool points = round.ballot_rule.kind == BallotKind::kCumulative;
  PbFile f;
  f.money_scale = round.money_scale;
  const auto meta = [&f](absl::string_view key, absl::string_view value) {
    if (!value.empty()) f.meta.emplace_back(std::string(key), std::string(value));
  };
  meta("description", round.name);
  if (round.archive.has_value()) {
    meta("country", round.archive->country);
    meta("unit", round.archive->unit);
    meta("subunit", round.archive->subunit);
    meta("instance", round.archive->instance);
  } else {
    meta("country", "Thailand");
    meta("unit", absl::StrCat("Bangkok district ", district_id));
    meta("instance", absl::StrCat(round.fiscal_year));
  }
  meta("num_projects", absl::StrCat(election.projects.size()));
  meta("num_votes", absl::StrCat(election.ballots.size()));
  meta("budget", FormatAmount(election.budget, round.money_scale));
  meta("vote_type", PabulibVoteType(round.ballot_rule.kind));
  meta("rule", round.outcome_rule == OutcomeRule::kNotChosen ? "unknown" : PabulibRuleOf(round.outcome_spec()));
  if (round.min_support > 0) meta("min_project_score_threshold", absl::StrCat(round.min_support));
  meta("currency", round.currency);
  if (round.ballot_rule.kind == BallotKind::kApproval) {
    meta("max_length", absl::StrCat(round.ballot_rule.max_choices));
  }
  if (points) {
    meta("max_sum_points", absl::StrCat(round.ballot_rule.total_points));
    meta("max_points", absl::StrCat(round.ballot_rule.max_points_per_project));
  }
  f.project_columns = {"project_id", "cost", points ? "score" : "votes", "name"};
  std::map<std::string, int64_t> support;
  for (const auto& b : election.ballots) {
    for (const auto& e : b.entries) support[e.project_id] += points ? e.points : 1;
  }
  for (const auto& p : election.projects) {
    PbProject pp;
    pp.id = p.id;
    pp.cost = p.cost;
    pp.extra[points ? "score" : "votes"] = absl::StrCat(support[p.id]);
    pp.extra["name"] = proposals[p.id].title;
    f.projects.push_back(std::move(pp));
  }
  f.vote_columns = {"voter_id", "vote"};
  if (points) f.vote_columns.push_back("points");
  for (const auto& b : election.ballots) {
    PbVote v;
    v.voter_id = b.voter_id;
    for (const auto& e : b.entries) {
      v.projects.push_back(e.project_id);
      if (points) v.points.push_back(e.points);
    }
    f.votes.push_back(std::move(v));
  }
  return WritePabulib(f);
}

absl::StatusOr<ImportReport> VotingApp::ImportPabulib(const std::string& filename, const std::string& content,
                                                      int32_t district_id, const operators::Actor& by) {
  if (content.empty()) return absl::InvalidArgumentError("content is empty: send the .pb file's text");
  if (district_id == 0) district_id = 1;
  if (district_id < 1 || district_id > 50) {
    return absl::InvalidArgumentError(absl::StrCat("district_id must be 1-50, got ", district_id));
  }
  ASSIGN_OR_RETURN(auto file, ParsePabulib(content));
  ASSIGN_OR_RETURN(auto election, ElectionFromPabulib(file));
  ImportReport report;
  report.notes = file.notes;
  const auto meta = [&file](absl::string_view key) {
    const std::string* value = file.FindMeta(key);
    return value == nullptr ? std::string() : *value;
  };
  RoundRecord round;
  round.archive = ArchiveInfo{meta("country"), meta("unit"), meta("subunit"), meta("instance")};
  round.name = meta("description");
  if (round.name.empty()) {
    std::vector<std::string> parts;
    for (const std::string& part : {round.archive->unit, round.archive->subunit, round.archive->instance}) {
      if (!part.empty()) parts.push_back(part);
    }
    round.name = parts.empty() ? filename : absl::StrJoin(parts, " ");
  }
  if (CodePoints(round.name) > 200) round.name = filename.substr(0, 200);
  if (round.name.empty()) round.name = "imported pabulib election";
  round.fiscal_year = 0;  // not a Bangkok fiscal year: see archive->instance
  round.source = filename.empty() ? "pabulib" : filename;
  round.money_scale = file.money_scale;
  round.currency = meta("currency");
  if (election.budget <= 0) return absl::InvalidArgumentError("META budget must be positive");
  round.districts = {{district_id, election.budget}};
  const std::string vote_type = meta("vote_type").empty() ? "approval" : meta("vote_type");
  int64_t max_len = 0, max_points = 0, max_sum = 0;
  for (const auto& b : election.ballots) {
    max_len = std::max<int64_t>(max_len, b.entries.size());
    int64_t sum = 0;
    for (const auto& e : b.entries) {
      max_points = std::max(max_points, e.points);
      sum += e.points;
    }
    max_sum = std::max(max_sum, sum);
  }
  if (file.HasPoints()) {
    round.ballot_rule = BallotRule::Cumulative(std::max<int64_t>(1, max_sum), std::max<int64_t>(1, max_points));
  } else {
    round.ballot_rule = BallotRule::Approval(static_cast<int32_t>(std::max<int64_t>(1, max_len)));
  }
  if (vote_type == "ordinal") {
    report.notes.push_back({0, "ordinal ballots: each project's support is the number of ballots listing it"});
  }
  ASSIGN_OR_RETURN(const PabulibRule rule, RuleOfPabulib(file));
  round.outcome_rule = rule.rule.value_or(OutcomeRule::kNotChosen);
  round.min_support = rule.min_support;
  if (!rule.rule.has_value()) {
    report.notes.push_back(
        {0, absl::StrCat("META rule \"", rule.name,
                         "\" is not one this service runs (greedy, greedy-threshold, greedy-no-skip, equalshares/add1, "
                         "equalshares/add1-comparison); imported without a rule: a round admin chooses one "
                         "(UpdateRoundRules) before outcomes can be computed")});
  }
  round.identity_mode = IdentityMode::kAnonymousBrowser;
  round.phase = Phase::kClosed;
  std::vector<ProposalRecord> proposals;
  for (const auto& p : file.projects) {
    if (p.cost <= 0) return absl::InvalidArgumentError(absl::StrCat("project ", p.id, " has no positive cost"));
    ProposalRecord pr;
    pr.district_id = district_id;
    auto name = p.extra.find("name");
    pr.title = name != p.extra.end() && !name->second.empty() ? name->second : absl::StrCat("Project ", p.id);
    pr.estimated_cost_baht = p.cost;
    pr.status = ModerationStatus::kApproved;
    pr.external_id = p.id;
    proposals.push_back(std::move(pr));
  }
  std::vector<VotingRepository::ImportedBallot> ballots;
  for (const auto& b : election.ballots) {
    VotingRepository::ImportedBallot ib;
    ib.voter_hash = kImportedVoterPrefix + b.voter_id;
    for (const auto& e : b.entries) ib.choices.push_back({e.project_id, static_cast<int32_t>(e.points)});
    ballots.push_back(std::move(ib));
  }
  ASSIGN_OR_RETURN(report.round,
                   store_->ImportClosedRound(
                       round, proposals, ballots,
                       operators::AuditOf(
                           by, "ImportPabulib", "",
                           absl::StrCat("imported ", round.source, " as an archive record: ", proposals.size(),
                                        " projects, ", ballots.size(), " ballots, ", report.notes.size(), " notes"))));
  report.proposals = static_cast<int>(proposals.size());
  report.ballots = static_cast<int>(ballots.size());
  applier_->Notify();
  return report;
}

}  // namespace bkk::voting
