// Dataset parsing; see dataset_loader.h.
#include "services/budget_data/core/dataset_loader.h"

#include <google/protobuf/struct.pb.h>

#include <algorithm>
#include <fstream>
#include <optional>
#include <set>
#include <sstream>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/strip.h"
#include "common/csv.h"
#include "common/sha256.h"
#include "services/budget_data/core/json_fields.h"

namespace bkk::budget {
namespace {

// The file of a kind that a release has exactly once (the manifest checks
// that before any file is parsed).
const ManifestFile& OnlyFile(const ReleaseManifest& manifest, DatasetFileKind kind) {
  for (const auto& f : manifest.files) {
    if (f.kind == kind) return f;
  }
  static const ManifestFile* kNone = new ManifestFile();
  return *kNone;  // unreachable after ParseReleaseManifest
}

// The plan aggregates name the 2561 plan's 7 dimensions in their earlier
// wording (มหานคร…). They are the same 7 strategies, in the same order, as the
// revised plan's (strategies-7-nav.json); this table is that correspondence.
const std::map<std::string, std::string>& AggregateStrategyIds() {
  static const auto* kIds = new std::map<std::string, std::string>{
      {"มหานครปลอดภัย", "s1"},
      {"มหานครสีเขียวสะดวกสบาย", "s2"},
      {"มหานครสำหรับทุกคน", "s3"},
      {"มหานครกระชับ", "s4"},
      {"มหานครประชาธิปไตย", "s5"},
      {"มหานครแห่งเศรษฐกิจและเรียนรู้", "s6"},
      {"การบริหารจัดการเมืองมหานคร", "s7"},
  };
  return *kIds;
}

// Known spelling differences between districts.json and the ordinance.
std::string OfficialDistrictName(const std::string& name) {
  if (name == "ราษฏร์บูรณะ") return "ราษฎร์บูรณะ";
  return name;
}

class ProblemSink final {
 public:
  explicit ProblemSink(std::vector<ImportProblem>* out) : out_(out) {}
  void Add(const std::string& file, int line, std::string reason) { out_->push_back({file, line, std::move(reason)}); }
  bool empty() const { return out_->empty(); }

