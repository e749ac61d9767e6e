// Greedy and Method of Equal Shares (cost utilities, add1 completion) with
// exact arithmetic and per-project explanations. See outcomes.h for the
// definitions and tie-breaks.
#include "services/voting/core/outcomes.h"

#include <algorithm>
#include <boost/multiprecision/cpp_int.hpp>
#include <cmath>
#include <limits>
#include <optional>
#include <thread>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "services/voting/core/money.h"

namespace bkk::voting {
namespace {

using BigInt = boost::multiprecision::cpp_int;
using Rational = boost::multiprecision::cpp_rational;

constexpr int64_t kInt64Max = std::numeric_limits<int64_t>::max();

// A rational rounded half away from zero to `places` decimals: "167.44".
std::string FormatDecimal(const Rational& x, int places) {
  BigInt scale = 1;
  for (int i = 0; i < places; ++i) scale *= 10;
  const BigInt num = boost::multiprecision::numerator(x);
  const BigInt den = boost::multiprecision::denominator(x);
  const bool negative = num < 0;
  const BigInt abs_num = negative ? BigInt(-num) : num;
  const BigInt scaled = (abs_num * scale * 2 + den) / (den * 2);
  std::string digits = scaled.str();
  if (places > 0) {
    if (digits.size() <= static_cast<size_t>(places)) {
      digits.insert(0, places + 1 - digits.size(), '0');
    }
    digits.insert(digits.size() - places, ".");
  }
  return negative ? absl::StrCat("-", digits) : digits;
}

// Per-project tallies of a validated election.
struct Tally {
  std::vector<int64_t> supporters;
  std::vector<int64_t> support;
};

Tally CountSupport(const Election& election, const absl::flat_hash_map<std::string, int>& index) {
  Tally tally;
  tally.supporters.assign(election.projects.size(), 0);
  tally.support.assign(election.projects.size(), 0);
  for (const ElectionBallot& ballot : election.ballots) {
    for (const BallotEntry& entry : ballot.entries) {
      const int p = index.at(entry.project_id);
      ++tally.supporters[p];
      tally.support[p] += entry.points;  // bounded by ValidateElection
    }
  }
  return tally;
}

absl::flat_hash_map<std::string, int> IndexProjects(const Election& election) {
  absl::flat_hash_map<std::string, int> index;
  for (size_t i = 0; i < election.projects.size(); ++i) {
    index.emplace(election.projects[i].id, static_cast<int>(i));
  }
  return index;
}

// Money and support as the explanations print them, in either language.
struct Words {
  bool thai = false;

