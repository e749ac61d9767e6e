// In-memory operators, sessions and audit log; see in_memory_operator_store.h.
#include "common/operators/in_memory_operator_store.h"

#include "absl/strings/str_cat.h"

namespace bkk::operators {

void InMemoryOperatorStore::AppendLocked(AuditEvent event) {
  event.event_id = static_cast<int64_t>(audit_.size()) + 1;
  event.at = absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", absl::Now(), absl::UTCTimeZone());
  audit_.push_back(std::move(event));
}

absl::StatusOr<Operator> InMemoryOperatorStore::AddOperator(const std::string& name, const std::vector<Role>& roles,
                                                            const std::string& key_hash, const AuditEvent& audit) {
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& s : operators_) {
    if (!s.revoked && s.op.name == name) {
      return absl::AlreadyExistsError(absl::StrCat("an active operator is already named ", name));
    }
  }
  Stored s;
  s.op.operator_id = static_cast<int64_t>(operators_.size()) + 1;
  s.op.name = name;
  s.op.roles = roles;
  s.key_hash = key_hash;
  operators_.push_back(s);
  AppendLocked(audit);
  return s.op;
}

absl::Status InMemoryOperatorStore::RevokeOperator(const std::string& name, const AuditEvent& audit) {
  std::lock_guard<std::mutex> lock(mu_);
  for (auto& s : operators_) {
    if (!s.revoked && s.op.name == name) {
      s.revoked = true;
      for (auto& [hash, session] : sessions_) {
        if (session.operator_id == s.op.operator_id) session.ended = true;
      }
      AppendLocked(audit);
      return absl::OkStatus();
    }
  }
  return absl::NotFoundError(absl::StrCat("no active operator is named ", name));
}

absl::StatusOr<std::vector<Operator>> InMemoryOperatorStore::ListOperators() {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<Operator> out;
  for (const auto& s : operators_) {
    if (!s.revoked) out.push_back(s.op);
  }
  return out;
}

absl::StatusOr<int64_t> InMemoryOperatorStore::CountOperators() {
  auto list = ListOperators();
  if (!list.ok()) return list.status();
  return static_cast<int64_t>(list->size());
}

absl::StatusOr<Operator> InMemoryOperatorStore::FindByKeyHash(const std::string& key_hash) {
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& s : operators_) {
    if (!s.revoked && s.key_hash == key_hash) return s.op;
  }
  return absl::NotFoundError("no active operator has this key");
}

absl::Status InMemoryOperatorStore::CreateSession(int64_t operator_id, const std::string& token_hash,
                                                  const std::string& csrf_token, absl::Time expires_at,
                                                  const AuditEvent& audit) {
  std::lock_guard<std::mutex> lock(mu_);
  sessions_[token_hash] = StoredSession{operator_id, csrf_token, expires_at};
  AppendLocked(audit);
  return absl::OkStatus();
}

absl::StatusOr<Session> InMemoryOperatorStore::FindSession(const std::string& token_hash, absl::Time now) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = sessions_.find(token_hash);
  if (it == sessions_.end() || it->second.ended || it->second.expires_at <= now) {
    return absl::NotFoundError("no such session");
  }
  for (const auto& s : operators_) {
    if (s.op.operator_id == it->second.operator_id && !s.revoked) {
      return Session{s.op, it->second.csrf_token, it->second.expires_at};
    }
  }
  return absl::NotFoundError("no such session");
}

absl::Status InMemoryOperatorStore::EndSession(const std::string& token_hash, const AuditEvent& audit) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = sessions_.find(token_hash);
  if (it != sessions_.end()) it->second.ended = true;
  AppendLocked(audit);
  return absl::OkStatus();
}

absl::Status InMemoryOperatorStore::AppendAudit(const AuditEvent& event) {
  std::lock_guard<std::mutex> lock(mu_);
  AppendLocked(event);
  return absl::OkStatus();
}

absl::StatusOr<std::vector<AuditEvent>> InMemoryOperatorStore::ListAudit(const AuditQuery& q) {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<AuditEvent> out;
  for (auto it = audit_.rbegin(); it != audit_.rend() && static_cast<int>(out.size()) < q.limit; ++it) {
    if (q.round_id != 0 && it->round_id != q.round_id) continue;
    if (!q.operator_name.empty() && it->operator_name != q.operator_name) continue;
    if (q.before_id != 0 && it->event_id >= q.before_id) continue;
    out.push_back(*it);
  }
  return out;
}

}  // namespace bkk::operators
