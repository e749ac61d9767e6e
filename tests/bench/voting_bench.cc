// Durable ballots per second through voting's gRPC API at several client
// counts, for ./bkk bench voting (which also runs pgbench on the same
// PostgreSQL). Voter tokens are signed here with the server's key, as an
// identity provider would, so the run measures CastBallot alone.
//   voting_bench ADDRESS VOTER_KEY ADMIN_TOKEN SECONDS CLIENTS...
// Prints one line per client count: "clients N ballots/s X p50_ms Y p99_ms Z errors E".
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include <grpcpp/grpcpp.h>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "bkkbudget/voting/v1/voting.grpc.pb.h"
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

}  // namespace

int main(int argc, char** argv) {
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

  // One round over all 50 districts, 10 approved proposals each.
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
  if (auto s = stub->CreateRound(Ctx(admin).get(), create, &created); !s.ok()) {
    std::fprintf(stderr, "CreateRound: %s\n", s.error_message().c_str());
    return 1;
  }
  const int64_t round_id = created.round().round_id();
  std::vector<std::vector<int64_t>> proposals(51);
  for (int d = 1; d <= 50; ++d) {
    for (int i = 0; i < 10; ++i) {
      vpb::SubmitProposalRequest submit;
      submit.set_round_id(round_id);
      submit.set_district_id(d);
      submit.set_title(absl::StrCat("โครงการ ", i + 1));
      submit.set_estimated_cost_baht(1'000'000);
      vpb::SubmitProposalResponse submitted;
      if (!stub->SubmitProposal(Ctx().get(), submit, &submitted).ok()) return 1;
      vpb::ModerateProposalRequest moderate;
      moderate.set_proposal_id(submitted.proposal().proposal_id());
      moderate.set_approve(true);
      vpb::ModerateProposalResponse moderated;
      if (!stub->ModerateProposal(Ctx(admin).get(), moderate, &moderated).ok()) return 1;
      proposals[d].push_back(submitted.proposal().proposal_id());
    }
  }
  for (auto phase : {vpb::PHASE_REVIEW, vpb::PHASE_VOTING}) {
    vpb::AdvanceRoundPhaseRequest advance;
    advance.set_round_id(round_id);
    advance.set_to_phase(phase);
    vpb::AdvanceRoundPhaseResponse advanced;
    if (!stub->AdvanceRoundPhase(Ctx(admin).get(), advance, &advanced).ok()) return 1;
  }
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
    std::atomic<bool> go{false}, stop{false};
    std::vector<std::vector<double>> latencies(clients);
    std::atomic<long> errors{0};
    std::vector<std::thread> threads;
    for (int c = 0; c < clients; ++c) {
      threads.emplace_back([&, c] {
        auto s = vpb::VotingService::NewStub(channels[c % channels.size()]);
        while (!go.load()) std::this_thread::yield();
        while (!stop.load()) {
          int64_t n = next_voter++;
          std::string token = n <= kPresigned ? tokens[n] : make_token(n);
          int d = static_cast<int>(n % 50) + 1;
          vpb::CastBallotRequest req;
          req.set_round_id(round_id);
          req.set_district_id(d);
          req.set_voter_token(token);
          req.add_choices()->set_proposal_id(proposals[d][n % 10]);
          req.add_choices()->set_proposal_id(proposals[d][(n + 3) % 10]);
          req.set_idempotency_key(absl::StrCat("bench-", n));
          vpb::CastBallotResponse resp;
          auto start = Clock::now();
          auto st = s->CastBallot(Ctx().get(), req, &resp);
          double ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
          if (st.ok()) {
            latencies[c].push_back(ms);
          } else {
            ++errors;
          }
        }
      });
    }
    auto start = Clock::now();
    go = true;
    std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
    stop = true;
    for (auto& t : threads) t.join();
    double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
    std::vector<double> all;
    for (auto& l : latencies) all.insert(all.end(), l.begin(), l.end());
    std::sort(all.begin(), all.end());
    double p50 = all.empty() ? 0 : all[all.size() / 2];
    double p99 = all.empty() ? 0 : all[std::min(all.size() - 1, all.size() * 99 / 100)];
    std::printf("clients %d ballots/s %.0f p50_ms %.2f p99_ms %.2f errors %ld acked %zu\n", clients,
                all.size() / elapsed, p50, p99, errors.load(), all.size());
    std::fflush(stdout);
  }
  std::printf("round %lld\n", static_cast<long long>(round_id));
  return 0;
}
