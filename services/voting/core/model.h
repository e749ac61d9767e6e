// Voting's domain model: rounds, proposals and ballots. Plain structs shared
// by the logic in core, the repositories that store them (pg/, redis/) and
// the gRPC adapter. Enum numbers are stored in PostgreSQL: never renumber
// one (model_test.cc pins each).
#ifndef BKK_SERVICES_VOTING_CORE_MODEL_H_
#define BKK_SERVICES_VOTING_CORE_MODEL_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "services/voting/core/rules.h"

namespace bkk::voting {

enum class IdentityMode { kCitizenId = 1, kAnonymousBrowser = 2 };
enum class ModerationStatus { kPending = 1, kApproved = 2, kRejected = 3 };
// How many districts of a round one voter may vote in: one of their choice
// (city rounds, the default) or each district once.
enum class DistrictsPerVoter { kOne = 1, kEach = 2 };

struct RoundDistrict {
  int32_t district_id = 0;
  int64_t budget_baht = 0;
};

// Where an imported election came from (a pabulib file's META). Such a round
// is an archive record for research and comparison: listed apart, never one
// of the city's rounds, never published as one.
struct ArchiveInfo {
  std::string country;
  std::string unit;  // the city
  std::string subunit;
  std::string instance;  // the election's year or edition
};

struct RoundRecord {
  int64_t round_id = 0;
  std::string name;
  int32_t fiscal_year = 0;
  std::vector<RoundDistrict> districts;
  BallotRule ballot_rule;
  OutcomeRule outcome_rule = OutcomeRule::kGreedy;
  // Projects with less support are not eligible (0: no threshold).
  int64_t min_support = 0;
  // Budgets and costs are minor units at this scale (money.h): 0 (whole
  // baht) for the city's rounds; an archive record keeps its file's.
  int money_scale = 0;
  std::string currency = "THB";
  std::optional<ArchiveInfo> archive;
  IdentityMode identity_mode = IdentityMode::kCitizenId;
  DistrictsPerVoter districts_per_voter = DistrictsPerVoter::kOne;
  Phase phase = Phase::kProposals;
  std::string created_at;
  std::string source;
  OutcomeSpec outcome_spec() const { return {outcome_rule, min_support}; }
  // The district's budget, or -1 when the district is not in the round.
  int64_t BudgetOf(int32_t district_id) const {
    for (const auto& d : districts) {
      if (d.district_id == district_id) return d.budget_baht;
    }
    return -1;
  }
};

struct ProposalRecord {
  int64_t proposal_id = 0;
  int64_t round_id = 0;
  int32_t district_id = 0;
  std::string title;
  std::string description;
  std::string strategy_tag;
  int64_t estimated_cost_baht = 0;
  ModerationStatus status = ModerationStatus::kPending;
  std::string rejection_reason;
  std::string created_at;
  // The project id in an imported pabulib file ("" for citizens' proposals).
  std::string external_id;
  // SHA-256 of the author's private link token ("" for imported ones): the
  // author alone can see a proposal that is not (yet) approved.
  std::string author_token_hash;
};

struct BallotChoice {
  int64_t proposal_id = 0;
  int32_t points = 1;
};

// A validated ballot on its way to PostgreSQL.
struct NewBallot {
  int64_t round_id = 0;
  int32_t district_id = 0;
  std::string voter_hash;
  std::string idempotency_key;
  std::string receipt_code;
  std::vector<BallotChoice> choices;
  // The request's trace (trace.h), for the commit's log line; not stored.
  std::string trace_id;
};

// What happened to one ballot of a group commit.
struct BallotResult {
  absl::Status status;  // OK, ALREADY_EXISTS (another ballot), UNAVAILABLE…
  int64_t ballot_id = 0;
  std::string receipt_code;
  bool replayed = false;  // a retry of the same idempotency key
  // For ALREADY_EXISTS: the district where the voter's ballot is.
  int32_t existing_district_id = 0;
};

struct StoredBallot {
  int64_t ballot_id = 0;
  int64_t round_id = 0;
  int32_t district_id = 0;
  std::string voter_hash;
  std::vector<BallotChoice> choices;
  std::string receipt_code;
  std::string cast_at;
};

struct ProposalSupport {
  int64_t proposal_id = 0;
  int64_t support = 0;
};

// A district's counts as of one instant: every ballot with id <= watermark
// is counted, none above it.
struct DistrictCounts {
  std::vector<ProposalSupport> support;
  int64_t voter_count = 0;
  int64_t watermark = 0;
};

}  // namespace bkk::voting

#endif  // BKK_SERVICES_VOTING_CORE_MODEL_H_
