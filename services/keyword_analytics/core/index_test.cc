// Tests of IndexSnapshot and SnapshotHolder on the real FY2566 ordinance
// lines. Every count and amount is compared with a brute-force scan that
// uses Segmenter::Terms per line and never looks inside the index.

#include "services/keyword_analytics/core/index.h"

#include <unicode/unistr.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/testing/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/keyword_analytics/core/testing/cloud_policy_oracle.h"
#include "services/keyword_analytics/core/testing/ordinance_csv.h"

namespace bkk::keywords {
namespace {

using ::bkk::testing::IsOk;
using ::bkk::testing::StatusIs;
using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

constexpr char kOrdinanceCsv[] = BKK_DATA_DIR "/budget/bma-ordinance-2566-items.csv";
constexpr char kDistrictOfficePrefix[] = "สำนักงานเขต";
constexpr char kStrategicPlan[] = "งบประมาณภารกิจตามแผนยุทธศาสตร์";

// At least 20 keywords people look for, each a single main token.
const std::vector<std::string>& CheckedKeywords() {
  // clang-format off
  static const auto* const kKeywords = new std::vector<std::string>{
      "ก่อสร้าง", "คลอง", "ถนน", "ขยะ", "น้ำท่วม", "โรงเรียน", "มูลฝอย",
      "กรุงเทพมหานคร", "กรุงเทพ", "โรงพยาบาล", "พยาบาล", "น้ำเสีย", "น้ำ",
      "ศูนย์", "สะพาน", "ซอย", "ระบายน้ำ", "สิ่งแวดล้อม", "ปรับปรุง", "อาคาร",
      "เขต", "ชุมชน", "สาธารณสุข", "งบประมาณ", "เด็ก", "กีฬา", "เทศกิจ",
      "ท่องเที่ยว", "ผู้สูงอายุ", "สำนักงานเขต", "งาน", "เยาวชน",
  };
  // clang-format on
  return *kKeywords;
}

// The real lines plus test-only labels the ordinance does not have:
//  * district ids 1..50 by sorted office name (distinct values suffice here;
//    the official ids belong to budget-data);
//  * synthetic strategy labels on strategic-plan lines (never shown to
//    users; the ordinance does not say which strategy a line serves);
//  * a synthetic description on every 17th line, so description terms are
//    exercised too.
std::vector<Line> LoadFixtureLines() {
  absl::StatusOr<std::vector<Line>> loaded = testing::LoadOrdinanceLines(kOrdinanceCsv);
  EXPECT_TRUE(loaded.ok()) << loaded.status();
  if (!loaded.ok()) return {};
  std::vector<Line> lines = *std::move(loaded);
  std::set<std::string> offices;
  for (const Line& line : lines) {
    if (absl::StartsWith(line.agency, kDistrictOfficePrefix)) {
      offices.insert(line.agency);
    }
  }
  EXPECT_EQ(offices.size(), 50u);
  for (Line& line : lines) {
    const auto office = offices.find(line.agency);
    if (office != offices.end()) {
      line.district_id = static_cast<int32_t>(std::distance(offices.begin(), office)) + 1;
    }
    if (line.plan == kStrategicPlan) {
      line.strategy = absl::StrCat("test-strategy-", line.line_id % 3 + 1);
    }
    if (line.line_id % 17 == 0) {
      line.description = "รายละเอียดทดสอบ จัดซื้อรถเก็บขยะและซ่อมถนน";
    }
  }
  return lines;
}

using testing::NewSegmenter;

using StatTuple = std::tuple<std::string, int64_t, int64_t>;

std::vector<StatTuple> AsTuples(const std::vector<KeywordStat>& stats) {
  std::vector<StatTuple> tuples;
  for (const KeywordStat& stat : stats) {
    tuples.emplace_back(stat.term, stat.line_count, stat.amount_baht_total);
  }
  return tuples;
}

std::string Utf16Substring(const std::string& text, int32_t begin, int32_t end) {
  std::string out;
  icu::UnicodeString::fromUTF8(text).tempSubStringBetween(begin, end).toUTF8String(out);
  return out;
}

// The oracle: linear scans over lines and their Segmenter::Terms.
class BruteForce final {
 public:
  BruteForce(const std::vector<Line>& lines, const Segmenter& segmenter) : lines_(lines), segmenter_(segmenter) {
    testing::CloudPolicyOracle oracle;
    for (const Line& line : lines) {
      terms_.push_back(segmenter.Terms(line.name, line.description));
      oracle.Add(line.agency, terms_.back());
    }
    hidden_ = oracle.Hidden(segmenter);
  }

  bool Hidden(const std::string& term) const { return hidden_.count(term) != 0; }

  static bool Passes(const Line& line, const Filter& filter) {
    return (filter.fiscal_year == 0 || line.fiscal_year == filter.fiscal_year) &&
           (filter.agency.empty() || line.agency == filter.agency) &&
           (filter.mission_type.empty() || line.plan == filter.mission_type) &&
           (filter.strategy_id.empty() || line.strategy == filter.strategy_id) &&
           (filter.district_id == 0 || line.district_id == filter.district_id);
  }

  bool Contains(size_t i, const std::string& term) const {
    return std::binary_search(terms_[i].begin(), terms_[i].end(), term);
  }

