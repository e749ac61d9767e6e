// Boost.Beast HTTP/1.1 server for the gateway; see http_server.h.
#include "gateway/server/http_server.h"

#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cerrno>
#include <cstring>
#include <deque>
#include <mutex>
#include <optional>
#include <unordered_map>

#include "absl/strings/str_cat.h"
#include "common/log.h"
#include "gateway/core/http_request_parser.h"
#include "gateway/core/status_map.h"
#include "gateway/core/text.h"

namespace bkk::gateway {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;

namespace {

constexpr size_t kReadChunk = 8192;
// How long a closing connection keeps reading (and discarding) so the last
// response is not destroyed by a TCP reset over unread request bytes.
constexpr auto kLinger = std::chrono::seconds(1);

class Connection;

// One queued operation on a streamed answer (see StreamInbox).
struct StreamOp {
  enum class Kind { kStart, kChunk, kOffer, kEnd, kAbort };
  StreamOp(Kind k, std::shared_ptr<Connection> c, uint64_t s) : kind(k), conn(std::move(c)), seq(s) {}
  Kind kind;
  std::shared_ptr<Connection> conn;
  uint64_t seq = 0;
  std::string data;
  std::shared_ptr<const std::string> shared;
  std::function<void(bool)> done;
  std::shared_ptr<std::pair<HttpResponse, StreamOptions>> start;
};

// The streamed answers of one io thread go through one FIFO, in order, and
// are applied in batches: a fan-out of thousands of events costs a post per
// batch rather than per client, and the io thread turns to other requests
// (a ballot) between batches instead of after the whole fan-out.
struct StreamInbox {
  std::mutex mu;
  std::vector<StreamOp> incoming;  // guarded by mu
  bool scheduled = false;          // guarded by mu: a drain is posted
  std::vector<StreamOp> work;      // the io thread's own
  size_t next = 0;
};

}  // namespace

namespace internal {

// What the server and its connections share; outlives the HttpServer while
// a late gRPC completion still holds a connection.
struct ServerCore {
  ServerCore(Gateway* g, int threads, int live_threads)
      : gateway(g),
        limits(g->limits()),
        request_threads(std::max(1, threads)),
        live_view_threads(std::max(0, live_threads)),
        gate(g->limits().max_connections) {
    for (size_t i = 0; i < request_threads + live_view_threads; ++i) {
      iocs.push_back(std::make_unique<net::io_context>(1));
      inboxes.push_back(std::make_unique<StreamInbox>());
    }
  }
  size_t IndexOf(const net::any_io_executor& executor) const {
    for (size_t i = 0; i < iocs.size(); ++i) {
      if (&executor.query(net::execution::context) == static_cast<net::execution_context*>(iocs[i].get())) return i;
    }
    return 0;
  }
  net::io_context& main() { return *iocs[0]; }
  // Connections are spread round robin over the request threads.
  net::io_context& NextContext() { return *iocs[next_ioc.fetch_add(1, std::memory_order_relaxed) % request_threads]; }
  // The live-view thread for the next live view (the server has some).
  size_t NextLiveViewThread() {
    return request_threads + next_live.fetch_add(1, std::memory_order_relaxed) % live_view_threads;
  }

  Gateway* const gateway;
  const Limits limits;
  // iocs[0, request_threads) take new connections; the rest, the live-view
  // threads, only the live views moved to them (see HttpServerOptions).
  const size_t request_threads;
  const size_t live_view_threads;
  // One io_context per io thread, like one event loop per nginx worker: a
  // connection lives on one thread, so its handlers never contend, need no
  // strand, and a gRPC completion reaches it with a single post.
  std::vector<std::unique_ptr<net::io_context>> iocs;
  std::vector<std::unique_ptr<StreamInbox>> inboxes;  // one per io thread
  std::atomic<unsigned> next_ioc{0};
  std::atomic<unsigned> next_live{0};
  // Stream events a newer one replaced before a slow client could take them.
  std::atomic<uint64_t> coalesced{0};
  std::atomic<uint64_t> live_views_moved{0};
  std::vector<net::executor_work_guard<net::io_context::executor_type>> work;
  std::optional<tcp::acceptor> acceptor;
  ConnectionGate gate;
  std::atomic<bool> draining{false};
  std::atomic<bool> stopping{false};
  std::mutex mu;
  std::unordered_map<uint64_t, std::weak_ptr<Connection>> connections;
  uint64_t next_id = 0;
};

}  // namespace internal

namespace {

using internal::ServerCore;

// One TCP connection: reads a request, waits for the core's answer, writes
// it, repeats. Everything runs on the connection's io thread.
class Connection final : public std::enable_shared_from_this<Connection> {
 public:
  Connection(tcp::socket socket, std::shared_ptr<ServerCore> core, uint64_t id)
      : stream_(std::in_place, std::move(socket)),
        core_(std::move(core)),
        id_(id),
        parser_(core_->limits.max_header_bytes),
        heartbeat_(stream_->get_executor()),
        io_index_(core_->IndexOf(stream_->get_executor())) {
    beast::error_code ec;
    auto endpoint = stream_->socket().remote_endpoint(ec);
    if (!ec) peer_ = endpoint.address().to_string();
    stream_->socket().set_option(tcp::no_delay(true), ec);
  }

