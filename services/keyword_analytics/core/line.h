// One budget line as keyword-analytics receives it from budget-data's stream:
// the input of IndexSnapshot::Build.

#ifndef SERVICES_KEYWORD_ANALYTICS_CORE_LINE_H_
#define SERVICES_KEYWORD_ANALYTICS_CORE_LINE_H_

#include <cstdint>
#include <string>

namespace bkk::keywords {

struct Line {
  int64_t line_id = 0;      // Unique within one dataset release.
  int32_t fiscal_year = 0;  // Buddhist era, e.g. 2566.
  std::string agency;
  std::string plan;         // Mission type (the ordinance's middle level).
  std::string name;         // The line name, Thai; what users search.
  std::string description;  // May be empty.
  int64_t amount_baht = 0;
  std::string strategy;     // Empty = unclassified.
  int32_t district_id = 0;  // 0 = not a district office.
};

}  // namespace bkk::keywords

#endif  // SERVICES_KEYWORD_ANALYTICS_CORE_LINE_H_