  KeywordStat Count(const std::string& term, const Filter& filter) const {
    KeywordStat stat{term, 0, 0};
    for (size_t i = 0; i < lines_.size(); ++i) {
      if (Passes(lines_[i], filter) && Contains(i, term)) {
        ++stat.line_count;
        stat.amount_baht_total += lines_[i].amount_baht;
      }
    }
    return stat;
  }

  std::vector<KeywordStat> TopKeywords(const Filter& filter, size_t limit) const {
    std::map<std::string, std::pair<int64_t, int64_t>> counts;
    for (size_t i = 0; i < lines_.size(); ++i) {
      if (!Passes(lines_[i], filter)) continue;
      for (const std::string& term : terms_[i]) {
        if (!segmenter_.IsKeywordCandidate(term) || Hidden(term)) continue;
        ++counts[term].first;
        counts[term].second += lines_[i].amount_baht;
      }
    }
    std::vector<KeywordStat> stats;
    for (const auto& [term, count] : counts) {
      stats.push_back(KeywordStat{term, count.first, count.second});
    }
    std::sort(stats.begin(), stats.end(), [](const KeywordStat& a, const KeywordStat& b) {
      return std::make_tuple(-a.line_count, -a.amount_baht_total, a.term) <
             std::make_tuple(-b.line_count, -b.amount_baht_total, b.term);
    });
    if (stats.size() > limit) stats.resize(limit);
    return stats;
  }

  std::vector<std::string> QueryTerms(const std::string& query) const {
    std::vector<std::string> terms;
    for (const Token& token : segmenter_.Tokenize(query)) {
      terms.push_back(token.text);
    }
    std::sort(terms.begin(), terms.end());
    terms.erase(std::unique(terms.begin(), terms.end()), terms.end());
    return terms;
  }

  int32_t Relevance(const Line& line, const std::vector<std::string>& query_terms) const {
    int32_t occurrences = 0;
    for (const Token& token : segmenter_.IndexTokens(line.name)) {
      if (std::binary_search(query_terms.begin(), query_terms.end(), token.text)) {
        ++occurrences;
      }
    }
    return occurrences;
  }

  // Line ids of all matches in the order Search must return them.
  std::vector<int64_t> SearchOrder(const std::string& query, const Filter& filter, SortOrder sort,
                                   int64_t* total_amount) const {
    const std::vector<std::string> query_terms = QueryTerms(query);
    struct Row {
      int32_t relevance;
      int64_t amount;
      int64_t line_id;
    };
    std::vector<Row> rows;
    *total_amount = 0;
    for (size_t i = 0; i < lines_.size(); ++i) {
      if (!Passes(lines_[i], filter)) continue;
      const bool all = std::all_of(query_terms.begin(), query_terms.end(),
                                   [&](const std::string& term) { return Contains(i, term); });
      if (!all) continue;
      *total_amount += lines_[i].amount_baht;
      rows.push_back(Row{Relevance(lines_[i], query_terms), lines_[i].amount_baht, lines_[i].line_id});
    }
    std::sort(rows.begin(), rows.end(), [sort](const Row& a, const Row& b) {
      switch (sort) {
        case SortOrder::kRelevance:
          return std::make_tuple(-a.relevance, -a.amount, a.line_id) <
                 std::make_tuple(-b.relevance, -b.amount, b.line_id);
        case SortOrder::kAmountDesc:
          return std::make_tuple(-a.amount, a.line_id) < std::make_tuple(-b.amount, b.line_id);
        case SortOrder::kAmountAsc:
          return std::make_tuple(a.amount, a.line_id) < std::make_tuple(b.amount, b.line_id);
      }
      return false;
    });
    std::vector<int64_t> ids;
    for (const Row& row : rows) ids.push_back(row.line_id);
    return ids;
  }

 private:
  std::set<std::string> hidden_;
  const std::vector<Line>& lines_;
  const Segmenter& segmenter_;
  std::vector<std::vector<std::string>> terms_;
};

// Walks every page; fails the test on an error or a runaway loop.
std::vector<SearchHit> AllPages(const IndexSnapshot& index, SearchRequest request, int64_t* total_count,
                                int64_t* total_amount) {
  std::vector<SearchHit> hits;
  for (int page_number = 0; page_number < 10000; ++page_number) {
    absl::StatusOr<SearchPage> page = index.Search(request);
    EXPECT_TRUE(page.ok()) << page.status();
    if (!page.ok()) break;
    *total_count = page->total_count;
    *total_amount = page->total_amount_baht;
    const size_t page_limit = static_cast<size_t>(request.page_size == 0 ? kDefaultPageSize : request.page_size);
    EXPECT_LE(page->hits.size(), page_limit);
    for (SearchHit& hit : page->hits) hits.push_back(std::move(hit));
    if (page->next_page_token.empty()) break;
    EXPECT_EQ(page->hits.size(), page_limit) << "short page before the end";
    request.page_token = page->next_page_token;
  }
  return hits;
}

class RealDataIndexTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    lines_ = new std::vector<Line>(LoadFixtureLines());
    segmenter_ = new std::shared_ptr<const Segmenter>(NewSegmenter());
    const absl::Time start = absl::Now();
    absl::StatusOr<std::shared_ptr<const IndexSnapshot>> index =
        IndexSnapshot::Build(*lines_, "fy2566-test", *segmenter_);
    build_time_ = absl::Now() - start;
    EXPECT_TRUE(index.ok()) << index.status();
    index_ = new std::shared_ptr<const IndexSnapshot>(index.ok() ? *index : nullptr);
    brute_ = new BruteForce(*lines_, **segmenter_);
  }