  ~Connection() {
    {
      std::lock_guard<std::mutex> lock(core_->mu);
      core_->connections.erase(id_);
    }
    core_->gate.Release();
  }

  // The io thread the connection lives on now; a live view moves once (see
  // MoveToLiveViewThread), so other threads read it, never stream_.
  net::any_io_executor executor() const { return core_->iocs[io_index()]->get_executor(); }
  size_t io_index() const { return io_index_.load(std::memory_order_acquire); }
  // Runs `fn` on the connection's thread, following it if it moved away
  // after the post (only the server's shutdown posts from outside).
  static void RunOnOwnThread(std::shared_ptr<Connection> conn, std::function<void(Connection&)> fn) {
    const size_t index = conn->io_index();
    net::io_context& loop = *conn->core_->iocs[index];
    net::post(loop, [conn = std::move(conn), index, fn = std::move(fn)]() mutable {
      if (conn->io_index() != index) return RunOnOwnThread(std::move(conn), std::move(fn));
      fn(*conn);
    });
  }
  const std::shared_ptr<ServerCore>& core() const { return core_; }

  void Start() {
    net::dispatch(stream_->get_executor(), [self = shared_from_this()] { self->ReadRequest(); });
  }

  // Server shutdown: idle connections close now, streams are cancelled (and
  // then end), busy ones close after their answer.
  void Drain() {
    if (phase_ == Phase::kIdle) return Close();
    if (phase_ == Phase::kStreaming) RunCancel(/*client_gone=*/false);
  }
  void ForceClose() { Close(); }

  // --- called through RequestWriter (posted onto the connection's thread) ---
  void DoSend(uint64_t seq, HttpResponse response) {
    if (seq != seq_ || phase_ != Phase::kHandling) return;
    cancel_ = nullptr;
    WriteResponse(std::move(response), !keep_alive_ || core_->draining.load());
  }

  void DoStartStream(uint64_t seq, const HttpResponse& head, StreamOptions options) {
    if (seq != seq_ || phase_ != Phase::kHandling) return;
    phase_ = Phase::kStreaming;
    stream_head_ = std::make_shared<http::response<http::empty_body>>();
    stream_head_->version(version_);
    stream_head_->result(static_cast<unsigned>(head.status));
    stream_head_->reason(std::string(HttpReason(head.status)));
    for (const auto& h : head.headers) stream_head_->set(h.name, h.value);
    if (version_ >= 11) stream_head_->chunked(true);
    // A stream ends its connection: no request can be pipelined behind an
    // endless event stream, and the close tells HTTP/1.0 clients the end.
    stream_head_->keep_alive(false);
    serializer_.emplace(*stream_head_);
    writing_ = true;
    stream_->expires_after(core_->limits.write_timeout);
    http::async_write_header(*stream_, *serializer_, [self = shared_from_this()](beast::error_code ec, size_t) {
      self->writing_ = false;
      if (ec) return self->FailStream();
      self->PumpStream();
    });
    if (options.heartbeat_interval.count() > 0) {
      heartbeat_chunk_ = std::move(options.heartbeat_chunk);
      heartbeat_interval_ = options.heartbeat_interval;
      ScheduleHeartbeat();
    }
    if (options.watch_for_close) {
      // An endless stream reads nothing more: give back the request buffer,
      // which is most of an idle SSE client's memory.
      buffer_.clear();
      buffer_.shrink_to_fit();
      WatchForClose();
    }
    // Offers are written straight to the socket when it is free (see DoOffer).
    beast::error_code ec;
    stream_->socket().non_blocking(true, ec);
  }

  void DoWriteChunk(uint64_t seq, std::string data, std::function<void(bool)> done) {
    if (seq != seq_ || phase_ != Phase::kStreaming) {
      if (done) done(false);
      return;
    }
    queue_.push_back({Pending::kChunk, std::move(data), nullptr, std::move(done)});
    PumpStream();
  }

