// pabulib `.pb` reader and writer.
#include "services/voting/core/pabulib.h"

#include <algorithm>
#include <fstream>
#include <limits>
#include <sstream>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "common/csv.h"
#include "services/voting/core/money.h"

namespace bkk::voting {
namespace {

constexpr absl::string_view kMetaSection = "META";
constexpr absl::string_view kProjectsSection = "PROJECTS";
constexpr absl::string_view kVotesSection = "VOTES";

using Record = CsvRow;

absl::Status LineError(int line, absl::string_view reason) {
  return absl::InvalidArgumentError(absl::StrCat("pabulib line ", line, ": ", reason));
}

// The file's `;`-separated records, blank lines left out. Quotes follow the
// usual CSV convention, so files written by Python's csv module (which
// pabulib's tools use) read back; a quote inside free text is just text.
absl::StatusOr<std::vector<Record>> Tokenize(absl::string_view text) {
  CsvOptions options;
  options.delimiter = ';';
  options.literal_quotes_inside_fields = true;
  auto rows = ParseCsv(absl::string_view(text.data(), text.size()), options);
  if (!rows.ok()) return absl::InvalidArgumentError(absl::StrCat("pabulib ", rows.status().message()));
  std::vector<Record> records;
  for (auto& row : *rows) {
    const bool blank = !row.any_quoted && row.fields.size() == 1 && absl::StripAsciiWhitespace(row.fields[0]).empty();
    if (!blank) records.push_back(std::move(row));
  }
  return records;
}

// The section a record introduces, or empty if it is an ordinary row.
absl::string_view SectionName(const Record& record) {
  if (record.any_quoted || record.fields.size() != 1) return "";
  const absl::string_view name = absl::StripAsciiWhitespace(record.fields[0]);
  for (absl::string_view s : {kMetaSection, kProjectsSection, kVotesSection}) {
    if (name == s) return s;
  }
  return "";
}

// Strict signed integer: optional '-', digits, no spaces.
bool ParseInt64Strict(absl::string_view text, int64_t* out) {
  bool negative = false;
  if (!text.empty() && text[0] == '-') {
    negative = true;
    text.remove_prefix(1);
  }
  if (text.empty()) return false;
  // Accumulate negatively so INT64_MIN parses too.
  int64_t value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
    const int digit = c - '0';
    if (value < (std::numeric_limits<int64_t>::min() + digit) / 10) {
      return false;
    }
    value = value * 10 - digit;
  }
  if (!negative) {
    if (value == std::numeric_limits<int64_t>::min()) return false;
    value = -value;
  }
  *out = value;
  return true;
}

// Splits a `,`-separated list; the empty string is the empty list.
std::vector<std::string> SplitList(absl::string_view text) {
  if (text.empty()) return {};
  return absl::StrSplit(text, ',');
}

absl::Status CheckId(absl::string_view what, absl::string_view id) {
  if (id.empty()) return absl::InvalidArgumentError(absl::StrCat(what, " is empty"));
  if (id.find_first_of(",\n\r") != absl::string_view::npos) {
    return absl::InvalidArgumentError(absl::StrCat(what, " \"", id, "\" contains ',' or a line break"));
  }
  return absl::OkStatus();
}

// Column name -> position; INVALID_ARGUMENT on empty or repeated names and on
// missing required ones.
absl::StatusOr<absl::flat_hash_map<std::string, size_t>> IndexColumns(absl::string_view section,
                                                                      const std::vector<std::string>& columns,
                                                                      absl::string_view required_a,
                                                                      absl::string_view required_b) {
  absl::flat_hash_map<std::string, size_t> index;
  for (size_t i = 0; i < columns.size(); ++i) {
    if (columns[i].empty()) {
      return absl::InvalidArgumentError(absl::StrCat(section, " column ", i + 1, " has no name"));
    }
    if (!index.emplace(columns[i], i).second) {
      return absl::InvalidArgumentError(absl::StrCat(section, " column \"", columns[i], "\" appears twice"));
    }
  }
  for (absl::string_view required : {required_a, required_b}) {
    if (!index.contains(required)) {
      return absl::InvalidArgumentError(absl::StrCat(section, " header has no \"", required, "\" column"));
    }
  }
  return index;
}

// Quotes a field only if a reader would otherwise split or misread it.
std::string WriteField(absl::string_view field) {
  if (field.find_first_of(";\"\n\r") == absl::string_view::npos) {
    return std::string(field);
  }
  std::string out = "\"";
  for (char c : field) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  out.push_back('"');
  return out;
}

// Converts the costs at the file's scale: the most decimal places written
// in META budget or any cost.
absl::Status ReadAmounts(const std::vector<std::pair<std::string, int>>& cost_texts, PbFile* file) {
  int scale = 0;
  if (const std::string* budget = file->FindMeta("budget"); budget != nullptr) {
    scale = std::max(scale, DecimalPlaces(*budget));
  }
  for (const auto& [text, line] : cost_texts) {
    const int places = DecimalPlaces(text);
    if (places > kMaxMoneyScale) {
      return LineError(line, absl::StrCat("project cost \"", text, "\" has ", places, " decimal places; at most ",
                                          kMaxMoneyScale, " can be kept exactly"));
    }
    scale = std::max(scale, places);
  }
  scale = std::min(scale, kMaxMoneyScale);  // a budget beyond it is refused by Budget()
  file->money_scale = scale;
  for (size_t i = 0; i < cost_texts.size(); ++i) {
    absl::StatusOr<int64_t> cost = ParseAmount(cost_texts[i].first, scale);
    if (!cost.ok()) return LineError(cost_texts[i].second, absl::StrCat("project cost ", cost.status().message()));
    file->projects[i].cost = *cost;
  }
  return absl::OkStatus();
}

// Keeps the choices of `vote` that can be counted, noting each one dropped:
// a repeated project counts once (its first points), a project not in
// PROJECTS and zero points are not choices.
void KeepReadableChoices(const absl::flat_hash_set<std::string>& project_ids, int line, PbVote* vote,
                         std::vector<PbNote>* notes) {
  absl::flat_hash_set<std::string> chosen;
  std::vector<std::string> projects;
  std::vector<int64_t> points;
  const bool has_points = !vote->points.empty();
  for (size_t i = 0; i < vote->projects.size(); ++i) {
    const std::string& id = vote->projects[i];
    if (!project_ids.contains(id)) {
      notes->push_back({line, absl::StrCat("voter ", vote->voter_id, " names project \"", id,
                                           "\", which is not in PROJECTS; that name is left out")});
      continue;
    }
    if (chosen.contains(id)) {
      notes->push_back({line, absl::StrCat("voter ", vote->voter_id, " names project ", id, " twice; counted once")});
      continue;
    }
    if (has_points && vote->points[i] == 0) {
      notes->push_back(
          {line, absl::StrCat("voter ", vote->voter_id, " gives project ", id, " 0 points; read as not chosen")});
      continue;
    }
    chosen.insert(id);
    projects.push_back(id);
    if (has_points) points.push_back(vote->points[i]);
  }
  vote->projects = std::move(projects);
  vote->points = std::move(points);
}

}  // namespace

