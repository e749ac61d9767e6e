// RFC 4180 CSV reading: quoted fields may hold commas, quotes ("") and line
// breaks (the plan aggregates wrap long names). Used by importers and tests.
#ifndef BKK_SERVICES_COMMON_CSV_H_
#define BKK_SERVICES_COMMON_CSV_H_

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace bkk {

struct CsvRow {
  // 1-based line number where the record starts, for error messages.
  int line = 0;
  std::vector<std::string> fields;
};

// Parses a whole document. A UTF-8 BOM is skipped; CRLF and LF both end
// records. An unterminated quote is INVALID_ARGUMENT naming its line.
absl::StatusOr<std::vector<CsvRow>> ParseCsv(std::string_view text);

// Quotes a field for writing when it needs it.
std::string CsvField(std::string_view value);

}  // namespace bkk

#endif  // BKK_SERVICES_COMMON_CSV_H_