  // A live view's newest event. When nothing is being written it goes
  // straight to the socket (one writev, no handler, no allocation); behind a
  // write in flight it waits, and a newer offer replaces it.
  void DoOffer(uint64_t seq, std::shared_ptr<const std::string> event) {
    if (seq != seq_ || phase_ != Phase::kStreaming || event->empty()) return;
    if (writing_ || !queue_.empty()) {
      const bool back_in_flight = in_flight_ && queue_.size() == 1;
      if (!queue_.empty() && queue_.back().offer && !back_in_flight) {
        queue_.back().shared = std::move(event);
        core_->coalesced.fetch_add(1, std::memory_order_relaxed);
        return;
      }
      Pending p{Pending::kChunk, {}, std::move(event), nullptr};
      p.offer = true;
      queue_.push_back(std::move(p));
      return PumpStream();
    }
    char size_line[24];
    const int head = version_ >= 11 ? std::snprintf(size_line, sizeof size_line, "%zx\r\n", event->size()) : 0;
    const size_t tail = version_ >= 11 ? 2 : 0;
    std::array<net::const_buffer, 3> framed = {net::buffer(size_line, head), net::buffer(*event),
                                               net::buffer("\r\n", tail)};
    const size_t total = head + event->size() + tail;
    beast::error_code ec;
    size_t n = stream_->socket().write_some(framed, ec);
    if (ec == net::error::would_block || ec == net::error::try_again) {
      ec = {};
      n = 0;
    }
    if (ec) return FailStream();
    if (n == total) return;
    // The socket took part of it: the rest goes out as it drains.
    std::string rest;
    rest.reserve(total);
    rest.append(size_line, head).append(*event).append("\r\n", tail);
    queue_.push_back({Pending::kRaw, rest.substr(n), nullptr, nullptr});
    PumpStream();
  }

  void DoEndStream(uint64_t seq, bool abort) {
    if (seq != seq_ || phase_ != Phase::kStreaming) return;
    queue_.push_back({abort ? Pending::kAbort : Pending::kEnd, {}, nullptr, nullptr});
    PumpStream();
  }

  void DoSetCancel(uint64_t seq, std::function<void(bool)> cancel) {
    if (seq != seq_ || closed_ || (phase_ != Phase::kHandling && phase_ != Phase::kStreaming)) {
      cancel(/*client_gone=*/true);  // already over
      return;
    }
    cancel_ = std::move(cancel);
  }

 private:
  enum class Phase { kIdle, kReading, kHandling, kWriting, kStreaming, kClosing, kClosed };
  struct Pending {
    // kChunk: one chunk of the body; kRaw: bytes already framed (the rest of
    // a partial direct write); kEnd: the last chunk; kAbort: close.
    enum Kind { kChunk, kRaw, kEnd, kAbort } kind;
    std::string data;
    std::shared_ptr<const std::string> shared;  // used instead of `data` when set
    std::function<void(bool)> done;
    bool offer = false;  // a live view's event: a newer one may replace it
    absl::string_view bytes() const { return shared ? absl::string_view(*shared) : absl::string_view(data); }
  };

  // --- reading ---
  // The bytes go to parser_ (gateway/core/http_request_parser.h), which makes
  // every decision about them; this side only reads, under the timeouts.
  void ReadRequest() {
    if (closed_) return;
    if (core_->draining.load()) return Close();
    phase_ = Phase::kIdle;
    parser_.Reset();
    if (buffer_.size() > 0) return ReadHeader();  // a pipelined request is already here
    stream_->expires_after(core_->limits.idle_timeout);
    stream_->async_read_some(buffer_.prepare(kReadChunk), [self = shared_from_this()](beast::error_code ec, size_t n) {
      self->buffer_.commit(n);
      if (ec) return self->Close();
      self->ReadHeader();
    });
  }

  void ReadHeader() {
    phase_ = Phase::kReading;
    stream_->expires_after(core_->limits.read_timeout);
    ParseBuffered();
  }

  // Parses what is buffered, reading more until the parser has the head or
  // the whole request. One timeout covers each (set by the caller).
  void ParseBuffered() {
    size_t used = 0;
    const auto bytes = buffer_.data();
    absl::StatusOr<HttpRequestParser::Progress> progress =
        parser_.Parse(absl::string_view(static_cast<const char*>(bytes.data()), bytes.size()), &used);
    buffer_.consume(used);
    if (!progress.ok()) return SendParseError(progress.status());
    switch (*progress) {
      case HttpRequestParser::Progress::kNeedMore:
        break;
      case HttpRequestParser::Progress::kHead:
        return OnHeader();
      case HttpRequestParser::Progress::kDone:
        return OnRequest();
    }
    // As Beast's read loop: up to 64 KiB at a time, at least 512 bytes.
    stream_->async_read_some(buffer_.prepare(beast::read_size(buffer_, 65536)),
                             [self = shared_from_this()](beast::error_code ec, size_t n) {
                               self->buffer_.commit(n);
                               // The client left, stalled past the read timeout,
                               // or stopped mid-request: nobody is listening.
                               if (ec) return self->Close();
                               self->ParseBuffered();
                             });
  }

