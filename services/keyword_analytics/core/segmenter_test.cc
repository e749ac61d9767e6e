// Tests of Thai segmentation on real FY2566 ordinance line names: expected
// words, phrase handling, compounds, stop words, normalisation and offsets.

#include "services/keyword_analytics/core/segmenter.h"

#include <unicode/unistr.h>

#include <algorithm>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_join.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/keyword_analytics/core/testing/ordinance_csv.h"

namespace bkk::keywords {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::Not;

constexpr char kOrdinanceCsv[] = BKK_DATA_DIR "/budget/bma-ordinance-2566-items.csv";

using testing::NewSegmenter;

std::vector<std::string> Texts(const std::vector<Token>& tokens, bool include_components) {
  std::vector<std::string> texts;
  for (const Token& token : tokens) {
    if (include_components || !token.is_component) texts.push_back(token.text);
  }
  return texts;
}

// text.substring(begin, end) as a browser would compute it, in UTF-8.
std::string Utf16Substring(const std::string& text, int32_t begin, int32_t end) {
  std::string out;
  icu::UnicodeString::fromUTF8(text).tempSubStringBetween(begin, end).toUTF8String(out);
  return out;
}

struct RealName {
  const char* name;
  std::vector<std::string> main_tokens;
};

// Real names from the output_or_project column, with the words a reader of
// Thai would pick out. Each case shows one behaviour (see comments).
const std::vector<RealName>& RealNames() {
  static const auto* const kNames = new std::vector<RealName>{
      // Phrases ระบายน้ำ and น้ำท่วม stay whole (ICU: ระบาย|น้ำ, น้ำ|ท่วม);
      // และ is a stop word.
      {"งานระบายน้ำและแก้ไขปัญหาน้ำท่วม", {"งาน", "ระบายน้ำ", "แก้ไข", "ปัญหา", "น้ำท่วม"}},
      {"งานเก็บขยะมูลฝอยและขนถ่ายสิ่งปฏิกูล", {"งาน", "เก็บ", "ขยะมูลฝอย", "ขน", "ถ่าย", "สิ่งปฏิกูล"}},
      // การ standing alone (อำนวย|การ) is a stop word.
      {"งานอำนวยการและบริหารสำนักงานเขต", {"งาน", "อำนวย", "บริหาร", "สำนักงานเขต"}},
      // โรงพยาบาล whole (ICU: โรง|พยาบาล); คลอง is its own word.
      {"ผลผลิตโรงพยาบาลคลองสามวา", {"ผลผลิต", "โรงพยาบาล", "คลอง", "สาม", "วา"}},
      // มา is not a stop word: it belongs to the street name มาเจริญ.
      {"โครงการก่อสร้างสะพานข้ามคลองภาษีเจริญถนนมาเจริญ - ถนนบางบอน 5",
       {"โครงการ", "ก่อสร้าง", "สะพาน", "ข้าม", "คลอง", "ภาษีเจริญ", "ถนน", "มา", "เจริญ", "ถนน", "บาง", "บอน", "5"}},
      // ค.ส.ล. (reinforced concrete) stays one token; brackets are dropped.
      {"โครงการก่อสร้างเขื่อน ค.ส.ล. (ดาดท้องคลอง) "
       "คลองวัดด่านจากถนนวงแหวนอุตสาหกรรมถึงสุดปลายคลองวัดด่าน",
       {"โครงการ", "ก่อสร้าง", "เขื่อน", "ค.ส.ล.", "ดาด", "ท้อง", "คลอง", "คลอง", "วัดด่าน", "ถนน", "วงแหวน", "อุตสาหกรรม",
        "สุด", "ปลาย", "คลอง", "วัดด่าน"}},
      // ICU alone gives โครง|กา|รบู|รณา|การ: the phrase list repairs it.
      {"โครงการบูรณาการความร่วมมือในการพัฒนาประสิทธิภาพการแก้ไขปัญหา"
       "โรคไข้เลือดออกในพื้นที่กรุงเทพมหานคร",
       {"โครงการ", "บูรณาการ", "ร่วม", "มือ", "พัฒนา", "ประสิทธิภาพ", "แก้ไข", "ปัญหา", "โรค", "ไข้", "เลือด", "ออก", "พื้นที่",
        "กรุงเทพมหานคร"}},
      {"โครงการพัฒนา ประเมินและรับรองคุณภาพศูนย์บริการสาธารณสุข",
       {"โครงการ", "พัฒนา", "ประเมิน", "รับรอง", "คุณภาพ", "ศูนย์บริการสาธารณสุข"}},
      {"โครงการกรุงเทพฯ เมืองอาหารปลอดภัย", {"โครงการ", "กรุงเทพฯ", "เมือง", "อาหาร", "ปลอดภัย"}},
      // Latin is case-folded; numbers are kept.
      {"โครงการคัดสรรผลิตภัณฑ์กรุงเทพมหานคร (Bangkok Brand) 2023",
       {"โครงการ", "คัด", "สรร", "ผลิตภัณฑ์", "กรุงเทพมหานคร", "bangkok", "brand", "2023"}},
      // ICU keeps ศูนย์เยาวชน whole; it stays one main token.
      {"ผลผลิตศูนย์กีฬา ศูนย์เยาวชนและลานกีฬา", {"ผลผลิต", "ศูนย์", "กีฬา", "ศูนย์เยาวชน", "ลาน", "กีฬา"}},
      {"โครงการก่อสร้างระบบรวบรวมน้ำเสียบริเวณชุมชนซอยหมู่บ้านเศรษฐกิจ"
       "เข้าโรงควบคุมคุณภาพน้ำหนองแขม",
       {"โครงการ", "ก่อสร้าง", "ระบบ", "รวบรวม", "น้ำเสีย", "บริเวณ", "ชุมชน", "ซอย", "หมู่บ้าน", "เศรษฐกิจ", "เข้า", "โรง",
        "ควบคุม", "คุณภาพ", "น้ำ", "หนองแขม"}},
      // ๆ (repetition mark) and the hyphen are dropped.
      {"เงินสำรองจ่ายทั่วไป - กรณีค่าใช้จ่ายต่าง ๆ เกี่ยวกับน้ำท่วม",
       {"เงิน", "สำรอง", "จ่าย", "ทั่วไป", "กรณี", "ค่าใช้จ่าย", "ต่าง", "เกี่ยว", "น้ำท่วม"}},
      // งบประมาณ whole (ICU: งบ|ประมาณ).
      {"งานงบประมาณโรงเรียน", {"งาน", "งบประมาณ", "โรงเรียน"}},
      {"โครงการก่อสร้างแนวป้องกันน้ำท่วมริมแม่น้ำเจ้าพระยา "
       "บริเวณท่าเรือสี่พระยาถนนเจริญกรุง ซอย 30",
       {"โครงการ", "ก่อสร้าง", "แนว", "ป้องกัน", "น้ำท่วม", "ริม", "แม่น้ำเจ้าพระยา", "บริเวณ", "ท่าเรือ", "สี่พระยา", "ถนน",
        "เจริญกรุง", "ซอย", "30"}},
      // รายได้ whole: ICU's ราย|ได้ would lose ได้ as a stop word.
      {"งานบริหารทั่วไปและจัดเก็บรายได้", {"งาน", "บริหาร", "ทั่วไป", "จัด", "เก็บ", "รายได้"}},
  };
  return *kNames;
}

class SegmenterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    segmenter_ = NewSegmenter();
    ASSERT_NE(segmenter_, nullptr);
  }
  std::shared_ptr<const Segmenter> segmenter_;
};

