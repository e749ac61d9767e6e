// keyword-analytics end to end: the real budget-data binary serving the real
// FY2566 ordinance and the FY2565 district books from a real PostgreSQL
// database, and the real keyword-analytics binary indexing budget-data's line stream. Every count
// the gRPC API returns is checked against a brute-force scan over the CSV
// lines done here, with Segmenter::Terms as the one definition of "a line
// contains term T". The last test imports a new release while a reader
// thread keeps searching, and checks that every answer comes from exactly
// one release.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "bkkbudget/keywords/v1/keywords.grpc.pb.h"
#include "common/csv.h"
#include "services/budget_data/core/dataset_loader.h"
#include "services/keyword_analytics/core/segmenter.h"
#include "services/keyword_analytics/core/testing/cloud_policy_oracle.h"
#include "tests/support/test_support.h"

namespace bkk::testing {
namespace {
namespace kw = bkkbudget::keywords::v1;
namespace fs = std::filesystem;
using bkk::keywords::Segmenter;

constexpr char kItemsCsv[] = "budget/bma-ordinance-2566-items.csv";
constexpr char kMappingCsv[] = "budget/strategy-mapping-2566.csv";
// The FY2565 district books: agency = district office, name = work item.
constexpr char kBookLinesCsv[] = "budget/bma-budget-book-2565-district-lines.csv";
constexpr size_t kLineCount = 1766 + 3022;
// Appended to one line name for the new release; no FY2566 line has it.
constexpr char kNewWords[] = "ทดสอบดัชนีใหม่";

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

const Segmenter& Words() {
  static const auto* segmenter = [] {
    auto created = Segmenter::Create();
    if (!created.ok()) {
      ADD_FAILURE() << created.status();
      std::abort();
    }
    return new std::shared_ptr<const Segmenter>(*created);
  }();
  return **segmenter;
}

// One ordinance line as budget-data derives it from the CSV.
struct CsvLine {
  int64_t line_id = 0;
  std::string agency;
  std::string name;
  int64_t amount_baht = 0;
  std::vector<std::string> terms;  // Segmenter::Terms(name, "")
};

// Reads the line files the way budget-data's importer does: ids are
// fiscal_year * 100000 + 1-based row; an ordinance line's name is
// output_or_project, or the plan when that is empty (the loan-repayment
// lines); a district book line's is its work item.
std::vector<CsvLine> LoadLines(const fs::path& data_dir) {
  std::vector<CsvLine> lines;
  auto books = ParseCsv(ReadFile(data_dir / kBookLinesCsv));
  EXPECT_TRUE(books.ok()) << books.status();
  if (!books.ok()) return lines;
  for (size_t i = 1; i < books->size(); ++i) {
    const auto& f = (*books)[i].fields;
    CsvLine line;
    line.line_id = std::stoll(f[0]) * 100000 + static_cast<int64_t>(i);
    line.agency = f[1];
    line.name = f[2];
    line.amount_baht = std::stoll(f[5]);
    line.terms = Words().Terms(line.name, "");
    lines.push_back(std::move(line));
  }
  auto rows = ParseCsv(ReadFile(data_dir / kItemsCsv));
  EXPECT_TRUE(rows.ok()) << rows.status();
  if (!rows.ok()) return lines;
  EXPECT_EQ((*rows)[0].fields, (std::vector<std::string>{"fiscal_year", "agency", "plan", "output_or_project",
                                                         "category", "amount_baht", "source_page"}));
  for (size_t i = 1; i < rows->size(); ++i) {
    const auto& f = (*rows)[i].fields;
    CsvLine line;
    line.line_id = std::stoll(f[0]) * 100000 + static_cast<int64_t>(i);
    line.agency = f[1];
    line.name = f[3].empty() ? f[2] : f[3];
    line.amount_baht = std::stoll(f[5]);
    line.terms = Words().Terms(line.name, "");
    lines.push_back(std::move(line));
  }
  return lines;
}

bool Contains(const CsvLine& line, const std::string& term) {
  return std::binary_search(line.terms.begin(), line.terms.end(), term);
}

// The brute-force answer to a search: lines containing every query word.
struct Expected {
  std::set<int64_t> line_ids;
  int64_t amount_baht = 0;
};

Expected Scan(const std::vector<CsvLine>& lines, const std::string& query) {
  std::vector<std::string> words;
  for (const auto& token : Words().Tokenize(query)) words.push_back(token.text);
  Expected out;
  for (const CsvLine& line : lines) {
    bool all = !words.empty();
    for (const auto& word : words) all = all && Contains(line, word);
    if (!all) continue;
    out.line_ids.insert(line.line_id);
    out.amount_baht += line.amount_baht;
  }
  return out;
}

// The words the cloud hides, by the policy's own definition.
std::set<std::string> HiddenKeywords(const std::vector<CsvLine>& lines) {
  keywords::testing::CloudPolicyOracle oracle;
  for (const CsvLine& line : lines) oracle.Add(line.agency, line.terms);
  return oracle.Hidden(Words());
}

// The brute-force word cloud: every keyword candidate the cloud shows with its line count
// and amount, ranked line count desc, amount desc, term asc.
std::vector<std::tuple<std::string, int64_t, int64_t>> RankKeywords(const std::vector<CsvLine>& lines,
                                                                    const std::string& agency) {
  const std::set<std::string> hidden = HiddenKeywords(lines);
  std::map<std::string, std::pair<int64_t, int64_t>> counts;
  for (const CsvLine& line : lines) {
    if (!agency.empty() && line.agency != agency) continue;
    for (const auto& term : line.terms) {
      if (!Words().IsKeywordCandidate(term) || hidden.count(term) != 0) continue;
      counts[term].first += 1;
      counts[term].second += line.amount_baht;
    }
  }
  std::vector<std::tuple<std::string, int64_t, int64_t>> ranked;
  for (const auto& [term, c] : counts) ranked.emplace_back(term, c.first, c.second);
  std::sort(ranked.begin(), ranked.end(), [](const auto& a, const auto& b) {
    if (std::get<1>(a) != std::get<1>(b)) return std::get<1>(a) > std::get<1>(b);
    if (std::get<2>(a) != std::get<2>(b)) return std::get<2>(a) > std::get<2>(b);
    return std::get<0>(a) < std::get<0>(b);
  });
  return ranked;
}

// text.substring(begin, end) as a browser computes it (UTF-16 units).
std::string Utf16Slice(const std::string& utf8, int32_t begin, int32_t end) {
  std::string out;
  int32_t unit = 0;
  for (size_t i = 0; i < utf8.size();) {
    const auto lead = static_cast<unsigned char>(utf8[i]);
    const size_t bytes = lead < 0x80 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4;
    const int32_t units = bytes == 4 ? 2 : 1;
    if (unit >= begin && unit + units <= end) out.append(utf8, i, bytes);
    unit += units;
    i += bytes;
  }
  return out;
}

std::unique_ptr<grpc::ClientContext> Ctx() {
  auto ctx = std::make_unique<grpc::ClientContext>();
  ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  return ctx;
}

// budget-data and keyword-analytics on a database of their own, with data/
// imported; both poll for new releases every second.
class Stack final {
 public:
  Stack() : db_("bkk_keywords_it") {
    Import(BKK_DATA_DIR, &release_);
    budget_port_ = FreePort();
    budget_ = std::make_unique<ChildProcess>(
        BinaryPath("services/budget_data/budget-data"), std::vector<std::string>{"serve"},
        std::map<std::string, std::string>{{"BKK_PG_URL", db_.url()},
                                           {"BKK_LISTEN", "127.0.0.1:" + std::to_string(budget_port_)},
                                           {"BKK_ADMIN_TOKEN", "it-admin"},
                                           {"BKK_REFRESH_SECONDS", "1"}});
    EXPECT_TRUE(WaitServing("127.0.0.1:" + std::to_string(budget_port_), std::chrono::seconds(30)))
        << budget_->Output();
    keywords_port_ = FreePort();
    keywords_ = std::make_unique<ChildProcess>(
        BinaryPath("services/keyword_analytics/keyword-analytics"), std::vector<std::string>{},
        std::map<std::string, std::string>{{"BKK_BUDGET_ADDR", "127.0.0.1:" + std::to_string(budget_port_)},
                                           {"BKK_LISTEN", "127.0.0.1:" + std::to_string(keywords_port_)},
                                           {"BKK_REFRESH_SECONDS", "1"}});
    stub_ = kw::KeywordService::NewStub(grpc::CreateChannel(address(), grpc::InsecureChannelCredentials()));
  }

