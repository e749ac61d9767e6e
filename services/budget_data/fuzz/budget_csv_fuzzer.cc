// libFuzzer target for budget-data's importer of a release's files
// (services/budget_data/core/dataset_loader.h, release_manifest.h): the
// input is read as the ordinance's line items, as the stated totals, as a
// budget book's district lines, as a strategy mapping of two fixed lines and
// as release.json, as ParseDataset reads those files. Besides not crashing:
//   - every data row gives a line (a total) or exactly one problem, and a
//     problem names the file and a line of the input;
//   - a line is within the importer's rules: a Buddhist-era year, a
//     non-negative amount, an agency and a name, its id from its year and
//     its position (increasing), its district from the district offices;
//   - the lines (totals) written back as CSV read back equal, with no
//     problem;
//   - a district-book line belongs to a district office, cites its PDF
//     file and page and is not an expense line;
//   - a mapping changes only its year's lines, gives a classified line one
//     of the strategies, and when it raises no problem maps every line;
//   - a manifest is refused with a problem, or accepted with none, every
//     file's checksum 64 hex digits and every year-bound kind with a year.
// Input: a CSV file. Built and run by tests/fuzz/run.sh (target budget_csv)
// with clang's ASan and UBSan.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "common/csv.h"
#include "services/budget_data/core/dataset_loader.h"
#include "services/budget_data/core/release_manifest.h"

