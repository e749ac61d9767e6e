// Share pages: small HTML pages whose OpenGraph / Twitter meta give link
// previews their title, description and image, and which send people on to
// the web app: a proposal's (`/p/{proposal_id}` -> `/#/proposals/{id}`) and
// a district's published result (`/r/{round}/{district}` -> `/#/results/…`),
// whose preview names the winners.
// Every value is HTML-escaped; nothing runs inline (the CSP forbids it).
#ifndef BKK_GATEWAY_CORE_SHARE_PAGE_H_
#define BKK_GATEWAY_CORE_SHARE_PAGE_H_

#include <string>

#include "absl/strings/string_view.h"
#include "bkkbudget/voting/v1/voting.pb.h"

namespace bkk::gateway {

// `base_url` is the public origin ("https://budget.example.org"), used for
// og:url and og:image, which must be absolute.
std::string RenderSharePage(const bkkbudget::voting::v1::GetProposalResponse& response, absl::string_view base_url,
                            absl::string_view image_path);

// `response` is the district's official outcome (funded projects first).
std::string RenderResultsSharePage(const bkkbudget::voting::v1::ComputeOutcomeResponse& response, int64_t round_id,
                                   int32_t district_id, absl::string_view base_url, absl::string_view image_path);

}  // namespace bkk::gateway

#endif  // BKK_GATEWAY_CORE_SHARE_PAGE_H_
