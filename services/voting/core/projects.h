// After the vote: a published round's frozen results and the projects its
// winning proposals become (implementation tracking, ติดตามโครงการ).
//
// A district's result is computed once, when its round is published, and
// stored: what the public reads afterwards is that record, never a
// recomputation, so a later change of code or data cannot change an official
// result. Each funded proposal becomes a project that trackers update with
// dated entries. ApplyProjectChange holds the rules every update passes:
// money and progress never go back, a finished project never reopens and a
// project is never cancelled, without a reason; both repositories store what
// it returns, so the rules live in one place.
#ifndef BKK_SERVICES_VOTING_CORE_PROJECTS_H_
#define BKK_SERVICES_VOTING_CORE_PROJECTS_H_

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "services/voting/core/outcomes.h"

namespace bkk::voting {

// A district's official outcome. Its projects' ids are the election's
// (ProjectIdOf: the proposal id, or an imported file's project id).
struct DistrictResult {
  int64_t round_id = 0;
  int32_t district_id = 0;
  Outcome outcome;
  std::string published_at;  // RFC 3339, set by the repository
};

// Numbers are stored in PostgreSQL and are the proto's: never renumber
// (model_test.cc pins each).
enum class ProjectStatus { kPlanned = 1, kProcurement = 2, kInProgress = 3, kCompleted = 4, kCancelled = 5 };

absl::string_view ProjectStatusName(ProjectStatus status);

struct ProjectRecord {
  int64_t project_id = 0;
  int64_t round_id = 0;
  int32_t district_id = 0;
  int64_t proposal_id = 0;
  std::string title;
  int64_t funded_baht = 0;
  std::string agency;  // "" until a tracker assigns one
  ProjectStatus status = ProjectStatus::kPlanned;
  std::string status_reason;
  int32_t progress_percent = 0;
  int64_t committed_baht = 0;
  int64_t spent_baht = 0;
  std::vector<int64_t> budget_line_ids;
  std::string created_at;
  std::string updated_at;
};

// One timeline entry: what was said, by whom, and the project after it.
struct ProjectUpdateRecord {
  int64_t update_id = 0;
  int64_t project_id = 0;
  std::string at;
  std::string operator_name;
  std::string text;
  std::string link;
  std::string reason;
  ProjectStatus status = ProjectStatus::kPlanned;
  int32_t progress_percent = 0;
  int64_t committed_baht = 0;
  int64_t spent_baht = 0;
  std::string agency;
};

struct ProjectFilter {
  int64_t round_id = 0;  // 0: any
  int32_t district_id = 0;
  std::optional<ProjectStatus> status;
  std::string agency;
  int64_t budget_line_id = 0;

  bool Matches(const ProjectRecord& p) const;
};

// What an update asks to change; unset fields keep their value.
struct ProjectChange {
  std::string text;
  std::string link;
  std::string reason;
  std::optional<ProjectStatus> status;
  std::optional<int32_t> progress_percent;
  std::optional<int64_t> committed_baht;
  std::optional<int64_t> spent_baht;
  std::optional<std::string> agency;
  std::optional<std::vector<int64_t>> budget_line_ids;
};

// The ordinance's budget units a project may be assigned to; empty accepts
// any name (for tests and imported rounds without the ordinance).
using BudgetUnits = std::set<std::string, std::less<>>;

// The budget units named in the ordinance's items CSV (its `agency` column,
// as data/budget/bma-ordinance-2566-items.csv has it).
absl::StatusOr<BudgetUnits> BudgetUnitsFromOrdinanceCsv(absl::string_view csv);

// Applies `change` to `project` or says what is wrong (INVALID_ARGUMENT, or
// FAILED_PRECONDITION for a step that needs a reason), leaving it as it was.
// Completing sets progress to 100.
absl::Status ApplyProjectChange(const ProjectChange& change, const BudgetUnits& units, ProjectRecord& project);

// The project a funded proposal becomes.
ProjectRecord ProjectFromFunded(int64_t round_id, int32_t district_id, int64_t proposal_id, std::string title,
                                int64_t funded_baht);

}  // namespace bkk::voting

#endif  // BKK_SERVICES_VOTING_CORE_PROJECTS_H_
