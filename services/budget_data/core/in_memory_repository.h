// A BudgetRepository held in memory: for unit tests and benchmarks that must
// not depend on PostgreSQL. Same contract as the PostgreSQL one.
#ifndef BKK_SERVICES_BUDGET_DATA_CORE_IN_MEMORY_REPOSITORY_H_
#define BKK_SERVICES_BUDGET_DATA_CORE_IN_MEMORY_REPOSITORY_H_

#include <mutex>

#include "services/budget_data/core/repository.h"

namespace bkk::budget {

class InMemoryBudgetRepository final : public BudgetRepository {
 public:
  absl::StatusOr<std::string> CurrentVersion() override {
    std::lock_guard<std::mutex> lock(mu_);
    return current_ ? current_->version : "";
  }
  absl::StatusOr<std::optional<Dataset>> LoadCurrent() override {
    std::lock_guard<std::mutex> lock(mu_);
    return current_;
  }
  absl::StatusOr<bool> ReplaceCurrent(const Dataset& dataset, const operators::AuditEvent& audit) override {
    std::lock_guard<std::mutex> lock(mu_);
    audit_.push_back(audit);
    if (current_ && current_->version == dataset.version) return false;
    current_ = dataset;
    ++writes_;
    return true;
  }
  int writes() const { return writes_; }
  const std::vector<operators::AuditEvent>& audit_events() const { return audit_; }

 private:
  std::mutex mu_;
  std::optional<Dataset> current_;
  int writes_ = 0;
  std::vector<operators::AuditEvent> audit_;
};

}  // namespace bkk::budget

#endif  // BKK_SERVICES_BUDGET_DATA_CORE_IN_MEMORY_REPOSITORY_H_
