// budget-data core on the real FY2566 ordinance, with an in-memory repository.
#include "services/budget_data/core/budget_core.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>

#include "absl/strings/str_replace.h"
#include "common/csv.h"
#include "common/error_reason.h"
#include "common/operators/operator_auth.h"
#include "services/budget_data/core/in_memory_repository.h"
#include "services/budget_data/core/stated_totals.h"

namespace bkk::budget {
namespace {

constexpr int64_t kGrandTotal = 79'719'012'050;
// The FY2565 district books: 50 district offices, 3,022 work item × expense
// category lines, 1,151 stated totals (data/budget/bma-budget-book-2565-*).
constexpr char kBookLinesCsv[] = "budget/bma-budget-book-2565-district-lines.csv";
constexpr char kBookStatedCsv[] = "budget/bma-budget-book-2565-stated-totals.csv";
constexpr int64_t kBooksTotal2565 = 16'343'551'501;

const DatasetFiles& RealFiles() {
  static const DatasetFiles* files = [] {
    auto f = ReadDatasetDir(BKK_DATA_DIR);
    EXPECT_TRUE(f.ok()) << f.status();
    return new DatasetFiles(*f);
  }();
  return *files;
}

// The real files after an intended change, with release.json's checksums
// recorded again (as `budget-data manifest DIR` does), so that what the
// importer refuses is the change itself, not the checksum.
DatasetFiles Edited(DatasetFiles files) {
  EXPECT_TRUE(RefreshManifestChecksums(&files).ok());
  return files;
}

// Replaces the first `from` in `text` (which must hold it) by `to`.
void ReplaceOnce(std::string& text, const std::string& from, const std::string& to) {
  const auto at = text.find(from);
  ASSERT_NE(at, std::string::npos) << from;
  text.replace(at, from.size(), to);
}

// The stated totals, read independently of the importer.
std::map<std::string, int64_t> StatedTotals(const char* path = "budget/bma-ordinance-2566-stated-totals.csv") {
  std::map<std::string, int64_t> out;
  auto rows = ParseCsv(RealFiles().at(path));
  for (size_t i = 1; i < rows->size(); ++i) out[(*rows)[i].fields[0]] = std::stoll((*rows)[i].fields[1]);
  return out;
}

class BudgetCoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto result = core_.Import(RealFiles(), /*dry_run=*/false, operators::OperatorAuth::CommandLine());
    ASSERT_TRUE(result.ok()) << result.status();
    ASSERT_TRUE(result->changed);
    snapshot_ = core_.snapshot();
  }
  InMemoryBudgetRepository repo_;
  BudgetCore core_{&repo_};
  std::shared_ptr<const BudgetSnapshot> snapshot_;
};

TEST_F(BudgetCoreTest, ImportsEveryLineOfBothYearsAndEveryStatedTotalMatches) {
  int lines_2565 = 0, lines_2566 = 0;
  for (const auto& l : snapshot_->dataset().lines) (l.fiscal_year == 2565 ? lines_2565 : lines_2566)++;
  EXPECT_EQ(lines_2566, 1766);
  EXPECT_EQ(lines_2565, 3022);
  EXPECT_EQ(snapshot_->total_baht(), kGrandTotal + kBooksTotal2565);
  EXPECT_EQ(snapshot_->line_years(), (std::vector<int32_t>{2565, 2566}));
  int passed = 0;
  EXPECT_TRUE(CheckStatedTotals(snapshot_->dataset(), &passed).empty());
  EXPECT_EQ(passed, 231 + 1151);
  EXPECT_EQ(snapshot_->dataset().districts.size(), 50u);
  EXPECT_EQ(snapshot_->dataset().districts[0].name_th, "คลองเตย");
}

TEST_F(BudgetCoreTest, ReimportChangesNothing) {
  auto again = core_.Import(RealFiles(), false, operators::OperatorAuth::CommandLine());
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(again->changed);
  EXPECT_EQ(repo_.writes(), 1);
  EXPECT_EQ(core_.snapshot(), snapshot_) << "an unchanged release must not be republished";
}

