// Minimal RFC 4180 reader and the ordinance-to-Line mapping for tests.

#include "services/keyword_analytics/core/testing/ordinance_csv.h"

#include <fstream>
#include <sstream>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace bkk::keywords::testing {

absl::StatusOr<std::vector<std::vector<std::string>>> ParseCsv(
    absl::string_view content) {
  std::vector<std::vector<std::string>> records;
  std::vector<std::string> record;
  std::string field;
  bool in_quotes = false;
  bool field_was_quoted = false;
  bool record_has_content = false;
  int line_number = 1;

  auto end_field = [&] {
    record.push_back(std::move(field));
    field.clear();
    field_was_quoted = false;
  };
  auto end_record = [&] {
    end_field();
    records.push_back(std::move(record));
    record.clear();
    record_has_content = false;
  };

  for (size_t i = 0; i < content.size(); ++i) {
    const char c = content[i];
    if (in_quotes) {
      if (c == '"') {
        if (i + 1 < content.size() && content[i + 1] == '"') {
          field.push_back('"');
          ++i;
        } else {
          in_quotes = false;
        }
      } else {
        if (c == '\n') ++line_number;
        field.push_back(c);
      }
      continue;
    }
    switch (c) {
      case '"':
        if (!field.empty() || field_was_quoted) {
          return absl::InvalidArgumentError(absl::StrCat(
              "line ", line_number, ": quote inside an unquoted field"));
        }
        in_quotes = true;
        field_was_quoted = true;
        record_has_content = true;
        break;
      case ',':
        end_field();
        record_has_content = true;
        break;
      case '\r':
        if (i + 1 < content.size() && content[i + 1] == '\n') break;
        [[fallthrough]];
      case '\n':
        ++line_number;
        end_record();
        break;
      default:
        if (field_was_quoted) {
          return absl::InvalidArgumentError(absl::StrCat(
              "line ", line_number, ": text after a closing quote"));
        }
        field.push_back(c);
        record_has_content = true;
    }
  }
  if (in_quotes) {
    return absl::InvalidArgumentError("unterminated quoted field at end");
  }
  if (record_has_content || !field.empty() || !record.empty()) end_record();
  return records;
}

absl::StatusOr<std::vector<Line>> LoadOrdinanceLines(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) return absl::NotFoundError(absl::StrCat("cannot open ", path));
  std::stringstream buffer;
  buffer << file.rdbuf();
  absl::StatusOr<std::vector<std::vector<std::string>>> records =
      ParseCsv(buffer.str());
  if (!records.ok()) return records.status();
  const std::vector<std::string> kExpectedHeader = {
      "fiscal_year", "agency",      "plan",       "output_or_project",
      "category",    "amount_baht", "source_page"};
  if (records->empty() || (*records)[0] != kExpectedHeader) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": unexpected header"));
  }
  std::vector<Line> lines;
  for (size_t row = 1; row < records->size(); ++row) {
    const std::vector<std::string>& fields = (*records)[row];
    if (fields.size() != kExpectedHeader.size()) {
      return absl::InvalidArgumentError(
          absl::StrCat(path, " row ", row, ": ", fields.size(),
                       " fields, expected ", kExpectedHeader.size()));
    }
    Line line;
    line.line_id = static_cast<int64_t>(row);
    if (!absl::SimpleAtoi(fields[0], &line.fiscal_year) ||
        !absl::SimpleAtoi(fields[5], &line.amount_baht)) {
      return absl::InvalidArgumentError(
          absl::StrCat(path, " row ", row, ": bad year or amount"));
    }
    line.agency = fields[1];
    line.plan = fields[2];
    line.name = fields[3];
    lines.push_back(std::move(line));
  }
  return lines;
}

}  // namespace bkk::keywords::testing
