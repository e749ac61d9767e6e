// Reader and writer for the pabulib `.pb` format (pabulib.org/format), the
// standard exchange format for participatory-budgeting elections. Rounds are
// exported in it, and real pabulib files are the ground truth the outcome
// rules are tested against.
//
// A file has three sections in this order, each introduced by a line holding
// only its name: META (rows `key;value`, after an optional `key;value` header
// line), PROJECTS and VOTES (a header row naming the columns, then one row per
// project / voter). Fields are `;`-separated; a field may be double-quoted
// (`""` inside quotes is a quote; quoted fields may span lines). List values
// (`vote`, `points`) are `,`-separated. CRLF or LF line ends, a UTF-8 BOM and
// blank lines are accepted.
//
// Everything is kept: all META keys in file order, every project and vote
// column (unknown ones as strings), so ParsePabulib(WritePabulib(f)) == f.
//
// Money is read exactly (money.h): the file's scale is the most decimal
// places written in META `budget` or any `cost` (grosze: 2), and every
// amount is kept as minor units at that scale; the writer prints them back
// with that many places, so amounts round-trip exactly.
//
// Real files carry quirks the cities' own tools let through. The reader
// keeps what can be read and records each fix in PbFile::notes (line, what
// was done): a vote naming a project twice counts it once; a vote naming a
// project not in PROJECTS drops that name; a repeated voter_id keeps both
// ballots under distinct ids; zero points read as "not chosen". It refuses
// only what cannot be read (broken structure, amounts that are not numbers).
#ifndef SERVICES_VOTING_CORE_PABULIB_H_
#define SERVICES_VOTING_CORE_PABULIB_H_

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace bkk::voting {

// Column names with a dedicated field; every other column is kept in `extra`.
inline constexpr absl::string_view kPbProjectIdColumn = "project_id";
inline constexpr absl::string_view kPbCostColumn = "cost";
inline constexpr absl::string_view kPbVoterIdColumn = "voter_id";
inline constexpr absl::string_view kPbVoteColumn = "vote";
inline constexpr absl::string_view kPbPointsColumn = "points";

struct PbProject {
  std::string id;
  int64_t cost = 0;  // minor units at PbFile::money_scale
  // Every other column (votes, score, name, selected, ...) by column name.
  std::map<std::string, std::string> extra;

  friend bool operator==(const PbProject& a, const PbProject& b) {
    return a.id == b.id && a.cost == b.cost && a.extra == b.extra;
  }
};

struct PbVote {
  std::string voter_id;
  // The `vote` column in file order (the order matters for ordinal ballots).
  std::vector<std::string> projects;
  // The `points` column, parallel to `projects`; empty when the file has none.
  std::vector<int64_t> points;
  // Every other column (age, sex, voting_method, ...) by column name.
  std::map<std::string, std::string> extra;

  friend bool operator==(const PbVote& a, const PbVote& b) {
    return a.voter_id == b.voter_id && a.projects == b.projects && a.points == b.points && a.extra == b.extra;
  }
};

// A fix the reader made to a real file, for the import report.
struct PbNote {
  int line = 0;
  std::string text;
};

struct PbFile {
  std::vector<std::pair<std::string, std::string>> meta;  // file order
  int money_scale = 0;                                    // decimal places of budget and costs (money.h)
  std::vector<std::string> project_columns;               // file order, incl. id and cost
  std::vector<PbProject> projects;
  std::vector<std::string> vote_columns;  // file order, incl. voter_id, vote
  std::vector<PbVote> votes;
  // What the reader fixed; not part of the file's content (operator==).
  std::vector<PbNote> notes;

  // The META value for `key`, or nullptr.
  const std::string* FindMeta(absl::string_view key) const;
  // Replaces the value of `key`, or appends the pair.
  void SetMeta(absl::string_view key, absl::string_view value);
  // True if VOTES has a `points` column (cumulative / scoring ballots).
  bool HasPoints() const;
  // META `budget` in minor units at money_scale; INVALID_ARGUMENT if absent
  // or not an amount.
  absl::StatusOr<int64_t> Budget() const;
  const PbProject* FindProject(absl::string_view id) const;

  friend bool operator==(const PbFile& a, const PbFile& b) {
    return a.meta == b.meta && a.money_scale == b.money_scale && a.project_columns == b.project_columns &&
           a.projects == b.projects && a.vote_columns == b.vote_columns && a.votes == b.votes;
  }
  friend bool operator!=(const PbFile& a, const PbFile& b) { return !(a == b); }
};

// INVALID_ARGUMENT "pabulib line N: <reason>" for what cannot be read:
// missing or out-of-order sections, rows whose field count differs from the
// header, missing required columns, duplicate project ids, costs that are
// not amounts (or have more than kMaxMoneyScale places), points that are not
// integers, points lists whose length differs from the vote list. The
// quirks in the file comment are fixed and noted instead.
absl::StatusOr<PbFile> ParsePabulib(absl::string_view text);

// Reads and parses a file; NOT_FOUND if it cannot be opened.
absl::StatusOr<PbFile> ReadPabulibFile(const std::string& path);

// Structural checks WritePabulib relies on (required columns present once,
// each row has exactly the declared columns, ids unique and free of ',' and
// line breaks, votes name known projects, points parallel to votes).
// INVALID_ARGUMENT saying what is inconsistent.
absl::Status ValidatePbFile(const PbFile& file);

// Writes `file` with LF line ends, quoting only fields that need it (those
// containing ';', '"' or a line break). Runs ValidatePbFile first.
absl::StatusOr<std::string> WritePabulib(const PbFile& file);

}  // namespace bkk::voting

#endif  // SERVICES_VOTING_CORE_PABULIB_H_
