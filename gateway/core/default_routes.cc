// The gateway's route table options; see default_routes.h.
#include "gateway/core/default_routes.h"

#include "absl/strings/str_cat.h"
#include "bkkbudget/budget/v1/budget.pb.h"
#include "bkkbudget/keywords/v1/keywords.pb.h"
#include "bkkbudget/voting/v1/voting.pb.h"

namespace bkk::gateway {

RouteTableOptions DefaultRouteTableOptions() {
  // Naming one message of each file links its generated code in, which is
  // what registers the services' descriptors in the generated pool.
  (void)bkkbudget::budget::v1::GetReleaseRequest::descriptor();
  (void)bkkbudget::keywords::v1::GetIndexStatusRequest::descriptor();
  (void)bkkbudget::voting::v1::GetRoundRequest::descriptor();
  RouteTableOptions options;
  options.services = {kBudgetService, kKeywordService, kVotingService};
  const std::string stream_lines = absl::StrCat(kBudgetService, ".StreamLines");
  // category: the expense category where the source states one (the FY2565
  // district books); source_document + source_page: the PDF page.
  options.csv_methods.push_back(
      {stream_lines, CsvFormat{"lines",
                               {"line_id", "fiscal_year", "agency", "mission_type", "name", "category", "amount_baht",
                                "strategy_id", "district_id", "source_document", "source_page"},
                               "bkk-budget-lines.csv"}});
  // Budget answers change only with a release; tallies are reused briefly so
  // a crowd refreshing the page costs voting one read per TTL.
  options.cache_policies = {{kBudgetService, CachePolicy::kRelease},
                            {kKeywordService, CachePolicy::kRelease},
                            {absl::StrCat(kVotingService, ".GetTopProposals"), CachePolicy::kTtl},
                            {absl::StrCat(kVotingService, ".GetTurnout"), CachePolicy::kTtl},
                            // The day results are published: one computation per TTL, not per reader.
                            {absl::StrCat(kVotingService, ".ComputeOutcome"), CachePolicy::kTtl},
                            {absl::StrCat(kVotingService, ".ListProjects"), CachePolicy::kTtl},
                            {absl::StrCat(kVotingService, ".GetProject"), CachePolicy::kTtl}};
  // The console's session lives in an HttpOnly cookie the scripts never see.
  options.session_methods = {{absl::StrCat(kVotingService, ".SignIn"), SessionEffect::kSignIn},
                             {absl::StrCat(kVotingService, ".SignOut"), SessionEffect::kSignOut}};
  // Journalists' spelling: /v1/export/lines.csv?fiscal_year=2566&agency=…
  options.extra_routes.push_back({stream_lines, "GET", "/v1/export/lines.csv", "filter", std::nullopt});
  // A district's official result as a spreadsheet: the outcome's rows.
  options.extra_routes.push_back(
      {absl::StrCat(kVotingService, ".ComputeOutcome"), "GET",
       "/v1/rounds/{round_id}/districts/{district_id}/results.csv", "",
       CsvFormat{
           "projects", {"proposal_id", "title", "cost_baht", "support", "funded", "explanation"}, "bkk-results.csv"}});
  return options;
}

}  // namespace bkk::gateway
