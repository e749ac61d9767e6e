// PostgreSQL operators, sessions and audit log; see pg_operator_store.h.
#include "common/operators/pg_operator_store.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "common/pg_migrations.h"

namespace bkk::operators {
namespace {

const std::vector<Migration>& OperatorMigrations() {
  static const auto* kMigrations = new std::vector<Migration>{
      {1, "operators, console sessions and the append-only audit log", R"sql(
CREATE TABLE operators.operators (
  operator_id  bigserial PRIMARY KEY,
  name         text NOT NULL,
  roles        smallint[] NOT NULL CHECK (cardinality(roles) > 0),
  key_hash     text NOT NULL UNIQUE,
  created_at   timestamptz NOT NULL DEFAULT now(),
  revoked_at   timestamptz
);
-- A name is reused only after its holder was revoked; the log keeps names.
CREATE UNIQUE INDEX operators_active_name ON operators.operators (name) WHERE revoked_at IS NULL;
CREATE TABLE operators.sessions (
  token_hash   text PRIMARY KEY,
  operator_id  bigint NOT NULL REFERENCES operators.operators,
  csrf_token   text NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  expires_at   timestamptz NOT NULL,
  ended_at     timestamptz
);
CREATE TABLE operators.audit_events (
  event_id       bigserial PRIMARY KEY,
  operator_name  text NOT NULL,
  role           text NOT NULL,
  action         text NOT NULL,
  target         text NOT NULL,
  summary        text NOT NULL,
  request_id     text NOT NULL DEFAULT '',
  round_id       bigint NOT NULL DEFAULT 0,
  at             timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX audit_events_round ON operators.audit_events (round_id, event_id);
CREATE FUNCTION operators.refuse_audit_change() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  RAISE EXCEPTION 'the audit log is append-only: % is refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END
$fn$;
CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON operators.audit_events
  FOR EACH ROW EXECUTE FUNCTION operators.refuse_audit_change();
CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON operators.audit_events
  FOR EACH STATEMENT EXECUTE FUNCTION operators.refuse_audit_change();
)sql"},
  };
  return *kMigrations;
}

constexpr char kOperatorColumns[] =
    "o.operator_id, o.name, array_to_string(o.roles, ','), "
    "to_char(o.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')";

Operator OperatorFromRow(const pqxx::row& r) {
  Operator op;
  op.operator_id = r[0].as<int64_t>();
  op.name = r[1].as<std::string>();
  for (absl::string_view part : absl::StrSplit(r[2].as<std::string>(), ',', absl::SkipEmpty())) {
    int n = 0;
    if (absl::SimpleAtoi(part, &n) && n >= 1 && n <= static_cast<int>(Role::kTracker))
      op.roles.push_back(static_cast<Role>(n));
  }
  op.created_at = r[3].as<std::string>();
  return op;
}

std::string RoleArray(const std::vector<Role>& roles) {
  return absl::StrCat(
      "{", absl::StrJoin(roles, ",", [](std::string* out, Role r) { absl::StrAppend(out, static_cast<int>(r)); }), "}");
}

std::string Rfc3339(absl::Time t) { return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", t, absl::UTCTimeZone()); }

}  // namespace

void AppendAuditEvent(pqxx::transaction_base& tx, const AuditEvent& e) {
  tx.exec_params(
      "INSERT INTO operators.audit_events (operator_name, role, action, target, summary, request_id, round_id) "
      "VALUES ($1, $2, $3, $4, $5, $6, $7)",
      e.operator_name, e.role, e.action, e.target, e.summary, e.request_id, e.round_id);
}

absl::Status PgOperatorStore::Migrate() { return RunMigrations(*pool_, "operators", OperatorMigrations()); }

absl::StatusOr<Operator> PgOperatorStore::AddOperator(const std::string& name, const std::vector<Role>& roles,
                                                      const std::string& key_hash, const AuditEvent& audit) {
  auto out = pool_->Query([&](pqxx::connection& c) -> absl::StatusOr<Operator> {
    pqxx::work tx(c);
    auto r = tx.exec_params(std::string("INSERT INTO operators.operators AS o (name, roles, key_hash) "
                                        "VALUES ($1, $2::smallint[], $3) RETURNING ") +
                                kOperatorColumns,
                            name, RoleArray(roles), key_hash);
    AppendAuditEvent(tx, audit);
    tx.commit();
    return OperatorFromRow(r[0]);
  });
  if (absl::IsAlreadyExists(out.status())) {
    return absl::AlreadyExistsError(
        absl::StrCat("an active operator is already named ", name, "; revoke it first or choose another name"));
  }
  return out;
}

absl::Status PgOperatorStore::RevokeOperator(const std::string& name, const AuditEvent& audit) {
  return pool_->Run([&](pqxx::connection& c) {
    pqxx::work tx(c);
    auto r = tx.exec_params(
        "UPDATE operators.operators SET revoked_at = now() WHERE name = $1 AND revoked_at IS NULL "
        "RETURNING operator_id",
        name);
    if (r.empty()) return absl::NotFoundError(absl::StrCat("no active operator is named ", name));
    tx.exec_params("UPDATE operators.sessions SET ended_at = now() WHERE operator_id = $1 AND ended_at IS NULL",
                   r[0][0].as<int64_t>());
    AppendAuditEvent(tx, audit);
    tx.commit();
    return absl::OkStatus();
  });
}

absl::StatusOr<std::vector<Operator>> PgOperatorStore::ListOperators() {
  return pool_->Query([&](pqxx::connection& c) {
    pqxx::read_transaction tx(c);
    std::vector<Operator> out;
    for (const auto& r : tx.exec(std::string("SELECT ") + kOperatorColumns +
                                 " FROM operators.operators o WHERE o.revoked_at IS NULL ORDER BY o.name")) {
      out.push_back(OperatorFromRow(r));
    }
    return out;
  });
}

absl::StatusOr<int64_t> PgOperatorStore::CountOperators() {
  return pool_->Query([&](pqxx::connection& c) {
    pqxx::read_transaction tx(c);
    return tx.exec1("SELECT count(*) FROM operators.operators WHERE revoked_at IS NULL")[0].as<int64_t>();
  });
}

absl::StatusOr<Operator> PgOperatorStore::FindByKeyHash(const std::string& key_hash) {
  return pool_->Query([&](pqxx::connection& c) -> absl::StatusOr<Operator> {
    pqxx::read_transaction tx(c);
    auto r = tx.exec_params(std::string("SELECT ") + kOperatorColumns +
                                " FROM operators.operators o WHERE o.key_hash = $1 AND o.revoked_at IS NULL",
                            key_hash);
    if (r.empty()) return absl::NotFoundError("no active operator has this key");
    return OperatorFromRow(r[0]);
  });
}

absl::Status PgOperatorStore::CreateSession(int64_t operator_id, const std::string& token_hash,
                                            const std::string& csrf_token, absl::Time expires_at,
                                            const AuditEvent& audit) {
  return pool_->Run([&](pqxx::connection& c) {
    pqxx::work tx(c);
    tx.exec_params(
        "INSERT INTO operators.sessions (token_hash, operator_id, csrf_token, expires_at) "
        "VALUES ($1, $2, $3, $4::timestamptz)",
        token_hash, operator_id, csrf_token, Rfc3339(expires_at));
    AppendAuditEvent(tx, audit);
    tx.commit();
    return absl::OkStatus();
  });
}

absl::StatusOr<Session> PgOperatorStore::FindSession(const std::string& token_hash, absl::Time now) {
  return pool_->Query([&](pqxx::connection& c) -> absl::StatusOr<Session> {
    pqxx::read_transaction tx(c);
    auto r = tx.exec_params(std::string("SELECT ") + kOperatorColumns +
                                ", s.csrf_token, extract(epoch FROM s.expires_at)::bigint "
                                "FROM operators.sessions s JOIN operators.operators o USING (operator_id) "
                                "WHERE s.token_hash = $1 AND s.ended_at IS NULL AND o.revoked_at IS NULL "
                                "AND s.expires_at > $2::timestamptz",
                            token_hash, Rfc3339(now));
    if (r.empty()) return absl::NotFoundError("no such session");
    Session s;
    s.op = OperatorFromRow(r[0]);
    s.csrf_token = r[0][4].as<std::string>();
    s.expires_at = absl::FromUnixSeconds(r[0][5].as<int64_t>());
    return s;
  });
}

absl::Status PgOperatorStore::EndSession(const std::string& token_hash, const AuditEvent& audit) {
  return pool_->Run([&](pqxx::connection& c) {
    pqxx::work tx(c);
    tx.exec_params("UPDATE operators.sessions SET ended_at = now() WHERE token_hash = $1 AND ended_at IS NULL",
                   token_hash);
    AppendAuditEvent(tx, audit);
    tx.commit();
    return absl::OkStatus();
  });
}

absl::Status PgOperatorStore::AppendAudit(const AuditEvent& event) {
  return pool_->Run([&](pqxx::connection& c) {
    pqxx::work tx(c);
    AppendAuditEvent(tx, event);
    tx.commit();
    return absl::OkStatus();
  });
}

absl::StatusOr<std::vector<AuditEvent>> PgOperatorStore::ListAudit(const AuditQuery& q) {
  return pool_->Query([&](pqxx::connection& c) {
    pqxx::read_transaction tx(c);
    std::vector<AuditEvent> out;
    auto rows = tx.exec_params(
        "SELECT event_id, operator_name, role, action, target, summary, request_id, round_id, "
        "to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') FROM operators.audit_events "
        "WHERE ($1::bigint = 0 OR round_id = $1::bigint) AND ($2::text = '' OR operator_name = $2::text) "
        "AND ($3::bigint = 0 OR event_id < $3::bigint) "
        "ORDER BY event_id DESC LIMIT $4",
        q.round_id, q.operator_name, q.before_id, q.limit);
    for (const auto& r : rows) {
      AuditEvent e;
      e.event_id = r[0].as<int64_t>();
      e.operator_name = r[1].as<std::string>();
      e.role = r[2].as<std::string>();
      e.action = r[3].as<std::string>();
      e.target = r[4].as<std::string>();
      e.summary = r[5].as<std::string>();
      e.request_id = r[6].as<std::string>();
      e.round_id = r[7].as<int64_t>();
      e.at = r[8].as<std::string>();
      out.push_back(std::move(e));
    }
    return out;
  });
}

}  // namespace bkk::operators