  std::string Currency(const Election& e) const {
    if (e.currency == "THB") return thai ? "บาท" : "baht";
    return e.currency;
  }
  // A file may name no currency: the amount alone then.
  std::string WithCurrency(const std::string& amount, const Election& e) const {
    const std::string currency = Currency(e);
    return currency.empty() ? amount : absl::StrCat(amount, " ", currency);
  }
  std::string Money(const Election& e, int64_t minor) const {
    return WithCurrency(FormatAmount(minor, e.money_scale), e);
  }
  // A rational amount of minor units, to at least 2 places of a whole unit.
  std::string Money(const Election& e, const Rational& minor) const {
    return WithCurrency(FormatDecimal(minor / MinorUnitsPerWhole(e.money_scale), std::max(2, e.money_scale)), e);
  }
  // "43 votes" for approval-like support, "498 points from 125 voters" else.
  std::string Support(int64_t supporters, int64_t support) const {
    if (support == supporters) {
      if (thai) return absl::StrCat(support, " เสียง");
      return absl::StrCat(support, supporters == 1 ? " vote" : " votes");
    }
    if (thai) return absl::StrCat(support, " คะแนนจากผู้ลงคะแนน ", supporters, " คน");
    return absl::StrCat(support, " points from ", supporters, supporters == 1 ? " voter" : " voters");
  }
};
constexpr Words kEnglish{false};
constexpr Words kThai{true};

// Tie-break shared by both rules once the primary criterion is equal:
// larger support, then lower cost, then lower project id.
bool TieLess(const Election& election, const Tally& tally, int a, int b) {
  if (tally.support[a] != tally.support[b]) {
    return tally.support[a] > tally.support[b];
  }
  const int64_t cost_a = election.projects[a].cost;
  const int64_t cost_b = election.projects[b].cost;
  if (cost_a != cost_b) return cost_a < cost_b;
  return ProjectIdLess(election.projects[a].id, election.projects[b].id);
}

// Which tie-break criterion separated a (winner) from b.
absl::string_view TieReason(const Election& election, const Tally& tally, int a, int b, const Words& w) {
  if (tally.support[a] != tally.support[b]) return w.thai ? "คะแนนสนับสนุนมากกว่า" : "more support";
  if (election.projects[a].cost != election.projects[b].cost) {
    return w.thai ? "ราคาต่ำกว่า" : "lower cost";
  }
  return w.thai ? "รหัสโครงการน้อยกว่า" : "lower project id";
}

Outcome StartOutcome(const Election& election, const Tally& tally, OutcomeRule rule) {
  Outcome outcome;
  outcome.rule = rule;
  outcome.money_scale = election.money_scale;
  outcome.currency = election.currency;
  outcome.budget = election.budget;
  outcome.voters = static_cast<int64_t>(election.ballots.size());
  outcome.projects.reserve(election.projects.size());
  for (size_t i = 0; i < election.projects.size(); ++i) {
    ProjectOutcome p;
    p.id = election.projects[i].id;
    p.cost = election.projects[i].cost;
    p.supporters = tally.supporters[i];
    p.support = tally.support[i];
    outcome.projects.push_back(std::move(p));
  }
  return outcome;
}

// Sets a project's reason and its explanation in both languages.
template <typename Text>
void Explain(ProjectOutcome& p, ProjectReason reason, Text text) {
  p.reason = reason;
  p.explanation = text(kEnglish);
  p.explanation_th = text(kThai);
}

template <typename Text>
void Summarize(Outcome& o, Text text) {
  o.summary = text(kEnglish);
  o.summary_th = text(kThai);
}

// ---------------------------------------------------------------------------
// Method of Equal Shares.
//
// Two implementations of one MES run share the data structures below:
//
// RunMesReference is the plain definition: every voter group's share is an
// exact rational, every round computes every candidate's rho exactly
// (supporters sorted by share / utility) and charges its supporters exactly.
// Simple and obviously right, but slow: the shares' denominators grow with
// every payment, and every operation pays for a big-number gcd.
//
// FastMes gives identical results (tests compare the two on many random
// elections) with far fewer exact operations:
//  * A group's share is not stored exactly. It is either zero (the group once
//    paid everything it had) or share - sum of rho_p * u over the funded
//    projects p it supports, computed on demand and cached until the group
//    pays again.
//  * Doubles mirror the shares, with a proven absolute error bound (every
//    share went through at most J payments, J = longest ballot). Each round,
//    doubles estimate every candidate's rho and rule out candidates that are
//    provably worse than the estimated best: with t just above the best
//    estimate, f_q(t) = sum_i w_i min(b_i, t u_i) < cost_q certainly
//    (so rho_q > t) while f_best(t) >= cost_best certainly (so rho_best <= t).
//    The error margins are four times the worst-case rounding error.
//  * Every remaining candidate gets its exact rho from its capped set (the
//    supporters who pay everything they have), rho = (cost - their money) /
//    (utility of the others), where membership in the capped set is decided
//    in doubles when the margin allows and exactly otherwise; the set is
//    iterated to a fixpoint, which is the exact rho.
//  * A sum of shares over many groups is computed as start * (their voters)
//    - sum_p rho_p * (integer sum of w * u over them): integer additions and
//    one rational product per funded project, instead of one rational
//    addition with ever-growing denominators per group.
// When any certificate fails, the computation falls back to exact work, so a
// wrong floating-point guess can cost time but never change a result.

constexpr double kUnitRoundoff = std::numeric_limits<double>::epsilon() / 2;

// Voters with identical ballots always hold identical shares, so MES tracks
// one share per distinct ballot ("group") weighted by its voter count. This
// keeps the work proportional to distinct ballots, not voters.
struct MesSupporter {
  int group = 0;
  BigInt utility_int;      // points * cost of the project, per voter
  Rational utility;        // the same as a rational
  double utility_d = 0.0;  // the same, rounded
};

struct MesGroupEntry {
  int project = 0;
  int supporter = 0;  // index into MesInput::supporters[project]
};

// The fields the floating-point filters read, packed (MesSupporter is large:
// its exact members would cost a cache line per supporter in every pass).
struct MesSlot {
  int group = 0;
  double utility_d = 0.0;  // MesSupporter::utility_d
  double weight_d = 0.0;   // the group's voter count
};

struct MesInput {
  std::vector<int64_t> group_weight;
  std::vector<double> group_weight_d;
  std::vector<std::vector<MesSupporter>> supporters;      // per project
  std::vector<std::vector<MesGroupEntry>> group_entries;  // per group
  std::vector<double> voters_d;                           // per project: number of supporting voters
  size_t longest_ballot = 0;
  std::vector<std::vector<MesSlot>> slots;  // per project, same order as supporters
  std::vector<double> utility_sum_d;        // per project: sum of w * utility_d, in that order
  // When every project's sum of w * utility fits in 126 bits (always, for
  // real elections), exact sums of w * utility over any supporters are
  // accumulated in __int128: narrow_utility[project][supporter] = w * u.
  bool narrow = false;
  std::vector<std::vector<__int128>> narrow_utility;
  // Per group, as group_entries, flattened: entries group_begin[g] to
  // group_begin[g + 1] - 1 of flat_project and flat_utility (w * u).
  std::vector<size_t> group_begin;
  std::vector<int> flat_project;
  std::vector<__int128> flat_utility;
};

MesInput PrepareMes(const Election& election, const absl::flat_hash_map<std::string, int>& index) {
  MesInput input;
  input.supporters.resize(election.projects.size());
  input.voters_d.assign(election.projects.size(), 0.0);
  absl::flat_hash_map<std::vector<std::pair<int, int64_t>>, int> groups;
  std::vector<std::vector<std::pair<int, int64_t>>> keys;
  for (const ElectionBallot& ballot : election.ballots) {
    std::vector<std::pair<int, int64_t>> key;
    key.reserve(ballot.entries.size());
    for (const BallotEntry& entry : ballot.entries) {
      key.emplace_back(index.at(entry.project_id), entry.points);
    }
    std::sort(key.begin(), key.end());
    const auto [it, inserted] = groups.emplace(key, static_cast<int>(input.group_weight.size()));
    if (inserted) {
      input.group_weight.push_back(0);
      keys.push_back(std::move(key));
    }
    ++input.group_weight[it->second];
  }
  input.group_entries.resize(keys.size());
  for (size_t g = 0; g < keys.size(); ++g) {
    input.group_weight_d.push_back(static_cast<double>(input.group_weight[g]));
    input.longest_ballot = std::max(input.longest_ballot, keys[g].size());
    for (const auto& [project, points] : keys[g]) {
      MesSupporter s;
      s.group = static_cast<int>(g);
      s.utility_int = BigInt(points) * election.projects[project].cost;
      s.utility = Rational(s.utility_int);
      s.utility_d = static_cast<double>(s.utility_int);
      input.group_entries[g].push_back({project, static_cast<int>(input.supporters[project].size())});
      input.supporters[project].push_back(std::move(s));
      input.voters_d[project] += input.group_weight_d[g];
    }
  }
  const size_t num_projects = election.projects.size();
  input.slots.resize(num_projects);
  input.utility_sum_d.assign(num_projects, 0.0);
  input.narrow_utility.resize(num_projects);
  input.narrow = true;
  constexpr __int128 kNarrowLimit = static_cast<__int128>(1) << 125;
  for (size_t p = 0; p < num_projects; ++p) {
    __int128 total = 0;
    for (const MesSupporter& s : input.supporters[p]) {
      const double w = input.group_weight_d[s.group];
      input.slots[p].push_back({s.group, s.utility_d, w});
      input.utility_sum_d[p] += w * s.utility_d;
      __int128 wu = 0;
      if (input.narrow && s.utility_int < BigInt(kNarrowLimit)) {
        const __int128 u = static_cast<__int128>(static_cast<int64_t>(s.utility_int >> 62)) * (int64_t{1} << 62) +
                           static_cast<int64_t>(s.utility_int & ((int64_t{1} << 62) - 1));
        if (!__builtin_mul_overflow(u, static_cast<__int128>(input.group_weight[s.group]), &wu) &&
            !__builtin_add_overflow(total, wu, &total) && total < kNarrowLimit) {
          input.narrow_utility[p].push_back(wu);
          continue;
        }
      }
      input.narrow = false;
    }
  }
  if (input.narrow) {
    input.group_begin.push_back(0);
    for (size_t g = 0; g < input.group_entries.size(); ++g) {
      for (const MesGroupEntry& e : input.group_entries[g]) {
        input.flat_project.push_back(e.project);
        input.flat_utility.push_back(input.narrow_utility[e.project][e.supporter]);
      }
      input.group_begin.push_back(input.flat_project.size());
    }
  } else {
    input.narrow_utility.clear();
  }
  return input;
}

// An unsigned 128-bit value as a BigInt.
BigInt ToBig(unsigned __int128 v) {
  BigInt r = static_cast<uint64_t>(v >> 64);
  r <<= 64;
  r += static_cast<uint64_t>(v);
  return r;
}

// x as a double, within 2 units of roundoff for normal results (the quotient
// is taken to 64+ bits before the final rounding). Results too small to be
// normal doubles are still within 2^-1000 absolutely, far inside the error
// margins used below (which scale with shares of at least 1/n_voters).
// num / den (den > 0, the fraction not necessarily reduced) as a double, the
// same way.
double ToDouble(const BigInt& num, const BigInt& den) {
  if (num == 0) return 0.0;
  const bool negative = num < 0;
  const BigInt abs_num = negative ? BigInt(-num) : num;
  const int64_t shift = static_cast<int64_t>(boost::multiprecision::msb(abs_num)) -
                        static_cast<int64_t>(boost::multiprecision::msb(den)) - 64;
  const BigInt q = shift >= 0 ? BigInt(abs_num / (den << shift)) : BigInt((abs_num << -shift) / den);
  const double value = std::ldexp(static_cast<double>(q), static_cast<int>(shift));
  return negative ? -value : value;
}

double ToDouble(const Rational& x) {
  return ToDouble(boost::multiprecision::numerator(x), boost::multiprecision::denominator(x));
}

struct MesFunding {
  int project = 0;
  Rational rho;
  Rational max_payment;       // rho * cost: most a voter pays per point given
  int64_t capped_voters = 0;  // supporters who paid all they had left
  std::vector<int> tied;      // other projects affordable at the same rho
  // FastMes leaves rho unreduced, as raw_num / raw_den, until SettleRun
  // (reducing costs a big gcd per round, and most add1 runs are discarded);
  // rho, max_payment and MesRun::rho_of are not set until then.
  bool raw = false;
  BigInt raw_num;
  BigInt raw_den;
};

struct MesRun {
  Rational share;                               // every voter's starting share
  std::vector<MesFunding> fundings;             // in funding order
  std::vector<bool> funded;                     // per project
  std::vector<std::optional<Rational>> rho_of;  // per project, once funded
  std::vector<bool> zero;                       // per group: share used up
  int64_t total_cost = 0;
  bool settled = true;  // no funding is raw
};

// Reduces the raw rhos of `run` and fills in what depends on them.
void SettleRun(const Election& election, MesRun* run) {
  if (run->settled) return;
  for (MesFunding& f : run->fundings) {
    if (!f.raw) continue;
    f.rho = Rational(f.raw_num, f.raw_den);
    f.max_payment = f.rho * election.projects[f.project].cost;
    run->rho_of[f.project] = f.rho;
    f.raw = false;
    f.raw_num = 0;
    f.raw_den = 0;
  }
  run->settled = true;
}

MesRun StartRun(const MesInput& input, size_t num_projects, const Rational& share) {
  MesRun run;
  run.share = share;
  run.funded.assign(num_projects, false);
  run.rho_of.assign(num_projects, std::nullopt);
  run.zero.assign(input.group_weight.size(), false);
  return run;
}

// A group's current share: zero once it paid all it had, else its starting
// share minus rho_p * u for every funded project p it supports.
Rational ShareOf(const MesInput& input, const MesRun& run, int group) {
  if (run.zero[group]) return Rational(0);
  Rational share = run.share;
  for (const MesGroupEntry& e : input.group_entries[group]) {
    if (run.rho_of[e.project].has_value()) {
      share -= *run.rho_of[e.project] * input.supporters[e.project][e.supporter].utility;
    }
  }
  return share;
}

// Records `best` as funded; shared by both implementations.
void RecordFunding(const Election& election, int best, MesFunding funding, MesRun* run) {
  run->funded[best] = true;
  run->rho_of[best] = funding.rho;
  run->total_cost += election.projects[best].cost;
  run->fundings.push_back(std::move(funding));
}

bool BetterCandidate(const Election& election, const Tally& tally, int p, const Rational& rho, int best,
                     const Rational& best_rho) {
  return best < 0 || rho < best_rho || (rho == best_rho && TieLess(election, tally, p, best));
}

// ---- Reference implementation ---------------------------------------------

std::optional<Rational> ReferenceRho(const Election& election, const MesInput& input, const std::vector<Rational>& b,
                                     int project) {
  const std::vector<MesSupporter>& sup = input.supporters[project];
  const int64_t cost = election.projects[project].cost;
  Rational money = 0;
  Rational utility_sum = 0;
  for (const MesSupporter& s : sup) {
    money += b[s.group] * input.group_weight[s.group];
    utility_sum += s.utility * input.group_weight[s.group];
  }
  if (money < cost) return std::nullopt;
  if (cost == 0) return Rational(0);
  // Supporters whose share runs out first (smallest share / utility) pay
  // everything they have; the rest pay rho * utility. Walk up that order
  // until rho no longer exceeds the next supporter's share / utility.
  std::vector<const MesSupporter*> order;
  order.reserve(sup.size());
  for (const MesSupporter& s : sup) order.push_back(&s);
  std::sort(order.begin(), order.end(), [&b](const MesSupporter* x, const MesSupporter* y) {
    return b[x->group] * y->utility < b[y->group] * x->utility;
  });
  Rational remaining = cost;
  Rational rho = 0;
  for (const MesSupporter* s : order) {
    rho = remaining / utility_sum;
    if (b[s->group] < rho * s->utility) {
      const int64_t w = input.group_weight[s->group];
      remaining -= b[s->group] * w;
      utility_sum -= s->utility * w;
    } else {
      return rho;
    }
  }
  return rho;  // not reached: money >= cost stops the walk above
}

absl::StatusOr<MesRun> RunMesReference(const Election& election, const Tally& tally, const MesInput& input,
                                       const Rational& share) {
  const size_t num_projects = election.projects.size();
  MesRun run = StartRun(input, num_projects, share);
  std::vector<Rational> b(input.group_weight.size(), share);
  std::vector<bool> active(num_projects, false);
  for (size_t p = 0; p < num_projects; ++p) {
    active[p] = !input.supporters[p].empty();
  }
  for (;;) {
    int best = -1;
    Rational best_rho;
    std::vector<std::pair<int, Rational>> evaluated;
    for (size_t p = 0; p < num_projects; ++p) {
      if (!active[p]) continue;
      std::optional<Rational> rho = ReferenceRho(election, input, b, static_cast<int>(p));
      if (!rho.has_value()) {
        active[p] = false;  // shares only shrink: unaffordable for good
        continue;
      }
      if (BetterCandidate(election, tally, static_cast<int>(p), *rho, best, best_rho)) {
        best = static_cast<int>(p);
        best_rho = *rho;
      }
      evaluated.emplace_back(static_cast<int>(p), *std::move(rho));
    }
    if (best < 0) break;
    MesFunding funding;
    funding.project = best;
    funding.rho = best_rho;
    funding.max_payment = best_rho * election.projects[best].cost;
    for (const auto& [p, rho] : evaluated) {
      if (p != best && rho == best_rho) funding.tied.push_back(p);
    }
    Rational paid = 0;
    for (const MesSupporter& s : input.supporters[best]) {
      const Rational due = best_rho * s.utility;
      Rational& left = b[s.group];
      const int64_t w = input.group_weight[s.group];
      if (left <= due) {
        funding.capped_voters += w;
        paid += left * w;
        left = 0;
        run.zero[s.group] = true;
      } else {
        paid += due * w;
        left -= due;
      }
    }
    if (paid != election.projects[best].cost) {
      return absl::InternalError(absl::StrCat("Equal Shares payments for project ", election.projects[best].id,
                                              " sum to ", FormatDecimal(paid, 6), ", not its cost ",
                                              election.projects[best].cost));
    }
    active[best] = false;
    RecordFunding(election, best, std::move(funding), &run);
  }
  return run;
}

// ---- Fast implementation --------------------------------------------------

class FastMes final {
 public:
  FastMes(const Election& election, const Tally& tally, const MesInput& input, const Rational& share)
      : election_(election),
        tally_(tally),
        input_(input),
        run_(StartRun(input, election.projects.size(), share)),
        approx_(input.group_weight.size(), ToDouble(share)),
        cached_(input.group_weight.size(), 0),
        coefficient_(election.projects.size()),
        lower_(election.projects.size(), 0.0) {
    narrow_coefficient_.assign(election.projects.size(), 0);
    funded_.assign(election.projects.size(), 0);
    zero_.assign(input.group_weight.size(), 0);
    guess_.resize(election.projects.size());
    guess_round_.assign(election.projects.size(), -1);
    last_rho_.assign(election.projects.size(), 0.0);
    fixpoint_.assign(election.projects.size(), 0);
    fixpoint_money_.assign(election.projects.size(), 0.0);
    fixpoint_utility_.assign(election.projects.size(), 0.0);
    scaled_num_.resize(input.narrow ? election.projects.size() : 0);
    // |approx - exact| per share: the start value is within 2 roundoffs of
    // the share; each of at most J payments adds at most 4 roundoffs of the
    // payment and 1 of the result, all below the start share. Times 4.
    const double j = static_cast<double>(input.longest_ballot);
    share_error_ = 4.0 * (j + 6.0) * kUnitRoundoff * ToDouble(share);
  }