  void OnHeader() {
    version_ = parser_.version();
    const uint64_t limit = core_->gateway->BodyLimitFor(parser_.target());
    if (absl::Status status = parser_.BeginBody(limit); !status.ok()) return SendParseError(status);
    if (parser_.expects_continue()) {
      static const std::string kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
      stream_->expires_after(core_->limits.write_timeout);
      return net::async_write(*stream_, net::buffer(kContinue),
                              [self = shared_from_this()](beast::error_code ec, size_t) {
                                if (ec) return self->Close();
                                self->ReadBody();
                              });
    }
    ReadBody();
  }

  void ReadBody() {
    stream_->expires_after(core_->limits.read_timeout);
    ParseBuffered();
  }

  void SendParseError(const absl::Status& status) {
    const HttpParseError error = HttpErrorForParseStatus(status);
    SendProtocolError(error.http_status, error.code, status.message());
  }

  void OnRequest() {
    HttpRequest request = parser_.TakeRequest();
    request.peer_address = peer_;
    keep_alive_ = parser_.keep_alive();
    head_ = parser_.is_head();
    ++seq_;
    phase_ = Phase::kHandling;
    if (core_->live_view_threads > 0 && core_->gateway->IsLiveView(request.method, request.target)) {
      const size_t live = core_->NextLiveViewThread();
      if (!MoveToLiveViewThread(live)) return Close();
      return net::post(*core_->iocs[live], [self = shared_from_this(), request = std::move(request)] {
        self->core_->gateway->Handle(request, self->MakeWriter());
      });
    }
    core_->gateway->Handle(request, MakeWriter());
  }

  // A live view (SSE) leaves the request threads before the core sees it:
  // the live-view threads run at a lower CPU priority, so writing events to
  // thousands of spectators never delays a voter's request. Nothing of the
  // connection is pending here (its request was just read), so the socket
  // changes event loop by handing over its descriptor.
  bool MoveToLiveViewThread(size_t index) {
    beast::error_code ec;
    const tcp::endpoint local = stream_->socket().local_endpoint(ec);
    if (ec) return false;
    const tcp::socket::native_handle_type fd = stream_->socket().release(ec);
    if (ec) return false;
    tcp::socket moved(*core_->iocs[index]);
    moved.assign(local.protocol(), fd, ec);
    if (ec) {
      ::close(fd);
      return false;
    }
    stream_.reset();
    stream_.emplace(std::move(moved));
    heartbeat_ = net::steady_timer(stream_->get_executor());
    io_index_.store(index, std::memory_order_release);
    core_->live_views_moved.fetch_add(1, std::memory_order_relaxed);
    return true;
  }

  std::shared_ptr<ResponseWriter> MakeWriter();

  // --- writing a complete response ---
  void SendProtocolError(int status, absl::string_view code, absl::string_view message) {
    keep_alive_ = false;
    head_ = false;
    WriteResponse(core_->gateway->ProtocolError(status, code, message), /*close=*/true);
  }

  // Serializes the head by hand and writes head and body in one gather
  // write: a complete answer is the hot path (cache hits), and Beast's
  // generic serializer costs more than the rest of the request.
  void WriteResponse(HttpResponse r, bool close) {
    const bool bodyless = r.status == 204 || r.status == 304 || r.status < 200;
    out_shared_ = std::move(r.shared_body);
    out_body_ = std::move(r.body);
    const absl::string_view body = out_shared_ ? absl::string_view(*out_shared_) : absl::string_view(out_body_);
    out_head_.clear();
    absl::StrAppend(&out_head_, version_ == 10 ? "HTTP/1.0 " : "HTTP/1.1 ", r.status, " ", HttpReason(r.status),
                    "\r\n");
    for (const auto& h : r.headers) {
      if (!SafeHeader(h.name) || !SafeHeader(h.value)) continue;  // never split a header
      absl::StrAppend(&out_head_, h.name, ": ", h.value, "\r\n");
    }
    if (!bodyless) absl::StrAppend(&out_head_, "Content-Length: ", body.size(), "\r\n");
    if (close) {
      out_head_ += "Connection: close\r\n";
    } else if (version_ == 10) {
      out_head_ += "Connection: keep-alive\r\n";
    }
    out_head_ += "\r\n";
    std::array<net::const_buffer, 2> buffers = {net::buffer(out_head_),
                                                net::buffer(body.data(), bodyless || head_ ? 0 : body.size())};
    phase_ = Phase::kWriting;
    stream_->expires_after(core_->limits.write_timeout);
    net::async_write(*stream_, buffers, [self = shared_from_this(), close](beast::error_code ec, size_t) {
      self->out_shared_.reset();
      self->out_body_.clear();
      if (ec) return self->Close();
      if (close) return self->CloseGracefully();
      self->ReadRequest();
    });
  }

