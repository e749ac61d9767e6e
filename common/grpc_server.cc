// gRPC server start-up and graceful stop; see grpc_server.h.
#include "common/grpc_server.h"

#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/health_check_service_interface.h>

#include <csignal>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "common/log.h"
#include "common/metrics.h"
#include "common/trace.h"

namespace bkk {

absl::StatusOr<std::unique_ptr<GrpcServer>> GrpcServer::Start(const GrpcServerOptions& options,
                                                              const std::vector<grpc::Service*>& services,
                                                              const std::vector<std::string>& service_names) {
  // gRPC's locks are Abseil mutexes; their deadlock-cycle bookkeeping costs
  // time on every lock and is for debugging, not serving.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  auto result = std::unique_ptr<GrpcServer>(new GrpcServer());
  grpc::ServerBuilder builder;
  builder.AddListeningPort(options.listen_address, grpc::InsecureServerCredentials(), &result->port_);
  builder.SetMaxReceiveMessageSize(options.max_receive_bytes);
  for (grpc::Service* s : services) builder.RegisterService(s);
  if (options.metrics != nullptr) {
    std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>> interceptors;
    interceptors.push_back(options.metrics->NewInterceptorFactory());
    builder.experimental().SetInterceptorCreators(std::move(interceptors));
  }
  result->server_ = builder.BuildAndStart();
  if (!result->server_ || result->port_ == 0) {
    return absl::UnavailableError(absl::StrCat("cannot listen on ", options.listen_address, " (in use or not local?)"));
  }
  result->service_names_ = service_names;
  result->drain_ = options.drain;
  auto* health = result->server_->GetHealthCheckService();
  health->SetServingStatus("", true);
  for (const auto& name : service_names) health->SetServingStatus(name, options.serving_at_start);
  LogInfo("grpc_listening", {{"address", options.listen_address}, {"port", std::to_string(result->port_)}});
  return result;
}

void GrpcServer::SetServing(bool serving) {
  if (shut_down_.load()) return;
  auto* health = server_->GetHealthCheckService();
  for (const auto& name : service_names_) health->SetServingStatus(name, serving);
}

void GrpcServer::Shutdown() {
  if (shut_down_.exchange(true)) return;
  auto* health = server_->GetHealthCheckService();
  health->SetServingStatus("", false);
  for (const auto& name : service_names_) health->SetServingStatus(name, false);
  server_->Shutdown(std::chrono::system_clock::now() + drain_);
  LogInfo("grpc_stopped");
}

std::string TraceIdOf(const grpc::ServerContextBase& context) {
  const auto& metadata = context.client_metadata();
  auto it = metadata.find(kTraceParentKey);
  if (it != metadata.end()) {
    if (auto trace = ParseTraceParent(absl::string_view(it->second.data(), it->second.size()))) {
      return trace->trace_id;
    }
  }
  return NewTrace().trace_id;
}

void BlockTerminationSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

int WaitForTerminationSignal() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  int sig = 0;
  sigwait(&set, &sig);
  LogInfo("signal_received", {{"signal", sig == SIGTERM ? "SIGTERM" : "SIGINT"}});
  return sig;
}

}  // namespace bkk
