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

namespace bkk::budget {

// File contents by path relative to the dataset root.
using DatasetFiles = std::map<std::string, std::string>;

// The files a dataset must have, relative to its root.
const std::vector<std::string>& RequiredDatasetFiles();

// Reads the required files from a directory (NOT_FOUND naming a missing one).
absl::StatusOr<DatasetFiles> ReadDatasetDir(const std::string& dir);

// Parses every file. Returns the dataset, or fills `problems` (and returns
// INVALID_ARGUMENT summarising them) when any row is malformed.
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

// The release version: the first 16 hex digits of sha256 over the sorted
// (path, sha256) pairs. Identical content gives the identical version.
std::string ComputeReleaseVersion(const std::vector<SourceFile>& files);

// The district id of a district-office agency name, or 0.
int32_t DistrictIdForAgency(const std::vector<District>& districts, const std::string& agency);

}  // namespace bkk::budget

#endif  // BKK_SERVICES_BUDGET_DATA_CORE_DATASET_LOADER_H_