  static bool SafeHeader(absl::string_view s) { return s.find_first_of("\r\n") == absl::string_view::npos; }

  // --- streams ---
  void PumpStream() {
    if (writing_ || queue_.empty() || phase_ != Phase::kStreaming) return;
    Pending& p = queue_.front();
    if (p.kind == Pending::kAbort) return FailStream();
    writing_ = true;
    stream_->expires_after(core_->limits.write_timeout);
    auto on_written = [self = shared_from_this()](beast::error_code ec, size_t) { self->OnStreamWrite(ec); };
    in_flight_ = true;
    if (p.kind == Pending::kRaw) {
      const absl::string_view bytes = p.bytes();
      net::async_write(*stream_, net::buffer(bytes.data(), bytes.size()), on_written);
    } else if (p.kind == Pending::kChunk) {
      const absl::string_view bytes = p.bytes();
      if (bytes.empty()) {
        // An empty chunk would read as the end of the body; skip it.
        return net::post(stream_->get_executor(), [on_written] { on_written({}, 0); });
      }
      if (version_ >= 11) {
        net::async_write(*stream_, http::make_chunk(net::buffer(bytes.data(), bytes.size())), on_written);
      } else {
        net::async_write(*stream_, net::buffer(bytes.data(), bytes.size()), on_written);
      }
    } else if (version_ >= 11) {
      net::async_write(*stream_, http::make_chunk_last(), on_written);
    } else {
      net::post(stream_->get_executor(), [on_written] { on_written({}, 0); });
    }
  }

  void OnStreamWrite(beast::error_code ec) {
    writing_ = false;
    in_flight_ = false;
    if (queue_.empty()) return;  // failed meanwhile
    Pending p = std::move(queue_.front());
    queue_.pop_front();
    if (ec) {
      if (p.done) p.done(false);
      return FailStream();
    }
    if (p.done) p.done(true);
    if (p.kind == Pending::kEnd) {
      cancel_ = nullptr;
      heartbeat_.cancel();
      return CloseGracefully();
    }
    PumpStream();
  }

  void ScheduleHeartbeat() {
    heartbeat_.expires_after(heartbeat_interval_);
    heartbeat_.async_wait([self = shared_from_this()](beast::error_code ec) {
      if (ec || self->phase_ != Phase::kStreaming) return;
      if (!self->writing_ && self->queue_.empty()) {
        self->queue_.push_back({Pending::kChunk, self->heartbeat_chunk_, nullptr, nullptr});
        self->PumpStream();
      }
      self->ScheduleHeartbeat();
    });
  }

  // While streaming nothing is read, so a client that leaves would go
  // unnoticed until a write fails; a pending read notices at once.
  void WatchForClose() {
    stream_->socket().async_read_some(net::buffer(discard_), [self = shared_from_this()](beast::error_code ec, size_t) {
      if (self->phase_ != Phase::kStreaming) return;
      if (ec) return self->FailStream();
      self->WatchForClose();
    });
  }

  void FailStream() {
    for (auto& p : queue_) {
      if (p.done) p.done(false);
    }
    queue_.clear();
    Close();
  }

  void RunCancel(bool client_gone) {
    if (!cancel_) return;
    auto cancel = std::move(cancel_);
    cancel_ = nullptr;
    cancel(client_gone);
  }

  // --- closing ---
  void CloseGracefully() {
    if (closed_ || phase_ == Phase::kClosing) return;
    phase_ = Phase::kClosing;
    beast::error_code ec;
    stream_->socket().shutdown(tcp::socket::shutdown_send, ec);
    stream_->expires_after(kLinger);
    Linger();
  }

  void Linger() {
    stream_->async_read_some(net::buffer(discard_), [self = shared_from_this()](beast::error_code ec, size_t) {
      if (ec) return self->Close();
      self->Linger();
    });
  }

