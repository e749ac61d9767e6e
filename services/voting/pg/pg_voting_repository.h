// The VotingRepository in PostgreSQL (schema `voting`; see
// core/repository.h for the contract). Ballots are unique per (round,
// district, voter) by a unique key, and a group of ballots is one call of
// voting.insert_ballot_group: one statement, one durable commit (refused if
// the session has synchronous_commit off), groups taking turns under an
// advisory lock so ballot ids rise in commit order. Operators' changes write
// their audit event (schema `operators`) in the same transaction.
#ifndef BKK_SERVICES_VOTING_PG_PG_VOTING_REPOSITORY_H_
#define BKK_SERVICES_VOTING_PG_PG_VOTING_REPOSITORY_H_

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "common/pg_pool.h"
#include "services/voting/core/repository.h"

namespace bkk::voting {

class PgVotingRepository final : public VotingRepository {
 public:
  explicit PgVotingRepository(PgPool* pool) : pool_(pool) {}

  // Creates or upgrades the schema.
  absl::Status Migrate();

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

 private:
  PgPool* const pool_;
};

}  // namespace bkk::voting

#endif  // BKK_SERVICES_VOTING_PG_PG_VOTING_REPOSITORY_H_
