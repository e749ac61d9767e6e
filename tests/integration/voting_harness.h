// Shared pieces of the voting integration tests: the real voting binary as a
// child process (restartable on the same port), typed stubs, citizen IDs.
#ifndef BKK_TESTS_INTEGRATION_VOTING_HARNESS_H_
#define BKK_TESTS_INTEGRATION_VOTING_HARNESS_H_

#include <grpcpp/grpcpp.h>

#include <condition_variable>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "bkkbudget/voting/v1/voting.grpc.pb.h"
#include "services/voting/core/citizen_id.h"
#include "tests/support/test_support.h"

namespace bkk::testing {

namespace vpb = bkkbudget::voting::v1;

inline constexpr char kAdminToken[] = "it-admin-token";

// A valid Thai citizen ID for a number (the 13th digit is the mod-11 check).
inline std::string CitizenId(int64_t n) {
  std::string first12 = absl::StrCat(1000000000000LL / 10 + n);  // 12 digits
  first12 = first12.substr(0, 12);
  return first12 + std::to_string(bkk::voting::CitizenIdCheckDigit(first12));
}

class VotingServer final {
 public:
  VotingServer(std::string pg_url, std::string redis_url, std::map<std::string, std::string> extra = {})
      : pg_url_(std::move(pg_url)), redis_url_(std::move(redis_url)), extra_(std::move(extra)), port_(FreePort()) {
    Start();
  }
  void Start() {
    std::map<std::string, std::string> env = {{"BKK_PG_URL", pg_url_},
                                              {"BKK_REDIS_URL", redis_url_},
                                              {"BKK_ADMIN_TOKEN", kAdminToken},
                                              {"BKK_VOTER_KEY", "integration-test-voter-key-0123456789abcdef"},
                                              {"BKK_LISTEN", address()},
                                              {"BKK_REDIS_PREFIX", "bkk:tally:" + std::to_string(port_)},
                                              {"BKK_RATE_VOTER_PER_MIN", "1000000"},
                                              {"BKK_RATE_ADDRESS_PER_MIN", "100000000"}};
    for (const auto& [k, v] : extra_) env[k] = v;
    process_ =
        std::make_unique<ChildProcess>(BinaryPath("services/voting/voting"), std::vector<std::string>{"serve"}, env);
    ready_ = WaitServing(address(), std::chrono::seconds(60));
  }
  void Kill9() {
    process_->Signal(SIGKILL);
    process_->Wait(std::chrono::seconds(10));
  }
  ChildProcess& process() { return *process_; }
  bool ready() const { return ready_; }
  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }
  std::unique_ptr<vpb::VotingService::Stub> Stub() const {
    return vpb::VotingService::NewStub(grpc::CreateChannel(address(), grpc::InsecureChannelCredentials()));
  }

 private:
  std::string pg_url_, redis_url_;
  std::map<std::string, std::string> extra_;
  int port_;
  std::unique_ptr<ChildProcess> process_;
  bool ready_ = false;
};

inline std::unique_ptr<grpc::ClientContext> Ctx(bool admin = false, int seconds = 30) {
  auto ctx = std::make_unique<grpc::ClientContext>();
  ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(seconds));
  if (admin) ctx->AddMetadata("authorization", std::string("Bearer ") + kAdminToken);
  return ctx;
}

// Creates an approval round over `districts`, adds `proposals_per_district`
// approved proposals to each, and opens voting. Returns the round and the
// proposal ids by district.
struct OpenRound {
  int64_t round_id = 0;
  std::map<int32_t, std::vector<int64_t>> proposals;
};

inline OpenRound CreateOpenRound(vpb::VotingService::Stub& stub, const std::vector<int32_t>& districts,
                                 int proposals_per_district, int max_choices = 3,
                                 vpb::IdentityMode mode = vpb::IDENTITY_MODE_CITIZEN_ID,
                                 vpb::DistrictsPerVoter per_voter = vpb::DISTRICTS_PER_VOTER_UNSPECIFIED) {
  OpenRound out;
  vpb::CreateRoundRequest create;
  auto* round = create.mutable_round();
  round->set_name("รอบทดสอบ");
  round->set_fiscal_year(2567);
  for (int32_t d : districts) {
    auto* rd = round->add_districts();
    rd->set_district_id(d);
    rd->set_budget_baht(10'000'000);
  }
  round->mutable_ballot_rule()->set_kind(vpb::BALLOT_KIND_APPROVAL);
  round->mutable_ballot_rule()->set_max_choices(max_choices);
  round->set_outcome_rule(vpb::OUTCOME_RULE_GREEDY);
  round->set_identity_mode(mode);
  round->set_districts_per_voter(per_voter);
  vpb::CreateRoundResponse created;
  auto s = stub.CreateRound(Ctx(true).get(), create, &created);
  EXPECT_TRUE(s.ok()) << s.error_message();
  out.round_id = created.round().round_id();
  for (int32_t d : districts) {
    for (int i = 0; i < proposals_per_district; ++i) {
      vpb::SubmitProposalRequest submit;
      submit.set_round_id(out.round_id);
      submit.set_district_id(d);
      submit.set_title(absl::StrCat("โครงการที่ ", i + 1, " เขต ", d));
      submit.set_description("ทดสอบ");
      submit.set_estimated_cost_baht(1'000'000 + i);
      vpb::SubmitProposalResponse submitted;
      EXPECT_TRUE(stub.SubmitProposal(Ctx().get(), submit, &submitted).ok());
      vpb::ModerateProposalRequest moderate;
      moderate.set_proposal_id(submitted.proposal().proposal_id());
      moderate.set_approve(true);
      vpb::ModerateProposalResponse moderated;
      EXPECT_TRUE(stub.ModerateProposal(Ctx(true).get(), moderate, &moderated).ok());
      out.proposals[d].push_back(submitted.proposal().proposal_id());
    }
  }
  for (auto phase : {vpb::PHASE_REVIEW, vpb::PHASE_VOTING}) {
    vpb::AdvanceRoundPhaseRequest advance;
    advance.set_round_id(out.round_id);
    advance.set_to_phase(phase);
    vpb::AdvanceRoundPhaseResponse advanced;
    auto st = stub.AdvanceRoundPhase(Ctx(true).get(), advance, &advanced);
    EXPECT_TRUE(st.ok()) << st.error_message();
  }
  return out;
}