  // Runs `budget-data import DIR`; stores the release version it printed.
  void Import(const std::string& dir, std::string* release) {
    ChildProcess import(BinaryPath("services/budget_data/budget-data"), {"import", dir}, {{"BKK_PG_URL", db_.url()}});
    ASSERT_EQ(import.Wait(std::chrono::seconds(120)), 0) << import.Output();
    std::smatch match;
    const std::string output = import.Output();
    ASSERT_TRUE(std::regex_search(output, match, std::regex("release ([0-9a-f]{16}) is now current"))) << output;
    *release = match[1];
  }

  // GetIndexStatus is UNAVAILABLE until the first index is published.
  kw::GetIndexStatusResponse WaitForIndex(const std::string& release, std::chrono::seconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    kw::GetIndexStatusResponse status;
    while (std::chrono::steady_clock::now() < deadline) {
      status.Clear();
      auto s = stub_->GetIndexStatus(Ctx().get(), {}, &status);
      if (s.ok() && status.release_version() == release) return status;
      if (!s.ok()) {
        EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAVAILABLE) << s.error_message();
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    ADD_FAILURE() << "release " << release << " not served after " << timeout.count() << " s; serving \""
                  << status.release_version() << "\"\n"
                  << keywords_->Output();
    return status;
  }

  std::string address() const { return "127.0.0.1:" + std::to_string(keywords_port_); }
  const std::string& release() const { return release_; }
  kw::KeywordService::Stub& stub() { return *stub_; }

 private:
  TestDatabase db_;
  std::string release_;
  int budget_port_ = 0;
  int keywords_port_ = 0;
  std::unique_ptr<ChildProcess> budget_;
  std::unique_ptr<ChildProcess> keywords_;
  std::unique_ptr<kw::KeywordService::Stub> stub_;
};

// Words a citizen would type, each found in the FY2566 names.
const std::vector<std::string>& Keywords() {
  static const auto* keywords = new std::vector<std::string>{
      "ก่อสร้าง",  "คลอง",        "ถนน",    "ขยะ",   "น้ำท่วม",    "โรงเรียน",   "สะพาน",  "ซอย",
      "ระบายน้ำ", "โรงพยาบาล",   "ผู้สูงอายุ", "ศูนย์",   "ตลาด",     "น้ำเสีย",     "ปรับปรุง", "พัฒนา",
      "ส่งเสริม",  "สาธารณสุข",    "กีฬา",    "เขื่อน",  "ขยะมูลฝอย", "ยาเสพติด",   "แก้มลิง",  "ท่องเที่ยว",
      "สวน",     "ประตูระบายน้ำ", "ชุมชน",   "อาคาร", "เด็ก",      "ก่อสร้าง ถนน"};
  return *keywords;
}

class KeywordIntegrationTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    lines_ = new std::vector<CsvLine>(LoadLines(BKK_DATA_DIR));
    stack_ = new Stack();
    status_ = new kw::GetIndexStatusResponse(stack_->WaitForIndex(stack_->release(), std::chrono::seconds(120)));
  }
  static void TearDownTestSuite() {
    delete stack_;
    delete status_;
    delete lines_;
  }