  static void TearDownTestSuite() {
    delete brute_;
    delete index_;
    delete segmenter_;
    delete lines_;
  }

  void SetUp() override { ASSERT_NE(*index_, nullptr); }

  const IndexSnapshot& index() const { return **index_; }
  const std::vector<Line>& lines() const { return *lines_; }
  const BruteForce& brute() const { return *brute_; }
  const Line& LineById(int64_t id) const { return lines()[id - 1]; }

  static std::vector<Line>* lines_;
  static std::shared_ptr<const Segmenter>* segmenter_;
  static std::shared_ptr<const IndexSnapshot>* index_;
  static BruteForce* brute_;
  static absl::Duration build_time_;
};

std::vector<Line>* RealDataIndexTest::lines_ = nullptr;
std::shared_ptr<const Segmenter>* RealDataIndexTest::segmenter_ = nullptr;
std::shared_ptr<const IndexSnapshot>* RealDataIndexTest::index_ = nullptr;
BruteForce* RealDataIndexTest::brute_ = nullptr;
absl::Duration RealDataIndexTest::build_time_;

TEST_F(RealDataIndexTest, StatusDescribesTheBuild) {
  const IndexStatus status = index().Status();
  EXPECT_EQ(status.release_version, "fy2566-test");
  EXPECT_EQ(status.line_count, 1766);
  EXPECT_GT(status.term_count, 500);
  EXPECT_GT(status.approximate_memory_bytes, 0);
  EXPECT_GE(status.build_duration_ms, 0);
  std::cout << "[ build    ] " << status.line_count << " lines, " << status.term_count << " terms, "
            << absl::FormatDuration(build_time_) << ", ~" << status.approximate_memory_bytes / 1024 << " KiB\n";
}

TEST_F(RealDataIndexTest, UnfilteredTopKeywordsEqualBruteForce) {
  for (const int limit : {1, 10, kMaxKeywordLimit}) {
    absl::StatusOr<std::vector<KeywordStat>> top = index().TopKeywords(Filter{}, limit);
    ASSERT_TRUE(top.ok()) << top.status();
    EXPECT_EQ(AsTuples(*top), AsTuples(brute().TopKeywords(Filter{}, limit)));
  }
  absl::StatusOr<std::vector<KeywordStat>> top = index().TopKeywords(Filter{}, 50);
  ASSERT_TRUE(top.ok());
  for (const KeywordStat& stat : *top) {
    EXPECT_FALSE(stat.term == "โครงการ" || stat.term == "งาน" || stat.term == "และ" || stat.term == "การ") << stat.term;
  }
}

TEST_F(RealDataIndexTest, TheCloudHidesBoilerplateAndSaysWhy) {
  std::map<std::string, HiddenKeyword> hidden;
  for (const HiddenKeyword& h : index().hidden_keywords()) hidden[h.term] = h;
  EXPECT_EQ(index().agency_count(), 74);
  // The examples: boilerplate, by the agency share or the review.
  for (const char* word : {"กรุงเทพมหานคร", "ทั่วไป", "บริหาร", "ฝ่าย"}) {
    EXPECT_EQ(hidden.count(word), 1u) << word << " is still in the cloud";
  }
  for (const auto& [term, h] : hidden) {
    EXPECT_TRUE(brute().Hidden(term)) << term;
    if (h.reason == HiddenReason::kBoilerplate) {
      EXPECT_GT(h.agency_count * 10, index().agency_count() * 9) << term;
      EXPECT_FALSE(IsTopicalKeyword(term)) << term << ": a topical word is never boilerplate";
    }
  }
  // Topical words common to every district office stay.
  absl::StatusOr<std::vector<KeywordStat>> top = index().TopKeywords(Filter{}, 60);
  ASSERT_TRUE(top.ok());
  std::set<std::string> shown;
  for (const KeywordStat& k : *top) {
    shown.insert(k.term);
    EXPECT_EQ(hidden.count(k.term), 0u) << k.term;
    EXPECT_EQ(k.topical, IsTopicalKeyword(k.term)) << k.term;
  }
  for (const char* topic : {"ถนน", "ขยะ", "น้ำท่วม", "ผู้สูงอายุ"}) {
    EXPECT_EQ(shown.count(topic), 1u) << topic << ": a topic common to every district office is not boilerplate";
  }
  for (const absl::string_view topic : TopicalKeywords()) EXPECT_EQ(hidden.count(std::string(topic)), 0u) << topic;
}

TEST_F(RealDataIndexTest, SingleFacetTopKeywordsEqualBruteForce) {
  std::vector<Filter> filters;
  std::set<std::string> agencies, plans, strategies;
  for (const Line& line : lines()) {
    agencies.insert(line.agency);
    plans.insert(line.plan);
    strategies.insert(line.strategy);
  }
  for (const std::string& agency : agencies) {
    filters.push_back(Filter{0, agency, "", "", 0});
  }
  for (const std::string& plan : plans) {
    if (!plan.empty()) filters.push_back(Filter{0, "", plan, "", 0});
  }
  for (const std::string& strategy : strategies) {
    if (!strategy.empty()) filters.push_back(Filter{0, "", "", strategy, 0});
  }
  for (int32_t district = 1; district <= 50; ++district) {
    filters.push_back(Filter{0, "", "", "", district});
  }
  filters.push_back(Filter{2566, "", "", "", 0});
  ASSERT_GT(filters.size(), 120u);
  for (const Filter& filter : filters) {
    for (const int limit : {5, kMaxKeywordLimit}) {
      absl::StatusOr<std::vector<KeywordStat>> top = index().TopKeywords(filter, limit);
      ASSERT_TRUE(top.ok()) << top.status();
      EXPECT_EQ(AsTuples(*top), AsTuples(brute().TopKeywords(filter, limit)))
          << filter.agency << filter.mission_type << filter.strategy_id << filter.district_id;
    }
  }
}

