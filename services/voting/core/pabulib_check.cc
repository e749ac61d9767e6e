// Reproducing real elections through the service's own import and outcome
// code; see pabulib_check.h.
#include "services/voting/core/pabulib_check.h"

#include <chrono>
#include <map>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "common/operators/model.h"
#include "services/voting/core/in_memory.h"
#include "services/voting/core/outcomes.h"
#include "services/voting/core/pabulib.h"
#include "services/voting/core/tally_applier.h"
#include "services/voting/core/voting_app.h"

namespace bkk::voting {
namespace {

// A service of its own for each file: nothing one import leaves behind can
// change the next check.
class ThrowawayService {
 public:
  ThrowawayService()
      : applier_(&repo_, &tallies_, std::chrono::milliseconds(1000)),
        app_(&repo_, &tallies_, &applier_, &limiter_, *VoterKeyHasher::Create(kKey), *VoterTokenSigner::Create(kKey),
             *CommitmentNonces::Create(kKey), VotingLimits()) {}
  VotingApp& app() { return app_; }

 private:
  static constexpr char kKey[] = "pabulib-check-throwaway-key-0123456789";
  InMemoryVotingRepository repo_;
  InMemoryTallyStore tallies_;
  InMemoryRateLimiter limiter_;
  TallyApplier applier_;
  VotingApp app_;
};

const operators::Actor& Checker() {
  static const auto* actor = [] {
    auto* a = new operators::Actor;
    a->op.name = "pabulib-check";
    a->op.roles = {operators::Role::kDataAdmin};
    a->role = operators::Role::kDataAdmin;
    return a;
  }();
  return *actor;
}

// What an election's numbers are, to compare an export with its source.
struct Numbers {
  std::string budget;
  std::map<std::string, int64_t> costs;
  std::map<std::string, std::map<std::string, int64_t>> ballots;  // voter -> project -> points
  int scale = 0;
  bool operator==(const Numbers& o) const {
    return budget == o.budget && costs == o.costs && ballots == o.ballots && scale == o.scale;
  }
};

absl::StatusOr<Numbers> NumbersOf(absl::string_view text) {
  absl::StatusOr<PbFile> file = ParsePabulib(text);
  if (!file.ok()) return file.status();
  Numbers n;
  absl::StatusOr<int64_t> budget = file->Budget();
  if (!budget.ok()) return budget.status();
  n.budget = FormatAmount(*budget, file->money_scale);
  n.scale = file->money_scale;
  for (const PbProject& p : file->projects) n.costs[p.id] = p.cost;
  for (const PbVote& v : file->votes) {
    auto& ballot = n.ballots[v.voter_id];
    for (size_t i = 0; i < v.projects.size(); ++i) ballot[v.projects[i]] = v.points.empty() ? 1 : v.points[i];
  }
  return n;
}

}  // namespace

std::optional<SelectedByTheCity> SelectedColumn(const PbFile& file) {
  SelectedByTheCity selected;
  bool has_column = false;
  for (const PbProject& p : file.projects) {
    auto value = p.extra.find("selected");
    if (value == p.extra.end()) continue;
    has_column = true;
    if (value->second == "1") selected.by_the_rule.insert(p.id);
    if (value->second == "2") ++selected.outside_the_rule;
  }
  if (!has_column) return std::nullopt;
  return selected;
}

PabulibCheck CheckPabulibElection(const std::string& name, const std::string& content) {
  PabulibCheck check;
  check.file = name;
  absl::StatusOr<PbFile> file = ParsePabulib(content);
  if (!file.ok()) {
    check.detail = std::string(file.status().message());
    return check;
  }
  absl::StatusOr<PabulibRule> rule = RuleOfPabulib(*file);
  if (!rule.ok()) {
    check.detail = std::string(rule.status().message());
    return check;
  }
  check.rule = rule->name;
  if (!rule->rule.has_value()) {
    check.detail = absl::StrCat("rule \"", check.rule, "\" is not one this service runs: nothing to reproduce");
    return check;
  }
  const std::optional<SelectedByTheCity> selected = SelectedColumn(*file);
  if (!selected.has_value()) {
    check.detail = "the file has no selected column to compare with";
    return check;
  }
  check.expected = selected->by_the_rule;
  const int outside = selected->outside_the_rule;

  ThrowawayService service;
  absl::StatusOr<ImportReport> imported = service.app().ImportPabulib(name, content, 1, Checker());
  if (!imported.ok()) {
    check.detail = absl::StrCat("import refused: ", imported.status().message());
    return check;
  }
  check.import_notes = static_cast<int>(imported->notes.size());
  const int64_t round_id = imported->round.round_id;
  const auto start = std::chrono::steady_clock::now();
  absl::StatusOr<OutcomeView> outcome = service.app().ComputeOutcome(round_id, 1, std::nullopt, Audience::kPublic);
  check.compute_time = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - start);
  if (!outcome.ok()) {
    check.detail = std::string(outcome.status().message());
    return check;
  }
  check.funded = {outcome->outcome.funded_ids.begin(), outcome->outcome.funded_ids.end()};
  if (outside > 0) {
    absl::StrAppend(&check.detail, outside, " project(s) with selected=2 were funded outside the rule; ");
  }
  if (check.funded != check.expected) {
    std::vector<std::string> extra, missing;
    for (const auto& id : check.funded) {
      if (check.expected.count(id) == 0) extra.push_back(id);
    }
    for (const auto& id : check.expected) {
      if (check.funded.count(id) == 0) missing.push_back(id);
    }
    check.verdict = PabulibCheck::Verdict::kDiffers;
    absl::StrAppend(&check.detail, "funded here but not by the city: [", absl::StrJoin(extra, ","),
                    "]; funded by the city but not here: [", absl::StrJoin(missing, ","), "]");
    return check;
  }

