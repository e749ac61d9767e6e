// Where voting keeps its truth: rounds, proposals and ballots. The
// PostgreSQL implementation is pg/pg_voting_repository.h; unit tests use
// core/in_memory.h. Same contract for both:
//  - ballots are unique per (round, district, voter), and per (round, voter)
//    in rounds with one district per voter; a group's ballots get ids that
//    rise in commit order (the tally watermark relies on it);
//  - a ballot is stored only while its round is voting, checked at commit;
//  - every call either does all it says or nothing, and an operator's
//    action records its audit event in the same transaction.
#ifndef BKK_SERVICES_VOTING_CORE_REPOSITORY_H_
#define BKK_SERVICES_VOTING_CORE_REPOSITORY_H_

#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "common/error_reason.h"
#include "common/operators/model.h"
#include "services/voting/core/model.h"
#include "services/voting/core/projects.h"
#include "services/voting/core/tally_proof.h"

namespace bkk::voting {

// The refusals of a second ballot, worded once for both repositories.
inline constexpr char kAlreadyVotedHere[] = "this voter has already cast a ballot in this district for this round";
inline absl::Status ReceiptNotFound() {
  return WithReason(absl::NotFoundError("no ballot has this receipt_code"), "RECEIPT_NOT_FOUND");
}
inline std::string OneDistrictRefusal(int32_t district_id) {
  return absl::StrCat("this voter has already voted in this round, in district ", district_id,
                      ": a voter chooses one district per round");
}

// What happened to ballot `b`, given the stored ballot that holds the
// voter's slot (`b` itself when it was stored): new, a replay of the same
// request (same idempotency key, same district), or a refusal.
inline BallotResult ResultAgainst(const NewBallot& b, int64_t held_id, const std::string& held_receipt,
                                  const std::string& held_key, int32_t held_district) {
  BallotResult r;
  if (held_receipt == b.receipt_code) {
    r.ballot_id = held_id;
    r.receipt_code = b.receipt_code;
  } else if (held_key == b.idempotency_key && held_district == b.district_id) {
    r.ballot_id = held_id;
    r.receipt_code = held_receipt;
    r.replayed = true;
  } else {
    r.status = held_district == b.district_id
                   ? WithReason(absl::AlreadyExistsError(kAlreadyVotedHere), "ALREADY_VOTED")
                   : WithReason(absl::AlreadyExistsError(OneDistrictRefusal(held_district)), "ALREADY_VOTED_ELSEWHERE",
                                {{"district_id", absl::StrCat(held_district)}});
    r.existing_district_id = held_district;
  }
  return r;
}

// `audit` as recorded for a round just created: its id filled in.
inline operators::AuditEvent ForNewRound(operators::AuditEvent audit, int64_t round_id) {
  audit.round_id = round_id;
  if (audit.target.empty()) audit.target = absl::StrCat("round ", round_id);
  return audit;
}

class VotingRepository {
 public:
  virtual ~VotingRepository() = default;

  // Records `audit` with the new round's id as its round and target.
  virtual absl::StatusOr<RoundRecord> CreateRound(const RoundRecord& round, const operators::AuditEvent& audit) = 0;
  // NOT_FOUND when there is no such round.
  virtual absl::StatusOr<RoundRecord> GetRound(int64_t round_id) = 0;
  // Newest first.
  virtual absl::StatusOr<std::vector<RoundRecord>> ListRounds() = 0;
  // Reads the round under a lock, lets `change` edit it (or refuse), and
  // writes it back atomically with `audit`: phase checks cannot race. The
  // event is read after `change` runs, so `change` may complete its summary.
  virtual absl::StatusOr<RoundRecord> UpdateRound(int64_t round_id,
                                                  const std::function<absl::Status(RoundRecord&)>& change,
                                                  const operators::AuditEvent& audit) = 0;

  virtual absl::StatusOr<ProposalRecord> CreateProposal(const ProposalRecord& proposal) = 0;
  virtual absl::StatusOr<ProposalRecord> GetProposal(int64_t proposal_id) = 0;
  // In id order; only approved ones unless `include_unmoderated`.
  virtual absl::StatusOr<std::vector<ProposalRecord>> ListProposals(int64_t round_id, int32_t district_id,
                                                                    bool include_unmoderated) = 0;
  // Like UpdateRound, for a proposal.
  virtual absl::StatusOr<ProposalRecord> UpdateProposal(int64_t proposal_id,
                                                        const std::function<absl::Status(ProposalRecord&)>& change,
                                                        const operators::AuditEvent& audit) = 0;

