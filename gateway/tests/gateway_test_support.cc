// Fake backends, HTTP client and harness for the gateway tests; see
// gateway_test_support.h.
#include "gateway/tests/gateway_test_support.h"

#include <google/protobuf/struct.pb.h>
#include <google/protobuf/text_format.h>
#include <google/protobuf/util/json_util.h>
#include <grpcpp/health_check_service_interface.h>
#include <gtest/gtest.h>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <deque>
#include <thread>

#include "bkkbudget/budget/v1/budget.pb.h"
#include "bkkbudget/keywords/v1/keywords.pb.h"
#include "bkkbudget/voting/v1/voting.pb.h"
#include "gateway/core/text.h"

namespace bkk::gateway::testing {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;
using google::protobuf::Message;

namespace {

const google::protobuf::MethodDescriptor* FindMethod(const std::string& full_name) {
  return google::protobuf::DescriptorPool::generated_pool()->FindMethodByName(full_name);
}

std::unique_ptr<Message> New(const google::protobuf::Descriptor* type) {
  return std::unique_ptr<Message>(google::protobuf::MessageFactory::generated_factory()->GetPrototype(type)->New());
}

grpc::ByteBuffer ToBuffer(const std::string& bytes) {
  grpc::Slice slice(bytes);
  return grpc::ByteBuffer(&slice, 1);
}

std::string FromBuffer(const grpc::ByteBuffer& buffer) {
  std::vector<grpc::Slice> slices;
  (void)buffer.Dump(&slices);
  std::string out;
  for (const auto& s : slices) out.append(reinterpret_cast<const char*>(s.begin()), s.size());
  return out;
}

// Keeps the generated descriptors linked in even if nothing else names them.
[[maybe_unused]] const bool kLinked = [] {
  bkkbudget::budget::v1::GetLineRequest a;
  bkkbudget::keywords::v1::SegmentTextRequest b;
  bkkbudget::voting::v1::GetRoundRequest c;
  return true;
}();

}  // namespace

// One call to the fake: reads the request, answers from the behavior.
class FakeBackend::Reactor final : public grpc::ServerGenericBidiReactor {
 public:
  Reactor(FakeBackend* fake, grpc::GenericCallbackServerContext* context) : fake_(fake), context_(context) {
    StartRead(&request_);
  }

  void OnReadDone(bool ok) override {
    if (got_request_) return;  // a half-close after the request
    if (!ok) return Finish(grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "no request"));
    got_request_ = true;
    const std::string& path = context_->method();  // "/pkg.Service/Method"
    std::string name = path.size() > 1 ? path.substr(1) : path;
    size_t slash = name.rfind('/');
    if (slash != std::string::npos) name[slash] = '.';
    method_name_ = name;
    method_ = FindMethod(name);
    if (method_ == nullptr || !fake_->services_.count(method_->service()->full_name())) {
      return Finish(grpc::Status(grpc::StatusCode::UNIMPLEMENTED, "fake does not serve " + name));
    }
    auto request = New(method_->input_type());
    if (!request->ParseFromString(FromBuffer(request_))) {
      return Finish(grpc::Status(grpc::StatusCode::INTERNAL, "fake could not parse the request"));
    }
    Behavior behavior;
    {
      std::lock_guard<std::mutex> lock(fake_->mu_);
      Record& r = fake_->records_[name];
      ++r.calls;
      ++fake_->total_calls_;
      r.last_request = std::move(request);
      r.last_metadata.clear();
      for (const auto& [key, value] : context_->client_metadata()) {
        r.last_metadata[std::string(key.data(), key.size())] = std::string(value.data(), value.size());
      }
      auto it = fake_->behaviors_.find(name);
      if (it != fake_->behaviors_.end()) {
        behavior = it->second;
      } else {
        behavior.responses.push_back("");  // the empty response message
      }
      if (behavior.hold_open && method_->server_streaming()) fake_->open_streams_.insert(this);
    }
    if (behavior.delay.count() > 0) {
      {
        std::lock_guard<std::mutex> lock(mu_);
        delayed_ = true;  // the delay thread finishes the call, even if cancelled
      }
      std::lock_guard<std::mutex> lock(fake_->mu_);
      fake_->delayed_.emplace_back([this, behavior] {
        {
          std::unique_lock<std::mutex> wait_lock(fake_->mu_);
          fake_->stop_cv_.wait_for(wait_lock, behavior.delay, [this] { return fake_->stopping_; });
        }
        Respond(behavior);
      });
    } else {
      Respond(behavior);
    }
  }

