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
// Money: `cost` and META `budget` are parsed exactly into int64 whole units
// (baht for our rounds; the file's currency otherwise). A decimal form is
// accepted only when its fraction is all zeros ("1000000.00" -> 1000000);
// anything with a non-zero fraction is rejected rather than rounded, because a
// rounded budget could change which projects fit.
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
  int64_t cost = 0;
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

struct PbFile {
  std::vector<std::pair<std::string, std::string>> meta;  // file order
  std::vector<std::string> project_columns;               // file order, incl. id and cost
  std::vector<PbProject> projects;
  std::vector<std::string> vote_columns;  // file order, incl. voter_id, vote
  std::vector<PbVote> votes;

  // The META value for `key`, or nullptr.
  const std::string* FindMeta(absl::string_view key) const;
  // Replaces the value of `key`, or appends the pair.
  void SetMeta(absl::string_view key, absl::string_view value);
  // True if VOTES has a `points` column (cumulative / scoring ballots).
  bool HasPoints() const;
  // META `budget` as whole units (see the file comment); INVALID_ARGUMENT if
  // absent or not a whole amount.
  absl::StatusOr<int64_t> Budget() const;
  const PbProject* FindProject(absl::string_view id) const;

  friend bool operator==(const PbFile& a, const PbFile& b) {
    return a.meta == b.meta && a.project_columns == b.project_columns && a.projects == b.projects &&
           a.vote_columns == b.vote_columns && a.votes == b.votes;
  }
  friend bool operator!=(const PbFile& a, const PbFile& b) { return !(a == b); }
};

// Parses a non-negative whole amount: digits, optionally followed by '.' and
// zeros only; surrounding spaces allowed. INVALID_ARGUMENT (naming the text)
// for signs, non-zero fractions, exponents, or values beyond int64.
absl::StatusOr<int64_t> ParseWholeAmount(absl::string_view text);

// INVALID_ARGUMENT "pabulib line N: <reason>" for malformed input: missing or
// out-of-order sections, rows whose field count differs from the header,
// missing required columns, duplicate project or voter ids, votes naming
// unknown projects or one project twice, bad costs or points, points lists
// whose length differs from the vote list.
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