  void Close() {
    if (closed_) return;
    closed_ = true;
    phase_ = Phase::kClosed;
    heartbeat_.cancel();
    beast::error_code ec;
    stream_->socket().shutdown(tcp::socket::shutdown_both, ec);
    stream_->socket().close(ec);
    RunCancel(/*client_gone=*/true);
    for (auto& p : queue_) {
      if (p.done) p.done(false);
    }
    queue_.clear();
  }

  // Replaced (never while an operation is pending) when a live view moves
  // to a live-view thread: beast::tcp_stream cannot be move-assigned.
  std::optional<beast::tcp_stream> stream_;
  std::shared_ptr<ServerCore> core_;
  const uint64_t id_;
  std::string peer_;
  beast::flat_buffer buffer_;
  HttpRequestParser parser_;
  Phase phase_ = Phase::kIdle;
  bool closed_ = false;
  bool keep_alive_ = true;
  bool head_ = false;
  unsigned version_ = 11;
  uint64_t seq_ = 0;
  std::function<void(bool)> cancel_;
  // The answer being written.
  std::string out_head_;
  std::string out_body_;
  std::shared_ptr<const std::string> out_shared_;
  // Stream state.
  std::shared_ptr<http::response<http::empty_body>> stream_head_;
  std::optional<http::response_serializer<http::empty_body>> serializer_;
  std::deque<Pending> queue_;
  bool writing_ = false;    // a write (the head, or queue_.front()) is in flight
  bool in_flight_ = false;  // the write in flight is queue_.front()
  net::steady_timer heartbeat_;
  std::chrono::milliseconds heartbeat_interval_{0};
  std::string heartbeat_chunk_;
  std::array<char, 1024> discard_;
  std::atomic<size_t> io_index_;
};

// The ResponseWriter of one request: hops onto the connection's io thread.
// Calls for an older request of the same connection are ignored there.
class RequestWriter final : public ResponseWriter {
 public:
  RequestWriter(std::shared_ptr<Connection> conn, uint64_t seq) : conn_(std::move(conn)), seq_(seq) {}

  void Send(HttpResponse response) override {
    // dispatch: an answer made while handling the request (cache hit, error)
    // is written at once on the connection's thread instead of being queued.
    net::dispatch(conn_->executor(),
                  [c = conn_, s = seq_, r = std::move(response)]() mutable { c->DoSend(s, std::move(r)); });
  }
  // Stream operations keep their order through the io thread's inbox.
  void StartStream(HttpResponse head, StreamOptions options) override {
    StreamOp op(StreamOp::Kind::kStart, conn_, seq_);
    op.start = std::make_shared<std::pair<HttpResponse, StreamOptions>>(std::move(head), std::move(options));
    Enqueue(std::move(op));
  }
  void WriteChunk(std::string data, std::function<void(bool)> done) override {
    StreamOp op(StreamOp::Kind::kChunk, conn_, seq_);
    op.data = std::move(data);
    op.done = std::move(done);
    Enqueue(std::move(op));
  }
  void Offer(std::shared_ptr<const std::string> event) override {
    StreamOp op(StreamOp::Kind::kOffer, conn_, seq_);
    op.shared = std::move(event);
    Enqueue(std::move(op));
  }
  void EndStream() override { Enqueue(StreamOp(StreamOp::Kind::kEnd, conn_, seq_)); }
  void AbortStream() override { Enqueue(StreamOp(StreamOp::Kind::kAbort, conn_, seq_)); }
  void OnCancel(std::function<void(bool)> cancel) override {
    net::post(conn_->executor(),
              [c = conn_, s = seq_, f = std::move(cancel)]() mutable { c->DoSetCancel(s, std::move(f)); });
  }

 private:
  void Enqueue(StreamOp op);

