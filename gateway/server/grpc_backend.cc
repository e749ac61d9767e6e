// gRPC callback-API backend; see grpc_backend.h.
#include "gateway/server/grpc_backend.h"

#include <mutex>

#include "absl/strings/str_cat.h"
#include "gateway/core/status_map.h"

namespace bkk::gateway {

using google::protobuf::Descriptor;
using google::protobuf::Message;
using google::protobuf::MethodDescriptor;

namespace {

std::unique_ptr<Message> NewMessage(const Descriptor* type) {
  return std::unique_ptr<Message>(google::protobuf::MessageFactory::generated_factory()->GetPrototype(type)->New());
}

std::string PathOf(const MethodDescriptor* method) {
  return absl::StrCat("/", method->service()->full_name(), "/", method->name());
}

void Apply(const CallOptions& options, grpc::ClientContext* context) {
  context->set_deadline(options.deadline);
  for (const auto& [key, value] : options.metadata) context->AddMetadata(key, value);
}

// A server-streaming call made as a generic bidi call: write the request,
// half-close, then read. A hold keeps OnDone from running until the last
// read has been asked for and answered, so no message the server sent
// before its status is lost while the gateway waits for a slow client.
class StreamCall final : public grpc::ClientBidiReactor<Message, Message>,
                         public BackendStream,
                         public std::enable_shared_from_this<StreamCall> {
 public:
  StreamCall(GrpcBackend::MessageStub* stub, std::string path, const CallOptions& options,
             std::unique_ptr<Message> request, const Descriptor* response_type, Handlers handlers)
      : stub_(stub),
        path_(std::move(path)),
        request_(std::move(request)),
        response_type_(response_type),
        handlers_(std::move(handlers)) {
    Apply(options, &context_);
  }

  void Start() override {
    self_ = shared_from_this();  // released in OnDone
    {
      std::lock_guard<std::mutex> lock(mu_);
      reading_ = true;
      response_ = NewMessage(response_type_);
    }
    stub_->PrepareBidiStreamingCall(&context_, path_, grpc::StubOptions(), this);
    AddHold();
    StartWriteLast(request_.get(), grpc::WriteOptions());
    StartRead(response_.get());
    StartCall();
  }

  void RequestNext() override {
    std::lock_guard<std::mutex> lock(mu_);
    if (cancelled_ || hold_released_ || reading_) return;
    reading_ = true;
    response_ = NewMessage(response_type_);
    StartRead(response_.get());
  }

  void Cancel() override {
    context_.TryCancel();  // safe before the call starts, too
    bool release = false;
    {
      std::lock_guard<std::mutex> lock(mu_);
      cancelled_ = true;
      // With a read pending, its failure releases the hold instead.
      if (!reading_ && !hold_released_) release = hold_released_ = true;
    }
    if (release) RemoveHold();
  }

  void OnReadDone(bool ok) override {
    std::unique_ptr<Message> message;
    bool release = false;
    {
      std::lock_guard<std::mutex> lock(mu_);
      reading_ = false;
      if (!ok || cancelled_) {
        if (!hold_released_) release = hold_released_ = true;
      } else {
        message = std::move(response_);
      }
    }
    if (release) return RemoveHold();
    handlers_.on_message(std::move(message));
  }

  void OnDone(const grpc::Status& status) override {
    handlers_.on_done(status);
    auto self = std::move(self_);  // may destroy this on return
  }

 private:
  GrpcBackend::MessageStub* const stub_;
  const std::string path_;
  grpc::ClientContext context_;
  std::unique_ptr<Message> request_;
  const Descriptor* const response_type_;
  Handlers handlers_;
  std::mutex mu_;
  std::unique_ptr<Message> response_;
  bool reading_ = false;
  bool cancelled_ = false;
  bool hold_released_ = false;
  std::shared_ptr<StreamCall> self_;
};

// One typed unary call on a generated stub's callback API; `start` issues it.
template <typename Request, typename Response, typename Start>
void CallTyped(const CallOptions& options, const Request& request, Backend::TypedDone<Response> done, Start start) {
  struct Call {
    grpc::ClientContext context;
    Request request;
    Response response;
    Backend::TypedDone<Response> done;
  };
  auto call = std::make_shared<Call>();
  Apply(options, &call->context);
  call->request = request;
  call->done = std::move(done);
  start(&call->context, &call->request, &call->response,
        [call](const grpc::Status& status) { call->done(status, call->response); });
}

grpc::Status NoAddressFor(const std::string& service) {
  return grpc::Status(grpc::StatusCode::UNIMPLEMENTED, absl::StrCat("no backend address for ", service));
}

// A stream for a service no address was configured for.
class FailedStream final : public BackendStream {
 public:
  FailedStream(Handlers handlers, grpc::Status status) : handlers_(std::move(handlers)), status_(std::move(status)) {}
  void Start() override { handlers_.on_done(status_); }
  void RequestNext() override {}
  void Cancel() override {}

