// Stated-total checks; see stated_totals.h.
#include "services/budget_data/core/stated_totals.h"

#include <functional>
#include <optional>
#include <set>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace bkk::budget {

bool IsCommercialLine(const BudgetLine& line) { return !CommercialExpenseType(line).empty(); }

std::string CommercialExpenseType(const BudgetLine& line) {
  for (const char* kind : {"รายจ่ายประจำ", "รายจ่ายพิเศษ"}) {
    if (absl::StartsWith(line.mission_type, absl::StrCat(kind, " /"))) return kind;
  }
  return "";
}

namespace {

using LinePredicate = std::function<bool(const BudgetLine&)>;

// Which lines a stated figure covers, from its name in the stated-totals
// file; nullopt when the name is of an unknown kind.
std::optional<LinePredicate> PredicateFor(const std::string& check) {
  if (absl::StartsWith(check, "ข้อ 3")) {
    return [](const BudgetLine&) { return true; };
  }
  if (check == kOwnBudgetCheck || check == "ข้อ 4 รายจ่ายประจำ") {
    return [](const BudgetLine& l) { return !IsCommercialLine(l); };
  }
  if (check == kCommercialTotalCheck) return [](const BudgetLine& l) { return IsCommercialLine(l); };
  if (absl::StartsWith(check, "ข้อ 5 ")) {
    std::string kind = check.substr(std::string("ข้อ 5 ").size());
    return [kind](const BudgetLine& l) { return CommercialExpenseType(l) == kind; };
  }
  if (absl::StartsWith(check, "(71)")) {
    return [](const BudgetLine& l) { return l.mission_type == kLoanRepaymentPlan; };
  }
  if (absl::StartsWith(check, "งบกลาง item 1 ")) {
    std::string prefix = check.substr(std::string("งบกลาง item 1 ").size());
    return [prefix](const BudgetLine& l) { return l.agency == kCentralFundAgency && absl::StartsWith(l.name, prefix); };
  }
  if (absl::StartsWith(check, "agency ")) {
    std::string agency = check.substr(7);
    // An agency's stated total covers its own section, not its (71) line.
    return [agency](const BudgetLine& l) { return l.agency == agency && l.mission_type != kLoanRepaymentPlan; };
  }
  if (absl::StartsWith(check, "work item ")) {
    // A district book's work item (งาน): its lines across expense categories.
    std::vector<std::string> parts = absl::StrSplit(check.substr(10), absl::MaxSplits(" | ", 1));
    if (parts.size() != 2) return std::nullopt;
    std::string agency = parts[0], item = parts[1];
    return [agency, item](const BudgetLine& l) { return l.agency == agency && l.name == item; };
  }
  if (absl::StartsWith(check, "plan ") || absl::StartsWith(check, "xtype ")) {
    bool xtype = absl::StartsWith(check, "xtype ");
    std::vector<std::string> parts = absl::StrSplit(check.substr(xtype ? 6 : 5), absl::MaxSplits(" | ", 1));
    if (parts.size() != 2) return std::nullopt;
    std::string agency = parts[0], plan = parts[1];
    if (xtype) {
      return [agency, plan](const BudgetLine& l) { return l.agency == agency && CommercialExpenseType(l) == plan; };
    }
    return [agency, plan](const BudgetLine& l) { return l.agency == agency && l.mission_type == plan; };
  }
  return std::nullopt;
}

}  // namespace

std::vector<ImportProblem> CheckStatedTotals(const Dataset& dataset, int* checks_passed) {
  std::vector<ImportProblem> problems;
  int passed = 0;
  std::set<int32_t> years_stated;
  for (const auto& stated : dataset.stated_totals) {
    years_stated.insert(stated.fiscal_year);
    auto predicate = PredicateFor(stated.check);
    if (!predicate) {
      problems.push_back({stated.file, stated.row,
                          absl::StrCat("\"", stated.check, "\" is not a kind of total this importer can check")});
      continue;
    }
    int64_t sum = 0;
    int matched = 0;
    for (const auto& line : dataset.lines) {
      if (line.fiscal_year == stated.fiscal_year && (*predicate)(line)) {
        sum += line.amount_baht;
        ++matched;
      }
    }
    if (sum != stated.stated_baht || matched == 0) {
      problems.push_back({stated.file, stated.row,
                          absl::StrCat("\"", stated.check, "\": FY", stated.fiscal_year, " states ", stated.stated_baht,
                                       " baht but the ", matched, " matching line(s) add up to ", sum, " (difference ",
                                       sum - stated.stated_baht, ")")});
      continue;
    }
    ++passed;
  }
  std::set<int32_t> line_years;
  for (const auto& line : dataset.lines) line_years.insert(line.fiscal_year);
  for (int32_t year : line_years) {
    if (years_stated.count(year) == 0) {
      problems.push_back(
          {"release.json", 0, absl::StrCat("FY", year, " has no stated totals: its lines cannot be checked")});
    }
  }
  if (checks_passed != nullptr) *checks_passed = passed;
  return problems;
}

}  // namespace bkk::budget
