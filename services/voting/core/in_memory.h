// core's interfaces held in memory, with the same contracts as PostgreSQL and
// Redis (see repository.h, tally_store.h, rate_limiter.h): for unit tests of
// the voting logic that must not depend on servers. Each can be switched
// "down" to answer UNAVAILABLE, as its server would in an outage.
#ifndef BKK_SERVICES_VOTING_CORE_IN_MEMORY_H_
#define BKK_SERVICES_VOTING_CORE_IN_MEMORY_H_

#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "services/voting/core/rate_limiter.h"
#include "services/voting/core/repository.h"
#include "services/voting/core/tally_changes.h"
#include "services/voting/core/tally_store.h"

namespace bkk::voting {

class InMemoryVotingRepository final : public VotingRepository {
 public:
  absl::StatusOr<RoundRecord> CreateRound(const RoundRecord& round, const operators::AuditEvent& audit) override;
  absl::StatusOr<RoundRecord> GetRound(int64_t round_id) override;
  absl::StatusOr<std::vector<RoundRecord>> ListRounds() override;
  absl::StatusOr<RoundRecord> UpdateRound(int64_t round_id, const std::function<absl::Status(RoundRecord&)>& change,
                                          const operators::AuditEvent& audit) override;
  absl::StatusOr<ProposalRecord> CreateProposal(const ProposalRecord& proposal) override;
  absl::StatusOr<ProposalRecord> GetProposal(int64_t proposal_id) override;
  absl::StatusOr<std::vector<ProposalRecord>> ListProposals(int64_t round_id, int32_t district_id,
                                                            bool include_unmoderated) override;
  absl::StatusOr<ProposalRecord> UpdateProposal(int64_t proposal_id,
                                                const std::function<absl::Status(ProposalRecord&)>& change,
                                                const operators::AuditEvent& audit) override;
  std::vector<BallotResult> InsertBallots(const std::vector<NewBallot>& ballots) override;
  absl::StatusOr<StoredBallot> FindBallotByReceipt(const std::string& receipt_code) override;
  absl::StatusOr<std::vector<StoredBallot>> BallotsAfter(int64_t after_id, int limit) override;
  absl::StatusOr<std::vector<StoredBallot>> BallotsOfDistrict(int64_t round_id, int32_t district_id) override;
  absl::StatusOr<DistrictCounts> CountDistrict(int64_t round_id, int32_t district_id) override;
  absl::StatusOr<std::vector<std::pair<int32_t, int64_t>>> Turnout(int64_t round_id) override;
  absl::StatusOr<int64_t> DistinctVoters(int64_t round_id) override;
  absl::StatusOr<TallyLogEntry> AppendTallyLog(TallyLogEntry entry) override;
  absl::StatusOr<std::vector<TallyLogEntry>> TallyLog(int64_t round_id) override;
  absl::StatusOr<RoundRecord> ImportClosedRound(RoundRecord round, std::vector<ProposalRecord> proposals,
                                                const std::vector<ImportedBallot>& ballots,
                                                const operators::AuditEvent& audit) override;
  absl::StatusOr<RoundRecord> PublishRound(int64_t round_id, const std::function<absl::Status(RoundRecord&)>& change,
                                           const std::vector<DistrictResult>& results,
                                           const std::vector<ProjectRecord>& projects,
                                           const operators::AuditEvent& audit) override;
  absl::StatusOr<DistrictResult> GetResult(int64_t round_id, int32_t district_id) override;
  absl::StatusOr<std::vector<ProjectRecord>> ListProjects(const ProjectFilter& filter) override;
  absl::StatusOr<std::pair<ProjectRecord, std::vector<ProjectUpdateRecord>>> GetProject(int64_t project_id) override;
  absl::StatusOr<std::pair<ProjectRecord, ProjectUpdateRecord>> UpdateProject(
      int64_t project_id, const std::function<absl::Status(ProjectRecord&, ProjectUpdateRecord&)>& change,
      const operators::AuditEvent& audit) override;

  // While down, every call answers UNAVAILABLE and stores nothing.
  void set_down(bool down);
  size_t ballot_count();
  // The audit events recorded with the changes, oldest first.
  std::vector<operators::AuditEvent> audit_events();

 private:
  struct Ballot {
    StoredBallot stored;
    std::string idempotency_key;
    bool one_district = false;
  };
  absl::Status Up() const;

  std::mutex mu_;
  bool down_ = false;
  int64_t next_round_ = 1, next_proposal_ = 1, next_ballot_ = 1;
  std::map<int64_t, RoundRecord> rounds_;
  std::map<int64_t, ProposalRecord> proposals_;
  std::vector<operators::AuditEvent> audit_;
  std::vector<TallyLogEntry> tally_log_;
  std::map<std::pair<int64_t, int32_t>, DistrictResult> results_;
  std::map<int64_t, ProjectRecord> projects_;
  std::vector<ProjectUpdateRecord> project_updates_;                      // in id order
  std::vector<Ballot> ballots_;                                           // in id order
  std::map<std::tuple<int64_t, int32_t, std::string>, size_t> by_voter_;  // (round, district, voter) -> index
};

class InMemoryTallyStore final : public TallyStore {
 public:
  absl::StatusOr<std::optional<TallyState>> State() override;
  absl::StatusOr<bool> Apply(const TallyState& expected, bool create,
                             const std::vector<StoredBallot>& ballots) override;
  absl::StatusOr<DistrictCounts> ReadDistrict(const std::string& epoch, int64_t round_id, int32_t district_id) override;
  absl::StatusOr<std::vector<std::pair<int32_t, int64_t>>> Turnout(const std::string& epoch, int64_t round_id) override;
  absl::StatusOr<int64_t> DistinctVoters(const std::string& epoch, int64_t round_id) override;
  absl::Status PublishRoundChange(int64_t round_id) override;

  void set_down(bool down);
  // Loses every count, as a flushed Redis would.
  void Flush();
  // The change messages published so far.
  std::vector<TallyChange> published();

 private:
  absl::Status Up() const;

  std::mutex mu_;
  bool down_ = false;
  std::optional<TallyState> state_;
  // (round, district) -> proposal -> points; (round, district) -> voters.
  std::map<std::pair<int64_t, int32_t>, std::map<int64_t, int64_t>> support_;
  std::map<std::pair<int64_t, int32_t>, int64_t> turnout_;
  std::map<int64_t, std::set<std::string>> voters_;
  std::vector<TallyChange> published_;
};

class InMemoryRateLimiter final : public RateLimiter {
 public:
  absl::StatusOr<std::vector<int64_t>> Hit(const std::vector<std::string>& keys) override;
  void set_down(bool down);
  // A new minute: every count back to zero.
  void NextWindow();

 private:
  std::mutex mu_;
  bool down_ = false;
  std::map<std::string, int64_t> counts_;
};

}  // namespace bkk::voting

#endif  // BKK_SERVICES_VOTING_CORE_IN_MEMORY_H_