 private:
  Handlers handlers_;
  grpc::Status status_;
};

void AppendVarint(std::string* out, uint64_t v) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>((v & 0x7F) | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}

bool ReadVarint(const std::string& data, size_t* pos, uint64_t* v) {
  *v = 0;
  for (int shift = 0; shift < 64 && *pos < data.size(); shift += 7) {
    uint8_t b = static_cast<uint8_t>(data[(*pos)++]);
    *v |= static_cast<uint64_t>(b & 0x7F) << shift;
    if ((b & 0x80) == 0) return true;
  }
  return false;
}

// grpc.health.v1.HealthCheckResponse.status (field 1), or -1 if malformed.
int ParseHealthStatus(const std::string& data) {
  size_t pos = 0;
  int status = 0;
  while (pos < data.size()) {
    uint64_t tag, v;
    if (!ReadVarint(data, &pos, &tag)) return -1;
    switch (tag & 7) {
      case 0:
        if (!ReadVarint(data, &pos, &v)) return -1;
        if ((tag >> 3) == 1) status = static_cast<int>(v);
        break;
      case 1:
        pos += 8;
        break;
      case 2:
        if (!ReadVarint(data, &pos, &v) || v > data.size() - pos) return -1;
        pos += v;
        break;
      case 5:
        pos += 4;
        break;
      default:
        return -1;
    }
  }
  return pos == data.size() ? status : -1;
}

std::string HealthName(int status) {
  switch (status) {
    case 1:
      return "SERVING";
    case 2:
      return "NOT_SERVING";
    case 3:
      return "SERVICE_UNKNOWN";
    case 0:
      return "UNKNOWN";
    default:
      return "malformed health answer";
  }
}

}  // namespace

GrpcBackend::GrpcBackend(const std::map<std::string, std::string>& targets, int channels_per_target) {
  std::map<std::string, std::shared_ptr<Target>> by_address;
  for (const auto& [service, address] : targets) {
    auto& target = by_address[address];
    if (!target) {
      target = std::make_shared<Target>();
      for (int i = 0; i < std::max(1, channels_per_target); ++i) {
        grpc::ChannelArguments args;
        args.SetMaxReceiveMessageSize(64 << 20);
        args.SetMaxSendMessageSize(64 << 20);
        // Each channel its own subchannels, hence its own TCP connection.
        args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
        args.SetLoadBalancingPolicyName("round_robin");
        args.SetInt(GRPC_ARG_KEEPALIVE_TIME_MS, 30'000);
        args.SetInt(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, 10'000);
        // A restarted backend is found again within a second or two.
        args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 250);
        args.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, 250);
        args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 2'000);
        auto channel = grpc::CreateCustomChannel(address, grpc::InsecureChannelCredentials(), args);
        target->channels.push_back(channel);
        target->stubs.push_back(std::make_unique<MessageStub>(channel));
        target->byte_stubs.push_back(std::make_unique<grpc::GenericStub>(channel));
      }
    }
    by_service_[service] = target;
  }
  using bkkbudget::budget::v1::BudgetService;
  using bkkbudget::voting::v1::VotingService;
  if (Target* t = TargetFor(VotingService::service_full_name())) voting_ = VotingService::NewStub(t->channels[0]);
  if (Target* t = TargetFor(BudgetService::service_full_name())) budget_ = BudgetService::NewStub(t->channels[0]);
}

GrpcBackend::~GrpcBackend() = default;

GrpcBackend::Target* GrpcBackend::TargetFor(const std::string& service) {
  auto it = by_service_.find(service);
  return it == by_service_.end() ? nullptr : it->second.get();
}

void GrpcBackend::CallUnary(const MethodDescriptor* method, const CallOptions& options,
                            std::unique_ptr<Message> request, UnaryDone done) {
  Target* target = TargetFor(method->service()->full_name());
  if (target == nullptr) return done(NoAddressFor(method->service()->full_name()), nullptr);
  struct Call {
    grpc::ClientContext context;
    std::unique_ptr<Message> request;
    std::unique_ptr<Message> response;
    UnaryDone done;
  };
  auto* call = new Call;
  Apply(options, &call->context);
  call->request = std::move(request);
  call->response = NewMessage(method->output_type());
  call->done = std::move(done);
  target->stubs[target->Pick()]->UnaryCall(&call->context, PathOf(method), grpc::StubOptions(), call->request.get(),
                                           call->response.get(), [call](grpc::Status status) {
                                             std::unique_ptr<Call> owned(call);
                                             owned->done(std::move(status), std::move(owned->response));
                                           });
}

std::shared_ptr<BackendStream> GrpcBackend::PrepareServerStream(const MethodDescriptor* method,
                                                                const CallOptions& options,
                                                                std::unique_ptr<Message> request,
                                                                BackendStream::Handlers handlers) {
  Target* target = TargetFor(method->service()->full_name());
  if (target == nullptr) {
    return std::make_shared<FailedStream>(std::move(handlers), NoAddressFor(method->service()->full_name()));
  }
  return std::make_shared<StreamCall>(target->stubs[target->Pick()].get(), PathOf(method), options, std::move(request),
                                      method->output_type(), std::move(handlers));
}

void GrpcBackend::GetProposal(const bkkbudget::voting::v1::GetProposalRequest& request, const CallOptions& options,
                              TypedDone<bkkbudget::voting::v1::GetProposalResponse> done) {
  if (!voting_) return done(NoAddressFor(bkkbudget::voting::v1::VotingService::service_full_name()), {});
  CallTyped(options, request, std::move(done), [this](auto* context, auto* req, auto* resp, auto on_done) {
    voting_->async()->GetProposal(context, req, resp, std::move(on_done));
  });
}

void GrpcBackend::ComputeOutcome(const bkkbudget::voting::v1::ComputeOutcomeRequest& request,
                                 const CallOptions& options,
                                 TypedDone<bkkbudget::voting::v1::ComputeOutcomeResponse> done) {
  if (!voting_) return done(NoAddressFor(bkkbudget::voting::v1::VotingService::service_full_name()), {});
  CallTyped(options, request, std::move(done), [this](auto* context, auto* req, auto* resp, auto on_done) {
    voting_->async()->ComputeOutcome(context, req, resp, std::move(on_done));
  });
}

void GrpcBackend::GetRelease(const CallOptions& options, TypedDone<bkkbudget::budget::v1::GetReleaseResponse> done) {
  if (!budget_) return done(NoAddressFor(bkkbudget::budget::v1::BudgetService::service_full_name()), {});
  CallTyped(options, bkkbudget::budget::v1::GetReleaseRequest(), std::move(done),
            [this](auto* context, auto* req, auto* resp, auto on_done) {
              budget_->async()->GetRelease(context, req, resp, std::move(on_done));
            });
}

// Asks on every channel of the target, not just one: requests go round robin
// over all of them, and a channel still in reconnect backoff from before the
// backend came up would fail the first request after "ready" (seen as a 503
// on the first vote call after /readyz answered 200).
void GrpcBackend::CheckHealth(const std::string& service, std::chrono::system_clock::time_point deadline,
                              HealthDone done) {
  Target* target = TargetFor(service);
  if (target == nullptr) return done(false, "no backend address configured");
  struct Round {
    std::atomic<size_t> pending;
    std::mutex mu;
    std::string problem;  // the first channel's problem, if any
    HealthDone done;
  };
  auto round = std::make_shared<Round>();
  round->pending = target->byte_stubs.size();
  round->done = std::move(done);
  std::string bytes;
  if (!service.empty()) {
    bytes.push_back(0x0A);  // field 1 (service), length-delimited
    AppendVarint(&bytes, service.size());
    bytes += service;
  }
  struct Call {
    grpc::ClientContext context;
    grpc::ByteBuffer request;
    grpc::ByteBuffer response;
  };
  for (size_t i = 0; i < target->byte_stubs.size(); ++i) {
    auto* call = new Call;
    call->context.set_deadline(deadline);
    grpc::Slice slice(bytes);
    call->request = grpc::ByteBuffer(&slice, 1);
    auto finish = [round, i](const std::string& problem) {
      std::lock_guard<std::mutex> lock(round->mu);
      if (!problem.empty() && round->problem.empty()) {
        round->problem = absl::StrCat(problem, " (connection ", i + 1, ")");
      }
    };
    target->byte_stubs[i]->UnaryCall(
        &call->context, "/grpc.health.v1.Health/Check", grpc::StubOptions(), &call->request, &call->response,
        [call, round, finish](const grpc::Status& status) {
          std::unique_ptr<Call> owned(call);
          if (!status.ok()) {
            finish(absl::StrCat(GrpcCodeName(status.error_code()).data(), " ", status.error_message()));
          } else {
            std::vector<grpc::Slice> slices;
            (void)owned->response.Dump(&slices);
            std::string data;
            for (const auto& s : slices) data.append(reinterpret_cast<const char*>(s.begin()), s.size());
            const int serving = ParseHealthStatus(data);
            finish(serving == 1 ? std::string() : HealthName(serving));
          }
          if (round->pending.fetch_sub(1) != 1) return;
          std::lock_guard<std::mutex> lock(round->mu);
          round->done(round->problem.empty(), round->problem.empty() ? "SERVING" : round->problem);
        });
  }
}

}  // namespace bkk::gateway