  // The export must carry the same numbers, exactly.
  absl::StatusOr<std::string> exported = service.app().ExportPabulib(round_id, 1, Audience::kPublic);
  absl::StatusOr<Numbers> before = NumbersOf(content);
  absl::StatusOr<Numbers> after = exported.ok() ? NumbersOf(*exported) : exported.status();
  if (!before.ok() || !after.ok() || !(*before == *after)) {
    check.verdict = PabulibCheck::Verdict::kDiffers;
    absl::StrAppend(&check.detail, "the export does not carry the file's numbers exactly",
                    after.ok() ? "" : absl::StrCat(": ", after.status().message()));
    return check;
  }
  check.verdict = PabulibCheck::Verdict::kMatched;
  return check;
}

std::string FormatCheck(const PabulibCheck& check) {
  const char* verdict = check.verdict == PabulibCheck::Verdict::kMatched   ? "matched    "
                        : check.verdict == PabulibCheck::Verdict::kDiffers ? "DIFFERS    "
                                                                           : "unsupported";
  std::string line = absl::StrCat(verdict, "  ", check.file, "  ", check.rule.empty() ? "(no rule)" : check.rule);
  if (check.verdict != PabulibCheck::Verdict::kUnsupported) {
    absl::StrAppend(&line, "  ", check.funded.size(), " funded, ", check.expected.size(), " selected  (",
                    check.compute_time.count() / 1000, " ms");
    if (check.import_notes > 0) absl::StrAppend(&line, ", ", check.import_notes, " import notes");
    absl::StrAppend(&line, ")");
  }
  if (!check.detail.empty()) absl::StrAppend(&line, "  ", absl::StripSuffix(check.detail, "; "));
  return line;
}

std::string FormatCheckTotals(const std::vector<PabulibCheck>& checks) {
  int matched = 0, differ = 0, unsupported = 0;
  for (const PabulibCheck& c : checks) {
    matched += c.verdict == PabulibCheck::Verdict::kMatched ? 1 : 0;
    differ += c.verdict == PabulibCheck::Verdict::kDiffers ? 1 : 0;
    unsupported += c.verdict == PabulibCheck::Verdict::kUnsupported ? 1 : 0;
  }
  return absl::StrCat(matched, " matched, ", differ, " differ, ", unsupported, " unsupported");
}

}  // namespace bkk::voting
