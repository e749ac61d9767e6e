// Thai segmentation pipeline: normalise with an offset map, break with ICU,
// let the domain phrase list win, add compound components, drop stop words.

#include "services/keyword_analytics/core/segmenter.h"

#include <unicode/brkiter.h>
#include <unicode/normalizer2.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>
#include <unicode/utf16.h>

#include <algorithm>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace bkk::keywords {
namespace {

// Budget terms that ICU cuts into pieces or misaligns, taken from the names of
// the FY2566 ordinance. Each entry is "phrase|component|component...": the
// components are words inside the phrase that a search must also find (so
// ขยะ finds ขยะมูลฝอย). Pieces without meaning of their own (งบ, ประมาณ in
// งบประมาณ) are deliberately not components.
constexpr absl::string_view kPhraseTable[] = {
    "กรุงเทพมหานคร|กรุงเทพ|มหานคร",
    "กรุงเทพฯ|กรุงเทพ",
    "สำนักงานเขต|สำนักงาน|เขต",
    "โรงพยาบาล|พยาบาล",
    "โรงเรียน",
    "งบประมาณ",
    "ก่อสร้าง",
    "ปรับปรุง",
    "น้ำท่วม|น้ำ",
    "ระบายน้ำ|ระบาย|น้ำ",
    "ประตูระบายน้ำ|ประตู|ระบายน้ำ|น้ำ",
    "น้ำเสีย|น้ำ",
    "บำบัดน้ำเสีย|บำบัด|น้ำเสีย|น้ำ",
    "ศูนย์บริการสาธารณสุข|ศูนย์|บริการ|สาธารณสุข",
    "ขยะมูลฝอย|ขยะ|มูลฝอย",
    "สิ่งแวดล้อม",
    "สิ่งปฏิกูล",
    "ค่าใช้จ่าย",
    "รายจ่าย",
    "ผู้สูงอายุ",
    "ผู้สูงวัย",
    // ICU splits these into a noun and a stop word (ราย|ได้, ที่|อยู่|อาศัย).
    "รายได้",
    "ที่อยู่อาศัย",
    "ผู้ด้อยโอกาส",
    "คนพิการ|พิการ",
    "ยาเสพติด|เสพติด",
    "สารเสพติด|เสพติด",
    "ส่งเสริม",
    "ท่องเที่ยว",
    "อาสาสมัคร",
    "เทศกิจ",
    "ช่วยเหลือ",
    "เรียนรู้",
    "แม่น้ำเจ้าพระยา|แม่น้ำ|เจ้าพระยา",
    "ขนส่งมวลชน|ขนส่ง|มวลชน",
    "ฐานข้อมูล|ข้อมูล",
    // ICU reads โครงการบูรณาการ as โครง|กา|รบู|รณา|การ; these two fix it.
    "โครงการ",
    "บูรณาการ",
    "แก้มลิง",
    "พื้นฐาน",
    "เจ้าหน้าที่",
    // Reinforced concrete; ICU returns ค.ส.ล + "." otherwise.
    "ค.ส.ล.",
};

// Head nouns of Thai place and facility compounds. ICU's dictionary holds
// some compounds as single words (คลองเตย, ศูนย์เยาวชน, เลียบคลอง); splitting
// them lets a search for the head find them. A head may also be matched
// inside or at the end of a word only when its spelling cannot hide in an
// unrelated word: วัด hides in จังหวัด and สวน in กระสวน, so those two only
// count at the start.
struct CompoundHead {
  absl::string_view text;
  bool also_inside_a_word;
};
// clang-format off
constexpr CompoundHead kCompoundHeads[] = {
    {"คลอง", true},  {"ถนน", true},   {"ซอย", true},    {"สะพาน", true},
    {"ศูนย์", true},  {"ตลาด", true},  {"สถานี", true},  {"สวน", false},
    {"วัด", false},
};
// clang-format on

// Function words that carry no subject. การ and ความ only ever reach this
// list when they stand alone (nominalisers before a verb); in a dictionary
// word such as การเกษตร they stay part of the word. Verbs such as มา and ไป
// are not here: they are parts of place names (ถนนมาเจริญ).
// clang-format off
constexpr absl::string_view kStopWords[] = {
    "และ", "หรือ", "ของ", "ใน", "การ", "ความ", "ที่", "ซึ่ง", "อัน", "เพื่อ",
    "กับ", "จาก", "โดย", "แก่", "แด่", "ให้", "ได้", "ถึง", "ตาม", "ต่อ",
    "ด้วย", "แห่ง", "เป็น", "มี", "จะ", "สู่", "ยัง", "ว่า",
    "นั้น", "นี้", "ทั้ง", "ๆ", "ฯ", "a", "an", "and", "of", "the", "for",
    "in", "on", "to",
};
// clang-format on

// Words that only label the kind of line (see IsKeywordCandidate).
constexpr absl::string_view kStructuralWords[] = {"โครงการ", "งาน", "ผลผลิต"};

icu::UnicodeString ToUnicode(absl::string_view utf8) {
  return icu::UnicodeString::fromUTF8(icu::StringPiece(utf8.data(), static_cast<int32_t>(utf8.size())));
}

// text[begin, end) as UTF-8, exactly as UnicodeString::toUTF8String writes
// it (an unpaired surrogate becomes U+FFFD) but without its temporary
// string and conversion setup: it runs once per token.
std::string ToUtf8(const icu::UnicodeString& text, int32_t begin, int32_t end) {
  std::string out;
  out.reserve(static_cast<size_t>(end - begin) * 3);
  for (int32_t i = begin; i < end; ++i) {
    uint32_t c = text.charAt(i);
    if (U16_IS_LEAD(c) && i + 1 < end && U16_IS_TRAIL(text.charAt(i + 1))) {
      c = U16_GET_SUPPLEMENTARY(c, text.charAt(i + 1));
      ++i;
    } else if (U16_IS_SURROGATE(c)) {
      c = 0xFFFD;
    }
    if (c < 0x80) {
      out.push_back(static_cast<char>(c));
    } else if (c < 0x800) {
      out.push_back(static_cast<char>(0xC0 | (c >> 6)));
      out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
    } else if (c < 0x10000) {
      out.push_back(static_cast<char>(0xE0 | (c >> 12)));
      out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
    } else {
      out.push_back(static_cast<char>(0xF0 | (c >> 18)));
      out.push_back(static_cast<char>(0x80 | ((c >> 12) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
    }
  }
  return out;
}

// ICU break iterators are not thread-safe and are costly to create, so each
// thread keeps one. The Thai word rules are the same for every Segmenter, so
// sharing one per thread across instances is safe.
icu::BreakIterator* ThreadThaiWordIterator() {
  thread_local std::unique_ptr<icu::BreakIterator> iterator = [] {
    UErrorCode status = U_ZERO_ERROR;
    std::unique_ptr<icu::BreakIterator> created(icu::BreakIterator::createWordInstance(icu::Locale("th"), status));
    if (U_FAILURE(status)) created.reset();
    return created;
  }();
  return iterator.get();
}

// Word boundaries of text[from, to) as absolute offsets, including both ends.
std::vector<int32_t> IcuBoundaries(const icu::UnicodeString& text, int32_t from, int32_t to) {
  std::vector<int32_t> boundaries;
  icu::BreakIterator* iterator = ThreadThaiWordIterator();
  if (iterator == nullptr || from >= to) {
    // Without ICU the whole range is one word; Create() refuses to build a
    // Segmenter in that state, so this is only a guard.
    boundaries.push_back(from);
    if (to > from) boundaries.push_back(to);
    return boundaries;
  }
  const icu::UnicodeString range = text.tempSubStringBetween(from, to);
  iterator->setText(range);
  for (int32_t b = iterator->first(); b != icu::BreakIterator::DONE; b = iterator->next()) {
    boundaries.push_back(from + b);
  }
  return boundaries;
}

bool IsThaiLeadingVowel(UChar c) { return c >= 0x0E40 && c <= 0x0E44; }

// Vowel signs, tone marks and other marks written above, below or after a
// consonant: they can never start a Thai syllable.
bool IsThaiNonInitial(UChar c) {
  return c == 0x0E30 || c == 0x0E31 || c == 0x0E32 || c == 0x0E33 || (c >= 0x0E34 && c <= 0x0E3A) || c == 0x0E45 ||
         (c >= 0x0E47 && c <= 0x0E4E);
}

bool IsThaiMark(UChar c) { return c == 0x0E31 || (c >= 0x0E34 && c <= 0x0E3A) || (c >= 0x0E47 && c <= 0x0E4E); }

// Whether a word may start at `pos` without cutting a Thai cluster.
bool IsClusterStart(const icu::UnicodeString& text, int32_t pos) {
  if (pos <= 0 || pos >= text.length()) return true;
  return !IsThaiNonInitial(text.charAt(pos)) && !IsThaiLeadingVowel(text.charAt(pos - 1));
}

// Code units that are not combining marks; a lone final consonant such as
// the ง of น้ำเสียง counts 1.
int32_t BaseUnitCount(const icu::UnicodeString& text, int32_t begin, int32_t end) {
  int32_t count = 0;
  for (int32_t i = begin; i < end; ++i) {
    if (!IsThaiMark(text.charAt(i))) ++count;
  }
  return count;
}

bool IsWordLike(const icu::UnicodeString& text, int32_t begin, int32_t end) {
  for (int32_t i = begin; i < end;) {
    const UChar32 c = text.char32At(i);
    if (u_isalnum(c)) return true;
    i += U16_LENGTH(c);
  }
  return false;
}

// Normalised text plus, for each of its UTF-16 units, the range of source
// units it came from, so offsets can be reported in the caller's string.
struct NormalizedText {
  icu::UnicodeString text;
  bool identity = true;  // text == source; the maps below are then empty.
  std::vector<int32_t> source_begin;
  std::vector<int32_t> source_end;

  int32_t SourceBegin(int32_t unit) const { return identity ? unit : source_begin[unit]; }
  int32_t SourceEndOfLastUnit(int32_t unit) const { return identity ? unit + 1 : source_end[unit]; }
};

// Same answer as the Unicode property, without its set lookup for the two
// scripts budget names are written in: ASCII folds only A-Z, Thai has no case.
bool ChangesWhenCaseFolded(UChar32 c) {
  if (c < 0x80) return c >= 'A' && c <= 'Z';
  if (c >= 0x0E00 && c <= 0x0E7F) return false;
  return u_hasBinaryProperty(c, UCHAR_CHANGES_WHEN_CASEFOLDED);
}

bool NeedsNormalization(const icu::UnicodeString& source, const icu::Normalizer2& nfc) {
  // Fast exact answer for text of ASCII and Thai only (every budget name).
  // No such character has a canonical decomposition or composition, so the
  // text is NFC unless two combining marks are out of canonical order; and
  // only A-Z and Thai digits change under the other two mappings.
  bool ascii_and_thai = true;
  uint8_t previous_class = 0;
  for (int32_t i = 0; i < source.length(); ++i) {
    const UChar c = source.charAt(i);
    if (c < 0x80) {
      if (c >= 'A' && c <= 'Z') return true;
      previous_class = 0;
    } else if (c >= 0x0E00 && c <= 0x0E7F) {
      if (c >= 0x0E50 && c <= 0x0E59) return true;
      const uint8_t combining_class = u_getCombiningClass(c);
      if (combining_class != 0 && combining_class < previous_class) {
        return true;
      }
      previous_class = combining_class;
    } else {
      ascii_and_thai = false;
      break;
    }
  }
  if (ascii_and_thai) return false;

  UErrorCode status = U_ZERO_ERROR;
  if (!nfc.isNormalized(source, status) || U_FAILURE(status)) return true;
  for (int32_t i = 0; i < source.length();) {
    const UChar32 c = source.char32At(i);
    if ((c >= 0x0E50 && c <= 0x0E59) || ChangesWhenCaseFolded(c)) {
      return true;
    }
    i += U16_LENGTH(c);
  }
  return false;
}

// NFC, Thai digits to ASCII, full case folding. Done chunk by chunk between
// NFC boundaries so that every output unit maps back to its source chunk.
// Takes `source` by value so already-normal text (nearly every line) is
// moved, not copied.
NormalizedText NormalizeWithOffsets(icu::UnicodeString source) {
  NormalizedText result;
  UErrorCode status = U_ZERO_ERROR;
  const icu::Normalizer2* nfc = icu::Normalizer2::getNFCInstance(status);
  if (U_FAILURE(status) || !NeedsNormalization(source, *nfc)) {
    result.text = std::move(source);
    return result;
  }
  result.identity = false;
  const int32_t length = source.length();
  int32_t chunk_begin = 0;
  while (chunk_begin < length) {
    int32_t chunk_end = chunk_begin + U16_LENGTH(source.char32At(chunk_begin));
    while (chunk_end < length && !nfc->hasBoundaryBefore(source.char32At(chunk_end))) {
      chunk_end += U16_LENGTH(source.char32At(chunk_end));
    }
    status = U_ZERO_ERROR;
    const icu::UnicodeString composed = nfc->normalize(source.tempSubStringBetween(chunk_begin, chunk_end), status);
    icu::UnicodeString mapped;
    for (int32_t i = 0; i < composed.length();) {
      const UChar32 c = composed.char32At(i);
      mapped.append(c >= 0x0E50 && c <= 0x0E59 ? static_cast<UChar32>('0' + (c - 0x0E50)) : c);
      i += U16_LENGTH(c);
    }
    mapped.foldCase(U_FOLD_CASE_DEFAULT);
    result.text.append(mapped);
    for (int32_t i = 0; i < mapped.length(); ++i) {
      result.source_begin.push_back(chunk_begin);
      result.source_end.push_back(chunk_end);
    }
    chunk_begin = chunk_end;
  }
  return result;
}

std::string NormalizeUtf8(absl::string_view text) {
  std::string out;
  NormalizeWithOffsets(ToUnicode(text)).text.toUTF8String(out);
  return out;
}

// A stretch of normalised text that is one main token candidate.
struct Span {
  int32_t begin = 0;
  int32_t end = 0;
  int phrase = -1;  // Index into Impl::phrases, or -1 for an ICU word.
};

}  // namespace

struct Segmenter::Impl {
  struct Phrase {
    icu::UnicodeString text;
    std::vector<icu::UnicodeString> components;
  };

  std::vector<Phrase> phrases;
  // Phrase indices by first code unit, longest phrase first.
  absl::flat_hash_map<UChar, std::vector<int>> phrases_by_first_unit;
  struct Head {
    icu::UnicodeString text;
    bool inside = false;  // May also match inside a word.
  };
  std::vector<Head> compound_heads;  // Longest first.
  absl::flat_hash_set<UChar> head_first_units;
  absl::flat_hash_set<std::string> stop_words;
  absl::flat_hash_set<std::string> structural_words;

  // Longest phrase starting at `pos` (a word boundary) whose end is also
  // acceptable, or -1. `boundaries` are ICU's boundaries from `pos` on.
  int PhraseAt(const icu::UnicodeString& text, int32_t pos, const std::vector<int32_t>& boundaries) const {
    const auto found = phrases_by_first_unit.find(text.charAt(pos));
    if (found == phrases_by_first_unit.end()) return -1;
    for (const int index : found->second) {
      const icu::UnicodeString& phrase = phrases[index].text;
      const int32_t end = pos + phrase.length();
      if (end > text.length() || text.compare(pos, phrase.length(), phrase) != 0) {
        continue;
      }
      if (end == text.length() || std::binary_search(boundaries.begin(), boundaries.end(), end)) {
        return index;
      }
      // ICU put no boundary at the phrase end. Trust the phrase only when
      // the rest starts a real syllable: โครงการ|บูรณาการ is right, but
      // น้ำเสีย|ง (in น้ำเสียง, "tone of voice") is not.
      if (!IsClusterStart(text, end)) continue;
      const std::vector<int32_t> rest = IcuBoundaries(text, end, text.length());
      if (rest.size() >= 2 && BaseUnitCount(text, end, rest[1]) >= 2) {
        return index;
      }
    }
    return -1;
  }

  // Splits normalised text into main-token spans (punctuation included).
  std::vector<Span> MainSpans(const icu::UnicodeString& text) const {
    std::vector<Span> spans;
    const int32_t length = text.length();
    std::vector<int32_t> boundaries = IcuBoundaries(text, 0, length);
    int32_t pos = 0;
    while (pos < length) {
      const int phrase = PhraseAt(text, pos, boundaries);
      if (phrase >= 0) {
        const int32_t end = pos + phrases[phrase].text.length();
        spans.push_back({pos, end, phrase});
        if (!std::binary_search(boundaries.begin(), boundaries.end(), end)) {
          // The phrase overrode ICU: re-segment what follows so that the
          // next words line up with the phrase end.
          boundaries = IcuBoundaries(text, end, length);
        }
        pos = end;
        continue;
      }
      auto next = std::upper_bound(boundaries.begin(), boundaries.end(), pos);
      const int32_t end = next == boundaries.end() ? length : *next;
      spans.push_back({pos, end, -1});
      pos = end;
    }
    return spans;
  }

  // Appends a token for text[begin, end) unless it is not a searchable word.
  void Emit(const NormalizedText& normalized, int32_t begin, int32_t end, bool is_component,
            std::vector<Token>& out) const {
    if (begin >= end || !IsWordLike(normalized.text, begin, end)) return;
    std::string word = ToUtf8(normalized.text, begin, end);
    if (stop_words.contains(word)) return;
    out.push_back(
        Token{std::move(word), normalized.SourceBegin(begin), normalized.SourceEndOfLastUnit(end - 1), is_component});
  }

  void EmitComponents(const NormalizedText& normalized, const Span& span, std::vector<Token>& out) const {
    const icu::UnicodeString& text = normalized.text;
    if (span.phrase >= 0) {
      for (const icu::UnicodeString& component : phrases[span.phrase].components) {
        const int32_t at = text.indexOf(component, span.begin, span.end - span.begin);
        if (at >= 0) {
          Emit(normalized, at, at + component.length(), true, out);
        }
      }
      return;
    }
    // The first head in the word wins; the pieces around it must be whole
    // syllables of at least two letters (ศูนย์|เยาวชน, เลียบ|คลอง).
    for (int32_t at = span.begin; at < span.end; ++at) {
      // Most positions start no head; one unit rules them out cheaply.
      if (!head_first_units.contains(text.charAt(at))) continue;
      for (const Head& head : compound_heads) {
        const int32_t head_end = at + head.text.length();
        if (head_end > span.end || (at > span.begin && !head.inside) || (at == span.begin && head_end == span.end) ||
            text.compare(at, head.text.length(), head.text) != 0 || !IsClusterStart(text, at) ||
            !IsClusterStart(text, head_end) || (at > span.begin && BaseUnitCount(text, span.begin, at) < 2) ||
            (head_end < span.end && BaseUnitCount(text, head_end, span.end) < 2)) {
          continue;
        }
        Emit(normalized, span.begin, at, true, out);
        Emit(normalized, at, head_end, true, out);
        Emit(normalized, head_end, span.end, true, out);
        return;
      }
    }
  }

  std::vector<Token> Run(absl::string_view utf8, bool with_components) const {
    std::vector<Token> tokens;
    if (utf8.empty()) return tokens;
    const NormalizedText normalized = NormalizeWithOffsets(ToUnicode(utf8));
    for (const Span& span : MainSpans(normalized.text)) {
      Emit(normalized, span.begin, span.end, false, tokens);
      if (with_components) EmitComponents(normalized, span, tokens);
    }
    if (with_components) {
      // A stable insertion sort: the tokens arrive nearly in order (only a
      // phrase's components can be out of place), so this is linear in
      // practice and gives exactly what std::stable_sort would.
      auto before = [](const Token& a, const Token& b) {
        if (a.begin_utf16 != b.begin_utf16) {
          return a.begin_utf16 < b.begin_utf16;
        }
        if (a.is_component != b.is_component) return !a.is_component;
        return a.end_utf16 < b.end_utf16;
      };
      for (size_t i = 1; i < tokens.size(); ++i) {
        if (!before(tokens[i], tokens[i - 1])) continue;
        Token moving = std::move(tokens[i]);
        size_t j = i;
        for (; j > 0 && before(moving, tokens[j - 1]); --j) {
          tokens[j] = std::move(tokens[j - 1]);
        }
        tokens[j] = std::move(moving);
      }
    }
    return tokens;
  }
};

Segmenter::Segmenter(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Segmenter::~Segmenter() = default;

absl::StatusOr<std::shared_ptr<const Segmenter>> Segmenter::Create() {
  UErrorCode status = U_ZERO_ERROR;
  icu::Normalizer2::getNFCInstance(status);
  if (U_FAILURE(status)) {
    return absl::FailedPreconditionError(absl::StrCat("ICU NFC data unavailable: ", u_errorName(status)));
  }
  if (ThreadThaiWordIterator() == nullptr) {
    return absl::FailedPreconditionError("ICU cannot create a Thai word BreakIterator");
  }
  // A dictionary-less ICU build returns a Thai run as one word.
  if (IcuBoundaries(ToUnicode("ภาษาไทย"), 0, 7).size() < 3) {
    return absl::FailedPreconditionError("ICU has no Thai dictionary data; Thai text cannot be segmented");
  }

  auto impl = std::make_unique<Impl>();
  for (const absl::string_view entry : kPhraseTable) {
    std::vector<absl::string_view> parts = absl::StrSplit(entry, '|');
    Impl::Phrase phrase;
    phrase.text = ToUnicode(NormalizeUtf8(parts[0]));
    for (size_t i = 1; i < parts.size(); ++i) {
      icu::UnicodeString component = ToUnicode(NormalizeUtf8(parts[i]));
      if (phrase.text.indexOf(component) < 0) {
        return absl::InternalError(absl::StrCat("phrase component ", parts[i], " is not inside ", parts[0]));
      }
      phrase.components.push_back(std::move(component));
    }
    impl->phrases.push_back(std::move(phrase));
  }
  for (int i = 0; i < static_cast<int>(impl->phrases.size()); ++i) {
    impl->phrases_by_first_unit[impl->phrases[i].text.charAt(0)].push_back(i);
  }
  for (auto& [first_unit, indices] : impl->phrases_by_first_unit) {
    std::stable_sort(indices.begin(), indices.end(), [&phrases = impl->phrases](int a, int b) {
      return phrases[a].text.length() > phrases[b].text.length();
    });
  }
  for (const CompoundHead& head : kCompoundHeads) {
    impl->compound_heads.push_back(Impl::Head{ToUnicode(NormalizeUtf8(head.text)), head.also_inside_a_word});
  }
  std::stable_sort(impl->compound_heads.begin(), impl->compound_heads.end(),
                   [](const Impl::Head& a, const Impl::Head& b) { return a.text.length() > b.text.length(); });
  for (const Impl::Head& head : impl->compound_heads) {
    impl->head_first_units.insert(head.text.charAt(0));
  }
  for (const absl::string_view word : kStopWords) {
    impl->stop_words.insert(NormalizeUtf8(word));
  }
  for (const absl::string_view word : kStructuralWords) {
    impl->structural_words.insert(NormalizeUtf8(word));
  }
  return std::shared_ptr<const Segmenter>(new Segmenter(std::move(impl)));
}

std::string Segmenter::Normalize(absl::string_view text) const { return NormalizeUtf8(text); }

std::vector<Token> Segmenter::Tokenize(absl::string_view text) const {
  return impl_->Run(text, /*with_components=*/false);
}

std::vector<Token> Segmenter::IndexTokens(absl::string_view text) const {
  return impl_->Run(text, /*with_components=*/true);
}

absl::StatusOr<std::vector<Token>> Segmenter::Segment(absl::string_view text) const {
  if (text.empty()) {
    return absl::InvalidArgumentError("text must not be empty");
  }
  if (text.size() > kMaxSegmentTextBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("text is ", text.size(), " bytes; the limit is ", kMaxSegmentTextBytes, " bytes"));
  }
  if (!IsValidUtf8(text)) {
    return absl::InvalidArgumentError("text is not valid UTF-8");
  }
  return Tokenize(text);
}

std::vector<std::string> Segmenter::Terms(absl::string_view name, absl::string_view description) const {
  std::vector<std::string> terms;
  for (const absl::string_view field : {name, description}) {
    for (Token& token : IndexTokens(field)) {
      terms.push_back(std::move(token.text));
    }
  }
  std::sort(terms.begin(), terms.end());
  terms.erase(std::unique(terms.begin(), terms.end()), terms.end());
  return terms;
}

bool Segmenter::IsStopWord(absl::string_view term) const { return impl_->stop_words.contains(term); }

bool Segmenter::IsKeywordCandidate(absl::string_view term) const {
  if (term.empty() || IsStopWord(term) || impl_->structural_words.contains(term)) {
    return false;
  }
  if (std::all_of(term.begin(), term.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return false;
  }
  // A single code point (a stray consonant ICU could not attach) says
  // nothing in a word cloud.
  const icu::UnicodeString unicode = ToUnicode(term);
  return unicode.countChar32() > 1;
}

std::vector<std::string> Segmenter::Phrases() const {
  std::vector<std::string> phrases;
  for (const Impl::Phrase& phrase : impl_->phrases) {
    std::string utf8;
    phrase.text.toUTF8String(utf8);
    phrases.push_back(std::move(utf8));
  }
  return phrases;
}

int64_t CountIcuWordBoundaries(absl::string_view utf8_text) {
  icu::BreakIterator* iterator = ThreadThaiWordIterator();
  if (iterator == nullptr) return 0;
  const icu::UnicodeString text = ToUnicode(utf8_text);
  iterator->setText(text);
  int64_t count = 0;
  for (int32_t b = iterator->first(); b != icu::BreakIterator::DONE; b = iterator->next()) {
    ++count;
  }
  return count;
}

int64_t CountIcuWordBoundaries(const std::vector<std::string>& utf8_texts) {
  int64_t total = 0;
  for (const std::string& text : utf8_texts) {
    total += CountIcuWordBoundaries(text);
  }
  return total;
}

bool IsValidUtf8(absl::string_view text) {
  size_t i = 0;
  while (i < text.size()) {
    const auto byte = static_cast<unsigned char>(text[i]);
    if (byte < 0x80) {
      ++i;
      continue;
    }
    int length;
    uint32_t code_point;
    if ((byte & 0xE0) == 0xC0) {
      length = 2;
      code_point = byte & 0x1F;
    } else if ((byte & 0xF0) == 0xE0) {
      length = 3;
      code_point = byte & 0x0F;
    } else if ((byte & 0xF8) == 0xF0) {
      length = 4;
      code_point = byte & 0x07;
    } else {
      return false;
    }
    if (i + length > text.size()) return false;
    for (int k = 1; k < length; ++k) {
      const auto next = static_cast<unsigned char>(text[i + k]);
      if ((next & 0xC0) != 0x80) return false;
      code_point = (code_point << 6) | (next & 0x3F);
    }
    constexpr uint32_t kMinimumForLength[] = {0, 0, 0x80, 0x800, 0x10000};
    if (code_point < kMinimumForLength[length] || code_point > 0x10FFFF ||
        (code_point >= 0xD800 && code_point <= 0xDFFF)) {
      return false;
    }
    i += length;
  }
  return true;
}

}  // namespace bkk::keywords
