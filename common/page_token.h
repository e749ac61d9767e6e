// The one page-token scheme of every paginated API: the token is opaque to
// clients (URL-safe base64 of "p1|field|field|…") and checked on the way
// back in. Callers put in what the next page needs (an offset or the last
// sort key) and what it must match (the dataset release, a fingerprint of
// the query, filter and sort), and compare those themselves, so each can say
// precisely why a token no longer fits. Fields must not contain '|'.
#ifndef BKK_COMMON_PAGE_TOKEN_H_
#define BKK_COMMON_PAGE_TOKEN_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace bkk {

std::string EncodePageToken(const std::vector<std::string>& fields);

// The fields of a token made by EncodePageToken with `field_count` fields;
// INVALID_ARGUMENT (saying to pass next_page_token back unchanged) otherwise.
absl::StatusOr<std::vector<std::string>> DecodePageToken(absl::string_view token, size_t field_count);

// The answer for a token whose fields do not parse as the caller expects.
absl::Status MalformedPageToken();

}  // namespace bkk

#endif  // BKK_COMMON_PAGE_TOKEN_H_
