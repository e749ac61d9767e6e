// The verifiable tally's hashing, pinned: leaf and node hashes as RFC 6962
// defines them (worked out by hand here for small trees), every inclusion
// proof of trees of 1-33 leaves verifies, and any change to the leaf, its
// position, the proof or the root makes it fail. (The tree size is not bound
// by a proof alone, as in RFC 6962: the log entry states it, as voter_count.)
#include "services/voting/core/tally_proof.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"

namespace bkk::voting {
namespace {

Digest H(absl::string_view s) {
  unsigned char d[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  EVP_Digest(s.data(), s.size(), d, &n, EVP_sha256(), nullptr);
  return Digest(reinterpret_cast<char*>(d), n);
}
Digest Leaf(absl::string_view s) { return H(absl::StrCat(absl::string_view("\x00", 1), s)); }
Digest Node(absl::string_view l, absl::string_view r) { return H(absl::StrCat("\x01", l, r)); }

std::vector<Digest> Leaves(int n) {
  std::vector<Digest> out;
  for (int i = 0; i < n; ++i) out.push_back(H(absl::StrCat("ballot ", i)));
  return out;
}

TEST(TallyProofTest, CommitmentsCoverTheChoicesInOneOrder) {
  EXPECT_EQ(CanonicalChoices({{15, 3}, {12, 1}}), "12:1,15:3");
  EXPECT_EQ(BallotCommitment("n0nce", {{15, 3}, {12, 1}}), H("n0nce12:1,15:3"));
  EXPECT_EQ(BallotCommitment("n0nce", {{12, 1}, {15, 3}}), BallotCommitment("n0nce", {{15, 3}, {12, 1}}));
  EXPECT_NE(BallotCommitment("n0nce", {{12, 1}, {15, 2}}), BallotCommitment("n0nce", {{12, 1}, {15, 3}}));
  EXPECT_NE(BallotCommitment("other", {{12, 1}}), BallotCommitment("n0nce", {{12, 1}}));
}

TEST(TallyProofTest, RootsAreRfc6962TreeHashes) {
  auto l = Leaves(5);
  EXPECT_EQ(MerkleRoot({}), H(""));
  EXPECT_EQ(MerkleRoot({l[0]}), Leaf(l[0]));
  EXPECT_EQ(MerkleRoot({l[0], l[1]}), Node(Leaf(l[0]), Leaf(l[1])));
  // Three leaves split 2 + 1; five split 4 + 1.
  EXPECT_EQ(MerkleRoot({l[0], l[1], l[2]}), Node(Node(Leaf(l[0]), Leaf(l[1])), Leaf(l[2])));
  const Digest four = Node(Node(Leaf(l[0]), Leaf(l[1])), Node(Leaf(l[2]), Leaf(l[3])));
  EXPECT_EQ(MerkleRoot(l), Node(four, Leaf(l[4])));
  // A leaf can never pass for a node: the two-leaf root is not a leaf hash of their concatenation.
  EXPECT_NE(MerkleRoot({l[0], l[1]}), MerkleRoot({Leaf(l[0]) + Leaf(l[1])}));
}

TEST(TallyProofTest, EveryInclusionProofVerifiesAndNothingElseDoes) {
  for (int n = 1; n <= 33; ++n) {
    const auto leaves = Leaves(n);
    const Digest root = MerkleRoot(leaves);
    for (int i = 0; i < n; ++i) {
      SCOPED_TRACE(absl::StrCat(n, " leaves, leaf ", i));
      const auto proof = InclusionProof(leaves, i);
      ASSERT_TRUE(VerifyInclusion(leaves[i], i, n, proof, root));
      EXPECT_FALSE(VerifyInclusion(H("forged"), i, n, proof, root));
      EXPECT_FALSE(VerifyInclusion(leaves[i], i, n, proof, H("another root")));
      if (n > 1) {
        EXPECT_FALSE(VerifyInclusion(leaves[i], (i + 1) % n, n, proof, root));
        auto bent = proof;
        bent[0][0] ^= 1;
        EXPECT_FALSE(VerifyInclusion(leaves[i], i, n, bent, root));
        auto shorter = proof;
        shorter.pop_back();
        EXPECT_FALSE(VerifyInclusion(leaves[i], i, n, shorter, root));
      }
    }
  }
  EXPECT_FALSE(VerifyInclusion(H("x"), 3, 3, {}, H("x")));
}

TEST(TallyProofTest, LogEntriesChainByHash) {
  TallyLogEntry first;
  first.round_id = 5;
  first.district_id = 3;
  first.voter_count = 2;
  first.tally = {{12, 2}, {15, 1}};
  first.merkle_root = MerkleRoot(Leaves(2));
  first.at = "2026-12-04T10:00:00Z";
  first.previous_hash = std::string(32, '\0');
  EXPECT_EQ(CanonicalEntry(first), absl::StrCat("round=5\ndistrict=3\nvoters=2\ntally=12:2,15:1\nroot=",
                                                absl::BytesToHexString(first.merkle_root),
                                                "\nat=2026-12-04T10:00:00Z\nprevious=", std::string(64, '0'), "\n"));
  TallyLogEntry changed = first;
  changed.tally = {{12, 3}, {15, 1}};
  EXPECT_NE(EntryHash(changed), EntryHash(first)) << "a changed figure changes the chain";
}

}  // namespace
}  // namespace bkk::voting
