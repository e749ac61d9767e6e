// The word cloud's reviewed boilerplate and topical keywords; see cloud_policy.h.
#include "services/keyword_analytics/core/cloud_policy.h"

#include <iterator>

#include "absl/container/flat_hash_set.h"

namespace bkk::keywords {
namespace {

// Read against the FY2566 cloud: words that name administration, not a
// purpose, and that the agency share alone does not catch.
constexpr absl::string_view kReviewed[] = {
    "กรุงเทพมหานคร", "กรุงเทพ", "ทั่วไป", "บริหาร", "ฝ่าย", "สำนักงาน", "อำนวย", "อำนวยการ", "จัด", "ค่าใช้จ่าย",
};

constexpr absl::string_view kTopical[] = {
#include "services/keyword_analytics/core/topical_keywords.inc"
};

}  // namespace

absl::Span<const absl::string_view> ReviewedBoilerplate() { return kReviewed; }
absl::Span<const absl::string_view> TopicalKeywords() { return kTopical; }

bool IsTopicalKeyword(absl::string_view term) {
  static const auto* kSet = new absl::flat_hash_set<absl::string_view>(std::begin(kTopical), std::end(kTopical));
  return kSet->contains(term);
}

}  // namespace bkk::keywords