 private:
  std::vector<ImportProblem>* out_;
};

bool ParseBaht(std::string text, int64_t* out) {
  text = std::string(absl::StripAsciiWhitespace(text));
  return !text.empty() && absl::SimpleAtoi(text, out) && *out >= 0;
}

// "11,257.01" million baht -> 11,257,010,000 baht, exactly (no floating point).
bool ParseMillionBaht(std::string text, int64_t* out) {
  text = absl::StrReplaceAll(absl::StripAsciiWhitespace(text), {{",", ""}});
  if (text.empty()) {
    *out = 0;
    return true;
  }
  std::string whole = text, frac;
  if (auto dot = text.find('.'); dot != std::string::npos) {
    whole = text.substr(0, dot);
    frac = text.substr(dot + 1);
  }
  if (frac.size() > 6) return false;
  frac.resize(6, '0');
  int64_t w = 0, f = 0;
  if (!absl::SimpleAtoi(whole.empty() ? "0" : whole, &w) || !absl::SimpleAtoi(frac, &f) || w < 0 || f < 0) {
    return false;
  }
  *out = w * 1000000 + f;
  return true;
}

// Checks the header row and returns the data rows of `path`'s `content`.
std::vector<CsvRow> CsvBody(absl::string_view content, const std::string& path, const std::vector<std::string>& header,
                            ProblemSink& sink) {
  auto rows = ParseCsv(content);
  if (!rows.ok()) {
    sink.Add(path, 0, std::string(rows.status().message()));
    return {};
  }
  if (rows->empty() || (*rows)[0].fields != header) {
    sink.Add(path, 1, absl::StrCat("header must be: ", absl::StrJoin(header, ",")));
    return {};
  }
  rows->erase(rows->begin());
  return *std::move(rows);
}

void ParseFrameworks(const DatasetFiles& files, const ReleaseManifest& manifest, Dataset& ds, ProblemSink& sink) {
  struct Source {
    DatasetFileKind file;
    FrameworkKind kind;
    const char* name;
    int32_t first, last;
    const char* id_prefix;
  };
  const Source sources[] = {
      {DatasetFileKind::kStrategies7, FrameworkKind::kStrategies7,
       "ยุทธศาสตร์ 7 ด้าน แผนพัฒนากรุงเทพมหานคร ระยะ 20 ปี (พ.ศ. 2561-2580)", 2561, 2580, "s"},
      {DatasetFileKind::kPolicies9, FrameworkKind::kPolicies9, "นโยบาย 9 ดี (ตั้งแต่ปีงบประมาณ 2568)", 2568, 0, "p"},
  };
  for (const auto& src : sources) {
    const std::string& path = OnlyFile(manifest, src.file).path;
    auto json = ParseJson(files.at(path));
    if (!json.ok() || json->kind_case() != google::protobuf::Value::kListValue) {
      sink.Add(path, 0, "not a JSON array of strategies");
      continue;
    }
    Framework fw{src.kind, src.name, src.first, src.last, {}};
    int n = 0;
    for (const auto& item : json->list_value().values()) {
      const auto* subs = JsonField(item, "strategies");
      if (subs == nullptr) continue;  // the "ไม่พบข้อมูล" placeholder has none
      Strategy s;
      s.id = absl::StrCat(src.id_prefix, ++n);
      s.name = JsonFieldStr(item, "strategy");
      s.side = JsonFieldStr(item, "side");
      s.name_en = JsonFieldStr(item, "strategy_en");
      s.issue = JsonFieldStr(item, "issue");
      if (s.name.empty()) sink.Add(path, 0, absl::StrCat("strategy ", n, " has no name"));
      int m = 0;
      for (const auto& sub : subs->list_value().values()) {
        SubDimension d;
        d.id = absl::StrCat(s.id, ".", ++m);
        d.name = JsonFieldStr(sub, "sub_strategy");
        d.description = JsonFieldStr(sub, "side_details");
        if (const auto* goals = JsonField(sub, "sub_srategy_def"); goals != nullptr) {
          for (const auto& g : goals->list_value().values()) d.goals.push_back(JsonStr(g));
        }
        s.sub_dimensions.push_back(std::move(d));
      }
      fw.strategies.push_back(std::move(s));
    }
    ds.frameworks.push_back(std::move(fw));
  }
}

void ParseDistricts(const std::string& path, const std::string& content, Dataset& ds, ProblemSink& sink) {
  auto json = ParseJson(content);
  if (!json.ok() || json->kind_case() != google::protobuf::Value::kListValue) {
    sink.Add(path, 0, "not a JSON array of districts");
    return;
  }
  for (const auto& item : json->list_value().values()) {
    District d;
    if (!absl::SimpleAtoi(JsonFieldStr(item, "id"), &d.id)) {
      sink.Add(path, 0, "a district has no numeric id");
      continue;
    }
    if (d.id == 0) continue;  // "จังหวัดอื่นๆ" (outside Bangkok) is not a district
    d.name_th = OfficialDistrictName(JsonFieldStr(item, "th_name"));
    d.name_en = JsonFieldStr(item, "en_name");
    d.zipcode = JsonFieldStr(item, "zipcode");
    d.office_agency = "สำนักงานเขต" + d.name_th;
    ds.districts.push_back(std::move(d));
  }
  std::sort(ds.districts.begin(), ds.districts.end(), [](const District& a, const District& b) { return a.id < b.id; });
  if (ds.districts.size() != 50) {
    sink.Add(path, 0, absl::StrCat("expected the 50 districts of Bangkok, found ", ds.districts.size()));
  }
}

void ParseYearTotals(const std::string& path, const std::string& content, Dataset& ds, ProblemSink& sink) {
  auto json = ParseJson(content);
  if (!json.ok() || json->kind_case() != google::protobuf::Value::kStructValue) {
    sink.Add(path, 0, "not a JSON object");
    return;
  }
  for (const auto& [key, list] : json->struct_value().fields()) {
    if (key.empty() || key[0] == '_') continue;
    for (const auto& item : list.list_value().values()) {
      int32_t yy = 0;
      int64_t amount = 0;
      if (!absl::SimpleAtoi(JsonFieldStr(item, "year"), &yy) ||
          !absl::SimpleAtoi(JsonFieldStr(item, "amount"), &amount) || amount < 0) {
        sink.Add(path, 0, absl::StrCat("bad year/amount in ", key));
        continue;
      }
      if (amount == 0) continue;  // a placeholder, not a budget
      ds.year_totals.push_back({2500 + yy, amount, absl::StrCat(path.substr(path.rfind('/') + 1), " (", key, ")")});
    }
  }
  std::sort(ds.year_totals.begin(), ds.year_totals.end(),
            [](const YearTotal& a, const YearTotal& b) { return a.fiscal_year < b.fiscal_year; });
}

void ParsePlanAggregates(const std::string& path, const std::string& content, Dataset& ds, ProblemSink& sink) {
  const std::vector<std::string> header = {"year",
                                           "strategy",
                                           "type",
                                           "sum_ตัวชี้วัดโครงการตามแผน",
                                           "sum_โครงการตามแผน",
                                           "งบประมาณตามแผน",
                                           "งบประมาณตามแผน(ล้านบาท)",
                                           "sum_โครงการในข้อบัญญัติ",
                                           "งบประมาณข้อบัญญัติ(ล้านบาท)"};
  for (const auto& row : CsvBody(content, path, header, sink)) {
    const auto& f = row.fields;
    if (f.size() != header.size()) {
      sink.Add(path, row.line, absl::StrCat("expected 9 fields, found ", f.size()));
      continue;
    }
    if (f[0].empty()) continue;  // subtotal rows (รวม) repeat the rows above
    PlanAggregate a;
    auto id = AggregateStrategyIds().find(f[1]);
    if (!absl::SimpleAtoi(f[0], &a.fiscal_year) || id == AggregateStrategyIds().end()) {
      sink.Add(path, row.line, absl::StrCat("unknown year or strategy \"", f[1], "\""));
      continue;
    }
    a.strategy_id = id->second;
    a.source_strategy = f[1];
    a.sub_dimension = f[2];
    if (!ParseMillionBaht(f[6], &a.plan_baht) || !ParseMillionBaht(f[8], &a.ordinance_baht)) {
      sink.Add(path, row.line, "budget is not a million-baht number");
      continue;
    }
    ds.plan_aggregates.push_back(std::move(a));
  }
}

// The line's place in its source document, as the site prints it.
std::string SourceRef(const ManifestFile& file, const std::string& source_file, int32_t page) {
  return absl::StrCat(file.document_title.th, source_file.empty() ? "" : " ", source_file, " หน้า ", page);
}

bool ParseYearOf(const std::string& text, const ManifestFile& file, int row, int32_t* year, ProblemSink& sink) {
  if (!absl::SimpleAtoi(text, year) || *year != file.fiscal_year) {
    sink.Add(file.path, row,
             absl::StrCat("fiscal_year \"", text, "\" is not FY", file.fiscal_year,
                          ", the year release.json gives this file"));
    return false;
  }
  return true;
}

// Lines of an ordinance's items file (`…-items.csv`).
void ParseOrdinanceLines(absl::string_view csv, const ManifestFile& file, const std::vector<District>& districts,
                         std::vector<BudgetLine>& lines, ProblemSink& sink) {
  const std::vector<std::string> header = {"fiscal_year", "agency",      "plan",       "output_or_project",
                                           "category",    "amount_baht", "source_page"};
  int ordinal = 0;
  for (const auto& row : CsvBody(csv, file.path, header, sink)) {
    const auto& f = row.fields;
    if (f.size() != header.size()) {
      sink.Add(file.path, row.line, absl::StrCat("expected 7 fields, found ", f.size()));
      continue;
    }
    BudgetLine l;
    ++ordinal;
    if (!ParseYearOf(f[0], file, row.line, &l.fiscal_year, sink)) continue;
    if (!ParseBaht(f[5], &l.amount_baht)) {
      sink.Add(file.path, row.line,
               absl::StrCat("amount_baht \"", f[5], "\" is not a whole non-negative number of baht"));
      continue;
    }
    if (f[1].empty() || (f[3].empty() && f[2].empty())) {
      sink.Add(file.path, row.line, "agency and a line name (or plan) are required");
      continue;
    }
    if (!f[6].empty() && !absl::SimpleAtoi(f[6], &l.source_page)) {
      sink.Add(file.path, row.line, absl::StrCat("source_page \"", f[6], "\" is not a number"));
      continue;
    }
    // Stable ids: year and position in the year's lines file.
    l.line_id = int64_t{l.fiscal_year} * 100000 + ordinal;
    l.agency = f[1];
    l.mission_type = f[2];
    // Loan-repayment lines have no output name; the plan names them.
    l.name = f[3].empty() ? f[2] : f[3];
    l.category = f[4];
    l.district_id = DistrictIdForAgency(districts, l.agency);
    l.source_document = file.document;
    l.source_ref = SourceRef(file, "", l.source_page);
    lines.push_back(std::move(l));
  }
}

// Lines of a detailed budget book's district volumes (tools/budget-extract-2565):
// one per district office × work item × expense category.
void ParseDistrictBookLines(absl::string_view csv, const ManifestFile& file, const std::vector<District>& districts,
                            std::vector<BudgetLine>& lines, ProblemSink& sink) {
  const std::vector<std::string> header = {"fiscal_year",  "district_office", "work_item",   "expense_category",
                                           "expense_line", "amount_baht",     "source_file", "source_page"};
  int ordinal = 0;
  for (const auto& row : CsvBody(csv, file.path, header, sink)) {
    const auto& f = row.fields;
    if (f.size() != header.size()) {
      sink.Add(file.path, row.line, absl::StrCat("expected 8 fields, found ", f.size()));
      continue;
    }
    BudgetLine l;
    ++ordinal;
    if (!ParseYearOf(f[0], file, row.line, &l.fiscal_year, sink)) continue;
    l.district_id = DistrictIdForAgency(districts, f[1]);
    if (l.district_id == 0) {
      sink.Add(file.path, row.line,
               absl::StrCat("district_office \"", f[1], "\" is not one of the 50 district offices"));
      continue;
    }
    if (f[2].empty() || f[3].empty()) {
      sink.Add(file.path, row.line, "work_item and expense_category are required");
      continue;
    }
    if (!f[4].empty()) {
      // Expense lines break a line down; adding them would count it twice.
      sink.Add(file.path, row.line, "expense_line must be empty: this file holds work item × category lines only");
      continue;
    }
    if (!ParseBaht(f[5], &l.amount_baht)) {
      sink.Add(file.path, row.line,
               absl::StrCat("amount_baht \"", f[5], "\" is not a whole non-negative number of baht"));
      continue;
    }
    if (f[6].empty() || !absl::SimpleAtoi(f[7], &l.source_page) || l.source_page < 1) {
      sink.Add(file.path, row.line, "source_file and a source_page (from 1) are required");
      continue;
    }
    l.line_id = int64_t{l.fiscal_year} * 100000 + ordinal;
    l.agency = f[1];
    l.name = f[2];
    l.category = f[3];
    const bool folder = !file.document.empty() && file.document.back() == '/';
    l.source_document = folder ? file.document + f[6] : file.document;
    l.source_ref = SourceRef(file, f[6], l.source_page);
    lines.push_back(std::move(l));
  }
}

void ParseLines(absl::string_view csv, const ManifestFile& file, const std::vector<District>& districts,
                std::vector<BudgetLine>& lines, ProblemSink& sink) {
  if (file.kind == DatasetFileKind::kDistrictBookLines) {
    ParseDistrictBookLines(csv, file, districts, lines, sink);
  } else {
    ParseOrdinanceLines(csv, file, districts, lines, sink);
  }
}

std::optional<StrategyConfidence> ConfidenceNamed(absl::string_view name) {
  if (name == "exact") return StrategyConfidence::kExact;
  if (name == "by_name") return StrategyConfidence::kByName;
  if (name == "none") return StrategyConfidence::kNone;
  return std::nullopt;
}

// Applies a year's mapping to the lines. The file must account for every line
// of its year, once, with the line's own agency and name (so a mapping built
// for another version of the lines is refused, not misapplied).
void ParseStrategyMapping(const std::string& content, const ManifestFile& file, Dataset& ds, ProblemSink& sink) {
  const std::vector<std::string> header = {"line_id",          "agency",     "line_name", "strategy_id",
                                           "sub_dimension_id", "confidence", "source"};
  std::map<std::string, std::set<std::string>> subs_of;  // strategy id -> sub-dimension ids
  for (const auto& fw : ds.frameworks) {
    if (fw.kind != FrameworkKind::kStrategies7) continue;
    for (const auto& s : fw.strategies) {
      auto& subs = subs_of[s.id];
      for (const auto& d : s.sub_dimensions) subs.insert(d.id);
    }
  }
  std::map<int64_t, BudgetLine*> by_id;
  for (auto& l : ds.lines) {
    if (l.fiscal_year == file.fiscal_year) by_id[l.line_id] = &l;
  }
  std::set<int64_t> seen;
  const auto problem = [&](int line, const std::string& why) { sink.Add(file.path, line, why); };
  for (const auto& row : CsvBody(content, file.path, header, sink)) {
    const auto& f = row.fields;
    if (f.size() != header.size()) {
      problem(row.line, absl::StrCat("expected 7 fields, found ", f.size()));
      continue;
    }
    int64_t id = 0;
    auto line = absl::SimpleAtoi(f[0], &id) ? by_id.find(id) : by_id.end();
    if (line == by_id.end()) {
      problem(row.line, absl::StrCat("line_id \"", f[0], "\" is not a line of FY", file.fiscal_year));
      continue;
    }
    BudgetLine& l = *line->second;
    if (!seen.insert(id).second) problem(row.line, absl::StrCat("line ", id, " is mapped twice"));
    if (f[1] != l.agency || f[2] != l.name) {
      problem(row.line, absl::StrCat("line ", id, " is \"", l.agency, " / ", l.name,
                                     "\" in the ordinance; rebuild the mapping for these lines"));
    }
    const auto confidence = ConfidenceNamed(f[5]);
    if (!confidence.has_value()) {
      problem(row.line, absl::StrCat("confidence \"", f[5], "\" must be exact, by_name or none"));
      continue;
    }
    const bool classified = *confidence != StrategyConfidence::kNone;
    const auto strategy = subs_of.find(f[3]);
    if (classified && (strategy == subs_of.end() || f[6].empty())) {
      problem(row.line, absl::StrCat("a classified line needs one of the 7 strategy ids (s1..s7) and a source, got \"",
                                     f[3], "\""));
    } else if (!classified && !(f[3].empty() && f[4].empty())) {
      problem(row.line, "a line with confidence none has no strategy or sub-dimension");
    } else if (classified && !f[4].empty() && strategy->second.count(f[4]) == 0) {
      problem(row.line, absl::StrCat("sub_dimension_id \"", f[4], "\" is not a sub-dimension of ", f[3]));
    }
    l.strategy_id = f[3];
    l.sub_dimension_id = f[4];
    l.strategy_confidence = *confidence;
    l.strategy_source = f[6];
  }
  for (const auto& l : ds.lines) {
    if (l.fiscal_year == file.fiscal_year && seen.count(l.line_id) == 0) {
      problem(0, absl::StrCat("line ", l.line_id, " (", l.agency, " / ", l.name,
                              ") is missing: the mapping must list every line of FY", l.fiscal_year));
    }
  }
}

void ParseDistrictTotals(const std::string& path, const std::string& content, Dataset& ds, ProblemSink& sink) {
  const std::vector<std::string> header = {"source_repo",
                                           "fiscal_year",
                                           "district_id",
                                           "district_name",
                                           "district_type",
                                           "topic",
                                           "district_budget_all_baht",
                                           "topic_budget_focused_baht",
                                           "topic_indicator_value"};
  std::map<std::pair<int32_t, int32_t>, DistrictTopicTotal> by_key;
  for (const auto& row : CsvBody(content, path, header, sink)) {
    const auto& f = row.fields;
    if (f.size() != header.size()) {
      sink.Add(path, row.line, absl::StrCat("expected 9 fields, found ", f.size()));
      continue;
    }
    int32_t year = 0, district = 0;
    int64_t total = 0, topic = 0;
    if (!absl::SimpleAtoi(f[1], &year) || !absl::SimpleAtoi(f[2], &district) || district < 1 || district > 50 ||
        !ParseBaht(f[6], &total) || !ParseBaht(f[7], &topic)) {
      sink.Add(path, row.line, "bad year, district id (1-50) or amount");
      continue;
    }
    auto& t = by_key[{district, year}];
    if (t.district_id != 0 && t.total_baht != total) {
      sink.Add(path, row.line, "district total differs between topic rows");
    }
    t.district_id = district;
    t.fiscal_year = year;
    t.total_baht = total;
    t.topic_baht[f[5]] = topic;
  }
  for (auto& [key, t] : by_key) ds.district_totals.push_back(std::move(t));
}

// A stated-totals file: `check,stated_baht` first; the ordinance's file
// adds `computed_from_rows_baht,match`, a district book's
// `source_file,source_page,note`.
void ParseStatedTotals(absl::string_view csv, const std::string& path, int32_t fiscal_year,
                       std::vector<StatedTotal>& totals, ProblemSink& sink) {
  auto rows = ParseCsv(csv);
  if (!rows.ok()) {
    sink.Add(path, 0, std::string(rows.status().message()));
    return;
  }
  const std::vector<std::string> ordinance = {"check", "stated_baht", "computed_from_rows_baht", "match"};
  const std::vector<std::string> book = {"check", "stated_baht", "source_file", "source_page", "note"};
  if (rows->empty() || ((*rows)[0].fields != ordinance && (*rows)[0].fields != book)) {
    sink.Add(path, 1,
             absl::StrCat("header must be: ", absl::StrJoin(ordinance, ","), " or ", absl::StrJoin(book, ",")));
    return;
  }
  const bool from_book = (*rows)[0].fields == book;
  for (size_t i = 1; i < rows->size(); ++i) {
    const auto& row = (*rows)[i];
    const auto& f = row.fields;
    StatedTotal t;
    t.fiscal_year = fiscal_year;
    t.file = path;
    t.row = row.line;
    if (f.size() != (*rows)[0].fields.size() || f[0].empty() || !ParseBaht(f[1], &t.stated_baht) ||
        (from_book && !absl::SimpleAtoi(f[3], &t.source_page))) {
      sink.Add(path, row.line,
               absl::StrCat("expected: ", absl::StrJoin((*rows)[0].fields, ","), " (a check name, whole baht",
                            from_book ? ", a page number" : "", ")"));
      continue;
    }
    t.check = f[0];
    if (from_book) {
      t.source_file = f[2];
      t.note = f[4];
    }
    totals.push_back(std::move(t));
  }
}

int CountRows(const std::string& content) { return static_cast<int>(std::count(content.begin(), content.end(), '\n')); }

}  // namespace

absl::StatusOr<DatasetFiles> ReadDatasetDir(const std::string& dir) {
  auto read = [&](const std::string& path) -> absl::StatusOr<std::string> {
    std::ifstream in(dir + "/" + path, std::ios::binary);
    if (!in) return absl::NotFoundError(absl::StrCat("dataset file missing: ", dir, "/", path));
    std::ostringstream buf;
    buf << in.rdbuf();
    return buf.str();
  };
  DatasetFiles files;
  auto manifest_text = read(kReleaseManifestPath);
  if (!manifest_text.ok()) return manifest_text.status();
  files[kReleaseManifestPath] = *manifest_text;
  std::vector<ImportProblem> problems;
  auto manifest = ParseReleaseManifest(*manifest_text, &problems);
  // A broken manifest is reported by ParseDataset with the other problems.
  if (!manifest.ok()) return files;
  for (const auto& f : manifest->files) {
    auto content = read(f.path);
    if (!content.ok()) return content.status();
    files[f.path] = *std::move(content);
  }
  return files;
}

namespace {

// A lines file read alone, as data/release.json would list it.
std::vector<BudgetLine> LinesFile(absl::string_view csv, DatasetFileKind kind, std::string path, int32_t fiscal_year,
                                  std::string document, const std::vector<District>& districts,
                                  std::vector<ImportProblem>* problems) {
  ProblemSink sink(problems);
  ManifestFile file;
  file.path = std::move(path);
  file.kind = kind;
  file.fiscal_year = fiscal_year;
  file.document = std::move(document);
  std::vector<BudgetLine> lines;
  ParseLines(csv, file, districts, lines, sink);
  return lines;
}

}  // namespace

std::vector<BudgetLine> ParseOrdinanceLinesCsv(absl::string_view csv, const std::vector<District>& districts,
                                               std::vector<ImportProblem>* problems) {
  return LinesFile(csv, DatasetFileKind::kOrdinanceLines, "budget/bma-ordinance-2566-items.csv", 2566, "", districts,
                   problems);
}

std::vector<BudgetLine> ParseDistrictBookLinesCsv(absl::string_view csv, const std::vector<District>& districts,
                                                  std::vector<ImportProblem>* problems) {
  return LinesFile(csv, DatasetFileKind::kDistrictBookLines, "budget/bma-budget-book-2565-district-lines.csv", 2565,
                   "bma-budget-book-2565-districts/", districts, problems);
}

void ApplyStrategyMappingCsv(absl::string_view csv, int32_t fiscal_year, const std::vector<Framework>& frameworks,
                             std::vector<BudgetLine>* lines, std::vector<ImportProblem>* problems) {
  ProblemSink sink(problems);
  ManifestFile file;
  file.path = absl::StrCat("budget/strategy-mapping-", fiscal_year, ".csv");
  file.kind = DatasetFileKind::kStrategyMapping;
  file.fiscal_year = fiscal_year;
  Dataset ds;
  ds.frameworks = frameworks;
  ds.lines = std::move(*lines);
  ParseStrategyMapping(std::string(csv), file, ds, sink);
  *lines = std::move(ds.lines);
}

std::vector<StatedTotal> ParseStatedTotalsCsv(absl::string_view csv, std::vector<ImportProblem>* problems) {
  ProblemSink sink(problems);
  std::vector<StatedTotal> totals;
  ParseStatedTotals(csv, "budget/bma-ordinance-2566-stated-totals.csv", 2566, totals, sink);
  return totals;
}

int32_t DistrictIdForAgency(const std::vector<District>& districts, const std::string& agency) {
  for (const auto& d : districts) {
    if (d.office_agency == agency) return d.id;
  }
  return 0;
}

std::string ComputeReleaseVersion(const std::vector<SourceFile>& files) {
  std::vector<SourceFile> sorted = files;
  std::sort(sorted.begin(), sorted.end(), [](const SourceFile& a, const SourceFile& b) { return a.path < b.path; });
  std::string manifest;
  for (const auto& f : sorted) absl::StrAppend(&manifest, f.path, " ", f.sha256, "\n");
  return Sha256Hex(manifest).substr(0, 16);
}

absl::StatusOr<Dataset> ParseDataset(const DatasetFiles& files, std::vector<ImportProblem>* problems) {
  ProblemSink sink(problems);
  auto refused = [&] {
    return absl::InvalidArgumentError(absl::StrCat("dataset refused: ", problems->size(), " problem(s)"));
  };
  auto manifest_text = files.find(kReleaseManifestPath);
  if (manifest_text == files.end()) {
    sink.Add(kReleaseManifestPath, 0,
             "file is missing: a release is described by release.json (files, kinds, years, sha256)");
    return refused();
  }
  auto manifest = ParseReleaseManifest(manifest_text->second, problems);
  if (!manifest.ok()) return refused();
  std::set<std::string> listed = {kReleaseManifestPath};
  for (const auto& f : manifest->files) {
    listed.insert(f.path);
    auto content = files.find(f.path);
    if (content == files.end()) {
      sink.Add(f.path, 0, "file is missing from the dataset (release.json lists it)");
    } else if (const std::string sha = Sha256Hex(content->second); sha != f.sha256) {
      sink.Add(f.path, 0,
               absl::StrCat("sha256 is ", sha, " but release.json says ", f.sha256,
                            ": the file is not the one the release describes (if the change is meant, "
                            "run `budget-data manifest DIR` to record the new checksums)"));
    }
  }
  for (const auto& [path, unused] : files) {
    if (listed.count(path) == 0) sink.Add(path, 0, "not listed in release.json (add it with its kind, or remove it)");
  }
  if (!sink.empty()) return refused();

  Dataset ds;
  ds.source = manifest->source;
  for (const auto& [path, content] : files) {
    ds.files.push_back({path, Sha256Hex(content), static_cast<int64_t>(content.size()), CountRows(content)});
  }
  ds.version = ComputeReleaseVersion(ds.files);
  auto content_of = [&](DatasetFileKind kind) -> const std::string& {
    return files.at(OnlyFile(*manifest, kind).path);
  };
  auto path_of = [&](DatasetFileKind kind) -> const std::string& { return OnlyFile(*manifest, kind).path; };
  ParseFrameworks(files, *manifest, ds, sink);
  // Districts before lines: lines join districts.
  ParseDistricts(path_of(DatasetFileKind::kDistricts), content_of(DatasetFileKind::kDistricts), ds, sink);
  ParseYearTotals(path_of(DatasetFileKind::kYearTotals), content_of(DatasetFileKind::kYearTotals), ds, sink);
  ParsePlanAggregates(path_of(DatasetFileKind::kPlanAggregates), content_of(DatasetFileKind::kPlanAggregates), ds,
                      sink);
  // Lines by year, so ids and answers come in year order whatever the
  // manifest's order.
  std::vector<const ManifestFile*> by_year;
  for (const auto& f : manifest->files) by_year.push_back(&f);
  std::stable_sort(by_year.begin(), by_year.end(),
                   [](const ManifestFile* a, const ManifestFile* b) { return a->fiscal_year < b->fiscal_year; });
  for (const ManifestFile* f : by_year) {
    if (f->kind == DatasetFileKind::kOrdinanceLines || f->kind == DatasetFileKind::kDistrictBookLines) {
      ParseLines(files.at(f->path), *f, ds.districts, ds.lines, sink);
    }
  }
  for (const ManifestFile* f : by_year) {
    if (f->kind == DatasetFileKind::kStrategyMapping) ParseStrategyMapping(files.at(f->path), *f, ds, sink);
    if (f->kind == DatasetFileKind::kStatedTotals) {
      ParseStatedTotals(files.at(f->path), f->path, f->fiscal_year, ds.stated_totals, sink);
    }
  }
  ParseDistrictTotals(path_of(DatasetFileKind::kDistrictTopicTotals), content_of(DatasetFileKind::kDistrictTopicTotals),
                      ds, sink);
  for (const ManifestFile* f : by_year) {
    if (f->kind == DatasetFileKind::kOrdinanceLines || f->kind == DatasetFileKind::kDistrictBookLines) {
      ds.documents.push_back({f->fiscal_year,
                              f->kind == DatasetFileKind::kDistrictBookLines ? "district_books" : "ordinance",
                              f->document, f->document_title});
    }
  }
  if (!sink.empty()) return refused();
  return ds;
}

}  // namespace bkk::budget