  MesRun Run() {
    const size_t num_projects = election_.projects.size();
    std::vector<bool> active(num_projects, false);
    for (size_t p = 0; p < num_projects; ++p) {
      active[p] = !input_.supporters[p].empty();
    }
    for (;;) {
      // (project, affordability already certified)
      std::vector<std::pair<int, bool>> to_evaluate;
      for (size_t p = 0; p < num_projects; ++p) {
        // Cost 0: rho 0 beats every positive cost, decide among them only.
        if (active[p] && election_.projects[p].cost == 0) {
          to_evaluate.emplace_back(static_cast<int>(p), true);
        }
      }
      if (to_evaluate.empty()) to_evaluate = Filter(active);

      int best = -1;
      std::optional<Evaluation> best_eval;
      std::vector<std::pair<int, Fraction>> evaluated;
      for (const auto& [p, affordable] : to_evaluate) {
        std::optional<Evaluation> eval = ExactRho(p, affordable);
        if (!eval.has_value()) {
          active[p] = false;  // shares only shrink: unaffordable for good
          continue;
        }
        evaluated.emplace_back(p, eval->rho);
        // BetterCandidate, on fractions.
        if (best < 0 || Less(eval->rho, best_eval->rho) ||
            (Equal(eval->rho, best_eval->rho) && TieLess(election_, tally_, p, best))) {
          best = p;
          best_eval = std::move(eval);
        }
      }
      if (best < 0) break;
      Pay(best, *best_eval, evaluated);
      active[best] = false;
    }
    return std::move(run_);
  }

 private:
  // num / den, den > 0, not necessarily in lowest terms.
  struct Fraction {
    BigInt num;
    BigInt den;
  };
  static bool Less(const Fraction& a, const Fraction& b) { return a.num * b.den < b.num * a.den; }
  static bool Equal(const Fraction& a, const Fraction& b) { return a.num * b.den == b.num * a.den; }

  struct Evaluation {
    Fraction rho;              // exact; unreduced on the narrow path
    double rho_d = 0.0;        // ToDouble(rho)
    std::vector<char> capped;  // per supporter: pays everything it has
    // Narrow path: rho.den = common_den_ * den_factor (for AddRho).
    BigInt den_factor = 0;
  };

  // Exact current share of a group (cached until the group pays again).
  const Rational& Exact(int group) {
    if (!cached_[group]) {
      SettleRun(election_, &run_);                        // ShareOf reads rho_of
      if (cache_.empty()) cache_.resize(cached_.size());  // rarely needed: on first use
      cache_[group] = ShareOf(input_, run_, group);
      cached_[group] = 1;
    }
    return cache_[group];
  }

  // Worst-case error of a double sum over project p's supporters of terms
  // w * min(share, x), whose exact value is about `value`.
  double Tolerance(int project, double value) const {
    const double m = static_cast<double>(input_.supporters[project].size());
    return 4.0 * (m + 4.0) * kUnitRoundoff * value + input_.voters_d[project] * share_error_;
  }

  double ApproxMoney(int project) const {
    double money = 0.0;
    for (const MesSlot& s : input_.slots[project]) {
      money += s.weight_d * approx_[s.group];
    }
    return money;
  }

  // f(t) = sum_i w_i min(b_i, t u_i) in doubles.
  double ApproxPayable(int project, double t) const {
    double total = 0.0;
    for (const MesSlot& s : input_.slots[project]) {
      total += s.weight_d * std::min(approx_[s.group], t * s.utility_d);
    }
    return total;
  }

  // Double estimate of rho by the capped-set fixpoint; fills `capped` with
  // the estimated capped set when given. Only a guess: every use of it is
  // certified or redone exactly.
  //
  // With `money` given, the first pass also sums w * share over every
  // supporter into *money (the same sum as ApproxMoney, in another order);
  // if that does not clear the cost by the error margin, returns NaN at once.
  //
  // rho only grows from round to round, so the climb starts from just under
  // this run's last estimate for the project (`seed`). The first pass also
  // lists the uncapped supporters that would be capped by a rho up to
  // seed * (1 + kNear); while the estimate stays below that, the next sets
  // differ only in those, and the climb continues over them alone.
  double ApproxRho(int project, std::vector<char>* capped, double* money = nullptr) {
    constexpr double kNear = 1.0;
    const std::vector<MesSlot>& sup = input_.slots[project];
    const double cost = static_cast<double>(election_.projects[project].cost);
    std::vector<char>& in = capped != nullptr ? *capped : scratch_;
    in.assign(sup.size(), 0);
    const double utility_sum = input_.utility_sum_d[project];
    const double seed = std::max(cost / utility_sum, last_rho_[project] * (1.0 - 1e-9));
    const double near = seed * (1.0 + kNear);
    fixpoint_[project] = false;
    const MesSlot* slot = sup.data();
    const double* share = approx_.data();
    char* flag = in.data();
    const size_t m = sup.size();
    double capped_money = 0.0;
    double uncapped_utility = 0.0;
    {
      // First pass: two interleaved partial sums each (the error bounds
      // hold for any order of summation), through local pointers (the char
      // stores would otherwise force reloads).
      double capped_part[2] = {0.0, 0.0};
      double uncapped_part[2] = {0.0, 0.0};
      double money_part[2] = {0.0, 0.0};
      near_.clear();
      const auto step = [&](size_t i, int k) {
        const double w = slot[i].weight_d;
        const double b = share[slot[i].group];
        const double u = slot[i].utility_d;
        const char now = b < seed * u ? 1 : 0;
        flag[i] = now;
        const double paid = w * b;
        money_part[k] += paid;
        capped_part[k] += now ? paid : 0.0;  // adding 0.0 leaves a sum unchanged
        uncapped_part[k] += now ? 0.0 : w * u;
        if (!now && b < near * u) near_.push_back(static_cast<int>(i));
      };
      size_t i = 0;
      for (; i + 1 < m; i += 2) {
        step(i, 0);
        step(i + 1, 1);
      }
      if (i < m) step(i, 0);
      capped_money = capped_part[0] + capped_part[1];
      uncapped_utility = uncapped_part[0] + uncapped_part[1];
      if (money != nullptr) {
        const double all_money = money_part[0] + money_part[1];
        *money = all_money;
        if (!(all_money - (Tolerance(project, all_money) + 4.0 * kUnitRoundoff * cost) > cost)) {
          return std::numeric_limits<double>::quiet_NaN();
        }
      }
    }
    if (uncapped_utility <= 0.0) return seed;
    double rho = (cost - capped_money) / uncapped_utility;
    // The climb over the listed supporters.
    while (rho >= seed && rho < near) {
      bool added = false;
      for (int i : near_) {
        const double b = share[slot[i].group];
        if (!flag[i] && b < rho * slot[i].utility_d) {
          flag[i] = 1;
          capped_money += slot[i].weight_d * b;
          uncapped_utility -= slot[i].weight_d * slot[i].utility_d;
          added = true;
        }
      }
      if (!added) {
        // A fixpoint; (capped_money, uncapped_utility) are the sums of `in`.
        fixpoint_[project] = true;
        fixpoint_money_[project] = capped_money;
        fixpoint_utility_[project] = uncapped_utility;
        if (rho > 0.0) last_rho_[project] = rho;
        return rho;
      }
      if (uncapped_utility <= 0.0) break;
      rho = (cost - capped_money) / uncapped_utility;
    }
    // Otherwise full passes from the current estimate.
    for (int pass = 0; pass < 64; ++pass) {
      double capped_part[2] = {0.0, 0.0};
      double uncapped_part[2] = {0.0, 0.0};
      unsigned diff = 0;
      const auto step = [&](size_t i, int k) {
        const double w = slot[i].weight_d;
        const double b = share[slot[i].group];
        const char now = b < rho * slot[i].utility_d ? 1 : 0;
        diff |= static_cast<unsigned>(now ^ flag[i]);
        flag[i] = now;
        capped_part[k] += now ? w * b : 0.0;
        uncapped_part[k] += now ? 0.0 : w * slot[i].utility_d;
      };
      size_t i = 0;
      for (; i + 1 < m; i += 2) {
        step(i, 0);
        step(i + 1, 1);
      }
      if (i < m) step(i, 0);
      capped_money = capped_part[0] + capped_part[1];
      uncapped_utility = uncapped_part[0] + uncapped_part[1];
      if (diff == 0) {
        fixpoint_[project] = true;
        fixpoint_money_[project] = capped_money;
        fixpoint_utility_[project] = uncapped_utility;
      }
      if (diff == 0 || uncapped_utility <= 0.0) break;
      rho = (cost - capped_money) / uncapped_utility;
    }
    if (std::isfinite(rho) && rho > 0.0) last_rho_[project] = rho;
    return rho;
  }