TEST_F(BudgetCoreTest, OneChangedAmountIsRefusedAndNothingIsWritten) {
  DatasetFiles files = RealFiles();
  // The first line of the central fund: 500,000,000 -> 500,000,001.
  ReplaceOnce(files["budget/bma-ordinance-2566-items.csv"], ",500000000,6\n", ",500000001,6\n");
  files = Edited(files);
  auto result = core_.Import(files, false, operators::OperatorAuth::CommandLine());
  ASSERT_EQ(result.status().code(), absl::StatusCode::kFailedPrecondition);
  const std::string message(result.status().message());
  EXPECT_NE(message.find("ข้อ 3 ordinance grand total"), std::string::npos) << message;
  EXPECT_NE(message.find("agency งบประมาณรายจ่ายงบกลาง"), std::string::npos);
  EXPECT_NE(message.find("difference 1"), std::string::npos);
  EXPECT_NE(message.find("nothing was written"), std::string::npos);
  EXPECT_EQ(repo_.writes(), 1);
  EXPECT_EQ(core_.snapshot()->version(), snapshot_->version());
  auto dry = core_.Import(files, true, operators::OperatorAuth::CommandLine());
  ASSERT_TRUE(dry.ok());
  EXPECT_FALSE(dry->problems.empty());
}

TEST_F(BudgetCoreTest, MalformedRowsAreRefusedWithFileLineAndReason) {
  DatasetFiles files = RealFiles();
  std::string& items = files["budget/bma-ordinance-2566-items.csv"];
  items += "2566,สำนักการโยธา,แผน,งานใหม่,,สิบบาท,3\n";
  items += "2566,สำนักการโยธา,แผน\n";
  auto result = core_.Import(Edited(files), false, operators::OperatorAuth::CommandLine());
  ASSERT_EQ(result.status().code(), absl::StatusCode::kInvalidArgument);
  const std::string message(result.status().message());
  EXPECT_NE(message.find("budget/bma-ordinance-2566-items.csv:1768: amount_baht \"สิบบาท\""), std::string::npos)
      << message;
  EXPECT_NE(message.find("items.csv:1769: expected 7 fields, found 3"), std::string::npos) << message;
  EXPECT_EQ(repo_.writes(), 1);

  DatasetFiles missing = RealFiles();
  missing.erase("districts/districts.json");
  auto refused = core_.Import(missing, false, operators::OperatorAuth::CommandLine());
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(refused.status().message().find("districts/districts.json: file is missing from the dataset"),
            std::string::npos)
      << refused.status();
}

// Each year is checked against its own stated totals, and one wrong figure
// in either year refuses the whole release: nothing of the other is written.
TEST_F(BudgetCoreTest, AWrongStatedTotalInEitherYearRefusesTheWholeRelease) {
  struct Case {
    const char* path;
    std::string from, to, expected;
  };
  const std::vector<Case> cases = {
      {kBookStatedCsv, "agency สำนักงานเขตพระนคร,378231950,", "agency สำนักงานเขตพระนคร,378231951,",
       "bma-budget-book-2565-stated-totals.csv:2: \"agency สำนักงานเขตพระนคร\": FY2565 states 378231951 baht but the "
       "60 matching line(s) add up to 378231950 (difference -1)"},
      {"budget/bma-ordinance-2566-stated-totals.csv", "ข้อ 3 ordinance grand total,79719012050,",
       "ข้อ 3 ordinance grand total,79719012051,", "FY2566 states 79719012051 baht"},
      // A line moved between work items: the district total still holds,
      // the two work items' stated totals do not.
      {kBookLinesCsv, "2565,สำนักงานเขตพระนคร,งานอำนวยการและบริหารสำนักงานเขต,งบลงทุน,",
       "2565,สำนักงานเขตพระนคร,งานปกครอง,งบลงทุน,",
       "\"work item สำนักงานเขตพระนคร | งานอำนวยการและบริหารสำนักงานเขต\": FY2565 states 10350780"},
  };
  for (const auto& c : cases) {
    DatasetFiles files = RealFiles();
    ReplaceOnce(files[c.path], c.from, c.to);
    auto result = core_.Import(Edited(files), false, operators::OperatorAuth::CommandLine());
    ASSERT_EQ(result.status().code(), absl::StatusCode::kFailedPrecondition) << c.path;
    EXPECT_NE(result.status().message().find(c.expected), std::string::npos) << result.status();
    EXPECT_NE(result.status().message().find("nothing was written"), std::string::npos);
  }
  EXPECT_EQ(repo_.writes(), 1);
  EXPECT_EQ(core_.snapshot()->version(), snapshot_->version());
}