  void Push(const std::string& bytes) {
    std::lock_guard<std::mutex> lock(mu_);
    if (finished_) return;
    queue_.push_back(ToBuffer(bytes));
    if (queue_.size() == 1) StartWrite(&queue_.front());
  }

  // Ends the stream once what is queued is written.
  void End(grpc::Status status) {
    std::lock_guard<std::mutex> lock(mu_);
    hold_open_ = false;
    final_status_ = std::move(status);
    if (queue_.empty()) FinishLocked(final_status_);
  }

  void OnWriteDone(bool ok) override {
    std::lock_guard<std::mutex> lock(mu_);
    if (!queue_.empty()) queue_.pop_front();
    if (!ok) return FinishLocked(grpc::Status(grpc::StatusCode::CANCELLED, "write failed"));
    if (!queue_.empty()) return StartWrite(&queue_.front());
    if (!hold_open_) FinishLocked(final_status_);
  }

  void OnCancel() override {
    std::lock_guard<std::mutex> lock(mu_);
    if (queue_.empty() && !delayed_) FinishLocked(grpc::Status(grpc::StatusCode::CANCELLED, "cancelled"));
  }

  void OnDone() override {
    {
      std::lock_guard<std::mutex> lock(fake_->mu_);
      fake_->open_streams_.erase(this);
    }
    delete this;
  }

  const std::string& method_name() const { return method_name_; }

 private:
  void Respond(const Behavior& behavior) {
    if (!method_->server_streaming()) {
      std::lock_guard<std::mutex> lock(mu_);
      if (finished_) return;
      if (!behavior.status.ok()) return FinishLocked(behavior.status);
      finished_ = true;
      single_ = ToBuffer(behavior.responses.empty() ? "" : behavior.responses[0]);
      return StartWriteAndFinish(&single_, grpc::WriteOptions(), grpc::Status::OK);
    }
    std::lock_guard<std::mutex> lock(mu_);
    hold_open_ = behavior.hold_open;
    final_status_ = behavior.status;
    for (const auto& r : behavior.responses) queue_.push_back(ToBuffer(r));
    if (!queue_.empty()) return StartWrite(&queue_.front());
    if (!hold_open_) FinishLocked(final_status_);
  }

  void FinishLocked(grpc::Status status) {
    if (finished_) return;
    finished_ = true;
    Finish(std::move(status));
  }

  FakeBackend* const fake_;
  grpc::GenericCallbackServerContext* const context_;
  grpc::ByteBuffer request_;
  bool got_request_ = false;
  std::string method_name_;
  const google::protobuf::MethodDescriptor* method_ = nullptr;
  std::mutex mu_;
  std::deque<grpc::ByteBuffer> queue_;
  grpc::ByteBuffer single_;
  bool hold_open_ = false;
  bool finished_ = false;
  bool delayed_ = false;
  grpc::Status final_status_;
};

FakeBackend::FakeBackend(std::vector<std::string> services) : services_(services.begin(), services.end()) {
  grpc::EnableDefaultHealthCheckService(true);
  grpc::ServerBuilder builder;
  builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port_);
  builder.RegisterCallbackGenericService(this);
  server_ = builder.BuildAndStart();
  auto* health = server_->GetHealthCheckService();
  health->SetServingStatus("", true);
  for (const auto& s : services_) health->SetServingStatus(s, true);
}

