// Where voting keeps its truth: rounds, proposals and ballots. The
// PostgreSQL implementation is pg/pg_voting_repository.h; unit tests use
// core/in_memory.h. Same contract for both:
//  - ballots are unique per (round, district, voter), and a group's ballots
//    get ids that rise in commit order (the tally watermark relies on it);
//  - a ballot is stored only while its round is voting, checked at commit;
//  - every call either does all it says or nothing.
#ifndef BKK_SERVICES_VOTING_CORE_REPOSITORY_H_
#define BKK_SERVICES_VOTING_CORE_REPOSITORY_H_

#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "services/voting/core/model.h"

namespace bkk::voting {

class VotingRepository {
 public:
  virtual ~VotingRepository() = default;

  virtual absl::StatusOr<RoundRecord> CreateRound(const RoundRecord& round) = 0;
  // NOT_FOUND when there is no such round.
  virtual absl::StatusOr<RoundRecord> GetRound(int64_t round_id) = 0;
  // Newest first.
  virtual absl::StatusOr<std::vector<RoundRecord>> ListRounds() = 0;
  // Reads the round under a lock, lets `change` edit it (or refuse), and
  // writes it back atomically: phase checks cannot race.
  virtual absl::StatusOr<RoundRecord> UpdateRound(int64_t round_id,
                                                  const std::function<absl::Status(RoundRecord&)>& change) = 0;

  virtual absl::StatusOr<ProposalRecord> CreateProposal(const ProposalRecord& proposal) = 0;
  virtual absl::StatusOr<ProposalRecord> GetProposal(int64_t proposal_id) = 0;
  // In id order; only approved ones unless `include_unmoderated`.
  virtual absl::StatusOr<std::vector<ProposalRecord>> ListProposals(int64_t round_id, int32_t district_id,
                                                                    bool include_unmoderated) = 0;
  virtual absl::StatusOr<ProposalRecord> UpdateProposal(int64_t proposal_id,
                                                        const std::function<absl::Status(ProposalRecord&)>& change) = 0;

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

  // Creates a closed round with its proposals and ballots at once (pabulib
  // import). Ballot choices name proposals by external_id.
  struct ImportedBallot {
    std::string voter_hash;
    std::vector<std::pair<std::string, int32_t>> choices;  // external id, points
  };
  virtual absl::StatusOr<RoundRecord> ImportClosedRound(RoundRecord round, std::vector<ProposalRecord> proposals,
                                                        const std::vector<ImportedBallot>& ballots) = 0;
};

}  // namespace bkk::voting

#endif  // BKK_SERVICES_VOTING_CORE_REPOSITORY_H_
