// Budget queries over one immutable release; see snapshot.h.
#include "services/budget_data/core/snapshot.h"

#include <algorithm>
#include <numeric>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "common/error_reason.h"
#include "common/page_token.h"
#include "common/sha256.h"
#include "common/status_macros.h"
#include "services/budget_data/core/stated_totals.h"

namespace bkk::budget {
namespace {

constexpr char kLoanSectionKey[] = "(71)";
constexpr char kUniversity[] = "มหาวิทยาลัยนวมินทราธิราช";

template <typename T>
void SortByAmountThenKey(std::vector<T>& items) {
  std::sort(items.begin(), items.end(), [](const T& a, const T& b) {
    if (a.amount_baht != b.amount_baht) return a.amount_baht > b.amount_baht;
    return a.key < b.key;
  });
}

std::string QueryKey(const LineFilter& f, LineSort sort) {
  return Sha256Hex(absl::StrCat(f.fiscal_year, "\x1f", f.agency, "\x1f", f.mission_type, "\x1f", f.strategy_id, "\x1f",
                                f.district_id, "\x1f", f.name_contains, "\x1f", static_cast<int>(sort)))
      .substr(0, 12);
}

}  // namespace

BudgetSnapshot::BudgetSnapshot(Dataset dataset) : dataset_(std::move(dataset)) {
  for (const auto& fw : dataset_.frameworks) {
    for (const auto& s : fw.strategies) strategy_names_[s.id] = s.name;
  }
  const auto& lines = dataset_.lines;
  for (size_t i = 0; i < lines.size(); ++i) {
    line_index_[lines[i].line_id] = static_cast<int32_t>(i);
    total_baht_ += lines[i].amount_baht;
    if (std::find(line_years_.begin(), line_years_.end(), lines[i].fiscal_year) == line_years_.end()) {
      line_years_.push_back(lines[i].fiscal_year);
    }
  }
  std::sort(line_years_.begin(), line_years_.end());

  // Orders are computed once; every query walks one of them.
  std::vector<int32_t> all(lines.size());
  std::iota(all.begin(), all.end(), 0);
  by_amount_desc_ = by_amount_asc_ = by_name_ = all;
  std::stable_sort(by_amount_desc_.begin(), by_amount_desc_.end(), [&](int32_t a, int32_t b) {
    if (lines[a].amount_baht != lines[b].amount_baht) return lines[a].amount_baht > lines[b].amount_baht;
    return lines[a].line_id < lines[b].line_id;
  });
  std::stable_sort(by_amount_asc_.begin(), by_amount_asc_.end(), [&](int32_t a, int32_t b) {
    if (lines[a].amount_baht != lines[b].amount_baht) return lines[a].amount_baht < lines[b].amount_baht;
    return lines[a].line_id < lines[b].line_id;
  });
  std::stable_sort(by_name_.begin(), by_name_.end(), [&](int32_t a, int32_t b) {
    if (lines[a].name != lines[b].name) return lines[a].name < lines[b].name;
    return lines[a].line_id < lines[b].line_id;
  });

  // Rankings of budget units per year. A unit's total is its own section, as
  // the ordinance states it; section (71) repayments are stated once for all.
  for (int32_t year : line_years_) {
    std::map<std::string, AgencyAmount> units;
    TopAgencies top;
    top.fiscal_year = year;
    int64_t loans = 0;
    for (const auto& l : lines) {
      if (l.fiscal_year != year) continue;
      top.year_total_baht += l.amount_baht;
      if (l.mission_type == kLoanRepaymentPlan) {
        loans += l.amount_baht;
        continue;
      }
      auto& u = units[l.agency];
      u.agency = l.agency;
      u.amount_baht += l.amount_baht;
      ++u.line_count;
    }
    for (auto& [name, u] : units) {
      u.unit_kind = UnitKind(name);
      // A reserve allocated during the year, not an agency: shown apart.
      if (name == kCentralFundAgency) {
        top.central_fund = u;
      } else {
        top.agencies.push_back(u);
      }
    }
    std::sort(top.agencies.begin(), top.agencies.end(), [](const AgencyAmount& a, const AgencyAmount& b) {
      if (a.amount_baht != b.amount_baht) return a.amount_baht > b.amount_baht;
      return a.agency < b.agency;
    });
    top.agency_count = static_cast<int32_t>(top.agencies.size());
    const YearDocument* document = DocumentOf(year);
    if (document != nullptr && document->kind == "district_books") {
      top.note = {absl::StrCat("ปี ", year, " มีเฉพาะงบของสำนักงานเขต 50 เขต จาก", document->title.th,
                               " (งบประมาณตามโครงสร้างงาน) ไม่ใช่ข้อบัญญัติทั้งฉบับ จึงไม่มีสำนักอื่น งบกลาง หรือหน่วยงานพาณิชย์"),
                  absl::StrCat("FY", year, " holds the 50 district offices only, from ", document->title.en,
                               " (their work-structure budget), not the whole ordinance: no city agencies, central "
                               "fund or commercial enterprises")};
      top_agencies_[year] = std::move(top);
      continue;
    }
    top.note.en = absl::StrCat(
        "Budget units of the ordinance that spend: city agencies, the 50 district offices, the university "
        "and the commercial enterprises, each with its own section total as the ordinance states it. The "
        "central fund (งบกลาง) is a reserve allocated during the year, not an agency: it is shown apart and "
        "not counted. Loan repayments of section (71), ",
        loans, " baht, are stated once for all units and not included.");
    top.note.th = absl::StrCat(
        "หน่วยรับงบประมาณที่ใช้จ่ายงบตามข้อบัญญัติ ได้แก่ สำนักต่าง ๆ สำนักงานเขต 50 เขต มหาวิทยาลัย "
        "และหน่วยงานพาณิชย์ โดยใช้ยอดรวมของแต่ละหน่วยตามที่ข้อบัญญัติระบุ งบกลางเป็นเงินสำรองที่จัดสรรระหว่างปี "
        "ไม่ใช่หน่วยงาน จึงแสดงแยกและไม่นับรวม งบชดใช้เงินยืมเงินสะสมตามมาตรา (71) จำนวน ",
        loans, " บาท ระบุรวมครั้งเดียวสำหรับทุกหน่วยและไม่รวมอยู่ในที่นี้");
    top_agencies_[year] = std::move(top);
  }

  // The yearly overview.
  for (const auto& yt : dataset_.year_totals) {
    YearOverview y;
    y.fiscal_year = yt.fiscal_year;
    y.total_budget_baht = yt.total_baht;
    y.has_lines = std::find(line_years_.begin(), line_years_.end(), yt.fiscal_year) != line_years_.end();
    if (const YearDocument* document = DocumentOf(yt.fiscal_year); document != nullptr) y.lines_scope = document->kind;
    LocalizedText total_source{absl::StrCat("ตัวเลขที่เผยแพร่ใน ", yt.source), absl::StrCat("published in ", yt.source)};
    if (const auto stated = OrdinanceTotals(yt.fiscal_year); stated.has_value()) {
      y.total_budget_baht = stated->grand_total_baht;
      y.total_basis = "ordinance";
      y.total_clause = "ข้อ 3";
      y.total_source_page = stated->grand_total_page;
      y.total_parts = stated->parts;
      const bool published_is_bma_part = yt.total_baht == stated->parts.front().amount_baht;
      total_source.en = absl::StrCat(
          "the FY", yt.fiscal_year, " budget ordinance, ข้อ 3 (PDF page ", stated->grand_total_page,
          "), which its lines add up to (", yt.source, " gives ", yt.total_baht,
          published_is_bma_part ? ", the BMA's own budget of ข้อ 4, without its commercial enterprises)" : ")");
      total_source.th =
          absl::StrCat("ข้อบัญญัติงบประมาณรายจ่ายประจำปี พ.ศ. ", yt.fiscal_year, " ข้อ 3 (หน้า ", stated->grand_total_page,
                       " ของ PDF) ซึ่งรายการทั้งหมดรวมได้เท่ากัน (", yt.source, " ให้ ", yt.total_baht,
                       published_is_bma_part ? " บาท คืองบของกรุงเทพมหานครตามข้อ 4 ไม่รวมหน่วยงานพาณิชย์)" : " บาท)");
    } else {
      y.total_basis = "published_figure";
    }
    std::map<std::string, StrategyAmount> by_id;
    bool aggregates = false;
    for (const auto& a : dataset_.plan_aggregates) {
      if (a.fiscal_year != yt.fiscal_year) continue;
      aggregates = true;
      auto& s = by_id[a.strategy_id];
      s.strategy_id = a.strategy_id;
      s.source_label = a.source_strategy;
      s.amount_baht += a.ordinance_baht;
    }
    // Lines classified by the year's strategy mapping, and how.
    int mapped = 0, exact = 0, by_name = 0, year_lines = 0;
    for (const auto& l : lines) {
      if (l.fiscal_year != yt.fiscal_year) continue;
      ++year_lines;
      if (l.strategy_confidence != StrategyConfidence::kUnmapped) ++mapped;
      exact += l.strategy_confidence == StrategyConfidence::kExact ? 1 : 0;
      by_name += l.strategy_confidence == StrategyConfidence::kByName ? 1 : 0;
      if (l.strategy_id.empty()) continue;
      auto& s = by_id[l.strategy_id];
      s.strategy_id = l.strategy_id;
      s.amount_baht += l.amount_baht;
    }
    for (auto& [id, s] : by_id) {
      s.strategy_name = StrategyName(id);
      y.strategic_budget_baht += s.amount_baht;
      y.by_strategy.push_back(s);
    }
    // Unclassified: empty id and name; the web app names it (ไม่พบข้อมูล).
    StrategyAmount rest;
    rest.amount_baht = std::max<int64_t>(0, y.total_budget_baht - y.strategic_budget_baht);
    y.by_strategy.push_back(rest);
    LocalizedText by_strategy;
    if (aggregates && y.strategic_budget_baht > 0) {
      // The source names the plan's 7 dimensions in the 2561 wording; they are
      // the 20-year plan's seven strategies (ด้าน) in the same order.
      by_strategy = {
          "แยกตามยุทธศาสตร์: plan-aggregates-2561-2565.csv งบประมาณข้อบัญญัติของโครงการตามแผนพัฒนากรุงเทพมหานครระยะ 20 "
          "ปี มิติทั้ง 7 ของแหล่งข้อมูล (มหานครปลอดภัย … การบริหารจัดการเมืองมหานคร) คือยุทธศาสตร์ 7 ด้านของแผน "
          "เรียงตามลำดับเดียวกัน",
          "By strategy: plan-aggregates-2561-2565.csv, ordinance budget (งบประมาณข้อบัญญัติ) of projects under the "
          "20-year plan; its 7 dimensions (มหานครปลอดภัย … การบริหารจัดการเมืองมหานคร) are the plan's seven "
          "strategies (ด้าน) in the same order"};
    } else if (aggregates) {
      by_strategy = {"ข้อมูลแผนของปีนี้มีเฉพาะงบประมาณตามแผน ไม่มีงบประมาณข้อบัญญัติ จึงไม่มีการจำแนกตามยุทธศาสตร์",
                     "The plan aggregates of this year give plan budgets only, no ordinance figures, so nothing is "
                     "classified by strategy"};
    } else if (mapped > 0) {
      const int classified = exact + by_name;
      by_strategy = {
          absl::StrCat("แยกตามยุทธศาสตร์: budget/strategy-mapping-", yt.fiscal_year, ".csv จำแนก ", classified, " จาก ",
                       year_lines, " รายการ (ตรงกันทั้งหน่วยงานและจำนวนเงิน ", exact, " รายการ ตรงกันตามชื่อ ", by_name,
                       " รายการ) ตามรายการยุทธศาสตร์ของ WeVis ซึ่งเป็นฉบับก่อนข้อบัญญัติฉบับสุดท้าย "
                       "ใช้เพื่อจำแนกยุทธศาสตร์เท่านั้น ไม่ใช้จำนวนเงิน ส่วนที่เหลือยังไม่จำแนก"),
          absl::StrCat("By strategy: budget/strategy-mapping-", yt.fiscal_year, ".csv classifies ", classified, " of ",
                       year_lines, " lines (", exact, " exact on agency and amount, ", by_name,
                       " by name) from the WeVis strategy hints, a pre-final list used for the strategy only, never "
                       "for amounts; the rest is unclassified")};
    } else if (y.has_lines) {
      by_strategy = {"รายการในข้อบัญญัติไม่ระบุยุทธศาสตร์ และยังไม่มีไฟล์จำแนกสำหรับปีนี้",
                     "The ordinance's lines do not say which strategy they serve, and no mapping covers this year"};
    } else {
      by_strategy = {"ไม่มีแหล่งข้อมูลใดจำแนกงบปีนี้ตามยุทธศาสตร์", "No source classifies this year's budget by strategy"};
    }
    y.source = {absl::StrCat("ยอดรวม: ", total_source.th, " ", by_strategy.th),
                absl::StrCat("Total: ", total_source.en, ". ", by_strategy.en, ".")};
    overview_.push_back(std::move(y));
  }
}

// Pages of the ordinance's total clauses in its PDF (the page numbering of
// the lines' source_page), by year. FY2566: sha256 4beca602…, 88 pages.
struct ClausePages {
  int32_t fiscal_year;
  int32_t grand_total, bma, commercial;  // ข้อ 3, ข้อ 4, ข้อ 5
};
constexpr ClausePages kClausePages[] = {{2566, 5, 5, 87}};

std::optional<BudgetSnapshot::StatedYearTotals> BudgetSnapshot::OrdinanceTotals(int32_t fiscal_year) const {
  // Only a year whose lines are its whole ordinance has the ordinance's totals.
  const YearDocument* document = DocumentOf(fiscal_year);
  if (document == nullptr || document->kind != "ordinance") return std::nullopt;
  const ClausePages* pages = nullptr;
  for (const auto& p : kClausePages) {
    if (p.fiscal_year == fiscal_year) pages = &p;
  }
  std::optional<int64_t> grand_total, bma, commercial;
  for (const auto& stated : dataset_.stated_totals) {
    if (stated.fiscal_year != fiscal_year) continue;
    if (stated.check == kGrandTotalCheck) grand_total = stated.stated_baht;
    if (stated.check == kOwnBudgetCheck) bma = stated.stated_baht;
    if (stated.check == kCommercialTotalCheck) commercial = stated.stated_baht;
  }
  if (pages == nullptr || !grand_total || !bma || !commercial || *bma + *commercial != *grand_total)
    return std::nullopt;
  StatedYearTotals totals;
  totals.grand_total_baht = *grand_total;
  totals.grand_total_page = pages->grand_total;
  totals.parts = {
      {"งบประมาณรายจ่ายของกรุงเทพมหานคร", "the BMA's own budget", *bma, "ข้อ 4", pages->bma},
      {"งบประมาณรายจ่ายของการพาณิชย์ของกรุงเทพมหานคร", "the BMA's commercial enterprises", *commercial, "ข้อ 5",
       pages->commercial},
  };
  return totals;
}

const YearDocument* BudgetSnapshot::DocumentOf(int32_t fiscal_year) const {
  for (const auto& d : dataset_.documents) {
    if (d.fiscal_year == fiscal_year) return &d;
  }
  return nullptr;
}

std::string BudgetSnapshot::StrategyName(const std::string& id) const {
  auto it = strategy_names_.find(id);
  return it == strategy_names_.end() ? id : it->second;
}

std::string BudgetSnapshot::UnitKind(const std::string& agency) const {
  if (agency == kCentralFundAgency) return "central_fund";
  if (agency == kUniversity) return "university";
  if (DistrictIdForAgencyName(agency) > 0) return "district_office";
  for (const auto& l : dataset_.lines) {
    if (l.agency == agency && IsCommercialLine(l)) return "commercial_enterprise";
  }
  return "agency";
}

int32_t BudgetSnapshot::DistrictIdForAgencyName(const std::string& agency) const {
  for (const auto& d : dataset_.districts) {
    if (d.office_agency == agency) return d.id;
  }
  return 0;
}

absl::Status BudgetSnapshot::NoLinesFor(int32_t fiscal_year) const {
  const std::string years = absl::StrJoin(line_years_, ", ");
  return WithReason(
      absl::NotFoundError(absl::StrCat("fiscal_year ", fiscal_year, " has no budget lines; years with lines: ", years,
                                       " (Buddhist era, e.g. 2566)")),
      "FISCAL_YEAR_HAS_NO_LINES", {{"fiscal_year", absl::StrCat(fiscal_year)}, {"years", years}});
}

absl::Status BudgetSnapshot::ValidateFilter(const LineFilter& f) const {
  if (f.fiscal_year != 0 && std::find(line_years_.begin(), line_years_.end(), f.fiscal_year) == line_years_.end()) {
    return NoLinesFor(f.fiscal_year);
  }
  if (f.district_id < 0 || f.district_id > 50) {
    return absl::InvalidArgumentError(absl::StrCat("district_id must be 1-50 (or 0 for any), got ", f.district_id));
  }
  if (!f.strategy_id.empty() && f.strategy_id != kUnclassified &&
      strategy_names_.find(f.strategy_id) == strategy_names_.end()) {
    return absl::InvalidArgumentError(
        absl::StrCat("strategy_id \"", f.strategy_id, "\" is unknown; use s1-s7, p1-p9 or unclassified"));
  }
  if (f.name_contains.size() > kMaxNameFilterBytes) {
    return absl::InvalidArgumentError(absl::StrCat("name_contains is longer than ", kMaxNameFilterBytes, " bytes"));
  }
  return absl::OkStatus();
}

bool BudgetSnapshot::Matches(const BudgetLine& l, const LineFilter& f, const std::string& needle) const {
  if (f.fiscal_year != 0 && l.fiscal_year != f.fiscal_year) return false;
  if (!f.agency.empty() && l.agency != f.agency) return false;
  if (!f.mission_type.empty() && l.mission_type != f.mission_type) return false;
  if (f.district_id != 0 && l.district_id != f.district_id) return false;
  if (!f.StrategyMatches(l.strategy_id)) return false;
  if (!needle.empty() && absl::AsciiStrToLower(l.name).find(needle) == std::string::npos) return false;
  return true;
}

const std::vector<int32_t>& BudgetSnapshot::Order(LineSort sort) const {
  switch (sort) {
    case LineSort::kAmountDesc:
      return by_amount_desc_;
    case LineSort::kAmountAsc:
      return by_amount_asc_;
    case LineSort::kName:
      return by_name_;
  }
  return by_amount_desc_;
}

absl::StatusOr<TopAgencies> BudgetSnapshot::ListTopAgencies(int32_t fiscal_year, int32_t limit) const {
  if (limit < 0 || limit > kMaxTopLimit) {
    return absl::InvalidArgumentError(
        absl::StrCat("limit must be 1-", kMaxTopLimit, " (or 0 for ", kDefaultTopLimit, "), got ", limit));
  }
  auto it = top_agencies_.find(fiscal_year);
  if (it == top_agencies_.end()) {
    return NoLinesFor(fiscal_year);
  }
  TopAgencies top = it->second;
  top.agencies.resize(std::min<size_t>(top.agencies.size(), limit == 0 ? kDefaultTopLimit : limit));
  return top;
}

absl::StatusOr<Breakdown> BudgetSnapshot::GetBreakdown(int32_t fiscal_year, Dimension dimension,
                                                       const LineFilter& filter) const {
  LineFilter f = filter;
  if (f.fiscal_year != 0 && f.fiscal_year != fiscal_year) {
    return absl::InvalidArgumentError("filter.fiscal_year differs from fiscal_year");
  }
  f.fiscal_year = fiscal_year;
  if (fiscal_year == 0) return absl::InvalidArgumentError("fiscal_year is required (e.g. 2566)");
  RETURN_IF_ERROR(ValidateFilter(f));
  std::string needle = absl::AsciiStrToLower(f.name_contains);
  if (dimension == Dimension::kExpenseCategory &&
      std::none_of(dataset_.lines.begin(), dataset_.lines.end(),
                   [&](const BudgetLine& l) { return l.fiscal_year == fiscal_year && !l.category.empty(); })) {
    // An ordinance states totals per agency and plan, not per expense
    // category: say so rather than answer one empty group.
    return WithReason(absl::FailedPreconditionError(absl::StrCat(
                          "the FY", fiscal_year,
                          " lines do not state expense categories (the ordinance gives agency and plan totals); "
                          "the split by expense category exists for years imported from the budget books")),
                      "EXPENSE_CATEGORIES_NOT_STATED", {{"fiscal_year", absl::StrCat(fiscal_year)}});
  }
  std::map<std::string, BreakdownItem> groups;
  Breakdown out;
  out.fiscal_year = fiscal_year;
  out.dimension = dimension;
  for (const auto& l : dataset_.lines) {
    if (!Matches(l, f, needle)) continue;
    std::string key, label;
    switch (dimension) {
      case Dimension::kAgency:
        key = label = l.agency;
        if (l.mission_type == kLoanRepaymentPlan) {
          key = kLoanSectionKey;
          label = kLoanRepaymentPlan;
        }
        break;
      case Dimension::kMissionType:
        key = label = l.mission_type;  // empty: the central fund names no plan (the web app says so)
        break;
      case Dimension::kDistrict:
        if (l.district_id == 0) continue;
        key = absl::StrCat(l.district_id);
        label = dataset_.districts.size() >= static_cast<size_t>(l.district_id)
                    ? dataset_.districts[l.district_id - 1].name_th
                    : key;
        break;
      case Dimension::kStrategy:
        key = l.strategy_id;
        label = key.empty() ? "" : StrategyName(key);  // empty: unclassified
        break;
      case Dimension::kExpenseCategory:
        key = label = l.category;
        break;
    }
    auto& g = groups[key];
    g.key = key;
    g.label = label;
    g.amount_baht += l.amount_baht;
    ++g.line_count;
    out.total_baht += l.amount_baht;
  }
  for (auto& [k, g] : groups) out.items.push_back(std::move(g));
  SortByAmountThenKey(out.items);
  return out;
}

absl::StatusOr<std::vector<const BudgetLine*>> BudgetSnapshot::MatchingLines(const LineFilter& filter,
                                                                             LineSort sort) const {
  RETURN_IF_ERROR(ValidateFilter(filter));
  std::string needle = absl::AsciiStrToLower(filter.name_contains);
  std::vector<const BudgetLine*> out;
  for (int32_t i : Order(sort)) {
    if (Matches(dataset_.lines[i], filter, needle)) out.push_back(&dataset_.lines[i]);
  }
  return out;
}

absl::StatusOr<LinePage> BudgetSnapshot::ListLines(const LineFilter& filter, LineSort sort, int32_t page_size,
                                                   const std::string& page_token) const {
  if (page_size < 0 || page_size > kMaxPageSize) {
    return absl::InvalidArgumentError(
        absl::StrCat("page_size must be 1-", kMaxPageSize, " (or 0 for ", kDefaultPageSize, "), got ", page_size));
  }
  if (page_size == 0) page_size = kDefaultPageSize;
  const std::string query_key = QueryKey(filter, sort);
  int64_t offset = 0;
  if (!page_token.empty()) {
    // Fields: release, query key, offset.
    ASSIGN_OR_RETURN(std::vector<std::string> fields, DecodePageToken(page_token, 3));
    if (!absl::SimpleAtoi(fields[2], &offset) || offset < 0) return MalformedPageToken();
    if (fields[0] != version()) {
      return absl::FailedPreconditionError(
          "page_token belongs to an earlier dataset release; start again from the first page");
    }
    if (fields[1] != query_key) {
      return absl::InvalidArgumentError("page_token was issued for a different filter or sort");
    }
  }
  ASSIGN_OR_RETURN(auto matches, MatchingLines(filter, sort));
  LinePage page;
  page.total_count = static_cast<int32_t>(matches.size());
  for (const auto* l : matches) page.total_amount_baht += l->amount_baht;
  if (offset > page.total_count) {
    return absl::InvalidArgumentError("page_token points past the last line");
  }
  size_t end = std::min<size_t>(matches.size(), offset + page_size);
  page.lines.assign(matches.begin() + offset, matches.begin() + end);
  if (end < matches.size()) {
    page.next_page_token = EncodePageToken({version(), query_key, absl::StrCat(end)});
  }
  return page;
}

absl::StatusOr<const BudgetLine*> BudgetSnapshot::GetLine(int64_t line_id) const {
  auto it = line_index_.find(line_id);
  if (it == line_index_.end()) {
    return WithReason(absl::NotFoundError(absl::StrCat("line_id ", line_id, " does not exist in release ", version())),
                      "LINE_NOT_FOUND", {{"line_id", absl::StrCat(line_id)}});
  }
  return &dataset_.lines[it->second];
}

absl::StatusOr<std::vector<DistrictTopicTotal>> BudgetSnapshot::ListDistrictTotals(int32_t district_id,
                                                                                   int32_t fiscal_year) const {
  if (district_id < 0 || district_id > 50) {
    return absl::InvalidArgumentError(
        absl::StrCat("district_id must be 1-50 (or 0 for every district), got ", district_id));
  }
  std::vector<DistrictTopicTotal> out;
  for (const auto& t : dataset_.district_totals) {
    if ((district_id == 0 || t.district_id == district_id) && (fiscal_year == 0 || t.fiscal_year == fiscal_year)) {
      out.push_back(t);
    }
  }
  if (out.empty() && fiscal_year != 0) {
    return absl::NotFoundError(absl::StrCat("fiscal_year ", fiscal_year, " has no district totals (2555-2566)"));
  }
  return out;
}

absl::StatusOr<DistrictComparison> BudgetSnapshot::CompareDistrictYears(int32_t from_year, int32_t to_year) const {
  for (int32_t year : {from_year, to_year}) {
    if (std::find(line_years_.begin(), line_years_.end(), year) == line_years_.end()) return NoLinesFor(year);
  }
  if (from_year == to_year) {
    return absl::InvalidArgumentError(
        absl::StrCat("from_year and to_year are both ", from_year, "; compare two years"));
  }
  DistrictComparison out;
  out.from_year = from_year;
  out.to_year = to_year;
  std::map<int32_t, DistrictComparisonRow> rows;
  for (const auto& d : dataset_.districts) {
    auto& row = rows[d.id];
    row.district_id = d.id;
    row.name_th = d.name_th;
    row.name_en = d.name_en;
    row.office_agency = d.office_agency;
  }
  for (const auto& l : dataset_.lines) {
    if (l.district_id == 0 || l.mission_type == kLoanRepaymentPlan) continue;
    if (l.fiscal_year != from_year && l.fiscal_year != to_year) continue;
    DistrictYearAmount& side = l.fiscal_year == from_year ? rows[l.district_id].from : rows[l.district_id].to;
    side.amount_baht += l.amount_baht;
    side.has_amount = true;
    if (side.source_document.empty()) side.source_document = l.source_document;
    // Until a stated total gives its own page: where the office's lines begin.
    if (side.source_page == 0 || (l.source_page > 0 && l.source_page < side.source_page)) {
      side.source_page = l.source_page;
    }
    (l.fiscal_year == from_year ? out.from_total_baht : out.to_total_baht) += l.amount_baht;
  }
  // Each figure names the stated total it equals (the import checked it).
  for (const auto& stated : dataset_.stated_totals) {
    if (stated.fiscal_year != from_year && stated.fiscal_year != to_year) continue;
    if (!absl::StartsWith(stated.check, "agency ")) continue;
    const int32_t district = DistrictIdForAgencyName(stated.check.substr(7));
    if (district == 0) continue;
    DistrictYearAmount& side = stated.fiscal_year == from_year ? rows[district].from : rows[district].to;
    side.stated_check = stated.check;
    side.note = stated.note;
    if (stated.source_page > 0) side.source_page = stated.source_page;
  }
  for (auto& [id, row] : rows) out.rows.push_back(std::move(row));
  auto describe = [&](int32_t year) -> LocalizedText {
    const YearDocument* d = DocumentOf(year);
    if (d != nullptr && d->kind == "district_books") {
      return {absl::StrCat("ปี ", year, ": งบประมาณตามโครงสร้างงานใน", d->title.th, " ของแต่ละเขต (ตาราง ก))"),
              absl::StrCat("FY", year, ": each district's work-structure budget in ", d->title.en, " (table ก)")};
    }
    const std::string title_th = d != nullptr ? d->title.th : absl::StrCat("ปี ", year);
    const std::string title_en = d != nullptr ? d->title.en : absl::StrCat("FY", year);
    return {
        absl::StrCat("ปี ", year, ": ส่วนของสำนักงานเขตใน", title_th, " ไม่รวมงบชดใช้เงินยืมเงินสะสม (71)"),
        absl::StrCat("FY", year, ": the district office's section of ", title_en, ", without its (71) loan repayment")};
  };
  const LocalizedText a = describe(from_year), b = describe(to_year);
  out.note = {absl::StrCat(a.th, "; ", b.th, ". งบที่หน่วยงานส่วนกลางใช้ในเขต เงินอุดหนุน และงบชำระหนี้ ไม่อยู่ในทั้งสองตัวเลข"),
              absl::StrCat(a.en, "; ", b.en,
                           ". Neither figure holds what central departments spend in the district, grants or debt "
                           "service.")};
  return out;
}

}  // namespace bkk::budget