TEST_F(SegmenterTest, RealNamesGiveExpectedWords) {
  ASSERT_GE(RealNames().size(), 12u);
  for (const RealName& real : RealNames()) {
    EXPECT_EQ(Texts(segmenter_->Tokenize(real.name), false), real.main_tokens)
        << real.name << "\n got: " << absl::StrJoin(Texts(segmenter_->Tokenize(real.name), false), "|");
  }
}

TEST_F(SegmenterTest, TestNamesAreRealOrdinanceNames) {
  absl::StatusOr<std::vector<Line>> lines = testing::LoadOrdinanceLines(kOrdinanceCsv);
  ASSERT_TRUE(lines.ok()) << lines.status();
  std::vector<std::string> names;
  for (const Line& line : *lines) names.push_back(line.name);
  for (const RealName& real : RealNames()) {
    EXPECT_THAT(names, Contains(std::string(real.name)));
  }
}

TEST_F(SegmenterTest, PhraseListWinsWhereIcuSplits) {
  // Raw ICU: 3 boundaries = 2 words.
  EXPECT_EQ(CountIcuWordBoundaries("โรงพยาบาล"), 3);
  EXPECT_EQ(CountIcuWordBoundaries("งบประมาณ"), 3);
  EXPECT_THAT(Texts(segmenter_->Tokenize("โรงพยาบาล"), false), ElementsAre("โรงพยาบาล"));
  EXPECT_THAT(Texts(segmenter_->Tokenize("งบประมาณ"), false), ElementsAre("งบประมาณ"));
  // The longest phrase wins: บำบัดน้ำเสีย over น้ำเสีย.
  EXPECT_THAT(Texts(segmenter_->Tokenize("ระบบบำบัดน้ำเสีย"), false), ElementsAre("ระบบ", "บำบัดน้ำเสีย"));
}

