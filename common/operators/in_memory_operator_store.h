// OperatorStore in memory, for unit tests of services' admin paths. Same
// contract as the PostgreSQL store, including that audit events can only
// be appended.
#ifndef BKK_COMMON_OPERATORS_IN_MEMORY_OPERATOR_STORE_H_
#define BKK_COMMON_OPERATORS_IN_MEMORY_OPERATOR_STORE_H_

#include <map>
#include <mutex>

#include "common/operators/operator_store.h"

namespace bkk::operators {

class InMemoryOperatorStore final : public OperatorStore {
 public:
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
  struct Stored {
    Operator op;
    std::string key_hash;
    bool revoked = false;
  };
  struct StoredSession {
    int64_t operator_id;
    std::string csrf_token;
    absl::Time expires_at;
    bool ended = false;
  };
  void AppendLocked(AuditEvent event);

  std::mutex mu_;
  std::vector<Stored> operators_;
  std::map<std::string, StoredSession> sessions_;
  std::vector<AuditEvent> audit_;
};

}  // namespace bkk::operators

#endif  // BKK_COMMON_OPERATORS_IN_MEMORY_OPERATOR_STORE_H_