FakeBackend::~FakeBackend() { Shutdown(); }

void FakeBackend::Shutdown() {
  if (!server_) return;
  std::vector<std::thread> delayed;
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
    delayed.swap(delayed_);
  }
  stop_cv_.notify_all();
  for (auto& t : delayed) t.join();
  server_->Shutdown(std::chrono::system_clock::now() + std::chrono::milliseconds(200));
  server_->Wait();
  server_.reset();
}

grpc::ServerGenericBidiReactor* FakeBackend::CreateReactor(grpc::GenericCallbackServerContext* context) {
  return new Reactor(this, context);
}

std::string FakeBackend::Serialize(const std::string& method, const std::string& text) {
  const auto* md = FindMethod(method);
  if (md == nullptr) {
    ADD_FAILURE() << "no method " << method;
    return "";
  }
  auto message = New(md->output_type());
  if (!google::protobuf::TextFormat::ParseFromString(text, message.get())) {
    ADD_FAILURE() << "bad text format for " << method << ": " << text;
  }
  return message->SerializeAsString();
}

void FakeBackend::SetResponses(const std::string& method, const std::vector<std::string>& texts, grpc::Status status) {
  std::vector<std::string> bytes;
  for (const auto& t : texts) bytes.push_back(Serialize(method, t));
  std::lock_guard<std::mutex> lock(mu_);
  Behavior& b = behaviors_[method];
  b.responses = std::move(bytes);
  b.status = std::move(status);
}

void FakeBackend::SetStatus(const std::string& method, grpc::StatusCode code, const std::string& message) {
  std::lock_guard<std::mutex> lock(mu_);
  Behavior& b = behaviors_[method];
  b.responses.clear();
  b.status = grpc::Status(code, message);
}

void FakeBackend::SetDelay(const std::string& method, std::chrono::milliseconds delay) {
  std::lock_guard<std::mutex> lock(mu_);
  Behavior& b = behaviors_[method];
  if (b.responses.empty() && b.status.ok()) b.responses.push_back("");
  b.delay = delay;
}

void FakeBackend::SetHoldOpen(const std::string& method, bool hold) {
  std::lock_guard<std::mutex> lock(mu_);
  behaviors_[method].hold_open = hold;
}

void FakeBackend::Push(const std::string& method, const std::string& text) {
  std::string bytes = Serialize(method, text);
  std::lock_guard<std::mutex> lock(mu_);
  for (Reactor* r : open_streams_) {
    if (r->method_name() == method) r->Push(bytes);
  }
}

void FakeBackend::EndStreams(const std::string& method, const grpc::Status& status) {
  std::lock_guard<std::mutex> lock(mu_);
  for (Reactor* r : open_streams_) {
    if (r->method_name() == method) r->End(status);
  }
}

int FakeBackend::OpenStreams(const std::string& method) {
  std::lock_guard<std::mutex> lock(mu_);
  int n = 0;
  for (Reactor* r : open_streams_) n += r->method_name() == method;
  return n;
}

void FakeBackend::SetServing(const std::string& service, bool serving) {
  server_->GetHealthCheckService()->SetServingStatus(service, serving);
}

int FakeBackend::Calls(const std::string& method) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = records_.find(method);
  return it == records_.end() ? 0 : it->second.calls;
}

int FakeBackend::TotalCalls() {
  std::lock_guard<std::mutex> lock(mu_);
  return total_calls_;
}

std::unique_ptr<Message> FakeBackend::LastRequest(const std::string& method) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = records_.find(method);
  if (it == records_.end() || !it->second.last_request) return nullptr;
  std::unique_ptr<Message> copy(it->second.last_request->New());
  copy->CopyFrom(*it->second.last_request);
  return copy;
}