  // Every page of a search (page_size 200), or the failing status.
  static grpc::Status SearchAll(const std::string& query, kw::SearchSort sort,
                                std::vector<kw::SearchLinesResponse>* pages) {
    kw::SearchLinesRequest request;
    request.set_query(query);
    request.set_sort(sort);
    request.set_page_size(200);
    do {
      kw::SearchLinesResponse page;
      auto s = stack_->stub().SearchLines(Ctx().get(), request, &page);
      if (!s.ok()) return s;
      request.set_page_token(page.next_page_token());
      pages->push_back(std::move(page));
    } while (!request.page_token().empty() && pages->size() < 100);
    return grpc::Status::OK;
  }

  static std::vector<CsvLine>* lines_;
  static Stack* stack_;
  static kw::GetIndexStatusResponse* status_;
};

std::vector<CsvLine>* KeywordIntegrationTest::lines_ = nullptr;
Stack* KeywordIntegrationTest::stack_ = nullptr;
kw::GetIndexStatusResponse* KeywordIntegrationTest::status_ = nullptr;

TEST_F(KeywordIntegrationTest, IndexHoldsEveryLineOfBothYears) {
  ASSERT_EQ(lines_->size(), kLineCount);
  EXPECT_EQ(status_->release_version(), stack_->release());
  EXPECT_EQ(status_->line_count(), static_cast<int32_t>(kLineCount));
  std::set<std::string> terms;
  for (const CsvLine& line : *lines_) terms.insert(line.terms.begin(), line.terms.end());
  EXPECT_EQ(status_->term_count(), static_cast<int32_t>(terms.size()));
  EXPECT_GT(status_->memory_bytes(), 0);
  EXPECT_FALSE(status_->built_at().empty());
}

TEST_F(KeywordIntegrationTest, SearchCountsAndAmountsEqualABruteForceScan) {
  ASSERT_GE(Keywords().size(), 20u);
  std::map<int64_t, const CsvLine*> by_id;
  for (const CsvLine& line : *lines_) by_id[line.line_id] = &line;
  for (const std::string& query : Keywords()) {
    SCOPED_TRACE(query);
    const Expected expected = Scan(*lines_, query);
    EXPECT_FALSE(expected.line_ids.empty()) << "every listed keyword occurs in the FY2566 names";
    for (auto sort : {kw::SEARCH_SORT_RELEVANCE, kw::SEARCH_SORT_AMOUNT_DESC}) {
      std::vector<kw::SearchLinesResponse> pages;
      ASSERT_TRUE(SearchAll(query, sort, &pages).ok());
      ASSERT_FALSE(pages.empty());
      EXPECT_EQ(pages[0].total_count(), static_cast<int32_t>(expected.line_ids.size()));
      EXPECT_EQ(pages[0].total_amount_baht(), expected.amount_baht);
      EXPECT_EQ(pages[0].release_version(), stack_->release());
      std::set<int64_t> found;
      int64_t previous_amount = INT64_MAX;
      for (const auto& page : pages) {
        for (const auto& hit : page.hits()) {
          EXPECT_TRUE(found.insert(hit.line_id()).second) << "line " << hit.line_id() << " on two pages";
          auto line = by_id.find(hit.line_id());
          ASSERT_NE(line, by_id.end()) << hit.line_id();
          EXPECT_EQ(hit.name(), line->second->name);
          EXPECT_EQ(hit.amount_baht(), line->second->amount_baht);
          EXPECT_EQ(hit.agency(), line->second->agency);
          EXPECT_FALSE(hit.highlights().empty()) << hit.name();
          if (sort == kw::SEARCH_SORT_AMOUNT_DESC) {
            EXPECT_LE(hit.amount_baht(), previous_amount);
            previous_amount = hit.amount_baht();
          }
        }
      }
      EXPECT_EQ(found, expected.line_ids);
    }
  }
}

TEST_F(KeywordIntegrationTest, TopKeywordsEqualABruteForceRanking) {
  // The whole list (up to the API's 500) must be the brute-force ranking,
  // which checks the count and amount of every keyword listed, including
  // the ones the search test uses.
  for (const std::string agency : {"", "สำนักการระบายน้ำ", "สำนักงานเขตยานนาวา"}) {
    SCOPED_TRACE(agency);
    kw::ListTopKeywordsRequest request;
    request.set_limit(500);
    request.mutable_filter()->set_agency(agency);
    kw::ListTopKeywordsResponse response;
    ASSERT_TRUE(stack_->stub().ListTopKeywords(Ctx().get(), request, &response).ok());
    EXPECT_EQ(response.release_version(), stack_->release());
    auto ranked = RankKeywords(*lines_, agency);
    const size_t expected_size = std::min<size_t>(ranked.size(), 500);
    ASSERT_EQ(static_cast<size_t>(response.keywords_size()), expected_size);
    for (size_t i = 0; i < expected_size; ++i) {
      const auto& got = response.keywords(static_cast<int>(i));
      EXPECT_EQ(got.keyword(), std::get<0>(ranked[i])) << "rank " << i;
      EXPECT_EQ(got.line_count(), std::get<1>(ranked[i])) << got.keyword();
      EXPECT_EQ(got.amount_baht(), std::get<2>(ranked[i])) << got.keyword();
    }
    int64_t filtered = 0;
    for (const CsvLine& line : *lines_) filtered += agency.empty() || line.agency == agency;
    EXPECT_EQ(response.line_count(), filtered);
    std::set<std::string> hidden;
    for (const auto& h : response.hidden()) hidden.insert(h.keyword());
    EXPECT_EQ(hidden, HiddenKeywords(*lines_));
  }
  // The unfiltered list names the subjects a citizen looks for.
  kw::ListTopKeywordsRequest request;
  request.set_limit(500);
  kw::ListTopKeywordsResponse response;
  ASSERT_TRUE(stack_->stub().ListTopKeywords(Ctx().get(), request, &response).ok());
  std::set<std::string> listed;
  for (const auto& k : response.keywords()) listed.insert(k.keyword());
  for (const char* word : {"ก่อสร้าง", "คลอง", "ถนน", "ขยะ", "น้ำท่วม", "โรงเรียน"}) {
    EXPECT_TRUE(listed.count(word)) << word;
  }
}

TEST_F(KeywordIntegrationTest, AWordInsideACompoundIsFound) {
  // The FY2566 ordinance has no คลองลาดพร้าว line (the example), so
  // the compounds checked are ones it does have: โรงพยาบาลคลองสามวา and
  // ประตูเรือสัญจรคลองแสนแสบ, where ICU keeps the canal name in one word.
  std::vector<kw::SearchLinesResponse> pages;
  ASSERT_TRUE(SearchAll("คลอง", kw::SEARCH_SORT_RELEVANCE, &pages).ok());
  std::set<std::string> compounds_found;
  for (const auto& page : pages) {
    for (const auto& hit : page.hits()) {
      for (const std::string compound : {"คลองสามวา", "คลองแสนแสบ"}) {
        if (hit.name().find(compound) == std::string::npos) continue;
        compounds_found.insert(compound);
        bool highlighted = false;
        for (const auto& range : hit.highlights()) {
          highlighted = highlighted || Utf16Slice(hit.name(), range.start(), range.end()) == "คลอง";
        }
        EXPECT_TRUE(highlighted) << hit.name() << ": คลอง is highlighted on its own";
      }
    }
  }
  EXPECT_EQ(compounds_found, (std::set<std::string>{"คลองสามวา", "คลองแสนแสบ"}));
}

TEST_F(KeywordIntegrationTest, NoMatchIsAnEmptyAnswer) {
  for (const std::string query : {"ดาวเทียม", "spaceport"}) {
    ASSERT_TRUE(Scan(*lines_, query).line_ids.empty()) << query;
    kw::SearchLinesRequest request;
    request.set_query(query);
    kw::SearchLinesResponse response;
    auto s = stack_->stub().SearchLines(Ctx().get(), request, &response);
    ASSERT_TRUE(s.ok()) << query << ": " << s.error_message();
    EXPECT_EQ(response.hits_size(), 0);
    EXPECT_EQ(response.total_count(), 0);
    EXPECT_EQ(response.total_amount_baht(), 0);
    EXPECT_TRUE(response.next_page_token().empty());
  }
}

TEST_F(KeywordIntegrationTest, EmptyAndHugeQueriesAreInvalidArguments) {
  std::string huge;
  while (huge.size() < 10 * 1024) huge += "ถนน ";  // 10,240 bytes
  for (const std::string& query : {std::string(), huge}) {
    SCOPED_TRACE(query.size());
    kw::SearchLinesRequest request;
    request.set_query(query);
    kw::SearchLinesResponse response;
    auto s = stack_->stub().SearchLines(Ctx().get(), request, &response);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_NE(s.error_message().find("query"), std::string::npos) << s.error_message();
  }
}

// Changes one line name in a copy of data/ (amounts stay, so the stated
// totals still hold; the strategy mapping repeats the name, so it changes
// there too) and returns the copy's path.
std::string WriteChangedDataset(const std::vector<CsvLine>& lines, std::string* changed_name) {
  const fs::path dir = fs::temp_directory_path() / ("bkk-keywords-it-" + std::to_string(FreePort()));
  fs::remove_all(dir);
  fs::copy(BKK_DATA_DIR, dir, fs::copy_options::recursive);
  std::string text = ReadFile(dir / kItemsCsv);
  std::string mapping = ReadFile(dir / kMappingCsv);
  // A plain (unquoted) name that occurs once in each file, so the edit hits
  // exactly that field.
  for (const CsvLine& line : lines) {
    if (line.name.find_first_of(",\"") != std::string::npos) continue;
    const std::string field = "," + line.name + ",";
    const size_t at = text.find(field);
    const size_t mapped_at = mapping.find(field);
    if (at == std::string::npos || text.find(field, at + 1) != std::string::npos || mapped_at == std::string::npos ||
        mapping.find(field, mapped_at + 1) != std::string::npos) {
      continue;
    }
    *changed_name = line.name + " " + kNewWords;
    text.replace(at, field.size(), "," + *changed_name + ",");
    mapping.replace(mapped_at, field.size(), "," + *changed_name + ",");
    std::ofstream(dir / kItemsCsv, std::ios::binary | std::ios::trunc) << text;
    std::ofstream(dir / kMappingCsv, std::ios::binary | std::ios::trunc) << mapping;
    // An intended change: record it in the copy's release.json, as an
    // operator does with `budget-data manifest DIR`.
    auto files = budget::ReadDatasetDir(dir.string());
    EXPECT_TRUE(files.ok() && budget::RefreshManifestChecksums(&*files).ok());
    std::ofstream(dir / budget::kReleaseManifestPath, std::ios::binary | std::ios::trunc)
        << files->at(budget::kReleaseManifestPath);
    return dir.string();
  }
  ADD_FAILURE() << "no line name could be changed";
  return dir.string();
}

TEST(KeywordRebuildTest, ReadsDuringARebuildEachSeeExactlyOneRelease) {
  const std::vector<CsvLine> old_lines = LoadLines(BKK_DATA_DIR);
  std::string changed_name;
  const std::string changed_dir = WriteChangedDataset(old_lines, &changed_name);
  struct RemoveOnExit {
    std::string dir;
    ~RemoveOnExit() { fs::remove_all(dir); }
  } remove_changed_dir{changed_dir};
  const std::vector<CsvLine> new_lines = LoadLines(changed_dir);
  const int64_t construction = static_cast<int64_t>(Scan(old_lines, "ก่อสร้าง").line_ids.size());
  ASSERT_GT(construction, 0);
  ASSERT_EQ(static_cast<int64_t>(Scan(new_lines, "ก่อสร้าง").line_ids.size()), construction);
  ASSERT_EQ(Scan(old_lines, kNewWords).line_ids.size(), 0u);
  ASSERT_EQ(Scan(new_lines, kNewWords).line_ids.size(), 1u);

  Stack stack;
  stack.WaitForIndex(stack.release(), std::chrono::seconds(120));
  const std::string old_release = stack.release();

  std::mutex mu;
  std::set<std::string> other_releases;  // Every release but the old one seen.
  std::atomic<bool> stop{false};
  std::atomic<int> reads{0}, old_reads{0}, new_reads{0};
  std::vector<std::string> problems;
  auto problem = [&](const std::string& what) {
    std::lock_guard<std::mutex> lock(mu);
    if (problems.size() < 20) problems.push_back(what);
  };
  // Its own channel, so the reader is a separate client connection.
  auto reader_stub =
      kw::KeywordService::NewStub(grpc::CreateChannel(stack.address(), grpc::InsecureChannelCredentials()));
  std::thread reader([&] {
    while (!stop.load()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(2));  // leave CPU for the rebuild
      kw::SearchLinesResponse fresh, built;
      kw::SearchLinesRequest request;
      request.set_query(kNewWords);
      auto s1 = reader_stub->SearchLines(Ctx().get(), request, &fresh);
      request.set_query("ก่อสร้าง");
      auto s2 = reader_stub->SearchLines(Ctx().get(), request, &built);
      ++reads;
      if (!s1.ok() || !s2.ok()) {
        problem("a read failed: " + s1.error_message() + " / " + s2.error_message());
        continue;
      }
      if (built.total_count() != construction) {
        problem("ก่อสร้าง count " + std::to_string(built.total_count()) + " in release " + built.release_version());
      }
      if (fresh.release_version() == old_release) {
        ++old_reads;
        if (fresh.total_count() != 0) problem("the old release found the new words");
      } else {
        // Which release this is gets checked once the import has said.
        ++new_reads;
        {
          std::lock_guard<std::mutex> lock(mu);
          other_releases.insert(fresh.release_version());
        }
        if (fresh.total_count() != 1 || fresh.hits_size() != 1 || fresh.hits(0).name() != changed_name) {
          problem("release " + fresh.release_version() + " did not find the changed line exactly once");
        }
      }
    }
  });
  // Stops the reader even when an assertion below returns early.
  struct JoinOnExit {
    std::atomic<bool>* stop;
    std::thread* thread;
    ~JoinOnExit() {
      *stop = true;
      if (thread->joinable()) thread->join();
    }
  } join_reader{&stop, &reader};
  while (reads.load() < 5) std::this_thread::sleep_for(std::chrono::milliseconds(10));

  std::string imported;
  stack.Import(changed_dir, &imported);
  ASSERT_NE(imported, old_release);
  auto status = stack.WaitForIndex(imported, std::chrono::seconds(60));
  EXPECT_EQ(status.release_version(), imported);
  EXPECT_EQ(status.line_count(), static_cast<int32_t>(kLineCount));
  const int after = reads.load();
  while (reads.load() < after + 5) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  stop = true;
  reader.join();

  EXPECT_EQ(other_releases, std::set<std::string>{imported});
  EXPECT_TRUE(problems.empty()) << problems.size() << " problems, first: " << problems[0];
  EXPECT_GT(old_reads.load(), 0);
  EXPECT_GT(new_reads.load(), 0);
  std::cout << "reads during the rebuild: " << reads.load() << " (" << old_reads.load() << " old, " << new_reads.load()
            << " new)\n";
}

}  // namespace
}  // namespace bkk::testing
