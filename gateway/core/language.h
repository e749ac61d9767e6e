// Accept-Language -> the one language a call is answered in. The site speaks
// Thai and English; Thai is the default (a Thai public service), so a header
// that names neither, or names them no better than other languages, is Thai.
// The result goes to the backend as "accept-language" metadata and keys the
// response cache, so each language is its own cached answer.
#ifndef BKK_GATEWAY_CORE_LANGUAGE_H_
#define BKK_GATEWAY_CORE_LANGUAGE_H_

#include "absl/strings/string_view.h"
#include "common/language.h"

namespace bkk::gateway {

// RFC 9110 §12.5.4: the highest q among "th"/"th-*" and "en"/"en-*" wins;
// "*" counts for both; ties and malformed parts go to Thai.
Language NegotiateLanguage(absl::string_view accept_language);

// "th" or "en", for metadata and Content-Language.
absl::string_view LanguageTag(Language language);

}  // namespace bkk::gateway

#endif  // BKK_GATEWAY_CORE_LANGUAGE_H_