  const std::shared_ptr<Connection> conn_;
  const uint64_t seq_;
};

// Applies queued stream operations, a batch at a time.
void DrainStreamInbox(const std::shared_ptr<ServerCore>& core, size_t index) {
  constexpr size_t kBatch = 64;
  StreamInbox& box = *core->inboxes[index];
  if (box.next == box.work.size()) {
    box.work.clear();
    box.next = 0;
    std::lock_guard<std::mutex> lock(box.mu);
    box.work.swap(box.incoming);
    if (box.work.empty()) {
      box.scheduled = false;
      return;
    }
  }
  const size_t end = std::min(box.work.size(), box.next + kBatch);
  for (; box.next < end; ++box.next) {
    StreamOp op = std::move(box.work[box.next]);
    Connection& c = *op.conn;
    switch (op.kind) {
      case StreamOp::Kind::kStart:
        c.DoStartStream(op.seq, op.start->first, std::move(op.start->second));
        break;
      case StreamOp::Kind::kChunk:
        c.DoWriteChunk(op.seq, std::move(op.data), std::move(op.done));
        break;
      case StreamOp::Kind::kOffer:
        c.DoOffer(op.seq, std::move(op.shared));
        break;
      case StreamOp::Kind::kEnd:
        c.DoEndStream(op.seq, false);
        break;
      case StreamOp::Kind::kAbort:
        c.DoEndStream(op.seq, true);
        break;
    }
  }
  // Yield: whatever else this io thread has to do runs before the next batch.
  net::post(*core->iocs[index], [core, index] { DrainStreamInbox(core, index); });
}

void RequestWriter::Enqueue(StreamOp op) {
  const std::shared_ptr<ServerCore>& core = conn_->core();
  const size_t index = conn_->io_index();
  StreamInbox& box = *core->inboxes[index];
  bool post;
  {
    std::lock_guard<std::mutex> lock(box.mu);
    box.incoming.push_back(std::move(op));
    post = !box.scheduled;
    box.scheduled = true;
  }
  if (post) net::post(*core->iocs[index], [core, index] { DrainStreamInbox(core, index); });
}

std::shared_ptr<ResponseWriter> Connection::MakeWriter() {
  return std::make_shared<RequestWriter>(shared_from_this(), seq_);
}

// Linux gives each thread its own nice value. Lowering it needs no
// privilege (raising it back would), so a live-view thread does it once.
void LowerThisThreadsPriority(int nice) {
  if (nice <= 0) return;
  if (setpriority(PRIO_PROCESS, static_cast<id_t>(syscall(SYS_gettid)), nice) != 0) {
    LogWarning("live_view_priority_unchanged", {{"nice", std::to_string(nice)}, {"error", std::strerror(errno)}});
  }
}

// Over the connection cap: a short 503 and close, without a Connection object.
void RejectConnection(tcp::socket socket, const std::shared_ptr<ServerCore>& core) {
  auto stream = std::make_shared<beast::tcp_stream>(std::move(socket));
  HttpResponse r = core->gateway->ProtocolError(503, "UNAVAILABLE", "too many connections; retry shortly");
  auto res = std::make_shared<http::response<http::string_body>>();
  res->result(503);
  for (auto& h : r.headers) res->set(h.name, h.value);
  res->set(http::field::retry_after, "1");
  res->body() = std::move(r.body);
  res->prepare_payload();
  res->keep_alive(false);
  stream->expires_after(std::chrono::seconds(2));
  http::async_write(*stream, *res, [stream, res](beast::error_code, size_t) {
    beast::error_code ec;
    stream->socket().shutdown(tcp::socket::shutdown_both, ec);
    stream->close();
  });
}

void Accept(const std::shared_ptr<ServerCore>& strong) {
  std::weak_ptr<ServerCore> weak = strong;
  strong->acceptor->async_accept(strong->NextContext(), [weak](beast::error_code ec, tcp::socket socket) {
    auto core = weak.lock();
    if (!core || core->stopping.load() || !core->acceptor->is_open()) return;
    if (ec) {
      // Out of file descriptors and the like: back off instead of spinning.
      LogWarning("accept_failed", {{"error", ec.message()}});
      auto timer = std::make_shared<net::steady_timer>(core->main(), std::chrono::milliseconds(100));
      timer->async_wait([weak, timer](beast::error_code) {
        auto core = weak.lock();
        if (core && !core->stopping.load()) Accept(core);
      });
      return;
    }
    if (!core->gate.TryAcquire()) {
      RejectConnection(std::move(socket), core);
    } else {
      std::shared_ptr<Connection> conn;
      {
        std::lock_guard<std::mutex> lock(core->mu);
        uint64_t id = core->next_id++;
        conn = std::make_shared<Connection>(std::move(socket), core, id);
        core->connections.emplace(id, conn);
      }
      conn->Start();
    }
    Accept(core);
  });
}

std::vector<std::shared_ptr<Connection>> LiveConnections(ServerCore& core) {
  std::vector<std::shared_ptr<Connection>> out;
  std::lock_guard<std::mutex> lock(core.mu);
  for (auto& [id, weak] : core.connections) {
    if (auto c = weak.lock()) out.push_back(std::move(c));
  }
  return out;
}

}  // namespace

HttpServer::HttpServer(Gateway* gateway, HttpServerOptions options)
    : core_(std::make_shared<internal::ServerCore>(gateway, options.io_threads, options.live_view_threads)),
      options_(std::move(options)) {}

HttpServer::~HttpServer() { Shutdown(std::chrono::milliseconds(0)); }

int HttpServer::open_connections() const { return core_->gate.open(); }

absl::Status HttpServer::Start() {
  const std::string& listen = options_.listen_address;
  size_t colon = listen.rfind(':');
  if (colon == std::string::npos) {
    return absl::InvalidArgumentError(absl::StrCat("listen address ", listen, " must be host:port"));
  }
  std::string host = listen.substr(0, colon);
  std::string port = listen.substr(colon + 1);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  beast::error_code ec;
  tcp::resolver resolver(core_->main());
  auto results = resolver.resolve(host, port, tcp::resolver::passive | tcp::resolver::numeric_service, ec);
  if (ec || results.empty()) {
    return absl::InvalidArgumentError(absl::StrCat("cannot resolve listen address ", listen, ": ", ec.message()));
  }
  tcp::endpoint endpoint = results.begin()->endpoint();
  core_->acceptor.emplace(core_->main());
  core_->acceptor->open(endpoint.protocol(), ec);
  if (!ec) core_->acceptor->set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) core_->acceptor->bind(endpoint, ec);
  if (!ec) core_->acceptor->listen(net::socket_base::max_listen_connections, ec);
  if (ec) return absl::UnavailableError(absl::StrCat("cannot listen on ", listen, ": ", ec.message()));
  port_ = core_->acceptor->local_endpoint().port();

