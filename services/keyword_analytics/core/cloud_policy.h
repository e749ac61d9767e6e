// Which keywords the word cloud hides, and why. The budget's most frequent
// words are its boilerplate (กรุงเทพมหานคร, ทั่วไป, บริหาร, ฝ่าย): they are
// in nearly every agency's lines and say nothing about where money goes.
// Two rules, both shown on the page:
//   - derived: a word in the lines of more than kBoilerplateAgencyShare of
//     the agencies is boilerplate, unless a published topical list names it
//     (WeVis's curated keywords, data/keywords/wevis-v3-main-keywords.json:
//     ถนน and คลอง are in every district office's lines and are the point);
//   - reviewed: a short list read by people, for what the share misses.
// Search is not affected: hidden words are still found.
#ifndef SERVICES_KEYWORD_ANALYTICS_CORE_CLOUD_POLICY_H_
#define SERVICES_KEYWORD_ANALYTICS_CORE_CLOUD_POLICY_H_

#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"
#include "absl/types/span.h"

namespace bkk::keywords {

// More than 90% of the agencies: stated on the page with the count. Lower
// shares hide the city's real topics: the 50 district offices are 50 of the
// FY2566 ordinance's 74 budget units and share their work items, so ขยะ,
// น้ำท่วม and ผู้สูงอายุ are in the lines of over two thirds of the agencies.
inline constexpr double kBoilerplateAgencyShare = 0.9;

enum class HiddenReason { kBoilerplate, kReviewed };

struct HiddenKeyword {
  std::string term;
  HiddenReason reason = HiddenReason::kBoilerplate;
  int32_t agency_count = 0;  // agencies with the word in their lines
  int32_t line_count = 0;
};

// Reviewed boilerplate, normalised as the segmenter normalises terms.
absl::Span<const absl::string_view> ReviewedBoilerplate();

// The published topical keywords (generated at build time from
// data/keywords/wevis-v3-main-keywords.json).
absl::Span<const absl::string_view> TopicalKeywords();

// True when the topical list names `term` (normalised).
bool IsTopicalKeyword(absl::string_view term);

}  // namespace bkk::keywords

#endif  // SERVICES_KEYWORD_ANALYTICS_CORE_CLOUD_POLICY_H_