TEST_F(SegmenterTest, PhraseDoesNotStealAFinalConsonant) {
  // น้ำเสียง ("tone of voice") starts with the phrase น้ำเสีย, but cutting
  // there would leave a lone ง.
  EXPECT_THAT(Texts(segmenter_->Tokenize("น้ำเสียง"), false), ElementsAre("น้ำ", "เสียง"));
}

TEST_F(SegmenterTest, CompoundsYieldTheirComponents) {
  // From the phrase list.
  const std::vector<Token> waste = segmenter_->IndexTokens("เก็บขยะมูลฝอย");
  EXPECT_THAT(Texts(waste, true), ElementsAre("เก็บ", "ขยะมูลฝอย", "ขยะ", "มูลฝอย"));
  // From an ICU dictionary compound with a head noun.
  const std::vector<Token> canal = segmenter_->IndexTokens("สำนักงานเขตคลองเตย");
  EXPECT_THAT(Texts(canal, false), ElementsAre("สำนักงานเขต", "คลองเตย"));
  EXPECT_THAT(Texts(canal, true), ElementsAre("สำนักงานเขต", "สำนักงาน", "เขต", "คลองเตย", "คลอง", "เตย"));
  EXPECT_EQ(canal[4].text, "คลอง");
  EXPECT_TRUE(canal[4].is_component);
  EXPECT_EQ(canal[4].begin_utf16, 11);
  EXPECT_EQ(canal[4].end_utf16, 15);
  // The head can also end an ICU word: เลียบคลอง ("along the canal").
  EXPECT_EQ(CountIcuWordBoundaries("เลียบคลอง"), 2);
  EXPECT_THAT(Texts(segmenter_->IndexTokens("เลียบคลอง"), true), ElementsAre("เลียบคลอง", "เลียบ", "คลอง"));
  // But วัด is not found inside จังหวัด (province).
  EXPECT_THAT(segmenter_->Terms("จังหวัด", ""), Not(Contains("วัด")));
  // ICU already splits คลองลาดพร้าว, so คลอง is a main token there.
  EXPECT_THAT(segmenter_->Terms("โครงการขุดลอกคลองลาดพร้าว", ""), Contains("คลอง"));
  EXPECT_THAT(segmenter_->Terms("ผลผลิตศูนย์กีฬา ศูนย์เยาวชน", ""), Contains("เยาวชน"));
}

TEST_F(SegmenterTest, StopWordsAloneAreDropped) {
  EXPECT_THAT(segmenter_->Tokenize("และ ของ ใน การ ที่ เพื่อ กับ จาก โดย"), IsEmpty());
  // การ inside a dictionary word is kept.
  EXPECT_THAT(Texts(segmenter_->Tokenize("การเกษตร"), false), ElementsAre("การเกษตร"));
  EXPECT_TRUE(segmenter_->IsStopWord("และ"));
  EXPECT_FALSE(segmenter_->IsStopWord("คลอง"));
}

TEST_F(SegmenterTest, NormalisesDigitsCaseAndComposition) {
  EXPECT_EQ(segmenter_->Normalize("ปี ๒๕๖๖"), "ปี 2566");
  EXPECT_EQ(segmenter_->Normalize("BMA"), "bma");
  // e + combining acute -> é; offsets still cover both source units.
  const std::vector<Token> tokens = segmenter_->Tokenize("Cafe\u0301 ๒๕๖๖");
  ASSERT_EQ(tokens.size(), 2u);
  EXPECT_EQ(tokens[0].text, "caf\u00e9");
  EXPECT_EQ(tokens[0].begin_utf16, 0);
  EXPECT_EQ(tokens[0].end_utf16, 5);
  EXPECT_EQ(tokens[1].text, "2566");
  EXPECT_EQ(tokens[1].begin_utf16, 6);
  EXPECT_EQ(tokens[1].end_utf16, 10);
}

