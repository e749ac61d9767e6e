// Small text helpers the gateway needs everywhere: percent-decoding,
// message quoting and HTML escaping (UTF-8 validation and JSON quoting come
// from common/utf8_json.h).
#ifndef BKK_GATEWAY_CORE_TEXT_H_
#define BKK_GATEWAY_CORE_TEXT_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/strings/string_view.h"
#include "common/stable_hash.h"
#include "common/utf8_json.h"

namespace bkk::gateway {

bool AsciiEqualsIgnoreCase(absl::string_view a, absl::string_view b);
std::string AsciiLower(absl::string_view s);

// Decodes %XX escapes (and '+' as space when `plus_as_space`, for query
// strings). nullopt on a malformed escape.
std::optional<std::string> PercentDecode(absl::string_view s, bool plus_as_space);

// UTF-8 validation and JSON quoting are shared with the services' logs.
using ::bkk::IsValidUtf8;
using ::bkk::JsonQuote;
using ::bkk::StableHash64;  // ETags: the same in every replica and run

// `s` quoted for an error message, shortened to `max_bytes` (on a UTF-8
// boundary) with an ellipsis, so echoing hostile input stays small.
std::string QuoteForMessage(absl::string_view s, size_t max_bytes = 64);

// Escapes &<>"' for HTML text and attribute values.
std::string HtmlEscape(absl::string_view s);

}  // namespace bkk::gateway

#endif  // BKK_GATEWAY_CORE_TEXT_H_
