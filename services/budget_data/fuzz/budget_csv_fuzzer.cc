// libFuzzer target for budget-data's ordinance CSV importer
// (services/budget_data/core/dataset_loader.h): the input is read both as
// the line items and as the stated totals, as ParseDataset reads those files.
// Besides not crashing:
//   - every data row gives a line (a total) or exactly one problem, and a
//     problem names the file and a line of the input;
//   - a line is within the importer's rules: a Buddhist-era year, a
//     non-negative amount, an agency and a name, its id from its year and
//     its position (increasing), its district from the district offices;
//   - the lines (totals) written back as CSV read back equal, with no
//     problem.
// Input: a CSV file. Built and run by tests/fuzz/run.sh (target budget_csv)
// with clang's ASan and UBSan.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "common/csv.h"
#include "services/budget_data/core/dataset_loader.h"

namespace {

using bkk::CsvField;
using bkk::budget::BudgetLine;
using bkk::budget::ImportProblem;
using bkk::budget::StatedTotal;

constexpr char kItemsCsv[] = "budget/bma-ordinance-2566-items.csv";
constexpr char kStatedCsv[] = "budget/bma-ordinance-2566-stated-totals.csv";
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

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::string_view input(reinterpret_cast<const char*>(data), size);
  CheckLines(input);
  CheckTotals(input);
  return 0;
}