  // Candidates to evaluate exactly this round (with whether their
  // affordability is already certified); switches off certainly
  // unaffordable ones in `active`.
  //
  // Lazily: a project's rho only grows from round to round (shares only
  // shrink), so a bound rho_p > lower_[p] certified in an earlier round
  // still holds. Candidates are visited in order of that bound, and once it
  // passes the best estimate's threshold the rest are certainly worse and
  // are not looked at: a few candidates per round instead of all of them.
  std::vector<std::pair<int, bool>> Filter(std::vector<bool>& active) {
    std::vector<int> order;
    for (size_t i = 0; i < active.size(); ++i) {
      if (active[i]) order.push_back(static_cast<int>(i));
    }
    std::stable_sort(order.begin(), order.end(), [this](int a, int b) { return lower_[a] < lower_[b]; });
    const auto pays_for = [this](int p, double t) {
      const double cost = static_cast<double>(election_.projects[p].cost);
      const double f = ApproxPayable(p, t);
      const double tol = Tolerance(p, f) + 4.0 * kUnitRoundoff * cost;
      if (f - tol >= cost) return 1;  // certainly rho_p <= t
      if (f + tol < cost) return -1;  // certainly rho_p > t
      return 0;
    };
    // Certainly rho_p > t. First from the sums of p's estimated capped set C
    // (just computed by ApproxRho, shares unchanged since): for any set C,
    // f(t) <= sum_{i in C} w_i b_i + t sum_{i not in C} w_i u_i, a sum of
    // the same shape and error bound as f's; else by a pass over f(t).
    const auto certainly_above = [&](int p, double t) {
      if (fixpoint_[p] && guess_round_[p] == round_) {
        const double cost = static_cast<double>(election_.projects[p].cost);
        const double f = fixpoint_money_[p] + t * fixpoint_utility_[p];
        // The utility sum may have been reached by subtractions from the
        // project's total: bound its rounding error by that total.
        const double tol = Tolerance(p, fixpoint_money_[p] + t * input_.utility_sum_d[p]) + 4.0 * kUnitRoundoff * cost;
        if (f + tol < cost) return true;
      }
      return pays_for(p, t) == -1;
    };
    constexpr double kSlacks[] = {1e-9, 1e-6};
    std::vector<std::pair<int, bool>> exact;
    std::vector<std::pair<int, double>> estimated;
    int best = -1;
    double best_rho = 0.0;
    size_t visited = 0;
    for (; visited < order.size(); ++visited) {
      const int p = order[visited];
      if (best >= 0 && lower_[p] >= best_rho * (1.0 + kSlacks[1])) break;  // this and the rest: certainly worse
      const double cost = static_cast<double>(election_.projects[p].cost);
      double money = 0.0;  // ApproxMoney(p), from ApproxRho's first pass
      const double rho = ApproxRho(p, &guess_[p], &money);
      const double tol = Tolerance(p, money) + 4.0 * kUnitRoundoff * cost;
      if (money + tol < cost) {
        active[p] = false;  // shares only shrink: unaffordable for good
        continue;
      }
      if (money - tol <= cost) {
        exact.emplace_back(p, false);  // too close to call in doubles
        continue;
      }
      guess_round_[p] = round_;
      // A bound just under the estimate, for the rounds to come.
      const double bound = rho * (1.0 - 1e-6);
      if (bound > lower_[p] && certainly_above(p, bound)) lower_[p] = bound;
      estimated.emplace_back(p, rho);
      if (best < 0 || rho < best_rho || (rho == best_rho && TieLess(election_, tally_, p, best))) {
        best = p;
        best_rho = rho;
      }
    }
    if (estimated.empty()) return exact;

    double threshold = 0.0;
    bool certified = false;
    for (double slack : kSlacks) {
      threshold = best_rho * (1.0 + slack);
      if (pays_for(best, threshold) == 1) {
        certified = true;
        break;
      }
    }
    if (!certified) {
      // Nothing is ruled out: the skipped candidates are evaluated too.
      for (; visited < order.size(); ++visited) {
        if (active[order[visited]]) exact.emplace_back(order[visited], false);
      }
    }
    for (const auto& [p, rho] : estimated) {
      if (!certified || p == best) {
        exact.emplace_back(p, true);
        continue;
      }
      if (!certainly_above(p, threshold)) {
        exact.emplace_back(p, true);
      } else if (threshold > lower_[p]) {
        lower_[p] = threshold;
      }
    }
    return exact;
  }

  // Exact truth of share(group) < rho * utility, from doubles when the
  // margin is wide enough.
  bool Capped(const MesSupporter& s, const MesSlot& slot, const Fraction& rho, double rho_d) {
    const double b = approx_[slot.group];
    const double due = rho_d * slot.utility_d;
    const double margin = share_error_ + 8.0 * kUnitRoundoff * (std::fabs(due) + b);
    if (b - due > margin) return false;
    if (due - b > margin) return true;
    // share < rho.num * u / rho.den, denominators positive.
    const Rational& share = Exact(s.group);
    return boost::multiprecision::numerator(share) * rho.den <
           rho.num * s.utility_int * boost::multiprecision::denominator(share);
  }

  // Exact sum of w * share over the supporters of `project` selected in
  // `mask`. Each share is start - sum_p rho_p * u, so the sum is
  // start * (selected voters) - sum_p rho_p * (integer sum of w * u): integer
  // accumulation plus one rational product per funded project, instead of a
  // rational sum with ever-growing denominators per supporter.
  //
  // With narrow utilities the integer sums are __int128 and the rational
  // part is one big-integer product per funded project over the common
  // denominator of every rho so far (common_den_, scaled_num_), with no gcd;
  // the result is left unreduced.
  // Narrow path only: *unmasked_utility (when given) gets the integer sum of
  // w * u over the supporters not in `mask`.
  Fraction SumShares(int project, const std::vector<char>& mask, __int128* unmasked_utility = nullptr) {
    if (!input_.narrow) {
      const Rational total = SumSharesWide(project, mask);
      return {boost::multiprecision::numerator(total), boost::multiprecision::denominator(total)};
    }
    const std::vector<MesSlot>& sup = input_.slots[project];
    __int128 voters = 0;
    touched_.clear();
    const size_t* begin = input_.group_begin.data();
    const int* flat_project = input_.flat_project.data();
    const __int128* flat_utility = input_.flat_utility.data();
    const char* zero = zero_.data();
    const char* funded = funded_.data();
    __int128* coefficient = narrow_coefficient_.data();
    const __int128* own_utility = input_.narrow_utility[project].data();
    __int128 unmasked = 0;  // at most the project's total: fits
    for (size_t i = 0; i < sup.size(); ++i) {
      const int g = sup[i].group;
      if (!mask[i]) {
        unmasked += own_utility[i];
        continue;
      }
      if (zero[g]) continue;
      voters += input_.group_weight[g];
      for (size_t k = begin[g]; k < begin[g + 1]; ++k) {
        const int q = flat_project[k];
        if (!funded[q]) continue;
        if (coefficient[q] == 0) touched_.push_back(q);
        coefficient[q] += flat_utility[k];
      }
    }
    if (unmasked_utility != nullptr) *unmasked_utility = unmasked;
    BigInt paid = 0;  // sum_q rho_q * coefficient_q, times common_den_
    for (int q : touched_) {
      if (narrow_coefficient_[q] == 0) continue;
      paid += scaled_num_[q] * ToBig(static_cast<unsigned __int128>(narrow_coefficient_[q]));
      narrow_coefficient_[q] = 0;
    }
    const BigInt& share_num = boost::multiprecision::numerator(run_.share);
    const BigInt& share_den = boost::multiprecision::denominator(run_.share);
    Fraction total;
    total.num = share_num * ToBig(static_cast<unsigned __int128>(voters)) * common_den_ - paid * share_den;
    total.den = share_den * common_den_;
    return total;
  }

  // A newly funded project's rho joins the common denominator.
  //
  // rho = num / den was reduced from a fraction with denominator
  // common_den_ * k (k = den_factor, small), so den divides common_den_ * k
  // and, with r = common_den_ * k / den, lcm(common_den_, den) =
  // common_den_ * (k / gcd(k, r)): a gcd of small numbers, not of two big
  // ones. And lcm / den = r / gcd(k, r).
  //
  // Unreduced: rho.den = common_den_ * k, so the new common denominator is
  // rho.den itself and the others' numerators are scaled by k (the
  // denominators grow by k's bits per round, but no gcd is ever taken).
  void AddRho(int project, const Fraction& rho, const BigInt& k) {
    if (rho.num == 0) {
      scaled_num_[project] = 0;
      return;
    }
    if (k != 1) {
      for (const MesFunding& f : run_.fundings) {
        if (f.project != project) scaled_num_[f.project] *= k;
      }
    }
    common_den_ = rho.den;
    scaled_num_[project] = rho.num;
  }

  Rational SumSharesWide(int project, const std::vector<char>& mask) {
    const std::vector<MesSupporter>& sup = input_.supporters[project];
    BigInt voters = 0;
    touched_.clear();
    for (size_t i = 0; i < sup.size(); ++i) {
      const int g = sup[i].group;
      if (!mask[i] || run_.zero[g]) continue;
      const int64_t w = input_.group_weight[g];
      voters += w;
      for (const MesGroupEntry& e : input_.group_entries[g]) {
        if (!run_.rho_of[e.project].has_value()) continue;
        if (coefficient_[e.project] == 0) touched_.push_back(e.project);
        coefficient_[e.project] += input_.supporters[e.project][e.supporter].utility_int * w;
      }
    }
    Rational total = run_.share * Rational(voters);
    for (int q : touched_) {
      total -= *run_.rho_of[q] * Rational(coefficient_[q]);
      coefficient_[q] = 0;
    }
    return total;
  }

