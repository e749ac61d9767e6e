// Tests for the outcome rules: the real pabulib elections (Assen's Equal
// Shares + add1 outcome, greedy outcomes, Gdańsk's point totals) and small
// hand-built elections for tie-breaks, exactness and explanations.
#include "services/voting/core/outcomes.h"

#include <boost/multiprecision/cpp_int.hpp>
#include <iostream>
#include <map>
#include <random>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/testing/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace bkk::voting {
namespace {

using ::bkk::testing::StatusIs;
using Rational = boost::multiprecision::cpp_rational;

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::UnorderedElementsAre;

constexpr absl::string_view kAssen = "Netherlands_Assen_2024.pb";
constexpr absl::string_view kGdansk = "Poland_Gdansk_2020_Rudniki.pb";
constexpr absl::string_view kWarszawa = "Poland_Warszawa_2017_Plac_Wojska_Polskiego.pb";
constexpr absl::string_view kJerseyCity = "US_Stanford_Dataset_2022_Jersey_City_Ward_B_vote_knapsacks.pb";

PbFile LoadFile(absl::string_view name) {
  return ReadPabulibFile(absl::StrCat(BKK_DATA_DIR, "/pabulib/", name)).value();
}

Election LoadElection(absl::string_view name) { return ElectionFromPabulib(LoadFile(name)).value(); }

std::set<std::string> Funded(const Outcome& outcome) { return {outcome.funded_ids.begin(), outcome.funded_ids.end()}; }

std::set<std::string> SelectedColumn(const PbFile& file) {
  std::set<std::string> selected;
  for (const PbProject& p : file.projects) {
    if (p.extra.at("selected") == "1") selected.insert(p.id);
  }
  return selected;
}

// An election where voter i approves ballots[i].
Election Approval(int64_t budget, const std::vector<std::pair<std::string, int64_t>>& projects,
                  std::vector<std::vector<std::string>> ballots) {
  Election e;
  e.budget = budget;
  for (auto& [id, cost] : projects) e.projects.push_back({id, cost});
  for (size_t i = 0; i < ballots.size(); ++i) {
    ElectionBallot b;
    b.voter_id = absl::StrCat("v", i);
    for (const std::string& id : ballots[i]) b.entries.push_back({id, 1});
    e.ballots.push_back(std::move(b));
  }
  return e;
}

TEST(RealElectionsTest, AssenEqualSharesAdd1MatchesTheCity) {
  const PbFile file = LoadFile(kAssen);
  ASSERT_EQ(*file.FindMeta("rule"), OutcomeRuleName(OutcomeRule::kEqualSharesAdd1));
  const Outcome outcome = ComputeEqualSharesAdd1(ElectionFromPabulib(file).value()).value();
  const std::set<std::string> expected = {"2", "3", "5", "6", "9", "11", "12", "13", "14"};
  EXPECT_EQ(Funded(outcome), expected);
  EXPECT_EQ(Funded(outcome), SelectedColumn(file));
  EXPECT_EQ(outcome.total_cost, 76700);
  EXPECT_GT(outcome.add1_steps, 0);
  EXPECT_THAT(outcome.summary, HasSubstr("each of 84 voters"));
  EXPECT_THAT(outcome.summary, HasSubstr("more than the budget"));
  // Every funded project explains its round; every other one why not.
  for (const ProjectOutcome& p : outcome.projects) {
    if (p.funded) {
      EXPECT_THAT(p.explanation, HasSubstr("of Equal Shares at rho = ")) << p.id;
      EXPECT_GT(p.funded_order, 0);
    } else {
      EXPECT_THAT(p.explanation, HasSubstr("not enough to cover its cost")) << p.id;
    }
  }
  EXPECT_THAT(outcome.Find("8")->explanation, HasSubstr("its 25 supporters"));
}

TEST(RealElectionsTest, AssenPlainEqualSharesIsSmallerThanWithAdd1) {
  EqualSharesOptions no_completion;
  no_completion.max_add1_steps = 0;
  const Outcome plain = ComputeEqualSharesAdd1(LoadElection(kAssen), no_completion).value();
  EXPECT_EQ(plain.add1_steps, 0);
  EXPECT_LE(plain.total_cost, 100000);
  EXPECT_THAT(plain.summary, HasSubstr("add1 completion is switched off"));
  const Outcome full = ComputeEqualSharesAdd1(LoadElection(kAssen)).value();
  EXPECT_LT(plain.total_cost, full.total_cost);
}

TEST(RealElectionsTest, AssenGreedy) {
  const Outcome outcome = ComputeGreedy(LoadElection(kAssen)).value();
  EXPECT_EQ(Funded(outcome), (std::set<std::string>{"2", "3", "8", "9", "11", "13", "14"}));
  // Funding order follows the support ranking; 2 and 11 tie on 24 votes and
  // the cheaper 2 goes first.
  EXPECT_THAT(outcome.funded_ids, ElementsAre("3", "9", "8", "2", "11", "13", "14"));
  EXPECT_EQ(outcome.total_cost, 99200);
  EXPECT_THAT(outcome.Find("1")->explanation, HasSubstr("cost 40000 EUR > remaining 6800 EUR"));
  EXPECT_THAT(outcome.Find("3")->explanation, HasSubstr("funded by greedy: ranked 1 of 14 by support (43 votes)"));
}

TEST(RealElectionsTest, SupportFromBallotsEqualsTheVotesColumn) {
  for (absl::string_view name : {kAssen, kWarszawa, kJerseyCity, kGdansk}) {
    SCOPED_TRACE(name);
    const PbFile file = LoadFile(name);
    const Outcome outcome = ComputeGreedy(ElectionFromPabulib(file).value()).value();
    for (const PbProject& p : file.projects) {
      EXPECT_EQ(absl::StrCat(outcome.Find(p.id)->supporters), p.extra.at("votes")) << p.id;
    }
  }
}

TEST(RealElectionsTest, WarszawaGreedyFundsAllFour) {
  const PbFile file = LoadFile(kWarszawa);
  const Outcome outcome = ComputeGreedy(ElectionFromPabulib(file).value()).value();
  EXPECT_EQ(Funded(outcome), (std::set<std::string>{"427", "915", "2567", "1623"}));
  EXPECT_EQ(Funded(outcome), SelectedColumn(file));
  EXPECT_EQ(outcome.total_cost, 44720);
}

TEST(RealElectionsTest, GdanskPointTotals) {
  const PbFile file = LoadFile(kGdansk);
  const Outcome outcome = ComputeGreedy(ElectionFromPabulib(file).value()).value();
  EXPECT_EQ(outcome.Find("1")->support, 498);
  EXPECT_EQ(outcome.Find("2")->support, 86);
  for (const PbProject& p : file.projects) {
    EXPECT_EQ(absl::StrCat(outcome.Find(p.id)->support), p.extra.at("score"));
  }
  // Project 1 takes the whole 149000 budget.
  EXPECT_THAT(outcome.funded_ids, ElementsAre("1"));
  EXPECT_THAT(outcome.Find("1")->explanation, HasSubstr("498 points from 125 voters"));
  // Equal Shares on points runs too and stays within the budget.
  const Outcome mes = ComputeEqualSharesAdd1(ElectionFromPabulib(file).value()).value();
  EXPECT_LE(mes.total_cost, 149000);
}

TEST(RealElectionsTest, JerseyCityEqualSharesIsFeasibleAndDeterministic) {
  const Election election = LoadElection(kJerseyCity);
  const Outcome a = ComputeEqualSharesAdd1(election).value();
  const Outcome b = ComputeEqualSharesAdd1(election).value();
  EXPECT_LE(a.total_cost, 50000);
  EXPECT_EQ(a.funded_ids, b.funded_ids);
}

TEST(GreedyTest, TieBreaksByCostThenNumericId) {
  // All three have 2 votes; "10" and "9" cost the same.
  const Election e =
      Approval(100, {{"10", 30}, {"9", 30}, {"cheap", 20}}, {{"10", "9", "cheap"}, {"10", "9", "cheap"}});
  const Outcome outcome = ComputeGreedy(e).value();
  EXPECT_THAT(outcome.funded_ids, ElementsAre("cheap", "9", "10"));
}

TEST(GreedyTest, SkipsWhatDoesNotFitAndKeepsGoing) {
  const Election e = Approval(100, {{"big", 90}, {"huge", 50}, {"small", 10}},
                              {{"big", "huge", "small"}, {"big", "huge"}, {"big"}, {}});
  const Outcome outcome = ComputeGreedy(e).value();
  EXPECT_THAT(outcome.funded_ids, ElementsAre("big", "small"));
  EXPECT_THAT(outcome.Find("huge")->explanation, HasSubstr("cost 50 baht > remaining 10 baht"));
}

TEST(GreedyTest, NeverFundsUnvotedProjects) {
  const Election e = Approval(100, {{"a", 10}, {"b", 10}}, {{"a"}});
  const Outcome outcome = ComputeGreedy(e).value();
  EXPECT_THAT(outcome.funded_ids, ElementsAre("a"));
  EXPECT_EQ(outcome.Find("b")->explanation, "not funded: nobody voted for it");
}

TEST(EqualSharesTest, ThirdsAddUpExactly) {
  // 100 / 3 per voter has no finite decimal form; three shares must still pay
  // exactly 100, which floating point would miss.
  const Election e = Approval(100, {{"p", 100}}, {{"p"}, {"p"}, {"p"}});
  const Outcome outcome = ComputeEqualSharesAdd1(e).value();
  EXPECT_THAT(outcome.funded_ids, ElementsAre("p"));
  EXPECT_THAT(outcome.Find("p")->explanation, HasSubstr("3 of them paid all they had left"));
}

TEST(EqualSharesTest, ProportionalNotMajoritarian) {
  // 6 voters want a,b; 4 want c,d; each project costs 40 of 100, so only
  // two fit. Equal Shares gives each group one; greedy gives the majority
  // both.
  const Election e = Approval(100, {{"a", 40}, {"b", 40}, {"c", 40}, {"d", 40}},
                              {{"a", "b"},
                               {"a", "b"},
                               {"a", "b"},
                               {"a", "b"},
                               {"a", "b"},
                               {"a", "b"},
                               {"c", "d"},
                               {"c", "d"},
                               {"c", "d"},
                               {"c", "d"}});
  const Outcome mes = ComputeEqualSharesAdd1(e).value();
  EXPECT_THAT(Funded(mes), UnorderedElementsAre("a", "c"));
  const Outcome greedy = ComputeGreedy(e).value();
  EXPECT_THAT(greedy.funded_ids, ElementsAre("a", "b"));
}

TEST(EqualSharesTest, TieOnRhoGoesToSupportThenCostThenId) {
  // Same supporters, same cost: rho ties, lower numeric id wins.
  Election e = Approval(10, {{"12", 10}, {"7", 10}}, {{"12", "7"}, {"12", "7"}});
  Outcome outcome = ComputeEqualSharesAdd1(e).value();
  EXPECT_THAT(outcome.funded_ids, ElementsAre("7"));
  EXPECT_THAT(outcome.Find("7")->explanation, HasSubstr("tied at this rho with project 12 (lower project id)"));
}

TEST(EqualSharesTest, Add1StopsBeforeExceedingTheBudget) {
  // Budget 100, 2 voters, 50 each. x (60) is wanted by voter 0 alone and
  // cannot be paid from 50; y (40) by voter 1. Plain MES funds only y. With
  // add1 the share grows until voter 0 can pay 60 (share 60), but then x+y
  // = 100 fits, so both get funded.
  const Election e = Approval(100, {{"x", 60}, {"y", 40}}, {{"x"}, {"y"}});
  const Outcome outcome = ComputeEqualSharesAdd1(e).value();
  EXPECT_THAT(Funded(outcome), UnorderedElementsAre("x", "y"));
  EXPECT_EQ(outcome.add1_steps, 10);
  // With a third project, going further would overshoot.
  const Election f = Approval(100, {{"x", 60}, {"y", 40}, {"z", 30}}, {{"x"}, {"y", "z"}});
  const Outcome g = ComputeEqualSharesAdd1(f).value();
  EXPECT_LE(g.total_cost, 100);
}

TEST(EqualSharesTest, CumulativePointsWeightUtilities) {
  // Voter 0 puts 3 points on a and 1 on b; a is cheaper per unit of utility
  // for them, so a is bought first.
  Election e;
  e.budget = 100;
  e.projects = {{"a", 50}, {"b", 50}};
  e.ballots = {{"v0", {{"a", 3}, {"b", 1}}}, {"v1", {{"a", 1}, {"b", 1}}}};
  const Outcome outcome = ComputeEqualSharesAdd1(e).value();
  ASSERT_FALSE(outcome.funded_ids.empty());
  EXPECT_EQ(outcome.funded_ids.front(), "a");
  EXPECT_THAT(outcome.Find("a")->explanation, HasSubstr("(4 points)"));
}

TEST(EqualSharesTest, HugeNumbersDoNotOverflow) {
  Election e;
  e.budget = 9'000'000'000'000'000'000;
  e.projects = {{"a", 4'000'000'000'000'000'001}, {"b", 4'000'000'000'000'000'003}};
  for (int i = 0; i < 7; ++i) {
    e.ballots.push_back({absl::StrCat("v", i), {{"a", 1}, {"b", 1}}});
  }
  const Outcome outcome = ComputeEqualSharesAdd1(e).value();
  EXPECT_THAT(Funded(outcome), UnorderedElementsAre("a", "b"));
  EXPECT_EQ(outcome.total_cost, 8'000'000'000'000'000'004);
}

TEST(EqualSharesTest, NoBallotsFundsNothing) {
  const Outcome outcome = ComputeEqualSharesAdd1(Approval(100, {{"a", 10}}, {})).value();
  EXPECT_TRUE(outcome.funded_ids.empty());
  EXPECT_THAT(outcome.summary, HasSubstr("no ballots"));
}

void ExpectSameOutcome(const Outcome& fast, const Outcome& reference) {
  EXPECT_EQ(fast.funded_ids, reference.funded_ids);
  EXPECT_EQ(fast.add1_steps, reference.add1_steps);
  EXPECT_EQ(fast.total_cost, reference.total_cost);
  EXPECT_EQ(fast.summary, reference.summary);
  ASSERT_EQ(fast.projects.size(), reference.projects.size());
  for (size_t i = 0; i < fast.projects.size(); ++i) {
    EXPECT_EQ(fast.projects[i].explanation, reference.projects[i].explanation);
  }
}

Outcome EqualShares(const Election& e, bool reference) {
  EqualSharesOptions options;
  options.reference_exact_arithmetic = reference;
  absl::StatusOr<Outcome> outcome = ComputeEqualSharesAdd1(e, options);
  EXPECT_TRUE(outcome.ok()) << outcome.status();
  return outcome.ok() ? *std::move(outcome) : Outcome();
}

// Random elections built to hit ties: few distinct costs, few voters, many
// identical ballots, some free projects, approval and cumulative ballots.
Election RandomElection(std::mt19937_64& rng, int max_projects, int max_voters, int64_t cost_unit, bool cumulative) {
  const auto uniform = [&rng](int64_t lo, int64_t hi) { return std::uniform_int_distribution<int64_t>(lo, hi)(rng); };
  Election e;
  const int num_projects = static_cast<int>(uniform(1, max_projects));
  int64_t total = 0;
  for (int p = 0; p < num_projects; ++p) {
    const int64_t cost = uniform(0, 12) == 0 ? 0 : uniform(1, 6) * cost_unit;
    e.projects.push_back({absl::StrCat(uniform(0, 3) == 0 ? "p" : "", p), cost});
    total += cost;
  }
  e.budget = total * uniform(1, 9) / 10;
  const int num_voters = static_cast<int>(uniform(1, max_voters));
  for (int v = 0; v < num_voters; ++v) {
    ElectionBallot b;
    b.voter_id = absl::StrCat("v", v);
    for (const ElectionProject& p : e.projects) {
      if (uniform(0, 2) == 0) {
        b.entries.push_back({p.id, cumulative ? uniform(1, 4) : 1});
      }
    }
    e.ballots.push_back(std::move(b));
  }
  return e;
}

TEST(EqualSharesTest, FastMatchesReferenceOnRealFiles) {
  for (absl::string_view name : {kAssen, kJerseyCity, kGdansk, kWarszawa}) {
    SCOPED_TRACE(name);
    const Election e = LoadElection(name);
    ExpectSameOutcome(EqualShares(e, false), EqualShares(e, true));
  }
}

TEST(EqualSharesTest, FastMatchesReferenceOnRandomElections) {
  std::mt19937_64 rng(20240415);
  for (int i = 0; i < 400; ++i) {
    const bool cumulative = i % 3 == 2;
    const Election e = RandomElection(rng, 8, 12, i % 2 == 0 ? 1 : 7, cumulative);
    SCOPED_TRACE(absl::StrCat("election ", i));
    ExpectSameOutcome(EqualShares(e, false), EqualShares(e, true));
    if (HasFailure()) break;
  }
  for (int i = 0; i < 20; ++i) {
    const Election e = RandomElection(rng, 15, 150, 1000, i % 4 == 3);
    SCOPED_TRACE(absl::StrCat("larger election ", i));
    ExpectSameOutcome(EqualShares(e, false), EqualShares(e, true));
    if (HasFailure()) break;
  }
}

// The add1 reruns run in batches on threads and are taken in order, so any
// batch width gives the outcome of one rerun after another: also where a
// batch runs past the last share that fits, past the step limit or past the
// share that funds everything.
TEST(EqualSharesTest, ParallelAdd1RerunsGiveTheOneByOneOutcome) {
  const auto with_width = [](const Election& e, int width, int64_t max_steps) {
    EqualSharesOptions options;
    options.add1_parallel_runs = width;
    options.max_add1_steps = max_steps;
    absl::StatusOr<Outcome> outcome = ComputeEqualSharesAdd1(e, options);
    EXPECT_TRUE(outcome.ok()) << outcome.status();
    return outcome.ok() ? *std::move(outcome) : Outcome();
  };
  std::vector<Election> elections = {
      Approval(100, {{"x", 60}, {"y", 40}}, {{"x"}, {"y"}}),  // 10 steps, then everything is funded
      Approval(100, {{"x", 60}, {"y", 40}, {"z", 30}}, {{"x"}, {"y", "z"}}),
      LoadElection(kAssen),
  };
  std::mt19937_64 rng(20261206);
  for (int i = 0; i < 60; ++i) elections.push_back(RandomElection(rng, 10, 40, i % 2 == 0 ? 1 : 7, i % 3 == 2));
  for (size_t i = 0; i < elections.size(); ++i) {
    SCOPED_TRACE(absl::StrCat("election ", i));
    for (int64_t max_steps : {int64_t{1'000'000}, int64_t{4}}) {
      const Outcome one_by_one = with_width(elections[i], 1, max_steps);
      for (int width : {2, 3, 8}) {
        SCOPED_TRACE(absl::StrCat("width ", width, ", at most ", max_steps, " steps"));
        ExpectSameOutcome(with_width(elections[i], width, max_steps), one_by_one);
      }
    }
    if (HasFailure()) break;
  }
  const Outcome limited = with_width(elections[0], 3, 4);
  EXPECT_EQ(limited.add1_steps, 4);
  EXPECT_THAT(limited.summary, HasSubstr("the limit of 4 add1 steps was reached"));
  EXPECT_EQ(with_width(elections[0], 3, 1'000'000).add1_steps, 10);
}

// ---- Property tests ------------------------------------------------------

// Support as cities count it, written out independently of outcomes.cc.
std::map<std::string, int64_t> SupportOf(const Election& e) {
  std::map<std::string, int64_t> support;
  for (const ElectionProject& p : e.projects) support[p.id] = 0;
  for (const ElectionBallot& b : e.ballots) {
    for (const BallotEntry& entry : b.entries) support[entry.project_id] += entry.points;
  }
  return support;
}

// The definition's order: more support, then lower cost, then lower id
// (numeric ids by value).
std::vector<ElectionProject> Ranking(const Election& e, const std::map<std::string, int64_t>& support,
                                     int64_t min_support) {
  std::vector<ElectionProject> ranked;
  for (const ElectionProject& p : e.projects) {
    if (support.at(p.id) > 0 && support.at(p.id) >= min_support) ranked.push_back(p);
  }
  const auto id_key = [](const std::string& id) {
    const bool numeric = !id.empty() && id.find_first_not_of("0123456789") == std::string::npos;
    return std::make_tuple(numeric ? 0 : 1, numeric ? std::stoll(id) : 0LL, id);
  };
  std::sort(ranked.begin(), ranked.end(), [&](const ElectionProject& a, const ElectionProject& b) {
    return std::make_tuple(-support.at(a.id), a.cost, id_key(a.id)) <
           std::make_tuple(-support.at(b.id), b.cost, id_key(b.id));
  });
  return ranked;
}

// Brute force: every subset of the eligible projects that satisfies the
// rule's definition. Greedy: a ranked project is in the set exactly when it
// fits in the budget minus the cost of the set's projects ranked above it.
// No-skip: the set is a prefix of the ranking that fits, and the next
// project (if any) does not fit in what is left.
std::vector<std::set<std::string>> SetsSatisfying(const Election& e, int64_t min_support, bool skip) {
  const std::vector<ElectionProject> ranked = Ranking(e, SupportOf(e), min_support);
  std::vector<std::set<std::string>> found;
  for (uint32_t mask = 0; mask < (1u << ranked.size()); ++mask) {
    bool ok = true;
    int64_t spent = 0;
    bool stopped = false;
    for (size_t i = 0; i < ranked.size() && ok; ++i) {
      const bool in = (mask >> i) & 1u;
      const bool fits = ranked[i].cost <= e.budget - spent;
      if (skip) {
        ok = in == fits;
      } else {
        ok = stopped ? !in : in == fits;
        stopped = stopped || !fits;
      }
      if (in) spent += ranked[i].cost;
    }
    if (!ok) continue;
    std::set<std::string> set;
    for (size_t i = 0; i < ranked.size(); ++i) {
      if ((mask >> i) & 1u) set.insert(ranked[i].id);
    }
    found.push_back(std::move(set));
  }
  return found;
}

TEST(GreedyPropertyTest, EqualsTheBruteForceReadingOfTheDefinition) {
  std::mt19937_64 rng(20261205);
  for (int i = 0; i < 600; ++i) {
    const Election e = RandomElection(rng, 9, 10, i % 2 == 0 ? 1 : 5, i % 3 == 2);
    const auto support = SupportOf(e);
    const int64_t min_support = i % 4 == 0 ? 0 : static_cast<int64_t>(i % 5);
    for (OutcomeRule rule : {OutcomeRule::kGreedy, OutcomeRule::kGreedyNoSkip}) {
      SCOPED_TRACE(absl::StrCat("election ", i, ", rule ", OutcomeRuleName(rule), ", threshold ", min_support));
      const Outcome outcome = ComputeGreedy(e, {rule, min_support}).value();
      const auto sets = SetsSatisfying(e, min_support, rule == OutcomeRule::kGreedy);
      ASSERT_EQ(sets.size(), 1u) << "the definition fixes exactly one funded set";
      EXPECT_EQ(Funded(outcome), sets[0]);
      int64_t total = 0;
      for (const ProjectOutcome& p : outcome.projects) {
        if (p.funded) total += p.cost;
        if (support.at(p.id) < min_support) {
          EXPECT_EQ(p.reason, ProjectReason::kBelowThreshold) << p.id;
        }
        EXPECT_FALSE(p.explanation.empty());
        EXPECT_FALSE(p.explanation_th.empty());
      }
      EXPECT_EQ(outcome.total_cost, total);
      EXPECT_LE(total, e.budget);
    }
    if (HasFailure()) break;
  }
}

Rational Exact(const std::string& fraction) { return Rational(fraction); }

// Budget balance and priceability of Equal Shares' outcome, from its exact
// payment trail: nobody pays more than their share, every funded project is
// paid in full and nothing else is paid for, and no unfunded eligible
// project's supporters have its cost left between them.
void ExpectPriceable(const Election& e, const Outcome& outcome) {
  ASSERT_TRUE(outcome.shares_audit.has_value());
  const SharesAudit& audit = *outcome.shares_audit;
  const Rational share = Exact(audit.share);
  std::map<std::string, Rational> paid_for;
  std::map<std::string, Rational> left_with_supporters;
  int64_t voters = 0;
  Rational held = 0;
  for (const SharesAudit::Group& g : audit.groups) {
    voters += g.voters;
    Rational paid = 0;
    for (const auto& [project, amount] : g.paid) {
      const Rational a = Exact(amount);
      EXPECT_GE(a, 0);
      paid += a;
      paid_for[project] += a * g.voters;
    }
    const Rational left = Exact(g.left);
    EXPECT_GE(left, 0) << "no voter pays more than their share";
    EXPECT_EQ(paid + left, share);
    held += left * g.voters;
    for (const std::string& project : g.chose) left_with_supporters[project] += left * g.voters;
  }
  EXPECT_EQ(voters, static_cast<int64_t>(e.ballots.size()));
  EXPECT_EQ(held + outcome.total_cost, share * voters) << "the budget balances";
  for (const ProjectOutcome& p : outcome.projects) {
    if (p.funded) {
      EXPECT_EQ(paid_for[p.id], Rational(p.cost)) << "project " << p.id << " is paid in full";
    } else {
      EXPECT_EQ(paid_for.count(p.id), 0u) << "nobody pays for unfunded project " << p.id;
      if (p.reason != ProjectReason::kBelowThreshold && p.supporters > 0) {
        EXPECT_LT(left_with_supporters[p.id], Rational(p.cost)) << "project " << p.id << " was affordable";
      }
    }
  }
}

TEST(EqualSharesPropertyTest, BudgetBalancesAndOutcomesArePriceable) {
  std::mt19937_64 rng(6119);
  for (int i = 0; i < 300; ++i) {
    const Election e = RandomElection(rng, 8, 14, i % 2 == 0 ? 1 : 9, i % 3 == 2);
    EqualSharesOptions options;
    options.audit = true;
    options.min_support = i % 4 == 1 ? 2 : 0;
    SCOPED_TRACE(absl::StrCat("election ", i));
    const Outcome outcome = ComputeEqualSharesAdd1(e, options).value();
    if (e.ballots.empty()) continue;
    ExpectPriceable(e, outcome);
    EXPECT_LE(outcome.total_cost, e.budget);
    if (HasFailure()) break;
  }
}

TEST(EqualSharesPropertyTest, RealFilesArePriceable) {
  for (absl::string_view name : {kAssen, kGdansk, kWarszawa}) {
    SCOPED_TRACE(name);
    const Election e = LoadElection(name);
    EqualSharesOptions options;
    options.audit = true;
    ExpectPriceable(e, ComputeEqualSharesAdd1(e, options).value());
  }
}

TEST(ElectionTest, RejectsInvalidElections) {
  EXPECT_THAT(ValidateElection(Approval(-1, {}, {})).message(), HasSubstr("budget must not be negative"));
  EXPECT_THAT(ValidateElection(Approval(10, {{"a", -5}}, {})).message(), HasSubstr("negative cost"));
  EXPECT_THAT(ValidateElection(Approval(10, {{"a", 5}, {"a", 6}}, {})).message(), HasSubstr("listed twice"));
  EXPECT_THAT(ValidateElection(Approval(10, {{"a", 5}}, {{"b"}})).message(), HasSubstr("unknown project b"));
  EXPECT_THAT(ValidateElection(Approval(10, {{"a", 5}}, {{"a", "a"}})).message(), HasSubstr("names project a twice"));
  EXPECT_THAT(ValidateElection(Approval(10, {{"a", INT64_MAX}, {"b", 1}}, {})).message(),
              HasSubstr("more than an int64"));
  EXPECT_EQ(ComputeGreedy(Approval(10, {{"a", -5}}, {})).status().code(), absl::StatusCode::kInvalidArgument);
  EqualSharesOptions bad;
  bad.add1_step = 0;
  EXPECT_THAT(ComputeEqualSharesAdd1(Approval(10, {}, {}), bad), StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(ProjectIdLessTest, NumericAwareTotalOrder) {
  EXPECT_TRUE(ProjectIdLess("9", "10"));
  EXPECT_FALSE(ProjectIdLess("10", "9"));
  EXPECT_TRUE(ProjectIdLess("007", "8"));
  EXPECT_TRUE(ProjectIdLess("07", "7"));  // equal value: byte-wise
  EXPECT_FALSE(ProjectIdLess("7", "07"));
  EXPECT_TRUE(ProjectIdLess("99999999999999999999999", "a"));
  EXPECT_TRUE(ProjectIdLess("a10", "a9"));  // non-numeric: byte-wise
  EXPECT_FALSE(ProjectIdLess("5", "5"));
}

TEST(OutcomeDispatchTest, ComputeOutcomeFollowsTheRule) {
  const Election e = LoadElection(kAssen);
  EXPECT_EQ(ComputeOutcome(e, {OutcomeRule::kGreedy}).value().funded_ids, ComputeGreedy(e).value().funded_ids);
  EXPECT_EQ(ComputeOutcome(e, {OutcomeRule::kEqualSharesAdd1}).value().funded_ids,
            ComputeEqualSharesAdd1(e).value().funded_ids);
}

}  // namespace
}  // namespace bkk::voting
