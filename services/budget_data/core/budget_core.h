// The budget-data service's logic, without gRPC: imports that validate before
// they write, and the current release published as an immutable snapshot.
// Construct with a repository; the gRPC adapter and the CLI both call this.
#ifndef BKK_SERVICES_BUDGET_DATA_CORE_BUDGET_CORE_H_
#define BKK_SERVICES_BUDGET_DATA_CORE_BUDGET_CORE_H_

#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/published.h"
#include "services/budget_data/core/dataset_loader.h"
#include "services/budget_data/core/repository.h"
#include "services/budget_data/core/snapshot.h"

namespace bkk::budget {

struct ImportResult {
  std::string version;
  bool changed = false;
  int checks_passed = 0;
  int line_count = 0;
  int64_t total_baht = 0;
  // Filled on a dry run that found problems.
  std::vector<ImportProblem> problems;
};

class BudgetCore final {
 public:
  using Progress = std::function<void(const std::string&)>;

  explicit BudgetCore(BudgetRepository* repository);

  // Loads the repository's current release if it differs from the one being
  // served. Cheap when nothing changed; call it periodically so every replica
  // follows imports made elsewhere.
  absl::Status Refresh();

  // Validates the files (every row, every stated total) and, unless dry_run,
  // makes them the current release. On any problem nothing is written and
  // the status is FAILED_PRECONDITION (totals) or INVALID_ARGUMENT (rows)
  // listing every problem.
  // A real import records `by` in the audit log with the release.
  absl::StatusOr<ImportResult> Import(const DatasetFiles& files, bool dry_run, const operators::Actor& by,
                                      const Progress& progress = nullptr);

  // The release being served; nullptr before the first import.
  std::shared_ptr<const BudgetSnapshot> snapshot() const;
  // The snapshot, or FAILED_PRECONDITION when nothing has been imported yet.
  absl::StatusOr<std::shared_ptr<const BudgetSnapshot>> RequireSnapshot() const;

 private:
  BudgetRepository* const repository_;
  Published<BudgetSnapshot> snapshot_;
  std::mutex import_mu_;  // one import at a time per process
};

// Formats problems one per line: "file:line: reason".
std::string FormatProblems(const std::vector<ImportProblem>& problems);

}  // namespace bkk::budget

#endif  // BKK_SERVICES_BUDGET_DATA_CORE_BUDGET_CORE_H_
