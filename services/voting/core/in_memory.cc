// In-memory repository, tally store and rate limiter; see in_memory.h.
#include "services/voting/core/in_memory.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/status_macros.h"

namespace bkk::voting {
namespace {

std::string Now() { return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", absl::Now(), absl::UTCTimeZone()); }

absl::Status Down(const char* what) { return absl::UnavailableError(absl::StrCat(what, " is down")); }

}  // namespace

// ---------------------------------------------------------------- repository

absl::StatusOr<RoundRecord> InMemoryVotingRepository::PublishRound(
    int64_t round_id, const std::function<absl::Status(RoundRecord&)>& change,
    const std::vector<DistrictResult>& results, const std::vector<ProjectRecord>& projects,
    const operators::AuditEvent& audit) {
  std::lock_guard<std::mutex> lock(mu_);
  RETURN_IF_ERROR(Up());
  auto it = rounds_.find(round_id);
  if (it == rounds_.end()) return absl::NotFoundError(absl::StrCat("round_id ", round_id, " does not exist"));
  RoundRecord copy = it->second;
  RETURN_IF_ERROR(change(copy));
  it->second = copy;
  for (DistrictResult r : results) {
    r.published_at = Now();
    results_[{r.round_id, r.district_id}] = std::move(r);
  }
  for (ProjectRecord p : projects) {
    p.project_id = static_cast<int64_t>(projects_.size()) + 1;
    p.created_at = p.updated_at = Now();
    projects_[p.project_id] = std::move(p);
  }
  audit_.push_back(audit);
  return copy;
}

absl::StatusOr<DistrictResult> InMemoryVotingRepository::GetResult(int64_t round_id, int32_t district_id) {
  std::lock_guard<std::mutex> lock(mu_);
  RETURN_IF_ERROR(Up());
  auto it = results_.find({round_id, district_id});
  if (it == results_.end()) {
    return absl::NotFoundError(
        absl::StrCat("district ", district_id, " of round ", round_id, " has no published result"));
  }
  return it->second;
}

absl::StatusOr<std::vector<ProjectRecord>> InMemoryVotingRepository::ListProjects(const ProjectFilter& filter) {
  std::lock_guard<std::mutex> lock(mu_);
  RETURN_IF_ERROR(Up());
  std::vector<ProjectRecord> out;
  for (const auto& [id, p] : projects_) {
    if (filter.Matches(p)) out.push_back(p);
  }
  std::stable_sort(out.begin(), out.end(), [](const ProjectRecord& a, const ProjectRecord& b) {
    return std::tie(a.round_id, a.district_id, a.project_id) < std::tie(b.round_id, b.district_id, b.project_id);
  });
  return out;
}

absl::StatusOr<std::pair<ProjectRecord, std::vector<ProjectUpdateRecord>>> InMemoryVotingRepository::GetProject(
    int64_t project_id) {
  std::lock_guard<std::mutex> lock(mu_);
  RETURN_IF_ERROR(Up());
  auto it = projects_.find(project_id);
  if (it == projects_.end()) return absl::NotFoundError(absl::StrCat("project_id ", project_id, " does not exist"));
  std::vector<ProjectUpdateRecord> updates;
  for (const auto& u : project_updates_) {
    if (u.project_id == project_id) updates.push_back(u);
  }
  return std::make_pair(it->second, std::move(updates));
}

absl::StatusOr<std::pair<ProjectRecord, ProjectUpdateRecord>> InMemoryVotingRepository::UpdateProject(
    int64_t project_id, const std::function<absl::Status(ProjectRecord&, ProjectUpdateRecord&)>& change,
    const operators::AuditEvent& audit) {
  std::lock_guard<std::mutex> lock(mu_);
  RETURN_IF_ERROR(Up());
  auto it = projects_.find(project_id);
  if (it == projects_.end()) return absl::NotFoundError(absl::StrCat("project_id ", project_id, " does not exist"));
  ProjectRecord copy = it->second;
  ProjectUpdateRecord update;
  RETURN_IF_ERROR(change(copy, update));
  update.update_id = static_cast<int64_t>(project_updates_.size()) + 1;
  update.at = copy.updated_at = Now();
  it->second = copy;
  project_updates_.push_back(update);
  audit_.push_back(audit);
  return std::make_pair(copy, update);
}

absl::Status InMemoryVotingRepository::Up() const { return down_ ? Down("the repository") : absl::OkStatus(); }

void InMemoryVotingRepository::set_down(bool down) {
  std::lock_guard<std::mutex> lock(mu_);
  down_ = down;
}

size_t InMemoryVotingRepository::ballot_count() {
  std::lock_guard<std::mutex> lock(mu_);
  return ballots_.size();
}

std::vector<operators::AuditEvent> InMemoryVotingRepository::audit_events() {
  std::lock_guard<std::mutex> lock(mu_);
  return audit_;
}

absl::StatusOr<RoundRecord> InMemoryVotingRepository::CreateRound(const RoundRecord& round,
                                                                  const operators::AuditEvent& audit) {
  std::lock_guard<std::mutex> lock(mu_);
  RETURN_IF_ERROR(Up());
  RoundRecord r = round;
  r.round_id = next_round_++;
  r.created_at = Now();
  std::sort(r.districts.begin(), r.districts.end(),
            [](const RoundDistrict& a, const RoundDistrict& b) { return a.district_id < b.district_id; });
  rounds_[r.round_id] = r;
  audit_.push_back(ForNewRound(audit, r.round_id));
  return r;
}

absl::StatusOr<RoundRecord> InMemoryVotingRepository::GetRound(int64_t round_id) {
  std::lock_guard<std::mutex> lock(mu_);
  RETURN_IF_ERROR(Up());
  auto it = rounds_.find(round_id);
  if (it == rounds_.end()) return absl::NotFoundError(absl::StrCat("round_id ", round_id, " does not exist"));
  return it->second;
}

absl::StatusOr<std::vector<RoundRecord>> InMemoryVotingRepository::ListRounds() {
  std::lock_guard<std::mutex> lock(mu_);
  RETURN_IF_ERROR(Up());
  std::vector<RoundRecord> out;
  for (auto it = rounds_.rbegin(); it != rounds_.rend(); ++it) out.push_back(it->second);
  return out;
}

absl::StatusOr<RoundRecord> InMemoryVotingRepository::UpdateRound(
    int64_t round_id, const std::function<absl::Status(RoundRecord&)>& change, const operators::AuditEvent& audit) {
  std::lock_guard<std::mutex> lock(mu_);
  RETURN_IF_ERROR(Up());
  auto it = rounds_.find(round_id);
  if (it == rounds_.end()) return absl::NotFoundError(absl::StrCat("round_id ", round_id, " does not exist"));
  RoundRecord copy = it->second;
  if (auto s = change(copy); !s.ok()) return s;
  it->second = copy;
  audit_.push_back(audit);
  return copy;
}

absl::StatusOr<ProposalRecord> InMemoryVotingRepository::CreateProposal(const ProposalRecord& proposal) {
  std::lock_guard<std::mutex> lock(mu_);
  RETURN_IF_ERROR(Up());
  ProposalRecord p = proposal;
  p.proposal_id = next_proposal_++;
  p.created_at = Now();
  proposals_[p.proposal_id] = p;
  return p;
}

absl::StatusOr<ProposalRecord> InMemoryVotingRepository::GetProposal(int64_t proposal_id) {
  std::lock_guard<std::mutex> lock(mu_);
  RETURN_IF_ERROR(Up());
  auto it = proposals_.find(proposal_id);
  if (it == proposals_.end()) {
    return absl::NotFoundError(absl::StrCat("proposal_id ", proposal_id, " does not exist"));
  }
  return it->second;
}

absl::StatusOr<std::vector<ProposalRecord>> InMemoryVotingRepository::ListProposals(int64_t round_id,
                                                                                    int32_t district_id,
                                                                                    bool include_unmoderated) {
  std::lock_guard<std::mutex> lock(mu_);
  RETURN_IF_ERROR(Up());
  std::vector<ProposalRecord> out;
  for (const auto& [id, p] : proposals_) {
    if (p.round_id == round_id && p.district_id == district_id &&
        (include_unmoderated || p.status == ModerationStatus::kApproved)) {
      out.push_back(p);
    }
  }
  return out;
}

absl::StatusOr<ProposalRecord> InMemoryVotingRepository::UpdateProposal(
    int64_t proposal_id, const std::function<absl::Status(ProposalRecord&)>& change,
    const operators::AuditEvent& audit) {
  std::lock_guard<std::mutex> lock(mu_);
  RETURN_IF_ERROR(Up());
  auto it = proposals_.find(proposal_id);
  if (it == proposals_.end()) {
    return absl::NotFoundError(absl::StrCat("proposal_id ", proposal_id, " does not exist"));
  }
  ProposalRecord copy = it->second;
  if (auto s = change(copy); !s.ok()) return s;
  it->second = copy;
  audit_.push_back(audit);
  return copy;
}

std::vector<BallotResult> InMemoryVotingRepository::InsertBallots(const std::vector<NewBallot>& ballots) {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<BallotResult> results(ballots.size());
  if (down_) {
    for (auto& r : results) {
      r.status = absl::UnavailableError(
          "the ballot could not be stored durably (the repository is down); it was not counted — retry with the "
          "same idempotency key");
    }
    return results;
  }
  for (size_t i = 0; i < ballots.size(); ++i) {
    const NewBallot& b = ballots[i];
    auto round = rounds_.find(b.round_id);
    if (round == rounds_.end() || round->second.phase != Phase::kVoting) {
      results[i].status = absl::FailedPreconditionError("the round is not open for voting");
      continue;
    }
    // As in PostgreSQL, the round's setting at commit decides, not the caller.
    const bool one_district = round->second.districts_per_voter == DistrictsPerVoter::kOne;
    auto key = std::make_tuple(b.round_id, b.district_id, b.voter_hash);
    const Ballot* held = nullptr;
    if (auto it = by_voter_.find(key); it != by_voter_.end()) held = &ballots_[it->second];
    if (held == nullptr && one_district) {
      auto other = std::find_if(ballots_.begin(), ballots_.end(), [&b](const Ballot& x) {
        return x.one_district && x.stored.round_id == b.round_id && x.stored.voter_hash == b.voter_hash;
      });
      if (other != ballots_.end()) held = &*other;
    }
    if (held != nullptr) {
      results[i] = ResultAgainst(b, held->stored.ballot_id, held->stored.receipt_code, held->idempotency_key,
                                 held->stored.district_id);
      continue;
    }
    Ballot stored;
    stored.one_district = one_district;
    stored.stored = {next_ballot_++, b.round_id, b.district_id, b.voter_hash, b.choices, b.receipt_code, Now()};
    stored.idempotency_key = b.idempotency_key;
    by_voter_[key] = ballots_.size();
    ballots_.push_back(stored);
    results[i] = {absl::OkStatus(), stored.stored.ballot_id, b.receipt_code, false};
  }
  return results;
}

absl::StatusOr<StoredBallot> InMemoryVotingRepository::FindBallotByReceipt(const std::string& receipt_code) {
  std::lock_guard<std::mutex> lock(mu_);
  RETURN_IF_ERROR(Up());
  for (const auto& b : ballots_) {
    if (b.stored.receipt_code == receipt_code) return b.stored;
  }
  return ReceiptNotFound();
}

absl::StatusOr<std::vector<StoredBallot>> InMemoryVotingRepository::BallotsAfter(int64_t after_id, int limit) {
  std::lock_guard<std::mutex> lock(mu_);
  RETURN_IF_ERROR(Up());
  std::vector<StoredBallot> out;
  for (const auto& b : ballots_) {
    if (b.stored.ballot_id > after_id && static_cast<int>(out.size()) < limit) out.push_back(b.stored);
  }
  return out;
}

absl::StatusOr<std::vector<StoredBallot>> InMemoryVotingRepository::BallotsOfDistrict(int64_t round_id,
                                                                                      int32_t district_id) {
  std::lock_guard<std::mutex> lock(mu_);
  RETURN_IF_ERROR(Up());
  std::vector<StoredBallot> out;
  for (const auto& b : ballots_) {
    if (b.stored.round_id == round_id && b.stored.district_id == district_id) out.push_back(b.stored);
  }
  return out;
}

absl::StatusOr<DistrictCounts> InMemoryVotingRepository::CountDistrict(int64_t round_id, int32_t district_id) {
  std::lock_guard<std::mutex> lock(mu_);
  RETURN_IF_ERROR(Up());
  DistrictCounts out;
  std::map<int64_t, int64_t> support;
  for (const auto& b : ballots_) {
    out.watermark = std::max(out.watermark, b.stored.ballot_id);
    if (b.stored.round_id != round_id || b.stored.district_id != district_id) continue;
    ++out.voter_count;
    for (const auto& c : b.stored.choices) support[c.proposal_id] += c.points;
  }
  for (const auto& [id, n] : support) out.support.push_back({id, n});
  return out;
}

absl::StatusOr<std::vector<std::pair<int32_t, int64_t>>> InMemoryVotingRepository::Turnout(int64_t round_id) {
  std::lock_guard<std::mutex> lock(mu_);
  RETURN_IF_ERROR(Up());
  std::map<int32_t, int64_t> by_district;
  for (const auto& b : ballots_) {
    if (b.stored.round_id == round_id) ++by_district[b.stored.district_id];
  }
  return std::vector<std::pair<int32_t, int64_t>>(by_district.begin(), by_district.end());
}

absl::StatusOr<int64_t> InMemoryVotingRepository::DistinctVoters(int64_t round_id) {
  std::lock_guard<std::mutex> lock(mu_);
  RETURN_IF_ERROR(Up());
  std::set<std::string> voters;
  for (const auto& b : ballots_) {
    if (b.stored.round_id == round_id) voters.insert(b.stored.voter_hash);
  }
  return static_cast<int64_t>(voters.size());
}

absl::StatusOr<RoundRecord> InMemoryVotingRepository::ImportClosedRound(RoundRecord round,
                                                                        std::vector<ProposalRecord> proposals,
                                                                        const std::vector<ImportedBallot>& ballots,
                                                                        const operators::AuditEvent& audit) {
  std::lock_guard<std::mutex> lock(mu_);
  RETURN_IF_ERROR(Up());
  // Check everything before writing anything.
  std::set<std::string> known;
  for (const auto& p : proposals) known.insert(p.external_id);
  for (const auto& b : ballots) {
    for (const auto& [ext, pts] : b.choices) {
      if (!known.count(ext)) return absl::InvalidArgumentError("a vote names unknown project " + ext);
    }
  }
  round.round_id = next_round_++;
  round.created_at = Now();
  rounds_[round.round_id] = round;
  std::map<std::string, int64_t> ids;
  for (auto& p : proposals) {
    p.round_id = round.round_id;
    p.proposal_id = next_proposal_++;
    p.created_at = round.created_at;
    ids[p.external_id] = p.proposal_id;
    proposals_[p.proposal_id] = p;
  }
  int n = 0;
  for (const auto& b : ballots) {
    if (b.choices.empty()) continue;
    Ballot stored;
    stored.stored.ballot_id = next_ballot_++;
    stored.stored.round_id = round.round_id;
    stored.stored.district_id = round.districts.front().district_id;
    stored.stored.voter_hash = b.voter_hash;
    for (const auto& [ext, pts] : b.choices) stored.stored.choices.push_back({ids[ext], pts});
    stored.stored.receipt_code = absl::StrCat("import-", round.round_id, "-", ++n);
    stored.stored.cast_at = round.created_at;
    stored.idempotency_key = "import";
    by_voter_[std::make_tuple(round.round_id, stored.stored.district_id, b.voter_hash)] = ballots_.size();
    ballots_.push_back(stored);
  }
  audit_.push_back(ForNewRound(audit, round.round_id));
  return round;
}

absl::StatusOr<TallyLogEntry> InMemoryVotingRepository::AppendTallyLog(TallyLogEntry entry) {
  std::lock_guard<std::mutex> lock(mu_);
  RETURN_IF_ERROR(Up());
  for (const auto& e : tally_log_) {
    if (e.round_id == entry.round_id && e.district_id == entry.district_id) return e;
  }
  entry.entry_id = static_cast<int64_t>(tally_log_.size()) + 1;
  ChainEntry(tally_log_.empty() ? "" : tally_log_.back().entry_hash, Now(), &entry);
  tally_log_.push_back(entry);
  return entry;
}

absl::StatusOr<std::vector<TallyLogEntry>> InMemoryVotingRepository::TallyLog(int64_t round_id) {
  std::lock_guard<std::mutex> lock(mu_);
  RETURN_IF_ERROR(Up());
  std::vector<TallyLogEntry> out;
  for (const auto& e : tally_log_) {
    if (round_id == 0 || e.round_id == round_id) out.push_back(e);
  }
  return out;
}

// --------------------------------------------------------------- tally store

absl::Status InMemoryTallyStore::Up() const { return down_ ? Down("the tally store") : absl::OkStatus(); }

void InMemoryTallyStore::set_down(bool down) {
  std::lock_guard<std::mutex> lock(mu_);
  down_ = down;
}

void InMemoryTallyStore::Flush() {
  std::lock_guard<std::mutex> lock(mu_);
  state_.reset();
  support_.clear();
  turnout_.clear();
  voters_.clear();
}

std::vector<TallyChange> InMemoryTallyStore::published() {
  std::lock_guard<std::mutex> lock(mu_);
  return published_;
}

absl::StatusOr<std::optional<TallyState>> InMemoryTallyStore::State() {
  std::lock_guard<std::mutex> lock(mu_);
  RETURN_IF_ERROR(Up());
  return state_;
}

absl::StatusOr<bool> InMemoryTallyStore::Apply(const TallyState& expected, bool create,
                                               const std::vector<StoredBallot>& ballots) {
  std::lock_guard<std::mutex> lock(mu_);
  RETURN_IF_ERROR(Up());
  if (ballots.empty()) return true;
  if (!state_) {
    if (!create) return false;
    state_ = TallyState{expected.epoch, 0};
  } else if (create || state_->epoch != expected.epoch) {
    return false;
  }
  if (state_->watermark != expected.watermark) return false;
  for (const auto& b : ballots) {
    auto& support = support_[{b.round_id, b.district_id}];
    for (const auto& c : b.choices) support[c.proposal_id] += c.points;
    ++turnout_[{b.round_id, b.district_id}];
    voters_[b.round_id].insert(b.voter_hash);
  }
  state_->watermark = ballots.back().ballot_id;
  published_.push_back(ChangeOf(ballots));
  return true;
}

absl::StatusOr<DistrictCounts> InMemoryTallyStore::ReadDistrict(const std::string& epoch, int64_t round_id,
                                                                int32_t district_id) {
  std::lock_guard<std::mutex> lock(mu_);
  RETURN_IF_ERROR(Up());
  if (!state_ || state_->epoch != epoch) {
    return absl::FailedPreconditionError("the tallies moved to another epoch; read the repository");
  }
  DistrictCounts out;
  out.watermark = state_->watermark;
  for (const auto& [id, n] : support_[{round_id, district_id}]) out.support.push_back({id, n});
  out.voter_count = turnout_[{round_id, district_id}];
  return out;
}

absl::StatusOr<std::vector<std::pair<int32_t, int64_t>>> InMemoryTallyStore::Turnout(const std::string& epoch,
                                                                                     int64_t round_id) {
  std::lock_guard<std::mutex> lock(mu_);
  RETURN_IF_ERROR(Up());
  std::vector<std::pair<int32_t, int64_t>> out;
  for (const auto& [key, n] : turnout_) {
    if (key.first == round_id) out.push_back({key.second, n});
  }
  return out;
}

absl::StatusOr<int64_t> InMemoryTallyStore::DistinctVoters(const std::string& epoch, int64_t round_id) {
  std::lock_guard<std::mutex> lock(mu_);
  RETURN_IF_ERROR(Up());
  return static_cast<int64_t>(voters_[round_id].size());
}

absl::Status InMemoryTallyStore::PublishRoundChange(int64_t round_id) {
  std::lock_guard<std::mutex> lock(mu_);
  RETURN_IF_ERROR(Up());
  TallyChange change;
  change.kind = TallyChange::Kind::kRound;
  change.round_id = round_id;
  published_.push_back(change);
  return absl::OkStatus();
}

// -------------------------------------------------------------- rate limiter

absl::StatusOr<std::vector<int64_t>> InMemoryRateLimiter::Hit(const std::vector<std::string>& keys) {
  std::lock_guard<std::mutex> lock(mu_);
  if (down_) return Down("the rate limiter");
  std::vector<int64_t> out;
  out.reserve(keys.size());
  for (const auto& key : keys) out.push_back(++counts_[key]);
  return out;
}

void InMemoryRateLimiter::set_down(bool down) {
  std::lock_guard<std::mutex> lock(mu_);
  down_ = down;
}

void InMemoryRateLimiter::NextWindow() {
  std::lock_guard<std::mutex> lock(mu_);
  counts_.clear();
}

}  // namespace bkk::voting
