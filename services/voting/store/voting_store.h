// PostgreSQL storage for voting (schema `voting`): the durable truth. Ballots
// are unique per (round, district, voter) by a unique key, and are written in
// group commits whose ids rise in commit order (see InsertBallots), which is
// what lets the Redis tallies track "applied up to ballot N" exactly.
#ifndef BKK_SERVICES_VOTING_STORE_VOTING_STORE_H_
#define BKK_SERVICES_VOTING_STORE_VOTING_STORE_H_

#include <functional>
#include <vector>

#include "absl/status/statusor.h"
#include "common/pg_pool.h"
#include "services/voting/store/records.h"

namespace bkk::voting {

class VotingStore final {
 public:
  explicit VotingStore(PgPool* pool) : pool_(pool) {}

  absl::Status Migrate();

  absl::StatusOr<RoundRecord> CreateRound(const RoundRecord& round);
  absl::StatusOr<RoundRecord> GetRound(int64_t round_id);
  absl::StatusOr<std::vector<RoundRecord>> ListRounds();
  // Reads the round under a row lock, lets `change` edit it (or refuse), and
  // writes it back in the same transaction: phase checks cannot race.
  absl::StatusOr<RoundRecord> UpdateRound(int64_t round_id,
                                          const std::function<absl::Status(RoundRecord&)>& change);

  absl::StatusOr<ProposalRecord> CreateProposal(const ProposalRecord& proposal);
  absl::StatusOr<ProposalRecord> GetProposal(int64_t proposal_id);
  absl::StatusOr<std::vector<ProposalRecord>> ListProposals(int64_t round_id, int32_t district_id,
                                                            bool include_unmoderated);
  absl::StatusOr<ProposalRecord> UpdateProposal(int64_t proposal_id,
                                                const std::function<absl::Status(ProposalRecord&)>& change);

  // One statement and one durable commit for the whole group (refused if
  // the session has synchronous_commit off). A cluster-wide advisory lock
  // orders the group commits, so ballot ids rise in commit order. Each ballot gets its own
  // result: OK (new), OK+replayed (same voter, same idempotency key) or
  // ALREADY_EXISTS (the voter already has another ballot). If the group
  // cannot be committed every result carries the error: nothing is acked.
  std::vector<BallotResult> InsertBallots(const std::vector<NewBallot>& ballots);

  absl::StatusOr<StoredBallot> FindBallotByReceipt(const std::string& receipt_code);
  // Ballots with id > after_id in id order, at most `limit`.
  absl::StatusOr<std::vector<StoredBallot>> BallotsAfter(int64_t after_id, int limit);
  absl::StatusOr<std::vector<StoredBallot>> BallotsOfDistrict(int64_t round_id, int32_t district_id);

  // A district's counts straight from PostgreSQL (the fallback when Redis
  // is down), in one snapshot: the watermark is the highest ballot id it
  // sees, and since ids rise in commit order every lower id is counted.
  absl::StatusOr<DistrictCounts> CountDistrict(int64_t round_id, int32_t district_id);
  // Voters per district, and distinct voters over the round (district 0).
  absl::StatusOr<std::vector<std::pair<int32_t, int64_t>>> Turnout(int64_t round_id);
  absl::StatusOr<int64_t> DistinctVoters(int64_t round_id);

  // Creates a closed round with its proposals and ballots in one transaction
  // (pabulib import). Ballot choices name proposals by external_id.
  struct ImportedBallot {
    std::string voter_hash;
    std::vector<std::pair<std::string, int32_t>> choices;  // external id, points
  };
  absl::StatusOr<RoundRecord> ImportClosedRound(RoundRecord round, std::vector<ProposalRecord> proposals,
                                                const std::vector<ImportedBallot>& ballots);

 private:
  PgPool* const pool_;
};

}  // namespace bkk::voting

#endif  // BKK_SERVICES_VOTING_STORE_VOTING_STORE_H_