std::string FakeBackend::LastMetadata(const std::string& method, const std::string& key) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = records_.find(method);
  if (it == records_.end()) return "";
  auto m = it->second.last_metadata.find(key);
  return m == it->second.last_metadata.end() ? "" : m->second;
}

void FakeBackend::Reset() {
  std::lock_guard<std::mutex> lock(mu_);
  behaviors_.clear();
  records_.clear();
  total_calls_ = 0;
}

std::string HttpResult::Header(const std::string& name) const {
  auto it = headers.find(AsciiLower(name));
  return it == headers.end() ? "" : it->second;
}

namespace {

HttpResult FromBeast(http::response<http::string_body>& res) {
  HttpResult out;
  out.status = static_cast<int>(res.result_int());
  for (const auto& f : res) {
    std::string name = AsciiLower(std::string(f.name_string().data(), f.name_string().size()));
    std::string value(f.value().data(), f.value().size());
    auto [it, inserted] = out.headers.emplace(name, value);
    if (!inserted) it->second += ", " + value;
  }
  out.body = std::move(res.body());
  return out;
}

}  // namespace

HttpResult Http(int port, const std::string& method, const std::string& target, const std::string& body,
                const std::vector<std::pair<std::string, std::string>>& headers, std::chrono::milliseconds timeout) {
  HttpResult out;
  try {
    net::io_context ioc;
    beast::tcp_stream stream(ioc);
    stream.expires_after(timeout);
    stream.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), static_cast<unsigned short>(port)));
    http::request<http::string_body> req;
    req.method_string(method);
    req.target(target);
    req.version(11);
    req.set(http::field::host, "127.0.0.1:" + std::to_string(port));
    for (const auto& [k, v] : headers) req.set(k, v);
    req.body() = body;
    if (!body.empty() || method == "POST" || method == "PUT" || method == "PATCH") req.prepare_payload();
    http::write(stream, req);
    beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    parser.body_limit(256 << 20);
    http::read(stream, buffer, parser);
    http::response<http::string_body> res = parser.release();
    out = FromBeast(res);
    beast::error_code ec;
    stream.socket().shutdown(tcp::socket::shutdown_both, ec);
  } catch (const std::exception& e) {
    out.error = e.what();
  }
  return out;
}

std::string RawExchange(int port, const std::string& bytes, std::chrono::milliseconds timeout, bool half_close) {
  std::string received;
  try {
    net::io_context ioc;
    tcp::socket socket(ioc);
    socket.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), static_cast<unsigned short>(port)));
    beast::error_code ec;
    net::write(socket, net::buffer(bytes), ec);
    if (half_close) socket.shutdown(tcp::socket::shutdown_send, ec);
    // Read until EOF or the deadline, without blocking past it.
    socket.non_blocking(true);
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    char buf[65536];
    while (std::chrono::steady_clock::now() < deadline) {
      size_t n = socket.read_some(net::buffer(buf), ec);
      if (ec == net::error::would_block) {
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
        continue;
      }
      if (ec) break;
      received.append(buf, n);
    }
  } catch (const std::exception&) {
  }
  return received;
}

std::vector<HttpResult> ParseResponses(const std::string& raw, bool head) {
  std::vector<HttpResult> out;
  beast::flat_buffer buffer;
  auto prepared = buffer.prepare(raw.size());
  net::buffer_copy(prepared, net::buffer(raw));
  buffer.commit(raw.size());
  while (buffer.size() > 0) {
    http::response_parser<http::string_body> parser;
    parser.body_limit(256 << 20);
    parser.eager(true);
    parser.skip(head);
    beast::error_code ec;
    while (!parser.is_done()) {
      size_t used = parser.put(buffer.data(), ec);
      buffer.consume(used);
      if (ec == http::error::need_more) {
        ec = {};
        if (buffer.size() == 0 || used == 0) {
          // Out of bytes: a close-delimited body ends here; anything else is cut short.
          parser.put_eof(ec);
          break;
        }
        continue;
      }
      if (ec || used == 0) break;
    }
    if (ec || !parser.is_done()) break;
    auto res = parser.release();
    out.push_back(FromBeast(res));
  }
  return out;
}

