// outcome_bench: how long the outcome rules take, in-process (the rule's own
// cost; the service adds only reading the ballots). Two parts:
//   outcome_bench file PATH      the file under each rule, timed, the file's
//                                own rule checked against its `selected`
//   outcome_bench large VOTERS PROJECTS SEED
//                                Equal Shares with add1 on a generated
//                                election (add1 reruns on every core),
//                                checked to stay within the budget and to
//                                come out the same with one rerun after
//                                another (timed too: one_by_one_ms); every
//                                outcome ComputeEqualSharesAdd1 returns is
//                                also checked to balance exactly
// Each prints one line per run: "rule R ms T funded F check ok|FAILED ...".
#include <chrono>
#include <cstdio>
#include <random>
#include <set>
#include <string>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "services/voting/core/outcomes.h"
#include "services/voting/core/pabulib.h"
#include "services/voting/core/pabulib_check.h"

namespace {

using bkk::voting::Election;
using bkk::voting::Outcome;
using bkk::voting::OutcomeRule;
using bkk::voting::OutcomeSpec;

double MillisSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
}

int FilePart(const std::string& path) {
  auto file = bkk::voting::ReadPabulibFile(path);
  if (!file.ok()) return std::fprintf(stderr, "%s\n", std::string(file.status().message()).c_str()), 2;
  auto election = bkk::voting::ElectionFromPabulib(*file);
  if (!election.ok()) return std::fprintf(stderr, "%s\n", std::string(election.status().message()).c_str()), 2;
  auto own = bkk::voting::RuleOfPabulib(*file);
  if (!own.ok()) return std::fprintf(stderr, "%s\n", std::string(own.status().message()).c_str()), 2;
  const auto selected = bkk::voting::SelectedColumn(*file);
  bool all_ok = true;
  for (OutcomeRule rule : {OutcomeRule::kGreedy, OutcomeRule::kGreedyNoSkip, OutcomeRule::kEqualSharesAdd1,
                           OutcomeRule::kEqualSharesAdd1Comparison}) {
    const auto start = std::chrono::steady_clock::now();
    absl::StatusOr<Outcome> outcome = bkk::voting::ComputeOutcome(*election, OutcomeSpec{rule, own->min_support});
    const double ms = MillisSince(start);
    std::string check = "ok";
    if (!outcome.ok()) {
      check = absl::StrCat("FAILED ", outcome.status().message());
    } else if (outcome->total_cost > election->budget) {
      check = "FAILED over budget";
    } else if (own->rule == rule && selected.has_value()) {
      const std::set<std::string> funded(outcome->funded_ids.begin(), outcome->funded_ids.end());
      check = funded == selected->by_the_rule ? "ok (the city's funded set)" : "FAILED not the city's funded set";
    }
    all_ok = all_ok && check.rfind("ok", 0) == 0;
    std::printf("rule %s ms %.1f funded %zu check %s\n", std::string(bkk::voting::OutcomeRuleName(rule)).c_str(), ms,
                outcome.ok() ? outcome->funded_ids.size() : 0, check.c_str());
  }
  return all_ok ? 0 : 1;
}

// A city-sized election: project popularity falls off like real ones (a few
// favourites, a long tail), ballots approve 1-8 projects, costs 50,000 to
// 2,000,000 baht, a budget that funds about a quarter of the projects.
Election Generate(int voters, int projects, uint64_t seed) {
  std::mt19937_64 rng(seed);
  Election e;
  std::vector<double> weight;
  int64_t total = 0;
  for (int p = 0; p < projects; ++p) {
    const int64_t cost = std::uniform_int_distribution<int64_t>(1, 40)(rng) * 50'000;
    e.projects.push_back({absl::StrCat(p + 1), cost});
    total += cost;
    weight.push_back(1.0 / (1.0 + p * 0.15));
  }
  e.budget = total / 4;
  std::discrete_distribution<int> pick(weight.begin(), weight.end());
  for (int v = 0; v < voters; ++v) {
    bkk::voting::ElectionBallot b;
    b.voter_id = absl::StrCat("v", v);
    const int n = std::uniform_int_distribution<int>(1, 8)(rng);
    std::set<int> chosen;
    while (static_cast<int>(chosen.size()) < n) chosen.insert(pick(rng));
    for (int p : chosen) b.entries.push_back({e.projects[p].id, 1});
    e.ballots.push_back(std::move(b));
  }
  return e;
}

int LargePart(int voters, int projects, uint64_t seed) {
  const Election e = Generate(voters, projects, seed);
  bkk::voting::EqualSharesOptions options;  // add1 reruns on every core
  const auto start = std::chrono::steady_clock::now();
  absl::StatusOr<Outcome> outcome = bkk::voting::ComputeEqualSharesAdd1(e, options);
  const double ms = MillisSince(start);
  if (!outcome.ok()) return std::fprintf(stderr, "%s\n", std::string(outcome.status().message()).c_str()), 1;
  // The check: one rerun after another must fund the same projects after
  // the same number of steps (timed too, for the single-core figure).
  bkk::voting::EqualSharesOptions one_by_one = options;
  one_by_one.add1_parallel_runs = 1;
  const auto serial_start = std::chrono::steady_clock::now();
  absl::StatusOr<Outcome> again = bkk::voting::ComputeEqualSharesAdd1(e, one_by_one);
  const double serial_ms = MillisSince(serial_start);
  std::string check = "ok";
  if (!again.ok() || again->funded_ids != outcome->funded_ids || again->add1_steps != outcome->add1_steps) {
    check = "FAILED differs from one rerun after another";
  } else if (outcome->total_cost > e.budget) {
    check = "FAILED over budget";
  }
  std::printf(
      "rule equalshares/add1 voters %d projects %d add1_steps %lld ms %.1f funded %zu spent %lld of %lld check %s "
      "one_by_one_ms %.1f\n",
      voters, projects, static_cast<long long>(outcome->add1_steps), ms, outcome->funded_ids.size(),
      static_cast<long long>(outcome->total_cost), static_cast<long long>(e.budget), check.c_str(), serial_ms);
  return check == "ok" ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string part = argc > 1 ? argv[1] : "";
  if (part == "file" && argc == 3) return FilePart(argv[2]);
  int voters = 0, projects = 0;
  uint64_t seed = 0;
  if (part == "large" && argc == 5 && absl::SimpleAtoi(argv[2], &voters) && absl::SimpleAtoi(argv[3], &projects) &&
      absl::SimpleAtoi(argv[4], &seed)) {
    return LargePart(voters, projects, seed);
  }
  std::fprintf(stderr, "usage: outcome_bench file PATH | outcome_bench large VOTERS PROJECTS SEED\n");
  return 2;
}
