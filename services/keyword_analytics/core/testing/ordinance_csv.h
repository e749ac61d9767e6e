// Test helper: reads the FY2566 ordinance CSV
// (fiscal_year,agency,plan,output_or_project,category,amount_baht,source_page)
// into keyword-analytics Lines, so the index tests run on real data.

#ifndef SERVICES_KEYWORD_ANALYTICS_CORE_TESTING_ORDINANCE_CSV_H_
#define SERVICES_KEYWORD_ANALYTICS_CORE_TESTING_ORDINANCE_CSV_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "services/keyword_analytics/core/line.h"

namespace bkk::keywords::testing {

// One Line per data row: line_id = 1-based row number, name =
// output_or_project, description/strategy empty, district_id 0.
absl::StatusOr<std::vector<Line>> LoadOrdinanceLines(const std::string& path);

}  // namespace bkk::keywords::testing

#endif  // SERVICES_KEYWORD_ANALYTICS_CORE_TESTING_ORDINANCE_CSV_H_