std::string CheckErrorJson(const std::string& body, int status) {
  google::protobuf::Struct root;
  auto s = google::protobuf::util::JsonStringToMessage(body, &root);
  if (!s.ok()) return "not JSON: " + body.substr(0, 200);
  auto it = root.fields().find("error");
  if (it == root.fields().end() || !it->second.has_struct_value()) return "no error object: " + body.substr(0, 200);
  const auto& e = it->second.struct_value().fields();
  auto code = e.find("code");
  auto http_status = e.find("http_status");
  auto message = e.find("message");
  if (code == e.end() || code->second.string_value().empty()) return "no code: " + body;
  if (http_status == e.end() || static_cast<int>(http_status->second.number_value()) != status) {
    return "http_status differs from " + std::to_string(status) + ": " + body;
  }
  if (message == e.end() || message->second.string_value().empty()) return "no message: " + body;
  return "";
}

GatewayOptions Harness::TestOptions() {
  GatewayOptions options;
  options.limits.rate_limit_rps = 0;  // most tests send bursts from one address
  options.tally_cache_ttl = std::chrono::milliseconds(0);
  options.ready_cache_ttl = std::chrono::milliseconds(0);  // readiness flips are seen at once
  // Upstreams close and restart quickly, so tests see it happen.
  options.sse.linger = std::chrono::milliseconds(100);
  options.sse.restart_min = std::chrono::milliseconds(20);
  options.sse.restart_max = std::chrono::milliseconds(200);
  return options;
}

Harness::Harness(GatewayOptions options, int io_threads) {
  budget_ = std::make_unique<FakeBackend>(std::vector<std::string>{kBudgetService});
  keywords_ = std::make_unique<FakeBackend>(std::vector<std::string>{kKeywordService});
  voting_ = std::make_unique<FakeBackend>(std::vector<std::string>{kVotingService});
  backend_ = std::make_unique<GrpcBackend>(std::map<std::string, std::string>{{kBudgetService, budget_->address()},
                                                                              {kKeywordService, keywords_->address()},
                                                                              {kVotingService, voting_->address()}});
  auto routes = RouteTable::Build(*google::protobuf::DescriptorPool::generated_pool(), DefaultRouteTableOptions());
  if (!routes.ok()) {
    ADD_FAILURE() << routes.status();
    std::abort();
  }
  gateway_ = std::make_unique<Gateway>(std::move(options), *routes, backend_.get());
  HttpServerOptions server_options;
  server_options.listen_address = "127.0.0.1:0";
  server_options.io_threads = io_threads;
  server_ = std::make_unique<HttpServer>(gateway_.get(), server_options);
  auto status = server_->Start();
  if (!status.ok()) {
    ADD_FAILURE() << status;
    std::abort();
  }
}

void Harness::StopServer(std::chrono::milliseconds drain) { server_->Shutdown(drain); }

Harness::~Harness() {
  server_->Shutdown(std::chrono::milliseconds(500));
  for (int i = 0; i < 200 && gateway_->metrics().in_flight() > 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  budget_->Shutdown();
  keywords_->Shutdown();
  voting_->Shutdown();
}

FakeBackend& Harness::FakeFor(const std::string& method_full_name) {
  if (method_full_name.rfind(kBudgetService, 0) == 0) return *budget_;
  if (method_full_name.rfind(kKeywordService, 0) == 0) return *keywords_;
  return *voting_;
}

std::set<std::string> WriteMethods(const RouteTable& routes) {
  std::set<std::string> out;
  for (const auto& r : routes.routes()) {
    if (r->http_method != "GET") out.insert(r->method->full_name());
  }
  return out;
}

}  // namespace bkk::gateway::testing
