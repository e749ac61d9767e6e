// The PostgreSQL BudgetRepository (schema `budget`). The database is the
// source of truth; the service serves a snapshot loaded from it.
#ifndef BKK_SERVICES_BUDGET_DATA_PG_PG_BUDGET_REPOSITORY_H_
#define BKK_SERVICES_BUDGET_DATA_PG_PG_BUDGET_REPOSITORY_H_

#include "common/pg_pool.h"
#include "services/budget_data/core/repository.h"

namespace bkk::budget {

class PgBudgetRepository final : public BudgetRepository {
 public:
  explicit PgBudgetRepository(PgPool* pool) : pool_(pool) {}

  // Creates or upgrades the `budget` schema.
  absl::Status Migrate();

  absl::StatusOr<std::string> CurrentVersion() override;
  absl::StatusOr<std::optional<Dataset>> LoadCurrent() override;
  // One transaction: replaces every table's rows and marks the release
  // current; earlier releases stay listed in budget.releases.
  absl::StatusOr<bool> ReplaceCurrent(const Dataset& dataset, const operators::AuditEvent& audit) override;

 private:
  PgPool* const pool_;
};

}  // namespace bkk::budget

#endif  // BKK_SERVICES_BUDGET_DATA_PG_PG_BUDGET_REPOSITORY_H_
