// Change messages; see tally_changes.h.
#include "services/voting/core/tally_changes.h"

#include <algorithm>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace bkk::voting {

TallyChange ChangeOf(const std::vector<StoredBallot>& ballots) {
  TallyChange change;
  if (!ballots.empty()) change.watermark = ballots.back().ballot_id;
  for (const auto& b : ballots) change.districts.insert({b.round_id, b.district_id});
  return change;
}

std::string EncodeChange(const TallyChange& change) {
  if (change.kind == TallyChange::Kind::kRound) return EncodeRoundChange(change.round_id);
  std::string out = absl::StrCat("t ", change.watermark);
  for (const auto& [round, district] : change.districts) absl::StrAppend(&out, " ", round, ":", district);
  return out;
}

std::string EncodeRoundChange(int64_t round_id) { return absl::StrCat("r ", round_id); }

absl::StatusOr<TallyChange> ParseChange(absl::string_view message) {
  std::vector<absl::string_view> parts = absl::StrSplit(message, ' ', absl::SkipEmpty());
  TallyChange change;
  auto bad = [&] { return absl::InvalidArgumentError(absl::StrCat("malformed tally change \"", message, "\"")); };
  if (parts.size() == 2 && parts[0] == "r") {
    change.kind = TallyChange::Kind::kRound;
    if (!absl::SimpleAtoi(parts[1], &change.round_id)) return bad();
    return change;
  }
  if (parts.size() < 2 || parts[0] != "t" || !absl::SimpleAtoi(parts[1], &change.watermark)) return bad();
  for (size_t i = 2; i < parts.size(); ++i) {
    std::pair<absl::string_view, absl::string_view> rd = absl::StrSplit(parts[i], absl::MaxSplits(':', 1));
    int64_t round = 0;
    int32_t district = 0;
    if (!absl::SimpleAtoi(rd.first, &round) || !absl::SimpleAtoi(rd.second, &district)) return bad();
    change.districts.insert({round, district});
  }
  return change;
}

}  // namespace bkk::voting