  // Exact rho of `project`, or nullopt if its supporters cannot pay for it.
  std::optional<Evaluation> ExactRho(int project, bool affordable) {
    const std::vector<MesSupporter>& sup = input_.supporters[project];
    const int64_t cost = election_.projects[project].cost;
    if (!affordable) {
      const std::vector<char> everyone(sup.size(), 1);
      const Fraction money = SumShares(project, everyone);
      if (money.num < money.den * cost) return std::nullopt;
    }
    Evaluation eval;
    if (cost == 0) {  // free: rho 0, nobody pays
      eval.rho = {BigInt(0), BigInt(1)};
      eval.capped.assign(sup.size(), 0);
      return eval;
    }
    // Start from the double estimate of the capped set; a stable set gives
    // the exact root. If a few passes do not settle, restart from the empty
    // set, from which the iteration provably climbs to the root.
    constexpr int kWarmPasses = 4;
    if (guess_round_[project] == round_) {
      eval.capped = guess_[project];  // this round's estimate, from Filter
    } else {
      ApproxRho(project, &eval.capped);
    }
    for (int pass = 0;; ++pass) {
      if (pass == kWarmPasses) eval.capped.assign(sup.size(), 0);
      BigInt uncapped_utility = 0;
      std::optional<Fraction> capped_money;
      if (input_.narrow) {
        __int128 sum = 0;
        capped_money = SumShares(project, eval.capped, &sum);
        uncapped_utility = ToBig(static_cast<unsigned __int128>(sum));
      } else {
        for (size_t i = 0; i < sup.size(); ++i) {
          if (!eval.capped[i]) {
            uncapped_utility += sup[i].utility_int * input_.group_weight[sup[i].group];
          }
        }
      }
      if (uncapped_utility == 0) {
        if (pass < kWarmPasses) {
          pass = kWarmPasses - 1;  // restart from the empty set
          continue;
        }
        return std::nullopt;  // not reached: affordable projects have a root
      }
      // (cost - capped money) / uncapped utility, reduced once.
      if (!capped_money.has_value()) capped_money = SumShares(project, eval.capped);
      if (input_.narrow) {
        // Unreduced; capped_money->den = share denominator * common_den_.
        eval.rho.num = capped_money->den * cost - capped_money->num;
        eval.rho.den = capped_money->den * uncapped_utility;
        eval.den_factor = boost::multiprecision::denominator(run_.share) * uncapped_utility;
      } else {
        const Rational rho(capped_money->den * cost - capped_money->num, capped_money->den * uncapped_utility);
        eval.rho = {boost::multiprecision::numerator(rho), boost::multiprecision::denominator(rho)};
      }
      const double rho_d = ToDouble(eval.rho.num, eval.rho.den);
      eval.rho_d = rho_d;
      const std::vector<MesSlot>& slots = input_.slots[project];
      bool stable = true;
      std::vector<char> next(sup.size(), 0);
      for (size_t i = 0; i < sup.size(); ++i) {
        next[i] = Capped(sup[i], slots[i], eval.rho, rho_d) ? 1 : 0;
        stable &= next[i] == eval.capped[i];
      }
      if (stable) return eval;
      eval.capped = std::move(next);
    }
  }

  void Pay(int best, const Evaluation& eval, const std::vector<std::pair<int, Fraction>>& evaluated) {
    MesFunding funding;
    funding.project = best;
    if (input_.narrow) {
      funding.raw = true;
      funding.raw_num = eval.rho.num;
      funding.raw_den = eval.rho.den;
    } else {
      funding.rho = Rational(eval.rho.num, eval.rho.den);
      funding.max_payment = funding.rho * election_.projects[best].cost;
    }
    for (const auto& [p, rho] : evaluated) {
      if (p != best && Equal(rho, eval.rho)) funding.tied.push_back(p);
    }
    const double rho_d = eval.rho_d;
    const std::vector<MesSupporter>& sup = input_.supporters[best];
    const std::vector<MesSlot>& slots = input_.slots[best];
    const double near_zero = 2.0 * share_error_;
    near_.clear();  // uncapped supporters left with ~0, checked below
    double* share = approx_.data();
    char* cached = cached_.data();
    for (size_t i = 0; i < sup.size(); ++i) {
      const int g = slots[i].group;
      if (eval.capped[i]) {
        funding.capped_voters += input_.group_weight[g];
        run_.zero[g] = true;
        zero_[g] = 1;
        share[g] = 0.0;
      } else {
        share[g] = std::max(0.0, share[g] - rho_d * slots[i].utility_d);
        if (share[g] <= near_zero) near_.push_back(static_cast<int>(i));
      }
      cached[g] = 0;
    }
    const bool raw = funding.raw;
    RecordFunding(election_, best, std::move(funding), &run_);
    if (raw) {
      run_.rho_of[best].reset();  // until SettleRun
      run_.settled = false;
    }
    funded_[best] = 1;
    ++round_;  // shares changed: Filter's estimates are stale
    if (input_.narrow) AddRho(best, eval.rho, eval.den_factor);
    // Supporters whose share was exactly rho * u also paid all they had;
    // only those whose double share is ~0 can be such, so check them exactly.
    for (int i : near_) {
      const int g = slots[i].group;
      if (Exact(g) == 0) {
        run_.fundings.back().capped_voters += input_.group_weight[g];
        run_.zero[g] = true;
        zero_[g] = 1;
        approx_[g] = 0.0;
      }
    }
  }

