// Durable ballots per second through voting's gRPC API at several client
// counts, for ./bkk bench voting (which also runs pgbench on the same
// PostgreSQL). Voter tokens are signed here with the server's key, as an
// identity provider would, so the run measures CastBallot alone.
//   voting_bench ADDRESS VOTER_KEY ADMIN_TOKEN SECONDS CLIENTS...
// Prints one line per client count: "clients N ballots/s X p50_ms Y p99_ms Z
// errors E acked A noop_rpc/s R", R being the server's health Check at the
// same concurrency (the cost of any unary RPC here).
//   voting_bench publish ADDRESS ADMIN_TOKEN PG_URL BALLOTS
// Times closing and publishing a round of BALLOTS generated ballots over the
// 50 districts (written straight to PostgreSQL: the CastBallot path is what
// the first mode measures): sealing builds every district's Merkle tree and
// tally log entry, publishing computes and freezes every outcome. Checks the
// log (50 entries, every ballot counted) and prints "publish ballots N
// districts 50 close_ms C publish_ms P checked ok".
#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <functional>
#include <mutex>
#include <pqxx/pqxx>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "bkkbudget/voting/v1/voting.grpc.pb.h"
#include "grpc_probes.grpc.pb.h"
#include "services/voting/core/citizen_id.h"
#include "services/voting/core/voter_token.h"

