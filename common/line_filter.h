// The filter every budget-line query takes: budget-data's line lists and
// breakdowns, keyword-analytics' word cloud and search. Both APIs' filter
// messages (budget.v1.LineFilter, keywords.v1.KeywordFilter) carry these
// fields under these names, and both services read "unclassified" the same
// way, so the mapping from the protos and that rule live here, once.
#ifndef BKK_COMMON_LINE_FILTER_H_
#define BKK_COMMON_LINE_FILTER_H_

#include <cstdint>
#include <string>
#include <type_traits>

#include "absl/strings/string_view.h"

namespace bkk {

// The strategy id that selects lines no source classifies.
inline constexpr char kUnclassified[] = "unclassified";

struct LineFilter {
  int32_t fiscal_year = 0;    // 0: any
  std::string agency;         // "": any
  std::string mission_type;   // "": any
  std::string strategy_id;    // "s1".., kUnclassified, or "": any
  int32_t district_id = 0;    // 0: any
  std::string name_contains;  // budget-data: case-insensitive substring of the name

  // Whether a line whose strategy is `line_strategy` ("" when unclassified)
  // passes the strategy part of the filter.
  bool StrategyMatches(absl::string_view line_strategy) const {
    if (strategy_id.empty()) return true;
    if (strategy_id == kUnclassified) return line_strategy.empty() || line_strategy == kUnclassified;
    return line_strategy == strategy_id;
  }
};

namespace internal {
template <typename Proto, typename = void>
struct HasNameContains : std::false_type {};
template <typename Proto>
struct HasNameContains<Proto, std::void_t<decltype(std::declval<const Proto&>().name_contains())>> : std::true_type {};
}  // namespace internal

// From either API's filter message.
template <typename Proto>
LineFilter LineFilterFromProto(const Proto& f) {
  LineFilter out;
  out.fiscal_year = f.fiscal_year();
  out.agency = f.agency();
  out.mission_type = f.mission_type();
  out.strategy_id = f.strategy_id();
  out.district_id = f.district_id();
  if constexpr (internal::HasNameContains<Proto>::value) out.name_contains = f.name_contains();
  return out;
}

}  // namespace bkk

#endif  // BKK_COMMON_LINE_FILTER_H_
