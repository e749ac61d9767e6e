// Building and querying IndexSnapshot; SnapshotHolder.

#include "services/keyword_analytics/core/index.h"

#include <algorithm>
#include <cstring>
#include <deque>
#include <limits>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/error_reason.h"
#include "common/page_token.h"
#include "common/stable_hash.h"
#include "common/status_macros.h"

namespace bkk::keywords {
namespace {

constexpr uint32_t kMaxOccurrenceEnd = std::numeric_limits<uint16_t>::max();

// Ranking of keyword lists: line count desc, amount desc, term asc.
template <typename Keyword>
bool RanksBefore(const Keyword& a, const Keyword& b) {
  if (a.line_count != b.line_count) return a.line_count > b.line_count;
  if (a.amount_baht != b.amount_baht) return a.amount_baht > b.amount_baht;
  return a.term < b.term;
}

// Keeps the best `limit` keywords of `keywords`, ranked.
template <typename Keyword>
void KeepBest(std::vector<Keyword>& keywords, size_t limit) {
  auto by_rank = [](const Keyword& a, const Keyword& b) { return RanksBefore(a, b); };
  if (keywords.size() > limit) {
    std::partial_sort(keywords.begin(), keywords.begin() + limit, keywords.end(), by_rank);
    keywords.resize(limit);
  } else {
    std::sort(keywords.begin(), keywords.end(), by_rank);
  }
}

// One search match with its sort key.
struct Match {
  int32_t ordinal;
  int32_t relevance;
  int64_t amount_baht;
  int64_t line_id;
};

// Strict order of search results. line_id is unique (Build checks), so this
// is a total order and keyset pagination never skips or repeats a line.
bool SortsBefore(SortOrder sort, const Match& a, const Match& b) {
  switch (sort) {
    case SortOrder::kRelevance:
      if (a.relevance != b.relevance) return a.relevance > b.relevance;
      if (a.amount_baht != b.amount_baht) return a.amount_baht > b.amount_baht;
      break;
    case SortOrder::kAmountDesc:
      if (a.amount_baht != b.amount_baht) return a.amount_baht > b.amount_baht;
      break;
    case SortOrder::kAmountAsc:
      if (a.amount_baht != b.amount_baht) return a.amount_baht < b.amount_baht;
      break;
  }
  return a.line_id < b.line_id;
}

// Page tokens are the sort key of the last line returned (keyset
// pagination), so a page walk stays correct even if a new snapshot is
// published between pages. A fingerprint of query, filter and sort makes a
// token from another search fail loudly instead of returning odd pages.
uint64_t SearchFingerprint(const std::vector<std::string>& sorted_terms, const Filter& filter, SortOrder sort) {
  StableHasher hasher;
  hasher.Add(static_cast<int64_t>(sorted_terms.size()));
  for (const std::string& term : sorted_terms) hasher.Add(term);
  hasher.Add(filter.fiscal_year);
  hasher.Add(filter.agency);
  hasher.Add(filter.mission_type);
  hasher.Add(filter.strategy_id);
  hasher.Add(filter.district_id);
  hasher.Add(static_cast<int64_t>(sort));
  return hasher.hash();
}

std::string EncodeSearchPageToken(uint64_t fingerprint, const Match& last) {
  return EncodePageToken({absl::StrCat(fingerprint), absl::StrCat(last.relevance), absl::StrCat(last.amount_baht),
                          absl::StrCat(last.line_id)});
}

absl::StatusOr<Match> DecodeSearchPageToken(absl::string_view token, uint64_t fingerprint) {
  ASSIGN_OR_RETURN(std::vector<std::string> fields, DecodePageToken(absl::string_view(token.data(), token.size()), 4));
  uint64_t token_fingerprint = 0;
  Match last;
  last.ordinal = -1;
  if (!absl::SimpleAtoi(fields[0], &token_fingerprint) || !absl::SimpleAtoi(fields[1], &last.relevance) ||
      !absl::SimpleAtoi(fields[2], &last.amount_baht) || !absl::SimpleAtoi(fields[3], &last.line_id)) {
    return MalformedPageToken();
  }
  if (token_fingerprint != fingerprint) {
    return absl::InvalidArgumentError("page_token belongs to a different query, filter or sort order");
  }
  return last;
}

// One query term's posting list with its per-line name occurrence counts.
struct PostingList {
  const int32_t* ordinals;
  const uint8_t* name_counts;
  size_t size;
};

// Lines in every list, ascending, each with its relevance (the sum of the
// name occurrence counts). `lists` must be non-empty, shortest first.
std::vector<Match> Intersect(const std::vector<PostingList>& lists) {
  std::vector<Match> result;
  result.reserve(lists[0].size);
  for (size_t k = 0; k < lists[0].size; ++k) {
    result.push_back(Match{lists[0].ordinals[k], lists[0].name_counts[k], 0, 0});
  }
  for (size_t i = 1; i < lists.size() && !result.empty(); ++i) {
    const int32_t* const begin = lists[i].ordinals;
    const int32_t* const end = begin + lists[i].size;
    const int32_t* cursor = begin;
    size_t kept = 0;
    for (const Match& match : result) {
      cursor = std::lower_bound(cursor, end, match.ordinal);
      if (cursor == end) break;
      if (*cursor == match.ordinal) {
        result[kept] = match;
        result[kept].relevance += lists[i].name_counts[cursor - begin];
        ++kept;
      }
    }
    result.resize(kept);
  }
  return result;
}

template <typename T>
int64_t BytesOf(const std::vector<T>& v) {
  return static_cast<int64_t>(v.capacity() * sizeof(T));
}

}  // namespace

int32_t IndexSnapshot::StringPool::Intern(const std::string& value) {
  const auto [it, inserted] = ids.try_emplace(value, static_cast<int32_t>(values.size()));
  if (inserted) values.push_back(value);
  return it->second;
}

int32_t IndexSnapshot::StringPool::Find(const std::string& value) const {
  const auto it = ids.find(value);
  return it == ids.end() ? -1 : it->second;
}

absl::StatusOr<std::shared_ptr<const IndexSnapshot>> IndexSnapshot::Build(const std::vector<Line>& lines,
                                                                          std::string release_version,
                                                                          std::shared_ptr<const Segmenter> segmenter) {
  const absl::Time start = absl::Now();
  if (release_version.empty()) {
    return absl::InvalidArgumentError("release_version must not be empty");
  }
  if (segmenter == nullptr) {
    return absl::InvalidArgumentError("segmenter must not be null");
  }
  if (lines.size() > static_cast<size_t>(std::numeric_limits<int32_t>::max())) {
    return absl::InvalidArgumentError(absl::StrCat("too many lines for one index: ", lines.size()));
  }
  {
    // Pagination relies on unique line ids (see SortsBefore).
    std::vector<int64_t> ids;
    ids.reserve(lines.size());
    for (const Line& line : lines) ids.push_back(line.line_id);
    std::sort(ids.begin(), ids.end());
    const auto duplicate = std::adjacent_find(ids.begin(), ids.end());
    if (duplicate != ids.end()) {
      return absl::InvalidArgumentError(absl::StrCat("duplicate line_id ", *duplicate));
    }
  }

  std::shared_ptr<IndexSnapshot> index(new IndexSnapshot());
  index->release_version_ = std::move(release_version);
  index->segmenter_ = std::move(segmenter);
  const Segmenter& words = *index->segmenter_;
  const size_t line_count = lines.size();

  index->line_ids_.reserve(line_count);
  index->amounts_.reserve(line_count);
  index->fiscal_years_.reserve(line_count);
  index->district_ids_.reserve(line_count);
  index->agency_ids_.reserve(line_count);
  index->plan_ids_.reserve(line_count);
  index->strategy_ids_.reserve(line_count);
  index->names_.offsets.reserve(line_count + 1);
  index->line_term_offsets_.reserve(line_count + 1);
  index->occurrence_offsets_.reserve(line_count + 1);
  index->line_term_offsets_.push_back(0);
  index->occurrence_offsets_.push_back(0);

  // Pass 1: segment every line, giving terms provisional ids in order of
  // first appearance. A deque keeps the strings in place so the map can key
  // on views of them.
  std::deque<std::string> provisional_terms;
  absl::flat_hash_map<absl::string_view, int32_t> provisional_ids;
  auto intern_term = [&](std::string&& text) {
    const auto found = provisional_ids.find(text);
    if (found != provisional_ids.end()) return found->second;
    const auto id = static_cast<int32_t>(provisional_terms.size());
    provisional_terms.push_back(std::move(text));
    provisional_ids.emplace(provisional_terms.back(), id);
    return id;
  };
  // Segmentation is most of the build, and budget names repeat: every
  // district office lists the same outputs, so the 1,766 FY2566 lines have
  // only 312 distinct names. A line whose name and description were already
  // segmented copies that earlier line's terms and occurrences instead.
  absl::flat_hash_map<std::pair<absl::string_view, absl::string_view>, int32_t> first_line_with_text;
  std::vector<int32_t> distinct;
  std::vector<NameOccurrence> reused_occurrences;
  for (size_t ordinal = 0; ordinal < line_count; ++ordinal) {
    const Line& line = lines[ordinal];
    index->line_ids_.push_back(line.line_id);
    index->amounts_.push_back(line.amount_baht);
    index->fiscal_years_.push_back(line.fiscal_year);
    index->district_ids_.push_back(line.district_id);
    index->agency_ids_.push_back(index->agencies_.Intern(line.agency));
    index->plan_ids_.push_back(index->plans_.Intern(line.plan));
    index->strategy_ids_.push_back(index->strategies_.Intern(line.strategy));
    index->names_.Add(line.name);

    const auto [first, is_new] = first_line_with_text.try_emplace(
        std::make_pair(absl::string_view(line.name), absl::string_view(line.description)),
        static_cast<int32_t>(ordinal));
    if (!is_new) {
      // Copied through buffers: inserting a vector's own range into it is
      // undefined behaviour.
      const auto earlier = static_cast<size_t>(first->second);
      distinct.assign(index->line_terms_.begin() + static_cast<int64_t>(index->line_term_offsets_[earlier]),
                      index->line_terms_.begin() + static_cast<int64_t>(index->line_term_offsets_[earlier + 1]));
      reused_occurrences.assign(
          index->occurrences_.begin() + static_cast<int64_t>(index->occurrence_offsets_[earlier]),
          index->occurrences_.begin() + static_cast<int64_t>(index->occurrence_offsets_[earlier + 1]));
      index->line_terms_.insert(index->line_terms_.end(), distinct.begin(), distinct.end());
      index->occurrences_.insert(index->occurrences_.end(), reused_occurrences.begin(), reused_occurrences.end());
      index->line_term_offsets_.push_back(index->line_terms_.size());
      index->occurrence_offsets_.push_back(index->occurrences_.size());
      continue;
    }

    distinct.clear();
    for (Token& token : words.IndexTokens(line.name)) {
      const int32_t term = intern_term(std::move(token.text));
      distinct.push_back(term);
      const auto end = static_cast<uint32_t>(token.end_utf16);
      if (end <= kMaxOccurrenceEnd) {
        index->occurrences_.push_back(NameOccurrence{term, static_cast<uint16_t>(token.begin_utf16),
                                                     static_cast<uint16_t>(token.end_utf16 - token.begin_utf16)});
      }
    }
    if (!line.description.empty()) {
      for (Token& token : words.IndexTokens(line.description)) {
        distinct.push_back(intern_term(std::move(token.text)));
      }
    }
    std::sort(distinct.begin(), distinct.end());
    distinct.erase(std::unique(distinct.begin(), distinct.end()), distinct.end());
    index->line_terms_.insert(index->line_terms_.end(), distinct.begin(), distinct.end());
    index->line_term_offsets_.push_back(index->line_terms_.size());
    index->occurrence_offsets_.push_back(index->occurrences_.size());
  }
  provisional_ids.clear();
  decltype(first_line_with_text)().swap(first_line_with_text);  // Frees it.

  // Pass 2: renumber terms in byte order, which makes Suggest a binary
  // search and "term asc" an id comparison.
  const size_t term_count = provisional_terms.size();
  std::vector<int32_t> by_text(term_count);
  for (size_t i = 0; i < term_count; ++i) by_text[i] = static_cast<int32_t>(i);
  std::sort(by_text.begin(), by_text.end(),
            [&](int32_t a, int32_t b) { return provisional_terms[a] < provisional_terms[b]; });
  std::vector<int32_t> renumber(term_count);
  index->terms_.offsets.reserve(term_count + 1);
  for (size_t rank = 0; rank < term_count; ++rank) {
    renumber[by_text[rank]] = static_cast<int32_t>(rank);
    index->terms_.Add(provisional_terms[by_text[rank]]);
  }
  provisional_terms.clear();
  provisional_terms.shrink_to_fit();
  for (NameOccurrence& occurrence : index->occurrences_) {
    occurrence.term = renumber[occurrence.term];
  }
  for (size_t ordinal = 0; ordinal < line_count; ++ordinal) {
    auto first = index->line_terms_.begin() + static_cast<int64_t>(index->line_term_offsets_[ordinal]);
    auto last = index->line_terms_.begin() + static_cast<int64_t>(index->line_term_offsets_[ordinal + 1]);
    for (auto it = first; it != last; ++it) *it = renumber[*it];
    std::sort(first, last);
  }

  // Pass 3: postings from the forward index; filling in ordinal order keeps
  // every posting list ascending.
  index->posting_offsets_.assign(term_count + 1, 0);
  for (const int32_t term : index->line_terms_) {
    ++index->posting_offsets_[term + 1];
  }
  for (size_t t = 0; t < term_count; ++t) {
    index->posting_offsets_[t + 1] += index->posting_offsets_[t];
  }
  index->postings_.resize(index->line_terms_.size());
  index->posting_name_counts_.resize(index->line_terms_.size());
  index->term_amounts_.assign(term_count, 0);
  {
    std::vector<uint64_t> fill(index->posting_offsets_.begin(), index->posting_offsets_.end() - 1);
    std::vector<int32_t> name_terms;
    for (size_t ordinal = 0; ordinal < line_count; ++ordinal) {
      name_terms.clear();
      for (uint64_t k = index->occurrence_offsets_[ordinal]; k < index->occurrence_offsets_[ordinal + 1]; ++k) {
        name_terms.push_back(index->occurrences_[k].term);
      }
      std::sort(name_terms.begin(), name_terms.end());
      auto next_name_term = name_terms.begin();
      for (uint64_t k = index->line_term_offsets_[ordinal]; k < index->line_term_offsets_[ordinal + 1]; ++k) {
        // Both sequences are sorted: count this term's run in the name.
        const int32_t term = index->line_terms_[k];
        int name_count = 0;
        while (next_name_term != name_terms.end() && *next_name_term == term) {
          ++name_count;
          ++next_name_term;
        }
        const uint64_t slot = fill[term]++;
        index->postings_[slot] = static_cast<int32_t>(ordinal);
        index->posting_name_counts_[slot] = static_cast<uint8_t>(std::min(name_count, 255));
        index->term_amounts_[term] += index->amounts_[ordinal];
      }
    }
  }
  index->is_keyword_.resize(term_count);
  for (size_t t = 0; t < term_count; ++t) {
    index->is_keyword_[t] = words.IsKeywordCandidate(index->terms_.Get(t));
  }
  index->HideBoilerplate();

  index->BuildKeywordRankings();
  index->memory_bytes_ = index->ComputeMemoryBytes();
  index->build_duration_ = absl::Now() - start;
  return std::shared_ptr<const IndexSnapshot>(std::move(index));
}

// The cloud policy (cloud_policy.h): counts the agencies of each keyword's
// lines, then takes boilerplate and reviewed words out of the cloud.
void IndexSnapshot::HideBoilerplate() {
  const absl::flat_hash_set<absl::string_view> reviewed(ReviewedBoilerplate().begin(), ReviewedBoilerplate().end());
  absl::flat_hash_set<int32_t> all_agencies(agency_ids_.begin(), agency_ids_.end());
  agency_count_ = static_cast<int32_t>(all_agencies.size());
  const double limit = kBoilerplateAgencyShare * agency_count_;
  for (size_t t = 0; t < is_keyword_.size(); ++t) {
    if (!is_keyword_[t]) continue;
    const absl::string_view term = terms_.Get(t);
    absl::flat_hash_set<int32_t> agencies;
    for (uint64_t k = posting_offsets_[t]; k < posting_offsets_[t + 1]; ++k) agencies.insert(agency_ids_[postings_[k]]);
    const auto count = static_cast<int32_t>(agencies.size());
    const bool is_reviewed = reviewed.contains(term);
    if (!is_reviewed && (count <= limit || IsTopicalKeyword(term))) continue;
    is_keyword_[t] = false;
    hidden_.push_back({std::string(term), is_reviewed ? HiddenReason::kReviewed : HiddenReason::kBoilerplate, count,
                       static_cast<int32_t>(posting_offsets_[t + 1] - posting_offsets_[t])});
  }
  std::sort(hidden_.begin(), hidden_.end(), [](const HiddenKeyword& a, const HiddenKeyword& b) {
    if (a.line_count != b.line_count) return a.line_count > b.line_count;
    return a.term < b.term;
  });
}

// Why precompute: the word cloud is the busiest query and must answer in a
// few milliseconds on a million lines. Counting keywords on demand means
// touching every term of every matching line (tens of millions of entries
// unfiltered). Almost every real request is unfiltered or filters on one
// facet (a year, an agency, a district...), so the build ranks the keywords
// once for "no filter" and once per value of each facet, keeping the best
// kMaxKeywordLimit: a query is then a copy. That costs one pass over the
// postings per build and a few MB. Combinations of facets are too many to
// precompute; they scan the forward index of the lines passing the filter,
// starting from the smallest facet's line list, which is small by
// construction.
void IndexSnapshot::BuildKeywordRankings() {
  const size_t line_count = amounts_.size();
  const size_t term_count = terms_.size();

  std::vector<RankedKeyword> all;
  for (size_t t = 0; t < term_count; ++t) {
    if (!is_keyword_[t]) continue;
    all.push_back(RankedKeyword{static_cast<int32_t>(t),
                                static_cast<int32_t>(posting_offsets_[t + 1] - posting_offsets_[t]), term_amounts_[t]});
  }
  KeepBest(all, kMaxKeywordLimit);
  top_keywords_ = std::move(all);

  // Facet value of every line, as a dense slot per facet (-1 = none).
  std::array<std::vector<int32_t>, kFacetCount> slot_of_line;
  std::array<std::vector<int32_t>, kFacetCount> value_of_slot;
  for (int f = 0; f < kFacetCount; ++f) {
    const auto facet = static_cast<Facet>(f);
    absl::flat_hash_map<int32_t, int32_t> slots;
    slot_of_line[f].resize(line_count, -1);
    for (size_t ordinal = 0; ordinal < line_count; ++ordinal) {
      const int32_t value = FacetValueOf(facet, static_cast<int32_t>(ordinal));
      if (value < 0) continue;
      const auto [it, inserted] = slots.try_emplace(value, static_cast<int32_t>(value_of_slot[f].size()));
      if (inserted) value_of_slot[f].push_back(value);
      slot_of_line[f][ordinal] = it->second;
      facets_[f][value].lines.push_back(static_cast<int32_t>(ordinal));
    }
  }

  // A facet whose one value every line has (the year of a one-year
  // dataset) ranks exactly like all lines: copy that ranking rather than
  // count it again.
  std::vector<int> counted;  // The other facets.
  for (int f = 0; f < kFacetCount; ++f) {
    if (value_of_slot[f].size() == 1 && facets_[f][value_of_slot[f][0]].lines.size() == line_count) {
      facets_[f][value_of_slot[f][0]].top = top_keywords_;
      value_of_slot[f].clear();
      slot_of_line[f] = {};
    } else {
      counted.push_back(f);
    }
  }

  // One pass over the postings counts every keyword for every facet value.
  std::array<std::vector<RankedKeyword>, kFacetCount> counts;
  std::array<std::vector<int32_t>, kFacetCount> touched;
  std::array<std::vector<std::vector<RankedKeyword>>, kFacetCount> candidates;
  for (int f = 0; f < kFacetCount; ++f) {
    counts[f].resize(value_of_slot[f].size());
    candidates[f].resize(value_of_slot[f].size());
  }
  for (size_t t = 0; t < term_count; ++t) {
    if (!is_keyword_[t]) continue;
    for (uint64_t k = posting_offsets_[t]; k < posting_offsets_[t + 1]; ++k) {
      const int32_t ordinal = postings_[k];
      for (const int f : counted) {
        const int32_t slot = slot_of_line[f][ordinal];
        if (slot < 0) continue;
        RankedKeyword& count = counts[f][slot];
        if (count.line_count == 0) touched[f].push_back(slot);
        ++count.line_count;
        count.amount_baht += amounts_[ordinal];
      }
    }
    for (const int f : counted) {
      for (const int32_t slot : touched[f]) {
        RankedKeyword& count = counts[f][slot];
        candidates[f][slot].push_back(RankedKeyword{static_cast<int32_t>(t), count.line_count, count.amount_baht});
        count = RankedKeyword{};
      }
      touched[f].clear();
    }
  }
  for (int f = 0; f < kFacetCount; ++f) {
    for (size_t slot = 0; slot < candidates[f].size(); ++slot) {
      std::vector<RankedKeyword>& ranked = candidates[f][slot];
      KeepBest(ranked, kMaxKeywordLimit);
      ranked.shrink_to_fit();
      facets_[f][value_of_slot[f][slot]].top = std::move(ranked);
    }
  }
}

int64_t IndexSnapshot::ComputeMemoryBytes() const {
  int64_t bytes = sizeof(IndexSnapshot);
  bytes += BytesOf(line_ids_) + BytesOf(amounts_) + BytesOf(fiscal_years_) + BytesOf(district_ids_) +
           BytesOf(agency_ids_) + BytesOf(plan_ids_) + BytesOf(strategy_ids_);
  for (const StringPool* pool : {&agencies_, &plans_, &strategies_}) {
    for (const std::string& value : pool->values) {
      // Once in the vector and once as the map key.
      bytes += 2 * static_cast<int64_t>(sizeof(std::string) + value.capacity() + sizeof(int32_t));
    }
  }
  for (const StringArena* arena : {&names_, &terms_}) {
    bytes += static_cast<int64_t>(arena->bytes.capacity()) + BytesOf(arena->offsets);
  }
  bytes += BytesOf(term_amounts_) + BytesOf(is_keyword_) + BytesOf(posting_offsets_) + BytesOf(postings_) +
           BytesOf(posting_name_counts_) + BytesOf(line_term_offsets_) + BytesOf(line_terms_) +
           BytesOf(occurrence_offsets_) + BytesOf(occurrences_) + BytesOf(top_keywords_);
  for (const auto& facet : facets_) {
    for (const auto& [value, data] : facet) {
      bytes += static_cast<int64_t>(sizeof(value) + sizeof(FacetValue)) + BytesOf(data.lines) + BytesOf(data.top);
    }
  }
  return bytes;
}

int32_t IndexSnapshot::FacetValueOf(Facet facet, int32_t ordinal) const {
  // -1 for values a Filter cannot select: 0 and "" mean "any".
  switch (facet) {
    case kYear:
      return fiscal_years_[ordinal] == 0 ? -1 : fiscal_years_[ordinal];
    case kAgency:
      return agencies_.values[agency_ids_[ordinal]].empty() ? -1 : agency_ids_[ordinal];
    case kPlan:
      return plans_.values[plan_ids_[ordinal]].empty() ? -1 : plan_ids_[ordinal];
    case kStrategy:
      return strategies_.values[strategy_ids_[ordinal]].empty() ? -1 : strategy_ids_[ordinal];
    case kDistrict:
      return district_ids_[ordinal] <= 0 ? -1 : district_ids_[ordinal];
    case kFacetCount:
      break;
  }
  return -1;
}

IndexSnapshot::ResolvedFilter IndexSnapshot::Resolve(const Filter& filter) const {
  ResolvedFilter resolved;
  resolved.values.fill(-1);
  auto set = [&resolved](Facet facet, int32_t value) {
    if (value < 0) resolved.matches_nothing = true;
    resolved.values[facet] = value;
    ++resolved.set_count;
  };
  // Years and districts are not validated against the data: a year with no
  // lines simply matches nothing.
  if (filter.fiscal_year != 0) {
    set(kYear, filter.fiscal_year > 0 ? filter.fiscal_year : -1);
  }
  if (!filter.agency.empty()) set(kAgency, agencies_.Find(filter.agency));
  if (!filter.mission_type.empty()) set(kPlan, plans_.Find(filter.mission_type));
  if (!filter.strategy_id.empty()) {
    set(kStrategy, strategies_.Find(filter.strategy_id));
  }
  if (filter.district_id != 0) {
    set(kDistrict, filter.district_id > 0 ? filter.district_id : -1);
  }
  return resolved;
}

bool IndexSnapshot::Passes(const ResolvedFilter& filter, int32_t ordinal) const {
  if (filter.matches_nothing) return false;
  for (int f = 0; f < kFacetCount; ++f) {
    if (filter.values[f] >= 0 && FacetValueOf(static_cast<Facet>(f), ordinal) != filter.values[f]) {
      return false;
    }
  }
  return true;
}

int64_t IndexSnapshot::CountLines(const Filter& filter) const {
  const ResolvedFilter resolved = Resolve(filter);
  if (resolved.matches_nothing) return 0;
  if (resolved.set_count == 0) return static_cast<int64_t>(amounts_.size());
  const std::vector<int32_t>* smallest = nullptr;
  for (int f = 0; f < kFacetCount; ++f) {
    if (resolved.values[f] < 0) continue;
    const auto found = facets_[f].find(resolved.values[f]);
    if (found == facets_[f].end()) return 0;
    if (smallest == nullptr || found->second.lines.size() < smallest->size()) smallest = &found->second.lines;
  }
  if (resolved.set_count == 1) return static_cast<int64_t>(smallest->size());
  int64_t n = 0;
  for (const int32_t ordinal : *smallest) n += Passes(resolved, ordinal) ? 1 : 0;
  return n;
}

std::vector<int32_t> IndexSnapshot::Filtered(const ResolvedFilter& filter) const {
  std::vector<int32_t> passing;
  if (filter.matches_nothing) return passing;
  // Start from the smallest facet line list instead of all lines.
  const std::vector<int32_t>* smallest = nullptr;
  for (int f = 0; f < kFacetCount; ++f) {
    if (filter.values[f] < 0) continue;
    const auto found = facets_[f].find(filter.values[f]);
    if (found == facets_[f].end()) return passing;
    if (smallest == nullptr || found->second.lines.size() < smallest->size()) {
      smallest = &found->second.lines;
    }
  }
  if (smallest == nullptr) {
    passing.resize(amounts_.size());
    for (size_t i = 0; i < passing.size(); ++i) {
      passing[i] = static_cast<int32_t>(i);
    }
    return passing;
  }
  // The facet columns of scattered lines miss the cache; fetch those the
  // filter reads a few lines ahead.
  const std::array<const int32_t*, kFacetCount> columns = {fiscal_years_.data(), agency_ids_.data(), plan_ids_.data(),
                                                           strategy_ids_.data(), district_ids_.data()};
  constexpr size_t kAhead = 16;
  const std::vector<int32_t>& candidates = *smallest;
  for (size_t i = 0; i < candidates.size(); ++i) {
    if (i + kAhead < candidates.size()) {
      for (int f = 0; f < kFacetCount; ++f) {
        if (filter.values[f] >= 0) {
          __builtin_prefetch(columns[f] + candidates[i + kAhead]);
        }
      }
    }
    if (Passes(filter, candidates[i])) passing.push_back(candidates[i]);
  }
  return passing;
}

int32_t IndexSnapshot::FindTerm(absl::string_view term) const {
  int32_t low = 0;
  auto high = static_cast<int32_t>(terms_.size());
  while (low < high) {
    const int32_t middle = low + (high - low) / 2;
    if (terms_.Get(middle) < term) {
      low = middle + 1;
    } else {
      high = middle;
    }
  }
  return low < static_cast<int32_t>(terms_.size()) && terms_.Get(low) == term ? low : -1;
}

KeywordStat IndexSnapshot::ToStat(const RankedKeyword& keyword) const {
  const absl::string_view term = terms_.Get(keyword.term);
  return KeywordStat{std::string(term), keyword.line_count, keyword.amount_baht, IsTopicalKeyword(term)};
}

std::vector<IndexSnapshot::RankedKeyword> IndexSnapshot::ScanTopKeywords(const ResolvedFilter& filter,
                                                                         int limit) const {
  const std::vector<int32_t> lines = Filtered(filter);
  std::vector<RankedKeyword> counts(terms_.size());
  std::vector<RankedKeyword> ranked;
  // The lines lie scattered over a large index, so memory latency, not
  // counting, bounds this loop: fetch the offsets and amount of a line a
  // few lines ahead, and its term list once its offset has arrived.
  constexpr size_t kAhead = 8;
  for (size_t i = 0; i < lines.size(); ++i) {
    if (i + 2 * kAhead < lines.size()) {
      __builtin_prefetch(&line_term_offsets_[lines[i + 2 * kAhead]]);
      __builtin_prefetch(&amounts_[lines[i + 2 * kAhead]]);
    }
    if (i + kAhead < lines.size()) {
      const int32_t* ahead = &line_terms_[line_term_offsets_[lines[i + kAhead]]];
      __builtin_prefetch(ahead);
      __builtin_prefetch(ahead + 16);
    }
    const int32_t ordinal = lines[i];
    for (uint64_t k = line_term_offsets_[ordinal]; k < line_term_offsets_[ordinal + 1]; ++k) {
      const int32_t term = line_terms_[k];
      if (!is_keyword_[term]) continue;
      RankedKeyword& count = counts[term];
      if (count.line_count == 0) {
        count.term = term;
        ranked.push_back(RankedKeyword{term, 0, 0});
      }
      ++count.line_count;
      count.amount_baht += amounts_[ordinal];
    }
  }
  for (RankedKeyword& keyword : ranked) keyword = counts[keyword.term];
  KeepBest(ranked, static_cast<size_t>(limit));
  return ranked;
}

absl::StatusOr<std::vector<KeywordStat>> IndexSnapshot::TopKeywords(const Filter& filter, int limit) const {
  if (limit < 0 || limit > kMaxKeywordLimit) {
    return absl::InvalidArgumentError(
        absl::StrCat("limit must be 1-", kMaxKeywordLimit, " (or 0 for ", kDefaultKeywordLimit, "), got ", limit));
  }
  if (limit == 0) limit = kDefaultKeywordLimit;
  const ResolvedFilter resolved = Resolve(filter);
  std::vector<KeywordStat> result;
  if (resolved.matches_nothing) return result;

  const std::vector<RankedKeyword>* precomputed = nullptr;
  if (resolved.set_count == 0) {
    precomputed = &top_keywords_;
  } else {
    const FacetValue* narrowest = nullptr;
    for (int f = 0; f < kFacetCount; ++f) {
      if (resolved.values[f] < 0) continue;
      const auto found = facets_[f].find(resolved.values[f]);
      if (found == facets_[f].end()) return result;
      if (narrowest == nullptr || found->second.lines.size() < narrowest->lines.size()) {
        narrowest = &found->second;
      }
    }
    // A combined filter often narrows nothing beyond its narrowest facet: a
    // value every line has (the year of a one-year dataset) excludes
    // nothing, and neither does one that every line of the narrowest facet
    // has (the district of a district office). The lines are then the same,
    // so the narrowest facet's precomputed ranking is the exact answer, and
    // checking costs far less than counting the terms of those lines.
    ResolvedFilter excluding = resolved;
    for (int f = 0; f < kFacetCount; ++f) {
      if (excluding.values[f] >= 0 && facets_[f].at(excluding.values[f]).lines.size() == amounts_.size()) {
        excluding.values[f] = -1;
        --excluding.set_count;
      }
    }
    bool all_pass = true;
    if (excluding.set_count > 1) {
      for (const int32_t ordinal : narrowest->lines) {
        if (!Passes(excluding, ordinal)) {
          all_pass = false;
          break;
        }
      }
    }
    if (all_pass) precomputed = &narrowest->top;
  }
  if (precomputed != nullptr) {
    const size_t count = std::min(precomputed->size(), static_cast<size_t>(limit));
    result.reserve(count);
    for (size_t i = 0; i < count; ++i) result.push_back(ToStat((*precomputed)[i]));
    return result;
  }
  for (const RankedKeyword& keyword : ScanTopKeywords(resolved, limit)) {
    result.push_back(ToStat(keyword));
  }
  return result;
}

absl::StatusOr<SearchPage> IndexSnapshot::Search(const SearchRequest& request) const {
  if (request.query.empty()) {
    return WithReason(absl::InvalidArgumentError("query must not be empty"), "QUERY_EMPTY");
  }
  if (request.query.size() > kMaxQueryBytes) {
    return WithReason(absl::InvalidArgumentError(absl::StrCat("query is ", request.query.size(),
                                                              " bytes; the limit is ", kMaxQueryBytes, " bytes")),
                      "QUERY_TOO_LONG", {{"max_bytes", absl::StrCat(kMaxQueryBytes)}});
  }
  if (!IsValidUtf8(request.query)) {
    return absl::InvalidArgumentError("query is not valid UTF-8");
  }
  if (request.page_size < 0 || request.page_size > kMaxPageSize) {
    return absl::InvalidArgumentError(absl::StrCat("page_size must be 1-", kMaxPageSize, " (or 0 for ",
                                                   kDefaultPageSize, "), got ", request.page_size));
  }
  const size_t page_size = static_cast<size_t>(request.page_size == 0 ? kDefaultPageSize : request.page_size);

  std::vector<std::string> query_terms;
  for (Token& token : segmenter_->Tokenize(request.query)) {
    query_terms.push_back(std::move(token.text));
  }
  std::sort(query_terms.begin(), query_terms.end());
  query_terms.erase(std::unique(query_terms.begin(), query_terms.end()), query_terms.end());
  if (query_terms.empty()) {
    return absl::InvalidArgumentError(
        "query has no searchable words (only stop words, punctuation or "
        "spaces)");
  }
  const uint64_t fingerprint = SearchFingerprint(query_terms, request.filter, request.sort);
  Match after{};
  const bool has_cursor = !request.page_token.empty();
  if (has_cursor) {
    absl::StatusOr<Match> decoded = DecodeSearchPageToken(request.page_token, fingerprint);
    if (!decoded.ok()) return decoded.status();
    after = *decoded;
  }

  SearchPage page;
  std::vector<int32_t> term_ids;
  std::vector<PostingList> lists;
  for (const std::string& term : query_terms) {
    const int32_t id = FindTerm(term);
    if (id < 0) return page;  // A word no line contains: no match.
    term_ids.push_back(id);
    const uint64_t begin = posting_offsets_[id];
    lists.push_back(
        PostingList{postings_.data() + begin, posting_name_counts_.data() + begin, posting_offsets_[id + 1] - begin});
  }
  std::sort(term_ids.begin(), term_ids.end());  // For binary_search below.
  std::sort(lists.begin(), lists.end(), [](const PostingList& a, const PostingList& b) { return a.size < b.size; });
  const ResolvedFilter filter = Resolve(request.filter);
  // Filter and drop what earlier pages showed, in place: a common word can
  // match most lines, so no second copy of the matches is made.
  std::vector<Match> remaining = Intersect(lists);
  size_t kept = 0;
  for (Match match : remaining) {
    if (filter.set_count > 0 && !Passes(filter, match.ordinal)) continue;
    ++page.total_count;
    match.amount_baht = amounts_[match.ordinal];
    match.line_id = line_ids_[match.ordinal];
    page.total_amount_baht += match.amount_baht;
    if (!has_cursor || SortsBefore(request.sort, after, match)) {
      remaining[kept++] = match;
    }
  }
  remaining.resize(kept);
  const SortOrder sort = request.sort;
  auto sorts_before = [sort](const Match& a, const Match& b) { return SortsBefore(sort, a, b); };
  const size_t shown = std::min(page_size, remaining.size());
  std::partial_sort(remaining.begin(), remaining.begin() + shown, remaining.end(), sorts_before);
  if (remaining.size() > shown) {
    page.next_page_token = EncodeSearchPageToken(fingerprint, remaining[shown - 1]);
  }

  for (size_t i = 0; i < shown; ++i) {
    const int32_t ordinal = remaining[i].ordinal;
    SearchHit hit;
    hit.ordinal = ordinal;
    hit.line_id = line_ids_[ordinal];
    hit.name = std::string(names_.Get(ordinal));
    hit.amount_baht = amounts_[ordinal];
    hit.fiscal_year = fiscal_years_[ordinal];
    hit.agency = agencies_.values[agency_ids_[ordinal]];
    hit.plan = plans_.values[plan_ids_[ordinal]];
    hit.strategy = strategies_.values[strategy_ids_[ordinal]];
    hit.district_id = district_ids_[ordinal];
    hit.relevance = remaining[i].relevance;
    for (uint64_t k = occurrence_offsets_[ordinal]; k < occurrence_offsets_[ordinal + 1]; ++k) {
      const NameOccurrence& occurrence = occurrences_[k];
      if (std::binary_search(term_ids.begin(), term_ids.end(), occurrence.term)) {
        hit.highlights.push_back(Highlight{occurrence.begin_utf16, occurrence.begin_utf16 + occurrence.length_utf16});
      }
    }
    std::sort(hit.highlights.begin(), hit.highlights.end(), [](const Highlight& a, const Highlight& b) {
      return a.begin_utf16 != b.begin_utf16 ? a.begin_utf16 < b.begin_utf16 : a.end_utf16 > b.end_utf16;
    });
    // Merge overlaps (ขยะมูลฝอย and its component ขยะ) so a browser can
    // wrap each range in one <mark>.
    std::vector<Highlight> merged;
    for (const Highlight& h : hit.highlights) {
      if (!merged.empty() && h.begin_utf16 < merged.back().end_utf16) {
        merged.back().end_utf16 = std::max(merged.back().end_utf16, h.end_utf16);
      } else {
        merged.push_back(h);
      }
    }
    hit.highlights = std::move(merged);
    page.hits.push_back(std::move(hit));
  }
  return page;
}

absl::StatusOr<std::vector<KeywordStat>> IndexSnapshot::Suggest(absl::string_view prefix, int limit) const {
  if (prefix.empty()) {
    return absl::InvalidArgumentError("prefix must not be empty");
  }
  if (prefix.size() > kMaxPrefixBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("prefix is ", prefix.size(), " bytes; the limit is ", kMaxPrefixBytes, " bytes"));
  }
  if (!IsValidUtf8(prefix)) {
    return absl::InvalidArgumentError("prefix is not valid UTF-8");
  }
  if (limit < 0 || limit > kMaxSuggestLimit) {
    return absl::InvalidArgumentError(
        absl::StrCat("limit must be 1-", kMaxSuggestLimit, " (or 0 for ", kDefaultSuggestLimit, "), got ", limit));
  }
  if (limit == 0) limit = kDefaultSuggestLimit;
  const std::string normalized = segmenter_->Normalize(prefix);
  // Terms are in byte order, so the matches are one contiguous run.
  int32_t low = 0;
  auto high = static_cast<int32_t>(terms_.size());
  while (low < high) {
    const int32_t middle = low + (high - low) / 2;
    if (terms_.Get(middle) < normalized) {
      low = middle + 1;
    } else {
      high = middle;
    }
  }
  std::vector<RankedKeyword> matches;
  for (auto t = low; t < static_cast<int32_t>(terms_.size()) && absl::StartsWith(terms_.Get(t), normalized); ++t) {
    matches.push_back(
        RankedKeyword{t, static_cast<int32_t>(posting_offsets_[t + 1] - posting_offsets_[t]), term_amounts_[t]});
  }
  // Suggestions rank by line count then term only (not amount).
  auto by_count = [](const RankedKeyword& a, const RankedKeyword& b) {
    return a.line_count != b.line_count ? a.line_count > b.line_count : a.term < b.term;
  };
  const size_t shown = std::min(matches.size(), static_cast<size_t>(limit));
  std::partial_sort(matches.begin(), matches.begin() + shown, matches.end(), by_count);
  std::vector<KeywordStat> result;
  for (size_t i = 0; i < shown; ++i) result.push_back(ToStat(matches[i]));
  return result;
}

absl::StatusOr<std::vector<Token>> IndexSnapshot::Segment(absl::string_view text) const {
  return segmenter_->Segment(text);
}

IndexStatus IndexSnapshot::Status() const {
  return IndexStatus{release_version_, line_count(), static_cast<int64_t>(terms_.size()),
                     absl::ToInt64Milliseconds(build_duration_), memory_bytes_};
}

}  // namespace bkk::keywords
