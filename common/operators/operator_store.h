// Where operators, their console sessions and the audit log are kept. The
// PostgreSQL implementation is pg_operator_store.h (schema `operators`,
// shared by the services); tests use in_memory_operator_store.h. Only
// hashes of operator keys and session tokens are stored.
#ifndef BKK_COMMON_OPERATORS_OPERATOR_STORE_H_
#define BKK_COMMON_OPERATORS_OPERATOR_STORE_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/operators/model.h"

namespace bkk::operators {

struct Session {
  Operator op;
  std::string csrf_token;
  absl::Time expires_at;
};

class OperatorStore {
 public:
  virtual ~OperatorStore() = default;

  // ALREADY_EXISTS when an active operator has the name. Records `audit`
  // in the same transaction.
  virtual absl::StatusOr<Operator> AddOperator(const std::string& name, const std::vector<Role>& roles,
                                               const std::string& key_hash, const AuditEvent& audit) = 0;
  // Revokes the key and ends the operator's sessions. NOT_FOUND when no
  // active operator has the name.
  virtual absl::Status RevokeOperator(const std::string& name, const AuditEvent& audit) = 0;
  // Active operators, by name.
  virtual absl::StatusOr<std::vector<Operator>> ListOperators() = 0;
  virtual absl::StatusOr<int64_t> CountOperators() = 0;
  // NOT_FOUND when no active operator has the key.
  virtual absl::StatusOr<Operator> FindByKeyHash(const std::string& key_hash) = 0;

  virtual absl::Status CreateSession(int64_t operator_id, const std::string& token_hash, const std::string& csrf_token,
                                     absl::Time expires_at, const AuditEvent& audit) = 0;
  // NOT_FOUND when the session is unknown, expired, ended, or its operator
  // revoked.
  virtual absl::StatusOr<Session> FindSession(const std::string& token_hash, absl::Time now) = 0;
  virtual absl::Status EndSession(const std::string& token_hash, const AuditEvent& audit) = 0;

  // Appends one event on its own (actions that change nothing else).
  virtual absl::Status AppendAudit(const AuditEvent& event) = 0;
  // Newest first.
  virtual absl::StatusOr<std::vector<AuditEvent>> ListAudit(const AuditQuery& query) = 0;
};

}  // namespace bkk::operators

#endif  // BKK_COMMON_OPERATORS_OPERATOR_STORE_H_
