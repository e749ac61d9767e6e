// The release manifest; see release_manifest.h.
#include "services/budget_data/core/release_manifest.h"

#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "common/sha256.h"
#include "services/budget_data/core/json_fields.h"

namespace bkk::budget {
namespace {

struct KindInfo {
  DatasetFileKind kind;
  const char* name;
  bool year_bound;
  bool once;  // exactly one file of this kind per release
};

constexpr KindInfo kKinds[] = {
    {DatasetFileKind::kOrdinanceLines, "ordinance_lines", true, false},
    {DatasetFileKind::kDistrictBookLines, "district_book_lines", true, false},
    {DatasetFileKind::kStatedTotals, "stated_totals", true, false},
    {DatasetFileKind::kStrategyMapping, "strategy_mapping", true, false},
    {DatasetFileKind::kYearTotals, "year_totals", false, true},
    {DatasetFileKind::kPlanAggregates, "plan_aggregates", false, true},
    {DatasetFileKind::kDistrictTopicTotals, "district_topic_totals", false, true},
    {DatasetFileKind::kStrategies7, "strategies_7", false, true},
    {DatasetFileKind::kPolicies9, "policies_9", false, true},
    {DatasetFileKind::kDistricts, "districts", false, true},
};

const KindInfo& Info(DatasetFileKind kind) {
  for (const auto& k : kKinds) {
    if (k.kind == kind) return k;
  }
  return kKinds[0];  // unreachable: every kind is listed
}

bool IsLines(DatasetFileKind kind) {
  return kind == DatasetFileKind::kOrdinanceLines || kind == DatasetFileKind::kDistrictBookLines;
}

bool IsSha256Hex(const std::string& s) {
  if (s.size() != 64) return false;
  for (char c : s) {
    if (!absl::ascii_isdigit(c) && !(c >= 'a' && c <= 'f')) return false;
  }
  return true;
}

}  // namespace

absl::string_view DatasetFileKindName(DatasetFileKind kind) { return Info(kind).name; }

absl::StatusOr<ReleaseManifest> ParseReleaseManifest(absl::string_view json, std::vector<ImportProblem>* problems) {
  const size_t problems_before = problems->size();
  auto problem = [&](std::string reason) { problems->push_back({kReleaseManifestPath, 0, std::move(reason)}); };
  auto value = ParseJson(json);
  const google::protobuf::Value* list = value.ok() ? JsonField(*value, "files") : nullptr;
  if (list == nullptr || list->kind_case() != google::protobuf::Value::kListValue) {
    problem("not a release manifest: expected a JSON object with a \"files\" array");
    return absl::InvalidArgumentError("release manifest refused");
  }
  ReleaseManifest manifest;
  manifest.source = {JsonFieldStr(*value, "source_th"), JsonFieldStr(*value, "source_en")};
  std::set<std::string> paths;
  std::map<DatasetFileKind, int> count;
  std::map<int32_t, int> line_files, stated_files;
  for (const auto& entry : list->list_value().values()) {
    ManifestFile f;
    f.path = JsonFieldStr(entry, "path");
    const std::string kind = JsonFieldStr(entry, "kind");
    const std::string year = JsonFieldStr(entry, "fiscal_year");
    f.sha256 = JsonFieldStr(entry, "sha256");
    f.document = JsonFieldStr(entry, "document");
    f.document_title = {JsonFieldStr(entry, "document_th"), JsonFieldStr(entry, "document_en")};
    const std::string who = f.path.empty() ? "an entry" : absl::StrCat("\"", f.path, "\"");
    if (f.path.empty() || f.path == kReleaseManifestPath || f.path.find("..") != std::string::npos ||
        f.path.front() == '/') {
      problem(absl::StrCat(who, ": path must name a file under the dataset root"));
      continue;
    }
    if (!paths.insert(f.path).second) problem(absl::StrCat(who, " is listed twice"));
    const KindInfo* info = nullptr;
    for (const auto& k : kKinds) {
      if (kind == k.name) info = &k;
    }
    if (info == nullptr) {
      std::string names;
      for (const auto& k : kKinds) absl::StrAppend(&names, names.empty() ? "" : ", ", k.name);
      problem(absl::StrCat(who, ": kind \"", kind, "\" is not one of ", names));
      continue;
    }
    f.kind = info->kind;
    if (info->year_bound) {
      if (!absl::SimpleAtoi(year, &f.fiscal_year) || f.fiscal_year < 2500 || f.fiscal_year > 2700) {
        problem(absl::StrCat(who, ": a ", info->name, " file needs \"fiscal_year\" (Buddhist era, e.g. 2566)"));
        continue;
      }
    } else if (!year.empty()) {
      problem(absl::StrCat(who, ": a ", info->name, " file covers many years; remove \"fiscal_year\""));
    }
    if (!IsSha256Hex(f.sha256)) problem(absl::StrCat(who, ": sha256 must be 64 lowercase hex digits"));
    if (IsLines(f.kind)) {
      ++line_files[f.fiscal_year];
      if (f.document.empty() || f.document_title.th.empty() || f.document_title.en.empty()) {
        problem(absl::StrCat(who, ": a lines file names its source document (document, document_th, document_en)"));
      }
    }
    if (f.kind == DatasetFileKind::kStatedTotals) ++stated_files[f.fiscal_year];
    ++count[f.kind];
    manifest.files.push_back(std::move(f));
  }
  for (const auto& k : kKinds) {
    if (k.once && count[k.kind] != 1) {
      problem(absl::StrCat("a release has exactly one ", k.name, " file; this one lists ", count[k.kind]));
    }
  }
  for (const auto& [year, n] : line_files) {
    // Line ids are year × 100000 + row, so one file holds a year's lines.
    if (n > 1) problem(absl::StrCat("FY", year, " has ", n, " lines files; a year's lines are one file"));
    if (stated_files[year] != 1) {
      problem(absl::StrCat("FY", year, " has lines but ", stated_files[year],
                           " stated_totals files; each year's lines are checked against exactly one"));
    }
  }
  for (const auto& [year, n] : stated_files) {
    if (line_files.count(year) == 0) problem(absl::StrCat("FY", year, " has stated totals but no lines to check"));
  }
  if (line_files.empty()) problem("the release has no budget lines (no ordinance_lines or district_book_lines file)");
  if (problems->size() != problems_before) return absl::InvalidArgumentError("release manifest refused");
  return manifest;
}

absl::Status RefreshManifestChecksums(std::map<std::string, std::string>* files) {
  auto it = files->find(kReleaseManifestPath);
  if (it == files->end()) return absl::NotFoundError("the dataset has no release.json");
  std::vector<ImportProblem> problems;
  auto manifest = ParseReleaseManifest(it->second, &problems);
  if (!manifest.ok()) return manifest.status();
  std::string text = it->second;
  for (const auto& f : manifest->files) {
    auto content = files->find(f.path);
    if (content == files->end()) return absl::NotFoundError(absl::StrCat("release.json lists missing ", f.path));
    // Checksums are unique 64-digit strings, so replacing the text keeps the
    // file's layout.
    text = absl::StrReplaceAll(text, {{f.sha256, Sha256Hex(content->second)}});
  }
  it->second = text;
  return absl::OkStatus();
}

}  // namespace bkk::budget