namespace {

using bkk::CsvField;
using bkk::budget::BudgetLine;
using bkk::budget::ImportProblem;
using bkk::budget::StatedTotal;

constexpr char kItemsCsv[] = "budget/bma-ordinance-2566-items.csv";
constexpr char kStatedCsv[] = "budget/bma-ordinance-2566-stated-totals.csv";
constexpr char kBookLinesCsv[] = "budget/bma-budget-book-2565-district-lines.csv";
constexpr char kBookFolder[] = "bma-budget-book-2565-districts/";
constexpr char kItemsHeader[] = "fiscal_year,agency,plan,output_or_project,category,amount_baht,source_page";
constexpr char kStatedHeader[] = "check,stated_baht,computed_from_rows_baht,match";

void Check(bool condition, const char* what) {
  if (condition) return;
  std::fprintf(stderr, "budget_csv_fuzzer: invariant broken: %s\n", what);
  std::abort();
}

const std::vector<bkk::budget::District>& Districts() {
  static const auto* districts = new std::vector<bkk::budget::District>{
      {1, "พระนคร", "Phra Nakhon", "10200", "สำนักงานเขตพระนคร"},
      {50, "บางบอน", "Bang Bon", "10150", "สำนักงานเขตบางบอน"},
  };
  return *districts;
}

// Every row accounted for: unreadable CSV is one problem at line 0, a
// refused header one at line 1; otherwise each data row (from line 2 on)
// gives an item or a problem.
void CheckAccounted(absl::string_view input, size_t items, const std::vector<ImportProblem>& problems,
                    const char* file) {
  const int lines = 1 + static_cast<int>(std::count(input.begin(), input.end(), '\n')) +
                    static_cast<int>(std::count(input.begin(), input.end(), '\r'));
  for (const ImportProblem& p : problems) {
    Check(p.file == file, "a problem names another file");
    Check(p.line >= 0 && p.line <= lines, "a problem names no line of the input");
    Check(!p.reason.empty(), "a problem without a reason");
  }
  auto rows = bkk::ParseCsv(input);
  if (!rows.ok()) {
    Check(items == 0 && problems.size() == 1 && problems[0].line == 0, "unreadable CSV is not one problem at line 0");
    return;
  }
  if (problems.size() == 1 && problems[0].line == 1) {
    Check(items == 0, "items despite a refused header");
    return;
  }
  Check(!rows->empty() && items + problems.size() == rows->size() - 1, "rows and items or problems do not add up");
  for (const ImportProblem& p : problems) Check(p.line >= 2, "a data row's problem before line 2");
}

std::string WriteLines(const std::vector<BudgetLine>& lines) {
  std::string out = absl::StrCat(kItemsHeader, "\n");
  for (const BudgetLine& l : lines) {
    absl::StrAppend(&out, l.fiscal_year, ",", CsvField(l.agency), ",", CsvField(l.mission_type), ",", CsvField(l.name),
                    ",", CsvField(l.category), ",", l.amount_baht, ",", l.source_page, "\n");
  }
  return out;
}

std::string WriteTotals(const std::vector<StatedTotal>& totals) {
  std::string out = absl::StrCat(kStatedHeader, "\r\n");
  for (const StatedTotal& t : totals) absl::StrAppend(&out, CsvField(t.check), ",", t.stated_baht, ",,\r\n");
  return out;
}

void CheckLines(absl::string_view input) {
  std::vector<ImportProblem> problems;
  const std::vector<BudgetLine> lines = bkk::budget::ParseOrdinanceLinesCsv(input, Districts(), &problems);
  CheckAccounted(input, lines.size(), problems, kItemsCsv);
  int64_t last_ordinal = 0;
  for (const BudgetLine& l : lines) {
    Check(l.fiscal_year >= 2500 && l.fiscal_year <= 2700, "a year out of range");
    Check(l.amount_baht >= 0, "a negative amount");
    Check(!l.agency.empty() && !l.name.empty(), "a line without agency or name");
    const int64_t ordinal = l.line_id - int64_t{l.fiscal_year} * 100000;
    Check(ordinal > last_ordinal, "line ids not increasing with the position");
    last_ordinal = ordinal;
    int32_t district = 0;
    for (const auto& d : Districts()) {
      if (d.office_agency == l.agency) district = d.id;
    }
    Check(l.district_id == district, "a line joined to the wrong district");
    Check(absl::EndsWith(l.source_ref, absl::StrCat(" ", l.source_page)), "source_ref does not name the page");
  }

  // Written back (ids renumbered: refused rows no longer take positions).
  std::vector<ImportProblem> again_problems;
  const std::vector<BudgetLine> again =
      bkk::budget::ParseOrdinanceLinesCsv(WriteLines(lines), Districts(), &again_problems);
  Check(again_problems.empty(), "the written lines have problems");
  Check(again.size() == lines.size(), "the written lines read back fewer or more");
  for (size_t i = 0; i < lines.size(); ++i) {
    const BudgetLine& a = lines[i];
    const BudgetLine& b = again[i];
    Check(b.line_id == int64_t{b.fiscal_year} * 100000 + static_cast<int64_t>(i) + 1, "a written line's id");
    Check(a.fiscal_year == b.fiscal_year && a.agency == b.agency && a.mission_type == b.mission_type &&
              a.name == b.name && a.category == b.category && a.amount_baht == b.amount_baht &&
              a.district_id == b.district_id && a.source_page == b.source_page && a.source_ref == b.source_ref,
          "a written line reads back different");
  }
}

void CheckTotals(absl::string_view input) {
  std::vector<ImportProblem> problems;
  const std::vector<StatedTotal> totals = bkk::budget::ParseStatedTotalsCsv(input, &problems);
  CheckAccounted(input, totals.size(), problems, kStatedCsv);
  for (const StatedTotal& t : totals) {
    Check(!t.check.empty(), "a total without its check's name");
    Check(t.stated_baht >= 0, "a negative stated total");
  }
  std::vector<ImportProblem> again_problems;
  const std::vector<StatedTotal> again = bkk::budget::ParseStatedTotalsCsv(WriteTotals(totals), &again_problems);
  Check(again_problems.empty() && again.size() == totals.size(), "the written totals do not read back");
  for (size_t i = 0; i < totals.size(); ++i) {
    Check(again[i].check == totals[i].check && again[i].stated_baht == totals[i].stated_baht,
          "a written total reads back different");
  }
}

void CheckDistrictBookLines(absl::string_view input) {
  std::vector<ImportProblem> problems;
  const std::vector<BudgetLine> lines = bkk::budget::ParseDistrictBookLinesCsv(input, Districts(), &problems);
  CheckAccounted(input, lines.size(), problems, kBookLinesCsv);
  for (const BudgetLine& l : lines) {
    Check(l.fiscal_year >= 2500 && l.fiscal_year <= 2700, "a book line's year out of range");
    Check(l.amount_baht >= 0, "a negative book line");
    Check(l.district_id == 1 || l.district_id == 50, "a book line outside the district offices");
    Check(!l.name.empty() && !l.category.empty(), "a book line without work item or category");
    Check(l.source_page >= 1 && absl::EndsWith(l.source_ref, absl::StrCat(" ", l.source_page)),
          "a book line without its page");
    Check(absl::StartsWith(l.source_document, kBookFolder) && l.source_document.size() > sizeof(kBookFolder) - 1,
          "a book line without its PDF file");
  }
}

// s1 with two sub-dimensions and s2 with none, as strategies_7 gives them.
std::vector<bkk::budget::Framework> Strategies() {
  bkk::budget::Framework fw;
  fw.kind = bkk::budget::FrameworkKind::kStrategies7;
  fw.strategies.resize(2);
  fw.strategies[0].id = "s1";
  fw.strategies[0].sub_dimensions.resize(2);
  fw.strategies[0].sub_dimensions[0].id = "s1.1";
  fw.strategies[0].sub_dimensions[1].id = "s1.2";
  fw.strategies[1].id = "s2";
  return {fw};
}

void CheckStrategyMapping(absl::string_view input) {
  using bkk::budget::StrategyConfidence;
  std::vector<BudgetLine> lines(3);
  lines[0].line_id = 256600001;
  lines[1].line_id = 256600002;
  lines[2].line_id = 256500001;  // another year's: never touched
  for (BudgetLine& l : lines) {
    l.fiscal_year = static_cast<int32_t>(l.line_id / 100000);
    l.agency = "สำนักงานเขตพระนคร";
    l.name = absl::StrCat("line ", l.line_id);
  }
  std::vector<ImportProblem> problems;
  bkk::budget::ApplyStrategyMappingCsv(input, 2566, Strategies(), &lines, &problems);
  Check(lines.size() == 3, "a mapping added or dropped lines");
  Check(lines[2].strategy_id.empty() && lines[2].strategy_confidence == StrategyConfidence::kUnmapped,
        "a mapping changed another year's line");
  for (const ImportProblem& p : problems) {
    Check(p.file == "budget/strategy-mapping-2566.csv" && !p.reason.empty(),
          "a mapping problem without file or reason");
  }
  if (!problems.empty()) return;
  for (int i = 0; i < 2; ++i) {
    const BudgetLine& l = lines[i];
    Check(l.strategy_confidence != StrategyConfidence::kUnmapped, "a mapping without problems left a line out");
    const bool classified = l.strategy_confidence != StrategyConfidence::kNone;
    Check(classified ? (l.strategy_id == "s1" || l.strategy_id == "s2") : l.strategy_id.empty(),
          "a line's strategy does not match its confidence");
  }
}

void CheckManifest(absl::string_view input) {
  using bkk::budget::DatasetFileKind;
  std::vector<ImportProblem> problems;
  const absl::StatusOr<bkk::budget::ReleaseManifest> manifest = bkk::budget::ParseReleaseManifest(input, &problems);
  for (const ImportProblem& p : problems) {
    Check(p.file == bkk::budget::kReleaseManifestPath && !p.reason.empty(),
          "a manifest problem without file or reason");
  }
  if (!manifest.ok()) {
    Check(!problems.empty(), "a manifest refused without a problem");
    return;
  }
  Check(problems.empty(), "a manifest accepted despite problems");
  for (const bkk::budget::ManifestFile& f : manifest->files) {
    Check(!f.path.empty(), "a manifest file without a path");
    Check(f.sha256.size() == 64 && std::all_of(f.sha256.begin(), f.sha256.end(), absl::ascii_isxdigit),
          "a checksum that is not 64 hex digits");
    const bool year_bound = f.kind == DatasetFileKind::kOrdinanceLines ||
                            f.kind == DatasetFileKind::kDistrictBookLines || f.kind == DatasetFileKind::kStatedTotals ||
                            f.kind == DatasetFileKind::kStrategyMapping;
    Check(!year_bound || f.fiscal_year != 0, "a year-bound file without its year");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::string_view input(reinterpret_cast<const char*>(data), size);
  CheckLines(input);
  CheckTotals(input);
  CheckDistrictBookLines(input);
  CheckStrategyMapping(input);
  CheckManifest(input);
  return 0;
}
