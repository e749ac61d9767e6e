// What the gateway serves: the three services whose `google.api.http` rules
// become routes, the CSV form of BudgetService.StreamLines, the
// /v1/export/lines.csv alias for it, and which answers may be cached. The
// one table of per-method decisions: the request path names no method. Kept apart from the request handling
// so the fuzzer can build the real route table with the core alone.
#ifndef BKK_GATEWAY_CORE_DEFAULT_ROUTES_H_
#define BKK_GATEWAY_CORE_DEFAULT_ROUTES_H_

#include "gateway/core/route_table.h"

namespace bkk::gateway {

inline constexpr char kBudgetService[] = "bkkbudget.budget.v1.BudgetService";
inline constexpr char kKeywordService[] = "bkkbudget.keywords.v1.KeywordService";
inline constexpr char kVotingService[] = "bkkbudget.voting.v1.VotingService";

// Also links the three services' generated code in, so their descriptors
// are in the generated pool whoever calls this.
RouteTableOptions DefaultRouteTableOptions();

}  // namespace bkk::gateway

#endif  // BKK_GATEWAY_CORE_DEFAULT_ROUTES_H_
