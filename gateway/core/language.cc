// Accept-Language negotiation; see language.h.
#include "gateway/core/language.h"

#include <algorithm>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace bkk::gateway {
namespace {

// The q of one "tag;q=0.8" part; 1 without q, -1 when unreadable.
double QualityOf(absl::string_view params) {
  double q = 1.0;
  for (absl::string_view param : absl::StrSplit(params, ';', absl::SkipEmpty())) {
    param = absl::StripAsciiWhitespace(param);
    if (!absl::ConsumePrefix(&param, "q=") && !absl::ConsumePrefix(&param, "Q=")) continue;
    if (!absl::SimpleAtod(param, &q) || q < 0 || q > 1) return -1;
  }
  return q;
}

}  // namespace

Language NegotiateLanguage(absl::string_view accept_language) {
  double thai = -1, english = -1;
  for (absl::string_view part : absl::StrSplit(accept_language, ',', absl::SkipEmpty())) {
    const auto semicolon = part.find(';');
    const std::string tag = absl::AsciiStrToLower(absl::StripAsciiWhitespace(part.substr(0, semicolon)));
    const double q = semicolon == absl::string_view::npos ? 1.0 : QualityOf(part.substr(semicolon + 1));
    const auto primary = absl::string_view(tag).substr(0, tag.find('-'));
    if (primary == "th" || primary == "*") thai = std::max(thai, q);
    if (primary == "en" || primary == "*") english = std::max(english, q);
  }
  return english > 0 && english > thai ? Language::kEnglish : Language::kThai;
}

absl::string_view LanguageTag(Language language) { return language == Language::kEnglish ? "en" : "th"; }

}  // namespace bkk::gateway
