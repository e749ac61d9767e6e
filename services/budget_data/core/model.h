// The budget-data domain: plain records of one dataset release, independent
// of gRPC and PostgreSQL. Money is int64 whole baht; years are Buddhist era.
#ifndef BKK_SERVICES_BUDGET_DATA_CORE_MODEL_H_
#define BKK_SERVICES_BUDGET_DATA_CORE_MODEL_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "common/language.h"

namespace bkk::budget {

enum class FrameworkKind { kStrategies7 = 1, kPolicies9 = 2 };

struct SubDimension {
  std::string id;  // "s1.2"
  std::string name;
  std::string description;
  std::vector<std::string> goals;
};

struct Strategy {
  std::string id;  // "s1".."s7", "p1".."p9"
  std::string name;
  std::string side;
  std::string name_en;
  std::string issue;
  std::vector<SubDimension> sub_dimensions;
};

struct Framework {
  FrameworkKind kind = FrameworkKind::kStrategies7;
  std::string name;
  int32_t first_year = 0;
  int32_t last_year = 0;
  std::vector<Strategy> strategies;
};

struct District {
  int32_t id = 0;
  std::string name_th;
  std::string name_en;
  std::string zipcode;
  std::string office_agency;  // "สำนักงานเขต" + name_th
};

// The total BMA expenditure budget of a fiscal year.
struct YearTotal {
  int32_t fiscal_year = 0;
  int64_t total_baht = 0;
  std::string source;
};

// One row of the 2561-2565 plan aggregates (by plan dimension/sub-dimension).
struct PlanAggregate {
  int32_t fiscal_year = 0;
  std::string strategy_id;      // mapped "s1".."s7"
  std::string source_strategy;  // the source's own dimension name
  std::string sub_dimension;
  int64_t plan_baht = 0;
  int64_t ordinance_baht = 0;
};

// How a line's strategy was decided (budget/strategy-mapping-YYYY.csv).
// kUnmapped: no mapping covers the line's year; kNone: a mapping covers it
// and no source classifies the line.
enum class StrategyConfidence { kUnmapped = 0, kExact = 1, kByName = 2, kNone = 3 };

struct BudgetLine {
  int64_t line_id = 0;
  int32_t fiscal_year = 0;
  std::string agency;
  std::string mission_type;
  std::string name;
  std::string category;
  int64_t amount_baht = 0;
  std::string strategy_id;  // empty: unclassified
  std::string sub_dimension_id;
  StrategyConfidence strategy_confidence = StrategyConfidence::kUnmapped;
  std::string strategy_source;  // e.g. "plan/strategy-hints-2566-wevis.json#16"
  int32_t district_id = 0;
  int32_t source_page = 0;
  std::string source_ref;
  // The PDF under data/sources/ that source_page numbers
  // ("bma-budget-book-2565-districts/65026.pdf").
  std::string source_document;
};

struct DistrictTopicTotal {
  int32_t district_id = 0;
  int32_t fiscal_year = 0;
  int64_t total_baht = 0;
  std::map<std::string, int64_t> topic_baht;
};

// A total a year's documents print, to check that year's lines against.
struct StatedTotal {
  std::string check;
  int64_t stated_baht = 0;
  int32_t fiscal_year = 0;
  std::string file;  // the stated-totals file and row, for problems
  int32_t row = 0;
  std::string source_file;  // where the book prints it (district books)
  int32_t source_page = 0;
  std::string note;
};

// The document a year's lines were read from (release.json).
struct YearDocument {
  int32_t fiscal_year = 0;
  std::string kind;  // "ordinance" (every unit) or "district_books" (district offices only)
  std::string path;  // under data/sources/; a folder ends in "/"
  LocalizedText title;
};

struct SourceFile {
  std::string path;
  std::string sha256;
  int64_t size_bytes = 0;
  int32_t rows = 0;
};

struct Dataset {
  std::string version;      // content-derived, see ComputeReleaseVersion
  std::string imported_at;  // RFC 3339, set by the repository
  LocalizedText source;     // what the release is, in Thai and English
  std::vector<SourceFile> files;
  std::vector<Framework> frameworks;
  std::vector<District> districts;
  std::vector<YearTotal> year_totals;
  std::vector<PlanAggregate> plan_aggregates;
  std::vector<BudgetLine> lines;
  std::vector<DistrictTopicTotal> district_totals;
  std::vector<StatedTotal> stated_totals;
  std::vector<YearDocument> documents;  // one per year with lines
};

// A reason a dataset was refused: file, line (0 = whole file) and why.
struct ImportProblem {
  std::string file;
  int32_t line = 0;
  std::string reason;
};

}  // namespace bkk::budget

#endif  // BKK_SERVICES_BUDGET_DATA_CORE_MODEL_H_
