// Where budget-data keeps its releases. The PostgreSQL implementation lives
// in services/budget_data/pg; tests use an in-memory one.
#ifndef BKK_SERVICES_BUDGET_DATA_CORE_REPOSITORY_H_
#define BKK_SERVICES_BUDGET_DATA_CORE_REPOSITORY_H_

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "common/operators/model.h"
#include "services/budget_data/core/model.h"

namespace bkk::budget {

class BudgetRepository {
 public:
  virtual ~BudgetRepository() = default;
  // The version of the current release, or "" when nothing is imported.
  virtual absl::StatusOr<std::string> CurrentVersion() = 0;
  // The whole current release, or nullopt when nothing is imported.
  virtual absl::StatusOr<std::optional<Dataset>> LoadCurrent() = 0;
  // Makes `dataset` the current release atomically, recording `audit` in the
  // same transaction. Returns false (and writes only the audit event) when a
  // release with the same version is already current.
  virtual absl::StatusOr<bool> ReplaceCurrent(const Dataset& dataset, const operators::AuditEvent& audit) = 0;
};

}  // namespace bkk::budget

#endif  // BKK_SERVICES_BUDGET_DATA_CORE_REPOSITORY_H_
