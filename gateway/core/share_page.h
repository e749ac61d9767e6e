// The share page of a proposal (`/p/{proposal_id}`): a small HTML page whose
// OpenGraph / Twitter meta give link previews their title, description and
// image, and which sends people on to the web app (`/#/proposals/{id}`).
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

}  // namespace bkk::gateway

#endif  // BKK_GATEWAY_CORE_SHARE_PAGE_H_
