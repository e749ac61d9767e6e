// A dataset release is described by data/release.json: which files it has,
// what kind of records each holds, for which fiscal year, and each file's
// SHA-256. The importer reads files by their kind, not by a fixed list, so a
// new budget year is a new manifest entry (its lines and its stated totals),
// not a code change.
#ifndef BKK_SERVICES_BUDGET_DATA_CORE_RELEASE_MANIFEST_H_
#define BKK_SERVICES_BUDGET_DATA_CORE_RELEASE_MANIFEST_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/language.h"
#include "services/budget_data/core/model.h"

namespace bkk::budget {

// The manifest's path within a dataset.
inline constexpr char kReleaseManifestPath[] = "release.json";

// What records a file holds. Year-bound kinds need a fiscal_year.
enum class DatasetFileKind {
  kOrdinanceLines,       // the ordinance's leaf lines (…-items.csv), year-bound
  kDistrictBookLines,    // a detailed budget book's district lines, year-bound
  kStatedTotals,         // the totals the year's documents print, year-bound
  kStrategyMapping,      // line -> one of the 7 strategies, year-bound
  kYearTotals,           // total budget per year (JSON)
  kPlanAggregates,       // 20-year-plan aggregates (CSV)
  kDistrictTopicTotals,  // district x year x topic totals (CSV)
  kStrategies7,          // the 20-year plan's 7 strategies (JSON)
  kPolicies9,            // the 9 policies (JSON)
  kDistricts,            // the 50 districts (JSON)
};

// The manifest's name for a kind ("ordinance_lines").
absl::string_view DatasetFileKindName(DatasetFileKind kind);

struct ManifestFile {
  std::string path;  // relative to the dataset root
  DatasetFileKind kind = DatasetFileKind::kYearTotals;
  int32_t fiscal_year = 0;  // 0 for kinds not bound to a year
  std::string sha256;
  // The document the records were read from, under data/sources/; a path
  // ending in "/" is a folder whose file each line names (district books).
  std::string document;
  LocalizedText document_title;
};

struct ReleaseManifest {
  LocalizedText source;  // what the release is
  std::vector<ManifestFile> files;
};

// Parses release.json. Fills `problems` (file release.json) and returns
// INVALID_ARGUMENT when it is malformed: unknown kind, a year-bound kind
// without a year, a path twice, a singleton kind twice or missing, a year
// with lines but no stated totals (or two line files), or a checksum that is
// not 64 hex digits.
absl::StatusOr<ReleaseManifest> ParseReleaseManifest(absl::string_view json, std::vector<ImportProblem>* problems);

// Rewrites the manifest in `files` so every listed file's sha256 is that of
// its current bytes. For tests and tools that change a dataset on purpose;
// the importer itself never trusts a file whose checksum differs.
absl::Status RefreshManifestChecksums(std::map<std::string, std::string>* files);

}  // namespace bkk::budget

#endif  // BKK_SERVICES_BUDGET_DATA_CORE_RELEASE_MANIFEST_H_