TEST_F(RealDataIndexTest, CombinedFilterTopKeywordsEqualBruteForce) {
  const std::vector<Filter> filters = {
      {2566, "สำนักการระบายน้ำ", "", "", 0},
      {0, "สำนักการระบายน้ำ", kStrategicPlan, "", 0},
      {2566, "", "งบประมาณภารกิจประจำพื้นฐาน", "", 7},
      {0, "", kStrategicPlan, "test-strategy-2", 0},
      {2566, "", "", "test-strategy-1", 0},
      {0, "", "", "test-strategy-3", 12},
      {2566, "สำนักการโยธา", kStrategicPlan, "test-strategy-1", 0},
      // Contradictory: a district with another office's agency.
      {0, "สำนักการโยธา", "", "", 3},
  };
  for (const Filter& filter : filters) {
    for (const int limit : {3, 100, kMaxKeywordLimit}) {
      absl::StatusOr<std::vector<KeywordStat>> top = index().TopKeywords(filter, limit);
      ASSERT_TRUE(top.ok()) << top.status();
      EXPECT_EQ(AsTuples(*top), AsTuples(brute().TopKeywords(filter, limit)))
          << filter.agency << "/" << filter.mission_type << "/" << filter.strategy_id << "/" << filter.district_id;
    }
  }
}

TEST_F(RealDataIndexTest, UnknownFilterValuesMatchNothing) {
  for (const Filter& filter : {Filter{2567, "", "", "", 0}, Filter{0, "ไม่มีหน่วยงานนี้", "", "", 0},
                               Filter{0, "", "", "", 99}, Filter{2566, "", "", "ไม่มี", 1}}) {
    absl::StatusOr<std::vector<KeywordStat>> top = index().TopKeywords(filter, 10);
    ASSERT_TRUE(top.ok());
    EXPECT_THAT(*top, IsEmpty());
    SearchRequest request;
    request.query = "ก่อสร้าง";
    request.filter = filter;
    absl::StatusOr<SearchPage> page = index().Search(request);
    ASSERT_TRUE(page.ok());
    EXPECT_EQ(page->total_count, 0);
  }
}

TEST_F(RealDataIndexTest, KeywordCountsAndAmountsEqualBruteForce) {
  absl::StatusOr<std::vector<KeywordStat>> top = index().TopKeywords(Filter{}, kMaxKeywordLimit);
  ASSERT_TRUE(top.ok());
  std::map<std::string, KeywordStat> listed;
  for (const KeywordStat& stat : *top) listed[stat.term] = stat;

  ASSERT_GE(CheckedKeywords().size(), 20u);
  for (const std::string& keyword : CheckedKeywords()) {
    SCOPED_TRACE(keyword);
    ASSERT_EQ(brute().QueryTerms(keyword), std::vector<std::string>{keyword});
    const KeywordStat expected = brute().Count(keyword, Filter{});
    EXPECT_GT(expected.line_count, 0) << "not in the data";

    SearchRequest request;
    request.query = keyword;
    absl::StatusOr<SearchPage> page = index().Search(request);
    ASSERT_TRUE(page.ok()) << page.status();
    EXPECT_EQ(page->total_count, expected.line_count);
    EXPECT_EQ(page->total_amount_baht, expected.amount_baht_total);

    if ((*segmenter_)->IsKeywordCandidate(keyword) && listed.size() < static_cast<size_t>(kMaxKeywordLimit)) {
      ASSERT_TRUE(listed.count(keyword));
      EXPECT_EQ(listed[keyword].line_count, expected.line_count);
      EXPECT_EQ(listed[keyword].amount_baht_total, expected.amount_baht_total);
    }

    absl::StatusOr<std::vector<KeywordStat>> suggestions = index().Suggest(keyword, kMaxSuggestLimit);
    ASSERT_TRUE(suggestions.ok());
    const auto own = std::find_if(suggestions->begin(), suggestions->end(),
                                  [&](const KeywordStat& stat) { return stat.term == keyword; });
    ASSERT_NE(own, suggestions->end());
    EXPECT_EQ(own->line_count, expected.line_count);
    EXPECT_EQ(own->amount_baht_total, expected.amount_baht_total);
  }
}

