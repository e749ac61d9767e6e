// The voting service's logic without gRPC or a database: rounds and their
// frozen rules, proposals and moderation, voter verification, ballots through
// the group writer, tallies from the tally store (or the repository when the
// store is down or behind), outcomes and pabulib. It sees storage only
// through core's interfaces (VotingRepository, TallyStore, RateLimiter), so
// voting_app_test.cc runs it on the in-memory ones. Who may call what is
// decided in the adapter (OperatorAuth); operators' actions come here with
// their Actor and leave an audit event in the same transaction as the
// change. What only some may see (unmoderated proposals, outcomes before
// publication) is decided here, from the Audience the adapter establishes.
// Everything checks the input and the round's phase and says what is wrong.
#ifndef BKK_SERVICES_VOTING_CORE_VOTING_APP_H_
#define BKK_SERVICES_VOTING_CORE_VOTING_APP_H_

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/operators/model.h"
#include "services/voting/core/ballot_writer.h"
#include "services/voting/core/citizen_id.h"
#include "services/voting/core/outcomes.h"
#include "services/voting/core/projects.h"
#include "services/voting/core/rate_limiter.h"
#include "services/voting/core/repository.h"
#include "services/voting/core/tally_applier.h"
#include "services/voting/core/tally_proof.h"
#include "services/voting/core/tally_store.h"
#include "services/voting/core/voter_token.h"

namespace bkk::voting {

struct VotingLimits {
  absl::Duration voter_token_ttl = absl::Minutes(30);
  // Ballot attempts per voter token and per client address, per minute.
  int64_t ballots_per_voter_per_minute = 20;
  int64_t requests_per_address_per_minute = 600;
  // How long a repository tally read is reused while the tally store is down.
  absl::Duration fallback_cache = absl::Seconds(1);
};

struct TopProposal {
  ProposalRecord proposal;
  int64_t support = 0;
  int32_t rank = 0;
};

// A district's top list as of one watermark (every ballot with id <=
// watermark counted, none above): what GetTopProposals answers and what
// every live-tally frame carries.
struct TopProposals {
  std::vector<TopProposal> proposals;
  int64_t voter_count = 0;
  std::string served_from;  // "redis" or "postgresql"
  int64_t watermark = 0;
  // The round is closed or published: these counts are final.
  bool voting_closed = false;
};

struct Turnout {
  std::vector<std::pair<int32_t, int64_t>> districts;
  int64_t total_voters = 0;
};

struct CastResult {
  std::string receipt_code;
  // Kept by the voter with the receipt: with the choices it recomputes the
  // ballot's commitment, to check against the published tree.
  std::string commitment_nonce;
  int64_t ballot_id = 0;
  bool replayed = false;
};

// Who is asking, for what the public may not see: operators see proposals
// before approval and outcomes before publication.
enum class Audience { kPublic, kOperator };

// A new proposal and its author's private token (shown once).
struct SubmittedProposal {
  ProposalRecord proposal;
  std::string author_token;
};

// A ballot's place in its district's sealed tree, and the log entry that
// states the tree's root and size.
struct Inclusion {
  uint64_t leaf_index = 0;
  std::vector<Digest> audit_path;
  TallyLogEntry entry;
};

// What a receipt proves: that, where and when a ballot was counted, and its
// commitment (with the inclusion proof once voting has closed). Never its
// choices, so a receipt cannot be used to prove a vote to a third party.
struct CountedBallot {
  int64_t round_id = 0;
  int32_t district_id = 0;
  std::string cast_at;
  Digest commitment;
  std::optional<Inclusion> inclusion;
};

// A round's settings an operator may change until voting opens.
// An archive record (an imported election) accepts only a new outcome rule
// and threshold: its ballots and budget are another city's record.
struct RoundRulesChange {
  BallotRule rule;
  OutcomeRule outcome = OutcomeRule::kGreedy;
  std::vector<RoundDistrict> districts;
  std::optional<DistrictsPerVoter> districts_per_voter;  // unset: unchanged
  std::optional<int64_t> min_support;                    // unset: unchanged
};

// What a recount of one district needs (see GetBulletin in the proto).
struct Bulletin {
  TallyLogEntry entry;
  std::vector<Digest> commitments;   // in ballot order
  std::vector<std::string> ballots;  // canonical choices, sorted
};

struct OutcomeView {
  Outcome outcome;
  std::map<std::string, ProposalRecord> proposals;  // by election project id
  // The frozen result of a published round (not a what-if under another rule).
  bool official = false;
  std::string published_at;
};

// What ImportPabulib created, and every fix it made to the file (line 0:
// about the file as a whole, e.g. a rule left to the operator).
struct ImportReport {
  RoundRecord round;
  int proposals = 0;
  int ballots = 0;
  std::vector<PbNote> notes;
};

struct ProjectWithTimeline {
  ProjectRecord project;
  std::vector<ProjectUpdateRecord> updates;
};

class VotingApp final {
 public:
  // The tally store and the rate limiter may be unreachable at any time;
  // ballots never depend on them.
  VotingApp(VotingRepository* store, TallyStore* tallies, TallyApplier* applier, RateLimiter* rate_limiter,
            VoterKeyHasher hasher, VoterTokenSigner signer, CommitmentNonces nonces, VotingLimits limits);
  // The writer is built after the app (it calls AdmitGroup); set it once.
  void set_writer(BallotWriter* writer) { writer_ = writer; }
  // Told (in this process) when a round changes phase; other replicas hear
  // of it on the Redis changes channel.
  void set_round_listener(std::function<void(int64_t round_id)> listener) { round_listener_ = std::move(listener); }
  // The ordinance's budget units, which projects are assigned to (empty:
  // any name). Set once before serving.
  void set_budget_units(BudgetUnits units) { budget_units_ = std::move(units); }

