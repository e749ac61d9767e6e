// RFC 4180 CSV reading: quoted fields may hold delimiters, quotes ("") and
// line breaks (the plan aggregates wrap long names). The one tokenizer of the
// tree: the budget importers read ',' files, the pabulib reader ';' files.
#ifndef BKK_SERVICES_COMMON_CSV_H_
#define BKK_SERVICES_COMMON_CSV_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace bkk {

struct CsvRow {
  // 1-based line number where the record starts, for error messages.
  int line = 0;
  std::vector<std::string> fields;
  bool any_quoted = false;  // some field was quoted
};

struct CsvOptions {
  char delimiter = ',';
  // A quote inside an unquoted field is an ordinary character (pabulib's
  // free-text fields), instead of an error.
  bool literal_quotes_inside_fields = false;
};

// Parses a whole document. A UTF-8 BOM is skipped; CRLF, LF and a lone CR
// end records. An unterminated quote, or text after a closing quote, is
// INVALID_ARGUMENT naming its line ("line 12: …").
absl::StatusOr<std::vector<CsvRow>> ParseCsv(absl::string_view text, const CsvOptions& options = {});

// Quotes a field for writing when it needs it.
std::string CsvField(absl::string_view value);

}  // namespace bkk

#endif  // BKK_SERVICES_COMMON_CSV_H_