  // Stores a group durably, one result per ballot in order: OK (new), OK and
  // replayed (the voter's same idempotency key), ALREADY_EXISTS (the voter
  // already has another ballot there), FAILED_PRECONDITION (the round is
  // not voting). If the group cannot be stored, every result carries the
  // error and nothing is stored.
  virtual std::vector<BallotResult> InsertBallots(const std::vector<NewBallot>& ballots) = 0;

  virtual absl::StatusOr<StoredBallot> FindBallotByReceipt(const std::string& receipt_code) = 0;
  // Ballots with id > after_id in id order, at most `limit`.
  virtual absl::StatusOr<std::vector<StoredBallot>> BallotsAfter(int64_t after_id, int limit) = 0;
  virtual absl::StatusOr<std::vector<StoredBallot>> BallotsOfDistrict(int64_t round_id, int32_t district_id) = 0;

  // A district's counts as of one instant, the watermark being the highest
  // ballot id it sees (every lower one counted).
  virtual absl::StatusOr<DistrictCounts> CountDistrict(int64_t round_id, int32_t district_id) = 0;
  // Voters per district, ascending by district.
  virtual absl::StatusOr<std::vector<std::pair<int32_t, int64_t>>> Turnout(int64_t round_id) = 0;
  // Distinct voters over the whole round.
  virtual absl::StatusOr<int64_t> DistinctVoters(int64_t round_id) = 0;

  // Appends a district's count to the public tally log, chained to the
  // newest entry (the log sets previous_hash, entry_id and at). A district
  // already logged keeps its entry, which is returned: sealing is idempotent.
  virtual absl::StatusOr<TallyLogEntry> AppendTallyLog(TallyLogEntry entry) = 0;
  // The log's entries of a round (every round for 0), oldest first.
  virtual absl::StatusOr<std::vector<TallyLogEntry>> TallyLog(int64_t round_id) = 0;

  // Publishes a round as UpdateRound changes it (`change` checks the phase
  // under the lock), storing in the same transaction every district's frozen
  // result and a project per funded proposal: all of it or nothing.
  virtual absl::StatusOr<RoundRecord> PublishRound(int64_t round_id,
                                                   const std::function<absl::Status(RoundRecord&)>& change,
                                                   const std::vector<DistrictResult>& results,
                                                   const std::vector<ProjectRecord>& projects,
                                                   const operators::AuditEvent& audit) = 0;
  // A district's frozen result; NOT_FOUND until its round is published.
  virtual absl::StatusOr<DistrictResult> GetResult(int64_t round_id, int32_t district_id) = 0;

  // By round, district and project id.
  virtual absl::StatusOr<std::vector<ProjectRecord>> ListProjects(const ProjectFilter& filter) = 0;
  // The project and its updates, oldest first; NOT_FOUND when there is none.
  virtual absl::StatusOr<std::pair<ProjectRecord, std::vector<ProjectUpdateRecord>>> GetProject(int64_t project_id) = 0;
  // Reads the project under a lock, lets `change` edit it and fill in the
  // update (or refuse), and stores both with `audit` atomically.
  virtual absl::StatusOr<std::pair<ProjectRecord, ProjectUpdateRecord>> UpdateProject(
      int64_t project_id, const std::function<absl::Status(ProjectRecord&, ProjectUpdateRecord&)>& change,
      const operators::AuditEvent& audit) = 0;

  // Creates a closed round with its proposals and ballots at once (pabulib
  // import). Ballot choices name proposals by external_id.
  struct ImportedBallot {
    std::string voter_hash;
    std::vector<std::pair<std::string, int32_t>> choices;  // external id, points
  };
  // Records `audit` as CreateRound does.
  virtual absl::StatusOr<RoundRecord> ImportClosedRound(RoundRecord round, std::vector<ProposalRecord> proposals,
                                                        const std::vector<ImportedBallot>& ballots,
                                                        const operators::AuditEvent& audit) = 0;
};

}  // namespace bkk::voting

#endif  // BKK_SERVICES_VOTING_CORE_REPOSITORY_H_
