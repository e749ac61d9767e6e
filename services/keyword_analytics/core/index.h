// The in-memory keyword index over budget lines: an immutable IndexSnapshot
// per dataset release (top keywords, search, suggestions, segmentation) and
// the SnapshotHolder that swaps releases without readers noticing.

#ifndef SERVICES_KEYWORD_ANALYTICS_CORE_INDEX_H_
#define SERVICES_KEYWORD_ANALYTICS_CORE_INDEX_H_

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "common/line_filter.h"
#include "common/published.h"
#include "services/keyword_analytics/core/cloud_policy.h"
#include "services/keyword_analytics/core/line.h"
#include "services/keyword_analytics/core/segmenter.h"

namespace bkk::keywords {

// The API's limits, as keywords.proto documents them. Checked here, and only
// here, so the gRPC adapter and every other caller agree.
inline constexpr int kDefaultKeywordLimit = 50;
inline constexpr int kMaxKeywordLimit = 500;
inline constexpr int kDefaultSuggestLimit = 10;
inline constexpr int kMaxSuggestLimit = 50;
inline constexpr int kDefaultPageSize = 20;
inline constexpr int kMaxPageSize = 200;
inline constexpr size_t kMaxQueryBytes = 1000;
inline constexpr size_t kMaxPrefixBytes = 200;

// Restricts a query to some lines (the shared budget-line filter; zero and
// empty fields mean "any"; name_contains is not used here).
using Filter = ::bkk::LineFilter;

struct KeywordStat {
  std::string term;
  int64_t line_count = 0;         // Lines that contain the term.
  int64_t amount_baht_total = 0;  // Sum of those lines' amounts.
  bool topical = false;           // A published topical list names it.
};

enum class SortOrder { kRelevance, kAmountDesc, kAmountAsc };

struct SearchRequest {
  std::string query;
  Filter filter;
  SortOrder sort = SortOrder::kRelevance;
  int32_t page_size = 0;   // 1..kMaxPageSize; 0 = kDefaultPageSize.
  std::string page_token;  // Empty = first page.
};

// A highlighted range of the line name, in UTF-16 code units.
struct Highlight {
  int32_t begin_utf16 = 0;
  int32_t end_utf16 = 0;
};

struct SearchHit {
  int32_t ordinal = 0;  // Position of the line in the vector it was built from.
  int64_t line_id = 0;
  std::string name;
  int64_t amount_baht = 0;
  int32_t fiscal_year = 0;
  std::string agency;
  std::string plan;
  std::string strategy;
  int32_t district_id = 0;
  // Occurrences of the query terms in the name (the relevance score).
  int32_t relevance = 0;
  // Sorted; overlapping ranges (a compound and its component) are merged.
  std::vector<Highlight> highlights;
};

struct SearchPage {
  std::vector<SearchHit> hits;
  int64_t total_count = 0;        // All matches, not just this page.
  int64_t total_amount_baht = 0;  // Sum over all matches.
  std::string next_page_token;    // Empty on the last page.
};

struct IndexStatus {
  std::string release_version;
  int64_t line_count = 0;
  int64_t term_count = 0;
  int64_t build_duration_ms = 0;
  int64_t approximate_memory_bytes = 0;
};

// An immutable inverted index over line names and descriptions. All methods
// are const and thread-safe. "Line L contains term T" means T is in
// Segmenter::Terms(L.name, L.description); every count here follows it.
class IndexSnapshot final {
 public:
  // Builds the index; time it to benchmark index building. Fails with
  // INVALID_ARGUMENT for an empty release version, duplicate line ids or
  // more than 2^31-1 lines.
  static absl::StatusOr<std::shared_ptr<const IndexSnapshot>> Build(const std::vector<Line>& lines,
                                                                    std::string release_version,
                                                                    std::shared_ptr<const Segmenter> segmenter);

  IndexSnapshot(const IndexSnapshot&) = delete;
  IndexSnapshot& operator=(const IndexSnapshot&) = delete;

  // Most frequent keywords among the lines passing `filter`, by line count
  // desc, amount desc, term asc. Stop words, words that only name the kind
  // of line, numbers and single characters are not keywords (see
  // Segmenter::IsKeywordCandidate). `limit`: 1..kMaxKeywordLimit, 0 for
  // kDefaultKeywordLimit.
  absl::StatusOr<std::vector<KeywordStat>> TopKeywords(const Filter& filter, int limit) const;

  // Lines containing every searchable word of the query, one page at a
  // time. INVALID_ARGUMENT names the offending field (query, page_size,
  // page_token). No match is OK with an empty page.
  absl::StatusOr<SearchPage> Search(const SearchRequest& request) const;

  // Terms starting with the normalised prefix, by line count desc then term.
  absl::StatusOr<std::vector<KeywordStat>> Suggest(absl::string_view prefix, int limit) const;

  // The Segment RPC: the segmenter this index was built with.
  absl::StatusOr<std::vector<Token>> Segment(absl::string_view text) const;

  IndexStatus Status() const;
  // The words the cloud hides (cloud_policy.h), most lines first, and the
  // number of agencies the share is of.
  const std::vector<HiddenKeyword>& hidden_keywords() const { return hidden_; }
  int32_t agency_count() const { return agency_count_; }
  // Lines that pass `filter` (the word cloud's denominator).
  int64_t CountLines(const Filter& filter) const;

