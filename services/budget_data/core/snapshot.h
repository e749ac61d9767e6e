// An immutable, query-ready view of one dataset release. Aggregates are
// computed once when the snapshot is built; readers share it through a
// std::shared_ptr<const BudgetSnapshot> and never see a half-built one.
#ifndef BKK_SERVICES_BUDGET_DATA_CORE_SNAPSHOT_H_
#define BKK_SERVICES_BUDGET_DATA_CORE_SNAPSHOT_H_

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/language.h"
#include "common/line_filter.h"
#include "services/budget_data/core/model.h"

namespace bkk::budget {

// Empty / 0 fields mean "any".
using LineFilter = ::bkk::LineFilter;

enum class LineSort { kAmountDesc, kAmountAsc, kName };

struct LinePage {
  std::vector<const BudgetLine*> lines;
  std::string next_page_token;
  int32_t total_count = 0;
  int64_t total_amount_baht = 0;
};

struct StrategyAmount {
  std::string strategy_id;  // "" = unclassified
  std::string strategy_name;
  std::string source_label;
  int64_t amount_baht = 0;
};

// A stated part of a year's headline total (see budget.proto TotalPart).
struct TotalPart {
  std::string label_th, label_en;
  int64_t amount_baht = 0;
  std::string clause;
  int32_t source_page = 0;
};

struct YearOverview {
  int32_t fiscal_year = 0;
  int64_t total_budget_baht = 0;
  int64_t strategic_budget_baht = 0;
  std::vector<StrategyAmount> by_strategy;
  LocalizedText source;
  bool has_lines = false;
  // What the year's lines cover: "ordinance" (every budget unit) or
  // "district_books" (the 50 district offices only); "" without lines.
  std::string lines_scope;
  std::vector<TotalPart> total_parts;
  std::string total_basis;  // "ordinance" or "published_figure"
  std::string total_clause;
  int32_t total_source_page = 0;
};

struct AgencyAmount {
  std::string agency;
  int64_t amount_baht = 0;
  int32_t line_count = 0;
  std::string unit_kind;
};

struct TopAgencies {
  int32_t fiscal_year = 0;
  std::vector<AgencyAmount> agencies;  // never the central fund
  int32_t agency_count = 0;            // agencies only
  int64_t year_total_baht = 0;
  LocalizedText note;
  std::optional<AgencyAmount> central_fund;
};

enum class Dimension { kAgency, kMissionType, kDistrict, kStrategy, kExpenseCategory };

struct BreakdownItem {
  std::string key;
  std::string label;
  int64_t amount_baht = 0;
  int32_t line_count = 0;
};

struct Breakdown {
  int32_t fiscal_year = 0;
  Dimension dimension = Dimension::kAgency;
  std::vector<BreakdownItem> items;
  int64_t total_baht = 0;
};

// One district office's budget in two years, each as its own document
// states it (see CompareDistrictYears).
struct DistrictYearAmount {
  int64_t amount_baht = 0;
  bool has_amount = false;   // false: the year's lines do not cover the office
  std::string stated_check;  // the stated total it equals ("agency สำนักงานเขต…")
  std::string source_document;
  int32_t source_page = 0;
  std::string note;  // the stated total's note (e.g. why it is not the summary figure)
};

struct DistrictComparisonRow {
  int32_t district_id = 0;
  std::string name_th, name_en, office_agency;
  DistrictYearAmount from, to;
};

struct DistrictComparison {
  int32_t from_year = 0, to_year = 0;
  std::vector<DistrictComparisonRow> rows;  // by district id
  int64_t from_total_baht = 0, to_total_baht = 0;
  LocalizedText note;  // what each year's figure is and how far they compare
};

class BudgetSnapshot final {
 public:
  static constexpr int32_t kDefaultTopLimit = 5;
  static constexpr int32_t kMaxTopLimit = 100;
  static constexpr int32_t kDefaultPageSize = 50;
  static constexpr int32_t kMaxPageSize = 500;
  static constexpr size_t kMaxNameFilterBytes = 300;

  explicit BudgetSnapshot(Dataset dataset);

  const Dataset& dataset() const { return dataset_; }
  const std::string& version() const { return dataset_.version; }
  const std::vector<YearOverview>& overview() const { return overview_; }
  int64_t total_baht() const { return total_baht_; }

  // The largest budget units of a year (see the note it returns for what a
  // "unit" is). NOT_FOUND for a year without lines; limit 0 means 5.
  absl::StatusOr<TopAgencies> ListTopAgencies(int32_t fiscal_year, int32_t limit) const;
  absl::StatusOr<Breakdown> GetBreakdown(int32_t fiscal_year, Dimension dimension, const LineFilter& filter) const;
  absl::StatusOr<LinePage> ListLines(const LineFilter& filter, LineSort sort, int32_t page_size,
                                     const std::string& page_token) const;
  // Every matching line in order (for streaming and CSV export).
  absl::StatusOr<std::vector<const BudgetLine*>> MatchingLines(const LineFilter& filter, LineSort sort) const;
  absl::StatusOr<const BudgetLine*> GetLine(int64_t line_id) const;
  absl::StatusOr<std::vector<DistrictTopicTotal>> ListDistrictTotals(int32_t district_id, int32_t fiscal_year) const;
  // Each district office's budget in two years with lines, from the lines
  // (the office's section without its (71) loan repayment, as the stated
  // "agency" totals count it). NOT_FOUND for a year without lines.
  absl::StatusOr<DistrictComparison> CompareDistrictYears(int32_t from_year, int32_t to_year) const;
  // The document a year's lines were read from, or nullptr.
  const YearDocument* DocumentOf(int32_t fiscal_year) const;
  // Years that have budget lines, ascending.
  const std::vector<int32_t>& line_years() const { return line_years_; }

 private:
  // The refusal of a year with no lines, naming the years that have them.
  absl::Status NoLinesFor(int32_t fiscal_year) const;
  absl::Status ValidateFilter(const LineFilter& filter) const;
  bool Matches(const BudgetLine& line, const LineFilter& filter, const std::string& needle) const;
  const std::vector<int32_t>& Order(LineSort sort) const;
  // A year's grand total and its parts as the ordinance states them (ข้อ 3 =
  // ข้อ 4 + ข้อ 5), for the year whose lines the dataset holds; nullopt for
  // other years or when the stated totals do not say.
  struct StatedYearTotals {
    int64_t grand_total_baht = 0;
    int32_t grand_total_page = 0;
    std::vector<TotalPart> parts;
  };
  std::optional<StatedYearTotals> OrdinanceTotals(int32_t fiscal_year) const;
  std::string StrategyName(const std::string& id) const;
  std::string UnitKind(const std::string& agency) const;
  int32_t DistrictIdForAgencyName(const std::string& agency) const;

  const Dataset dataset_;
  std::vector<YearOverview> overview_;
  std::vector<int32_t> line_years_;
  std::map<int32_t, TopAgencies> top_agencies_;  // complete rankings by year
  std::map<int64_t, int32_t> line_index_;
  std::vector<int32_t> by_amount_desc_, by_amount_asc_, by_name_;
  std::map<std::string, std::string> strategy_names_;
  int64_t total_baht_ = 0;
};

}  // namespace bkk::budget

#endif  // BKK_SERVICES_BUDGET_DATA_CORE_SNAPSHOT_H_