  const Election& election_;
  const Tally& tally_;
  const MesInput& input_;
  MesRun run_;
  std::vector<double> approx_;                // per group
  std::vector<Rational> cache_;               // per group, when cached_
  std::vector<char> cached_;                  // per group
  std::vector<BigInt> coefficient_;           // per project, SumSharesWide
  std::vector<__int128> narrow_coefficient_;  // per project, SumShares
  std::vector<char> funded_;                  // per project, as run_.funded
  std::vector<char> zero_;                    // per group, as run_.zero
  std::vector<std::vector<char>> guess_;      // per project: ApproxRho's capped set
  std::vector<int64_t> guess_round_;          // per project: round of guess_ (-1: none)
  int64_t round_ = 0;
  std::vector<char> scratch_;             // ApproxRho
  std::vector<int> near_;                 // ApproxRho
  std::vector<double> last_rho_;          // per project: ApproxRho's last estimate (0: none)
  std::vector<char> fixpoint_;            // per project: ApproxRho's last call converged, with
  std::vector<double> fixpoint_money_;    //   these sums over its capped set
  std::vector<double> fixpoint_utility_;  //   and over the others
  BigInt common_den_ = 1;                 // of every funded rho
  std::vector<BigInt> scaled_num_;        // per funded project: rho * common_den_
  std::vector<int> touched_;              // SumShares scratch
  std::vector<double> lower_;             // per project: rho_p > lower_ certified
  double share_error_ = 0.0;
};

absl::StatusOr<MesRun> RunMes(const Election& election, const Tally& tally, const MesInput& input,
                              const Rational& share, bool reference_exact) {
  if (reference_exact) {
    return RunMesReference(election, tally, input, share);
  }
  return FastMes(election, tally, input, share).Run();
}

// Money is conserved: what the voters still hold plus what was spent equals
// what they started with. Checked exactly on the outcome that is returned.
//
// Every group's share exactly, over one common denominator: ShareOf's value
// for each group, without a rational (gcd) operation per group.
struct ExactShares {
  BigInt den;               // > 0
  std::vector<BigInt> num;  // per group: share = num / den
  Rational Of(int group) const { return Rational(num[group], den); }
};

ExactShares AllShares(const MesInput& input, const MesRun& run) {
  BigInt lcm = 1;
  for (const MesFunding& f : run.fundings) {
    lcm = boost::multiprecision::lcm(lcm, boost::multiprecision::denominator(*run.rho_of[f.project]));
  }
  std::vector<BigInt> scaled(run.rho_of.size());  // rho * lcm, per funded project
  for (const MesFunding& f : run.fundings) {
    const Rational& rho = *run.rho_of[f.project];
    scaled[f.project] = boost::multiprecision::numerator(rho) * (lcm / boost::multiprecision::denominator(rho));
  }
  const BigInt& share_num = boost::multiprecision::numerator(run.share);
  const BigInt& share_den = boost::multiprecision::denominator(run.share);
  ExactShares shares;
  shares.den = share_den * lcm;
  const BigInt start = share_num * lcm;
  shares.num.resize(input.group_weight.size());
  for (size_t g = 0; g < input.group_weight.size(); ++g) {
    if (run.zero[g]) continue;  // 0, as ShareOf
    BigInt paid = 0;
    for (const MesGroupEntry& e : input.group_entries[g]) {
      if (run.rho_of[e.project].has_value()) {
        paid += scaled[e.project] * input.supporters[e.project][e.supporter].utility_int;
      }
    }
    shares.num[g] = start - paid * share_den;
  }
  return shares;
}

absl::Status CheckConservation(const Election& election, const MesInput& input, const MesRun& run) {
  const ExactShares shares = AllShares(input, run);
  BigInt held_num = 0;
  for (size_t g = 0; g < input.group_weight.size(); ++g) {
    if (shares.num[g] < 0) {
      return absl::InternalError(
          "Equal Shares left a voter with a negative "
          "share");
    }
    held_num += shares.num[g] * input.group_weight[g];
  }
  const Rational held(held_num, shares.den);
  const Rational start = run.share * static_cast<int64_t>(election.ballots.size());
  if (held + run.total_cost != start) {
    return absl::InternalError(absl::StrCat("Equal Shares does not balance: voters hold ", FormatDecimal(held, 6),
                                            " and spent ", run.total_cost, " of ", FormatDecimal(start, 6)));
  }
  return absl::OkStatus();
}

bool FundsEverySupported(const MesInput& input, const MesRun& run) {
  for (size_t p = 0; p < input.supporters.size(); ++p) {
    if (!input.supporters[p].empty() && !run.funded[p]) return false;
  }
  return true;
}

void ExplainMes(const Election& election, const Tally& tally, const MesInput& input, const MesRun& run,
                Outcome* outcome) {
  const ExactShares shares = AllShares(input, run);
  int order = 0;
  for (const MesFunding& f : run.fundings) {
    ++order;
    ProjectOutcome& po = outcome->projects[f.project];
    po.funded = true;
    po.funded_order = order;
    outcome->funded_ids.push_back(po.id);
    outcome->total_cost += po.cost;
    const bool points = tally.support[f.project] != tally.supporters[f.project];
    // In election order, whichever order the candidates were evaluated in.
    std::vector<int> tied_projects = f.tied;
    std::sort(tied_projects.begin(), tied_projects.end());
    const auto tied = [&](const Words& w) {
      std::vector<std::string> names;
      for (int t : tied_projects) {
        names.push_back(absl::StrCat(election.projects[t].id, " (", TieReason(election, tally, f.project, t, w), ")"));
      }
      return absl::StrJoin(names, ", ");
    };
    Explain(po, ProjectReason::kFundedByShares, [&](const Words& w) {
      if (w.thai) {
        std::string text =
            absl::StrCat("ได้รับงบในรอบที่ ", order, " ของวิธีแบ่งส่วนเท่ากัน (Equal Shares) ที่ rho = ", FormatDecimal(f.rho, 6),
                         ": ผู้สนับสนุน ", po.supporters, " คน", points ? absl::StrCat(" (", po.support, " คะแนน)") : "",
                         " จ่ายครบราคา ", w.Money(election, po.cost), " แต่ละคนจ่ายไม่เกิน ",
                         w.Money(election, f.max_payment), points ? "ต่อคะแนน" : "", " หรือเท่าที่ตนยังเหลือ");
        if (f.capped_voters > 0) absl::StrAppend(&text, "; ", f.capped_voters, " คนจ่ายจนหมดส่วนของตน");
        if (!f.tied.empty()) {
          absl::StrAppend(&text, "; เสมอกับโครงการ ", tied(w), " ที่ rho เดียวกัน ได้ก่อนตามกฎตัดสินเมื่อเสมอ");
        }
        return text;
      }
      std::string text = absl::StrCat(
          "funded in round ", order, " of Equal Shares at rho = ", FormatDecimal(f.rho, 6), ": its ", po.supporters,
          po.supporters == 1 ? " supporter" : " supporters", points ? absl::StrCat(" (", po.support, " points)") : "",
          " paid its cost of ", w.Money(election, po.cost), ", each paying the smaller of their remaining share and ",
          w.Money(election, f.max_payment), points ? " per point" : "");
      if (f.capped_voters > 0) absl::StrAppend(&text, "; ", f.capped_voters, " of them paid all they had left");
      if (!f.tied.empty()) {
        absl::StrAppend(&text, "; tied at this rho with project ", tied(w), ", chosen first by the tie-break");
      }
      return text;
    });
  }
  for (size_t p = 0; p < outcome->projects.size(); ++p) {
    ProjectOutcome& po = outcome->projects[p];
    if (po.funded) continue;
    if (po.supporters == 0) {
      Explain(po, ProjectReason::kNoSupport, [](const Words& w) {
        return std::string(w.thai ? "ไม่ได้รับงบ: ไม่มีผู้ลงคะแนนให้" : "not funded: nobody voted for it");
      });
      continue;
    }
    BigInt left_num = 0;
    for (const MesSupporter& s : input.supporters[p]) {
      left_num += shares.num[s.group] * input.group_weight[s.group];
    }
    const Rational left(left_num, shares.den);
    Explain(po, ProjectReason::kSharesTooSmall, [&](const Words& w) {
      if (w.thai) {
        return absl::StrCat("ไม่ได้รับงบ: หลังรอบสุดท้ายของ Equal Shares ผู้สนับสนุน ", po.supporters, " คน",
                            po.support != po.supporters ? absl::StrCat(" (", po.support, " คะแนน)") : std::string(),
                            " เหลือส่วนแบ่งรวม ", w.Money(election, left), " ไม่พอจ่ายราคา ", w.Money(election, po.cost));
      }
      return absl::StrCat("not funded: after the last Equal Shares round its ", po.supporters,
                          po.supporters == 1 ? " supporter" : " supporters",
                          po.support != po.supporters ? absl::StrCat(" (", po.support, " points)") : std::string(),
                          " had ", w.Money(election, left), " of their shares left, not enough to cover its cost of ",
                          w.Money(election, po.cost));
    });
  }
}

// Replays the payments of `run` exactly: each supporter of each funded
// project, in funding order, pays min(what it has left, rho * utility).
SharesAudit AuditShares(const Election& election, const MesInput& input, const MesRun& run) {
  const size_t groups = input.group_weight.size();
  std::vector<Rational> left(groups, run.share);
  SharesAudit audit;
  audit.share = run.share.str();
  audit.groups.resize(groups);
  for (size_t g = 0; g < groups; ++g) {
    audit.groups[g].voters = input.group_weight[g];
    for (const MesGroupEntry& e : input.group_entries[g])
      audit.groups[g].chose.push_back(election.projects[e.project].id);
  }
  for (const MesFunding& f : run.fundings) {
    for (const MesSupporter& s : input.supporters[f.project]) {
      const Rational due = f.rho * s.utility;
      const Rational pay = left[s.group] < due ? left[s.group] : due;
      left[s.group] -= pay;
      audit.groups[s.group].paid.emplace_back(election.projects[f.project].id, pay.str());
    }
  }
  for (size_t g = 0; g < groups; ++g) audit.groups[g].left = left[g].str();
  return audit;
}

// Greedy over the ranking; see outcomes.h. `election` holds the eligible
// projects only.
Outcome RunGreedy(const Election& election, bool skip) {
  const absl::flat_hash_map<std::string, int> index = IndexProjects(election);
  const Tally tally = CountSupport(election, index);
  Outcome outcome = StartOutcome(election, tally, skip ? OutcomeRule::kGreedy : OutcomeRule::kGreedyNoSkip);
  std::vector<int> ranking(election.projects.size());
  for (size_t i = 0; i < ranking.size(); ++i) ranking[i] = static_cast<int>(i);
  std::sort(ranking.begin(), ranking.end(), [&](int a, int b) { return TieLess(election, tally, a, b); });

  // remaining >= 0 throughout and costs are non-negative: no overflow.
  int64_t remaining = election.budget;
  int order = 0;
  const ProjectOutcome* stopped_at = nullptr;
  for (size_t r = 0; r < ranking.size(); ++r) {
    const int p = ranking[r];
    ProjectOutcome& po = outcome.projects[p];
    const auto rank = [&](const Words& w) {
      std::string text = w.thai ? absl::StrCat("อันดับ ", r + 1, " จาก ", ranking.size(), " ตามคะแนนสนับสนุน (",
                                               w.Support(po.supporters, po.support), ")")
                                : absl::StrCat("ranked ", r + 1, " of ", ranking.size(), " by support (",
                                               w.Support(po.supporters, po.support), ")");
      // Say when the tie-break, not support, put it ahead of the next one.
      if (r + 1 < ranking.size() && tally.support[ranking[r + 1]] == po.support) {
        const ProjectOutcome& next = outcome.projects[ranking[r + 1]];
        absl::StrAppend(&text,
                        w.thai ? absl::StrCat(" คะแนนเท่ากับโครงการ ", next.id, " อยู่ก่อนเพราะ")
                               : absl::StrCat(", tied with project ", next.id, " and ranked ahead by "),
                        TieReason(election, tally, p, ranking[r + 1], w));
      }
      return text;
    };
    const int64_t left = remaining;
    if (po.supporters == 0) {
      Explain(po, ProjectReason::kNoSupport, [](const Words& w) {
        return std::string(w.thai ? "ไม่ได้รับงบ: ไม่มีผู้ลงคะแนนให้" : "not funded: nobody voted for it");
      });
    } else if (stopped_at != nullptr) {
      Explain(po, ProjectReason::kNotReached, [&](const Words& w) {
        return w.thai ? absl::StrCat("ไม่ได้รับงบ: ", rank(w), " อยู่ต่ำกว่าโครงการ ", stopped_at->id,
                                     " ซึ่งการจัดสรรหยุดลง (กฎไม่ข้ามลำดับ)")
                      : absl::StrCat("not funded: ", rank(w), ", below project ", stopped_at->id,
                                     ", where funding stopped (greedy-no-skip)");
      });
    } else if (po.cost <= remaining) {
      po.funded = true;
      po.funded_order = ++order;
      Explain(po, ProjectReason::kFunded, [&](const Words& w) {
        return w.thai ? absl::StrCat("ได้รับงบ (เรียงตามคะแนน): ", rank(w), " ราคา ", w.Money(election, po.cost),
                                     " อยู่ในงบที่เหลือ ", w.Money(election, left))
                      : absl::StrCat("funded by greedy: ", rank(w), "; its cost of ", w.Money(election, po.cost),
                                     " fit in the remaining ", w.Money(election, left));
      });
      remaining -= po.cost;
      outcome.total_cost += po.cost;
      outcome.funded_ids.push_back(po.id);
    } else if (skip) {
      Explain(po, ProjectReason::kDidNotFit, [&](const Words& w) {
        return w.thai ? absl::StrCat("ไม่ได้รับงบ: งบที่เหลือไม่พอเมื่อถึงลำดับ (", rank(w), "): ราคา ",
                                     w.Money(election, po.cost), " มากกว่างบที่เหลือ ", w.Money(election, left))
                      : absl::StrCat("not funded: not enough budget left when its turn came (", rank(w), "): cost ",
                                     w.Money(election, po.cost), " > remaining ", w.Money(election, left));
      });
    } else {
      stopped_at = &po;
      Explain(po, ProjectReason::kStoppedHere, [&](const Words& w) {
        return w.thai ? absl::StrCat("ไม่ได้รับงบ และการจัดสรรหยุดที่โครงการนี้ (กฎไม่ข้ามลำดับ): ", rank(w), " ราคา ",
                                     w.Money(election, po.cost), " มากกว่างบที่เหลือ ", w.Money(election, left),
                                     " โครงการที่อยู่อันดับถัดไปจึงไม่ได้รับงบ")
                      : absl::StrCat("not funded, and funding stopped here (greedy-no-skip): ", rank(w), "; cost ",
                                     w.Money(election, po.cost), " > remaining ", w.Money(election, left),
                                     ", so no project ranked below it is funded");
      });
    }
  }
  Summarize(outcome, [&](const Words& w) {
    if (w.thai) {
      return absl::StrCat("เรียงตามคะแนนสนับสนุน: ได้รับงบ ", outcome.funded_ids.size(), " โครงการ รวม ",
                          w.Money(election, outcome.total_cost), " จากงบ ", w.Money(election, election.budget),
                          " หากคะแนนเท่ากัน โครงการที่ราคาต่ำกว่าได้ก่อน แล้วจึงรหัสโครงการที่น้อยกว่า; ",
                          skip ? "โครงการที่งบเหลือไม่พอจะถูกข้ามไปพิจารณาโครงการถัดไป"
                               : absl::StrCat("การจัดสรรหยุดที่โครงการแรกที่งบเหลือไม่พอ",
                                              stopped_at ? absl::StrCat(" (โครงการ ", stopped_at->id, ")") : ""));
    }
    return absl::StrCat("Greedy by support: ", outcome.funded_ids.size(), " projects funded, costing ",
                        FormatAmount(outcome.total_cost, election.money_scale), " of the ",
                        w.Money(election, election.budget),
                        " budget. Ranking ties are broken by lower cost, then lower project id; ",
                        skip ? "a project that does not fit is skipped and the next one is tried."
                             : absl::StrCat("funding stops at the first project that does not fit",
                                            stopped_at ? absl::StrCat(" (project ", stopped_at->id, ")") : "", "."));
  });
  return outcome;
}

// Runs `rule` on the projects whose support reaches `min_support` and marks
// the others not eligible; the outcome lists every project in the
// election's order.
template <typename Rule>
absl::StatusOr<Outcome> WithThreshold(const Election& election, int64_t min_support, Rule rule) {
  if (absl::Status s = ValidateElection(election); !s.ok()) return s;
  if (min_support < 0) {
    return absl::InvalidArgumentError(absl::StrCat("the minimum support must not be negative, got ", min_support));
  }
  if (min_support == 0) return rule(election);
  const absl::flat_hash_map<std::string, int> index = IndexProjects(election);
  const Tally tally = CountSupport(election, index);
  Election eligible = election;
  eligible.projects.clear();
  absl::flat_hash_set<std::string> kept;
  for (size_t i = 0; i < election.projects.size(); ++i) {
    if (tally.support[i] >= min_support) {
      eligible.projects.push_back(election.projects[i]);
      kept.insert(election.projects[i].id);
    }
  }
  for (ElectionBallot& ballot : eligible.ballots) {
    ballot.entries.erase(std::remove_if(ballot.entries.begin(), ballot.entries.end(),
                                        [&](const BallotEntry& e) { return !kept.contains(e.project_id); }),
                         ballot.entries.end());
  }
  absl::StatusOr<Outcome> ruled = rule(eligible);
  if (!ruled.ok()) return ruled.status();
  Outcome outcome = StartOutcome(election, tally, ruled->rule);
  outcome.min_support = min_support;
  outcome.total_cost = ruled->total_cost;
  outcome.funded_ids = ruled->funded_ids;
  outcome.add1_steps = ruled->add1_steps;
  outcome.comparison = ruled->comparison;
  outcome.shares_audit = ruled->shares_audit;
  int64_t below = 0;
  for (ProjectOutcome& po : outcome.projects) {
    if (const ProjectOutcome* r = ruled->Find(po.id); r != nullptr) {
      po = *r;
      continue;
    }
    ++below;
    Explain(po, ProjectReason::kBelowThreshold, [&](const Words& w) {
      return w.thai ? absl::StrCat("ไม่ผ่านเกณฑ์: คะแนนสนับสนุน (", w.Support(po.supporters, po.support), ") ต่ำกว่าขั้นต่ำ ",
                                   min_support)
                    : absl::StrCat("not eligible: its support (", w.Support(po.supporters, po.support),
                                   ") is below the minimum of ", min_support);
    });
  }
  outcome.summary = absl::StrCat(ruled->summary, " Projects with support below ", min_support, " were not eligible (",
                                 below, below == 1 ? " project)." : " projects).");
  outcome.summary_th =
      absl::StrCat(ruled->summary_th, " โครงการที่มีคะแนนสนับสนุนต่ำกว่า ", min_support, " ไม่ผ่านเกณฑ์ (", below, " โครงการ)");
  return outcome;
}

}  // namespace

bool ProjectIdLess(absl::string_view a, absl::string_view b) {
  const auto is_number = [](absl::string_view s) {
    if (s.empty()) return false;
    for (char c : s) {
      if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) return false;
    }
    return true;
  };
  const auto strip_zeros = [](absl::string_view s) {
    while (s.size() > 1 && s[0] == '0') s.remove_prefix(1);
    return s;
  };
  const bool na = is_number(a);
  const bool nb = is_number(b);
  if (na && nb) {
    const absl::string_view sa = strip_zeros(a);
    const absl::string_view sb = strip_zeros(b);
    if (sa.size() != sb.size()) return sa.size() < sb.size();
    if (sa != sb) return sa < sb;
    return a < b;
  }
  if (na != nb) return na;
  return a < b;
}