TEST_F(RealDataIndexTest, CanalFindsRealCompoundsWithCanal) {
  // The FY2566 ordinance has no line named คลองลาดพร้าว (ลาดพร้าว appears
  // only as an agency), so real compounds with คลอง stand in for it.
  for (const Line& line : lines()) {
    EXPECT_FALSE(absl::StrContains(line.name, "คลองลาดพร้าว"));
  }
  SearchRequest request;
  request.query = "คลอง";
  request.page_size = kMaxPageSize;
  absl::StatusOr<SearchPage> page = index().Search(request);
  ASSERT_TRUE(page.ok());
  std::vector<std::string> names;
  for (const SearchHit& hit : page->hits) names.push_back(hit.name);
  EXPECT_THAT(names, Contains("ผลผลิตโรงพยาบาลคลองสามวา"));
  EXPECT_THAT(names, Contains(HasSubstr("คลองแสนแสบ")));
  EXPECT_THAT(names, Contains(HasSubstr("คลองภาษีเจริญ")));
  // Every line whose name contains the letters คลอง is found (none of them
  // is a different word that merely contains them).
  int64_t with_letters = 0;
  for (const Line& line : lines()) {
    if (absl::StrContains(line.name, "คลอง")) ++with_letters;
  }
  EXPECT_EQ(page->total_count, with_letters);
}

TEST(SmallIndexTest, WordInsideCompoundIsFound) {
  std::shared_ptr<const Segmenter> segmenter = NewSegmenter();
  ASSERT_NE(segmenter, nullptr);
  const std::vector<Line> lines = {
      {1, 2566, "สำนักงานเขตลาดพร้าว", "", "โครงการขุดลอกคลองลาดพร้าว", "", 100, "", 38},
      {2, 2566, "สำนักงานเขตคลองเตย", "", "ปรับปรุงทางเดินริมคลองเตย", "", 200, "", 33},
      {3, 2566, "สำนักการโยธา", "", "ก่อสร้างถนน", "ขยายถนนเลียบคลองประปา", 300, "", 0},
      {4, 2566, "สำนักการโยธา", "", "ก่อสร้างสะพาน", "", 400, "", 0},
  };
  absl::StatusOr<std::shared_ptr<const IndexSnapshot>> index = IndexSnapshot::Build(lines, "small", segmenter);
  ASSERT_TRUE(index.ok()) << index.status();
  auto ids_for = [&](const std::string& query) {
    SearchRequest request;
    request.query = query;
    request.sort = SortOrder::kAmountAsc;
    std::vector<int64_t> ids;
    absl::StatusOr<SearchPage> page = (*index)->Search(request);
    EXPECT_TRUE(page.ok()) << page.status();
    if (page.ok()) {
      for (const SearchHit& hit : page->hits) ids.push_back(hit.line_id);
    }
    return ids;
  };
  EXPECT_EQ(ids_for("คลอง"), (std::vector<int64_t>{1, 2, 3}));
  EXPECT_EQ(ids_for("คลองลาดพร้าว"), (std::vector<int64_t>{1}));
  EXPECT_EQ(ids_for("คลองเตย"), (std::vector<int64_t>{2}));
  EXPECT_EQ(ids_for("ก่อสร้าง"), (std::vector<int64_t>{3, 4}));
  EXPECT_EQ(ids_for("ก่อสร้างสะพาน"), (std::vector<int64_t>{4}));
  // คลอง of line 3 is in its description, inside ICU's one word เลียบคลอง
  // ("along the canal"): found, but there is nothing to highlight.
  SearchRequest request;
  request.query = "คลอง";
  absl::StatusOr<SearchPage> page = (*index)->Search(request);
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->hits.size(), 3u);
  EXPECT_EQ(page->hits.back().line_id, 3);
  EXPECT_THAT(page->hits.back().highlights, IsEmpty());
  const SearchHit& canal = page->hits.front();
  ASSERT_EQ(canal.highlights.size(), 1u);
  EXPECT_EQ(Utf16Substring(canal.name, canal.highlights[0].begin_utf16, canal.highlights[0].end_utf16), "คลอง");
}

TEST_F(RealDataIndexTest, NoMatchIsAnEmptyOkPage) {
  for (const std::string query : {"ดาวอังคาร", "spaceship", "คลอง ดาวอังคาร"}) {
    SearchRequest request;
    request.query = query;
    absl::StatusOr<SearchPage> page = index().Search(request);
    ASSERT_TRUE(page.ok()) << page.status();
    EXPECT_THAT(page->hits, IsEmpty());
    EXPECT_EQ(page->total_count, 0);
    EXPECT_EQ(page->total_amount_baht, 0);
    EXPECT_TRUE(page->next_page_token.empty());
  }
}

TEST_F(RealDataIndexTest, InvalidQueriesAreRejectedNamingTheField) {
  SearchRequest request;
  request.query = "";
  absl::Status status = index().Search(request).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(status.message()), HasSubstr("query"));

  std::string ten_kb;
  while (ten_kb.size() < 10 * 1024) ten_kb += "ก่อสร้าง";
  request.query = ten_kb;
  status = index().Search(request).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(status.message()), HasSubstr("query"));

  request.query = "และ ของ การ";
  status = index().Search(request).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(status.message()), HasSubstr("no searchable words"));

  request.query = "\xff";
  EXPECT_EQ(index().Search(request).status().code(), absl::StatusCode::kInvalidArgument);

  request.query = "ถนน";
  request.page_size = -1;
  status = index().Search(request).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(status.message()), HasSubstr("page_size"));
}