  std::weak_ptr<internal::ServerCore> weak = core_;
  using prometheus::MetricType;
  using Samples = std::vector<Metrics::Sample>;
  auto read = [weak](auto value) {
    return [weak, value] {
      auto core = weak.lock();
      return Samples{{{}, core ? static_cast<double>(value(*core)) : 0.0}};
    };
  };
  Metrics& metrics = core_->gateway->metrics();
  metrics.AddCollector("bkk_gateway_open_connections", "HTTP connections open now", MetricType::Gauge,
                       read([](internal::ServerCore& c) { return c.gate.open(); }));
  metrics.AddCollector("bkk_gateway_sse_coalesced_total", "Live-tally events replaced by a newer one before sending",
                       MetricType::Counter, read([](internal::ServerCore& c) { return c.coalesced.load(); }));
  metrics.AddCollector("bkk_gateway_live_views_moved_total", "Live views moved to the live-view io threads",
                       MetricType::Counter, read([](internal::ServerCore& c) { return c.live_views_moved.load(); }));
  for (auto& ioc : core_->iocs) core_->work.push_back(net::make_work_guard(*ioc));
  Accept(core_);
  for (size_t i = 0; i < core_->iocs.size(); ++i) {
    const bool live = i >= core_->request_threads;
    threads_.emplace_back([core = core_, i, live, nice = options_.live_view_nice] {
      if (live) LowerThisThreadsPriority(nice);
      core->iocs[i]->run();
    });
  }
  LogInfo("http_listening", {{"address", listen},
                             {"port", std::to_string(port_)},
                             {"io_threads", std::to_string(core_->request_threads)},
                             {"live_view_threads", std::to_string(core_->live_view_threads)}});
  return absl::OkStatus();
}

void HttpServer::Shutdown(std::chrono::milliseconds drain) {
  if (stopped_) return;
  stopped_ = true;
  if (threads_.empty()) return;  // never started
  core_->draining = true;
  core_->gateway->SetDraining(true);
  net::post(core_->acceptor->get_executor(), [core = core_] {
    beast::error_code ec;
    core->acceptor->close(ec);
  });
  for (auto& conn : LiveConnections(*core_)) {
    Connection::RunOnOwnThread(conn, [](Connection& c) { c.Drain(); });
  }
  const auto deadline = std::chrono::steady_clock::now() + drain;
  while (core_->gate.open() > 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  for (auto& conn : LiveConnections(*core_)) {
    Connection::RunOnOwnThread(conn, [](Connection& c) { c.ForceClose(); });
  }
  const auto hard = std::chrono::steady_clock::now() + std::chrono::seconds(1);
  while (core_->gate.open() > 0 && std::chrono::steady_clock::now() < hard) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  core_->stopping = true;
  core_->work.clear();
  for (auto& ioc : core_->iocs) ioc->stop();
  for (auto& t : threads_) t.join();
  threads_.clear();
  // Handlers still queued at the stop hold connections (which hold the
  // core): run them out, with every socket closed they just return.
  for (auto& ioc : core_->iocs) {
    ioc->restart();
    ioc->poll();
  }
  LogInfo("http_stopped");
}

}  // namespace bkk::gateway