TEST_F(SegmenterTest, OffsetsPointIntoTheOriginalTextOfEveryRealName) {
  absl::StatusOr<std::vector<Line>> lines = testing::LoadOrdinanceLines(kOrdinanceCsv);
  ASSERT_TRUE(lines.ok()) << lines.status();
  int64_t checked = 0;
  for (const Line& line : *lines) {
    const int32_t length = icu::UnicodeString::fromUTF8(line.name).length();
    for (const Token& token : segmenter_->IndexTokens(line.name)) {
      ASSERT_LE(0, token.begin_utf16);
      ASSERT_LT(token.begin_utf16, token.end_utf16);
      ASSERT_LE(token.end_utf16, length);
      EXPECT_EQ(segmenter_->Normalize(Utf16Substring(line.name, token.begin_utf16, token.end_utf16)), token.text)
          << line.name;
      ++checked;
    }
  }
  EXPECT_GT(checked, 10000);
}

TEST_F(SegmenterTest, TermsIsTheSortedUnionOfNameAndDescription) {
  EXPECT_THAT(segmenter_->Terms("ก่อสร้างถนน", "ถนนและคลอง"), ElementsAre("ก่อสร้าง", "คลอง", "ถนน"));
  EXPECT_THAT(segmenter_->Terms("", ""), IsEmpty());
}

TEST_F(SegmenterTest, KeywordCandidates) {
  EXPECT_TRUE(segmenter_->IsKeywordCandidate("ก่อสร้าง"));
  EXPECT_TRUE(segmenter_->IsKeywordCandidate("คลอง"));
  EXPECT_FALSE(segmenter_->IsKeywordCandidate("โครงการ"));
  EXPECT_FALSE(segmenter_->IsKeywordCandidate("งาน"));
  EXPECT_FALSE(segmenter_->IsKeywordCandidate("2566"));
  EXPECT_FALSE(segmenter_->IsKeywordCandidate("ด"));
  EXPECT_FALSE(segmenter_->IsKeywordCandidate("และ"));
}

TEST_F(SegmenterTest, SegmentValidatesInput) {
  EXPECT_EQ(segmenter_->Segment("").status().code(), absl::StatusCode::kInvalidArgument);
  const std::string too_long(kMaxSegmentTextBytes + 1, 'a');
  EXPECT_EQ(segmenter_->Segment(too_long).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(segmenter_->Segment("\xff\xfe").status().code(), absl::StatusCode::kInvalidArgument);
  std::string at_limit;
  while (at_limit.size() + 3 <= kMaxSegmentTextBytes) at_limit += "ก";
  EXPECT_TRUE(segmenter_->Segment(at_limit).ok());
  absl::StatusOr<std::vector<Token>> tokens = segmenter_->Segment("ก่อสร้างถนน");
  ASSERT_TRUE(tokens.ok());
  EXPECT_THAT(Texts(*tokens, true), ElementsAre("ก่อสร้าง", "ถนน"));
}

TEST(Utf8Test, Validation) {
  EXPECT_TRUE(IsValidUtf8("ก่อสร้าง abc"));
  EXPECT_FALSE(IsValidUtf8("\xc0\xaf"));         // Overlong "/".
  EXPECT_FALSE(IsValidUtf8("\xed\xa0\x80"));     // Surrogate.
  EXPECT_FALSE(IsValidUtf8("\xe0\xb8"));         // Truncated ก.
  EXPECT_TRUE(IsValidUtf8("\xf0\x9f\x98\x80"));  // U+1F600.
}

TEST(RawIcuTest, CountsBoundariesOfManyStrings) {
  EXPECT_EQ(CountIcuWordBoundaries(""), 1);
  EXPECT_EQ(CountIcuWordBoundaries(std::vector<std::string>{"โรงพยาบาล", "ก่อสร้าง"}), 3 + 2);
}

TEST_F(SegmenterTest, SafeToUseFromManyThreads) {
  const std::vector<Token> expected = segmenter_->IndexTokens(RealNames()[5].name);
  std::vector<std::thread> threads;
  std::vector<int> mismatches(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 200; ++i) {
        if (segmenter_->IndexTokens(RealNames()[5].name) != expected) {
          ++mismatches[t];
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_THAT(mismatches, Not(Contains(Not(0))));
}

}  // namespace
}  // namespace bkk::keywords