const ProjectOutcome* Outcome::Find(absl::string_view id) const {
  for (const ProjectOutcome& p : projects) {
    if (p.id == id) return &p;
  }
  return nullptr;
}

absl::Status ValidateElection(const Election& election) {
  if (election.budget < 0) {
    return absl::InvalidArgumentError(absl::StrCat("budget must not be negative, got ", election.budget));
  }
  if (election.money_scale < 0 || election.money_scale > kMaxMoneyScale) {
    return absl::InvalidArgumentError(
        absl::StrCat("money_scale must be 0-", kMaxMoneyScale, ", got ", election.money_scale));
  }
  absl::flat_hash_set<absl::string_view> ids;
  __int128 cost_sum = 0;
  for (const ElectionProject& p : election.projects) {
    if (p.id.empty()) return absl::InvalidArgumentError("a project id is empty");
    if (!ids.insert(p.id).second) {
      return absl::InvalidArgumentError(absl::StrCat("project ", p.id, " is listed twice"));
    }
    if (p.cost < 0) {
      return absl::InvalidArgumentError(absl::StrCat("project ", p.id, " has a negative cost ", p.cost));
    }
    cost_sum += p.cost;
  }
  if (cost_sum > kInt64Max) {
    return absl::InvalidArgumentError("the project costs add up to more than an int64 can hold");
  }
  absl::flat_hash_map<absl::string_view, __int128> points;
  for (const ElectionBallot& ballot : election.ballots) {
    absl::flat_hash_set<absl::string_view> chosen;
    for (const BallotEntry& e : ballot.entries) {
      if (!ids.contains(e.project_id)) {
        return absl::InvalidArgumentError(
            absl::StrCat("ballot of voter ", ballot.voter_id, " names unknown project ", e.project_id));
      }
      if (!chosen.insert(e.project_id).second) {
        return absl::InvalidArgumentError(
            absl::StrCat("ballot of voter ", ballot.voter_id, " names project ", e.project_id, " twice"));
      }
      if (e.points < 1) {
        return absl::InvalidArgumentError(absl::StrCat("ballot of voter ", ballot.voter_id, " gives project ",
                                                       e.project_id, " ", e.points,
                                                       " points; points must be at least 1"));
      }
      __int128& total = points[e.project_id];
      total += e.points;
      if (total > kInt64Max) {
        return absl::InvalidArgumentError(
            absl::StrCat("the points for project ", e.project_id, " add up to more than an int64 can hold"));
      }
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<Election> ElectionFromPabulib(const PbFile& file) {
  Election election;
  absl::StatusOr<int64_t> budget = file.Budget();
  if (!budget.ok()) return budget.status();
  election.budget = *budget;
  election.money_scale = file.money_scale;
  if (const std::string* currency = file.FindMeta("currency"); currency != nullptr && !currency->empty()) {
    election.currency = *currency;
  }
  for (const PbProject& p : file.projects) {
    election.projects.push_back({p.id, p.cost});
  }
  const bool has_points = file.HasPoints();
  for (const PbVote& v : file.votes) {
    ElectionBallot ballot;
    ballot.voter_id = v.voter_id;
    for (size_t i = 0; i < v.projects.size(); ++i) {
      ballot.entries.push_back({v.projects[i], has_points ? v.points[i] : 1});
    }
    election.ballots.push_back(std::move(ballot));
  }
  if (absl::Status s = ValidateElection(election); !s.ok()) return s;
  return election;
}

absl::StatusOr<PabulibRule> RuleOfPabulib(const PbFile& file) {
  PabulibRule rule;
  if (const std::string* name = file.FindMeta("rule"); name != nullptr) rule.name = *name;
  rule.rule = OutcomeRuleFromPabulib(rule.name);
  if (const std::string* threshold = file.FindMeta("min_project_score_threshold"); threshold != nullptr) {
    if (!absl::SimpleAtoi(*threshold, &rule.min_support) || rule.min_support < 0) {
      return absl::InvalidArgumentError(absl::StrCat("META min_project_score_threshold \"", *threshold,
                                                     "\" is not a whole number of votes or points"));
    }
  }
  return rule;
}

absl::StatusOr<Outcome> ComputeGreedy(const Election& election, const OutcomeSpec& spec) {
  if (spec.rule != OutcomeRule::kGreedy && spec.rule != OutcomeRule::kGreedyNoSkip) {
    return absl::InvalidArgumentError(
        absl::StrCat("ComputeGreedy runs greedy rules, not ", OutcomeRuleName(spec.rule)));
  }
  const bool skip = spec.rule == OutcomeRule::kGreedy;
  return WithThreshold(election, spec.min_support, [skip](const Election& eligible) -> absl::StatusOr<Outcome> {
    return RunGreedy(eligible, skip);
  });
}

namespace {

// How many add1 reruns run at once: options.add1_parallel_runs, or one per
// core when it is 0 (at most 8; a batch past the stopping step is wasted).
int Add1Width(const EqualSharesOptions& options) {
  int width = options.add1_parallel_runs;
  if (width <= 0) width = static_cast<int>(std::thread::hardware_concurrency());
  return std::clamp(width, 1, 8);
}

// Runs MES once per share, the first on this thread and the rest on their
// own threads. RunMes only reads its inputs, so the runs share them.
std::vector<absl::StatusOr<MesRun>> RunMesBatch(const Election& election, const Tally& tally, const MesInput& input,
                                                const std::vector<Rational>& shares, bool reference_exact) {
  std::vector<absl::StatusOr<MesRun>> results(shares.size());
  std::vector<std::thread> threads;
  for (size_t i = 1; i < shares.size(); ++i) {
    threads.emplace_back([&, i] { results[i] = RunMes(election, tally, input, shares[i], reference_exact); });
  }
  if (!shares.empty()) results[0] = RunMes(election, tally, input, shares[0], reference_exact);
  for (std::thread& t : threads) t.join();
  return results;
}

absl::StatusOr<Outcome> RunEqualSharesAdd1(const Election& election, const EqualSharesOptions& options) {
  const absl::flat_hash_map<std::string, int> index = IndexProjects(election);
  const Tally tally = CountSupport(election, index);
  Outcome outcome = StartOutcome(election, tally, OutcomeRule::kEqualSharesAdd1);
  const int64_t n = static_cast<int64_t>(election.ballots.size());
  if (n == 0) {
    for (ProjectOutcome& po : outcome.projects) {
      Explain(po, ProjectReason::kNoSupport, [](const Words& w) {
        return std::string(w.thai ? "ไม่ได้รับงบ: ไม่มีผู้ลงคะแนน" : "not funded: no ballots were cast");
      });
    }
    Summarize(outcome, [](const Words& w) {
      return std::string(w.thai ? "วิธีแบ่งส่วนเท่ากัน (Equal Shares): ไม่มีผู้ลงคะแนน จึงไม่มีโครงการได้รับงบ"
                                : "Method of Equal Shares: no ballots were cast, nothing is funded.");
    });
    return outcome;
  }

  const MesInput input = PrepareMes(election, index);
  const Rational base_share = Rational(election.budget) / n;
  const int64_t step = options.add1_step * MinorUnitsPerWhole(election.money_scale);
  absl::StatusOr<MesRun> run = RunMes(election, tally, input, base_share, options.reference_exact_arithmetic);
  if (!run.ok()) return run.status();
  const int width = Add1Width(options);
  int64_t steps = 0;
  enum class Stop { kOverBudget, kAllFunded, kLimit, kOff } stop = Stop::kOff;
  Rational over_share = 0;
  int64_t over_cost = 0;
  // Each pass runs the next `batch` shares at once and then takes their
  // results in order, exactly as one rerun after another would; runs past
  // the first over-budget one are thrown away.
  for (;;) {
    if (FundsEverySupported(input, *run)) {
      stop = Stop::kAllFunded;
      break;
    }
    if (steps >= options.max_add1_steps) {
      stop = options.max_add1_steps == 0 ? Stop::kOff : Stop::kLimit;
      break;
    }
    const int batch = static_cast<int>(std::min<int64_t>(width, options.max_add1_steps - steps));
    std::vector<Rational> shares;
    for (int i = 1; i <= batch; ++i) shares.push_back(base_share + Rational(steps + i) * step);
    std::vector<absl::StatusOr<MesRun>> next =
        RunMesBatch(election, tally, input, shares, options.reference_exact_arithmetic);
    for (int i = 0; i < batch; ++i) {
      if (!next[i].ok()) return next[i].status();
      if (next[i]->total_cost > election.budget) {
        stop = Stop::kOverBudget;
        over_share = shares[i];
        over_cost = next[i]->total_cost;
        break;
      }
      ++steps;
      run = std::move(next[i]);
      if (FundsEverySupported(input, *run)) break;  // the loop's check says so
    }
    if (stop == Stop::kOverBudget) break;
  }

  SettleRun(election, &*run);
  if (absl::Status s = CheckConservation(election, input, *run); !s.ok()) {
    return s;
  }
  outcome.add1_steps = steps;
  ExplainMes(election, tally, input, *run, &outcome);
  if (options.audit) outcome.shares_audit = AuditShares(election, input, *run);
  const Rational final_share = base_share + Rational(steps) * step;
  Summarize(outcome, [&](const Words& w) {
    const auto money = [&](const Rational& x) { return w.Money(election, x); };
    std::string why;
    switch (stop) {
      case Stop::kOverBudget:
        why = w.thai ? absl::StrCat("หากเพิ่มส่วนแบ่งอีกครั้งเป็น ", money(over_share), " จะได้โครงการรวม ",
                                    w.Money(election, over_cost), " เกินงบ")
                     : absl::StrCat("raising the share once more, to ", money(over_share),
                                    ", would fund projects costing ", w.Money(election, over_cost),
                                    ", more than the budget");
        break;
      case Stop::kAllFunded:
        why = w.thai ? "ทุกโครงการที่มีผู้สนับสนุนได้รับงบแล้ว" : "every project with a supporter is funded";
        break;
      case Stop::kLimit:
        why = w.thai ? absl::StrCat("ถึงขีดจำกัด ", options.max_add1_steps, " ครั้ง")
                     : absl::StrCat("the limit of ", options.max_add1_steps, " add1 steps was reached");
        break;
      case Stop::kOff:
        why = w.thai ? "ปิดการเติมส่วนแบ่ง (add1)" : "add1 completion is switched off";
        break;
    }
    if (w.thai) {
      return absl::StrCat("วิธีแบ่งส่วนเท่ากัน (Equal Shares, ประโยชน์ตามราคา) พร้อมการเติมส่วนแบ่งทีละหน่วย (add1): ผู้ลงคะแนน ", n,
                          " คน เริ่มด้วยส่วนแบ่งเท่ากันคนละ ", money(base_share), " (งบ ", w.Money(election, election.budget),
                          " หาร ", n, " คน) เพิ่มส่วนแบ่ง ", steps, " ครั้ง ครั้งละ ", options.add1_step, " ",
                          w.Currency(election), " เป็น ", money(final_share), " หยุดเพราะ", why, " ได้รับงบ ",
                          outcome.funded_ids.size(), " โครงการ รวม ", w.Money(election, outcome.total_cost), " จากงบ ",
                          w.Money(election, election.budget),
                          " หาก rho เท่ากัน โครงการที่คะแนนมากกว่าได้ก่อน แล้วจึงราคาต่ำกว่า และรหัสโครงการที่น้อยกว่า");
    }
    return absl::StrCat(
        "Method of Equal Shares (cost utilities) with add1 completion: each of ", n,
        " voters started with an equal share of ", money(base_share), " (budget ",
        FormatAmount(election.budget, election.money_scale), " / ", n, " voters); the share was raised ", steps,
        " times by ", options.add1_step, " ", w.Currency(election), " to ", money(final_share), ". Stopped because ",
        why, ". ", outcome.funded_ids.size(), " projects funded, costing ",
        FormatAmount(outcome.total_cost, election.money_scale), " of the ", w.Money(election, election.budget),
        " budget. Ties on rho are broken by more support, then lower cost, then lower project id.");
  });
  return outcome;
}

// How many of the voter's chosen projects each outcome funds decides which
// one the voter prefers.
Comparison CompareForVoters(const Election& election, const Outcome& greedy, const Outcome& equal_shares) {
  const absl::flat_hash_set<std::string> by_greedy(greedy.funded_ids.begin(), greedy.funded_ids.end());
  const absl::flat_hash_set<std::string> by_shares(equal_shares.funded_ids.begin(), equal_shares.funded_ids.end());
  Comparison c;
  for (const ElectionBallot& ballot : election.ballots) {
    int64_t g = 0;
    int64_t m = 0;
    for (const BallotEntry& e : ballot.entries) {
      g += by_greedy.contains(e.project_id) ? 1 : 0;
      m += by_shares.contains(e.project_id) ? 1 : 0;
    }
    if (g > m) ++c.prefer_greedy;
    if (m > g) ++c.prefer_equal_shares;
  }
  c.kept_greedy = c.prefer_greedy > c.prefer_equal_shares;
  return c;
}

}  // namespace

absl::StatusOr<Outcome> ComputeEqualSharesAdd1(const Election& election, const EqualSharesOptions& options) {
  if (options.add1_step < 1) {
    return absl::InvalidArgumentError(absl::StrCat("add1_step must be at least 1, got ", options.add1_step));
  }
  if (options.max_add1_steps < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("max_add1_steps must not be negative, got ", options.max_add1_steps));
  }
  return WithThreshold(election, options.min_support,
                       [&options](const Election& eligible) { return RunEqualSharesAdd1(eligible, options); });
}

absl::StatusOr<Outcome> ComputeEqualSharesAdd1Comparison(const Election& election, const EqualSharesOptions& options) {
  absl::StatusOr<Outcome> shares = ComputeEqualSharesAdd1(election, options);
  if (!shares.ok()) return shares.status();
  absl::StatusOr<Outcome> greedy = ComputeGreedy(election, {OutcomeRule::kGreedy, options.min_support});
  if (!greedy.ok()) return greedy.status();
  const Comparison c = CompareForVoters(election, *greedy, *shares);
  Outcome outcome = c.kept_greedy ? *std::move(greedy) : *std::move(shares);
  outcome.rule = OutcomeRule::kEqualSharesAdd1Comparison;
  outcome.comparison = c;
  outcome.summary = absl::StrCat(
      "Equal Shares with add1, compared with greedy: ", c.prefer_greedy, " voters prefer the greedy outcome and ",
      c.prefer_equal_shares, " the Equal Shares one (a voter prefers the outcome that funds more of the projects ",
      "they chose), so the ", c.kept_greedy ? "greedy" : "Equal Shares", " outcome is kept. ", outcome.summary);
  outcome.summary_th =
      absl::StrCat("เปรียบเทียบ Equal Shares (add1) กับการเรียงตามคะแนน: ผู้ลงคะแนน ", c.prefer_greedy,
                   " คนชอบผลแบบเรียงตามคะแนนมากกว่า และ ", c.prefer_equal_shares,
                   " คนชอบผลแบบ Equal Shares มากกว่า (ผู้ลงคะแนนชอบผลที่ให้งบโครงการที่ตนเลือกได้มากกว่า) จึงใช้ผลแบบ",
                   c.kept_greedy ? "เรียงตามคะแนน" : " Equal Shares", " ", outcome.summary_th);
  return outcome;
}

absl::StatusOr<Outcome> ComputeOutcome(const Election& election, const OutcomeSpec& spec) {
  EqualSharesOptions options;
  options.min_support = spec.min_support;
  switch (spec.rule) {
    case OutcomeRule::kGreedy:
    case OutcomeRule::kGreedyNoSkip:
      return ComputeGreedy(election, spec);
    case OutcomeRule::kEqualSharesAdd1:
      return ComputeEqualSharesAdd1(election, options);
    case OutcomeRule::kEqualSharesAdd1Comparison:
      return ComputeEqualSharesAdd1Comparison(election, options);
    case OutcomeRule::kNotChosen:
      return absl::FailedPreconditionError(
          "this election's file names a rule this service does not run; a round admin must choose an outcome rule "
          "first (UpdateRoundRules)");
  }
  return absl::InvalidArgumentError("unknown outcome rule");
}

}  // namespace bkk::voting
