// UTF-8 validation and JSON string quoting shared by the services' logs and
// the gateway's error bodies: one decoder, one escaper. (The gateway's
// protobuf-compatible response printer escapes differently on purpose; see
// gateway/core/transcoder.cc.)
#ifndef BKK_SERVICES_COMMON_UTF8_JSON_H_
#define BKK_SERVICES_COMMON_UTF8_JSON_H_

#include <cstddef>
#include <string>

#include "absl/strings/string_view.h"

namespace bkk {

// Length of the valid UTF-8 sequence starting at s[i] (1 for ASCII), or 0
// if it is not valid: strict, no overlongs, surrogates or values above
// U+10FFFF.
size_t Utf8SequenceLength(absl::string_view s, size_t i);

// True when all of `s` is valid UTF-8 by the rule above.
bool IsValidUtf8(absl::string_view s);

// Characters (code points) in UTF-8 text, for length limits people read as
// characters: every byte that does not continue a sequence counts one.
size_t CodePoints(absl::string_view s);

// A JSON string literal, quotes included. Each invalid UTF-8 byte becomes
// U+FFFD, so the output is valid JSON whatever the input was: use it for
// anything that echoes untrusted text (log fields, error messages).
std::string JsonQuote(absl::string_view s);

}  // namespace bkk

#endif  // BKK_SERVICES_COMMON_UTF8_JSON_H_