  absl::StatusOr<RoundRecord> CreateRound(RoundRecord round, const operators::Actor& by);
  absl::StatusOr<RoundRecord> UpdateRoundRules(int64_t round_id, const RoundRulesChange& change,
                                               const operators::Actor& by);
  absl::StatusOr<RoundRecord> AdvanceRoundPhase(int64_t round_id, Phase to, const operators::Actor& by);
  absl::StatusOr<RoundRecord> GetRound(int64_t round_id);
  // The city's rounds, or (archive) the imported elections kept for research.
  absl::StatusOr<std::vector<RoundRecord>> ListRounds(bool archive = false);

  absl::StatusOr<SubmittedProposal> SubmitProposal(ProposalRecord proposal);
  absl::StatusOr<ProposalRecord> ModerateProposal(int64_t proposal_id, bool approve, const std::string& reason,
                                                  const operators::Actor& by);
  // Unmoderated ones only for operators (the adapter checks the role).
  absl::StatusOr<std::vector<ProposalRecord>> ListProposals(int64_t round_id, int32_t district_id,
                                                            bool include_unmoderated);
  // A proposal and its support. Pending and rejected proposals are
  // NOT_FOUND, as if they did not exist, except to operators and to the
  // holder of the author's token.
  absl::StatusOr<std::pair<ProposalRecord, int64_t>> GetProposal(int64_t proposal_id, Audience audience,
                                                                 const std::string& author_token);

  // Returns a signed voter token and its expiry (unix seconds).
  absl::StatusOr<std::pair<std::string, int64_t>> RegisterVoter(int64_t round_id, const std::string& citizen_id,
                                                                const std::string& browser_id);
  // Validates at once and completes `done` when the ballot is durable (on
  // the writer thread), or at once on a refusal. Never blocks on storage.
  void CastBallot(int64_t round_id, int32_t district_id, const std::string& voter_token,
                  const std::vector<BallotChoice>& choices, const std::string& idempotency_key,
                  const std::string& client_address, const std::function<void(absl::StatusOr<CastResult>)>& done);
  // Counts each group's rate-limit keys in one round trip (the writer's
  // admission step); fails open when the limiter is down.
  std::vector<absl::Status> AdmitGroup(const std::vector<const RateKeys*>& keys);
  absl::StatusOr<CountedBallot> CheckReceipt(const std::string& receipt_code);

  absl::StatusOr<TopProposals> GetTopProposals(int64_t round_id, int32_t district_id, int32_t limit);
  // A top-list size as asked (0 means 10), checked: 1-100.
  static absl::StatusOr<int32_t> TopLimit(int32_t limit);
  absl::StatusOr<Turnout> GetTurnout(int64_t round_id);

  // Logs every district of a closed round not logged yet (idempotent): its
  // tally and the Merkle root of its ballots' commitments, hash-chained.
  // Runs when voting closes and again before publication.
  absl::Status SealRound(int64_t round_id);
  // The public tally log of a round (every round for 0), oldest first.
  absl::StatusOr<std::vector<TallyLogEntry>> TallyLog(int64_t round_id);
  // A sealed district's bulletin; public once published, like outcomes.
  absl::StatusOr<Bulletin> GetBulletin(int64_t round_id, int32_t district_id, Audience audience);

