// Backend over gRPC's callback API. One generic stub per channel, typed on
// google::protobuf::Message so any method of the descriptor pool can be
// called without generated stubs (the gateway is descriptor-driven):
//  - unary:  TemplatedGenericStub::UnaryCall with a completion callback;
//  - server streaming: a ClientBidiReactor that writes the one request,
//    half-closes, and reads messages one at a time on demand;
//  - the gateway's own calls (GetProposal, GetRelease): generated stubs'
//    callback API, typed end to end;
//  - health: grpc.health.v1.Health/Check with hand-encoded bytes (Debian
//    ships no C++ health client, and this keeps the gateway free of a second
//    copy of the health proto).
// Each backend gets a few channels (separate HTTP/2 connections) used round
// robin, so one connection's stream limit does not queue every request.
#ifndef BKK_GATEWAY_SERVER_GRPC_BACKEND_H_
#define BKK_GATEWAY_SERVER_GRPC_BACKEND_H_

#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>
#include <grpcpp/impl/codegen/proto_utils.h>

#include <atomic>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "bkkbudget/budget/v1/budget.grpc.pb.h"
#include "bkkbudget/voting/v1/voting.grpc.pb.h"
#include "gateway/core/backend.h"

namespace bkk::gateway {

class GrpcBackend final : public Backend {
 public:
  // `targets`: full service name -> gRPC target ("127.0.0.1:50051",
  // "dns:///voting:50051"). Services sharing a target share channels.
  explicit GrpcBackend(const std::map<std::string, std::string>& targets, int channels_per_target = 2);
  ~GrpcBackend() override;

  void CallUnary(const google::protobuf::MethodDescriptor* method, const CallOptions& options,
                 std::unique_ptr<google::protobuf::Message> request, UnaryDone done) override;
  std::shared_ptr<BackendStream> PrepareServerStream(const google::protobuf::MethodDescriptor* method,
                                                     const CallOptions& options,
                                                     std::unique_ptr<google::protobuf::Message> request,
                                                     BackendStream::Handlers handlers) override;
  void CheckHealth(const std::string& service, std::chrono::system_clock::time_point deadline,
                   HealthDone done) override;
  void GetProposal(const bkkbudget::voting::v1::GetProposalRequest& request, const CallOptions& options,
                   TypedDone<bkkbudget::voting::v1::GetProposalResponse> done) override;
  void ComputeOutcome(const bkkbudget::voting::v1::ComputeOutcomeRequest& request, const CallOptions& options,
                      TypedDone<bkkbudget::voting::v1::ComputeOutcomeResponse> done) override;
  void GetRelease(const CallOptions& options, TypedDone<bkkbudget::budget::v1::GetReleaseResponse> done) override;

  using MessageStub = grpc::TemplatedGenericStub<google::protobuf::Message, google::protobuf::Message>;

 private:
  struct Target {
    std::vector<std::shared_ptr<grpc::Channel>> channels;
    std::vector<std::unique_ptr<MessageStub>> stubs;
    std::vector<std::unique_ptr<grpc::GenericStub>> byte_stubs;
    std::atomic<unsigned> next{0};
    unsigned Pick() { return next.fetch_add(1, std::memory_order_relaxed) % stubs.size(); }
  };
  Target* TargetFor(const std::string& service);

  std::map<std::string, std::shared_ptr<Target>> by_service_;
  // Null when no address was configured for the service.
  std::unique_ptr<bkkbudget::voting::v1::VotingService::Stub> voting_;
  std::unique_ptr<bkkbudget::budget::v1::BudgetService::Stub> budget_;
};

}  // namespace bkk::gateway

#endif  // BKK_GATEWAY_SERVER_GRPC_BACKEND_H_