namespace {
namespace vpb = bkkbudget::voting::v1;
using Clock = std::chrono::steady_clock;

std::unique_ptr<grpc::ClientContext> Ctx(const std::string& admin = "") {
  auto ctx = std::make_unique<grpc::ClientContext>();
  ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
  if (!admin.empty()) ctx->AddMetadata("authorization", "Bearer " + admin);
  return ctx;
}

struct Level {
  double rate = 0, p50_ms = 0, p99_ms = 0;
  long errors = 0;
  size_t ok = 0;
};

// Keeps `clients` calls in flight for `seconds` on gRPC's callback API: each
// slot starts its next call from the last one's completion, like pgbench's
// clients, with no thread per client (the load generator's own CPU stays
// small). `start(slot, done)` begins one call and reports through `done`.
Level RunLevel(int clients, double seconds, const std::function<void(int, std::function<void(bool)>)>& start) {
  std::vector<std::vector<double>> latencies(clients);
  std::atomic<bool> stop{false};
  std::atomic<long> errors{0};
  std::mutex mu;
  std::condition_variable idle;
  int running = clients;
  std::function<void(int)> next = [&](int slot) {
    auto begun = Clock::now();
    start(slot, [&, slot, begun](bool ok) {
      if (ok) {
        latencies[slot].push_back(std::chrono::duration<double, std::milli>(Clock::now() - begun).count());
      } else {
        ++errors;
      }
      if (!stop.load()) return next(slot);
      std::lock_guard<std::mutex> lock(mu);
      if (--running == 0) idle.notify_one();
    });
  };
  auto began = Clock::now();
  for (int c = 0; c < clients; ++c) next(c);
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  stop = true;
  {
    std::unique_lock<std::mutex> lock(mu);
    idle.wait(lock, [&] { return running == 0; });
  }
  double elapsed = std::chrono::duration<double>(Clock::now() - began).count();
  std::vector<double> all;
  for (auto& l : latencies) all.insert(all.end(), l.begin(), l.end());
  std::sort(all.begin(), all.end());
  Level level;
  level.ok = all.size();
  level.errors = errors.load();
  level.rate = all.size() / elapsed;
  level.p50_ms = all.empty() ? 0 : all[all.size() / 2];
  level.p99_ms = all.empty() ? 0 : all[std::min(all.size() - 1, all.size() * 99 / 100)];
  return level;
}

// A round over all 50 districts, 10 approved proposals each, open for voting.
struct BenchRound {
  int64_t round_id = 0;
  std::vector<std::vector<int64_t>> proposals;  // by district (1-50)
};

absl::StatusOr<BenchRound> OpenBenchRound(vpb::VotingService::Stub& stub, const std::string& admin) {
  vpb::CreateRoundRequest create;
  auto* round = create.mutable_round();
  round->set_name("benchmark");
  round->set_fiscal_year(2567);
  for (int d = 1; d <= 50; ++d) {
    auto* rd = round->add_districts();
    rd->set_district_id(d);
    rd->set_budget_baht(100'000'000);
  }
  round->mutable_ballot_rule()->set_kind(vpb::BALLOT_KIND_APPROVAL);
  round->mutable_ballot_rule()->set_max_choices(3);
  round->set_outcome_rule(vpb::OUTCOME_RULE_GREEDY);
  round->set_identity_mode(vpb::IDENTITY_MODE_CITIZEN_ID);
  vpb::CreateRoundResponse created;
  if (auto s = stub.CreateRound(Ctx(admin).get(), create, &created); !s.ok()) {
    return absl::InternalError("CreateRound: " + s.error_message());
  }
  BenchRound out;
  out.round_id = created.round().round_id();
  out.proposals.resize(51);
  for (int d = 1; d <= 50; ++d) {
    for (int i = 0; i < 10; ++i) {
      vpb::SubmitProposalRequest submit;
      submit.set_round_id(out.round_id);
      submit.set_district_id(d);
      submit.set_title(absl::StrCat("โครงการ ", i + 1));
      submit.set_estimated_cost_baht(1'000'000);
      vpb::SubmitProposalResponse submitted;
      if (!stub.SubmitProposal(Ctx().get(), submit, &submitted).ok()) return absl::InternalError("SubmitProposal");
      vpb::ModerateProposalRequest moderate;
      moderate.set_proposal_id(submitted.proposal().proposal_id());
      moderate.set_approve(true);
      vpb::ModerateProposalResponse moderated;
      if (!stub.ModerateProposal(Ctx(admin).get(), moderate, &moderated).ok()) {
        return absl::InternalError("ModerateProposal");
      }
      out.proposals[d].push_back(submitted.proposal().proposal_id());
    }
  }
  for (auto phase : {vpb::PHASE_REVIEW, vpb::PHASE_VOTING}) {
    vpb::AdvanceRoundPhaseRequest advance;
    advance.set_round_id(out.round_id);
    advance.set_to_phase(phase);
    vpb::AdvanceRoundPhaseResponse advanced;
    if (!stub.AdvanceRoundPhase(Ctx(admin).get(), advance, &advanced).ok()) {
      return absl::InternalError("AdvanceRoundPhase");
    }
  }
  return out;
}

// How long one phase step of `round_id` takes, through the API.
absl::StatusOr<double> TimedAdvance(vpb::VotingService::Stub& stub, const std::string& admin, int64_t round_id,
                                    vpb::Phase to) {
  vpb::AdvanceRoundPhaseRequest advance;
  advance.set_round_id(round_id);
  advance.set_to_phase(to);
  vpb::AdvanceRoundPhaseResponse advanced;
  auto ctx = Ctx(admin);
  ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(300));
  const auto start = Clock::now();
  if (auto s = stub.AdvanceRoundPhase(ctx.get(), advance, &advanced); !s.ok()) {
    return absl::InternalError(absl::StrCat("AdvanceRoundPhase to ", vpb::Phase_Name(to), ": ", s.error_message()));
  }
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

int Publish(const std::string& address, const std::string& admin, const std::string& pg_url, int64_t ballots) {
  auto stub = vpb::VotingService::NewStub(grpc::CreateChannel(address, grpc::InsecureChannelCredentials()));
  auto round = OpenBenchRound(*stub, admin);
  if (!round.ok()) {
    std::fprintf(stderr, "%s\n", std::string(round.status().message()).c_str());
    return 1;
  }
  {
    // Ballot i goes to district 1 + i % 50 and approves two of its proposals.
    pqxx::connection c(pg_url);
    pqxx::work tx(c);
    tx.exec_params(
        "WITH p AS (SELECT district_id, array_agg(proposal_id ORDER BY proposal_id) AS ids FROM voting.proposals "
        "WHERE round_id = $1 GROUP BY district_id) "
        "INSERT INTO voting.ballots (round_id, district_id, voter_hash, idempotency_key, receipt_code, proposal_ids, "
        "points) SELECT $1, s.d, 'publish-bench-' || s.i, 'k', 'PUBLISH' || $1 || '-' || s.i, "
        "ARRAY[p.ids[1 + s.i % 10], p.ids[1 + (s.i + 3) % 10]], ARRAY[1, 1] "
        "FROM (SELECT i, 1 + i % 50 AS d FROM generate_series(1, $2::bigint) i) s JOIN p ON p.district_id = s.d",
        round->round_id, ballots);
    tx.commit();
  }
  auto close_ms = TimedAdvance(*stub, admin, round->round_id, vpb::PHASE_CLOSED);
  auto publish_ms = close_ms.ok() ? TimedAdvance(*stub, admin, round->round_id, vpb::PHASE_PUBLISHED) : close_ms;
  if (!publish_ms.ok()) {
    std::fprintf(stderr, "%s\n", std::string(publish_ms.status().message()).c_str());
    return 1;
  }
  // What was built: a log entry per district counting every ballot, and an
  // official result per district.
  vpb::ListTallyLogRequest list;
  list.set_round_id(round->round_id);
  vpb::ListTallyLogResponse log;
  if (!stub->ListTallyLog(Ctx().get(), list, &log).ok()) return 1;
  int64_t counted = 0;
  for (const auto& e : log.entries()) counted += e.voter_count();
  bool official = true;
  for (int d = 1; d <= 50; ++d) {
    vpb::ComputeOutcomeRequest req;
    req.set_round_id(round->round_id);
    req.set_district_id(d);
    vpb::ComputeOutcomeResponse resp;
    official = official && stub->ComputeOutcome(Ctx().get(), req, &resp).ok() && resp.official() &&
               resp.voter_count() == ballots / 50 + (d <= ballots % 50 ? 1 : 0);
  }
  const bool ok = log.entries_size() == 50 && counted == ballots && official;
  std::printf(
      "publish ballots %lld districts 50 close_ms %.0f publish_ms %.0f checked %s (log entries %d, counted %lld)\n",
      static_cast<long long>(ballots), *close_ms, *publish_ms, ok ? "ok" : "WRONG", log.entries_size(),
      static_cast<long long>(counted));
  return ok ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 6 && std::string(argv[1]) == "publish") {
    return Publish(argv[2], argv[3], argv[4], std::stoll(argv[5]));
  }
  if (argc < 6) {
    std::fprintf(stderr, "usage: voting_bench ADDRESS VOTER_KEY ADMIN_TOKEN SECONDS CLIENTS...\n");
    return 2;
  }
  const std::string address = argv[1], key = argv[2], admin = argv[3];
  const double seconds = std::stod(argv[4]);
  std::vector<std::shared_ptr<grpc::Channel>> channels;
  for (int i = 0; i < 8; ++i) {
    grpc::ChannelArguments args;
    args.SetInt("bench.channel", i);
    channels.push_back(grpc::CreateCustomChannel(address, grpc::InsecureChannelCredentials(), args));
  }
  auto stub = vpb::VotingService::NewStub(channels[0]);

