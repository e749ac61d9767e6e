// `voting pabulib-check`: does this service reproduce what real cities
// funded? Each file is imported into a throwaway archive record of a fresh
// in-memory service (the same VotingApp::ImportPabulib and ComputeOutcome
// code paths the gRPC API runs), its own rule is computed, and the funded
// set is compared with the file's `selected` column. The export is then
// imported again and must carry the same numbers (budget, costs, ballots,
// points), exactly.
//
// `selected` = 1 is what the rule funded. Gdynia marks turnout-award
// projects, funded from outside the participatory budget, with 2; those are
// not the rule's and are left out of the comparison (and said so).
#ifndef SERVICES_VOTING_CORE_PABULIB_CHECK_H_
#define SERVICES_VOTING_CORE_PABULIB_CHECK_H_

#include <chrono>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "services/voting/core/pabulib.h"

namespace bkk::voting {

// A file's `selected` column: what the rule funded (1) and how many projects
// were funded from outside it (2); nullopt if the file has no such column.
struct SelectedByTheCity {
  std::set<std::string> by_the_rule;
  int outside_the_rule = 0;
};
std::optional<SelectedByTheCity> SelectedColumn(const PbFile& file);

struct PabulibCheck {
  enum class Verdict { kMatched, kDiffers, kUnsupported };
  std::string file;
  Verdict verdict = Verdict::kUnsupported;
  std::string rule;  // META `rule`
  std::set<std::string> expected;
  std::set<std::string> funded;
  int import_notes = 0;
  std::chrono::microseconds compute_time{0};
  // Why it differs or is unsupported; extra facts (selected=2) otherwise.
  std::string detail;
};

// Checks one file's text; `name` is shown in the report.
PabulibCheck CheckPabulibElection(const std::string& name, const std::string& content);

// "matched  Poland_Lodz_2024_Ruda.pb  greedy-threshold  7 funded  (3 ms)".
std::string FormatCheck(const PabulibCheck& check);
// "N matched, M differ, K unsupported".
std::string FormatCheckTotals(const std::vector<PabulibCheck>& checks);

}  // namespace bkk::voting

#endif  // SERVICES_VOTING_CORE_PABULIB_CHECK_H_
