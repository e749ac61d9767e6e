// Turns the files of a dataset (the data/ layout) into a Dataset, refusing
// malformed rows with file, line and reason. Reads only; writes nothing.
#ifndef BKK_SERVICES_BUDGET_DATA_CORE_DATASET_LOADER_H_
#define BKK_SERVICES_BUDGET_DATA_CORE_DATASET_LOADER_H_

#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "services/budget_data/core/model.h"
#include "services/budget_data/core/release_manifest.h"

namespace bkk::budget {

// File contents by path relative to the dataset root.
using DatasetFiles = std::map<std::string, std::string>;

// Reads release.json and the files it lists from a directory (NOT_FOUND
// naming a missing one; a malformed manifest is left for ParseDataset).
absl::StatusOr<DatasetFiles> ReadDatasetDir(const std::string& dir);

// Checks the files against release.json (every file listed, every checksum
// equal) and parses each by its kind. Returns the dataset, or fills
// `problems` (and returns INVALID_ARGUMENT summarising them) when anything
// is missing, changed or malformed.
absl::StatusOr<Dataset> ParseDataset(const DatasetFiles& files, std::vector<ImportProblem>* problems);

// The ordinance's line items (budget/bma-ordinance-2566-items.csv) from the
// file's bytes, as ParseDataset reads them: each row that cannot be read adds
// a problem and is left out (one of 7 fields still takes its place in the
// line ids); district offices are joined to `districts`.
std::vector<BudgetLine> ParseOrdinanceLinesCsv(absl::string_view csv, const std::vector<District>& districts,
                                               std::vector<ImportProblem>* problems);

// The totals the ordinance states (budget/bma-ordinance-2566-stated-totals.csv),
// likewise.
std::vector<StatedTotal> ParseStatedTotalsCsv(absl::string_view csv, std::vector<ImportProblem>* problems);

// A detailed budget book's district lines (district_book_lines, e.g.
// budget/bma-budget-book-2565-district-lines.csv), likewise.
std::vector<BudgetLine> ParseDistrictBookLinesCsv(absl::string_view csv, const std::vector<District>& districts,
                                                  std::vector<ImportProblem>* problems);

// Applies a strategy mapping (budget/strategy-mapping-2566.csv) to the lines
// of `fiscal_year` in `lines`, as ParseDataset does; `frameworks` give the 7
// strategies and their sub-dimensions. Each refused row adds a problem, as
// does every line of the year the mapping leaves out.
void ApplyStrategyMappingCsv(absl::string_view csv, int32_t fiscal_year, const std::vector<Framework>& frameworks,
                             std::vector<BudgetLine>* lines, std::vector<ImportProblem>* problems);

// The release version: the first 16 hex digits of sha256 over the sorted
// (path, sha256) pairs. Identical content gives the identical version.
std::string ComputeReleaseVersion(const std::vector<SourceFile>& files);

// The district id of a district-office agency name, or 0.
int32_t DistrictIdForAgency(const std::vector<District>& districts, const std::string& agency);

}  // namespace bkk::budget

#endif  // BKK_SERVICES_BUDGET_DATA_CORE_DATASET_LOADER_H_