const std::string* PbFile::FindMeta(absl::string_view key) const {
  for (const auto& [k, v] : meta) {
    if (k == key) return &v;
  }
  return nullptr;
}

void PbFile::SetMeta(absl::string_view key, absl::string_view value) {
  for (auto& [k, v] : meta) {
    if (k == key) {
      v = std::string(value);
      return;
    }
  }
  meta.emplace_back(std::string(key), std::string(value));
}

bool PbFile::HasPoints() const {
  for (const std::string& c : vote_columns) {
    if (c == kPbPointsColumn) return true;
  }
  return false;
}

absl::StatusOr<int64_t> PbFile::Budget() const {
  const std::string* budget = FindMeta("budget");
  if (budget == nullptr) {
    return absl::InvalidArgumentError("pabulib META has no \"budget\"");
  }
  absl::StatusOr<int64_t> value = ParseAmount(*budget, money_scale);
  if (!value.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("pabulib META budget: ", value.status().message()));
  }
  return value;
}

const PbProject* PbFile::FindProject(absl::string_view id) const {
  for (const PbProject& p : projects) {
    if (p.id == id) return &p;
  }
  return nullptr;
}

absl::StatusOr<PbFile> ParsePabulib(absl::string_view text) {
  absl::StatusOr<std::vector<Record>> records_or = Tokenize(text);
  if (!records_or.ok()) return records_or.status();
  const std::vector<Record>& records = *records_or;
  if (records.empty()) return LineError(1, "the file is empty");

  PbFile file;
  enum class State { kStart, kMeta, kProjectsHeader, kProjects, kVotesHeader, kVotes };
  State state = State::kStart;
  bool meta_header_allowed = false;
  absl::flat_hash_map<std::string, size_t> project_index;
  absl::flat_hash_map<std::string, size_t> vote_index;
  absl::flat_hash_set<std::string> meta_keys;
  absl::flat_hash_set<std::string> project_ids;
  absl::flat_hash_set<std::string> voter_ids;
  // Costs are converted once the file's scale is known (after PROJECTS).
  std::vector<std::pair<std::string, int>> cost_texts;  // (text, line)

  for (const Record& record : records) {
    const int line = record.line;
    const absl::string_view section = SectionName(record);
    if (!section.empty()) {
      const State expected_before = section == kMetaSection       ? State::kStart
                                    : section == kProjectsSection ? State::kMeta
                                                                  : State::kProjects;
      if (state != expected_before) {
        return LineError(line, absl::StrCat("unexpected section ", section,
                                            "; sections must be META, PROJECTS, VOTES in this order, each "
                                            "once, and PROJECTS and VOTES need a header row"));
      }
      state = section == kMetaSection       ? State::kMeta
              : section == kProjectsSection ? State::kProjectsHeader
                                            : State::kVotesHeader;
      meta_header_allowed = section == kMetaSection;
      continue;
    }

    switch (state) {
      case State::kStart:
        return LineError(line, "expected the META section first");

      case State::kMeta: {
        const bool is_header = meta_header_allowed && record.fields.size() == 2 && record.fields[0] == "key" &&
                               record.fields[1] == "value";
        meta_header_allowed = false;
        if (is_header) break;
        if (record.fields.size() < 2) {
          return LineError(line, "META rows must be key;value");
        }
        const std::string& key = record.fields[0];
        if (key.empty()) return LineError(line, "META key is empty");
        if (!meta_keys.insert(key).second) {
          return LineError(line, absl::StrCat("META key \"", key, "\" appears twice"));
        }
        // An unquoted ';' inside a value (seen in free-text comments) is
        // part of the value; the writer quotes it.
        std::vector<std::string> rest(record.fields.begin() + 1, record.fields.end());
        file.meta.emplace_back(key, absl::StrJoin(rest, ";"));
        break;
      }

      case State::kProjectsHeader: {
        absl::StatusOr<absl::flat_hash_map<std::string, size_t>> index =
            IndexColumns("PROJECTS", record.fields, kPbProjectIdColumn, kPbCostColumn);
        if (!index.ok()) return LineError(line, index.status().message());
        project_index = *std::move(index);
        file.project_columns = record.fields;
        state = State::kProjects;
        break;
      }

      case State::kProjects: {
        const std::vector<std::string>& cols = file.project_columns;
        if (record.fields.size() != cols.size()) {
          return LineError(
              line, absl::StrCat("PROJECTS row has ", record.fields.size(), " fields, the header has ", cols.size()));
        }
        PbProject project;
        for (size_t c = 0; c < cols.size(); ++c) {
          const std::string& value = record.fields[c];
          if (cols[c] == kPbProjectIdColumn) {
            project.id = value;
          } else if (cols[c] == kPbCostColumn) {
            cost_texts.emplace_back(value, line);
          } else {
            project.extra.emplace(cols[c], value);
          }
        }
        if (absl::Status s = CheckId("project_id", project.id); !s.ok()) {
          return LineError(line, s.message());
        }
        if (!project_ids.insert(project.id).second) {
          return LineError(line, absl::StrCat("project_id ", project.id, " appears twice"));
        }
        file.projects.push_back(std::move(project));
        break;
      }

      case State::kVotesHeader: {
        if (absl::Status s = ReadAmounts(cost_texts, &file); !s.ok()) return s;
        absl::StatusOr<absl::flat_hash_map<std::string, size_t>> index =
            IndexColumns("VOTES", record.fields, kPbVoterIdColumn, kPbVoteColumn);
        if (!index.ok()) return LineError(line, index.status().message());
        vote_index = *std::move(index);
        file.vote_columns = record.fields;
        state = State::kVotes;
        break;
      }

      case State::kVotes: {
        const std::vector<std::string>& cols = file.vote_columns;
        if (record.fields.size() != cols.size()) {
          return LineError(
              line, absl::StrCat("VOTES row has ", record.fields.size(), " fields, the header has ", cols.size()));
        }
        PbVote vote;
        const std::string* points_text = nullptr;
        for (size_t c = 0; c < cols.size(); ++c) {
          const std::string& value = record.fields[c];
          if (cols[c] == kPbVoterIdColumn) {
            vote.voter_id = value;
          } else if (cols[c] == kPbVoteColumn) {
            vote.projects = SplitList(value);
          } else if (cols[c] == kPbPointsColumn) {
            points_text = &value;
          } else {
            vote.extra.emplace(cols[c], value);
          }
        }
        if (absl::Status s = CheckId("voter_id", vote.voter_id); !s.ok()) {
          return LineError(line, s.message());
        }
        if (!voter_ids.insert(vote.voter_id).second) {
          std::string renamed = absl::StrCat(vote.voter_id, "@line", line);
          // The file may hold that id already (found by the fuzzer).
          for (int n = 2; voter_ids.contains(renamed); ++n) {
            renamed = absl::StrCat(vote.voter_id, "@line", line, "-", n);
          }
          file.notes.push_back({line, absl::StrCat("voter_id ", vote.voter_id,
                                                   " appears again; both ballots are kept, this one as ", renamed)});
          vote.voter_id = std::move(renamed);
          voter_ids.insert(vote.voter_id);
        }
        if (points_text != nullptr) {
          for (const std::string& p : SplitList(*points_text)) {
            int64_t value = 0;
            if (!ParseInt64Strict(p, &value) || value < 0) {
              return LineError(
                  line, absl::StrCat("points of voter ", vote.voter_id, ": \"", p, "\" is not a non-negative integer"));
            }
            vote.points.push_back(value);
          }
          if (vote.points.size() != vote.projects.size()) {
            return LineError(line, absl::StrCat("voter ", vote.voter_id, " has ", vote.projects.size(),
                                                " projects in vote but ", vote.points.size(), " points"));
          }
        }
        KeepReadableChoices(project_ids, line, &vote, &file.notes);
        file.votes.push_back(std::move(vote));
        break;
      }
    }
  }

  const int last_line = records.back().line;
  switch (state) {
    case State::kStart:
    case State::kMeta:
      return LineError(last_line, "the PROJECTS section is missing");
    case State::kProjectsHeader:
      return LineError(last_line, "PROJECTS has no header row");
    case State::kProjects:
      return LineError(last_line, "the VOTES section is missing");
    case State::kVotesHeader:
      return LineError(last_line, "VOTES has no header row");
    case State::kVotes:
      break;
  }
  return file;
}

