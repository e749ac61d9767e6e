// The reader's language, for texts a service writes itself (notes, sources,
// outcome summaries). Stable error codes travel separately (error_reason.h);
// the web app words those. The gateway negotiates Accept-Language and sends
// the result as the "accept-language" metadata of every call ("th" or "en").
#ifndef BKK_COMMON_LANGUAGE_H_
#define BKK_COMMON_LANGUAGE_H_

#include <string>

#include "absl/strings/string_view.h"

namespace bkk {

// Thai first: a request that names no language is answered in Thai.
enum class Language { kThai, kEnglish };

inline constexpr char kLanguageMetadata[] = "accept-language";

// "en" (or "en-…") is English; anything else, including nothing, is Thai.
inline Language LanguageNamed(absl::string_view tag) {
  return tag.substr(0, 2) == "en" ? Language::kEnglish : Language::kThai;
}

// One text in both languages; In() picks the reader's. Use it where a core
// writes a sentence, so the boundary, not the core, knows the request.
struct LocalizedText {
  std::string th;
  std::string en;
  const std::string& In(Language language) const { return language == Language::kEnglish ? en : th; }
};

}  // namespace bkk

#endif  // BKK_COMMON_LANGUAGE_H_
