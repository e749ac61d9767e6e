// Dataset parsing; see dataset_loader.h.
#include "services/budget_data/core/dataset_loader.h"

#include <google/protobuf/struct.pb.h>
#include <google/protobuf/util/json_util.h>

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

namespace bkk::budget {
namespace {

constexpr char kItemsCsv[] = "budget/bma-ordinance-2566-items.csv";
constexpr char kStatedCsv[] = "budget/bma-ordinance-2566-stated-totals.csv";
constexpr char kYearTotalsJson[] = "budget/bma-total-budget-by-year.json";
constexpr char kPlanAggregatesCsv[] = "budget/plan-aggregates-2561-2565.csv";
constexpr char kDistrictTotalsCsv[] = "budget/district-topic-budget-2555-2566.csv";
constexpr char kStrategiesJson[] = "plan/strategies-7-2561-2580.json";
constexpr char kPoliciesJson[] = "plan/policies-9-dee-2568.json";
constexpr char kDistrictsJson[] = "districts/districts.json";
// Which of the 7 strategies each FY2566 line serves, with source and
// confidence; built by tools/strategy-mapping/build.mjs.
constexpr char kStrategyMappingCsv[] = "budget/strategy-mapping-2566.csv";

constexpr char kOrdinanceRef[] = "ข้อบัญญัติงบประมาณรายจ่ายประจำปี พ.ศ. 2566";

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

absl::StatusOr<google::protobuf::Value> ParseJson(const std::string& text) {
  google::protobuf::Value value;
  auto status = google::protobuf::util::JsonStringToMessage(text, &value);
  if (!status.ok()) return absl::InvalidArgumentError(std::string(status.message()));
  return value;
}

std::string Str(const google::protobuf::Value& v) {
  if (v.kind_case() == google::protobuf::Value::kStringValue) return v.string_value();
  if (v.kind_case() == google::protobuf::Value::kNumberValue) {
    return absl::StrCat(static_cast<int64_t>(v.number_value()));
  }
  return "";
}

const google::protobuf::Value* Field(const google::protobuf::Value& obj, const std::string& key) {
  if (obj.kind_case() != google::protobuf::Value::kStructValue) return nullptr;
  auto it = obj.struct_value().fields().find(key);
  return it == obj.struct_value().fields().end() ? nullptr : &it->second;
}

std::string FieldStr(const google::protobuf::Value& obj, const std::string& key) {
  const auto* f = Field(obj, key);
  return f == nullptr ? "" : Str(*f);
}

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

void ParseFrameworks(const DatasetFiles& files, Dataset& ds, ProblemSink& sink) {
  struct Source {
    const char* path;
    FrameworkKind kind;
    const char* name;
    int32_t first, last;
    const char* id_prefix;
  };
  const Source sources[] = {
      {kStrategiesJson, FrameworkKind::kStrategies7, "ยุทธศาสตร์ 7 ด้าน แผนพัฒนากรุงเทพมหานคร ระยะ 20 ปี (พ.ศ. 2561-2580)",
       2561, 2580, "s"},
      {kPoliciesJson, FrameworkKind::kPolicies9, "นโยบาย 9 ดี (ตั้งแต่ปีงบประมาณ 2568)", 2568, 0, "p"},
  };
  for (const auto& src : sources) {
    auto json = ParseJson(files.at(src.path));
    if (!json.ok() || json->kind_case() != google::protobuf::Value::kListValue) {
      sink.Add(src.path, 0, "not a JSON array of strategies");
      continue;
    }
    Framework fw{src.kind, src.name, src.first, src.last, {}};
    int n = 0;
    for (const auto& item : json->list_value().values()) {
      const auto* subs = Field(item, "strategies");
      if (subs == nullptr) continue;  // the "ไม่พบข้อมูล" placeholder has none
      Strategy s;
      s.id = absl::StrCat(src.id_prefix, ++n);
      s.name = FieldStr(item, "strategy");
      s.side = FieldStr(item, "side");
      s.name_en = FieldStr(item, "strategy_en");
      s.issue = FieldStr(item, "issue");
      if (s.name.empty()) sink.Add(src.path, 0, absl::StrCat("strategy ", n, " has no name"));
      int m = 0;
      for (const auto& sub : subs->list_value().values()) {
        SubDimension d;
        d.id = absl::StrCat(s.id, ".", ++m);
        d.name = FieldStr(sub, "sub_strategy");
        d.description = FieldStr(sub, "side_details");
        if (const auto* goals = Field(sub, "sub_srategy_def"); goals != nullptr) {
          for (const auto& g : goals->list_value().values()) d.goals.push_back(Str(g));
        }
        s.sub_dimensions.push_back(std::move(d));
      }
      fw.strategies.push_back(std::move(s));
    }
    ds.frameworks.push_back(std::move(fw));
  }
}

void ParseDistricts(const DatasetFiles& files, Dataset& ds, ProblemSink& sink) {
  auto json = ParseJson(files.at(kDistrictsJson));
  if (!json.ok() || json->kind_case() != google::protobuf::Value::kListValue) {
    sink.Add(kDistrictsJson, 0, "not a JSON array of districts");
    return;
  }
  for (const auto& item : json->list_value().values()) {
    District d;
    if (!absl::SimpleAtoi(FieldStr(item, "id"), &d.id)) {
      sink.Add(kDistrictsJson, 0, "a district has no numeric id");
      continue;
    }
    if (d.id == 0) continue;  // "จังหวัดอื่นๆ" (outside Bangkok) is not a district
    d.name_th = OfficialDistrictName(FieldStr(item, "th_name"));
    d.name_en = FieldStr(item, "en_name");
    d.zipcode = FieldStr(item, "zipcode");
    d.office_agency = "สำนักงานเขต" + d.name_th;
    ds.districts.push_back(std::move(d));
  }
  std::sort(ds.districts.begin(), ds.districts.end(), [](const District& a, const District& b) { return a.id < b.id; });
  if (ds.districts.size() != 50) {
    sink.Add(kDistrictsJson, 0, absl::StrCat("expected the 50 districts of Bangkok, found ", ds.districts.size()));
  }
}

void ParseYearTotals(const DatasetFiles& files, Dataset& ds, ProblemSink& sink) {
  auto json = ParseJson(files.at(kYearTotalsJson));
  if (!json.ok() || json->kind_case() != google::protobuf::Value::kStructValue) {
    sink.Add(kYearTotalsJson, 0, "not a JSON object");
    return;
  }
  for (const auto& [key, list] : json->struct_value().fields()) {
    if (key.empty() || key[0] == '_') continue;
    for (const auto& item : list.list_value().values()) {
      int32_t yy = 0;
      int64_t amount = 0;
      if (!absl::SimpleAtoi(FieldStr(item, "year"), &yy) || !absl::SimpleAtoi(FieldStr(item, "amount"), &amount) ||
          amount < 0) {
        sink.Add(kYearTotalsJson, 0, absl::StrCat("bad year/amount in ", key));
        continue;
      }
      if (amount == 0) continue;  // a placeholder, not a budget
      ds.year_totals.push_back({2500 + yy, amount, absl::StrCat("bma-total-budget-by-year.json (", key, ")")});
    }
  }
  std::sort(ds.year_totals.begin(), ds.year_totals.end(),
            [](const YearTotal& a, const YearTotal& b) { return a.fiscal_year < b.fiscal_year; });
}

void ParsePlanAggregates(const DatasetFiles& files, Dataset& ds, ProblemSink& sink) {
  const std::vector<std::string> header = {"year",
                                           "strategy",
                                           "type",
                                           "sum_ตัวชี้วัดโครงการตามแผน",
                                           "sum_โครงการตามแผน",
                                           "งบประมาณตามแผน",
                                           "งบประมาณตามแผน(ล้านบาท)",
                                           "sum_โครงการในข้อบัญญัติ",
                                           "งบประมาณข้อบัญญัติ(ล้านบาท)"};
  for (const auto& row : CsvBody(files.at(kPlanAggregatesCsv), kPlanAggregatesCsv, header, sink)) {
    const auto& f = row.fields;
    if (f.size() != header.size()) {
      sink.Add(kPlanAggregatesCsv, row.line, absl::StrCat("expected 9 fields, found ", f.size()));
      continue;
    }
    if (f[0].empty()) continue;  // subtotal rows (รวม) repeat the rows above
    PlanAggregate a;
    auto id = AggregateStrategyIds().find(f[1]);
    if (!absl::SimpleAtoi(f[0], &a.fiscal_year) || id == AggregateStrategyIds().end()) {
      sink.Add(kPlanAggregatesCsv, row.line, absl::StrCat("unknown year or strategy \"", f[1], "\""));
      continue;
    }
    a.strategy_id = id->second;
    a.source_strategy = f[1];
    a.sub_dimension = f[2];
    if (!ParseMillionBaht(f[6], &a.plan_baht) || !ParseMillionBaht(f[8], &a.ordinance_baht)) {
      sink.Add(kPlanAggregatesCsv, row.line, "budget is not a million-baht number");
      continue;
    }
    ds.plan_aggregates.push_back(std::move(a));
  }
}

void ParseLines(absl::string_view csv, const std::vector<District>& districts, std::vector<BudgetLine>& lines,
                ProblemSink& sink) {
  const std::vector<std::string> header = {"fiscal_year", "agency",      "plan",       "output_or_project",
                                           "category",    "amount_baht", "source_page"};
  int ordinal = 0;
  for (const auto& row : CsvBody(csv, kItemsCsv, header, sink)) {
    const auto& f = row.fields;
    if (f.size() != header.size()) {
      sink.Add(kItemsCsv, row.line, absl::StrCat("expected 7 fields, found ", f.size()));
      continue;
    }
    BudgetLine l;
    ++ordinal;
    if (!absl::SimpleAtoi(f[0], &l.fiscal_year) || l.fiscal_year < 2500 || l.fiscal_year > 2700) {
      sink.Add(kItemsCsv, row.line, absl::StrCat("fiscal_year \"", f[0], "\" is not a Buddhist-era year"));
      continue;
    }
    if (!ParseBaht(f[5], &l.amount_baht)) {
      sink.Add(kItemsCsv, row.line,
               absl::StrCat("amount_baht \"", f[5], "\" is not a whole non-negative number of baht"));
      continue;
    }
    if (f[1].empty() || (f[3].empty() && f[2].empty())) {
      sink.Add(kItemsCsv, row.line, "agency and a line name (or plan) are required");
      continue;
    }
    if (!f[6].empty() && !absl::SimpleAtoi(f[6], &l.source_page)) {
      sink.Add(kItemsCsv, row.line, absl::StrCat("source_page \"", f[6], "\" is not a number"));
      continue;
    }
    // Stable ids: year and position in the ordinance file.
    l.line_id = int64_t{l.fiscal_year} * 100000 + ordinal;
    l.agency = f[1];
    l.mission_type = f[2];
    // Loan-repayment lines have no output name; the plan names them.
    l.name = f[3].empty() ? f[2] : f[3];
    l.category = f[4];
    l.district_id = DistrictIdForAgency(districts, l.agency);
    l.source_ref = absl::StrCat(kOrdinanceRef, " หน้า ", l.source_page);
    lines.push_back(std::move(l));
  }
}

std::optional<StrategyConfidence> ConfidenceNamed(absl::string_view name) {
  if (name == "exact") return StrategyConfidence::kExact;
  if (name == "by_name") return StrategyConfidence::kByName;
  if (name == "none") return StrategyConfidence::kNone;
  return std::nullopt;
}

// Applies the mapping to the lines. The file must account for every line of
// the years it covers, once, with the line's own agency and name (so a mapping
// built for another version of the lines is refused, not misapplied).
void ParseStrategyMapping(const DatasetFiles& files, Dataset& ds, ProblemSink& sink) {
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
  for (auto& l : ds.lines) by_id[l.line_id] = &l;
  std::set<int32_t> years;
  std::set<int64_t> seen;
  const auto problem = [&](int line, const std::string& why) { sink.Add(kStrategyMappingCsv, line, why); };
  for (const auto& row : CsvBody(files.at(kStrategyMappingCsv), kStrategyMappingCsv, header, sink)) {
    const auto& f = row.fields;
    if (f.size() != header.size()) {
      problem(row.line, absl::StrCat("expected 7 fields, found ", f.size()));
      continue;
    }
    int64_t id = 0;
    auto line = absl::SimpleAtoi(f[0], &id) ? by_id.find(id) : by_id.end();
    if (line == by_id.end()) {
      problem(row.line, absl::StrCat("line_id \"", f[0], "\" is not a line of ", kItemsCsv));
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
    years.insert(l.fiscal_year);
    l.strategy_id = f[3];
    l.sub_dimension_id = f[4];
    l.strategy_confidence = *confidence;
    l.strategy_source = f[6];
  }
  for (const auto& l : ds.lines) {
    if (years.count(l.fiscal_year) != 0 && seen.count(l.line_id) == 0) {
      problem(0, absl::StrCat("line ", l.line_id, " (", l.agency, " / ", l.name,
                              ") is missing: the mapping must list every line of FY", l.fiscal_year));
    }
  }
}

void ParseDistrictTotals(const DatasetFiles& files, Dataset& ds, ProblemSink& sink) {
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
  for (const auto& row : CsvBody(files.at(kDistrictTotalsCsv), kDistrictTotalsCsv, header, sink)) {
    const auto& f = row.fields;
    if (f.size() != header.size()) {
      sink.Add(kDistrictTotalsCsv, row.line, absl::StrCat("expected 9 fields, found ", f.size()));
      continue;
    }
    int32_t year = 0, district = 0;
    int64_t total = 0, topic = 0;
    if (!absl::SimpleAtoi(f[1], &year) || !absl::SimpleAtoi(f[2], &district) || district < 1 || district > 50 ||
        !ParseBaht(f[6], &total) || !ParseBaht(f[7], &topic)) {
      sink.Add(kDistrictTotalsCsv, row.line, "bad year, district id (1-50) or amount");
      continue;
    }
    auto& t = by_key[{district, year}];
    if (t.district_id != 0 && t.total_baht != total) {
      sink.Add(kDistrictTotalsCsv, row.line, "district total differs between topic rows");
    }
    t.district_id = district;
    t.fiscal_year = year;
    t.total_baht = total;
    t.topic_baht[f[5]] = topic;
  }
  for (auto& [key, t] : by_key) ds.district_totals.push_back(std::move(t));
}

void ParseStatedTotals(absl::string_view csv, std::vector<StatedTotal>& totals, ProblemSink& sink) {
  const std::vector<std::string> header = {"check", "stated_baht", "computed_from_rows_baht", "match"};
  for (const auto& row : CsvBody(csv, kStatedCsv, header, sink)) {
    const auto& f = row.fields;
    StatedTotal t;
    if (f.size() != header.size() || f[0].empty() || !ParseBaht(f[1], &t.stated_baht)) {
      sink.Add(kStatedCsv, row.line, "expected: check name, stated whole baht, …");
      continue;
    }
    t.check = f[0];
    totals.push_back(std::move(t));
  }
}

int CountRows(const std::string& content) { return static_cast<int>(std::count(content.begin(), content.end(), '\n')); }

}  // namespace

const std::vector<std::string>& RequiredDatasetFiles() {
  static const auto* kFiles = new std::vector<std::string>{kItemsCsv,          kStatedCsv,         kYearTotalsJson,
                                                           kPlanAggregatesCsv, kDistrictTotalsCsv, kStrategiesJson,
                                                           kPoliciesJson,      kDistrictsJson,     kStrategyMappingCsv};
  return *kFiles;
}

absl::StatusOr<DatasetFiles> ReadDatasetDir(const std::string& dir) {
  DatasetFiles files;
  for (const auto& path : RequiredDatasetFiles()) {
    std::ifstream in(dir + "/" + path, std::ios::binary);
    if (!in) return absl::NotFoundError(absl::StrCat("dataset file missing: ", dir, "/", path));
    std::ostringstream buf;
    buf << in.rdbuf();
    files[path] = buf.str();
  }
  return files;
}

std::vector<BudgetLine> ParseOrdinanceLinesCsv(absl::string_view csv, const std::vector<District>& districts,
                                               std::vector<ImportProblem>* problems) {
  ProblemSink sink(problems);
  std::vector<BudgetLine> lines;
  ParseLines(csv, districts, lines, sink);
  return lines;
}

std::vector<StatedTotal> ParseStatedTotalsCsv(absl::string_view csv, std::vector<ImportProblem>* problems) {
  ProblemSink sink(problems);
  std::vector<StatedTotal> totals;
  ParseStatedTotals(csv, totals, sink);
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
  for (const auto& path : RequiredDatasetFiles()) {
    if (files.find(path) == files.end()) sink.Add(path, 0, "file is missing from the dataset");
  }
  for (const auto& [path, unused] : files) {
    const auto& req = RequiredDatasetFiles();
    if (std::find(req.begin(), req.end(), path) == req.end()) {
      sink.Add(path, 0, "not a file this importer reads (check the path)");
    }
  }
  if (!sink.empty()) {
    return absl::InvalidArgumentError(absl::StrCat("dataset refused: ", problems->size(), " problem(s)"));
  }
  Dataset ds;
  ds.source = {"กรุงเทพมหานคร: ข้อบัญญัติงบประมาณรายจ่ายประจำปี พ.ศ. 2566 และชุดข้อมูลสาธารณะ",
               "Bangkok Metropolitan Administration: FY2566 budget ordinance and public datasets"};
  for (const auto& path : RequiredDatasetFiles()) {
    const std::string& content = files.at(path);
    ds.files.push_back({path, Sha256Hex(content), static_cast<int64_t>(content.size()), CountRows(content)});
  }
  ds.version = ComputeReleaseVersion(ds.files);
  ParseFrameworks(files, ds, sink);
  ParseDistricts(files, ds, sink);  // before lines: lines join districts
  ParseYearTotals(files, ds, sink);
  ParsePlanAggregates(files, ds, sink);
  ParseLines(files.at(kItemsCsv), ds.districts, ds.lines, sink);
  ParseStrategyMapping(files, ds, sink);  // after frameworks and lines
  ParseDistrictTotals(files, ds, sink);
  ParseStatedTotals(files.at(kStatedCsv), ds.stated_totals, sink);
  if (!sink.empty()) {
    return absl::InvalidArgumentError(absl::StrCat("dataset refused: ", problems->size(), " problem(s)"));
  }
  return ds;
}

}  // namespace bkk::budget