inline std::string RegisterCitizen(vpb::VotingService::Stub& stub, int64_t round_id, int64_t n) {
  vpb::RegisterVoterRequest req;
  req.set_round_id(round_id);
  req.set_citizen_id(CitizenId(n));
  vpb::RegisterVoterResponse resp;
  auto s = stub.RegisterVoter(Ctx().get(), req, &resp);
  EXPECT_TRUE(s.ok()) << s.error_message();
  return resp.voter_token();
}

// One WatchTallies stream on gRPC's callback client API (no thread per
// stream), keeping every message it receives.
class TallyWatch final : public grpc::ClientReadReactor<vpb::WatchTalliesResponse> {
 public:
  TallyWatch(vpb::VotingService::Stub& stub, int64_t round_id, int32_t district_id, int32_t limit = 10) {
    request_.set_round_id(round_id);
    request_.set_district_id(district_id);
    request_.set_limit(limit);
    context_.set_deadline(std::chrono::system_clock::now() + std::chrono::minutes(5));
    stub.async()->WatchTallies(&context_, &request_, this);
    StartRead(&incoming_);
    StartCall();
  }
  ~TallyWatch() override {
    context_.TryCancel();
    WaitDone(std::chrono::seconds(10));
  }
  void OnReadDone(bool ok) override {
    if (!ok) return;
    {
      std::lock_guard<std::mutex> lock(mu_);
      messages_.push_back(incoming_);
    }
    cv_.notify_all();
    StartRead(&incoming_);
  }
  void OnDone(const grpc::Status& status) override {
    std::lock_guard<std::mutex> lock(mu_);
    status_ = status;
    done_ = true;
    cv_.notify_all();
  }
  // Waits until the newest message satisfies `match`.
  template <typename F>
  bool WaitFor(F match, std::chrono::milliseconds timeout) {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, timeout, [&] { return !messages_.empty() && match(messages_.back()); });
  }
  bool WaitDone(std::chrono::milliseconds timeout) {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, timeout, [&] { return done_; });
  }
  std::vector<vpb::WatchTalliesResponse> messages() {
    std::lock_guard<std::mutex> lock(mu_);
    return messages_;
  }
  grpc::Status status() {
    std::lock_guard<std::mutex> lock(mu_);
    return status_;
  }
  bool done() {
    std::lock_guard<std::mutex> lock(mu_);
    return done_;
  }

 private:
  grpc::ClientContext context_;
  vpb::WatchTalliesRequest request_;
  vpb::WatchTalliesResponse incoming_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<vpb::WatchTalliesResponse> messages_;
  grpc::Status status_;
  bool done_ = false;
};

// A district's counts read straight from PostgreSQL, the truth every live
// tally must end up equal to.
struct StoredCounts {
  int64_t voters = 0;
  std::map<int64_t, int64_t> support;  // proposal id -> points
};
inline StoredCounts CountInPostgres(const std::string& pg_url, int64_t round_id, int32_t district_id) {
  StoredCounts out;
  pqxx::connection c(pg_url);
  pqxx::read_transaction tx(c);
  out.voters = tx.exec_params1("SELECT count(*) FROM voting.ballots WHERE round_id = $1 AND district_id = $2", round_id,
                               district_id)[0]
                   .as<int64_t>();
  for (const auto& r : tx.exec_params("SELECT c.proposal_id, sum(c.points)::bigint FROM voting.ballots b, "
                                      "unnest(b.proposal_ids, b.points) AS c(proposal_id, points) "
                                      "WHERE b.round_id = $1 AND b.district_id = $2 GROUP BY 1",
                                      round_id, district_id)) {
    out.support[r[0].as<int64_t>()] = r[1].as<int64_t>();
  }
  return out;
}

// Threads of a process, from /proc.
inline int ThreadCount(pid_t pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("Threads:", 0) == 0) return std::stoi(line.substr(8));
  }
  return -1;
}

}  // namespace bkk::testing

#endif  // BKK_TESTS_INTEGRATION_VOTING_HARNESS_H_
