// Thai word segmentation for the keyword-analytics index: normalisation,
// ICU dictionary word breaking, a domain phrase list, compound components
// and stop words. It also defines what "a line contains term T" means
// (Segmenter::Terms), which the index and its tests share.
//
// Why ICU's dictionary BreakIterator (and not libthai or a hand-made
// maximal-matching segmenter):
//  * It is already a dependency of the project (libicu-dev, ICU 72), it is
//    thread-compatible, maintained, and ships a large Thai dictionary, so no
//    word list has to be maintained here except a few budget terms.
//  * It works on UTF-16, which is exactly the unit a browser uses for string
//    offsets, so highlight offsets need no extra conversion.
//  * Its one weakness for budget text is that it cuts many domain compounds
//    into short dictionary words (โรง|พยาบาล, งบ|ประมาณ, น้ำ|ท่วม) and
//    occasionally misaligns (โครง|กา|รบู|รณา|การ for โครงการบูรณาการ). The
//    phrase list (segmenter.cc) fixes both: the longest phrase starting at a
//    word boundary wins, and when ICU had no boundary at its end the rest is
//    re-segmented by ICU (unless that would strand a lone final consonant,
//    as น้ำเสีย|ง in น้ำเสียง would).
//
// Compounds. A query for a word inside a compound must find it (คลอง in
// คลองเตย, ขยะ in ขยะมูลฝอย). Every field therefore yields two kinds of tokens:
//  * main tokens: phrases kept whole and ICU words;
//  * component tokens: for a phrase, the component words listed with it
//    (ขยะมูลฝอย -> ขยะ, มูลฝอย); for an ICU word that contains a compound
//    head noun such as คลอง, ถนน or ศูนย์, the head and the pieces around it
//    (คลองเตย -> คลอง, เตย; เลียบคลอง -> เลียบ, คลอง).
// A line contains term T iff T is one of the main or component tokens of its
// name or description. Queries use main tokens only.

#ifndef SERVICES_KEYWORD_ANALYTICS_CORE_SEGMENTER_H_
#define SERVICES_KEYWORD_ANALYTICS_CORE_SEGMENTER_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace bkk::keywords {

// Limits of the public Segment entry point.
inline constexpr size_t kMaxSegmentTextBytes = 10000;

// One word of a text. Offsets are UTF-16 code units into the ORIGINAL text
// (before normalisation), so a browser can highlight text.substring(begin,
// end) directly.
struct Token {
  std::string text;  // Normalised (NFC, ASCII digits, case-folded), UTF-8.
  int32_t begin_utf16 = 0;
  int32_t end_utf16 = 0;
  // True for a word found inside a compound main token (see file comment).
  bool is_component = false;

  friend bool operator==(const Token& a, const Token& b) {
    return a.text == b.text && a.begin_utf16 == b.begin_utf16 && a.end_utf16 == b.end_utf16 &&
           a.is_component == b.is_component;
  }
};

// Immutable and thread-safe: ICU break iterators are not thread-safe, so each
// thread lazily gets its own (see segmenter.cc).
class Segmenter final {
 public:
  // Fails with FAILED_PRECONDITION when ICU lacks Thai dictionary data, since
  // every Thai line would then become one giant token.
  static absl::StatusOr<std::shared_ptr<const Segmenter>> Create();

  ~Segmenter();
  Segmenter(const Segmenter&) = delete;
  Segmenter& operator=(const Segmenter&) = delete;

  // The normalisation applied to every token: NFC, Thai digits to ASCII,
  // Latin case folding. Used for prefixes, which must not be segmented.
  std::string Normalize(absl::string_view text) const;

  // Main tokens of `text` in order: phrases whole, stop words, punctuation
  // and whitespace dropped. This is what the Segment RPC returns and how
  // queries are split.
  std::vector<Token> Tokenize(absl::string_view text) const;

  // Main tokens plus component tokens, ordered by (begin, end, main first):
  // everything the index stores for one field.
  std::vector<Token> IndexTokens(absl::string_view text) const;

  // Validated Tokenize for outside callers: INVALID_ARGUMENT when `text` is
  // empty, longer than kMaxSegmentTextBytes or not UTF-8.
  absl::StatusOr<std::vector<Token>> Segment(absl::string_view text) const;

  // THE definition of "a line contains term T": the sorted, de-duplicated
  // texts of IndexTokens(name) and IndexTokens(description). The index is
  // built from the same tokens; tests compare against this function.
  std::vector<std::string> Terms(absl::string_view name, absl::string_view description) const;

  // `term` must be normalised. Stop words are never tokens at all.
  bool IsStopWord(absl::string_view term) const;

  // Whether a (searchable) term may appear in the top-keyword lists. Words
  // that only name the kind of line (โครงการ, งาน, ผลผลิต head 95% of names)
  // and bare numbers say nothing in a word cloud, so they are searchable but
  // not listed.
  bool IsKeywordCandidate(absl::string_view term) const;

  // The domain phrase list, normalised (for tests and documentation).
  std::vector<std::string> Phrases() const;

 private:
  struct Impl;

  explicit Segmenter(std::unique_ptr<Impl> impl);

  std::unique_ptr<Impl> impl_;
};

// Raw ICU throughput path for benchmarks: runs the Thai word BreakIterator
// over `utf8_text` (no normalisation, phrases or filtering) and returns the
// number of boundaries it reports, including both ends.
int64_t CountIcuWordBoundaries(absl::string_view utf8_text);

// The same over many strings; returns the total number of boundaries.
int64_t CountIcuWordBoundaries(const std::vector<std::string>& utf8_texts);

// True when `text` is well-formed UTF-8 (no overlongs, no surrogates).
bool IsValidUtf8(absl::string_view text);

}  // namespace bkk::keywords

#endif  // SERVICES_KEYWORD_ANALYTICS_CORE_SEGMENTER_H_
