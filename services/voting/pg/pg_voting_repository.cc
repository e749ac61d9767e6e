// PostgreSQL storage for voting; see pg_voting_repository.h.
#include "services/voting/pg/pg_voting_repository.h"

#include <map>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/operators/pg_operator_store.h"
#include "common/pg_migrations.h"
#include "common/status_macros.h"

namespace bkk::voting {
namespace {

const std::vector<Migration>& VotingMigrations() {
  static const auto* kMigrations = new std::vector<Migration>{
      {1, "rounds, proposals and durable ballots", R"sql(
CREATE TABLE voting.rounds (
  round_id       bigserial PRIMARY KEY,
  name           text NOT NULL,
  fiscal_year    integer NOT NULL,
  ballot_kind    smallint NOT NULL,
  max_choices    integer NOT NULL DEFAULT 0,
  total_points   bigint NOT NULL DEFAULT 0,
  max_points     bigint NOT NULL DEFAULT 0,
  outcome_rule   smallint NOT NULL,
  identity_mode  smallint NOT NULL,
  phase          smallint NOT NULL,
  source         text NOT NULL DEFAULT '',
  created_at     timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE voting.round_districts (
  round_id     bigint NOT NULL REFERENCES voting.rounds ON DELETE CASCADE,
  district_id  integer NOT NULL,
  budget_baht  bigint NOT NULL CHECK (budget_baht > 0),
  PRIMARY KEY (round_id, district_id)
);
CREATE TABLE voting.proposals (
  proposal_id          bigserial PRIMARY KEY,
  round_id             bigint NOT NULL REFERENCES voting.rounds,
  district_id          integer NOT NULL,
  title                text NOT NULL,
  description          text NOT NULL,
  strategy_tag         text NOT NULL DEFAULT '',
  estimated_cost_baht  bigint NOT NULL CHECK (estimated_cost_baht > 0),
  status               smallint NOT NULL,
  rejection_reason     text NOT NULL DEFAULT '',
  external_id          text NOT NULL DEFAULT '',
  created_at           timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX proposals_district ON voting.proposals (round_id, district_id);
-- One ballot per voter per district per round: the unique key is the rule.
CREATE TABLE voting.ballots (
  ballot_id        bigserial PRIMARY KEY,
  round_id         bigint NOT NULL REFERENCES voting.rounds,
  district_id      integer NOT NULL,
  voter_hash       text NOT NULL,
  idempotency_key  text NOT NULL,
  receipt_code     text NOT NULL UNIQUE,
  proposal_ids     bigint[] NOT NULL,
  points           integer[] NOT NULL,
  cast_at          timestamptz NOT NULL DEFAULT now(),
  UNIQUE (round_id, district_id, voter_hash),
  CHECK (cardinality(proposal_ids) = cardinality(points) AND cardinality(points) > 0)
);
CREATE INDEX ballots_district ON voting.ballots (round_id, district_id);
)sql"},
      {2, "a group commit of ballots in one round trip", R"sql(
-- Stores a group of ballots in the caller's (autocommit) transaction and
-- answers, per input position, whether its round is voting and which ballot
-- now holds its (round, district, voter) slot. The caller compares receipt
-- and idempotency key to tell new / replayed / already voted.
CREATE FUNCTION voting.insert_ballot_group(
    in_round_ids bigint[], in_district_ids integer[], in_voter_hashes text[], in_keys text[],
    in_receipts text[], in_proposal_ids text[], in_points text[], in_voting_phase smallint)
  RETURNS TABLE (out_position bigint, out_round_open boolean, out_ballot_id bigint,
                 out_receipt_code text, out_idempotency_key text)
  LANGUAGE plpgsql AS $fn$
DECLARE
  open_rounds bigint[];
BEGIN
  -- An acknowledged ballot must survive a crash.
  IF current_setting('synchronous_commit') = 'off' THEN
    RAISE EXCEPTION 'ballots must commit durably, but synchronous_commit is off';
  END IF;
  -- Groups take turns cluster-wide, so ballot ids rise in commit order
  -- (the Redis tally watermark relies on it).
  PERFORM pg_advisory_xact_lock(hashtext('bkk-ballot-writer'));
  -- Rounds still voting, share-locked: closing a round waits for this group.
  SELECT coalesce(array_agg(r.round_id), '{}') INTO open_rounds
    FROM (SELECT v.round_id FROM voting.rounds v
           WHERE v.round_id = ANY(in_round_ids) AND v.phase = in_voting_phase FOR SHARE) r;
  INSERT INTO voting.ballots (round_id, district_id, voter_hash, idempotency_key, receipt_code, proposal_ids, points)
    SELECT i.r, i.d, i.v, i.k, i.c, i.p::bigint[], i.s::integer[]
      FROM unnest(in_round_ids, in_district_ids, in_voter_hashes, in_keys, in_receipts, in_proposal_ids, in_points)
           WITH ORDINALITY AS i(r, d, v, k, c, p, s, n)
     WHERE i.r = ANY(open_rounds)
     ORDER BY i.n
    ON CONFLICT (round_id, district_id, voter_hash) DO NOTHING;
  RETURN QUERY
    SELECT i.n, i.r = ANY(open_rounds), b.ballot_id, b.receipt_code, b.idempotency_key
      FROM unnest(in_round_ids, in_district_ids, in_voter_hashes) WITH ORDINALITY AS i(r, d, v, n)
      LEFT JOIN voting.ballots b ON b.round_id = i.r AND b.district_id = i.d AND b.voter_hash = i.v
     ORDER BY i.n;
END
$fn$;
)sql"},
      {3, "drop an index the unique (round, district, voter) key already serves", R"sql(
DROP INDEX voting.ballots_district;
)sql"},
      {4, "plan the group insert once per connection", R"sql(
-- Its statements take arrays, so custom plans would be re-planned on every
-- call; the generic plans (index lookups, unnest) are the right ones anyway.
ALTER FUNCTION voting.insert_ballot_group(bigint[], integer[], text[], text[], text[], text[], text[], smallint)
  SET plan_cache_mode = force_generic_plan;
)sql"},
      {5, "one district per voter, private proposals until approved", R"sql(
-- Rounds created before the setting let a voter vote in each district.
ALTER TABLE voting.rounds ADD COLUMN districts_per_voter smallint NOT NULL DEFAULT 2;
ALTER TABLE voting.proposals ADD COLUMN author_token_hash text NOT NULL DEFAULT '';
ALTER TABLE voting.ballots ADD COLUMN one_district boolean NOT NULL DEFAULT false;
-- In a round with one district per voter, this index is the rule: a second
-- ballot of the voter in any district of the round cannot commit, however
-- many replicas race.
CREATE UNIQUE INDEX ballots_one_district_per_voter ON voting.ballots (round_id, voter_hash) WHERE one_district;
DROP FUNCTION voting.insert_ballot_group(bigint[], integer[], text[], text[], text[], text[], text[], smallint);
-- As version 2, and: ballots of one-district rounds are marked so the index
-- above applies; the answer also names the district of the ballot that
-- holds the voter's slot (this district's, or the round's one district).
CREATE FUNCTION voting.insert_ballot_group(
    in_round_ids bigint[], in_district_ids integer[], in_voter_hashes text[], in_keys text[],
    in_receipts text[], in_proposal_ids text[], in_points text[], in_voting_phase smallint)
  RETURNS TABLE (out_position bigint, out_round_open boolean, out_ballot_id bigint,
                 out_receipt_code text, out_idempotency_key text, out_district_id integer)
  LANGUAGE plpgsql AS $fn$
DECLARE
  open_rounds bigint[];
  one_district_rounds bigint[];
BEGIN
  IF current_setting('synchronous_commit') = 'off' THEN
    RAISE EXCEPTION 'ballots must commit durably, but synchronous_commit is off';
  END IF;
  PERFORM pg_advisory_xact_lock(hashtext('bkk-ballot-writer'));
  SELECT coalesce(array_agg(r.round_id), '{}'),
         coalesce(array_agg(r.round_id) FILTER (WHERE r.districts_per_voter = 1), '{}')
    INTO open_rounds, one_district_rounds
    FROM (SELECT v.round_id, v.districts_per_voter FROM voting.rounds v
           WHERE v.round_id = ANY(in_round_ids) AND v.phase = in_voting_phase FOR SHARE) r;
  INSERT INTO voting.ballots (round_id, district_id, voter_hash, idempotency_key, receipt_code, proposal_ids, points,
                              one_district)
    SELECT i.r, i.d, i.v, i.k, i.c, i.p::bigint[], i.s::integer[], i.r = ANY(one_district_rounds)
      FROM unnest(in_round_ids, in_district_ids, in_voter_hashes, in_keys, in_receipts, in_proposal_ids, in_points)
           WITH ORDINALITY AS i(r, d, v, k, c, p, s, n)
     WHERE i.r = ANY(open_rounds)
     ORDER BY i.n
    ON CONFLICT DO NOTHING;
  RETURN QUERY
    SELECT i.n, i.r = ANY(open_rounds), coalesce(h.ballot_id, o.ballot_id), coalesce(h.receipt_code, o.receipt_code),
           coalesce(h.idempotency_key, o.idempotency_key), coalesce(h.district_id, o.district_id)
      FROM unnest(in_round_ids, in_district_ids, in_voter_hashes) WITH ORDINALITY AS i(r, d, v, n)
      LEFT JOIN voting.ballots h ON h.round_id = i.r AND h.district_id = i.d AND h.voter_hash = i.v
      LEFT JOIN voting.ballots o ON o.round_id = i.r AND o.voter_hash = i.v AND o.one_district
                                AND i.r = ANY(one_district_rounds)
     ORDER BY i.n;
END
$fn$;
ALTER FUNCTION voting.insert_ballot_group(bigint[], integer[], text[], text[], text[], text[], text[], smallint)
  SET plan_cache_mode = force_generic_plan;
)sql"},
      {6, "the public tally log: each district's count as voting closed, hash-chained", R"sql(
-- One entry per (round, district), chained by entry_hash (see
-- core/tally_proof.h for what it covers); `at` is kept as the exact text hashed.
CREATE TABLE voting.tally_log (
  entry_id      bigserial PRIMARY KEY,
  round_id      bigint NOT NULL REFERENCES voting.rounds (round_id),
  district_id   integer NOT NULL,
  voter_count   bigint NOT NULL,
  tally         text NOT NULL,
  merkle_root   bytea NOT NULL,
  at            text NOT NULL,
  previous_hash bytea NOT NULL,
  entry_hash    bytea NOT NULL UNIQUE,
  UNIQUE (round_id, district_id)
);
-- Append-only for everyone, the service's own role included.
CREATE FUNCTION voting.refuse_tally_log_change() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  RAISE EXCEPTION 'voting.tally_log is append-only: a published count is never changed';
END
$fn$;
CREATE TRIGGER tally_log_append_only BEFORE UPDATE OR DELETE ON voting.tally_log
  FOR EACH ROW EXECUTE FUNCTION voting.refuse_tally_log_change();
CREATE TRIGGER tally_log_no_truncate BEFORE TRUNCATE ON voting.tally_log
  FOR EACH STATEMENT EXECUTE FUNCTION voting.refuse_tally_log_change();
)sql"},
      {7, "published results, frozen; winning proposals as tracked projects", R"sql(
-- A district's official outcome, written once when its round is published.
CREATE TABLE voting.results (
  round_id         bigint NOT NULL REFERENCES voting.rounds (round_id),
  district_id      integer NOT NULL,
  rule             smallint NOT NULL,
  budget_baht      bigint NOT NULL,
  total_cost_baht  bigint NOT NULL,
  voters           bigint NOT NULL,
  add1_steps       bigint NOT NULL,
  summary          text NOT NULL,
  published_at     timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (round_id, district_id)
);
-- Every project of the election, in the election's order.
CREATE TABLE voting.result_projects (
  round_id      bigint NOT NULL,
  district_id   integer NOT NULL,
  position      integer NOT NULL,
  project_key   text NOT NULL,
  cost_baht     bigint NOT NULL,
  supporters    bigint NOT NULL,
  support       bigint NOT NULL,
  funded        boolean NOT NULL,
  funded_order  integer NOT NULL,
  explanation   text NOT NULL,
  PRIMARY KEY (round_id, district_id, position),
  FOREIGN KEY (round_id, district_id) REFERENCES voting.results
);
CREATE FUNCTION voting.refuse_result_change() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  RAISE EXCEPTION 'published results are frozen: % is append-only', TG_TABLE_NAME;
END
$fn$;
CREATE TRIGGER results_frozen BEFORE UPDATE OR DELETE ON voting.results
  FOR EACH ROW EXECUTE FUNCTION voting.refuse_result_change();
CREATE TRIGGER result_projects_frozen BEFORE UPDATE OR DELETE ON voting.result_projects
  FOR EACH ROW EXECUTE FUNCTION voting.refuse_result_change();
CREATE TRIGGER results_no_truncate BEFORE TRUNCATE ON voting.results
  FOR EACH STATEMENT EXECUTE FUNCTION voting.refuse_result_change();
CREATE TRIGGER result_projects_no_truncate BEFORE TRUNCATE ON voting.result_projects
  FOR EACH STATEMENT EXECUTE FUNCTION voting.refuse_result_change();
CREATE TABLE voting.projects (
  project_id        bigserial PRIMARY KEY,
  round_id          bigint NOT NULL REFERENCES voting.rounds (round_id),
  district_id       integer NOT NULL,
  proposal_id       bigint NOT NULL UNIQUE REFERENCES voting.proposals (proposal_id),
  title             text NOT NULL,
  funded_baht       bigint NOT NULL,
  agency            text NOT NULL DEFAULT '',
  status            smallint NOT NULL CHECK (status BETWEEN 1 AND 5),
  status_reason     text NOT NULL DEFAULT '',
  progress_percent  integer NOT NULL DEFAULT 0 CHECK (progress_percent BETWEEN 0 AND 100),
  committed_baht    bigint NOT NULL DEFAULT 0 CHECK (committed_baht >= 0),
  spent_baht        bigint NOT NULL DEFAULT 0 CHECK (spent_baht >= 0),
  budget_line_ids   bigint[] NOT NULL DEFAULT '{}',
  created_at        timestamptz NOT NULL DEFAULT now(),
  updated_at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX projects_district ON voting.projects (round_id, district_id);
-- The timeline: each update with the project's state after it, append-only.
CREATE TABLE voting.project_updates (
  update_id         bigserial PRIMARY KEY,
  project_id        bigint NOT NULL REFERENCES voting.projects (project_id),
  at                timestamptz NOT NULL DEFAULT now(),
  operator_name     text NOT NULL,
  text              text NOT NULL,
  link              text NOT NULL,
  reason            text NOT NULL,
  status            smallint NOT NULL,
  progress_percent  integer NOT NULL,
  committed_baht    bigint NOT NULL,
  spent_baht        bigint NOT NULL,
  agency            text NOT NULL
);
CREATE INDEX project_updates_project ON voting.project_updates (project_id, update_id);
CREATE TRIGGER project_updates_append_only BEFORE UPDATE OR DELETE ON voting.project_updates
  FOR EACH ROW EXECUTE FUNCTION voting.refuse_result_change();
CREATE TRIGGER project_updates_no_truncate BEFORE TRUNCATE ON voting.project_updates
  FOR EACH STATEMENT EXECUTE FUNCTION voting.refuse_result_change();
)sql"},
      {8, "outcome thresholds, exact money and imported elections as archive records", R"sql(
ALTER TABLE voting.rounds
  ADD COLUMN min_support      bigint NOT NULL DEFAULT 0 CHECK (min_support >= 0),
  ADD COLUMN money_scale      smallint NOT NULL DEFAULT 0 CHECK (money_scale BETWEEN 0 AND 4),
  ADD COLUMN currency         text NOT NULL DEFAULT 'THB',
  ADD COLUMN archive          boolean NOT NULL DEFAULT false,
  ADD COLUMN archive_country  text NOT NULL DEFAULT '',
  ADD COLUMN archive_unit     text NOT NULL DEFAULT '',
  ADD COLUMN archive_subunit  text NOT NULL DEFAULT '',
  ADD COLUMN archive_instance text NOT NULL DEFAULT '';
-- Rounds imported before this version were filed as city rounds.
UPDATE voting.rounds r SET archive = true
  WHERE source <> '' AND EXISTS (SELECT 1 FROM voting.proposals p WHERE p.round_id = r.round_id AND p.external_id <> '');
-- Frozen results keep the Thai texts and each project's reason code too
-- (adding columns with defaults rewrites no row: the freeze triggers hold).
ALTER TABLE voting.results
  ADD COLUMN min_support bigint NOT NULL DEFAULT 0,
  ADD COLUMN summary_th  text NOT NULL DEFAULT '';
ALTER TABLE voting.result_projects
  ADD COLUMN reason          smallint NOT NULL DEFAULT 0,
  ADD COLUMN explanation_th  text NOT NULL DEFAULT '';
)sql"},
      {9, "the group insert finds each voter's slot by index, however small the table was when planned", R"sql(
-- Version 4's generic plan is made on a connection's first call: if the
-- ballots table was small then, it hash-joins a sequential scan of every
-- ballot, once per group for the connection's lifetime, and a campaign's
-- cost per ballot grows with its size. Each position needs one lookup by a
-- unique key; only nested loops over index scans do that at any size.
ALTER FUNCTION voting.insert_ballot_group(bigint[], integer[], text[], text[], text[], text[], text[], smallint)
  SET enable_seqscan = off SET enable_hashjoin = off SET enable_mergejoin = off;
)sql"},
  };
  return *kMigrations;
}

constexpr char kRoundColumns[] =
    "round_id, name, fiscal_year, ballot_kind, max_choices, total_points, max_points, outcome_rule, "
    "identity_mode, phase, source, to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), "
    "districts_per_voter, min_support, money_scale, currency, archive, archive_country, archive_unit, "
    "archive_subunit, archive_instance";
constexpr char kProposalColumns[] =
    "proposal_id, round_id, district_id, title, description, strategy_tag, estimated_cost_baht, status, "
    "rejection_reason, external_id, to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), "
    "author_token_hash";
constexpr char kBallotColumns[] =
    "ballot_id, round_id, district_id, voter_hash, array_to_string(proposal_ids, ','), "
    "array_to_string(points, ','), receipt_code, "
    "to_char(cast_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')";

// Statements of the hot paths, prepared once per connection (pqxx ignores
// a repeated prepare() with the same text).
constexpr char kInsertBallotGroup[] = "voting_insert_ballot_group";
constexpr char kBallotsAfter[] = "voting_ballots_after";

RoundRecord RoundFromRow(const pqxx::row& r) {
  RoundRecord round;
  round.round_id = r[0].as<int64_t>();
  round.name = r[1].as<std::string>();
  round.fiscal_year = r[2].as<int32_t>();
  round.ballot_rule.kind = static_cast<BallotKind>(r[3].as<int>());
  round.ballot_rule.max_choices = r[4].as<int32_t>();
  round.ballot_rule.total_points = r[5].as<int64_t>();
  round.ballot_rule.max_points_per_project = r[6].as<int64_t>();
  round.outcome_rule = static_cast<OutcomeRule>(r[7].as<int>());
  round.identity_mode = static_cast<IdentityMode>(r[8].as<int>());
  round.phase = static_cast<Phase>(r[9].as<int>());
  round.source = r[10].as<std::string>();
  round.created_at = r[11].as<std::string>();
  round.districts_per_voter = static_cast<DistrictsPerVoter>(r[12].as<int>());
  round.min_support = r[13].as<int64_t>();
  round.money_scale = r[14].as<int>();
  round.currency = r[15].as<std::string>();
  if (r[16].as<bool>()) {
    round.archive =
        ArchiveInfo{r[17].as<std::string>(), r[18].as<std::string>(), r[19].as<std::string>(), r[20].as<std::string>()};
  }
  return round;
}

ProposalRecord ProposalFromRow(const pqxx::row& r) {
  ProposalRecord p;
  p.proposal_id = r[0].as<int64_t>();
  p.round_id = r[1].as<int64_t>();
  p.district_id = r[2].as<int32_t>();
  p.title = r[3].as<std::string>();
  p.description = r[4].as<std::string>();
  p.strategy_tag = r[5].as<std::string>();
  p.estimated_cost_baht = r[6].as<int64_t>();
  p.status = static_cast<ModerationStatus>(r[7].as<int>());
  p.rejection_reason = r[8].as<std::string>();
  p.external_id = r[9].as<std::string>();
  p.created_at = r[10].as<std::string>();
  p.author_token_hash = r[11].as<std::string>();
  return p;
}

StoredBallot BallotFromRow(const pqxx::row& r) {
  StoredBallot b;
  b.ballot_id = r[0].as<int64_t>();
  b.round_id = r[1].as<int64_t>();
  b.district_id = r[2].as<int32_t>();
  b.voter_hash = r[3].as<std::string>();
  std::vector<std::string> ids = absl::StrSplit(r[4].as<std::string>(), ',', absl::SkipEmpty());
  std::vector<std::string> pts = absl::StrSplit(r[5].as<std::string>(), ',', absl::SkipEmpty());
  for (size_t i = 0; i < ids.size() && i < pts.size(); ++i) {
    BallotChoice c;
    (void)absl::SimpleAtoi(ids[i], &c.proposal_id);
    (void)absl::SimpleAtoi(pts[i], &c.points);
    b.choices.push_back(c);
  }
  b.receipt_code = r[6].as<std::string>();
  b.cast_at = r[7].as<std::string>();
  return b;
}

// PostgreSQL array literals of integers ("{1,2,3}"): built from numbers only,
// passed as parameters.
std::string IdArray(const std::vector<BallotChoice>& choices, bool points) {
  return absl::StrCat("{",
                      absl::StrJoin(choices, ",",
                                    [points](std::string* out, const BallotChoice& c) {
                                      absl::StrAppend(out, points ? c.points : c.proposal_id);
                                    }),
                      "}");
}

// A PostgreSQL text[] literal, every element quoted and escaped, for passing
// a group's columns as parameters ({"a","b\"c"}).
std::string TextArray(const std::vector<std::string>& items) {
  std::string out = "{";
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += ',';
    out += '"';
    for (char ch : items[i]) {
      if (ch == '"' || ch == '\\') out += '\\';
      out += ch;
    }
    out += '"';
  }
  out += '}';
  return out;
}

void LoadDistricts(pqxx::transaction_base& tx, RoundRecord& round) {
  round.districts.clear();
  for (const auto& r : tx.exec_params(
           "SELECT district_id, budget_baht FROM voting.round_districts WHERE round_id = $1 ORDER BY district_id",
           round.round_id)) {
    round.districts.push_back({r[0].as<int32_t>(), r[1].as<int64_t>()});
  }
}

void WriteRound(pqxx::transaction_base& tx, const RoundRecord& round) {
  tx.exec_params(
      "UPDATE voting.rounds SET name=$2, fiscal_year=$3, ballot_kind=$4, max_choices=$5, total_points=$6, "
      "max_points=$7, outcome_rule=$8, identity_mode=$9, phase=$10, districts_per_voter=$11, min_support=$12 "
      "WHERE round_id=$1",
      round.round_id, round.name, round.fiscal_year, static_cast<int>(round.ballot_rule.kind),
      round.ballot_rule.max_choices, round.ballot_rule.total_points, round.ballot_rule.max_points_per_project,
      static_cast<int>(round.outcome_rule), static_cast<int>(round.identity_mode), static_cast<int>(round.phase),
      static_cast<int>(round.districts_per_voter), round.min_support);
  tx.exec_params("DELETE FROM voting.round_districts WHERE round_id = $1", round.round_id);
  for (const auto& d : round.districts) {
    tx.exec_params("INSERT INTO voting.round_districts VALUES ($1, $2, $3)", round.round_id, d.district_id,
                   d.budget_baht);
  }
}

// Reads the round under a lock, lets `change` edit it (or refuse) and
// writes it back, in the caller's transaction.
absl::StatusOr<RoundRecord> ChangeRound(pqxx::work& tx, int64_t round_id,
                                        const std::function<absl::Status(RoundRecord&)>& change) {
  auto r = tx.exec_params(std::string("SELECT ") + kRoundColumns + " FROM voting.rounds WHERE round_id = $1 FOR UPDATE",
                          round_id);
  if (r.empty()) return absl::NotFoundError(absl::StrCat("round_id ", round_id, " does not exist"));
  RoundRecord round = RoundFromRow(r[0]);
  LoadDistricts(tx, round);
  RETURN_IF_ERROR(change(round));
  WriteRound(tx, round);
  return round;
}

int64_t InsertRound(pqxx::transaction_base& tx, const RoundRecord& round) {
  const ArchiveInfo archive = round.archive.value_or(ArchiveInfo{});
  auto r = tx.exec_params1(
      "INSERT INTO voting.rounds (name, fiscal_year, ballot_kind, max_choices, total_points, max_points, "
      "outcome_rule, identity_mode, phase, source, districts_per_voter, min_support, money_scale, currency, "
      "archive, archive_country, archive_unit, archive_subunit, archive_instance) "
      "VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19) RETURNING round_id",
      round.name, round.fiscal_year, static_cast<int>(round.ballot_rule.kind), round.ballot_rule.max_choices,
      round.ballot_rule.total_points, round.ballot_rule.max_points_per_project, static_cast<int>(round.outcome_rule),
      static_cast<int>(round.identity_mode), static_cast<int>(round.phase), round.source,
      static_cast<int>(round.districts_per_voter), round.min_support, round.money_scale, round.currency,
      round.archive.has_value(), archive.country, archive.unit, archive.subunit, archive.instance);
  int64_t id = r[0].as<int64_t>();
  for (const auto& d : round.districts) {
    tx.exec_params("INSERT INTO voting.round_districts VALUES ($1, $2, $3)", id, d.district_id, d.budget_baht);
  }
  return id;
}

int64_t InsertProposal(pqxx::transaction_base& tx, const ProposalRecord& p) {
  return tx
      .exec_params1(
          "INSERT INTO voting.proposals (round_id, district_id, title, description, strategy_tag, "
          "estimated_cost_baht, status, rejection_reason, external_id, author_token_hash) "
          "VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10) RETURNING proposal_id",
          p.round_id, p.district_id, p.title, p.description, p.strategy_tag, p.estimated_cost_baht,
          static_cast<int>(p.status), p.rejection_reason, p.external_id, p.author_token_hash)[0]
      .as<int64_t>();
}

}  // namespace

absl::Status PgVotingRepository::Migrate() { return RunMigrations(*pool_, "voting", VotingMigrations()); }

absl::StatusOr<RoundRecord> PgVotingRepository::CreateRound(const RoundRecord& round,
                                                            const operators::AuditEvent& audit) {
  ASSIGN_OR_RETURN(const int64_t id, pool_->Query([&](pqxx::connection& c) {
    pqxx::work tx(c);
    const int64_t created = InsertRound(tx, round);
    operators::AppendAuditEvent(tx, ForNewRound(audit, created));
    tx.commit();
    return created;
  }));
  return GetRound(id);
}

absl::StatusOr<RoundRecord> PgVotingRepository::GetRound(int64_t round_id) {
  return pool_->Query([&](pqxx::connection& c) -> absl::StatusOr<RoundRecord> {
    RoundRecord round;
    pqxx::read_transaction tx(c);
    auto r =
        tx.exec_params(std::string("SELECT ") + kRoundColumns + " FROM voting.rounds WHERE round_id = $1", round_id);
    if (r.empty()) return absl::NotFoundError(absl::StrCat("round_id ", round_id, " does not exist"));
    round = RoundFromRow(r[0]);
    LoadDistricts(tx, round);
    return round;
  });
}

absl::StatusOr<std::vector<RoundRecord>> PgVotingRepository::ListRounds() {
  return pool_->Query([&](pqxx::connection& c) -> absl::StatusOr<std::vector<RoundRecord>> {
    std::vector<RoundRecord> rounds;
    pqxx::read_transaction tx(c);
    for (const auto& r :
         tx.exec(std::string("SELECT ") + kRoundColumns + " FROM voting.rounds ORDER BY round_id DESC")) {
      rounds.push_back(RoundFromRow(r));
      LoadDistricts(tx, rounds.back());
    }
    return rounds;
  });
}

absl::StatusOr<RoundRecord> PgVotingRepository::UpdateRound(int64_t round_id,
                                                            const std::function<absl::Status(RoundRecord&)>& change,
                                                            const operators::AuditEvent& audit) {
  return pool_->Query([&](pqxx::connection& c) -> absl::StatusOr<RoundRecord> {
    pqxx::work tx(c);
    ASSIGN_OR_RETURN(auto round, ChangeRound(tx, round_id, change));
    operators::AppendAuditEvent(tx, audit);
    tx.commit();
    return round;
  });
}

absl::StatusOr<ProposalRecord> PgVotingRepository::CreateProposal(const ProposalRecord& proposal) {
  ASSIGN_OR_RETURN(const int64_t id, pool_->Query([&](pqxx::connection& c) {
    pqxx::work tx(c);
    const int64_t created = InsertProposal(tx, proposal);
    tx.commit();
    return created;
  }));
  return GetProposal(id);
}

absl::StatusOr<ProposalRecord> PgVotingRepository::GetProposal(int64_t proposal_id) {
  return pool_->Query([&](pqxx::connection& c) -> absl::StatusOr<ProposalRecord> {
    ProposalRecord p;
    pqxx::read_transaction tx(c);
    auto r = tx.exec_params(std::string("SELECT ") + kProposalColumns + " FROM voting.proposals WHERE proposal_id = $1",
                            proposal_id);
    if (r.empty()) return absl::NotFoundError(absl::StrCat("proposal_id ", proposal_id, " does not exist"));
    p = ProposalFromRow(r[0]);
    return p;
  });
}

absl::StatusOr<std::vector<ProposalRecord>> PgVotingRepository::ListProposals(int64_t round_id, int32_t district_id,
                                                                              bool include_unmoderated) {
  return pool_->Query([&](pqxx::connection& c) -> absl::StatusOr<std::vector<ProposalRecord>> {
    std::vector<ProposalRecord> out;
    pqxx::read_transaction tx(c);
    for (const auto& r :
         tx.exec_params(std::string("SELECT ") + kProposalColumns +
                            " FROM voting.proposals WHERE round_id = $1 AND district_id = $2 AND ($3 OR status = $4) "
                            "ORDER BY proposal_id",
                        round_id, district_id, include_unmoderated, static_cast<int>(ModerationStatus::kApproved))) {
      out.push_back(ProposalFromRow(r));
    }
    return out;
  });
}

absl::StatusOr<ProposalRecord> PgVotingRepository::UpdateProposal(
    int64_t proposal_id, const std::function<absl::Status(ProposalRecord&)>& change,
    const operators::AuditEvent& audit) {
  return pool_->Query([&](pqxx::connection& c) -> absl::StatusOr<ProposalRecord> {
    ProposalRecord p;
    pqxx::work tx(c);
    auto r = tx.exec_params(
        std::string("SELECT ") + kProposalColumns + " FROM voting.proposals WHERE proposal_id = $1 FOR UPDATE",
        proposal_id);
    if (r.empty()) return absl::NotFoundError(absl::StrCat("proposal_id ", proposal_id, " does not exist"));
    p = ProposalFromRow(r[0]);
    if (auto st = change(p); !st.ok()) return st;
    tx.exec_params("UPDATE voting.proposals SET status = $2, rejection_reason = $3 WHERE proposal_id = $1", proposal_id,
                   static_cast<int>(p.status), p.rejection_reason);
    operators::AppendAuditEvent(tx, audit);
    tx.commit();
    return p;
  });
}

std::vector<BallotResult> PgVotingRepository::InsertBallots(const std::vector<NewBallot>& ballots) {
  std::vector<BallotResult> results(ballots.size());
  if (ballots.empty()) return results;
  std::vector<std::string> rounds, districts, voters, keys, receipts, proposal_ids, points;
  for (const auto& b : ballots) {
    rounds.push_back(absl::StrCat(b.round_id));
    districts.push_back(absl::StrCat(b.district_id));
    voters.push_back(b.voter_hash);
    keys.push_back(b.idempotency_key);
    receipts.push_back(b.receipt_code);
    proposal_ids.push_back(IdArray(b.choices, false));
    points.push_back(IdArray(b.choices, true));
  }
  auto s = pool_->Run([&](pqxx::connection& c) {
    // One statement in autocommit: the group is one round trip and one
    // durable commit; PQexecParams returns only after the commit.
    c.prepare(kInsertBallotGroup,
              "SELECT out_position, out_round_open, out_ballot_id, out_receipt_code, out_idempotency_key, "
              "out_district_id "
              "FROM voting.insert_ballot_group($1::bigint[], $2::integer[], $3::text[], $4::text[], $5::text[], "
              "$6::text[], $7::text[], $8::smallint)");
    pqxx::nontransaction tx(c);
    auto rows = tx.exec_prepared(kInsertBallotGroup, TextArray(rounds), TextArray(districts), TextArray(voters),
                                 TextArray(keys), TextArray(receipts), TextArray(proposal_ids), TextArray(points),
                                 static_cast<int>(Phase::kVoting));
    if (rows.size() != ballots.size()) return absl::InternalError("insert_ballot_group answered the wrong count");
    for (const auto& r : rows) {
      size_t i = r[0].as<size_t>() - 1;
      const NewBallot& b = ballots.at(i);
      if (!r[1].as<bool>()) {
        results[i] = {absl::FailedPreconditionError("the round is not open for voting"), 0, "", false};
      } else if (r[2].is_null()) {
        results[i] = {absl::InternalError("the ballot was neither stored nor found"), 0, "", false};
      } else {
        results[i] =
            ResultAgainst(b, r[2].as<int64_t>(), r[3].as<std::string>(), r[4].as<std::string>(), r[5].as<int32_t>());
      }
    }
    return absl::OkStatus();
  });
  if (!s.ok()) {
    // Nothing of the group is acknowledged; a retry with the same
    // idempotency key is safe whatever happened to the commit.
    absl::Status failure =
        s.code() == absl::StatusCode::kAlreadyExists
            ? absl::AbortedError("receipt code collision; retry the ballot")
            : absl::UnavailableError(absl::StrCat("the ballot could not be stored durably (", s.message(),
                                                  "); it was not counted — retry with the same idempotency key"));
    for (auto& r : results) r = {failure, 0, "", false};
  }
  return results;
}

absl::StatusOr<StoredBallot> PgVotingRepository::FindBallotByReceipt(const std::string& receipt_code) {
  return pool_->Query([&](pqxx::connection& c) -> absl::StatusOr<StoredBallot> {
    StoredBallot b;
    pqxx::read_transaction tx(c);
    auto r = tx.exec_params(std::string("SELECT ") + kBallotColumns + " FROM voting.ballots WHERE receipt_code = $1",
                            receipt_code);
    if (r.empty()) return ReceiptNotFound();
    b = BallotFromRow(r[0]);
    return b;
  });
}

absl::StatusOr<std::vector<StoredBallot>> PgVotingRepository::BallotsAfter(int64_t after_id, int limit) {
  return pool_->Query([&](pqxx::connection& c) -> absl::StatusOr<std::vector<StoredBallot>> {
    std::vector<StoredBallot> out;
    c.prepare(kBallotsAfter, std::string("SELECT ") + kBallotColumns +
                                 " FROM voting.ballots WHERE ballot_id > $1 ORDER BY ballot_id LIMIT $2");
    pqxx::nontransaction tx(c);  // one statement: its own snapshot, one round trip
    for (const auto& r : tx.exec_prepared(kBallotsAfter, after_id, limit)) {
      out.push_back(BallotFromRow(r));
    }
    return out;
  });
}

absl::StatusOr<std::vector<StoredBallot>> PgVotingRepository::BallotsOfDistrict(int64_t round_id, int32_t district_id) {
  return pool_->Query([&](pqxx::connection& c) -> absl::StatusOr<std::vector<StoredBallot>> {
    std::vector<StoredBallot> out;
    pqxx::read_transaction tx(c);
    for (const auto& r : tx.exec_params(std::string("SELECT ") + kBallotColumns +
                                            " FROM voting.ballots WHERE round_id = $1 AND district_id = $2 "
                                            "ORDER BY ballot_id",
                                        round_id, district_id)) {
      out.push_back(BallotFromRow(r));
    }
    return out;
  });
}

absl::StatusOr<DistrictCounts> PgVotingRepository::CountDistrict(int64_t round_id, int32_t district_id) {
  return pool_->Query([&](pqxx::connection& c) -> absl::StatusOr<DistrictCounts> {
    DistrictCounts out;
    // Three reads, one snapshot.
    pqxx::transaction<pqxx::repeatable_read, pqxx::read_only> tx(c);
    out.watermark = tx.exec1("SELECT coalesce(max(ballot_id), 0) FROM voting.ballots")[0].as<int64_t>();
    out.voter_count = tx.exec_params1("SELECT count(*) FROM voting.ballots WHERE round_id = $1 AND district_id = $2",
                                      round_id, district_id)[0]
                          .as<int64_t>();
    for (const auto& r : tx.exec_params("SELECT c.proposal_id, sum(c.points)::bigint FROM voting.ballots b, "
                                        "unnest(b.proposal_ids, b.points) AS c(proposal_id, points) "
                                        "WHERE b.round_id = $1 AND b.district_id = $2 GROUP BY c.proposal_id",
                                        round_id, district_id)) {
      out.support.push_back({r[0].as<int64_t>(), r[1].as<int64_t>()});
    }
    tx.commit();
    return out;
  });
}

absl::StatusOr<std::vector<std::pair<int32_t, int64_t>>> PgVotingRepository::Turnout(int64_t round_id) {
  return pool_->Query([&](pqxx::connection& c) -> absl::StatusOr<std::vector<std::pair<int32_t, int64_t>>> {
    std::vector<std::pair<int32_t, int64_t>> out;
    pqxx::read_transaction tx(c);
    for (const auto& r : tx.exec_params("SELECT district_id, count(*) FROM voting.ballots WHERE round_id = $1 "
                                        "GROUP BY district_id ORDER BY district_id",
                                        round_id)) {
      out.push_back({r[0].as<int32_t>(), r[1].as<int64_t>()});
    }
    return out;
  });
}

absl::StatusOr<int64_t> PgVotingRepository::DistinctVoters(int64_t round_id) {
  return pool_->Query([&](pqxx::connection& c) -> absl::StatusOr<int64_t> {
    int64_t n = 0;
    pqxx::read_transaction tx(c);
    n = tx.exec_params1("SELECT count(DISTINCT voter_hash) FROM voting.ballots WHERE round_id = $1", round_id)[0]
            .as<int64_t>();
    return n;
  });
}

absl::StatusOr<RoundRecord> PgVotingRepository::ImportClosedRound(RoundRecord round,
                                                                  std::vector<ProposalRecord> proposals,
                                                                  const std::vector<ImportedBallot>& ballots,
                                                                  const operators::AuditEvent& audit) {
  ASSIGN_OR_RETURN(const int64_t id, pool_->Query([&](pqxx::connection& c) -> absl::StatusOr<int64_t> {
    pqxx::work tx(c);
    // Ids rise in commit order: take the ballot writers' lock.
    tx.exec("SELECT pg_advisory_xact_lock(hashtext('bkk-ballot-writer'))");
    const int64_t round_id = InsertRound(tx, round);
    std::map<std::string, int64_t> ids;
    for (auto& p : proposals) {
      p.round_id = round_id;
      ids[p.external_id] = InsertProposal(tx, p);
    }
    int n = 0;
    for (const auto& b : ballots) {
      std::vector<BallotChoice> choices;
      for (const auto& [ext, pts] : b.choices) {
        auto it = ids.find(ext);
        if (it == ids.end()) return absl::InvalidArgumentError("a vote names unknown project " + ext);
        choices.push_back({it->second, pts});
      }
      if (choices.empty()) continue;
      tx.exec_params(
          "INSERT INTO voting.ballots (round_id, district_id, voter_hash, idempotency_key, receipt_code, "
          "proposal_ids, points) VALUES ($1, $2, $3, $4, $5, $6::bigint[], $7::integer[])",
          round_id, round.districts.front().district_id, b.voter_hash, "import",
          absl::StrCat("import-", round_id, "-", ++n), IdArray(choices, false), IdArray(choices, true));
    }
    operators::AppendAuditEvent(tx, ForNewRound(audit, round_id));
    tx.commit();
    return round_id;
  }));
  return GetRound(id);
}

namespace {

std::string TallyText(const TallyLogEntry& e) {
  std::string out;
  for (const auto& [id, support] : e.tally) absl::StrAppend(&out, out.empty() ? "" : ",", id, ":", support);
  return out;
}

TallyLogEntry EntryFromRow(const pqxx::row& r) {
  TallyLogEntry e;
  e.entry_id = r[0].as<int64_t>();
  e.round_id = r[1].as<int64_t>();
  e.district_id = r[2].as<int32_t>();
  e.voter_count = r[3].as<int64_t>();
  for (absl::string_view pair : absl::StrSplit(r[4].as<std::string>(), ',', absl::SkipEmpty())) {
    std::pair<absl::string_view, absl::string_view> kv = absl::StrSplit(pair, ':');
    int64_t id = 0, support = 0;
    (void)absl::SimpleAtoi(kv.first, &id);
    (void)absl::SimpleAtoi(kv.second, &support);
    e.tally.emplace_back(id, support);
  }
  e.merkle_root = pqxx::binarystring(r[5]).str();
  e.at = r[6].as<std::string>();
  e.previous_hash = pqxx::binarystring(r[7]).str();
  e.entry_hash = pqxx::binarystring(r[8]).str();
  return e;
}

constexpr char kEntryColumns[] =
    "entry_id, round_id, district_id, voter_count, tally, merkle_root, at, previous_hash, entry_hash";

}  // namespace

absl::StatusOr<TallyLogEntry> PgVotingRepository::AppendTallyLog(TallyLogEntry entry) {
  return pool_->Query([&](pqxx::connection& c) -> absl::StatusOr<TallyLogEntry> {
    pqxx::work tx(c);
    // One writer at a time, so each entry chains to the one before it.
    tx.exec("SELECT pg_advisory_xact_lock(hashtext('bkk-tally-log'))");
    auto existing = tx.exec_params(
        std::string("SELECT ") + kEntryColumns + " FROM voting.tally_log WHERE round_id = $1 AND district_id = $2",
        entry.round_id, entry.district_id);
    if (!existing.empty()) return EntryFromRow(existing[0]);
    auto last = tx.exec("SELECT entry_hash FROM voting.tally_log ORDER BY entry_id DESC LIMIT 1");
    ChainEntry(last.empty() ? "" : pqxx::binarystring(last[0][0]).str(),
               absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", absl::Now(), absl::UTCTimeZone()), &entry);
    const pqxx::binarystring root(entry.merkle_root), previous(entry.previous_hash), hash(entry.entry_hash);
    entry.entry_id =
        tx.exec_params1(
              "INSERT INTO voting.tally_log (round_id, district_id, voter_count, tally, merkle_root, at, "
              "previous_hash, entry_hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING entry_id",
              entry.round_id, entry.district_id, entry.voter_count, TallyText(entry), root, entry.at, previous, hash)[0]
            .as<int64_t>();
    tx.commit();
    return entry;
  });
}

absl::StatusOr<std::vector<TallyLogEntry>> PgVotingRepository::TallyLog(int64_t round_id) {
  return pool_->Query([&](pqxx::connection& c) -> absl::StatusOr<std::vector<TallyLogEntry>> {
    std::vector<TallyLogEntry> out;
    pqxx::read_transaction tx(c);
    for (const auto& r : tx.exec_params(std::string("SELECT ") + kEntryColumns +
                                            " FROM voting.tally_log WHERE $1 = 0 OR round_id = $1 ORDER BY entry_id",
                                        round_id)) {
      out.push_back(EntryFromRow(r));
    }
    return out;
  });
}

namespace {

// A timestamp column as RFC 3339 text in UTC.
std::string Rfc3339(absl::string_view column) {
  return absl::StrCat("to_char(", column, " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')");
}
const std::string kProjectColumns = absl::StrCat(
    "project_id, round_id, district_id, proposal_id, title, funded_baht, agency, status, status_reason, "
    "progress_percent, committed_baht, spent_baht, array_to_string(budget_line_ids, ','), ",
    Rfc3339("created_at"), ", ", Rfc3339("updated_at"));
const std::string kUpdateColumns =
    absl::StrCat("update_id, project_id, ", Rfc3339("at"),
                 ", operator_name, text, link, reason, status, progress_percent, committed_baht, spent_baht, agency");

ProjectRecord ProjectFromRow(const pqxx::row& r) {
  ProjectRecord p;
  p.project_id = r[0].as<int64_t>();
  p.round_id = r[1].as<int64_t>();
  p.district_id = r[2].as<int32_t>();
  p.proposal_id = r[3].as<int64_t>();
  p.title = r[4].as<std::string>();
  p.funded_baht = r[5].as<int64_t>();
  p.agency = r[6].as<std::string>();
  p.status = static_cast<ProjectStatus>(r[7].as<int>());
  p.status_reason = r[8].as<std::string>();
  p.progress_percent = r[9].as<int32_t>();
  p.committed_baht = r[10].as<int64_t>();
  p.spent_baht = r[11].as<int64_t>();
  for (absl::string_view id : absl::StrSplit(r[12].as<std::string>(), ',', absl::SkipEmpty())) {
    int64_t line = 0;
    if (absl::SimpleAtoi(id, &line)) p.budget_line_ids.push_back(line);
  }
  p.created_at = r[13].as<std::string>();
  p.updated_at = r[14].as<std::string>();
  return p;
}

ProjectUpdateRecord UpdateFromRow(const pqxx::row& r) {
  ProjectUpdateRecord u;
  u.update_id = r[0].as<int64_t>();
  u.project_id = r[1].as<int64_t>();
  u.at = r[2].as<std::string>();
  u.operator_name = r[3].as<std::string>();
  u.text = r[4].as<std::string>();
  u.link = r[5].as<std::string>();
  u.reason = r[6].as<std::string>();
  u.status = static_cast<ProjectStatus>(r[7].as<int>());
  u.progress_percent = r[8].as<int32_t>();
  u.committed_baht = r[9].as<int64_t>();
  u.spent_baht = r[10].as<int64_t>();
  u.agency = r[11].as<std::string>();
  return u;
}

std::string LineArray(const std::vector<int64_t>& ids) { return absl::StrCat("{", absl::StrJoin(ids, ","), "}"); }

}  // namespace

absl::StatusOr<RoundRecord> PgVotingRepository::PublishRound(int64_t round_id,
                                                             const std::function<absl::Status(RoundRecord&)>& change,
                                                             const std::vector<DistrictResult>& results,
                                                             const std::vector<ProjectRecord>& projects,
                                                             const operators::AuditEvent& audit) {
  return pool_->Query([&](pqxx::connection& c) -> absl::StatusOr<RoundRecord> {
    pqxx::work tx(c);
    ASSIGN_OR_RETURN(auto round, ChangeRound(tx, round_id, change));
    for (const auto& r : results) {
      const Outcome& o = r.outcome;
      tx.exec_params(
          "INSERT INTO voting.results (round_id, district_id, rule, budget_baht, total_cost_baht, voters, add1_steps, "
          "summary, summary_th, min_support) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
          r.round_id, r.district_id, static_cast<int>(o.rule), o.budget, o.total_cost, o.voters, o.add1_steps,
          o.summary, o.summary_th, o.min_support);
      for (size_t i = 0; i < o.projects.size(); ++i) {
        const ProjectOutcome& p = o.projects[i];
        tx.exec_params(
            "INSERT INTO voting.result_projects (round_id, district_id, position, project_key, cost_baht, supporters, "
            "support, funded, funded_order, explanation, explanation_th, reason) "
            "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
            r.round_id, r.district_id, static_cast<int>(i), p.id, p.cost, p.supporters, p.support, p.funded,
            p.funded_order, p.explanation, p.explanation_th, static_cast<int>(p.reason));
      }
    }
    for (const auto& p : projects) {
      tx.exec_params(
          "INSERT INTO voting.projects (round_id, district_id, proposal_id, title, funded_baht, agency, status) "
          "VALUES ($1, $2, $3, $4, $5, $6, $7)",
          p.round_id, p.district_id, p.proposal_id, p.title, p.funded_baht, p.agency, static_cast<int>(p.status));
    }
    operators::AppendAuditEvent(tx, audit);
    tx.commit();
    return round;
  });
}

absl::StatusOr<DistrictResult> PgVotingRepository::GetResult(int64_t round_id, int32_t district_id) {
  return pool_->Query([&](pqxx::connection& c) -> absl::StatusOr<DistrictResult> {
    DistrictResult out;
    pqxx::read_transaction tx(c);
    auto head = tx.exec_params(
        absl::StrCat("SELECT rule, budget_baht, total_cost_baht, voters, add1_steps, summary, ",
                     Rfc3339("published_at"),
                     ", summary_th, min_support FROM voting.results WHERE round_id = $1 AND district_id = $2"),
        round_id, district_id);
    if (head.empty()) {
      return absl::NotFoundError(
          absl::StrCat("district ", district_id, " of round ", round_id, " has no published result"));
    }
    out.round_id = round_id;
    out.district_id = district_id;
    Outcome& o = out.outcome;
    o.rule = static_cast<OutcomeRule>(head[0][0].as<int>());
    o.budget = head[0][1].as<int64_t>();
    o.total_cost = head[0][2].as<int64_t>();
    o.voters = head[0][3].as<int64_t>();
    o.add1_steps = head[0][4].as<int64_t>();
    o.summary = head[0][5].as<std::string>();
    out.published_at = head[0][6].as<std::string>();
    o.summary_th = head[0][7].as<std::string>();
    o.min_support = head[0][8].as<int64_t>();
    std::map<int, std::string> funded;
    for (const auto& r :
         tx.exec_params("SELECT project_key, cost_baht, supporters, support, funded, funded_order, explanation, "
                        "explanation_th, reason FROM voting.result_projects WHERE round_id = $1 AND district_id = $2 "
                        "ORDER BY position",
                        round_id, district_id)) {
      ProjectOutcome p;
      p.id = r[0].as<std::string>();
      p.cost = r[1].as<int64_t>();
      p.supporters = r[2].as<int64_t>();
      p.support = r[3].as<int64_t>();
      p.funded = r[4].as<bool>();
      p.funded_order = r[5].as<int>();
      p.explanation = r[6].as<std::string>();
      p.explanation_th = r[7].as<std::string>();
      p.reason = static_cast<ProjectReason>(r[8].as<int>());
      if (p.funded) funded[p.funded_order] = p.id;
      o.projects.push_back(std::move(p));
    }
    for (auto& [order, id] : funded) o.funded_ids.push_back(id);
    return out;
  });
}

absl::StatusOr<std::vector<ProjectRecord>> PgVotingRepository::ListProjects(const ProjectFilter& filter) {
  return pool_->Query([&](pqxx::connection& c) -> absl::StatusOr<std::vector<ProjectRecord>> {
    std::vector<ProjectRecord> out;
    pqxx::read_transaction tx(c);
    for (const auto& r : tx.exec_params(
             "SELECT " + kProjectColumns +
                 " FROM voting.projects WHERE ($1 = 0 OR round_id = $1) AND ($2 = 0 OR district_id = $2) AND "
                 "($3 = 0 OR status = $3) AND ($4 = '' OR agency = $4) AND ($5 = 0 OR $5 = ANY(budget_line_ids)) "
                 "ORDER BY round_id, district_id, project_id",
             filter.round_id, filter.district_id, filter.status ? static_cast<int>(*filter.status) : 0, filter.agency,
             filter.budget_line_id)) {
      out.push_back(ProjectFromRow(r));
    }
    return out;
  });
}

absl::StatusOr<std::pair<ProjectRecord, std::vector<ProjectUpdateRecord>>> PgVotingRepository::GetProject(
    int64_t project_id) {
  using Found = std::pair<ProjectRecord, std::vector<ProjectUpdateRecord>>;
  return pool_->Query([&](pqxx::connection& c) -> absl::StatusOr<Found> {
    Found out;
    pqxx::transaction<pqxx::repeatable_read, pqxx::read_only> tx(c);
    auto r = tx.exec_params("SELECT " + kProjectColumns + " FROM voting.projects WHERE project_id = $1", project_id);
    if (r.empty()) return absl::NotFoundError(absl::StrCat("project_id ", project_id, " does not exist"));
    out.first = ProjectFromRow(r[0]);
    for (const auto& u : tx.exec_params(
             "SELECT " + kUpdateColumns + " FROM voting.project_updates WHERE project_id = $1 ORDER BY update_id",
             project_id)) {
      out.second.push_back(UpdateFromRow(u));
    }
    tx.commit();
    return out;
  });
}

absl::StatusOr<std::pair<ProjectRecord, ProjectUpdateRecord>> PgVotingRepository::UpdateProject(
    int64_t project_id, const std::function<absl::Status(ProjectRecord&, ProjectUpdateRecord&)>& change,
    const operators::AuditEvent& audit) {
  using Updated = std::pair<ProjectRecord, ProjectUpdateRecord>;
  return pool_->Query([&](pqxx::connection& c) -> absl::StatusOr<Updated> {
    pqxx::work tx(c);
    auto r = tx.exec_params("SELECT " + kProjectColumns + " FROM voting.projects WHERE project_id = $1 FOR UPDATE",
                            project_id);
    if (r.empty()) return absl::NotFoundError(absl::StrCat("project_id ", project_id, " does not exist"));
    Updated out;
    out.first = ProjectFromRow(r[0]);
    RETURN_IF_ERROR(change(out.first, out.second));
    const ProjectRecord& p = out.first;
    out.first.updated_at =
        tx.exec_params1(
              "UPDATE voting.projects SET agency = $2, status = $3, status_reason = $4, progress_percent = $5, "
              "committed_baht = $6, spent_baht = $7, budget_line_ids = $8::bigint[], updated_at = now() "
              "WHERE project_id = $1 RETURNING " +
                  Rfc3339("updated_at"),
              project_id, p.agency, static_cast<int>(p.status), p.status_reason, p.progress_percent, p.committed_baht,
              p.spent_baht, LineArray(p.budget_line_ids))[0]
            .as<std::string>();
    const ProjectUpdateRecord& u = out.second;
    auto row = tx.exec_params1(
        "INSERT INTO voting.project_updates (project_id, operator_name, text, link, reason, status, progress_percent, "
        "committed_baht, spent_baht, agency) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING update_id, " +
            Rfc3339("at"),
        project_id, u.operator_name, u.text, u.link, u.reason, static_cast<int>(u.status), u.progress_percent,
        u.committed_baht, u.spent_baht, u.agency);
    out.second.update_id = row[0].as<int64_t>();
    out.second.at = row[1].as<std::string>();
    operators::AppendAuditEvent(tx, audit);
    tx.commit();
    return out;
  });
}

}  // namespace bkk::voting