  auto bench_round = OpenBenchRound(*stub, admin);
  if (!bench_round.ok()) {
    std::fprintf(stderr, "%s\n", std::string(bench_round.status().message()).c_str());
    return 1;
  }
  const int64_t round_id = bench_round->round_id;
  const auto& proposals = bench_round->proposals;
  auto hasher = bkk::voting::VoterKeyHasher::Create(key + ":voter-id");
  auto signer = bkk::voting::VoterTokenSigner::Create(key + ":voter-token");
  if (!hasher.ok() || !signer.ok()) return 1;

  // Tokens are signed before the clock starts, so the client's own CPU goes
  // to calling the service.
  auto make_token = [&](int64_t n) {
    std::string first12 = absl::StrCat(100000000000LL + n).substr(0, 12);
    std::string cid = first12 + std::to_string(bkk::voting::CitizenIdCheckDigit(first12));
    auto voter = hasher->HashCitizenId(cid);
    return *signer->IssueFor(absl::StrCat(round_id), *voter, bkk::voting::VoterKind::kVerified, absl::Now(),
                             absl::Minutes(30));
  };
  constexpr int64_t kPresigned = 60000;
  std::vector<std::string> tokens(kPresigned + 1);
  for (int64_t n = 1; n <= kPresigned; ++n) tokens[n] = make_token(n);
  std::atomic<int64_t> next_voter{1};
  for (int i = 5; i < argc; ++i) {
    const int clients = std::stoi(argv[i]);
    struct Ballot {
      std::unique_ptr<vpb::VotingService::Stub> stub;
      std::unique_ptr<grpc::ClientContext> ctx;
      vpb::CastBallotRequest req;
      vpb::CastBallotResponse resp;
    };
    std::vector<Ballot> ballots(clients);
    for (int c = 0; c < clients; ++c) ballots[c].stub = vpb::VotingService::NewStub(channels[c % channels.size()]);
    Level cast = RunLevel(clients, seconds, [&](int slot, std::function<void(bool)> done) {
      Ballot& b = ballots[slot];
      int64_t n = next_voter++;
      int d = static_cast<int>(n % 50) + 1;
      b.req.Clear();
      b.req.set_round_id(round_id);
      b.req.set_district_id(d);
      b.req.set_voter_token(n <= kPresigned ? tokens[n] : make_token(n));
      b.req.add_choices()->set_proposal_id(proposals[d][n % 10]);
      b.req.add_choices()->set_proposal_id(proposals[d][(n + 3) % 10]);
      b.req.set_idempotency_key(absl::StrCat("bench-", n));
      b.ctx = Ctx();
      b.stub->async()->CastBallot(b.ctx.get(), &b.req, &b.resp,
                                  [done = std::move(done)](const grpc::Status& st) { done(st.ok()); });
    });
    // The same server's health Check at the same concurrency: what any
    // unary RPC costs on this machine, the ceiling for CastBallot.
    struct Check {
      std::unique_ptr<grpc::health::v1::Health::Stub> stub;
      std::unique_ptr<grpc::ClientContext> ctx;
      grpc::health::v1::HealthCheckRequest req;
      grpc::health::v1::HealthCheckResponse resp;
    };
    std::vector<Check> checks(clients);
    for (int c = 0; c < clients; ++c) checks[c].stub = grpc::health::v1::Health::NewStub(channels[c % channels.size()]);
    Level noop = RunLevel(clients, seconds, [&](int slot, std::function<void(bool)> done) {
      Check& k = checks[slot];
      k.ctx = Ctx();
      k.stub->async()->Check(k.ctx.get(), &k.req, &k.resp,
                             [done = std::move(done)](const grpc::Status& st) { done(st.ok()); });
    });
    std::printf("clients %d ballots/s %.0f p50_ms %.2f p99_ms %.2f errors %ld acked %zu noop_rpc/s %.0f\n", clients,
                cast.rate, cast.p50_ms, cast.p99_ms, cast.errors, cast.ok, noop.rate);
    std::fflush(stdout);
  }
  std::printf("round %lld\n", static_cast<long long>(round_id));
  return 0;
}