  const std::string& release_version() const { return release_version_; }
  int64_t line_count() const { return static_cast<int64_t>(amounts_.size()); }
  const Segmenter& segmenter() const { return *segmenter_; }

 private:
  enum Facet { kYear, kAgency, kPlan, kStrategy, kDistrict, kFacetCount };

  // A keyword with its counts; `term` is a term id. Term ids follow byte
  // order of the terms, so "term asc" is "id asc".
  struct RankedKeyword {
    int32_t term = 0;
    int32_t line_count = 0;
    int64_t amount_baht = 0;
  };

  struct FacetValue {
    std::vector<int32_t> lines;      // Ordinals, ascending.
    std::vector<RankedKeyword> top;  // Best kMaxKeywordLimit keywords.
  };

  // A term occurrence in a line name. 16-bit offsets keep this 8 bytes; the
  // build drops occurrences ending past 65,535 UTF-16 units (no real budget
  // line name comes near that).
  struct NameOccurrence {
    int32_t term = 0;
    uint16_t begin_utf16 = 0;
    uint16_t length_utf16 = 0;
  };

  // Strings stored back to back; entry i is bytes[offsets[i], offsets[i+1]).
  struct StringArena {
    std::string bytes;
    std::vector<uint64_t> offsets = {0};

    void Add(absl::string_view text) {
      bytes.append(text.data(), text.size());
      offsets.push_back(bytes.size());
    }
    absl::string_view Get(size_t i) const {
      return absl::string_view(bytes).substr(offsets[i], offsets[i + 1] - offsets[i]);
    }
    size_t size() const { return offsets.size() - 1; }
  };

  // Agency, plan and strategy repeat across thousands of lines: each line
  // stores a small id instead of a string.
  struct StringPool {
    std::vector<std::string> values;
    absl::flat_hash_map<std::string, int32_t> ids;

    int32_t Intern(const std::string& value);
    int32_t Find(const std::string& value) const;  // -1 when absent.
  };

  // A Filter with strings replaced by ids; facet values are -1 when "any".
  struct ResolvedFilter {
    bool matches_nothing = false;
    std::array<int32_t, kFacetCount> values;
    int set_count = 0;
  };

  IndexSnapshot() = default;

  ResolvedFilter Resolve(const Filter& filter) const;
  int32_t FacetValueOf(Facet facet, int32_t ordinal) const;
  bool Passes(const ResolvedFilter& filter, int32_t ordinal) const;
  // Ordinals passing the filter, ascending.
  std::vector<int32_t> Filtered(const ResolvedFilter& filter) const;
  int32_t FindTerm(absl::string_view term) const;  // -1 when absent.
  KeywordStat ToStat(const RankedKeyword& keyword) const;
  std::vector<RankedKeyword> ScanTopKeywords(const ResolvedFilter& filter, int limit) const;
  void HideBoilerplate();
  void BuildKeywordRankings();
  int64_t ComputeMemoryBytes() const;

  std::string release_version_;
  std::shared_ptr<const Segmenter> segmenter_;
  absl::Duration build_duration_;
  int64_t memory_bytes_ = 0;

  // Lines, column by column; index = ordinal.
  std::vector<int64_t> line_ids_;
  std::vector<int64_t> amounts_;
  std::vector<int32_t> fiscal_years_;
  std::vector<int32_t> district_ids_;
  std::vector<int32_t> agency_ids_;
  std::vector<HiddenKeyword> hidden_;
  int32_t agency_count_ = 0;
  std::vector<int32_t> plan_ids_;
  std::vector<int32_t> strategy_ids_;
  StringPool agencies_;
  StringPool plans_;
  StringPool strategies_;
  StringArena names_;

  // Terms in byte order; a term id is its position.
  StringArena terms_;
  std::vector<int64_t> term_amounts_;  // Sum over lines containing it.
  std::vector<uint8_t> is_keyword_;    // Segmenter::IsKeywordCandidate.

  // Inverted index: term -> ascending ordinals.
  std::vector<uint64_t> posting_offsets_;
  std::vector<int32_t> postings_;
  // Parallel to postings_: occurrences of the term in the line's name
  // (saturating at 255), so relevance needs no second look at the line.
  std::vector<uint8_t> posting_name_counts_;
  // Forward index: ordinal -> its distinct term ids (name + description),
  // for keyword counts under combined filters.
  std::vector<uint64_t> line_term_offsets_;
  std::vector<int32_t> line_terms_;
  // Ordinal -> term occurrences in the name, for highlights and relevance.
  std::vector<uint64_t> occurrence_offsets_;
  std::vector<NameOccurrence> occurrences_;

  // Precomputed keyword rankings; see BuildKeywordRankings for why.
  std::vector<RankedKeyword> top_keywords_;
  std::array<absl::flat_hash_map<int32_t, FacetValue>, kFacetCount> facets_;
};

// The current snapshot. Readers keep the one they took even while a newer
// one is published, so no reader ever sees half an index; the old snapshot
// is freed when its last reader lets go.
using SnapshotHolder = Published<IndexSnapshot>;

}  // namespace bkk::keywords

#endif  // SERVICES_KEYWORD_ANALYTICS_CORE_INDEX_H_
