// What the gateway core needs from the gRPC services, as an interface: the
// server implements it with gRPC's callback API (server/grpc_backend.h);
// completions arrive on gRPC's threads and nothing waits for them.
#ifndef BKK_GATEWAY_CORE_BACKEND_H_
#define BKK_GATEWAY_CORE_BACKEND_H_

#include <google/protobuf/descriptor.h>
#include <google/protobuf/message.h>
#include <grpcpp/support/status.h>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "bkkbudget/budget/v1/budget.pb.h"
#include "bkkbudget/voting/v1/voting.pb.h"

namespace bkk::gateway {

struct CallOptions {
  std::chrono::system_clock::time_point deadline;
  // Lower-case keys: "authorization", "x-client-address", …
  std::vector<std::pair<std::string, std::string>> metadata;
};

// A server-streaming call. Messages come one at a time: after on_message the
// next one is read only once RequestNext is called, so a slow HTTP client
// slows the backend stream instead of filling the gateway's memory.
class BackendStream {
 public:
  struct Handlers {
    std::function<void(std::unique_ptr<google::protobuf::Message>)> on_message;
    // Exactly once, after the last on_message.
    std::function<void(grpc::Status)> on_done;
  };
  virtual ~BackendStream() = default;
  // Starts the call; handlers may run before Start returns.
  virtual void Start() = 0;
  virtual void RequestNext() = 0;
  // Cancels the call; on_done still follows (CANCELLED). Safe at any time.
  virtual void Cancel() = 0;
};

class Backend {
 public:
  using UnaryDone = std::function<void(grpc::Status, std::unique_ptr<google::protobuf::Message>)>;
  using HealthDone = std::function<void(bool serving, std::string detail)>;

  virtual ~Backend() = default;

  // One unary call; `done` runs exactly once, on some gRPC thread.
  virtual void CallUnary(const google::protobuf::MethodDescriptor* method, const CallOptions& options,
                         std::unique_ptr<google::protobuf::Message> request, UnaryDone done) = 0;

  // A server-streaming call, not yet started (so the caller can keep the
  // handle before any handler runs).
  virtual std::shared_ptr<BackendStream> PrepareServerStream(const google::protobuf::MethodDescriptor* method,
                                                             const CallOptions& options,
                                                             std::unique_ptr<google::protobuf::Message> request,
                                                             BackendStream::Handlers handlers) = 0;

  // grpc.health.v1 Check of `service` on the backend that serves it.
  virtual void CheckHealth(const std::string& service, std::chrono::system_clock::time_point deadline,
                           HealthDone done) = 0;

  // The calls the gateway makes on its own account, typed (generated
  // stubs): share pages and the release poller. `done` runs exactly once.
  template <typename Response>
  using TypedDone = std::function<void(const grpc::Status&, const Response&)>;
  virtual void GetProposal(const bkkbudget::voting::v1::GetProposalRequest& request, const CallOptions& options,
                           TypedDone<bkkbudget::voting::v1::GetProposalResponse> done) = 0;
  virtual void ComputeOutcome(const bkkbudget::voting::v1::ComputeOutcomeRequest& request, const CallOptions& options,
                              TypedDone<bkkbudget::voting::v1::ComputeOutcomeResponse> done) = 0;
  virtual void GetRelease(const CallOptions& options, TypedDone<bkkbudget::budget::v1::GetReleaseResponse> done) = 0;
};

}  // namespace bkk::gateway

#endif  // BKK_GATEWAY_CORE_BACKEND_H_