TEST_F(RealDataIndexTest, PaginationWalksEveryMatchOnceInOrder) {
  for (const std::string query : {"ก่อสร้าง", "งาน", "น้ำ", "กรุงเทพมหานคร", "ก่อสร้าง ถนน", "คลอง"}) {
    for (const SortOrder sort : {SortOrder::kRelevance, SortOrder::kAmountDesc, SortOrder::kAmountAsc}) {
      for (const int32_t page_size : {0, 7, 100}) {
        SCOPED_TRACE(absl::StrCat(query, " sort=", static_cast<int>(sort), " page_size=", page_size));
        SearchRequest request;
        request.query = query;
        request.sort = sort;
        request.page_size = page_size;
        int64_t total_count = -1;
        int64_t total_amount = -1;
        const std::vector<SearchHit> hits = AllPages(index(), request, &total_count, &total_amount);
        int64_t expected_amount = 0;
        const std::vector<int64_t> expected = brute().SearchOrder(query, Filter{}, sort, &expected_amount);
        std::vector<int64_t> ids;
        std::set<int64_t> distinct;
        for (const SearchHit& hit : hits) {
          ids.push_back(hit.line_id);
          distinct.insert(hit.line_id);
        }
        EXPECT_EQ(static_cast<int64_t>(ids.size()), total_count);
        EXPECT_EQ(distinct.size(), ids.size());
        EXPECT_EQ(ids, expected);
        EXPECT_EQ(total_amount, expected_amount);
      }
    }
  }
}

TEST_F(RealDataIndexTest, HitsCarryTheLineAndItsFacets) {
  SearchRequest request;
  request.query = "ระบายน้ำ";
  request.page_size = kMaxPageSize;
  absl::StatusOr<SearchPage> page = index().Search(request);
  ASSERT_TRUE(page.ok());
  ASSERT_FALSE(page->hits.empty());
  for (const SearchHit& hit : page->hits) {
    const Line& line = LineById(hit.line_id);
    EXPECT_EQ(lines()[hit.ordinal].line_id, hit.line_id);
    EXPECT_EQ(hit.name, line.name);
    EXPECT_EQ(hit.amount_baht, line.amount_baht);
    EXPECT_EQ(hit.fiscal_year, line.fiscal_year);
    EXPECT_EQ(hit.agency, line.agency);
    EXPECT_EQ(hit.plan, line.plan);
    EXPECT_EQ(hit.strategy, line.strategy);
    EXPECT_EQ(hit.district_id, line.district_id);
  }
}

