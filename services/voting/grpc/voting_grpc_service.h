// The gRPC face of voting: protos to app calls and back, who may call each
// admin RPC (OperatorAuth, one role list per RPC, here where the RPCs are
// listed), the console's sessions, status mapping in one place. No voting
// logic here.
#ifndef BKK_SERVICES_VOTING_GRPC_VOTING_GRPC_SERVICE_H_
#define BKK_SERVICES_VOTING_GRPC_VOTING_GRPC_SERVICE_H_

#include <string>

#include "bkkbudget/voting/v1/voting.grpc.pb.h"
#include "common/operators/operator_auth.h"
#include "services/voting/core/tally_broadcaster.h"
#include "services/voting/core/voting_app.h"

namespace bkk::voting {

// CastBallot runs on gRPC's callback API: the handler validates, queues the
// ballot with the group writer and returns; the writer finishes the call once
// the ballot is durable, so no thread waits per ballot. WatchTallies too:
// each stream subscribes to its district's broadcast (grpc/tally_watch.h)
// and writes bytes encoded once per change, so no thread waits per watcher.
class VotingGrpcService final : public bkkbudget::voting::v1::VotingService::WithCallbackMethod_CastBallot<
                                    bkkbudget::voting::v1::VotingService::WithRawCallbackMethod_WatchTallies<
                                        bkkbudget::voting::v1::VotingService::Service>> {
 public:
  VotingGrpcService(VotingApp* app, TallyBroadcaster* tallies, operators::OperatorAuth* auth)
      : app_(app), tallies_(tallies), auth_(auth) {}

  using Ctx = grpc::ServerContext;
  grpc::Status SignIn(Ctx* context, const bkkbudget::voting::v1::SignInRequest* request,
                      bkkbudget::voting::v1::SignInResponse* response) override;
  grpc::Status SignOut(Ctx* context, const bkkbudget::voting::v1::SignOutRequest* request,
                       bkkbudget::voting::v1::SignOutResponse* response) override;
  grpc::Status GetSession(Ctx* context, const bkkbudget::voting::v1::GetSessionRequest* request,
                          bkkbudget::voting::v1::GetSessionResponse* response) override;
  grpc::Status CreateOperator(Ctx* context, const bkkbudget::voting::v1::CreateOperatorRequest* request,
                              bkkbudget::voting::v1::CreateOperatorResponse* response) override;
  grpc::Status ListAuditEvents(Ctx* context, const bkkbudget::voting::v1::ListAuditEventsRequest* request,
                               bkkbudget::voting::v1::ListAuditEventsResponse* response) override;
  grpc::Status CreateRound(Ctx* context, const bkkbudget::voting::v1::CreateRoundRequest* request,
                           bkkbudget::voting::v1::CreateRoundResponse* response) override;
  grpc::Status UpdateRoundRules(Ctx* context, const bkkbudget::voting::v1::UpdateRoundRulesRequest* request,
                                bkkbudget::voting::v1::UpdateRoundRulesResponse* response) override;
  grpc::Status AdvanceRoundPhase(Ctx* context, const bkkbudget::voting::v1::AdvanceRoundPhaseRequest* request,
                                 bkkbudget::voting::v1::AdvanceRoundPhaseResponse* response) override;
  grpc::Status GetRound(Ctx* context, const bkkbudget::voting::v1::GetRoundRequest* request,
                        bkkbudget::voting::v1::GetRoundResponse* response) override;
  grpc::Status ListRounds(Ctx* context, const bkkbudget::voting::v1::ListRoundsRequest* request,
                          bkkbudget::voting::v1::ListRoundsResponse* response) override;
  grpc::Status SubmitProposal(Ctx* context, const bkkbudget::voting::v1::SubmitProposalRequest* request,
                              bkkbudget::voting::v1::SubmitProposalResponse* response) override;
  grpc::Status ModerateProposal(Ctx* context, const bkkbudget::voting::v1::ModerateProposalRequest* request,
                                bkkbudget::voting::v1::ModerateProposalResponse* response) override;
  grpc::Status ListProposals(Ctx* context, const bkkbudget::voting::v1::ListProposalsRequest* request,
                             bkkbudget::voting::v1::ListProposalsResponse* response) override;
  grpc::Status GetProposal(Ctx* context, const bkkbudget::voting::v1::GetProposalRequest* request,
                           bkkbudget::voting::v1::GetProposalResponse* response) override;
  grpc::Status RegisterVoter(Ctx* context, const bkkbudget::voting::v1::RegisterVoterRequest* request,
                             bkkbudget::voting::v1::RegisterVoterResponse* response) override;
  grpc::ServerUnaryReactor* CastBallot(grpc::CallbackServerContext* context,
                                       const bkkbudget::voting::v1::CastBallotRequest* request,
                                       bkkbudget::voting::v1::CastBallotResponse* response) override;
  grpc::Status CheckReceipt(Ctx* context, const bkkbudget::voting::v1::CheckReceiptRequest* request,
                            bkkbudget::voting::v1::CheckReceiptResponse* response) override;
  grpc::Status GetTopProposals(Ctx* context, const bkkbudget::voting::v1::GetTopProposalsRequest* request,
                               bkkbudget::voting::v1::GetTopProposalsResponse* response) override;
  grpc::Status GetTurnout(Ctx* context, const bkkbudget::voting::v1::GetTurnoutRequest* request,
                          bkkbudget::voting::v1::GetTurnoutResponse* response) override;
  grpc::ServerWriteReactor<grpc::ByteBuffer>* WatchTallies(grpc::CallbackServerContext* context,
                                                           const grpc::ByteBuffer* request) override;
  grpc::Status ListTallyLog(Ctx* context, const bkkbudget::voting::v1::ListTallyLogRequest* request,
                            bkkbudget::voting::v1::ListTallyLogResponse* response) override;
  grpc::Status GetBulletin(Ctx* context, const bkkbudget::voting::v1::GetBulletinRequest* request,
                           bkkbudget::voting::v1::GetBulletinResponse* response) override;
  grpc::Status ComputeOutcome(Ctx* context, const bkkbudget::voting::v1::ComputeOutcomeRequest* request,
                              bkkbudget::voting::v1::ComputeOutcomeResponse* response) override;
  grpc::Status ExportPabulib(Ctx* context, const bkkbudget::voting::v1::ExportPabulibRequest* request,
                             bkkbudget::voting::v1::ExportPabulibResponse* response) override;
  grpc::Status ImportPabulib(Ctx* context, const bkkbudget::voting::v1::ImportPabulibRequest* request,
                             bkkbudget::voting::v1::ImportPabulibResponse* response) override;
  grpc::Status ListProjects(Ctx* context, const bkkbudget::voting::v1::ListProjectsRequest* request,
                            bkkbudget::voting::v1::ListProjectsResponse* response) override;
  grpc::Status GetProject(Ctx* context, const bkkbudget::voting::v1::GetProjectRequest* request,
                          bkkbudget::voting::v1::GetProjectResponse* response) override;
  grpc::Status UpdateProject(Ctx* context, const bkkbudget::voting::v1::UpdateProjectRequest* request,
                             bkkbudget::voting::v1::UpdateProjectResponse* response) override;

 private:
  absl::StatusOr<operators::Actor> Authorize(const grpc::ServerContextBase& context,
                                             std::initializer_list<operators::Role> any_of, operators::Access access,
                                             absl::string_view action) const;

  VotingApp* const app_;
  TallyBroadcaster* const tallies_;
  operators::OperatorAuth* const auth_;
};

}  // namespace bkk::voting

#endif  // BKK_SERVICES_VOTING_GRPC_VOTING_GRPC_SERVICE_H_
