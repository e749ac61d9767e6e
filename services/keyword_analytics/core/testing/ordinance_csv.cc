// The ordinance CSV as keyword Lines, for tests (parsed by the project's
// one CSV reader, common/csv.h).

#include "services/keyword_analytics/core/testing/ordinance_csv.h"

#include <fstream>
#include <sstream>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/csv.h"
#include "gtest/gtest.h"

namespace bkk::keywords::testing {

absl::StatusOr<std::vector<Line>> LoadOrdinanceLines(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) return absl::NotFoundError(absl::StrCat("cannot open ", path));
  std::stringstream buffer;
  buffer << file.rdbuf();
  absl::StatusOr<std::vector<bkk::CsvRow>> rows = bkk::ParseCsv(buffer.str());
  if (!rows.ok()) return rows.status();
  std::vector<std::vector<std::string>> storage;
  for (auto& r : *rows) storage.push_back(std::move(r.fields));
  const auto* records = &storage;
  const std::vector<std::string> kExpectedHeader = {"fiscal_year", "agency",      "plan",       "output_or_project",
                                                    "category",    "amount_baht", "source_page"};
  if (records->empty() || (*records)[0] != kExpectedHeader) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": unexpected header"));
  }
  std::vector<Line> lines;
  for (size_t row = 1; row < records->size(); ++row) {
    const std::vector<std::string>& fields = (*records)[row];
    if (fields.size() != kExpectedHeader.size()) {
      return absl::InvalidArgumentError(
          absl::StrCat(path, " row ", row, ": ", fields.size(), " fields, expected ", kExpectedHeader.size()));
    }
    Line line;
    line.line_id = static_cast<int64_t>(row);
    if (!absl::SimpleAtoi(fields[0], &line.fiscal_year) || !absl::SimpleAtoi(fields[5], &line.amount_baht)) {
      return absl::InvalidArgumentError(absl::StrCat(path, " row ", row, ": bad year or amount"));
    }
    line.agency = fields[1];
    line.plan = fields[2];
    line.name = fields[3];
    lines.push_back(std::move(line));
  }
  return lines;
}

std::shared_ptr<const Segmenter> NewSegmenter() {
  absl::StatusOr<std::shared_ptr<const Segmenter>> segmenter = Segmenter::Create();
  EXPECT_TRUE(segmenter.ok()) << segmenter.status();
  return segmenter.ok() ? *segmenter : nullptr;
}

}  // namespace bkk::keywords::testing
