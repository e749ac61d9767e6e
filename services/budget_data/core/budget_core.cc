// Import and publication of releases; see budget_core.h.
#include "services/budget_data/core/budget_core.h"

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "services/budget_data/core/stated_totals.h"

namespace bkk::budget {

std::string FormatProblems(const std::vector<ImportProblem>& problems) {
  std::string out;
  for (const auto& p : problems) {
    absl::StrAppend(&out, p.file, p.line > 0 ? absl::StrCat(":", p.line) : "", ": ", p.reason, "\n");
  }
  return out;
}

BudgetCore::BudgetCore(BudgetRepository* repository) : repository_(repository) {}

std::shared_ptr<const BudgetSnapshot> BudgetCore::snapshot() const { return snapshot_.Get(); }

absl::StatusOr<std::shared_ptr<const BudgetSnapshot>> BudgetCore::RequireSnapshot() const {
  auto snap = snapshot();
  if (!snap) {
    return absl::FailedPreconditionError("no dataset has been imported yet; an operator runs `budget-data import DIR`");
  }
  return snap;
}

absl::Status BudgetCore::Refresh() {
  ASSIGN_OR_RETURN(std::string version, repository_->CurrentVersion());
  auto current = snapshot();
  if (version.empty() || (current && current->version() == version)) return absl::OkStatus();
  ASSIGN_OR_RETURN(std::optional<Dataset> dataset, repository_->LoadCurrent());
  if (!dataset.has_value()) return absl::OkStatus();
  snapshot_.Publish(std::make_shared<const BudgetSnapshot>(*std::move(dataset)));
  return absl::OkStatus();
}

absl::StatusOr<ImportResult> BudgetCore::Import(const DatasetFiles& files, bool dry_run, const operators::Actor& by,
                                                const Progress& progress) {
  std::lock_guard<std::mutex> lock(import_mu_);
  auto say = [&](const std::string& s) {
    if (progress) progress(s);
  };
  ImportResult result;
  say(absl::StrCat("parsing ", files.size(), " files"));
  std::vector<ImportProblem> problems;
  auto dataset = ParseDataset(files, &problems);
  if (!dataset.ok()) {
    if (dry_run) {
      result.problems = problems;
      return result;
    }
    return absl::InvalidArgumentError(
        absl::StrCat(dataset.status().message(), "; nothing was written:\n", FormatProblems(problems)));
  }
  say(absl::StrCat("parsed ", dataset->lines.size(), " budget lines; checking ", dataset->stated_totals.size(),
                   " stated totals"));
  problems = CheckStatedTotals(*dataset, &result.checks_passed);
  result.version = dataset->version;
  result.line_count = static_cast<int>(dataset->lines.size());
  for (const auto& l : dataset->lines) result.total_baht += l.amount_baht;
  if (!problems.empty()) {
    if (dry_run) {
      result.problems = problems;
      return result;
    }
    return absl::FailedPreconditionError(absl::StrCat("dataset refused: ", problems.size(),
                                                      " stated total(s) do not match the lines; nothing was written:\n",
                                                      FormatProblems(problems)));
  }
  say(absl::StrCat("all ", result.checks_passed, " stated totals match; grand total ", result.total_baht, " baht"));
  if (dry_run) return result;
  say(absl::StrCat("writing release ", result.version));
  ASSIGN_OR_RETURN(
      result.changed,
      repository_->ReplaceCurrent(
          *dataset, operators::AuditOf(by, "ImportDataset", absl::StrCat("budget release ", result.version),
                                       absl::StrCat(result.line_count, " lines, ", result.total_baht, " baht, ",
                                                    result.checks_passed, " stated totals"))));
  say(result.changed ? "release written" : "this release is already current; nothing changed");
  RETURN_IF_ERROR(Refresh());
  return result;
}

}  // namespace bkk::budget