TEST_F(RealDataIndexTest, BadPageTokensAreRejectedNamingTheField) {
  SearchRequest request;
  request.query = "ก่อสร้าง";
  request.page_size = 5;
  absl::StatusOr<SearchPage> first = index().Search(request);
  ASSERT_TRUE(first.ok());
  ASSERT_FALSE(first->next_page_token.empty());

  for (const std::string token : {"!!!not base64!!!", "AAAA", "a2"}) {
    request.page_token = token;
    const absl::Status status = index().Search(request).status();
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << token;
    EXPECT_THAT(std::string(status.message()), HasSubstr("page_token"));
  }
  // A token of one search is refused by another.
  SearchRequest other = request;
  other.query = "ถนน";
  other.page_token = first->next_page_token;
  absl::Status status = index().Search(other).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(status.message()), HasSubstr("page_token"));
  other = request;
  other.sort = SortOrder::kAmountAsc;
  other.page_token = first->next_page_token;
  EXPECT_EQ(index().Search(other).status().code(), absl::StatusCode::kInvalidArgument);
  other = request;
  other.filter.fiscal_year = 2566;
  other.page_token = first->next_page_token;
  EXPECT_EQ(index().Search(other).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(RealDataIndexTest, SearchFiltersEqualBruteForce) {
  const std::vector<Filter> filters = {
      {2566, "", "", "", 0},
      {0, "สำนักการระบายน้ำ", "", "", 0},
      {0, "", kStrategicPlan, "", 0},
      {0, "", "", "test-strategy-2", 0},
      {0, "", "", "", 21},
      {2566, "", "งบประมาณภารกิจประจำพื้นฐาน", "", 4},
      {0, "สำนักการโยธา", kStrategicPlan, "test-strategy-1", 0},
  };
  for (const Filter& filter : filters) {
    for (const std::string query : {"ก่อสร้าง", "งาน", "ขยะ", "น้ำ"}) {
      SCOPED_TRACE(absl::StrCat(query, " ", filter.agency, "/", filter.mission_type, "/", filter.strategy_id, "/",
                                filter.district_id));
      SearchRequest request;
      request.query = query;
      request.filter = filter;
      request.sort = SortOrder::kAmountDesc;
      request.page_size = 10;
      int64_t total_count = -1;
      int64_t total_amount = -1;
      std::vector<int64_t> ids;
      for (const SearchHit& hit : AllPages(index(), request, &total_count, &total_amount)) {
        ids.push_back(hit.line_id);
        EXPECT_TRUE(BruteForce::Passes(LineById(hit.line_id), filter));
      }
      int64_t expected_amount = 0;
      EXPECT_EQ(ids, brute().SearchOrder(query, filter, request.sort, &expected_amount));
      EXPECT_EQ(total_amount, expected_amount);
    }
  }
}

TEST_F(RealDataIndexTest, HighlightsPointAtTheTermInTheName) {
  int64_t highlighted = 0;
  for (const std::string& keyword : CheckedKeywords()) {
    SearchRequest request;
    request.query = keyword;
    request.page_size = kMaxPageSize;
    int64_t total_count = 0;
    int64_t total_amount = 0;
    for (const SearchHit& hit : AllPages(index(), request, &total_count, &total_amount)) {
      // One highlight per occurrence: a single term never overlaps itself.
      EXPECT_EQ(static_cast<int32_t>(hit.highlights.size()), hit.relevance) << hit.name;
      for (const Highlight& highlight : hit.highlights) {
        EXPECT_EQ((*segmenter_)->Normalize(Utf16Substring(hit.name, highlight.begin_utf16, highlight.end_utf16)),
                  keyword)
            << hit.name;
        ++highlighted;
      }
    }
  }
  EXPECT_GT(highlighted, 1000);

  // Two terms: each range is one of them; ranges are sorted and disjoint.
  SearchRequest request;
  request.query = "ก่อสร้างถนน";
  request.page_size = kMaxPageSize;
  absl::StatusOr<SearchPage> page = index().Search(request);
  ASSERT_TRUE(page.ok());
  ASSERT_FALSE(page->hits.empty());
  for (const SearchHit& hit : page->hits) {
    int32_t previous_end = 0;
    for (const Highlight& highlight : hit.highlights) {
      EXPECT_GE(highlight.begin_utf16, previous_end);
      previous_end = highlight.end_utf16;
      const std::string text = Utf16Substring(hit.name, highlight.begin_utf16, highlight.end_utf16);
      EXPECT_TRUE(text == "ก่อสร้าง" || text == "ถนน") << text;
    }
  }
}

TEST_F(RealDataIndexTest, OverlappingHighlightsAreMerged) {
  // ขยะมูลฝอย and its component ขยะ overlap; one range covers both.
  SearchRequest request;
  request.query = "ขยะมูลฝอย ขยะ";
  absl::StatusOr<SearchPage> page = index().Search(request);
  ASSERT_TRUE(page.ok());
  ASSERT_FALSE(page->hits.empty());
  const SearchHit& hit = page->hits.front();
  ASSERT_EQ(hit.highlights.size(), 1u) << hit.name;
  EXPECT_EQ(Utf16Substring(hit.name, hit.highlights[0].begin_utf16, hit.highlights[0].end_utf16), "ขยะมูลฝอย");
  EXPECT_EQ(hit.relevance, 2);
}

TEST_F(RealDataIndexTest, SuggestRanksTermsWithThePrefix) {
  absl::StatusOr<std::vector<KeywordStat>> suggestions = index().Suggest("คลอง", kMaxSuggestLimit);
  ASSERT_TRUE(suggestions.ok());
  ASSERT_FALSE(suggestions->empty());
  EXPECT_EQ(suggestions->front().term, "คลอง");
  for (size_t i = 0; i < suggestions->size(); ++i) {
    const KeywordStat& stat = (*suggestions)[i];
    EXPECT_TRUE(absl::StartsWith(stat.term, "คลอง")) << stat.term;
    EXPECT_EQ(stat.line_count, brute().Count(stat.term, Filter{}).line_count);
    if (i > 0) {
      const KeywordStat& before = (*suggestions)[i - 1];
      EXPECT_TRUE(before.line_count > stat.line_count ||
                  (before.line_count == stat.line_count && before.term < stat.term));
    }
  }
  suggestions = index().Suggest("ก", 3);
  ASSERT_TRUE(suggestions.ok());
  EXPECT_EQ(suggestions->size(), 3u);
  // The prefix is normalised like the terms.
  suggestions = index().Suggest("BANG", 10);
  ASSERT_TRUE(suggestions.ok());
  std::vector<std::string> terms;
  for (const KeywordStat& stat : *suggestions) terms.push_back(stat.term);
  EXPECT_THAT(terms, Contains("bangkok"));
  suggestions = index().Suggest("ไม่มีคำนี้", 10);
  ASSERT_TRUE(suggestions.ok());
  EXPECT_THAT(*suggestions, IsEmpty());
}

TEST_F(RealDataIndexTest, LimitsAndArgumentsAreValidated) {
  // The API's limits, as keywords.proto states them: 0 means the default.
  EXPECT_EQ(index().TopKeywords(Filter{}, 0)->size(), static_cast<size_t>(kDefaultKeywordLimit));
  EXPECT_THAT(index().TopKeywords(Filter{}, -1), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(index().TopKeywords(Filter{}, kMaxKeywordLimit + 1),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("limit must be 1-500 (or 0 for 50)")));
  EXPECT_THAT(index().Suggest("", 10), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(index().Suggest("ก", 0), IsOk());
  EXPECT_THAT(index().Suggest("ก", kMaxSuggestLimit + 1),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("limit must be 1-50 (or 0 for 10)")));
  EXPECT_THAT(index().Suggest(std::string(kMaxPrefixBytes + 1, 'a'), 10), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(index().Segment(""), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(index().Segment(std::string(kMaxSegmentTextBytes + 1, 'a')),
              StatusIs(absl::StatusCode::kInvalidArgument));
  SearchRequest too_big;
  too_big.query = "ถนน";
  too_big.page_size = kMaxPageSize + 1;
  EXPECT_THAT(index().Search(too_big),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("page_size must be 1-200 (or 0 for 20)")));
  absl::StatusOr<std::vector<Token>> tokens = index().Segment("งานเก็บขยะมูลฝอย");
  ASSERT_TRUE(tokens.ok());
  ASSERT_EQ(tokens->size(), 3u);
  EXPECT_EQ((*tokens)[2].text, "ขยะมูลฝอย");
  EXPECT_EQ((*tokens)[2].begin_utf16, 7);
  EXPECT_EQ((*tokens)[2].end_utf16, 16);
}

TEST(IndexBuildTest, RejectsBadInput) {
  std::shared_ptr<const Segmenter> segmenter = NewSegmenter();
  ASSERT_NE(segmenter, nullptr);
  std::vector<Line> lines(2);
  lines[0].line_id = 7;
  lines[1].line_id = 7;
  absl::Status status = IndexSnapshot::Build(lines, "v", segmenter).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(status.message()), HasSubstr("duplicate line_id 7"));
  lines[1].line_id = 8;
  EXPECT_EQ(IndexSnapshot::Build(lines, "", segmenter).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(IndexSnapshot::Build({}, "empty", segmenter).ok());
}

TEST(IndexBuildTest, MemoryPerLineFitsAMillionLinesInOneGigabyte) {
  std::shared_ptr<const Segmenter> segmenter = NewSegmenter();
  ASSERT_NE(segmenter, nullptr);
  const std::vector<Line> real = LoadFixtureLines();
  ASSERT_FALSE(real.empty());
  // 20 copies with fresh ids: realistic names, ~35k lines.
  std::vector<Line> lines;
  for (int copy = 0; copy < 20; ++copy) {
    for (Line line : real) {
      line.line_id += copy * 100000;
      line.fiscal_year = 2560 + copy % 10;
      lines.push_back(std::move(line));
    }
  }
  const absl::Time start = absl::Now();
  absl::StatusOr<std::shared_ptr<const IndexSnapshot>> index = IndexSnapshot::Build(lines, "scaled", segmenter);
  const absl::Duration took = absl::Now() - start;
  ASSERT_TRUE(index.ok()) << index.status();
  const IndexStatus status = (*index)->Status();
  const double bytes_per_line =
      static_cast<double>(status.approximate_memory_bytes) / static_cast<double>(status.line_count);
  std::cout << "[ scaled   ] " << status.line_count << " lines in " << absl::FormatDuration(took) << ", "
            << bytes_per_line << " bytes/line\n";
  EXPECT_LT(bytes_per_line * 1e6, 1e9);
}

TEST(SnapshotHolderTest, ReadersSeeOneWholeSnapshotWhilePublishing) {
  std::shared_ptr<const Segmenter> segmenter = NewSegmenter();
  ASSERT_NE(segmenter, nullptr);
  const std::vector<Line> version_a = LoadFixtureLines();
  ASSERT_FALSE(version_a.empty());
  // Version B: a third of the lines gone, every amount changed.
  std::vector<Line> version_b;
  for (const Line& line : version_a) {
    if (line.line_id % 3 == 0) continue;
    Line changed = line;
    changed.amount_baht += 1;
    version_b.push_back(std::move(changed));
  }
  const std::map<std::string, const std::vector<Line>*> versions = {{"2566-a", &version_a}, {"2566-b", &version_b}};

  SearchRequest request;
  request.query = "ก่อสร้าง";
  // Expected answers per version, from the brute-force oracle.
  std::map<std::string, std::pair<int64_t, int64_t>> expected_totals;
  std::map<std::string, std::vector<StatTuple>> expected_top;
  for (const auto& [version, lines] : versions) {
    BruteForce brute(*lines, *segmenter);
    int64_t amount = 0;
    const auto ids = brute.SearchOrder(request.query, Filter{}, request.sort, &amount);
    expected_totals[version] = {static_cast<int64_t>(ids.size()), amount};
    expected_top[version] = AsTuples(brute.TopKeywords(Filter{}, 20));
  }
  ASSERT_NE(expected_totals["2566-a"], expected_totals["2566-b"]);

  SnapshotHolder holder;
  EXPECT_EQ(holder.Get(), nullptr);
  auto build = [&](const std::string& version) {
    absl::StatusOr<std::shared_ptr<const IndexSnapshot>> index =
        IndexSnapshot::Build(*versions.at(version), version, segmenter);
    EXPECT_TRUE(index.ok()) << index.status();
    return index.ok() ? *index : nullptr;
  };
  holder.Publish(build("2566-a"));

  std::atomic<bool> publishing_done{false};
  std::atomic<int64_t> reads{0};
  std::atomic<int64_t> failures{0};
  std::set<std::string> versions_seen;
  std::thread reader([&] {
    while (!publishing_done.load()) {
      const std::shared_ptr<const IndexSnapshot> snapshot = holder.Get();
      const std::string& version = snapshot->release_version();
      absl::StatusOr<SearchPage> page = snapshot->Search(request);
      absl::StatusOr<std::vector<KeywordStat>> top = snapshot->TopKeywords(Filter{}, 20);
      const bool consistent = page.ok() && top.ok() && expected_totals.count(version) &&
                              std::make_pair(page->total_count, page->total_amount_baht) == expected_totals[version] &&
                              AsTuples(*top) == expected_top[version] &&
                              snapshot->line_count() == static_cast<int64_t>(versions.at(version)->size());
      if (!consistent) failures.fetch_add(1);
      versions_seen.insert(version);
      reads.fetch_add(1);
    }
  });
  // Fresh builds each time, so publishing races with reads of the old one.
  for (int i = 0; i < 24; ++i) {
    holder.Publish(build(i % 2 == 0 ? "2566-b" : "2566-a"));
  }
  publishing_done.store(true);
  reader.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_GT(reads.load(), 24);
  EXPECT_EQ(versions_seen.size(), 2u);
}

}  // namespace
}  // namespace bkk::keywords
