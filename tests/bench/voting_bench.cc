// The load side of ./bkk bench voting (which also runs pgbench on the same
// PostgreSQL and samples every server process's CPU around each command).
// Voter tokens are signed here with the server's key, as an identity provider
// would, and before the load starts, so a cast measures CastBallot alone.
//   voting_bench open-round ADDRESS ADMIN_TOKEN ROUND_FILE
// Opens a round over the 50 districts with 10 approved proposals each and
// writes it to ROUND_FILE ("round R", then "district D P1 ... P10" lines).
//   voting_bench cast ADDRESS VOTER_KEY ROUND_FILE FIRST_VOTER BALLOTS CLIENTS ACKED_FILE
// Casts BALLOTS ballots of voters FIRST_VOTER.. with CLIENTS calls in flight
// and waits for every answer; writes "key district proposal proposal" per
// acknowledged ballot to ACKED_FILE (for the bench to find each in
// PostgreSQL) and prints "cast clients C ballots N acked A errors E
// unanswered 0 seconds S ballots/s R p50_ms X p99_ms Y client_cpu_s Z
// codes {...}". Any error fails the command: no ballot here may be refused.
//   voting_bench noop ADDRESS SECONDS CLIENTS
// The same server's health Check at CLIENTS concurrency for SECONDS: what any
// unary RPC costs on this machine, the ceiling for CastBallot.
//   voting_bench publish ADDRESS ADMIN_TOKEN PG_URL BALLOTS
// Times closing and publishing a round of BALLOTS generated ballots over the
// 50 districts (written straight to PostgreSQL: the CastBallot path is what
// cast measures): sealing builds every district's Merkle tree and
// tally log entry, publishing computes and freezes every outcome. Checks the
// log (50 entries, every ballot counted) and prints "publish ballots N
// districts 50 close_ms C publish_ms P checked ok".
#include <grpcpp/grpcpp.h>
#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <fstream>
#include <functional>
#include <map>
#include <mutex>
#include <pqxx/pqxx>
#include <sstream>
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
  double seconds = 0, rate = 0, p50_ms = 0, p99_ms = 0;
  size_t ok = 0;
  std::map<std::string, long> errors;  // by status code name
  long error_count() const {
    long n = 0;
    for (const auto& [code, count] : errors) n += count;
    return n;
  }
};

// Keeps `clients` calls in flight on gRPC's callback API while `more(slot)`
// says so (it may claim the slot's next unit of work): each slot starts its next call from the last one's completion,
// like pgbench's clients, with no thread per client (the load generator's own CPU stays small). Returns once every call
// started has been answered. `start(slot, done)` begins one call and reports its status through `done`.
Level RunLoad(int clients, const std::function<bool(int)>& more,
              const std::function<void(int, std::function<void(const grpc::Status&)>)>& start) {
  std::vector<std::vector<double>> latencies(clients);
  std::mutex mu;
  std::condition_variable idle;
  std::map<std::string, long> errors;
  int running = 0;
  std::function<void(int)> next = [&](int slot) {
    if (!more(slot)) {
      std::lock_guard<std::mutex> lock(mu);
      if (--running == 0) idle.notify_one();
      return;
    }
    auto begun = Clock::now();
    start(slot, [&, slot, begun](const grpc::Status& status) {
      if (status.ok()) {
        latencies[slot].push_back(std::chrono::duration<double, std::milli>(Clock::now() - begun).count());
      } else {
        std::lock_guard<std::mutex> lock(mu);
        ++errors[absl::StrCat(status.error_code(), ": ", status.error_message())];
      }
      next(slot);
    });
  };
  auto began = Clock::now();
  {
    std::lock_guard<std::mutex> lock(mu);
    running = clients;
  }
  for (int c = 0; c < clients; ++c) next(c);
  {
    std::unique_lock<std::mutex> lock(mu);
    idle.wait(lock, [&] { return running == 0; });
  }
  Level level;
  level.seconds = std::chrono::duration<double>(Clock::now() - began).count();
  std::vector<double> all;
  for (auto& l : latencies) all.insert(all.end(), l.begin(), l.end());
  std::sort(all.begin(), all.end());
  level.ok = all.size();
  level.errors = std::move(errors);
  level.rate = all.size() / level.seconds;
  level.p50_ms = all.empty() ? 0 : all[all.size() / 2];
  level.p99_ms = all.empty() ? 0 : all[std::min(all.size() - 1, all.size() * 99 / 100)];
  return level;
}

double ProcessCpuSeconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_utime.tv_sec + usage.ru_stime.tv_sec + (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
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

// The round file open-round writes and cast reads.
absl::Status WriteRound(const BenchRound& round, const std::string& path) {
  std::ofstream out(path);
  out << "round " << round.round_id << "\n";
  for (int d = 1; d <= 50; ++d) {
    out << "district " << d;
    for (int64_t p : round.proposals[d]) out << " " << p;
    out << "\n";
  }
  return out.good() ? absl::OkStatus() : absl::InternalError("cannot write " + path);
}

absl::StatusOr<BenchRound> ReadRound(const std::string& path) {
  std::ifstream in(path);
  BenchRound round;
  round.proposals.resize(51);
  std::string word;
  if (!(in >> word >> round.round_id) || word != "round") return absl::InvalidArgumentError(path + ": no round");
  for (int d = 1; d <= 50; ++d) {
    int district = 0;
    if (!(in >> word >> district) || word != "district" || district != d) {
      return absl::InvalidArgumentError(absl::StrCat(path, ": district ", d, " missing"));
    }
    round.proposals[d].resize(10);
    for (auto& p : round.proposals[d]) in >> p;
  }
  return in ? absl::StatusOr<BenchRound>(std::move(round)) : absl::InvalidArgumentError(path + ": truncated");
}

std::vector<std::shared_ptr<grpc::Channel>> Channels(const std::string& address) {
  std::vector<std::shared_ptr<grpc::Channel>> channels;
  for (int i = 0; i < 8; ++i) {
    grpc::ChannelArguments args;
    args.SetInt("bench.channel", i);
    channels.push_back(grpc::CreateCustomChannel(address, grpc::InsecureChannelCredentials(), args));
  }
  return channels;
}

int Fail(const absl::Status& status) {
  std::fprintf(stderr, "voting_bench: %s\n", std::string(status.message()).c_str());
  return 1;
}

int OpenRound(const std::string& address, const std::string& admin, const std::string& path) {
  auto stub = vpb::VotingService::NewStub(grpc::CreateChannel(address, grpc::InsecureChannelCredentials()));
  auto round = OpenBenchRound(*stub, admin);
  if (!round.ok()) return Fail(round.status());
  if (auto s = WriteRound(*round, path); !s.ok()) return Fail(s);
  std::printf("round %lld\n", static_cast<long long>(round->round_id));
  return 0;
}

int Cast(const std::string& address, const std::string& key, const std::string& round_path, int64_t first,
         int64_t count, int clients, const std::string& acked_path) {
  auto round = ReadRound(round_path);
  if (!round.ok()) return Fail(round.status());
  auto hasher = bkk::voting::VoterKeyHasher::Create(key + ":voter-id");
  auto signer = bkk::voting::VoterTokenSigner::Create(key + ":voter-token");
  if (!hasher.ok() || !signer.ok()) return Fail(absl::InvalidArgumentError("bad voter key"));
  // Ballot n: district 1 + n % 50, proposals n % 10 and (n + 3) % 10 of it.
  struct Ballot {
    std::string token, key;
    int district = 0;
    int64_t first_choice = 0, second_choice = 0;
  };
  std::vector<Ballot> planned(count);
  for (int64_t i = 0; i < count; ++i) {
    const int64_t n = first + i;
    std::string first12 = absl::StrCat(100000000000LL + n).substr(0, 12);
    std::string cid = first12 + std::to_string(bkk::voting::CitizenIdCheckDigit(first12));
    auto voter = hasher->HashCitizenId(cid);
    Ballot& b = planned[i];
    b.token = *signer->IssueFor(absl::StrCat(round->round_id), *voter, bkk::voting::VoterKind::kVerified, absl::Now(),
                                absl::Minutes(30));
    b.key = absl::StrCat("bench-", n);
    b.district = static_cast<int>(n % 50) + 1;
    b.first_choice = round->proposals[b.district][n % 10];
    b.second_choice = round->proposals[b.district][(n + 3) % 10];
  }
  auto channels = Channels(address);
  struct Call {
    std::unique_ptr<vpb::VotingService::Stub> stub;
    std::unique_ptr<grpc::ClientContext> ctx;
    vpb::CastBallotRequest req;
    vpb::CastBallotResponse resp;
  };
  std::vector<Call> calls(clients);
  for (int c = 0; c < clients; ++c) calls[c].stub = vpb::VotingService::NewStub(channels[c % channels.size()]);
  std::vector<char> acked(count, 0);
  std::atomic<int64_t> next{0};
  std::vector<int64_t> claimed(clients);  // the ballot each slot casts now
  const double cpu_before = ProcessCpuSeconds();
  Level cast = RunLoad(
      clients, [&](int slot) { return (claimed[slot] = next++) < count; },
      [&](int slot, std::function<void(const grpc::Status&)> done) {
        const int64_t i = claimed[slot];
        const Ballot& b = planned[i];
        Call& call = calls[slot];
        call.req.Clear();
        call.req.set_round_id(round->round_id);
        call.req.set_district_id(b.district);
        call.req.set_voter_token(b.token);
        call.req.add_choices()->set_proposal_id(b.first_choice);
        call.req.add_choices()->set_proposal_id(b.second_choice);
        call.req.set_idempotency_key(b.key);
        call.ctx = Ctx();
        call.stub->async()->CastBallot(call.ctx.get(), &call.req, &call.resp,
                                       [&acked, i, done = std::move(done)](const grpc::Status& st) {
                                         if (st.ok()) acked[i] = 1;
                                         done(st);
                                       });
      });
  const double client_cpu = ProcessCpuSeconds() - cpu_before;
  std::ofstream out(acked_path);
  int64_t acked_count = 0;
  for (int64_t i = 0; i < count; ++i) {
    if (!acked[i]) continue;
    const Ballot& b = planned[i];
    out << b.key << " " << b.district << " " << std::min(b.first_choice, b.second_choice) << " "
        << std::max(b.first_choice, b.second_choice) << "\n";
    ++acked_count;
  }
  std::ostringstream codes;
  for (const auto& [code, n] : cast.errors) codes << " [" << code << "] x" << n;
  // RunLoad returns when every call has been answered: none is in flight.
  std::printf(
      "cast clients %d ballots %lld acked %lld errors %ld unanswered 0 seconds %.3f ballots/s %.0f p50_ms %.2f "
      "p99_ms %.2f client_cpu_s %.3f codes%s\n",
      clients, static_cast<long long>(count), static_cast<long long>(acked_count), cast.error_count(), cast.seconds,
      acked_count / cast.seconds, cast.p50_ms, cast.p99_ms, client_cpu, codes.str().c_str());
  return out.good() && cast.error_count() == 0 ? 0 : 1;
}

int Noop(const std::string& address, double seconds, int clients) {
  auto channels = Channels(address);
  struct Check {
    std::unique_ptr<grpc::health::v1::Health::Stub> stub;
    std::unique_ptr<grpc::ClientContext> ctx;
    grpc::health::v1::HealthCheckRequest req;
    grpc::health::v1::HealthCheckResponse resp;
  };
  std::vector<Check> checks(clients);
  for (int c = 0; c < clients; ++c) checks[c].stub = grpc::health::v1::Health::NewStub(channels[c % channels.size()]);
  const auto until = Clock::now() + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
  Level noop = RunLoad(
      clients, [&](int) { return Clock::now() < until; },
      [&](int slot, std::function<void(const grpc::Status&)> done) {
        Check& k = checks[slot];
        k.ctx = Ctx();
        k.stub->async()->Check(k.ctx.get(), &k.req, &k.resp, std::move(done));
      });
  std::printf("noop clients %d rpc/s %.0f errors %ld\n", clients, noop.rate, noop.error_count());
  return noop.error_count() == 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  const std::vector<std::string> args(argv + 1, argv + argc);
  const std::string mode = args.empty() ? "" : args[0];
  if (mode == "open-round" && args.size() == 4) return OpenRound(args[1], args[2], args[3]);
  if (mode == "cast" && args.size() == 8) {
    return Cast(args[1], args[2], args[3], std::stoll(args[4]), std::stoll(args[5]), std::stoi(args[6]), args[7]);
  }
  if (mode == "noop" && args.size() == 4) return Noop(args[1], std::stod(args[2]), std::stoi(args[3]));
  if (mode == "publish" && args.size() == 5) return Publish(args[1], args[2], args[3], std::stoll(args[4]));
  std::fprintf(stderr,
               "usage: voting_bench open-round ADDRESS ADMIN_TOKEN ROUND_FILE\n"
               "       voting_bench cast ADDRESS VOTER_KEY ROUND_FILE FIRST_VOTER BALLOTS CLIENTS ACKED_FILE\n"
               "       voting_bench noop ADDRESS SECONDS CLIENTS\n"
               "       voting_bench publish ADDRESS ADMIN_TOKEN PG_URL BALLOTS\n");
  return 2;
}
