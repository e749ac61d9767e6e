// Commitments, Merkle trees and the tally log's hash chain; see tally_proof.h.
#include "services/voting/core/tally_proof.h"

#include <openssl/evp.h>

#include <algorithm>
#include <map>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "common/crypto.h"

namespace bkk::voting {
namespace {

Digest Sha256(absl::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), digest, &len, EVP_sha256(), nullptr);
  return Digest(reinterpret_cast<char*>(digest), len);
}

Digest LeafHash(absl::string_view leaf) { return Sha256(absl::StrCat(absl::string_view("\x00", 1), leaf)); }

Digest NodeHash(absl::string_view left, absl::string_view right) { return Sha256(absl::StrCat("\x01", left, right)); }

// The largest power of two below n (n >= 2).
size_t Split(size_t n) {
  size_t k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

Digest Root(const std::vector<Digest>& leaves, size_t begin, size_t end) {
  const size_t n = end - begin;
  if (n == 0) return Sha256("");
  if (n == 1) return LeafHash(leaves[begin]);
  const size_t k = Split(n);
  return NodeHash(Root(leaves, begin, begin + k), Root(leaves, begin + k, end));
}

void Path(const std::vector<Digest>& leaves, size_t index, size_t begin, size_t end, std::vector<Digest>* out) {
  const size_t n = end - begin;
  if (n <= 1) return;
  const size_t k = Split(n);
  if (index < k) {
    Path(leaves, index, begin, begin + k, out);
    out->push_back(Root(leaves, begin + k, end));
  } else {
    Path(leaves, index - k, begin + k, end, out);
    out->push_back(Root(leaves, begin, begin + k));
  }
}

}  // namespace

std::string CanonicalChoices(std::vector<BallotChoice> choices) {
  std::sort(choices.begin(), choices.end(),
            [](const BallotChoice& a, const BallotChoice& b) { return a.proposal_id < b.proposal_id; });
  std::string out;
  for (const auto& c : choices) absl::StrAppend(&out, out.empty() ? "" : ",", c.proposal_id, ":", c.points);
  return out;
}

Digest BallotCommitment(absl::string_view nonce, const std::vector<BallotChoice>& choices) {
  return Sha256(absl::StrCat(nonce, CanonicalChoices(choices)));
}

Digest MerkleRoot(const std::vector<Digest>& leaves) { return Root(leaves, 0, leaves.size()); }

std::vector<Digest> InclusionProof(const std::vector<Digest>& leaves, size_t index) {
  std::vector<Digest> out;
  if (index < leaves.size()) Path(leaves, index, 0, leaves.size(), &out);
  return out;
}

bool VerifyInclusion(absl::string_view leaf, uint64_t index, uint64_t size, const std::vector<Digest>& proof,
                     absl::string_view root) {
  if (index >= size) return false;
  uint64_t fn = index;
  uint64_t sn = size - 1;
  Digest r = LeafHash(leaf);
  for (const auto& p : proof) {
    if (sn == 0) return false;
    if ((fn & 1) != 0 || fn == sn) {
      r = NodeHash(p, r);
      if ((fn & 1) == 0) {
        while ((fn & 1) == 0 && fn != 0) {
          fn >>= 1;
          sn >>= 1;
        }
      }
    } else {
      r = NodeHash(r, p);
    }
    fn >>= 1;
    sn >>= 1;
  }
  return sn == 0 && r == root;
}

std::string CanonicalEntry(const TallyLogEntry& e) {
  std::string tally;
  for (const auto& [id, support] : e.tally) absl::StrAppend(&tally, tally.empty() ? "" : ",", id, ":", support);
  return absl::StrCat("round=", e.round_id, "\ndistrict=", e.district_id, "\nvoters=", e.voter_count, "\ntally=", tally,
                      "\nroot=", absl::BytesToHexString(e.merkle_root), "\nat=", e.at,
                      "\nprevious=", absl::BytesToHexString(e.previous_hash), "\n");
}

Digest EntryHash(const TallyLogEntry& e) { return Sha256(CanonicalEntry(e)); }

void ChainEntry(absl::string_view previous_hash, std::string at, TallyLogEntry* entry) {
  entry->previous_hash = previous_hash.empty() ? Digest(32, '\0') : Digest(previous_hash);
  entry->at = std::move(at);
  entry->entry_hash = EntryHash(*entry);
}

absl::StatusOr<CommitmentNonces> CommitmentNonces::Create(absl::string_view secret) {
  if (secret.size() < 32) return absl::InvalidArgumentError("the commitment key must be at least 32 bytes");
  return CommitmentNonces(std::string(secret));
}

std::string CommitmentNonces::For(absl::string_view receipt_code) const {
  return LowerHex(HmacSha256(secret_, absl::StrCat("commitment-nonce:", receipt_code)).substr(0, 16));
}

SealedDistrict SealDistrict(int64_t round_id, int32_t district_id, const std::vector<StoredBallot>& ballots,
                            const CommitmentNonces& nonces) {
  SealedDistrict out;
  std::map<int64_t, int64_t> support;
  for (const auto& b : ballots) {  // in ballot-id order
    out.leaves.push_back(BallotCommitment(nonces.For(b.receipt_code), b.choices));
    for (const auto& c : b.choices) support[c.proposal_id] += c.points;
  }
  out.entry.round_id = round_id;
  out.entry.district_id = district_id;
  out.entry.voter_count = static_cast<int64_t>(ballots.size());
  out.entry.tally.assign(support.begin(), support.end());
  out.entry.merkle_root = MerkleRoot(out.leaves);
  return out;
}

}  // namespace bkk::voting