absl::StatusOr<PbFile> ReadPabulibFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::NotFoundError(absl::StrCat("cannot open pabulib file ", path));
  }
  std::ostringstream buffer;
  buffer << in.rdbuf();
  absl::StatusOr<PbFile> file = ParsePabulib(buffer.str());
  if (!file.ok()) {
    return absl::Status(file.status().code(), absl::StrCat(path, ": ", file.status().message()));
  }
  return file;
}

absl::Status ValidatePbFile(const PbFile& file) {
  if (file.money_scale < 0 || file.money_scale > kMaxMoneyScale) {
    return absl::InvalidArgumentError(
        absl::StrCat("money_scale must be 0-", kMaxMoneyScale, ", got ", file.money_scale));
  }
  absl::flat_hash_set<absl::string_view> keys;
  for (const auto& [key, value] : file.meta) {
    if (key.empty()) return absl::InvalidArgumentError("META key is empty");
    if (key.find_first_of(";\"\n\r") != std::string::npos) {
      // A quoted key would read back the same, but keys are identifiers.
      return absl::InvalidArgumentError(absl::StrCat("META key \"", key, "\" contains ';', '\"' or a line break"));
    }
    if (!keys.insert(key).second) {
      return absl::InvalidArgumentError(absl::StrCat("META key \"", key, "\" appears twice"));
    }
  }

  absl::StatusOr<absl::flat_hash_map<std::string, size_t>> project_index =
      IndexColumns("PROJECTS", file.project_columns, kPbProjectIdColumn, kPbCostColumn);
  if (!project_index.ok()) return project_index.status();
  const size_t project_extra_count = file.project_columns.size() - 2;
  absl::flat_hash_set<absl::string_view> project_ids;
  for (const PbProject& p : file.projects) {
    if (absl::Status s = CheckId("project_id", p.id); !s.ok()) return s;
    if (!project_ids.insert(p.id).second) {
      return absl::InvalidArgumentError(absl::StrCat("project_id ", p.id, " appears twice"));
    }
    if (p.cost < 0) {
      return absl::InvalidArgumentError(absl::StrCat("project ", p.id, " has a negative cost"));
    }
    if (p.extra.size() != project_extra_count) {
      return absl::InvalidArgumentError(absl::StrCat("project ", p.id, " has ", p.extra.size(),
                                                     " extra columns, the header declares ", project_extra_count));
    }
    for (const auto& [column, value] : p.extra) {
      if (!project_index->contains(column) || column == kPbProjectIdColumn || column == kPbCostColumn) {
        return absl::InvalidArgumentError(
            absl::StrCat("project ", p.id, " has a value for undeclared column \"", column, "\""));
      }
    }
  }

  absl::StatusOr<absl::flat_hash_map<std::string, size_t>> vote_index =
      IndexColumns("VOTES", file.vote_columns, kPbVoterIdColumn, kPbVoteColumn);
  if (!vote_index.ok()) return vote_index.status();
  const bool has_points = vote_index->contains(kPbPointsColumn);
  const size_t vote_extra_count = file.vote_columns.size() - 2 - (has_points ? 1 : 0);
  absl::flat_hash_set<absl::string_view> voter_ids;
  for (const PbVote& v : file.votes) {
    if (absl::Status s = CheckId("voter_id", v.voter_id); !s.ok()) return s;
    if (!voter_ids.insert(v.voter_id).second) {
      return absl::InvalidArgumentError(absl::StrCat("voter_id ", v.voter_id, " appears twice"));
    }
    absl::flat_hash_set<absl::string_view> chosen;
    for (const std::string& id : v.projects) {
      if (!project_ids.contains(id)) {
        return absl::InvalidArgumentError(
            absl::StrCat("vote of voter ", v.voter_id, " names unknown project \"", id, "\""));
      }
      if (!chosen.insert(id).second) {
        return absl::InvalidArgumentError(absl::StrCat("vote of voter ", v.voter_id, " names project ", id, " twice"));
      }
    }
    if (has_points ? v.points.size() != v.projects.size() : !v.points.empty()) {
      return absl::InvalidArgumentError(absl::StrCat("voter ", v.voter_id, " has ", v.points.size(), " points for ",
                                                     v.projects.size(), " projects",
                                                     has_points ? "" : ", but VOTES has no points column"));
    }
    if (v.extra.size() != vote_extra_count) {
      return absl::InvalidArgumentError(absl::StrCat("voter ", v.voter_id, " has ", v.extra.size(),
                                                     " extra columns, the header declares ", vote_extra_count));
    }
    for (const auto& [column, value] : v.extra) {
      if (!vote_index->contains(column) || column == kPbVoterIdColumn || column == kPbVoteColumn ||
          column == kPbPointsColumn) {
        return absl::InvalidArgumentError(
            absl::StrCat("voter ", v.voter_id, " has a value for undeclared column \"", column, "\""));
      }
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> WritePabulib(const PbFile& file) {
  if (absl::Status s = ValidatePbFile(file); !s.ok()) return s;
  std::string out;
  const auto write_row = [&out](const std::vector<std::string>& fields) {
    for (size_t i = 0; i < fields.size(); ++i) {
      if (i > 0) out.push_back(';');
      out.append(WriteField(fields[i]));
    }
    out.push_back('\n');
  };

  absl::StrAppend(&out, kMetaSection, "\nkey;value\n");
  for (const auto& [key, value] : file.meta) write_row({key, value});

  absl::StrAppend(&out, kProjectsSection, "\n");
  write_row(file.project_columns);
  std::vector<std::string> row;
  for (const PbProject& p : file.projects) {
    row.clear();
    for (const std::string& column : file.project_columns) {
      if (column == kPbProjectIdColumn) {
        row.push_back(p.id);
      } else if (column == kPbCostColumn) {
        row.push_back(FormatAmount(p.cost, file.money_scale));
      } else {
        row.push_back(p.extra.at(column));
      }
    }
    write_row(row);
  }

  absl::StrAppend(&out, kVotesSection, "\n");
  write_row(file.vote_columns);
  for (const PbVote& v : file.votes) {
    row.clear();
    for (const std::string& column : file.vote_columns) {
      if (column == kPbVoterIdColumn) {
        row.push_back(v.voter_id);
      } else if (column == kPbVoteColumn) {
        row.push_back(absl::StrJoin(v.projects, ","));
      } else if (column == kPbPointsColumn) {
        row.push_back(absl::StrJoin(v.points, ","));
      } else {
        row.push_back(v.extra.at(column));
      }
    }
    write_row(row);
  }
  return out;
}

}  // namespace bkk::voting
