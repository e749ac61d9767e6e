// A tally anyone can check, without trusting the server. Each ballot is
// committed to as SHA-256(nonce ‖ canonical choices); when voting closes, a
// district's commitments in ballot-id order become the leaves of a Merkle
// tree hashed as RFC 6962 does (a leaf is SHA-256(0x00 ‖ data), a node
// SHA-256(0x01 ‖ left ‖ right), so no leaf can pass for a node), and its
// root goes into a hash-chained public log. A receipt's inclusion proof
// shows its ballot is one of those counted; the published ballots let anyone
// recount. tools/verify-tally and the receipt page implement the same rules
// independently: change them together.
#ifndef BKK_SERVICES_VOTING_CORE_TALLY_PROOF_H_
#define BKK_SERVICES_VOTING_CORE_TALLY_PROOF_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "services/voting/core/model.h"

namespace bkk::voting {

// 32 raw bytes of SHA-256.
using Digest = std::string;

// "12:1,15:3": choices by proposal id, ascending, each with its points.
std::string CanonicalChoices(std::vector<BallotChoice> choices);

// SHA-256(nonce ‖ CanonicalChoices(choices)).
Digest BallotCommitment(absl::string_view nonce, const std::vector<BallotChoice>& choices);

// The Merkle tree hash of `leaves` (RFC 6962 §2.1; the empty tree hashes "").
Digest MerkleRoot(const std::vector<Digest>& leaves);

// The audit path of leaf `index` (RFC 6962 §2.1.1), nearest sibling first.
// `index` must be below leaves.size().
std::vector<Digest> InclusionProof(const std::vector<Digest>& leaves, size_t index);

// Whether `proof` shows `leaf` at `index` in a tree of `size` leaves with
// `root` (RFC 9162 §2.1.3.2). A proof does not pin `size` by itself: take it
// from the log entry that states the root (its voter_count).
bool VerifyInclusion(absl::string_view leaf, uint64_t index, uint64_t size, const std::vector<Digest>& proof,
                     absl::string_view root);

// One entry of the public tally log: a district's count as voting closed.
struct TallyLogEntry {
  int64_t entry_id = 0;
  int64_t round_id = 0;
  int32_t district_id = 0;
  int64_t voter_count = 0;
  std::vector<std::pair<int64_t, int64_t>> tally;  // (proposal id, support), ascending by id
  Digest merkle_root;
  std::string at;        // RFC 3339
  Digest previous_hash;  // the entry before it (32 zero bytes for the first)
  // EntryHash as stored when the entry was appended: served as stored, so an
  // entry changed afterwards no longer matches its own contents.
  Digest entry_hash;
};

// The text an entry's hash covers, one "key=value" line each, hex digests.
std::string CanonicalEntry(const TallyLogEntry& e);
// SHA-256(CanonicalEntry(e)): what the next entry names as previous_hash.
Digest EntryHash(const TallyLogEntry& e);
// Completes an entry as a log appends it: chained to `previous_hash` (empty
// for the log's first entry), stamped `at`, and hashed. Both repositories
// append through it, so their chains cannot differ.
void ChainEntry(absl::string_view previous_hash, std::string at, TallyLogEntry* entry);

// Each ballot's commitment nonce, derived from its receipt code with a
// server key: the same when a retry is answered again, and unknown to anyone
// who holds only the receipt (a receipt cannot be brute-forced back to the
// few possible choices). The voter keeps it with the receipt.
class CommitmentNonces final {
 public:
  // INVALID_ARGUMENT for a secret shorter than 32 bytes.
  static absl::StatusOr<CommitmentNonces> Create(absl::string_view secret);
  // 32 lower-case hex characters.
  std::string For(absl::string_view receipt_code) const;

 private:
  explicit CommitmentNonces(std::string secret) : secret_(std::move(secret)) {}
  std::string secret_;
};

// A district's count as voting closed: its Merkle leaves (the commitments,
// in ballot-id order) and the log entry they make (previous_hash, entry_id
// and at are the log's to set).
struct SealedDistrict {
  std::vector<Digest> leaves;
  TallyLogEntry entry;
};
SealedDistrict SealDistrict(int64_t round_id, int32_t district_id, const std::vector<StoredBallot>& ballots,
                            const CommitmentNonces& nonces);

}  // namespace bkk::voting

#endif  // BKK_SERVICES_VOTING_CORE_TALLY_PROOF_H_
