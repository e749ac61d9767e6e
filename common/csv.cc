// CSV parsing; see csv.h.
#include "common/csv.h"

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace bkk {

absl::StatusOr<std::vector<CsvRow>> ParseCsv(absl::string_view text, const CsvOptions& options) {
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
  const char delimiter = options.delimiter;
  std::vector<CsvRow> rows;
  CsvRow row;
  std::string field;
  int line = 1;
  row.line = 1;
  bool in_quotes = false;
  bool after_quote = false;  // a quoted field just closed
  bool field_started = false;
  int quote_line = 0;
  auto end_field = [&] {
    row.fields.push_back(std::move(field));
    field.clear();
    field_started = false;
    after_quote = false;
  };
  auto end_row = [&] {
    end_field();
    rows.push_back(std::move(row));
    row = CsvRow{};
    row.line = line;
  };
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_quotes) {
      if (c == '"') {
        if (i + 1 < text.size() && text[i + 1] == '"') {
          field += '"';
          ++i;
        } else {
          in_quotes = false;
          after_quote = true;
        }
      } else {
        if (c == '\n') ++line;
        field += c;
      }
      continue;
    }
    if (c == delimiter) {
      end_field();
      continue;
    }
    if (c == '\r' || c == '\n') {
      if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
      ++line;
      end_row();
      continue;
    }
    if (after_quote) {
      return absl::InvalidArgumentError(absl::StrCat("line ", line, ": unexpected character after a closing quote"));
    }
    if (c == '"' && !(field_started && options.literal_quotes_inside_fields)) {
      if (field_started) {
        return absl::InvalidArgumentError(absl::StrCat("line ", line, ": a quote in the middle of an unquoted field"));
      }
      in_quotes = true;
      field_started = true;
      row.any_quoted = true;
      quote_line = line;
      continue;
    }
    field += c;
    field_started = true;
  }
  if (in_quotes) {
    return absl::InvalidArgumentError(absl::StrCat("line ", quote_line, ": quoted field is never closed"));
  }
  if (field_started || !row.fields.empty()) end_row();
  return rows;
}

std::string CsvField(absl::string_view value) {
  if (value.find_first_of(",\"\r\n") == absl::string_view::npos) return std::string(value);
  std::string out = "\"";
  for (char c : value) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

}  // namespace bkk
