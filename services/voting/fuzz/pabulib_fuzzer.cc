// libFuzzer target for the pabulib `.pb` reader and writer
// (services/voting/core/pabulib.h). Besides not crashing:
//   - a refusal is INVALID_ARGUMENT "pabulib line N: …" with N a line of the
//     input, and so is every note's line;
//   - what is read is consistent: votes name known projects once each,
//     points parallel to them and never 0, ids unique, costs non-negative;
//   - the writer takes what was read (but a META key that needs quoting),
//     which reads back equal, with nothing left to fix, and writes again to
//     the same bytes.
// Input: a .pb file. Built and run by tests/fuzz/run.sh (target pabulib) with
// clang's ASan and UBSan.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <set>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"
#include "services/voting/core/money.h"
#include "services/voting/core/pabulib.h"

namespace {

using bkk::voting::PbFile;

void Check(bool condition, const char* what) {
  if (condition) return;
  std::fprintf(stderr, "pabulib_fuzzer: invariant broken: %s\n", what);
  std::abort();
}

// The N of "pabulib line N: …", or -1.
int LineOf(absl::string_view message) {
  if (!absl::ConsumePrefix(&message, "pabulib line ")) return -1;
  const size_t colon = message.find(':');
  int line = -1;
  if (colon == absl::string_view::npos || !absl::SimpleAtoi(message.substr(0, colon), &line)) return -1;
  return line;
}

void CheckConsistent(const PbFile& file) {
  std::set<absl::string_view> project_ids;
  for (const auto& p : file.projects) {
    Check(!p.id.empty() && p.id.find_first_of(",\r\n") == std::string::npos, "a project id is empty or has , or EOL");
    Check(project_ids.insert(p.id).second, "a project id twice");
    Check(p.cost >= 0, "a negative cost");
    Check(p.extra.size() + 2 == file.project_columns.size(), "a project's columns differ from the header");
  }
  Check(file.money_scale >= 0 && file.money_scale <= bkk::voting::kMaxMoneyScale, "money scale out of range");
  const bool has_points = file.HasPoints();
  std::set<absl::string_view> voter_ids;
  for (const auto& v : file.votes) {
    Check(!v.voter_id.empty(), "an empty voter id");
    // A repeated id is kept under another ("id@lineN"), which must be free.
    Check(voter_ids.insert(v.voter_id).second, "a voter id twice");
    std::set<absl::string_view> chosen;
    for (const auto& id : v.projects) {
      Check(project_ids.count(id) == 1, "a vote names an unknown project");
      Check(chosen.insert(id).second, "a vote names a project twice");
    }
    Check(has_points ? v.points.size() == v.projects.size() : v.points.empty(), "points not parallel to the vote");
    for (int64_t points : v.points) Check(points > 0, "zero or negative points kept");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::string_view input(reinterpret_cast<const char*>(data), size);
  // Lines as the reader counts them (LF ends a line; a lone CR too, but then
  // fewer are counted here, so this bound is loose enough).
  const int lines = 1 + static_cast<int>(std::count(input.begin(), input.end(), '\n')) +
                    static_cast<int>(std::count(input.begin(), input.end(), '\r'));
  absl::StatusOr<PbFile> parsed = bkk::voting::ParsePabulib(input);
  if (!parsed.ok()) {
    Check(parsed.status().code() == absl::StatusCode::kInvalidArgument, "a refusal is not INVALID_ARGUMENT");
    const int line = LineOf(parsed.status().message());
    // (The CSV tokenizer's own errors read "pabulib line N: …" too.)
    Check(line >= 1 && line <= lines, "a refusal names no line of the input");
    return 0;
  }
  for (const auto& note : parsed->notes) Check(note.line >= 1 && note.line <= lines, "a note names no line");
  CheckConsistent(*parsed);

  absl::StatusOr<std::string> written = bkk::voting::WritePabulib(*parsed);
  if (!written.ok()) {
    // The one thing read but not written: a META key that needs quoting.
    const bool odd_key = std::any_of(parsed->meta.begin(), parsed->meta.end(), [](const auto& kv) {
      return kv.first.find_first_of(";\"\r\n") != std::string::npos;
    });
    Check(written.status().code() == absl::StatusCode::kInvalidArgument && odd_key, "the writer refuses what was read");
    return 0;
  }
  absl::StatusOr<PbFile> again = bkk::voting::ParsePabulib(*written);
  Check(again.ok(), "the written file does not read back");
  Check(*again == *parsed, "the written file reads back different");
  Check(again->notes.empty(), "the written file needs fixing");
  absl::StatusOr<std::string> rewritten = bkk::voting::WritePabulib(*again);
  Check(rewritten.ok() && *rewritten == *written, "writing again gives other bytes");
  return 0;
}