  // Outcomes and the ballot export need a closed round; the public sees
  // them only once it is published (an archive record's at once: the
  // election was public where it happened). A published round's outcome under its
  // own rule is the frozen official result; another rule is a what-if.
  absl::StatusOr<OutcomeView> ComputeOutcome(int64_t round_id, int32_t district_id, std::optional<OutcomeRule> rule,
                                             Audience audience);
  absl::StatusOr<std::string> ExportPabulib(int64_t round_id, int32_t district_id, Audience audience);
  // Imports a real election as an archive record (closed, listed apart from
  // the city's rounds, with its own unit, currency, year and source). Quirks
  // are fixed and reported; a rule this service does not run is noted and
  // left for an operator to choose (kNotChosen).
  absl::StatusOr<ImportReport> ImportPabulib(const std::string& filename, const std::string& content,
                                             int32_t district_id, const operators::Actor& by);

  absl::StatusOr<std::vector<ProjectRecord>> ListProjects(const ProjectFilter& filter);
  absl::StatusOr<ProjectWithTimeline> GetProject(int64_t project_id);
  // A tracker's dated update (see ApplyProjectChange), audited.
  absl::StatusOr<std::pair<ProjectRecord, ProjectUpdateRecord>> UpdateProject(int64_t project_id,
                                                                              const ProjectChange& change,
                                                                              const operators::Actor& by);

 private:
  // CLOSED -> PUBLISHED: seals what is missing, computes each district's
  // outcome under the round's rule and stores them frozen, with the projects.
  absl::StatusOr<RoundRecord> Publish(int64_t round_id, const std::function<absl::Status(RoundRecord&)>& change,
                                      const operators::AuditEvent& audit);
  // The round for validating a ballot, cached for a second: PostgreSQL
  // re-checks the phase under a share lock when the ballot is written.
  absl::StatusOr<RoundRecord> RoundForBallot(int64_t round_id);
  // Every check a ballot passes before it is queued for writing.
  absl::StatusOr<std::pair<NewBallot, RateKeys>> PrepareBallot(int64_t round_id, int32_t district_id,
                                                               const std::string& voter_token,
                                                               const std::vector<BallotChoice>& choices,
                                                               const std::string& idempotency_key,
                                                               const std::string& client_address);
  // Counts from the tally store when it is up and caught up, else the
  // repository (briefly cached); `served_from` says which ("redis" or
  // "postgresql", as the API reports it).
  absl::StatusOr<DistrictCounts> CountsOf(int64_t round_id, int32_t district_id, std::string* served_from);
  struct DistrictProposals {
    std::vector<ProposalRecord> approved;
    ApprovedProjects projects;  // by election project id, with costs
  };
  // The approved proposals of a district; frozen (and cached) once voting opens.
  absl::StatusOr<std::shared_ptr<const DistrictProposals>> ApprovedOf(const RoundRecord& round, int32_t district_id);
  // The commitments of a sealed district's ballots, in ballot order, cached
  // for receipt checks (a district is read once, not once per voter). Only
  // for districts in the tally log; bulletins recompute from stored ballots.
  absl::StatusOr<std::shared_ptr<const std::vector<Digest>>> SealedLeaves(int64_t round_id, int32_t district_id);
  // The round, if `audience` may see its outcomes and ballots now.
  absl::StatusOr<RoundRecord> RoundWithResults(int64_t round_id, Audience audience, absl::string_view what);
  absl::StatusOr<Election> BuildElection(const RoundRecord& round, int32_t district_id,
                                         std::map<std::string, ProposalRecord>* proposals);

  VotingRepository* const store_;
  TallyStore* const tallies_;
  TallyApplier* const applier_;
  RateLimiter* const rate_limiter_;
  BallotWriter* writer_ = nullptr;
  std::function<void(int64_t)> round_listener_;
  const VoterKeyHasher hasher_;
  const VoterTokenSigner signer_;
  const CommitmentNonces nonces_;
  const VotingLimits limits_;
  BudgetUnits budget_units_;

  // Approved proposals of districts whose round is voting (frozen then).
  std::mutex cache_mu_;
  std::map<std::pair<int64_t, int32_t>, std::shared_ptr<const DistrictProposals>> approved_cache_;
  struct Fallback {
    absl::Time at;
    DistrictCounts counts;
  };
  std::map<std::pair<int64_t, int32_t>, Fallback> fallback_cache_;
  std::map<int64_t, std::pair<absl::Time, RoundRecord>> round_cache_;
  // Sealed districts' leaves: they never change once logged.
  std::map<std::pair<int64_t, int32_t>, std::shared_ptr<const std::vector<Digest>>> sealed_leaves_;
};

// A receipt code: 16 characters of Crockford base32 (80 random bits).
std::string NewReceiptCode();

}  // namespace bkk::voting

#endif  // BKK_SERVICES_VOTING_CORE_VOTING_APP_H_
