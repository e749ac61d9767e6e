// OperatorStore on PostgreSQL, schema `operators`: operators (hashed keys,
// revocation), console sessions (hashed tokens), and the audit log, which
// a trigger keeps append-only (UPDATE, DELETE and TRUNCATE are refused, for
// the services' own database role too). Services write their actions' audit
// events inside their own transactions with AppendAuditEvent, so an action
// and its record commit together or not at all.
#ifndef BKK_COMMON_OPERATORS_PG_OPERATOR_STORE_H_
#define BKK_COMMON_OPERATORS_PG_OPERATOR_STORE_H_

#include <pqxx/pqxx>

#include "common/operators/operator_store.h"
#include "common/pg_pool.h"

namespace bkk::operators {

class PgOperatorStore final : public OperatorStore {
 public:
  explicit PgOperatorStore(PgPool* pool) : pool_(pool) {}

  // Creates or upgrades schema `operators`; every service with admin RPCs
  // runs it at start (it runs once across replicas).
  absl::Status Migrate();

  absl::StatusOr<Operator> AddOperator(const std::string& name, const std::vector<Role>& roles,
                                       const std::string& key_hash, const AuditEvent& audit) override;
  absl::Status RevokeOperator(const std::string& name, const AuditEvent& audit) override;
  absl::StatusOr<std::vector<Operator>> ListOperators() override;
  absl::StatusOr<int64_t> CountOperators() override;
  absl::StatusOr<Operator> FindByKeyHash(const std::string& key_hash) override;
  absl::Status CreateSession(int64_t operator_id, const std::string& token_hash, const std::string& csrf_token,
                             absl::Time expires_at, const AuditEvent& audit) override;
  absl::StatusOr<Session> FindSession(const std::string& token_hash, absl::Time now) override;
  absl::Status EndSession(const std::string& token_hash, const AuditEvent& audit) override;
  absl::Status AppendAudit(const AuditEvent& event) override;
  absl::StatusOr<std::vector<AuditEvent>> ListAudit(const AuditQuery& query) override;

 private:
  PgPool* const pool_;
};

// Inserts `event` in the caller's transaction.
void AppendAuditEvent(pqxx::transaction_base& tx, const AuditEvent& event);

}  // namespace bkk::operators

#endif  // BKK_COMMON_OPERATORS_PG_OPERATOR_STORE_H_