// A file that is not the one release.json describes is refused by name,
// even when its rows would add up: the manifest is the release's identity.
TEST_F(BudgetCoreTest, AFileThatDiffersFromItsManifestChecksumIsRefused) {
  DatasetFiles files = RealFiles();
  ReplaceOnce(files[kBookLinesCsv], ",65026.pdf,23\n", ",65026.pdf,24\n");  // a page, not an amount
  auto result = core_.Import(files, false, operators::OperatorAuth::CommandLine());
  ASSERT_EQ(result.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(result.status().message().find(std::string(kBookLinesCsv) + ": sha256 is "), std::string::npos)
      << result.status();
  EXPECT_NE(result.status().message().find("budget-data manifest DIR"), std::string::npos);
  // Recorded in the manifest, the same change is a new release.
  auto accepted = core_.Import(Edited(files), false, operators::OperatorAuth::CommandLine());
  ASSERT_TRUE(accepted.ok()) << accepted.status();
  EXPECT_TRUE(accepted->changed);

  DatasetFiles extra = RealFiles();
  extra["budget/notes.txt"] = "x";
  EXPECT_NE(core_.Import(extra, false, operators::OperatorAuth::CommandLine())
                .status()
                .message()
                .find("budget/notes.txt: not listed in release.json"),
            std::string::npos);
}

// A new year is a manifest entry; what the manifest says is checked first.
TEST_F(BudgetCoreTest, AManifestThatCannotDescribeAReleaseIsRefused) {
  struct Case {
    std::string from, to, expected;
  };
  const std::vector<Case> cases = {
      {"\"kind\": \"district_book_lines\"", "\"kind\": \"book_lines\"", "kind \"book_lines\" is not one of"},
      {"\"kind\": \"stated_totals\", \"fiscal_year\": 2565", "\"kind\": \"stated_totals\", \"fiscal_year\": 2564",
       "FY2565 has lines but 0 stated_totals files"},
      {"\"kind\": \"district_book_lines\", \"fiscal_year\": 2565", "\"kind\": \"district_book_lines\"",
       "needs \"fiscal_year\""},
      {"\"kind\": \"district_book_lines\", \"fiscal_year\": 2565",
       "\"kind\": \"district_book_lines\", \"fiscal_year\": 2566", "FY2566 has 2 lines files"},
  };
  for (const auto& c : cases) {
    DatasetFiles files = RealFiles();
    ReplaceOnce(files[kReleaseManifestPath], c.from, c.to);
    auto result = core_.Import(files, false, operators::OperatorAuth::CommandLine());
    ASSERT_EQ(result.status().code(), absl::StatusCode::kInvalidArgument) << c.to;
    EXPECT_NE(result.status().message().find(c.expected), std::string::npos) << result.status();
  }
  // A lines file whose rows name another year than the manifest's.
  DatasetFiles files = RealFiles();
  ReplaceOnce(files[kBookLinesCsv], "\n2565,สำนักงานเขตพระนคร,", "\n2564,สำนักงานเขตพระนคร,");
  auto result = core_.Import(Edited(files), false, operators::OperatorAuth::CommandLine());
  EXPECT_NE(result.status().message().find(std::string(kBookLinesCsv) +
                                           ":2: fiscal_year \"2564\" is not FY2565, the year release.json gives"),
            std::string::npos)
      << result.status();
  EXPECT_EQ(repo_.writes(), 1);
}

TEST_F(BudgetCoreTest, Fy2565DistrictLinesKeepTheirBookFileAndPage) {
  LineFilter f;
  f.fiscal_year = 2565;
  auto lines = snapshot_->MatchingLines(f, LineSort::kAmountDesc);
  ASSERT_TRUE(lines.ok());
  ASSERT_EQ(lines->size(), 3022u);
  for (const auto* l : *lines) {
    ASSERT_GT(l->district_id, 0) << l->line_id;
    ASSERT_EQ(l->source_document.rfind("bma-budget-book-2565-districts/650", 0), 0u) << l->source_document;
    ASSERT_GT(l->source_page, 0);
    ASSERT_FALSE(l->category.empty());
  }
  const BudgetLine& first = snapshot_->dataset().lines.front();
  EXPECT_EQ(first.line_id, 2565'00001);
  EXPECT_EQ(first.agency, "สำนักงานเขตพระนคร");
  EXPECT_EQ(first.name, "งานอำนวยการและบริหารสำนักงานเขต");
  EXPECT_EQ(first.category, "งบบุคลากร");
  EXPECT_EQ(first.amount_baht, 5'716'350);
  EXPECT_EQ(first.source_document, "bma-budget-book-2565-districts/65026.pdf");
  EXPECT_EQ(first.source_page, 23);
  EXPECT_EQ(first.source_ref, "เอกสารงบประมาณรายจ่ายประจำปี พ.ศ. 2565 ของสำนักงานเขต 65026.pdf หน้า 23");
  auto line = snapshot_->GetLine(2566'00001);
  ASSERT_TRUE(line.ok());
  EXPECT_EQ((*line)->source_document, "bma-ordinance-2566/bma-ordinance-2566.pdf");
  EXPECT_EQ((*line)->source_ref, "ข้อบัญญัติงบประมาณรายจ่ายประจำปี พ.ศ. 2566 หน้า 6");

  // By expense category, per district: the work items' categories.
  LineFilter phra_nakhon;
  phra_nakhon.district_id = 32;  // พระนคร in districts.json
  auto split = snapshot_->GetBreakdown(2565, Dimension::kExpenseCategory, phra_nakhon);
  ASSERT_TRUE(split.ok()) << split.status();
  EXPECT_EQ(split->total_baht, 378'231'950);
  std::set<std::string> categories;
  for (const auto& item : split->items) categories.insert(item.key);
  EXPECT_TRUE(categories.count("งบบุคลากร") && categories.count("งบดำเนินงาน") && categories.count("งบลงทุน"));

  auto top = snapshot_->ListTopAgencies(2565, 100);
  ASSERT_TRUE(top.ok());
  EXPECT_EQ(top->agency_count, 50);
  EXPECT_FALSE(top->central_fund.has_value());
  EXPECT_EQ(top->year_total_baht, kBooksTotal2565);
  EXPECT_NE(top->note.en.find("50 district offices only"), std::string::npos) << top->note.en;
}

// Year over year, each district office's figure equals the stated total of
// its year's document, and the comparison says what each figure is.
TEST_F(BudgetCoreTest, DistrictOfficesCompareAcrossYearsAtTheirStatedTotals) {
  const auto stated_2565 = StatedTotals(kBookStatedCsv);
  const auto stated_2566 = StatedTotals();
  auto comparison = snapshot_->CompareDistrictYears(2565, 2566);
  ASSERT_TRUE(comparison.ok()) << comparison.status();
  ASSERT_EQ(comparison->rows.size(), 50u);
  int64_t from_total = 0;
  for (const auto& row : comparison->rows) {
    ASSERT_TRUE(row.from.has_amount && row.to.has_amount) << row.office_agency;
    EXPECT_EQ(row.from.amount_baht, stated_2565.at("agency " + row.office_agency)) << row.office_agency;
    EXPECT_EQ(row.to.amount_baht, stated_2566.at("agency " + row.office_agency)) << row.office_agency;
    EXPECT_EQ(row.from.stated_check, "agency " + row.office_agency);
    EXPECT_GT(row.from.source_page, 0);
    EXPECT_GT(row.to.source_page, 0);
    from_total += row.from.amount_baht;
  }
  EXPECT_EQ(from_total, comparison->from_total_baht);
  EXPECT_EQ(comparison->from_total_baht, kBooksTotal2565);
  const auto& sathon = *std::find_if(comparison->rows.begin(), comparison->rows.end(),
                                     [](const DistrictComparisonRow& r) { return r.name_th == "สาทร"; });
  EXPECT_EQ(sathon.from.amount_baht, 235'039'834);
  EXPECT_NE(sathon.from.note.find("236,444,200"), std::string::npos) << sathon.from.note;
  EXPECT_NE(comparison->note.en.find("work-structure budget"), std::string::npos) << comparison->note.en;
  EXPECT_EQ(snapshot_->CompareDistrictYears(2564, 2566).status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(snapshot_->CompareDistrictYears(2566, 2566).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(BudgetCoreTest, StrategiesAndSubDimensionsAreVerbatim) {
  const auto& fw = snapshot_->dataset().frameworks;
  ASSERT_EQ(fw.size(), 2u);
  ASSERT_EQ(fw[0].strategies.size(), 7u);
  int subs = 0;
  for (const auto& s : fw[0].strategies) subs += static_cast<int>(s.sub_dimensions.size());
  EXPECT_EQ(subs, 29);
  EXPECT_EQ(fw[0].strategies[0].name, "การสร้างเมืองปลอดภัย");
  EXPECT_EQ(fw[0].strategies[0].sub_dimensions[0].name, "ปลอดอาชญากรรมและยาเสพติด");
  // The description keeps the source's line breaks and indentation.
  EXPECT_EQ(fw[0].strategies[0].sub_dimensions[0].description.rfind("\n          มุ่งเน้น 3 ลด 3 เพิ่ม", 0), 0u);
  EXPECT_EQ(fw[1].strategies.size(), 9u);
  EXPECT_EQ(fw[1].strategies[0].name, "เดินทางดี");
}

TEST_F(BudgetCoreTest, AgencyBreakdownEqualsEveryStatedAgencyTotal) {
  auto stated = StatedTotals();
  auto breakdown = snapshot_->GetBreakdown(2566, Dimension::kAgency, {});
  ASSERT_TRUE(breakdown.ok());
  EXPECT_EQ(breakdown->total_baht, kGrandTotal);
  int agencies = 0;
  for (const auto& item : breakdown->items) {
    if (item.key == "(71)") {
      EXPECT_EQ(item.amount_baht, stated.at("(71) ชดใช้เงินยืมเงินสะสม section"));
      continue;
    }
    ++agencies;
    EXPECT_EQ(item.amount_baht, stated.at("agency " + item.key)) << item.key;
  }
  EXPECT_EQ(agencies, 74);
}

TEST_F(BudgetCoreTest, MissionTypeBreakdownPerAgencyEqualsStatedPlanSubtotals) {
  auto stated = StatedTotals();
  int plans = 0;
  for (const auto& [check, amount] : stated) {
    if (check.rfind("plan ", 0) != 0) continue;
    std::string rest = check.substr(5);
    std::string agency = rest.substr(0, rest.find(" | "));
    std::string plan = rest.substr(rest.find(" | ") + 3);
    LineFilter f;
    f.agency = agency;
    auto b = snapshot_->GetBreakdown(2566, Dimension::kMissionType, f);
    ASSERT_TRUE(b.ok());
    bool found = false;
    for (const auto& item : b->items) {
      if (item.key == plan) {
        EXPECT_EQ(item.amount_baht, amount) << check;
        found = true;
      }
    }
    EXPECT_TRUE(found) << check;
    ++plans;
  }
  EXPECT_EQ(plans, 144);
}

TEST_F(BudgetCoreTest, TopAgencies) {
  auto top = snapshot_->ListTopAgencies(2566, 0);
  ASSERT_TRUE(top.ok());
  // 74 budget units less the central fund, a reserve shown apart.
  EXPECT_EQ(top->agency_count, 73);
  ASSERT_TRUE(top->central_fund.has_value());
  EXPECT_EQ(top->central_fund->agency, "งบประมาณรายจ่ายงบกลาง");
  EXPECT_EQ(top->central_fund->amount_baht, 14'162'196'831);
  EXPECT_EQ(top->central_fund->unit_kind, "central_fund");
  ASSERT_EQ(top->agencies.size(), 5u);
  EXPECT_EQ(top->agencies[0].agency, "สำนักการโยธา");
  EXPECT_EQ(top->agencies[0].amount_baht, 6'637'939'684);
  for (size_t i = 1; i < top->agencies.size(); ++i) {
    EXPECT_GE(top->agencies[i - 1].amount_baht, top->agencies[i].amount_baht);
  }
  auto all = snapshot_->ListTopAgencies(2566, 100);
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->agencies.size(), 73u);
  for (const auto& a : all->agencies) EXPECT_NE(a.unit_kind, "central_fund") << a.agency;
  EXPECT_NE(top->note.en.find("not counted"), std::string::npos) << top->note.en;
  EXPECT_NE(top->note.th.find("งบกลาง"), std::string::npos) << top->note.th;
  EXPECT_EQ(top->year_total_baht, kGrandTotal);
  EXPECT_EQ(snapshot_->ListTopAgencies(2400, 5).status().code(), absl::StatusCode::kNotFound);
  auto negative = snapshot_->ListTopAgencies(2566, -1);
  EXPECT_EQ(negative.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(negative.status().message().find("limit"), std::string::npos);
}

TEST_F(BudgetCoreTest, OverviewYearsAndUnclassified) {
  const auto& years = snapshot_->overview();
  ASSERT_EQ(years.size(), 9u);
  EXPECT_EQ(years.front().fiscal_year, 2561);
  EXPECT_EQ(years.back().fiscal_year, 2569);
  for (const auto& y : years) {
    int64_t sum = 0;
    for (const auto& s : y.by_strategy) sum += s.amount_baht;
    EXPECT_EQ(sum, y.total_budget_baht) << y.fiscal_year;
    EXPECT_EQ(y.by_strategy.back().strategy_id, "") << "unclassified: no id";
    EXPECT_EQ(y.by_strategy.back().strategy_name, "") << "the web app names it, in the reader's language";
  }
  // 2561: ordinance budget by plan dimension, e.g. safety 23,344.51 million.
  EXPECT_EQ(years[0].by_strategy[0].strategy_id, "s1");
  EXPECT_EQ(years[0].by_strategy[0].amount_baht, 23'344'510'000);
  EXPECT_EQ(years[5].fiscal_year, 2566);
  EXPECT_TRUE(years[5].has_lines);
}

TEST_F(BudgetCoreTest, AYearWithoutExpenseCategoriesSaysSoInsteadOfAZeroSplit) {
  auto split = snapshot_->GetBreakdown(2566, Dimension::kExpenseCategory, LineFilter{});
  ASSERT_EQ(split.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(split.status().message().find("do not state expense categories"), std::string::npos);
  ASSERT_TRUE(ReasonOf(split.status()).has_value());
  EXPECT_EQ(ReasonOf(split.status())->reason, "EXPENSE_CATEGORIES_NOT_STATED");
  // A line that states one is grouped by it.
  DatasetFiles files = RealFiles();
  ReplaceOnce(files["budget/bma-ordinance-2566-items.csv"], "เงินสำรองจ่ายทั่วไป - กรณีฉุกเฉินหรือจำเป็น,,500000000,6",
              "เงินสำรองจ่ายทั่วไป - กรณีฉุกเฉินหรือจำเป็น,งบรายจ่ายอื่น,500000000,6");
  ASSERT_TRUE(core_.Import(Edited(files), false, operators::OperatorAuth::CommandLine()).ok());
  auto grouped = core_.snapshot()->GetBreakdown(2566, Dimension::kExpenseCategory, LineFilter{});
  ASSERT_TRUE(grouped.ok()) << grouped.status();
  ASSERT_EQ(grouped->items.size(), 2u);
  EXPECT_EQ(grouped->items[1].key, "งบรายจ่ายอื่น");
  EXPECT_EQ(grouped->items[1].amount_baht, 500'000'000);
  EXPECT_EQ(grouped->total_baht, kGrandTotal);
}

constexpr char kMappingCsv[] = "budget/strategy-mapping-2566.csv";

// The FY2566 split by strategy, summed from the mapping and the items files
// read independently of the importer: line id -> amount, then by strategy.
std::map<std::string, int64_t> MappingSums() {
  auto items = ParseCsv(RealFiles().at("budget/bma-ordinance-2566-items.csv"));
  auto mapping = ParseCsv(RealFiles().at(kMappingCsv));
  std::map<std::string, int64_t> sums;
  for (size_t i = 1; i < mapping->size(); ++i) {
    const auto& f = (*mapping)[i].fields;
    const int64_t ordinal = std::stoll(f[0]) - 2566'00000;
    sums[f[3]] += std::stoll((*items)[ordinal].fields[5]);
  }
  return sums;
}

TEST_F(BudgetCoreTest, TheFy2566SplitEqualsTheMappingFileSums) {
  const auto& y = snapshot_->overview()[5];
  ASSERT_EQ(y.fiscal_year, 2566);
  const auto sums = MappingSums();
  ASSERT_EQ(sums.size(), 8u) << "7 strategies and the unclassified lines";
  int64_t classified = 0;
  for (const auto& s : y.by_strategy) {
    if (s.strategy_id.empty()) continue;
    EXPECT_EQ(s.amount_baht, sums.at(s.strategy_id)) << s.strategy_id;
    classified += s.amount_baht;
  }
  EXPECT_EQ(y.strategic_budget_baht, classified);
  EXPECT_EQ(y.by_strategy.back().amount_baht, sums.at("")) << "unclassified = the lines no source classifies";
  EXPECT_NE(y.source.th.find("strategy-mapping-2566.csv"), std::string::npos) << y.source.th;
  EXPECT_NE(y.source.en.find("313 of 1766 lines"), std::string::npos) << y.source.en;
}

TEST_F(BudgetCoreTest, EachLineCarriesItsStrategySourceAndConfidence) {
  int exact = 0, by_name = 0, none = 0;
  for (const auto& l : snapshot_->dataset().lines) {
    if (l.fiscal_year == 2565) {
      // No mapping covers FY2565: unmapped, never "none".
      EXPECT_EQ(l.strategy_confidence, StrategyConfidence::kUnmapped) << l.line_id;
      continue;
    }
    switch (l.strategy_confidence) {
      case StrategyConfidence::kExact:
        ++exact;
        break;
      case StrategyConfidence::kByName:
        ++by_name;
        break;
      case StrategyConfidence::kNone:
        ++none;
        break;
      case StrategyConfidence::kUnmapped:
        ADD_FAILURE() << l.line_id << " is not in the mapping";
        break;
    }
    EXPECT_EQ(l.strategy_id.empty(), l.strategy_confidence == StrategyConfidence::kNone) << l.line_id;
    EXPECT_EQ(l.strategy_source.empty(), l.strategy_id.empty()) << l.line_id;
  }
  EXPECT_EQ(exact, 301);
  EXPECT_EQ(by_name, 12);
  EXPECT_EQ(none, 1453);
  // สำนักอนามัย's food-safety project: the hint (#16) names it with another amount.
  auto food_line = snapshot_->GetLine(2566'00090);
  ASSERT_TRUE(food_line.ok());
  const auto& food = **food_line;
  EXPECT_EQ(food.strategy_id, "s1");
  EXPECT_EQ(food.sub_dimension_id, "s1.5");
  EXPECT_EQ(food.strategy_confidence, StrategyConfidence::kByName);
  EXPECT_EQ(food.strategy_source, "plan/strategy-hints-2566-wevis.json#16");
}

TEST_F(BudgetCoreTest, AMappingThatDoesNotFitTheLinesIsRefusedWithFileLineAndReason) {
  struct Case {
    const char* what;
    std::string from, to;
    const char* expected;
  };
  const std::vector<Case> cases = {
      {"another agency", "256600090,สำนักอนามัย,", "256600090,สำนักการโยธา,",
       "strategy-mapping-2566.csv:91: line 256600090 is \"สำนักอนามัย"},
      {"an unknown strategy", ",s1,s1.5,by_name,", ",s8,s1.5,by_name,", ":91: a classified line needs one of the 7"},
      {"a sub-dimension of another strategy", ",s1,s1.5,by_name,", ",s2,s1.5,by_name,",
       ":91: sub_dimension_id \"s1.5\" is not a sub-dimension of s2"},
      {"an unknown confidence", ",s1,s1.5,by_name,", ",s1,s1.5,probably,", ":91: confidence \"probably\""},
      {"a strategy marked none", ",s1,s1.5,by_name,", ",s1,s1.5,none,", ":91: a line with confidence none"},
  };
  for (const auto& c : cases) {
    DatasetFiles files = RealFiles();
    std::string& mapping = files[kMappingCsv];
    const auto at = mapping.find(c.from, mapping.find("\n256600090,"));
    ASSERT_NE(at, std::string::npos) << c.what;
    mapping.replace(at, c.from.size(), c.to);
    auto result = core_.Import(Edited(files), false, operators::OperatorAuth::CommandLine());
    ASSERT_EQ(result.status().code(), absl::StatusCode::kInvalidArgument) << c.what;
    EXPECT_NE(result.status().message().find(c.expected), std::string::npos) << c.what << ": " << result.status();
  }
  DatasetFiles missing_line = RealFiles();
  std::string& mapping = missing_line[kMappingCsv];
  const auto row = mapping.find("\n256600090,");
  mapping.erase(row, mapping.find('\n', row + 1) - row);
  auto result = core_.Import(Edited(missing_line), false, operators::OperatorAuth::CommandLine());
  EXPECT_NE(result.status().message().find("line 256600090 (สำนักอนามัย / โครงการกรุงเทพฯ เมืองอาหารปลอดภัย) is missing"),
            std::string::npos)
      << result.status();
  EXPECT_EQ(repo_.writes(), 1) << "nothing written";
}

TEST_F(BudgetCoreTest, EachYearHasOneHeadlineTotalWithItsPartsAndSource) {
  for (const auto& y : snapshot_->overview()) {
    EXPECT_EQ(y.lines_scope, y.fiscal_year == 2566   ? "ordinance"
                             : y.fiscal_year == 2565 ? "district_books"
                                                     : "")
        << y.fiscal_year;
    if (y.fiscal_year != 2566) {
      EXPECT_EQ(y.total_basis, "published_figure") << y.fiscal_year;
      EXPECT_TRUE(y.total_parts.empty()) << y.fiscal_year;
      EXPECT_NE(y.source.th.find("bma-total-budget-by-year.json"), std::string::npos) << y.source.th;
      EXPECT_NE(y.source.en.find("bma-total-budget-by-year.json"), std::string::npos) << y.source.en;
      continue;
    }
    // ข้อ 3 = ข้อ 4 + ข้อ 5, each with its page in the ordinance PDF.
    EXPECT_EQ(y.total_budget_baht, kGrandTotal);
    EXPECT_EQ(y.total_basis, "ordinance");
    EXPECT_EQ(y.total_clause, "ข้อ 3");
    EXPECT_EQ(y.total_source_page, 5);
    ASSERT_EQ(y.total_parts.size(), 2u);
    EXPECT_EQ(y.total_parts[0].amount_baht, 79'000'000'000);
    EXPECT_EQ(y.total_parts[0].clause, "ข้อ 4");
    EXPECT_EQ(y.total_parts[0].source_page, 5);
    EXPECT_EQ(y.total_parts[1].amount_baht, 719'012'050);
    EXPECT_EQ(y.total_parts[1].clause, "ข้อ 5");
    EXPECT_EQ(y.total_parts[1].source_page, 87);
    EXPECT_FALSE(y.total_parts[1].label_th.empty());
    EXPECT_FALSE(y.total_parts[1].label_en.empty());
    EXPECT_NE(y.source.th.find("ข้อ 3 (หน้า 5 ของ PDF)"), std::string::npos) << y.source.th;
    EXPECT_NE(y.source.en.find("ข้อ 3 (PDF page 5)"), std::string::npos) << y.source.en;
  }
}

TEST_F(BudgetCoreTest, LinesPaginateExactlyAndRefuseBadArguments) {
  LineFilter f;
  f.fiscal_year = 2566;
  f.district_id = 1;  // คลองเตย
  std::set<int64_t> seen;
  std::string token;
  int64_t sum = 0, last = INT64_MAX;
  int pages = 0;
  do {
    auto page = snapshot_->ListLines(f, LineSort::kAmountDesc, 7, token);
    ASSERT_TRUE(page.ok()) << page.status();
    for (const auto* l : page->lines) {
      EXPECT_EQ(l->agency, "สำนักงานเขตคลองเตย");
      EXPECT_LE(l->amount_baht, last);
      last = l->amount_baht;
      EXPECT_TRUE(seen.insert(l->line_id).second);
      sum += l->amount_baht;
    }
    token = page->next_page_token;
    ++pages;
    if (token.empty()) {
      EXPECT_EQ(static_cast<int>(seen.size()), page->total_count);
      EXPECT_EQ(sum, page->total_amount_baht);
    }
  } while (!token.empty());
  EXPECT_GT(pages, 1);

  LineFilter bad_year;
  bad_year.fiscal_year = 2400;
  auto s = snapshot_->ListLines(bad_year, LineSort::kName, 10, "").status();
  EXPECT_EQ(s.code(), absl::StatusCode::kNotFound);
  EXPECT_NE(s.message().find("fiscal_year"), std::string::npos);
  s = snapshot_->ListLines({}, LineSort::kName, 501, "").status();
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("page_size"), std::string::npos);
  s = snapshot_->ListLines({}, LineSort::kName, -1, "").status();
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  s = snapshot_->ListLines({}, LineSort::kName, 10, "not-a-token!").status();
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("page_token"), std::string::npos);
  auto first = snapshot_->ListLines({}, LineSort::kName, 10, "");
  s = snapshot_->ListLines({}, LineSort::kAmountAsc, 10, first->next_page_token).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << "a token is bound to its query";
  LineFilter bad_district;
  bad_district.district_id = 51;
  EXPECT_EQ(snapshot_->ListLines(bad_district, LineSort::kName, 10, "").status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(BudgetCoreTest, NameFilterAndDistrictBreakdown) {
  LineFilter f;
  f.name_contains = "คลอง";
  auto lines = snapshot_->MatchingLines(f, LineSort::kName);
  ASSERT_TRUE(lines.ok());
  EXPECT_FALSE(lines->empty());
  for (const auto* l : *lines) EXPECT_NE(l->name.find("คลอง"), std::string::npos);
  for (int32_t year : {2565, 2566}) {
    auto districts = snapshot_->GetBreakdown(year, Dimension::kDistrict, {});
    ASSERT_TRUE(districts.ok());
    EXPECT_EQ(districts->items.size(), 50u);
  }
  auto totals = snapshot_->ListDistrictTotals(1, 0);
  ASSERT_TRUE(totals.ok());
  EXPECT_EQ(totals->size(), 12u);  // 2555-2566
}

TEST(BudgetCoreEmptyTest, QueriesBeforeAnyImportSayWhatToDo) {
  InMemoryBudgetRepository repo;
  BudgetCore core(&repo);
  ASSERT_TRUE(core.Refresh().ok());
  auto snap = core.RequireSnapshot();
  EXPECT_EQ(snap.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(snap.status().message().find("import"), std::string::npos);
}

}  // namespace
}  // namespace bkk::budget
