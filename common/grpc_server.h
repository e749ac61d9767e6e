// gRPC server start-up shared by every service: listening port, health
// checking, reflection (v1alpha in gRPC 1.51), message limits, and a graceful
// stop on SIGTERM that stops accepting, drains in-flight calls, then exits.
#ifndef BKK_SERVICES_COMMON_GRPC_SERVER_H_
#define BKK_SERVICES_COMMON_GRPC_SERVER_H_

#include <grpcpp/grpcpp.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace bkk {

class ServiceMetrics;

struct GrpcServerOptions {
  // host:port; port 0 picks a free one (see GrpcServer::port()).
  std::string listen_address = "127.0.0.1:0";
  // How long SIGTERM waits for in-flight calls before cancelling them.
  std::chrono::milliseconds drain = std::chrono::seconds(10);
  int max_receive_bytes = 32 << 20;
  // False for a service that must load something before it can answer (the
  // keyword index): its health says NOT_SERVING until SetServing(true), so
  // readiness waits for it. The process-wide status ("") is SERVING either way.
  bool serving_at_start = true;
  // Records every RPC in these metrics (count and latency by method); may be null.
  ServiceMetrics* metrics = nullptr;
};

class GrpcServer final {
 public:
  // Builds and starts the server with every service registered and marked
  // SERVING in the health service (unless options.serving_at_start is false).
  static absl::StatusOr<std::unique_ptr<GrpcServer>> Start(const GrpcServerOptions& options,
                                                           const std::vector<grpc::Service*>& services,
                                                           const std::vector<std::string>& service_names);

  int port() const { return port_; }
  grpc::Server* server() { return server_.get(); }
  // Marks every service NOT_SERVING (readiness drops first), then shuts down
  // with the drain deadline. Safe to call twice.
  void Shutdown();
  // Marks the named services SERVING or NOT_SERVING; ignored once Shutdown
  // has begun (a late loader must not undo the drain). Thread-safe.
  void SetServing(bool serving);
  void Wait() { server_->Wait(); }

 private:
  std::unique_ptr<grpc::Server> server_;
  std::vector<std::string> service_names_;
  std::chrono::milliseconds drain_{0};
  int port_ = 0;
  std::atomic<bool> shut_down_{false};
};

// The trace id of the call's traceparent metadata (set by the gateway), or a
// new one when it has none or an invalid one. Handlers open a ScopedTraceId
// with it so their log lines carry it.
std::string TraceIdOf(const grpc::ServerContextBase& context);

// Blocks SIGTERM and SIGINT in the calling thread and the threads it starts
// afterwards. Call first thing in main so WaitForTerminationSignal sees them.
void BlockTerminationSignals();
// Waits for SIGTERM or SIGINT; returns the signal number.
int WaitForTerminationSignal();

}  // namespace bkk

#endif  // BKK_SERVICES_COMMON_GRPC_SERVER_H_
