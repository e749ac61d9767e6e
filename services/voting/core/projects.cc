// Results and implementation tracking; see projects.h.
#include "services/voting/core/projects.h"

#include <algorithm>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/csv.h"
#include "common/error_reason.h"
#include "common/status_macros.h"
#include "common/utf8_json.h"

namespace bkk::voting {
namespace {

constexpr size_t kMaxTextChars = 2000;
constexpr size_t kMaxReasonChars = 500;
constexpr size_t kMaxAgencyChars = 200;
constexpr size_t kMaxLinkBytes = 500;
constexpr size_t kMaxBudgetLines = 20;
constexpr int64_t kMaxMoney = 1'000'000'000'000;  // one trillion baht, as round budgets

// The forward order of work; cancelled stands apart.
int Stage(ProjectStatus s) { return s == ProjectStatus::kCancelled ? 0 : static_cast<int>(s); }

absl::Status NeedsReason(absl::string_view what) {
  return WithReason(absl::FailedPreconditionError(absl::StrCat(what, " needs a reason: say why in `reason`")),
                    "PROJECT_CHANGE_NEEDS_REASON");
}

absl::Status CheckLink(absl::string_view link) {
  if (link.empty()) return absl::OkStatus();
  const bool web = absl::StartsWith(link, "https://") || absl::StartsWith(link, "http://");
  bool printable = link.size() <= kMaxLinkBytes;
  for (char c : link) printable = printable && c > ' ' && c < 0x7f;
  if (!web || !printable) {
    return absl::InvalidArgumentError("link must be an http:// or https:// address of at most 500 characters");
  }
  return absl::OkStatus();
}

absl::Status CheckMoney(absl::string_view field, int64_t now, std::optional<int64_t> next, bool has_reason) {
  if (!next) return absl::OkStatus();
  if (*next < 0 || *next > kMaxMoney) {
    return absl::InvalidArgumentError(absl::StrCat(field, " must be 0 to ", kMaxMoney, " baht, got ", *next));
  }
  if (*next < now && !has_reason) return NeedsReason(absl::StrCat("lowering ", field, " from ", now, " to ", *next));
  return absl::OkStatus();
}

}  // namespace

absl::string_view ProjectStatusName(ProjectStatus status) {
  switch (status) {
    case ProjectStatus::kPlanned:
      return "planned";
    case ProjectStatus::kProcurement:
      return "procurement";
    case ProjectStatus::kInProgress:
      return "in progress";
    case ProjectStatus::kCompleted:
      return "completed";
    case ProjectStatus::kCancelled:
      return "cancelled";
  }
  return "unknown";
}

bool ProjectFilter::Matches(const ProjectRecord& p) const {
  if (round_id != 0 && p.round_id != round_id) return false;
  if (district_id != 0 && p.district_id != district_id) return false;
  if (status && p.status != *status) return false;
  if (!agency.empty() && p.agency != agency) return false;
  if (budget_line_id != 0 &&
      std::find(p.budget_line_ids.begin(), p.budget_line_ids.end(), budget_line_id) == p.budget_line_ids.end()) {
    return false;
  }
  return true;
}

absl::Status ApplyProjectChange(const ProjectChange& change, const BudgetUnits& units, ProjectRecord& project) {
  if (change.text.empty() || CodePoints(change.text) > kMaxTextChars) {
    return absl::InvalidArgumentError(
        "text is required: say what happened, in at most 2000 characters (it is the update's public entry)");
  }
  if (CodePoints(change.reason) > kMaxReasonChars) {
    return absl::InvalidArgumentError("reason must be at most 500 characters");
  }
  RETURN_IF_ERROR(CheckLink(change.link));
  const bool has_reason = !change.reason.empty();
  ProjectRecord next = project;
  if (change.status) {
    const ProjectStatus to = *change.status;
    if (Stage(to) == 0 && to != ProjectStatus::kCancelled) {
      return absl::InvalidArgumentError("status must be planned, procurement, in progress, completed or cancelled");
    }
    if (to != project.status) {
      if (to == ProjectStatus::kCancelled && !has_reason) return NeedsReason("cancelling a project");
      if (project.status == ProjectStatus::kCancelled && !has_reason)
        return NeedsReason("reopening a cancelled project");
      if (Stage(to) != 0 && Stage(project.status) > Stage(to) && !has_reason) {
        return NeedsReason(
            absl::StrCat("going back from ", ProjectStatusName(project.status), " to ", ProjectStatusName(to)));
      }
      next.status = to;
      next.status_reason = change.reason;
    }
  }
  if (change.progress_percent) {
    const int32_t p = *change.progress_percent;
    if (p < 0 || p > 100) return absl::InvalidArgumentError(absl::StrCat("progress_percent must be 0-100, got ", p));
    if (p < project.progress_percent && !has_reason) {
      return NeedsReason(absl::StrCat("lowering progress from ", project.progress_percent, "% to ", p, "%"));
    }
    next.progress_percent = p;
  }
  if (next.status == ProjectStatus::kCompleted && project.status != ProjectStatus::kCompleted) {
    if (change.progress_percent && *change.progress_percent != 100) {
      return absl::InvalidArgumentError("a completed project is 100% done: leave progress_percent unset or send 100");
    }
    next.progress_percent = 100;
  }
  RETURN_IF_ERROR(CheckMoney("committed_baht", project.committed_baht, change.committed_baht, has_reason));
  RETURN_IF_ERROR(CheckMoney("spent_baht", project.spent_baht, change.spent_baht, has_reason));
  if (change.committed_baht) next.committed_baht = *change.committed_baht;
  if (change.spent_baht) next.spent_baht = *change.spent_baht;
  if (change.agency) {
    if (change.agency->empty() || CodePoints(*change.agency) > kMaxAgencyChars) {
      return absl::InvalidArgumentError("agency must name a budget unit of the ordinance (at most 200 characters)");
    }
    if (!units.empty() && units.find(*change.agency) == units.end()) {
      return absl::InvalidArgumentError(
          absl::StrCat("agency \"", *change.agency,
                       "\" is not a budget unit of the ordinance; use a name exactly as the budget explorer lists it"));
    }
    next.agency = *change.agency;
  }
  if (change.budget_line_ids) {
    std::vector<int64_t> lines = *change.budget_line_ids;
    std::sort(lines.begin(), lines.end());
    if (lines.size() > kMaxBudgetLines) return absl::InvalidArgumentError("at most 20 budget lines fund a project");
    if (!lines.empty() && lines.front() <= 0) {
      return absl::InvalidArgumentError("budget_line_ids must be line ids of the budget explorer (positive numbers)");
    }
    if (std::adjacent_find(lines.begin(), lines.end()) != lines.end()) {
      return absl::InvalidArgumentError("budget_line_ids names a line twice");
    }
    next.budget_line_ids = std::move(lines);
  }
  project = std::move(next);
  return absl::OkStatus();
}

absl::StatusOr<BudgetUnits> BudgetUnitsFromOrdinanceCsv(absl::string_view csv) {
  ASSIGN_OR_RETURN(auto rows, ParseCsv(csv));
  if (rows.empty()) return absl::InvalidArgumentError("the ordinance CSV is empty");
  const auto& header = rows.front().fields;
  const auto column = std::find(header.begin(), header.end(), "agency");
  if (column == header.end()) return absl::InvalidArgumentError("the ordinance CSV has no `agency` column");
  const size_t at = column - header.begin();
  BudgetUnits units;
  for (size_t i = 1; i < rows.size(); ++i) {
    if (at < rows[i].fields.size() && !rows[i].fields[at].empty()) units.insert(rows[i].fields[at]);
  }
  if (units.empty()) return absl::InvalidArgumentError("the ordinance CSV names no budget unit");
  return units;
}

ProjectRecord ProjectFromFunded(int64_t round_id, int32_t district_id, int64_t proposal_id, std::string title,
                                int64_t funded_baht) {
  ProjectRecord p;
  p.round_id = round_id;
  p.district_id = district_id;
  p.proposal_id = proposal_id;
  p.title = std::move(title);
  p.funded_baht = funded_baht;
  return p;
}

}  // namespace bkk::voting
