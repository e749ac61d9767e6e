// Test support for the gateway: fake gRPC backends that serve any method of
// their service from canned answers (recording what they were asked), a
// small HTTP client (well-formed requests and raw bytes), and a harness that
// runs the real gateway server on 127.0.0.1:0 in front of the fakes.
#ifndef BKK_GATEWAY_TESTS_GATEWAY_TEST_SUPPORT_H_
#define BKK_GATEWAY_TESTS_GATEWAY_TEST_SUPPORT_H_

#include <google/protobuf/message.h>
#include <grpcpp/generic/async_generic_service.h>
#include <grpcpp/grpcpp.h>

#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "gateway/core/gateway.h"
#include "gateway/server/grpc_backend.h"
#include "gateway/server/http_server.h"

namespace bkk::gateway::testing {

// A gRPC server for one or more services whose every method answers from
// canned responses (text format) or a canned status. Server-streaming
// methods write each canned response, then finish, or stay open until the
// test pushes more or ends them.
class FakeBackend final : public grpc::CallbackGenericService {
 public:
  explicit FakeBackend(std::vector<std::string> services);
  ~FakeBackend() override;

  int port() const { return port_; }
  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }

  // Method names are full: "bkkbudget.budget.v1.BudgetService.GetLine".
  void SetResponses(const std::string& method, const std::vector<std::string>& texts,
                    grpc::Status status = grpc::Status::OK);
  void SetStatus(const std::string& method, grpc::StatusCode code, const std::string& message);
  void SetDelay(const std::string& method, std::chrono::milliseconds delay);
  // Streams of `method` stay open after their canned messages.
  void SetHoldOpen(const std::string& method, bool hold);
  // Writes one more message to every open stream of `method`.
  void Push(const std::string& method, const std::string& text);
  // Ends every open stream of `method` with `status` (a backend restart).
  void EndStreams(const std::string& method, const grpc::Status& status);
  int OpenStreams(const std::string& method);
  void SetServing(const std::string& service, bool serving);

  int Calls(const std::string& method);
  int TotalCalls();
  // The last request of `method`, or nullptr.
  std::unique_ptr<google::protobuf::Message> LastRequest(const std::string& method);
  std::string LastMetadata(const std::string& method, const std::string& key);
  void Reset();
  void Shutdown();

  grpc::ServerGenericBidiReactor* CreateReactor(grpc::GenericCallbackServerContext* context) override;

 private:
  class Reactor;
  struct Behavior {
    std::vector<std::string> responses;  // serialized
    grpc::Status status = grpc::Status::OK;
    std::chrono::milliseconds delay{0};
    bool hold_open = false;
  };
  struct Record {
    int calls = 0;
    std::unique_ptr<google::protobuf::Message> last_request;
    std::map<std::string, std::string> last_metadata;
  };
  std::string Serialize(const std::string& method, const std::string& text);

  const std::set<std::string> services_;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
  std::mutex mu_;
  std::map<std::string, Behavior> behaviors_;
  std::map<std::string, Record> records_;
  std::set<Reactor*> open_streams_;
  int total_calls_ = 0;
  // Delayed answers run on threads joined at Shutdown (a stop cuts the delay short).
  std::vector<std::thread> delayed_;
  std::condition_variable stop_cv_;
  bool stopping_ = false;
};

struct HttpResult {
  int status = 0;                              // 0: no response (connection closed or timed out)
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
  std::string error;  // why there was no (complete) response
  std::string Header(const std::string& name) const;
};

// One well-formed request on a new connection.
HttpResult Http(int port, const std::string& method, const std::string& target, const std::string& body = "",
                const std::vector<std::pair<std::string, std::string>>& headers = {},
                std::chrono::milliseconds timeout = std::chrono::seconds(10));

// Writes raw bytes, then reads until the server closes or `timeout` passes.
std::string RawExchange(int port, const std::string& bytes, std::chrono::milliseconds timeout, bool half_close = false);
// Parses consecutive HTTP responses from raw bytes (`head`: answers to HEAD
// requests, which carry a length but no body).
std::vector<HttpResult> ParseResponses(const std::string& raw, bool head = false);

// Checks `body` is {"error":{"code":…,"http_status":status,"message":…}};
// returns "" or what is wrong.
std::string CheckErrorJson(const std::string& body, int status);

// The real gateway (core + Beast server + gRPC backend) in front of three
// fake backends, one per service.
class Harness final {
 public:
  explicit Harness(GatewayOptions options = TestOptions(), int io_threads = 2);
  ~Harness();

  static GatewayOptions TestOptions();

  int port() const { return server_->port(); }
  Gateway& gateway() { return *gateway_; }
  HttpServer& server() { return *server_; }
  FakeBackend& budget() { return *budget_; }
  FakeBackend& keywords() { return *keywords_; }
  FakeBackend& voting() { return *voting_; }
  FakeBackend& FakeFor(const std::string& method_full_name);
  GrpcBackend& backend() { return *backend_; }
  void StopServer(std::chrono::milliseconds drain);

  HttpResult Get(const std::string& target, const std::vector<std::pair<std::string, std::string>>& headers = {}) {
    return Http(port(), "GET", target, "", headers);
  }
  HttpResult Post(const std::string& target, const std::string& body,
                  const std::vector<std::pair<std::string, std::string>>& headers = {}) {
    return Http(port(), "POST", target, body, headers);
  }

 private:
  std::unique_ptr<FakeBackend> budget_, keywords_, voting_;
  std::unique_ptr<GrpcBackend> backend_;
  std::unique_ptr<Gateway> gateway_;
  std::unique_ptr<HttpServer> server_;
};

// Every method of the three services with a POST/PUT/PATCH/DELETE rule:
// the ones that change state.
std::set<std::string> WriteMethods(const RouteTable& routes);

}  // namespace bkk::gateway::testing

#endif  // BKK_GATEWAY_TESTS_GATEWAY_TEST_SUPPORT_H_
