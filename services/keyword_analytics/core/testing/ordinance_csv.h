// Test helper: reads the FY2566 ordinance CSV
// (fiscal_year,agency,plan,output_or_project,category,amount_baht,source_page)
// into keyword-analytics Lines, so the index tests run on real data.

#ifndef SERVICES_KEYWORD_ANALYTICS_CORE_TESTING_ORDINANCE_CSV_H_
#define SERVICES_KEYWORD_ANALYTICS_CORE_TESTING_ORDINANCE_CSV_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "services/keyword_analytics/core/line.h"
#include "services/keyword_analytics/core/segmenter.h"

namespace bkk::keywords::testing {

// One Line per data row: line_id = 1-based row number, name =
// output_or_project, description/strategy empty, district_id 0.
absl::StatusOr<std::vector<Line>> LoadOrdinanceLines(const std::string& path);

// A segmenter for tests; records a test failure (and returns null) if ICU
// has no Thai dictionary.
std::shared_ptr<const Segmenter> NewSegmenter();

}  // namespace bkk::keywords::testing

#endif  // SERVICES_KEYWORD_ANALYTICS_CORE_TESTING_ORDINANCE_CSV_H_
